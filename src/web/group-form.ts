// The form that creates a group (/groups/new), for the operator only: it may make Palaver visit
// every blog of an uploaded list, so it needs the admin session with the form's CSRF token (or
// the admin token), is counted per client, and reads the upload within fixed limits.
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { maxOpmlChars } from '../feeds/opml.ts';
import { parseGroupFields } from '../registry/group-input.ts';
import { createGroup, GroupError, type GroupDeps } from '../registry/groups.ts';
import { countBlogs, listBlogs } from '../store/blogs.ts';
import { renderGroupForm, type GroupFormValues, type GroupFormView } from '../views/group-form.ts';
import { adminAccessFor } from './admin-access.ts';
import type { AppDeps } from './deps.ts';
import { createGroupGate } from './group-gate.ts';
import { defaultTimeZone } from './time-zone.ts';

/** Registered blogs the form lists to pick from; more are named by address or id. */
const pickable = 200;
const textFields = ['csrf', 'slug', 'title', 'description', 'lang', 'from', 'to', 'timeZone', 'opml', 'blogs'] as const;

/** The form's fields as sent: text fields, picked blog ids, and the uploaded file's text. */
interface SentForm {
  fields: Partial<Record<(typeof textFields)[number], string>>;
  picked: number[];
  upload: string | null;
}

class FormTooLarge extends Error {}

function fromRecord(body: unknown): SentForm {
  const record = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const fields: SentForm['fields'] = {};
  for (const name of textFields) if (typeof record[name] === 'string') fields[name] = record[name];
  const pick = Array.isArray(record.pick) ? record.pick : record.pick === undefined ? [] : [record.pick];
  return { fields, picked: pick.map(Number).filter((n) => Number.isSafeInteger(n) && n > 0).slice(0, 1000), upload: null };
}

// Multipart (the upload): busboy stops at the limits; a file over maxOpmlChars is refused whole.
async function fromMultipart(request: FastifyRequest): Promise<SentForm> {
  const record: Record<string, unknown> = {};
  const picked: string[] = [];
  let upload: string | null = null;
  try {
    for await (const part of request.parts({ limits: { fileSize: maxOpmlChars, files: 1, fields: 1100, fieldSize: maxOpmlChars, parts: 1200 } })) {
      if (part.type === 'file') {
        const bytes = await part.toBuffer();
        if (part.fieldname === 'opmlFile' && bytes.length > 0) upload = bytes.toString('utf8');
      } else if (part.fieldname === 'pick') {
        picked.push(String(part.value));
      } else if (typeof part.value === 'string' && !(part.fieldname in record)) {
        record[part.fieldname] = part.value;
      }
    }
  } catch (err) {
    const code = (err as { code?: string }).code ?? '';
    if (/LIMIT|TOO_LARGE|TOO_MANY/.test(code)) throw new FormTooLarge(`the form is too large: an OPML list takes at most ${maxOpmlChars / 1024 / 1024} MB`);
    throw err;
  }
  return { ...fromRecord({ ...record, pick: picked }), upload };
}

function valuesOf(sent: SentForm): GroupFormValues {
  const { csrf: _csrf, ...rest } = sent.fields;
  return { ...rest, picked: sent.picked };
}

/** Registers GET and POST /groups/new. */
export async function groupFormRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const now = deps.now ?? (() => new Date());
  const access = adminAccessFor(deps);
  const gate = createGroupGate(deps);
  const limits = deps.config.registry;
  const groupDeps: GroupDeps = { db: deps.db, fetch: deps.fetch, now, ...(deps.onEntriesChanged ? { onChanged: deps.onEntriesChanged } : {}) };
  // Only this form takes multipart bodies (the plugin is encapsulated: other routes refuse them).
  await app.register(multipart);

  async function page(request: FastifyRequest, reply: FastifyReply, status: number, view: Partial<GroupFormView>) {
    const session = access.session(request);
    const registered = session ? await listBlogs(deps.db, { limit: pickable }) : [];
    const full: GroupFormView = {
      csrf: session?.csrf ?? null,
      adminEnabled: access.enabled,
      registered,
      moreRegistered: session ? (await countBlogs(deps.db)) > registered.length : false,
      defaultTimeZone: defaultTimeZone(deps.config),
      maxEntries: limits.maxImportEntries,
      ...view,
    };
    return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderGroupForm(full));
  }

  app.get('/groups/new', async (request, reply) => page(request, reply, 200, {}));

  app.post('/groups/new', { bodyLimit: 3 * maxOpmlChars }, async (request, reply) => {
    const admitted = gate.admit(request);
    if (!admitted.ok) {
      reply.header('retry-after', String(admitted.retryAfterSeconds));
      return page(request, reply, 429, { error: admitted.message });
    }
    // Who sends it is known from the headers: a stranger's body is not read at all.
    const bearer = access.hasBearerToken(request);
    if (!bearer && !access.session(request)) return page(request, reply, 401, { error: 'Creating a group needs the operator: log in at /admin with the admin token first.' });
    let sent: SentForm;
    try {
      sent = request.isMultipart() ? await fromMultipart(request) : fromRecord(request.body);
    } catch (err) {
      if (err instanceof FormTooLarge) return page(request, reply, 413, { error: err.message });
      throw err;
    }
    if (!bearer && !access.checkCsrf(request, sent.fields.csrf)) {
      return page(request, reply, 403, { error: 'This form has expired or did not come from this page; reload it and try again.', values: valuesOf(sent) });
    }
    const parsed = parseGroupFields(sent.fields, defaultTimeZone(deps.config));
    if (!parsed.ok) return page(request, reply, 400, { error: parsed.message, values: valuesOf(sent) });
    const opml = sent.upload ?? sent.fields.opml ?? null;
    const named = (sent.fields.blogs ?? '').split(/[\n,]+/).map((s) => s.trim()).filter(Boolean).slice(0, 1000);
    try {
      const result = await createGroup(groupDeps, { fields: parsed.fields, opml, blogs: [...sent.picked.map(String), ...named] }, { maxEntries: limits.maxImportEntries, hostIntervalMs: limits.importHostIntervalMs });
      if (result.report?.registered) deps.poller?.wake();
      const unpicked = result.picked.filter((p) => !p.blog).map((p) => ({ ref: p.ref, reason: p.reason ?? 'not a registered blog' }));
      return page(request, reply, 200, { created: { slug: result.group.slug, title: result.group.title, memberCount: result.memberCount, report: result.report, unpicked } });
    } catch (err) {
      if (err instanceof GroupError) return page(request, reply, err.statusCode, { error: err.message, values: valuesOf(sent) });
      throw err;
    }
  });
}
