// Ping benchmarks: acceptance latency (p50/p99) of the three endpoints under concurrent load,
// against a bare Fastify route answering the same status, and verification throughput against
// loopback source pages, against plain fetches of the same pages at the same concurrency.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { buildApp } from '../src/app.ts';
import { validateConfig } from '../src/config.ts';
import { migrateToLatest } from '../src/db/migrate.ts';
import { openDatabase } from '../src/db/open.ts';
import { startFixtureServer } from '../src/demo/fixture-server.ts';
import { createPingVerifier } from '../src/poller/ping-verifier.ts';
import { draftEntry } from '../src/reader/entry-draft.ts';
import { createFetcher } from '../src/reader/fetcher.ts';
import { insertBlog } from '../src/store/blogs.ts';
import { upsertPing } from '../src/store/pings.ts';
import { recordEntry } from '../src/ingest/record-entry.ts';
import { relationsOf } from '../src/threading/relations.ts';
import { serializeMethodCall } from '../src/xmlrpc/codec.ts';
import defaults from '../config/default.json' with { type: 'json' };
import type { Figure } from './poll.ts';

const silent = { info: () => {}, warn: () => {}, error: () => {} };
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function load(base: string, requests: number, concurrency: number, make: (i: number) => { path: string; type: string; body: string }): Promise<number[]> {
  const times: number[] = [];
  let next = 0;
  const worker = async () => {
    while (next < requests) {
      const i = next++;
      const r = make(i);
      const started = process.hrtime.bigint();
      const res = await fetch(`${base}${r.path}`, { method: 'POST', headers: { 'content-type': r.type }, body: r.body });
      await res.arrayBuffer();
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return times;
}

/** Measures the ping endpoints and the verifier. */
export async function benchPings(options: { requests: number; concurrency: number; verifications: number }): Promise<Figure[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'palaver-bench-'));
  const database = openDatabase(path.join(dir, 'pings.db'));
  await migrateToLatest(database.db);
  const site = await startFixtureServer();
  const targetUrl = 'http://planetsab.example/2008/11/exkurs/';
  const config = validateConfig({
    ...defaults,
    databasePath: ':memory:',
    logLevel: 'silent',
    publicUrl: 'http://palaver.example',
    pings: { ...defaults.pings, moderation: 'open', perClientPerMinute: 1e9, perSourceHostPerMinute: 1e9, queueCapacity: 1e9 },
    fetcher: { ...defaults.fetcher, allowPrivateNetworks: true },
  });
  const fetcher = createFetcher({ ...config.fetcher, userAgent: 'Palaver-bench', perHostConcurrency: 64 });
  const at = new Date().toISOString();
  const blog = await insertBlog(database.db, { homeUrl: 'http://planetsab.example/', urlKey: 'planetsab.example', title: 'planetsab', description: null, pingbackEndpoint: null, webmentionEndpoint: null, rsdUrl: null, trackbackPingUrl: null, discoveryNotes: [] }, at);
  const draft = draftEntry(
    { guid: targetUrl, url: targetUrl, title: 'Exkurs', authorName: null, authorUrl: null, contentHtml: '<p>x</p>', summaryHtml: null, publishedAt: at, updatedAt: null, commentsPageUrl: null, commentFeeds: [], commentCount: null, inReplyTo: [], trackbackPingUrl: null, baseUrl: targetUrl, lang: null },
    'post',
  );
  const target = await recordEntry(database.db, { blogId: blog.id, draft, via: 'feed', relations: relationsOf(draft, { via: 'feed', post: null, inReplyTo: [] }) }, at);
  const page = `<html><head><title>Antwort</title></head><body><p>Zum <a href="${targetUrl}">Exkurs</a> von planetsab, mit etwas Text drumherum.</p></body></html>`;
  const route = { headers: { 'content-type': 'text/html; charset=utf-8' }, body: page };
  for (let i = 0; i < Math.max(options.requests, options.verifications); i++) {
    site.set(`/pb/${i}`, route);
    site.set(`/v/${i}`, route);
  }

  // Acceptance only: verification is measured on its own below.
  const app = await buildApp({ config, db: database.db, fetch: fetcher.fetch });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const baseline = Fastify({ logger: false });
  baseline.post('/*', async (_req, reply) => reply.status(201).type('text/plain').send('ok'));
  const baselineBase = await baseline.listen({ port: 0, host: '127.0.0.1' });

  const form = 'application/x-www-form-urlencoded';
  const endpoints: { name: string; make: (i: number) => { path: string; type: string; body: string } }[] = [
    { name: 'webmention', make: (i) => ({ path: '/webmention', type: form, body: `source=${encodeURIComponent(`http://s${i}.example/p`)}&target=${encodeURIComponent(targetUrl)}` }) },
    { name: 'trackback', make: (i) => ({ path: `/trackback/${target.id}`, type: `${form}; charset=utf-8`, body: `url=${encodeURIComponent(`http://t${i}.example/p`)}&title=Antwort&blog_name=Blog` }) },
  ];
  const figures: Figure[] = [];
  try {
    const baselineTimes = await load(baselineBase, options.requests, options.concurrency, (i) => endpoints[0]!.make(i));
    for (const e of endpoints) {
      const times = await load(base, options.requests, options.concurrency, e.make);
      figures.push({ name: `${e.name} accepted, p50`, value: percentile(times, 50), baseline: percentile(baselineTimes, 50), unit: 'ms', higherIsBetter: false });
      figures.push({ name: `${e.name} accepted, p99`, value: percentile(times, 99), baseline: percentile(baselineTimes, 99), unit: 'ms', higherIsBetter: false });
    }
    // Pingback answers after verifying the source, so its latency includes one fetch.
    const pingTimes = await load(base, Math.min(options.requests, 500), options.concurrency, (i) => ({
      path: '/xmlrpc',
      type: 'text/xml',
      body: serializeMethodCall('pingback.ping', [`${site.origin}/pb/${i}`, targetUrl]),
    }));
    figures.push({ name: 'pingback verified and answered, p50', value: percentile(pingTimes, 50), baseline: null, unit: 'ms', higherIsBetter: false });
    figures.push({ name: 'pingback verified and answered, p99', value: percentile(pingTimes, 99), baseline: null, unit: 'ms', higherIsBetter: false, note: `${options.requests} requests per endpoint, ${options.concurrency} at a time from this process; baseline: a bare Fastify POST route answering 201` });

    // Verification throughput: queued pings to loopback sources, against plain fetches of them.
    await database.db.deleteFrom('pings').execute();
    for (let i = 0; i < options.verifications; i++) {
      await upsertPing(database.db, { protocol: 'webmention', receivedVia: 'endpoint', sourceUrl: `${site.origin}/v/${i}`, targetUrl, targetEntryId: target.id }, at);
    }
    const verifier = createPingVerifier({ db: database.db, fetch: fetcher.fetch, log: silent, settings: { concurrency: config.pings.verifyConcurrency, moderation: 'open', maxAttempts: 3, tickSeconds: 60 } });
    let started = process.hrtime.bigint();
    const counts = await verifier.runOnce();
    const verifySeconds = Number(process.hrtime.bigint() - started) / 1e9;
    started = process.hrtime.bigint();
    let next = 0;
    await Promise.all(
      Array.from({ length: config.pings.verifyConcurrency }, async () => {
        while (next < options.verifications) {
          const res = await fetch(`${site.origin}/v/${next++}`);
          await res.text();
        }
      }),
    );
    const fetchSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    figures.push({
      name: 'ping verification throughput',
      value: counts.accepted / verifySeconds,
      baseline: options.verifications / fetchSeconds,
      unit: 'pings/s',
      higherIsBetter: true,
      note: `${options.verifications} queued webmentions to loopback sources, ${counts.accepted} accepted, concurrency ${config.pings.verifyConcurrency}; baseline: fetching the same pages at that concurrency`,
    });
  } finally {
    await app.close();
    await baseline.close();
    await fetcher.close();
    await site.close();
    await database.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return figures;
}
