// store: groups of blogs and who belongs to them. What a group shows (its conversations, its
// days) is store/group-conversations.ts; this module holds the groups and members tables only.
import type { Selectable } from 'kysely';
import type { Db } from '../db/open.ts';
import type { GroupsTable } from '../db/schema.ts';
import type { Group, GroupSummary, NewGroup } from '../domain/groups.ts';
import type { Blog } from '../domain/models.ts';
import { toBlog } from './blogs.ts';

function toGroup(row: Selectable<GroupsTable>): Group {
  const event =
    row.starts_on && row.ends_on && row.time_zone && row.starts_at && row.ends_at
      ? { startsOn: row.starts_on, endsOn: row.ends_on, timeZone: row.time_zone, startsAt: row.starts_at, endsAt: row.ends_at }
      : null;
  return { id: row.id, slug: row.slug, title: row.title, description: row.description, lang: row.lang, event, createdAt: row.created_at, updatedAt: row.updated_at };
}

/** Inserts a group; the caller has made sure the slug is free (a race fails on the unique slug). */
export async function insertGroup(db: Db, group: NewGroup, now: string): Promise<Group> {
  const row = await db
    .insertInto('groups')
    .values({
      slug: group.slug,
      title: group.title,
      description: group.description,
      lang: group.lang,
      starts_on: group.event?.startsOn ?? null,
      ends_on: group.event?.endsOn ?? null,
      time_zone: group.event?.timeZone ?? null,
      starts_at: group.event?.startsAt ?? null,
      ends_at: group.event?.endsAt ?? null,
      created_at: now,
      updated_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toGroup(row);
}

/** Finds a group by its slug. */
export async function findGroupBySlug(db: Db, slug: string): Promise<Group | undefined> {
  const row = await db.selectFrom('groups').selectAll().where('slug', '=', slug).executeTakeFirst();
  return row ? toGroup(row) : undefined;
}

/** Lists groups, newest first, with their member counts; with `beforeId`, the page after that group. */
export async function listGroups(db: Db, options: { limit: number; beforeId?: number }): Promise<GroupSummary[]> {
  let q = db
    .selectFrom('groups')
    .selectAll('groups')
    .select((eb) => eb.selectFrom('group_members').select(eb.fn.countAll<number>().as('n')).whereRef('group_members.group_id', '=', 'groups.id').as('member_count'))
    .orderBy('groups.id', 'desc')
    .limit(options.limit);
  if (options.beforeId !== undefined) q = q.where('groups.id', '<', options.beforeId);
  const rows = await q.execute();
  return rows.map((r) => ({ ...toGroup(r), memberCount: Number(r.member_count ?? 0) }));
}

/** Counts groups. */
export async function countGroups(db: Db): Promise<number> {
  const row = await db.selectFrom('groups').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Deletes a group and its memberships (the blogs stay registered). */
export async function deleteGroup(db: Db, id: number): Promise<boolean> {
  const result = await db.deleteFrom('groups').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Marks a group changed (its members), so its pages and feeds are rendered anew. */
export async function touchGroup(db: Db, id: number, now: string): Promise<void> {
  await db.updateTable('groups').set({ updated_at: now }).where('id', '=', id).execute();
}

/** Adds blogs to a group; blogs already in it stay as they were. Returns how many joined now. */
export async function insertGroupMembers(db: Db, groupId: number, blogIds: number[], now: string): Promise<number> {
  const ids = [...new Set(blogIds)];
  if (ids.length === 0) return 0;
  let added = 0;
  // In slices, well under the bound variables a statement may carry.
  for (let i = 0; i < ids.length; i += 200) {
    // RETURNING lists only the rows inserted, on SQLite and PostgreSQL alike.
    const inserted = await db
      .insertInto('group_members')
      .values(ids.slice(i, i + 200).map((blogId) => ({ group_id: groupId, blog_id: blogId, added_at: now })))
      .onConflict((oc) => oc.columns(['group_id', 'blog_id']).doNothing())
      .returning('blog_id')
      .execute();
    added += inserted.length;
  }
  return added;
}

/** Removes a blog from a group; false when it was not in it. */
export async function deleteGroupMember(db: Db, groupId: number, blogId: number): Promise<boolean> {
  const result = await db.deleteFrom('group_members').where('group_id', '=', groupId).where('blog_id', '=', blogId).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Lists the blogs of a group, by title, a page at a time (`limit` from `offset`). */
export async function listGroupMembers(db: Db, groupId: number, page: { limit: number; offset?: number }): Promise<Blog[]> {
  const rows = await db
    .selectFrom('group_members')
    .innerJoin('blogs', 'blogs.id', 'group_members.blog_id')
    .selectAll('blogs')
    .where('group_members.group_id', '=', groupId)
    .orderBy('blogs.title')
    .orderBy('blogs.id')
    .limit(page.limit)
    .offset(page.offset ?? 0)
    .execute();
  return rows.map(toBlog);
}

/** The groups a blog belongs to, by title; at most `limit` (a blog's page names a few). */
export async function listGroupsOfBlog(db: Db, blogId: number, limit: number): Promise<Group[]> {
  const rows = await db
    .selectFrom('group_members')
    .innerJoin('groups', 'groups.id', 'group_members.group_id')
    .selectAll('groups')
    .where('group_members.blog_id', '=', blogId)
    .orderBy('groups.title')
    .orderBy('groups.id')
    .limit(limit)
    .execute();
  return rows.map(toGroup);
}

/** Counts the blogs of a group. */
export async function countGroupMembers(db: Db, groupId: number): Promise<number> {
  const row = await db.selectFrom('group_members').select((eb) => eb.fn.countAll<number>().as('n')).where('group_id', '=', groupId).executeTakeFirstOrThrow();
  return Number(row.n);
}
