// Link roundups (a link blog, a weekly digest, a blogroll pasted into every post): such an
// entry joins the first conversation one of its links resolves into and never bridges two,
// or one link blog would glue every debate it mentions into one. Pure rules over RoundupState.
import { RoundupState } from '../domain/vocabulary.ts';

/** Returns an entry's roundup state after an arrival that is (or is no longer) a roundup. */
export function nextRoundupState(isRoundup: boolean, current: RoundupState): RoundupState {
  if (!isRoundup) return RoundupState.None;
  // A roundup that has joined a conversation stays joined through edits.
  return current === RoundupState.None ? RoundupState.Waiting : current;
}

/**
 * What a body link of an entry in this state may do: join any two conversations (not a
 * roundup), join once and mark the roundup joined (its first link to resolve), or connect only
 * entries already in the roundup's own conversation.
 */
export type BridgeRule = 'bridges' | 'joins-once' | 'within-own-conversation';

/** Tells what a body link from an entry in this roundup state may join. */
export function bridgeRule(state: RoundupState): BridgeRule {
  switch (state) {
    case RoundupState.None:
      return 'bridges';
    case RoundupState.Waiting:
      return 'joins-once';
    case RoundupState.Joined:
      return 'within-own-conversation';
  }
}
