// Making and changing groups of blogs: a group created from an OPML list (blogs not registered
// yet are registered through the OPML import, four at a time, with its report) or from blogs
// picked from the registry; members added and removed; groups deleted. Each change tells the
// feeds (WebSub) that the group's feed changed. Nothing here prints or knows about HTTP.
import type { Blog } from '../domain/models.ts';
import { maxGroupMembers, type Group } from '../domain/groups.ts';
import { urlKey } from '../domain/url-key.ts';
import type { EntriesChanged } from '../domain/vocabulary.ts';
import { findBlogById, findBlogByUrlKey, findBlogContaining } from '../store/blogs.ts';
import { countGroupMembers, deleteGroup, deleteGroupMember, findGroupBySlug, insertGroup, insertGroupMembers, touchGroup } from '../store/groups.ts';
import type { GroupFields } from './group-input.ts';
import { importOpml, OpmlError, type ImportOptions, type ImportReport } from './import-opml.ts';
import type { RegisterDeps } from './register-blog.ts';

export type GroupErrorCode = 'invalid-request' | 'invalid-opml' | 'slug-taken' | 'not-found' | 'too-many-members';

/** A group operation that cannot be done, with the HTTP status an API answers it with. */
export class GroupError extends Error {
  readonly statusCode: 400 | 404 | 409 | 422;
  constructor(
    readonly code: GroupErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'GroupError';
    this.statusCode = code === 'not-found' ? 404 : code === 'slug-taken' ? 409 : code === 'invalid-request' ? 400 : 422;
  }
}

export interface GroupDeps extends RegisterDeps {
  /** Told when a group's members change, so its feeds are pushed (WebSub). */
  onChanged?: (change: EntriesChanged) => void;
}

/** A blog named by id or address, and what it turned out to be. */
export interface PickedBlog {
  /** As given: an id or an address. */
  ref: string;
  blog: Blog | null;
  /** Why it could not be picked (not registered), in plain words. */
  reason: string | null;
}

export interface CreateGroupResult {
  group: Group;
  /** The OPML import's report, when the group came from a list. */
  report: ImportReport | null;
  picked: PickedBlog[];
  memberCount: number;
}

/** How the OPML import of a new group runs (the registry's limits). */
export type GroupImportOptions = Pick<ImportOptions, 'maxEntries' | 'hostIntervalMs' | 'onLine'>;

function changedGroup(slug: string): EntriesChanged {
  return { entryIds: [], conversationIds: [], blogIds: [], groupSlugs: [slug] };
}

/** Finds a registered blog by its id or by an address (its home page, a page under it, or its host as typed). */
export async function findBlogByRef(deps: Pick<RegisterDeps, 'db'>, ref: string): Promise<Blog | undefined> {
  const text = ref.trim();
  if (/^\d{1,15}$/.test(text)) return findBlogById(deps.db, Number(text));
  const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  const key = urlKey(url);
  return (key ? await findBlogByUrlKey(deps.db, key) : undefined) ?? findBlogContaining(deps.db, url);
}

async function pick(deps: Pick<RegisterDeps, 'db'>, refs: string[]): Promise<PickedBlog[]> {
  const picked: PickedBlog[] = [];
  for (const ref of refs.map((r) => r.trim()).filter(Boolean)) {
    const blog = (await findBlogByRef(deps, ref)) ?? null;
    picked.push({ ref, blog, reason: blog ? null : 'not a registered blog (register it first: palaver add <address>, or list it in the OPML)' });
  }
  return picked;
}

async function requireGroup(deps: Pick<RegisterDeps, 'db'>, slug: string): Promise<Group> {
  const group = await findGroupBySlug(deps.db, slug);
  if (!group) throw new GroupError('not-found', `There is no group “${slug}”.`);
  return group;
}

function tooMany(count: number): GroupError {
  return new GroupError('too-many-members', `a group holds at most ${maxGroupMembers.toLocaleString('en')} blogs; this one would hold ${count.toLocaleString('en')}`);
}

/**
 * Creates a group from an OPML list (its blogs registered as needed, failures reported, not
 * fatal) and from registered blogs picked by id or address. The title is the one given, else the
 * list's own title, else the slug.
 */
export async function createGroup(deps: GroupDeps, input: { fields: GroupFields; opml?: string | null; blogs?: string[] }, options: GroupImportOptions = {}): Promise<CreateGroupResult> {
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  const { fields } = input;
  if (await findGroupBySlug(deps.db, fields.slug)) throw new GroupError('slug-taken', `There is already a group “${fields.slug}”.`);
  let report: ImportReport | null = null;
  if (input.opml != null && input.opml.trim() !== '') {
    try {
      report = await importOpml(deps, input.opml, options);
    } catch (err) {
      if (err instanceof OpmlError) throw new GroupError('invalid-opml', err.message);
      throw err;
    }
  }
  const picked = await pick(deps, input.blogs ?? []);
  const blogIds = [...new Set([...(report?.lines ?? []).map((l) => l.blogId), ...picked.map((p) => p.blog?.id ?? null)].filter((id): id is number => id !== null))];
  if (blogIds.length > maxGroupMembers) throw tooMany(blogIds.length);
  const title = fields.title ?? (report?.listTitle?.trim() || null) ?? fields.slug;
  let group: Group;
  try {
    group = await deps.db.transaction().execute(async (trx) => {
      const created = await insertGroup(trx, { ...fields, title: title.slice(0, 200) }, now());
      await insertGroupMembers(trx, created.id, blogIds, now());
      return created;
    });
  } catch (err) {
    // Another request took the slug since the check above.
    if (await findGroupBySlug(deps.db, fields.slug)) throw new GroupError('slug-taken', `There is already a group “${fields.slug}”.`);
    throw err;
  }
  deps.onChanged?.(changedGroup(group.slug));
  return { group, report, picked, memberCount: blogIds.length };
}

/** Adds registered blogs (by id or address) to a group; those not registered come back with the reason. */
export async function addGroupMembers(deps: GroupDeps, slug: string, refs: string[]): Promise<{ group: Group; picked: PickedBlog[]; added: number }> {
  const group = await requireGroup(deps, slug);
  const picked = await pick(deps, refs);
  const ids = picked.map((p) => p.blog?.id).filter((id): id is number => id !== undefined);
  const count = (await countGroupMembers(deps.db, group.id)) + ids.length;
  if (count > maxGroupMembers) throw tooMany(count);
  const at = (deps.now ?? (() => new Date()))().toISOString();
  const added = await insertGroupMembers(deps.db, group.id, ids, at);
  if (added > 0) {
    await touchGroup(deps.db, group.id, at);
    deps.onChanged?.(changedGroup(group.slug));
  }
  return { group, picked, added };
}

/** Removes a blog (by id or address) from a group; false when it was not a member. */
export async function removeGroupMember(deps: GroupDeps, slug: string, ref: string): Promise<{ group: Group; blog: Blog | null; removed: boolean }> {
  const group = await requireGroup(deps, slug);
  const blog = (await findBlogByRef(deps, ref)) ?? null;
  if (!blog) return { group, blog, removed: false };
  const removed = await deleteGroupMember(deps.db, group.id, blog.id);
  if (removed) {
    await touchGroup(deps.db, group.id, (deps.now ?? (() => new Date()))().toISOString());
    deps.onChanged?.(changedGroup(group.slug));
  }
  return { group, blog, removed };
}

/** Deletes a group (its blogs stay registered). */
export async function deleteGroupBySlug(deps: GroupDeps, slug: string): Promise<Group> {
  const group = await requireGroup(deps, slug);
  await deleteGroup(deps.db, group.id);
  return group;
}
