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
    // Made-up wordings of shapes the blind tuning data showed missing: 为什么 is not 什么 (a question about what can be done),
    '手机停了机，帮我看下为什么',
    // 请问 is politeness before a request,
    '请问一下 我在商城买的手机还没到 能不能麻烦你帮我催一下',
    // a relative's line is acted on just the same,
    '我爸的号欠费停了，能帮他复机吗',
    // an order ending the message with nobody addressed,
    '长途包我用不上了 停了吧',
    // the visitor's thing named by what they did with it, or with two words before the noun,
    'cancel the phone order i placed yesterday please',
    'cancel my unicom mall order please',
    'stop my roaming pack from next month please',
    'help me check where my parcel is',
    'i paid twice at the terminal, get my money back',
    // "on your side" addresses the service; 瞅瞅 is looking into it; what the visitor paid for has not come,
    '号用不上了 你这边给弄停了吧',
    '你给俺瞅瞅宽带咋回事',
    '上周在商城下的单 到现在还没个动静',
    'paid with alipay an hour ago and the money still not on my number',
    'lost my phone, can you block my number now',
    'the invoice has the wrong name, i need a new one',
    // polite British and American forms, the passive of something of theirs, a Singlish "you" told to act,
    "would you be able to reissue last week's invoice with our company name",
    "i'd be grateful if someone could look into my roaming charges",
    'could you possibly cancel the order i placed this morning',
    'i was charged twice. could one of them be refunded?',
    'could you pop it onto their landline for us',
    'add the long distance pack to my landline from next month please',
    'ok then you print mine now',
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
    '请问怎么解绑',
    '为什么扣了我的钱',
    '我准备给他们办亲情1+，要带什么',
    'can you print a china mobile invoice at the self-service machine',
    'how do i stop my roaming pack',
    '你们能给开发票吗',
    '网上充的话费多久到账',
    'can the invoice be reissued if i lose it?',
    'would it be possible to get an invoice for an online top-up',
  ])('leaves %s a question', (text) => {
    expect(detectAccountAction(text)).toBeUndefined();
  });
});
