// The activity of the conversations the home page lists (entries per day and the blogs taking
// part, drawn as each one's small map), kept per version of each conversation: reading it
// counts every entry of a conversation, and the busiest debates, which lead the list, are the
// biggest.
import type { Db } from '../db/open.ts';
import type { Conversation, ConversationActivity } from '../domain/models.ts';
import { findBlogsChangedAt } from '../store/blogs.ts';
import { unlessBusy, type Tallies } from './tally-thread.ts';

/**
 * Keeps the activity of recently listed conversations, at most `maxKept`, the one used least
 * recently dropped first. A conversation whose activity the busy tally thread could not count is
 * missing from the answer.
 */
export function createConversationActivity(db: Db, talliesFor: (entries: number) => Pick<Tallies, 'conversationActivity'>, maxKept = 1_000) {
  const kept = new Map<string, ConversationActivity>();
  return async function activityOf(conversations: readonly Conversation[]): Promise<Map<number, ConversationActivity>> {
    // Threading moves a conversation's updated_at and size with every arrival, edit and
    // tombstone; blogs' names come with the activity.
    const blogsChangedAt = await findBlogsChangedAt(db);
    const keyOf = (c: Conversation) => `${c.id}|${c.updatedAt}|${c.entryCount}|${blogsChangedAt ?? ''}`;
    const out = new Map<number, ConversationActivity>();
    const missing: Conversation[] = [];
    for (const c of conversations) {
      const key = keyOf(c);
      const hit = kept.get(key);
      if (!hit) {
        missing.push(c);
        continue;
      }
      kept.delete(key);
      kept.set(key, hit);
      out.set(c.id, hit);
    }
    if (missing.length === 0) return out;
    // Counted in the tally thread when they are big (0.25-0.35 s for a debate of 100,000 entries).
    // A busy thread leaves them out: the list is shown without their small maps.
    const entries = missing.reduce((n, c) => n + c.entryCount, 0);
    const read = await unlessBusy(talliesFor(entries).conversationActivity(missing.map((c) => c.id)));
    if (!read) return out;
    for (const c of missing) {
      const activity = read.get(c.id);
      if (!activity) continue;
      out.set(c.id, activity);
      kept.set(keyOf(c), activity);
    }
    while (kept.size > maxKept) kept.delete(kept.keys().next().value!);
    return out;
  };
}
