// The shape of a request to act on the visitor's own account: asked of the service, an action verb, something
// of theirs; a question about how to do it is not one.
import { describe, expect, it } from 'vitest';
import { detectAccountAction } from './account-action.ts';

describe('detectAccountAction', () => {
  it.each([
    '帮我把亲情1+退了',
    '把我那个号停了',
    '把我的宽带从100元档改成50元档',
    '把我爸的套餐降一档',
    '家里座机没声音了，能不能派个师傅上门看看',
    '麻烦安排人来家里修一下宽带',
    '麻烦帮我给18600001234充一百块',
    'please restore my landline',
    'link my landline to the bundle for me',
    'ok just do that for me',
    'cancel the long-distance pack on my landline',
  ])('reads %s as a request', (text) => {
    expect(detectAccountAction(text)).toBeDefined();
  });

  it.each([
    '怎么解绑微信营业厅',
    '套餐改成便宜的要去哪里办',
    '宽带维修师傅上门的时间是几点到几点',
    '帮我解释一下什么是亲情1+',
    'how do i unbind the wechat hall',
    '帮我充话费怎么充',
    'can you do it online',
  ])('leaves %s a question', (text) => {
    expect(detectAccountAction(text)).toBeUndefined();
  });
});
