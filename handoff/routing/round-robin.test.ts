import { describe, expect, it } from 'vitest';
import { pickAgent } from './round-robin.ts';

describe('pickAgent', () => {
  it('takes the agent with the fewest active chats', () => {
    expect(
      pickAgent([
        { agentId: 'a', active: 2, capacity: 5, lastAssignedAt: '2025-01-01T00:00:00Z' },
        { agentId: 'b', active: 1, capacity: 5, lastAssignedAt: '2025-01-01T00:09:00Z' },
      ])?.agentId,
    ).toBe('b');
  });

  it('skips agents at capacity, even when less loaded in absolute terms', () => {
    expect(
      pickAgent([
        { agentId: 'a', active: 1, capacity: 1 },
        { agentId: 'b', active: 2, capacity: 3 },
      ])?.agentId,
    ).toBe('b');
    expect(pickAgent([{ agentId: 'a', active: 3, capacity: 3 }])).toBeUndefined();
    expect(pickAgent([])).toBeUndefined();
  });

  it('breaks ties by the least recent assignment (never assigned first), then by id', () => {
    const loads = [
      { agentId: 'c', active: 0, capacity: 2, lastAssignedAt: '2025-01-01T00:05:00Z' },
      { agentId: 'a', active: 0, capacity: 2, lastAssignedAt: '2025-01-01T00:07:00Z' },
      { agentId: 'b', active: 0, capacity: 2, lastAssignedAt: '2025-01-01T00:03:00Z' },
    ];
    expect(pickAgent(loads)?.agentId).toBe('b');
    expect(pickAgent([...loads, { agentId: 'z', active: 0, capacity: 1 }])?.agentId).toBe('z');
    expect(pickAgent([{ agentId: 'y', active: 0, capacity: 1 }, { agentId: 'x', active: 0, capacity: 1 }])?.agentId).toBe('x');
  });
});
