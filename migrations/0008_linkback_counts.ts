// Recounts each conversation's linkbacks as a reader counts them: the answers that arrived as a
// linkback, a post merged with the pingback it sent included (before, only nodes that were
// nothing but a ping counted, so a debate tied together by pingbacks said "0 linkbacks").
import { sql, type Kysely } from 'kysely';

const kinds = sql`('pingback', 'trackback', 'webmention')`;
const channels = sql`('pingback', 'trackback', 'webmention', 'listing')`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`update conversations set linkback_count = (
      select count(*) from entries e
      where e.conversation_id = conversations.id and e.same_as_id is null and e.tombstoned_at is null
        and (e.kind in ${kinds}
          or exists (select 1 from entry_channels ch where ch.entry_id = e.id and ch.via in ${channels})
          or exists (select 1 from entries r where r.same_as_id = e.id and r.tombstoned_at is null
            and (r.kind in ${kinds} or exists (select 1 from entry_channels rc where rc.entry_id = r.id and rc.via in ${channels})))))
    where merged_into_id is null`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`update conversations set linkback_count = (
      select count(*) from entries e
      where e.conversation_id = conversations.id and e.same_as_id is null and e.tombstoned_at is null and e.kind in ${kinds})
    where merged_into_id is null`.execute(db);
}
