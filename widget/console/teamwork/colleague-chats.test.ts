// A chat's tab as a colleague the holder invited sees it: writable while the holder keeps it and the colleague is
// in it, never the holder's own actions, and ended (not "transferred") once the colleague left.
import { describe, expect, it } from 'vitest';
import type { ConversationView } from '../console-api.ts';
import { withEnded, withView } from '../console-chats.ts';

function view(participants: ConversationView['participants'], status: ConversationView['status'] = 'assigned'): ConversationView {
  return {
    id: 'c1', status, lang: 'zh', agent: { id: 'wang', displayName: '王芳' }, participants,
    handoff: null, lastDecision: null, visitor: { lang: 'zh', firstSeen: '2025-03-03T01:00:00.000Z' }, transfers: [], messages: [], more: false,
  };
}
const joined = { id: 'li', displayName: '李强', state: 'joined' as const, invitedBy: { id: 'wang', displayName: '王芳' }, invitedAt: '2025-03-03T01:01:00.000Z' };

describe('a colleague’s chat tab', () => {
  it('is held by the holder and by a colleague who joined, and marks the colleague', () => {
    expect(withView(new Map(), view([joined]), 'wang').get('c1')).toMatchObject({ held: true });
    expect(withView(new Map(), view([joined]), 'wang').get('c1')?.colleague).toBeUndefined();
    expect(withView(new Map(), view([joined]), 'li').get('c1')).toMatchObject({ held: true, colleague: true });
  });

  it('is not held by a colleague only invited, nor once the chat left its holder', () => {
    expect(withView(new Map(), view([{ ...joined, state: 'invited' }]), 'li').get('c1')?.held).toBe(false);
    expect(withView(new Map(), view([joined], 'closed'), 'li').get('c1')).toMatchObject({ held: false, ended: { why: 'closed' } });
  });

  it('stays ended as "left" after the colleague left, however often the view is read again', () => {
    const left = withEnded(withView(new Map(), view([joined]), 'li'), 'c1', { why: 'left' });
    expect(left.get('c1')).toMatchObject({ held: false, ended: { why: 'left' }, colleague: true });
    expect(withView(left, view([]), 'li').get('c1')).toMatchObject({ held: false, ended: { why: 'left' } });
  });
});
