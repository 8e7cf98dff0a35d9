// Importing an OPML list of blogs: each outline registered through registerBlog (by its feed,
// falling back to its home page), a few at a time, one result per outline. One bad outline
// never stops the rest; nothing here prints or knows about HTTP.
import { OpmlError } from '../feeds/opml.ts';
import { readOpml, type FeedReader } from '../reader/read-feed.ts';
import { paceByHost } from './host-pacer.ts';
import { registerBlog, type RegisterDeps } from './register-blog.ts';

export type ImportOutcome = 'registered' | 'known' | 'failed' | 'duplicate';

/** How a person is told the outcome of a line, on the import page and in the terminal alike. */
export const importOutcomeWords: Record<ImportOutcome, string> = {
  registered: 'registered',
  known: 'already there',
  failed: 'failed',
  duplicate: 'duplicate, skipped',
};

export interface ImportLine {
  /** The outline's title, or its URL when it has none. */
  title: string;
  /** The URL registered, or the one that failed. */
  url: string | null;
  outcome: ImportOutcome;
  blogId: number | null;
  blogTitle: string | null;
  /** Why it failed, in plain words. */
  reason: string | null;
}

export interface ImportReport {
  /** The list's own title (OPML head/title). */
  listTitle: string | null;
  /** Document order: the usable outlines, then outlines that could not be used, then duplicates. */
  lines: ImportLine[];
  registered: number;
  known: number;
  failed: number;
  duplicates: number;
}

export interface ImportOptions {
  /** Registrations at once; discovery fetches a few pages per blog. */
  concurrency?: number;
  /** Called as each outline is done, in the order they finish. */
  onLine?: (line: ImportLine, done: number, total: number) => void;
  /** Blogs one import may name (registry.maxImportEntries); a longer list is refused whole. */
  maxEntries?: number;
  /** Discovery requests to one host start at least this far apart (registry.importHostIntervalMs). */
  hostIntervalMs?: number;
}

/** The list names more blogs than one import takes. */
export class ImportTooLargeError extends OpmlError {
  constructor(message: string) {
    super(message);
    this.name = 'ImportTooLargeError';
  }
}

export const defaultImportConcurrency = 4;

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Imports the blogs of an OPML document. Throws OpmlError only when the document is not OPML
 * at all; bad outlines, unreachable or feedless addresses and duplicates become lines.
 */
export async function importOpml(deps: RegisterDeps & { reader?: Pick<FeedReader, 'readOpml'> }, text: string, options: ImportOptions = {}): Promise<ImportReport> {
  const parsed = await readOpml(text, deps.reader);
  if (options.maxEntries !== undefined && parsed.outlines.length > options.maxEntries) {
    throw new ImportTooLargeError(
      `the list names ${parsed.outlines.length.toLocaleString('en')} blogs; one import takes at most ${options.maxEntries.toLocaleString('en')} (registry.maxImportEntries): split the list`,
    );
  }
  // Outlines naming one site many times must not turn into a burst of requests against it.
  const register = options.hostIntervalMs ? { ...deps, fetch: paceByHost(deps.fetch, options.hostIntervalMs) } : deps;
  const concurrency = Math.max(1, options.concurrency ?? defaultImportConcurrency);
  const outlineErrors: ImportLine[] = parsed.errors.map((message) => {
    const split = message.indexOf(': ');
    return {
      title: split > 0 ? message.slice(0, split).replace(/^"|"$/g, '') : message,
      url: null,
      outcome: 'failed',
      blogId: null,
      blogTitle: null,
      reason: split > 0 ? message.slice(split + 2) : message,
    };
  });
  const duplicates: ImportLine[] = parsed.duplicates.map((url) => ({
    title: url,
    url,
    outcome: 'duplicate',
    blogId: null,
    blogTitle: null,
    reason: 'named earlier in the list',
  }));
  const total = parsed.outlines.length + outlineErrors.length + duplicates.length;
  let done = 0;
  const report = (line: ImportLine) => {
    done += 1;
    options.onLine?.(line, done, total);
  };
  for (const line of [...outlineErrors, ...duplicates]) report(line);

  const results: ImportLine[] = new Array<ImportLine>(parsed.outlines.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < parsed.outlines.length; i = next++) {
      const outline = parsed.outlines[i]!;
      // A feed URL names the blog exactly; the home page is the fallback when the feed moved.
      const candidates = [outline.xmlUrl, outline.htmlUrl].filter((u, k, all): u is string => !!u && all.indexOf(u) === k);
      const reasons: string[] = [];
      let line: ImportLine | null = null;
      for (const url of candidates) {
        try {
          const { blog, created } = await registerBlog(register, url);
          line = { title: outline.title, url, outcome: created ? 'registered' : 'known', blogId: blog.id, blogTitle: blog.title, reason: null };
          break;
        } catch (err) {
          reasons.push(candidates.length > 1 ? `${url}: ${reasonOf(err)}` : reasonOf(err));
        }
      }
      line ??= { title: outline.title, url: candidates[0] ?? null, outcome: 'failed', blogId: null, blogTitle: null, reason: reasons.join('; ') };
      results[i] = line;
      report(line);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, parsed.outlines.length) }, worker));

  const lines = [...results, ...outlineErrors, ...duplicates];
  return {
    listTitle: parsed.title,
    lines,
    registered: lines.filter((l) => l.outcome === 'registered').length,
    known: lines.filter((l) => l.outcome === 'known').length,
    failed: lines.filter((l) => l.outcome === 'failed').length,
    duplicates: duplicates.length,
  };
}

export { OpmlError };
