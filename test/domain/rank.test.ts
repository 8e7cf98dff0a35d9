import { describe, expect, it } from 'vitest';
import { rankConversation } from '../../src/domain/rank.ts';

describe('rankConversation', () => {
  it('ranks a debate between blogs above a one-blog thread of the same age', () => {
    const at = '2026-03-01T12:00:00Z';
    expect(rankConversation(at, 3, 5)).toBeGreaterThan(rankConversation(at, 1, 5));
  });
  it('lets a fresh one-blog thread outrank a debate that ended a week ago', () => {
    expect(rankConversation('2026-03-08T12:00:00Z', 1, 2)).toBeGreaterThan(rankConversation('2026-03-01T12:00:00Z', 3, 6));
  });
});
