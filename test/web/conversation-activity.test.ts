// The home page's activity of conversations, kept per version: read once while a conversation
// stays as it is, read again for the one that changed (or when a blog is renamed), within a bound.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import type { Conversation } from '../../src/domain/models.ts';
import { findConversation } from '../../src/store/conversations.ts';
import { listConversationActivity } from '../../src/store/debate-map.ts';
import { createConversationActivity } from '../../src/web/conversation-activity.ts';
import { talliesOn } from '../../src/web/tally-thread.ts';
import { createTestDatabase } from '../support/db.ts';
import { recordStatements } from '../support/statements.ts';

let database: OpenedDatabase;
const now = '2026-01-01T00:00:00.000Z';

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

async function conversation(id: number): Promise<Conversation> {
  const found = await findConversation(database.db, id);
  if (!found || !('conversation' in found)) throw new Error('no conversation');
  return found.conversation;
}

/** Three conversations of one blog's posts, over a few days. */
async function debates(): Promise<number[]> {
  const db = database.db;
  const blog = await db.insertInto('blogs').values({ home_url: 'http://a.example/', url_key: 'a.example', title: 'A', created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
  const ids: number[] = [];
  for (let c = 0; c < 3; c++) {
    const { id } = await db.insertInto('conversations').values({ entry_count: 3, created_at: now, updated_at: now }).returning('id').executeTakeFirstOrThrow();
    ids.push(id);
    await db
      .insertInto('entries')
      .values([0, 1, 2].map((i) => ({
        blog_id: blog.id, kind: 'post' as const, identity: `${c}:${i}`, url: `http://a.example/${c}/${i}/`, url_key: `a.example/${c}/${i}`, title: `P${i}`, content_html: '<p>x</p>',
        published_at: now, sort_at: `2026-01-0${1 + i}T10:00:00.000Z`, content_hash: `h${c}${i}`, first_seen_at: now, changed_at: now, conversation_id: id,
      })))
      .execute();
  }
  return ids;
}

const activityReads = (sql: string[]) => sql.filter((s) => s.includes('substr(sort_at, 1, 10)'));

describe('createConversationActivity', () => {
  it('reads a conversation’s activity once a version, and again for the one that changed', async () => {
    const ids = await debates();
    const activityOf = createConversationActivity(database.db, () => talliesOn(database.db));
    const shown = await Promise.all(ids.map(conversation));
    const first = await recordStatements(() => activityOf(shown));
    expect(activityReads(first.sql)).toHaveLength(1);
    expect(first.result).toEqual(await listConversationActivity(database.db, ids));
    expect(first.result.get(ids[0]!)!.days.map((d) => d.day)).toEqual(['2026-01-01', '2026-01-02', '2026-01-03']);

    const again = await recordStatements(() => activityOf(shown));
    expect(activityReads(again.sql)).toHaveLength(0);
    expect(again.result).toEqual(first.result);

    // A new entry in the second: threading moves its version; only it is read again.
    await database.db.updateTable('entries').set({ sort_at: '2026-01-05T10:00:00.000Z' }).where('identity', '=', '1:2').execute();
    await database.db.updateTable('conversations').set({ updated_at: '2026-01-05T10:00:00.000Z' }).where('id', '=', ids[1]!).execute();
    const moved = await Promise.all(ids.map(conversation));
    const changed = await recordStatements(() => activityOf(moved));
    expect(activityReads(changed.sql)).toHaveLength(1);
    expect(activityReads(changed.sql)[0]).toMatch(/in \((\?|\$\d+)\)/);
    expect(changed.result.get(ids[1]!)!.days.map((d) => d.day)).toEqual(['2026-01-01', '2026-01-02', '2026-01-05']);

    // A renamed blog: its name is part of every conversation's activity.
    await database.db.updateTable('blogs').set({ title: 'Umbenannt', updated_at: '2026-02-01T00:00:00.000Z' }).execute();
    const renamed = await recordStatements(() => activityOf(moved));
    expect(activityReads(renamed.sql)).toHaveLength(1);
    expect(renamed.result.get(ids[0]!)!.blogs[0]!.title).toBe('Umbenannt');
  });

  it('keeps at most its bound, dropping the one used least recently', async () => {
    const ids = await debates();
    const activityOf = createConversationActivity(database.db, () => talliesOn(database.db), 2);
    const [a, b, c] = await Promise.all(ids.map(conversation));
    await activityOf([a!, b!]);
    await activityOf([a!]);
    await activityOf([c!]);
    // b went (a was used since): a and c are kept.
    expect(activityReads((await recordStatements(() => activityOf([a!, c!]))).sql)).toHaveLength(0);
    expect(activityReads((await recordStatements(() => activityOf([b!]))).sql)).toHaveLength(1);
  });
});
