// `palaver group`: create a group of blogs from an OPML file and picked blogs (a line per blog of
// the list as it is registered), list groups, add and remove members. The registry does the work
// (registry/groups.ts); this module reads the command line and prints for a person.
import fs from 'node:fs/promises';
import type { OptionValues } from './cli-usage.ts';
import type { Config } from './config.ts';
import { maxGroupMembers } from './domain/groups.ts';
import { parseGroupFields } from './registry/group-input.ts';
import { addGroupMembers, createGroup, GroupError, removeGroupMember, type GroupDeps } from './registry/groups.ts';
import { importOutcomeWords, type ImportLine } from './registry/import-opml.ts';
import type { Service } from './service.ts';
import { listGroups } from './store/groups.ts';
import { defaultTimeZone } from './web/time-zone.ts';

const marks: Record<ImportLine['outcome'], string> = { registered: '✓', known: '=', failed: '✗', duplicate: '·' };

function describeLine(line: ImportLine): string {
  const where = line.url && line.url !== line.title ? ` ${line.url}` : '';
  return `${marks[line.outcome]} ${importOutcomeWords[line.outcome]}: ${line.title}${where}${line.blogId !== null ? ` [blog ${line.blogId}]` : ''}${line.outcome === 'failed' && line.reason ? ` — ${line.reason}` : ''}`;
}

/** A command line the group command cannot run, with what to type instead. */
export class GroupUsageError extends Error {}

async function create(config: Config, deps: GroupDeps, args: string[], values: OptionValues): Promise<number> {
  const [slug, ...rest] = args;
  if (!slug || rest.length) throw new GroupUsageError('group create takes the slug, then options: palaver group create blog-week --opml list.opml');
  if (!values.opml && !values.blog?.length) throw new GroupUsageError('group create needs its blogs: --opml <file> and/or --blog <id or address> (repeatable)');
  const parsed = parseGroupFields({ slug, title: values.title, description: values.description, lang: values.lang, from: values.from, to: values.to, timeZone: values['time-zone'] }, defaultTimeZone(config));
  if (!parsed.ok) throw new GroupUsageError(`Cannot create the group: ${parsed.message}`);
  let opml: string | null = null;
  if (values.opml) {
    try {
      opml = await fs.readFile(values.opml, 'utf8');
    } catch (err) {
      console.error(`Cannot read ${values.opml}: ${(err as Error).message}`);
      return 1;
    }
  }
  const result = await createGroup(deps, { fields: parsed.fields, opml, blogs: values.blog ?? [] }, {
    maxEntries: config.registry.maxImportEntries,
    hostIntervalMs: config.registry.importHostIntervalMs,
    onLine: (line, done, total) => console.log(`[${done}/${total}] ${describeLine(line)}`),
  });
  for (const p of result.picked) console.log(p.blog ? `= picked: ${p.blog.title ?? p.blog.homeUrl} [blog ${p.blog.id}]` : `✗ not picked: ${p.ref} — ${p.reason}`);
  const { group, report } = result;
  const failed = (report?.failed ?? 0) + result.picked.filter((p) => !p.blog).length;
  console.log(`Created “${group.title}” with ${result.memberCount} blog(s)${group.event ? `, ${group.event.startsOn} to ${group.event.endsOn} (${group.event.timeZone})` : ''}: ${config.publicUrl}/g/${group.slug}`);
  if (report) console.log(`From the list: ${report.registered} registered, ${report.known} already there, ${report.failed} failed, ${report.duplicates} duplicate(s) skipped.`);
  if (report?.registered) console.log('New blogs are polled by the running server, or now with: palaver poll --once');
  return failed ? 1 : 0;
}

/** Runs `palaver group <create|list|add|remove>` on a service; returns the exit code. */
export async function runGroupCommand(config: Config, service: Service, args: string[], values: OptionValues): Promise<number> {
  const deps: GroupDeps = { db: service.database.db, fetch: service.fetcher.fetch };
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case 'create':
        return await create(config, deps, rest, values);
      case 'list': {
        const groups = await listGroups(deps.db, { limit: maxGroupMembers });
        if (!groups.length) console.log('No groups yet: palaver group create <slug> --opml list.opml');
        for (const g of groups) console.log(`${g.slug}\t${g.title}\t${g.memberCount} blog(s)${g.event ? `\t${g.event.startsOn} to ${g.event.endsOn}` : ''}\t${config.publicUrl}/g/${g.slug}`);
        return 0;
      }
      case 'add': {
        const [slug, ...refs] = rest;
        if (!slug || !refs.length) throw new GroupUsageError('group add takes the slug and blogs: palaver group add blog-week 3 https://example.org/');
        const { group, picked, added } = await addGroupMembers(deps, slug, refs);
        for (const p of picked) if (!p.blog) console.log(`✗ not added: ${p.ref} — ${p.reason}`);
        console.log(`Added ${added} blog(s) to “${group.title}”.`);
        return picked.some((p) => !p.blog) ? 1 : 0;
      }
      case 'remove': {
        const [slug, ref, ...more] = rest;
        if (!slug || !ref || more.length) throw new GroupUsageError('group remove takes the slug and one blog: palaver group remove blog-week https://example.org/');
        const { group, blog, removed } = await removeGroupMember(deps, slug, ref);
        if (!blog) console.error(`${ref} is not a registered blog.`);
        else console.log(removed ? `Removed ${blog.title ?? blog.homeUrl} from “${group.title}”.` : `${blog.title ?? blog.homeUrl} is not in “${group.title}”.`);
        return removed ? 0 : 1;
      }
      default:
        throw new GroupUsageError(`group takes create, list, add or remove${sub ? `, not “${sub}”` : ''}.`);
    }
  } catch (err) {
    if (err instanceof GroupError) {
      console.error(err.message);
      return 1;
    }
    throw err;
  }
}
