// The OPML import over the web (/blogs/import), for the operator only: it makes Palaver fetch
// a dozen pages per listed blog, so it needs the admin session (with the form's CSRF token) or
// the admin token, takes at most registry.maxImportEntries blogs, and spreads the requests to
// each host over time. The CLI's import-opml stays open to whoever runs it.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from './deps.ts';
import { importOpml, OpmlError } from '../registry/import-opml.ts';
import { renderOpmlImport } from '../views/opml-import.ts';
import { adminAccessFor } from './admin-access.ts';

const importBody = z.object({ opml: z.string(), csrf: z.string().optional() });

/** Registers GET and POST /blogs/import. */
export async function opmlImportRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const now = deps.now ?? (() => new Date());
  const access = adminAccessFor(deps);
  const limits = deps.config.registry;

  app.get('/blogs/import', async (request, reply) => {
    const session = access.session(request);
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(renderOpmlImport({ csrf: session?.csrf ?? null, adminEnabled: access.enabled, maxEntries: limits.maxImportEntries }));
  });

  // A pasted list may be a few hundred blogs; parseOpml caps it at maxOpmlChars.
  app.post('/blogs/import', { bodyLimit: 3 * 1024 * 1024 }, async (request, reply) => {
    const parsed = importBody.safeParse(request.body);
    const session = access.session(request);
    const page = (status: number, view: Omit<Parameters<typeof renderOpmlImport>[0], 'csrf' | 'adminEnabled' | 'maxEntries'>) =>
      reply
        .status(status)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(renderOpmlImport({ ...view, csrf: session?.csrf ?? null, adminEnabled: access.enabled, maxEntries: limits.maxImportEntries }));
    if (!access.hasBearerToken(request)) {
      if (!session) return page(401, { error: 'Importing a list needs the operator: log in at /admin with the admin token first.' });
      if (!access.checkCsrf(request, parsed.success ? parsed.data.csrf : undefined)) {
        return page(403, { error: 'This form has expired or did not come from this page; reload it and try again.' });
      }
    }
    const text = parsed.success ? parsed.data.opml : '';
    if (!text.trim()) return page(400, { error: 'Paste an OPML document into the field.' });
    try {
      const report = await importOpml({ db: deps.db, fetch: deps.fetch, now }, text, { maxEntries: limits.maxImportEntries, hostIntervalMs: limits.importHostIntervalMs });
      if (report.registered) deps.poller?.wake();
      return page(200, { report });
    } catch (err) {
      if (err instanceof OpmlError) return page(422, { text, error: err.message });
      throw err;
    }
  });
}
