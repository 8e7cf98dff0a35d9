// The layering of src/ is enforced, not only described: the lint rules of eslint.config.js
// refuse an import across a layer, the type-aware rules a promise nobody handles, and no module
// of src/ imports itself through a cycle.
import fs from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/config.ts';

const src = path.join(projectRoot, 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** Every module of src/ with the modules of src/ it imports (type-only and dynamic imports included). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(src)) {
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles.map((i) => i.fileName).filter((f) => f.startsWith('.')).map((f) => path.resolve(path.dirname(file), f));
    graph.set(file, targets.filter((t) => t.startsWith(src)));
  }
  return graph;
}

/** Finds the import cycles of a graph (its strongly connected groups of more than one module, or a module importing itself). */
function findCycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string) => {
    indexOf.set(v, index);
    low.set(v, index);
    index += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
    }
    if (low.get(v) === indexOf.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(path.relative(projectRoot, w));
      } while (w !== v);
      if (group.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(group);
    }
  };
  for (const v of graph.keys()) if (!indexOf.has(v)) visit(v);
  return cycles;
}

describe('the import graph of src/', () => {
  it('has no cycles', () => {
    expect(findCycles(importGraph())).toEqual([]);
  });

  it('would show a cycle if there were one', () => {
    const a = path.join(src, 'a.ts');
    const b = path.join(src, 'b.ts');
    expect(findCycles(new Map([[a, [b]], [b, [a]]]))).toEqual([['src/b.ts', 'src/a.ts']]);
  });
});

describe('the lint rules', () => {
  let eslint: ESLint;
  // The type-aware rules start a TypeScript project service on the first file: slow, once.
  beforeAll(async () => {
    eslint = new ESLint({ cwd: projectRoot });
    await eslint.lintText('export {};\n', { filePath: path.join(src, 'domain', 'rank.ts') });
  }, 180_000);

  async function problems(file: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath: path.join(projectRoot, file) });
    return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
  }

  it.each([
    ['src/reader/decode.ts', "import { findBlogById } from '../store/blogs.ts';\nexport const x = findBlogById;\n"],
    ['src/reader/decode.ts', "import type { FastifyInstance } from 'fastify';\nexport type X = FastifyInstance;\n"],
    ['src/threading/roundup.ts', "import type { Db } from '../db/open.ts';\nexport type X = Db;\n"],
    ['src/threading/roundup.ts', "import { recordEntry } from '../ingest/record-entry.ts';\nexport const x = recordEntry;\n"],
    ['src/views/home.ts', "import { listConversations } from '../store/conversations.ts';\nexport const x = listConversations;\n"],
    ['src/store/blogs.ts', "import { decideEntry } from '../threading/entry-record.ts';\nexport const x = decideEntry;\n"],
    ['src/store/blogs.ts', "import { sanitizeHtml } from '../reader/sanitize.ts';\nexport const x = sanitizeHtml;\n"],
    ['src/domain/models.ts', "import type { Db } from '../db/open.ts';\nexport type X = Db;\n"],
    ['src/inbound/intake.ts', "import { HttpError } from '../web/errors.ts';\nexport const x = HttpError;\n"],
  ])('refuses in %s: %s', { timeout: 60_000 }, async (file, code) => {
    const found = await problems(file, code);
    expect(found.some((p) => p.startsWith('no-restricted-imports:')), found.join('\n')).toBe(true);
  });

  it('lets each layer import what it may', { timeout: 60_000 }, async () => {
    expect(await problems('src/store/blogs.ts', "import type { Db } from '../db/open.ts';\nimport type { Blog } from '../domain/models.ts';\nexport type X = [Db, Blog];\n")).toEqual([]);
    expect(await problems('src/threading/roundup.ts', "import { htmlToText } from '../reader/sanitize.ts';\nexport const x = htmlToText;\n")).toEqual([]);
  });

  it('refuses a promise nobody awaits or handles', { timeout: 60_000 }, async () => {
    const found = await problems('src/poller/schedule.ts', 'async function work(): Promise<void> {}\nexport function start(): void {\n  work();\n}\n');
    expect(found.some((p) => p.startsWith('@typescript-eslint/no-floating-promises:')), found.join('\n')).toBe(true);
  });
});
