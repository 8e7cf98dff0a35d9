// What drafting makes of real feeds, to compare two builds of the reader: every item of every
// document of the shared corpus, of test/fixtures/feeds and of the WordPress farm, drafted as a
// post and as a comment, with its relations (links), search text and hashes. Not a timing.
//   node --import tsx bench/draft-outputs.ts --write out.jsonl    (on one build)
//   node --import tsx bench/draft-outputs.ts --check out.jsonl    (on the other: exit 1 on any difference)
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { EntryKind } from '../src/domain/vocabulary.ts';
import { draftEntry, itemHashOf } from '../src/reader/entry-draft.ts';
import { readFeedHere } from '../src/reader/read-feed.ts';
import { decideEntry } from '../src/threading/entry-record.ts';
import { relationsOf } from '../src/threading/relations.ts';
import { startWordPressFarm } from './wordpress-farm.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const now = new Date('2026-12-01T00:00:00Z');

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...filesUnder(full));
    else if (!name.endsWith('.md') && !name.endsWith('manifest.json') && name !== 'LICENSES') out.push(full);
  }
  return out;
}

async function linesOf(label: string, body: Buffer, url: string): Promise<string[]> {
  let items;
  try {
    items = (await readFeedHere(body, null, url)).items;
  } catch (err) {
    return [JSON.stringify({ label, error: (err as Error).message })];
  }
  const lines: string[] = [];
  items.forEach((item, i) => {
    for (const kind of ['post', 'comment'] as EntryKind[]) {
      const draft = draftEntry(item, kind, now);
      const relations = relationsOf(draft, { via: kind === 'post' ? 'feed' : 'comment-feed', post: null, inReplyTo: item.inReplyTo });
      const decision = decideEntry(draft, relations, undefined);
      const pinged = decideEntry(draft, relations, { kind: 'pingback', sourceKey: 'example.org/ping', authorUrl: 'https://example.org/ping' });
      // What threading and the store receive; not how the reader carried it there.
      const { kind: relationKind, sourceKey, sourceUrl, relations: edges, isRoundup } = relations;
      lines.push(JSON.stringify({ label, i, kind, draft, relations: { relationKind, sourceKey, sourceUrl, edges, isRoundup }, decision, pinged, itemHash: itemHashOf(item, kind, 'feed:', now) }));
    }
  });
  return lines;
}

async function allLines(): Promise<{ lines: string[]; documents: number }> {
  const lines: string[] = [];
  let documents = 0;
  for (const dir of [path.resolve(root, '../shared/corpus'), path.join(root, 'test/fixtures/feeds')]) {
    for (const file of filesUnder(dir)) {
      documents += 1;
      lines.push(...(await linesOf(path.relative(path.dirname(dir), file), readFileSync(file), 'https://corpus.example.net/feed')));
    }
  }
  const farm = await startWordPressFarm(20);
  try {
    for (const url of farm.feedUrls) {
      documents += 1;
      // The farm's port changes from run to run; its dates only from day to day.
      const origin = new URL(url).origin;
      const text = (await (await fetch(url)).text()).replaceAll(origin, 'http://farm.example.net');
      lines.push(...(await linesOf(new URL(url).pathname, Buffer.from(text), url.replace(origin, 'http://farm.example.net'))));
    }
  } finally {
    await farm.close();
  }
  return { lines, documents };
}

const { values } = parseArgs({ options: { write: { type: 'string' }, check: { type: 'string' } } });
const { lines, documents } = await allLines();
const drafts = lines.filter((l) => !l.includes('"error":')).length;
if (values.write) {
  writeFileSync(values.write, `${lines.join('\n')}\n`);
  console.log(`${documents} documents, ${drafts} drafts written to ${values.write}`);
} else if (values.check) {
  const before = readFileSync(values.check, 'utf8').split('\n').filter(Boolean);
  let differ = 0;
  for (let i = 0; i < Math.max(before.length, lines.length); i++) {
    if (before[i] === lines[i]) continue;
    differ += 1;
    if (differ <= 5) console.log(`differs: ${(lines[i] ?? before[i] ?? '').slice(0, 160)}`);
  }
  console.log(`${documents} documents, ${drafts} drafts compared (${before.length} lines before, ${lines.length} now): ${differ} differ`);
  process.exitCode = differ === 0 && before.length === lines.length ? 0 : 1;
} else {
  console.error('usage: draft-outputs.ts --write <file> | --check <file>');
  process.exitCode = 2;
}
