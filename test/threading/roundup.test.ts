import { describe, expect, it } from 'vitest';
import { RoundupState } from '../../src/domain/vocabulary.ts';
import { bridgeRule, nextRoundupState } from '../../src/threading/roundup.ts';

describe('nextRoundupState', () => {
  it.each([
    [false, RoundupState.None, RoundupState.None],
    [false, RoundupState.Joined, RoundupState.None],
    [true, RoundupState.None, RoundupState.Waiting],
    [true, RoundupState.Waiting, RoundupState.Waiting],
    [true, RoundupState.Joined, RoundupState.Joined],
  ])('a roundup %s in state %s goes to %s', (isRoundup, current, next) => {
    expect(nextRoundupState(isRoundup, current)).toBe(next);
  });
});

describe('bridgeRule', () => {
  it('lets an ordinary entry bridge, a waiting roundup join once, a joined one connect only its own conversation', () => {
    expect(bridgeRule(RoundupState.None)).toBe('bridges');
    expect(bridgeRule(RoundupState.Waiting)).toBe('joins-once');
    expect(bridgeRule(RoundupState.Joined)).toBe('within-own-conversation');
  });
});
