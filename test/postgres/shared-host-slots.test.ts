// The per-host limit shared by processes through PostgreSQL (src/store/shared-limits.ts; npm run
// test:pg only): requests waiting while another process holds a host's slots ask the database one
// at a time, never more requests than the limit hold slots over all processes, and a waiter that
// gives up leaves the line.
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/postgres.ts';
import type { Db } from '../../src/db/open.ts';
import { createHostLimiter } from '../../src/reader/host-limiter.ts';
import { releaseHostSlot, takeHostSlot } from '../../src/store/dialect.ts';
import { createSharedHostSlots } from '../../src/store/shared-limits.ts';
import { createPostgresTestDatabase, testPostgresUrl } from '../support/postgres.ts';

const adminUrl = testPostgresUrl()!;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function database(): Promise<Db> {
  const created = await createPostgresTestDatabase(adminUrl);
  cleanups.push(created.drop);
  const opened = openPostgres(created.url, { poolSize: 4 });
  cleanups.push(() => opened.close());
  return opened.db;
}

/** The same database, counting the statements sent through it. */
function counting(db: Db): { db: Db; statements(): number } {
  let n = 0;
  const counted = db.withPlugin({
    transformQuery: (args) => {
      n += 1;
      return args.node;
    },
    transformResult: async (args) => args.result,
  });
  return { db: counted, statements: () => n };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const host = 'blogs.example:80';
const limit = 4;

describe('host slots shared through PostgreSQL', () => {
  it('asks the database for one waiting request at a time while another process holds every slot of the host', async () => {
    const db = await database();
    const t = new Date();
    const until = new Date(t.getTime() + 60_000).toISOString();
    // Another process holds every slot of the host.
    for (let i = 0; i < limit; i++) expect(await takeHostSlot(db, host, limit, 'other', t.toISOString(), until)).toBe(i);

    const counted = counting(db);
    const slots = createSharedHostSlots({ db: counted.db, limit, leaseMs: 60_000, local: createHostLimiter(limit) });
    const got: (() => void)[] = [];
    const waiting = Array.from({ length: limit }, () => slots.acquire(host).then((release) => got.push(release)));
    await sleep(1_000);
    expect(got).toHaveLength(0);
    // One request asking with back-off (10 ms doubling to 250 ms) asks about 8 times a second; each
    // of the four asking would make about 32.
    expect(counted.statements()).toBeGreaterThanOrEqual(3);
    expect(counted.statements()).toBeLessThanOrEqual(12);

    // The other process frees one slot: one request takes it, the others keep waiting.
    await releaseHostSlot(db, host, 2, 'other');
    for (let i = 0; i < 100 && got.length === 0; i++) await sleep(20);
    expect(got).toHaveLength(1);
    await sleep(300);
    expect(got).toHaveLength(1);

    // Given back here, the slot passes to this process's next request.
    got[0]!();
    for (let i = 0; i < 100 && got.length < 2; i++) await sleep(20);
    expect(got).toHaveLength(2);

    for (const i of [0, 1, 3]) await releaseHostSlot(db, host, i, 'other');
    await Promise.all(waiting);
    expect(got).toHaveLength(limit);
    for (const release of got) release();
  });

  it('never lets more requests than the limit hold slots over two processes, and a waiter that gives up leaves the line', async () => {
    const db = await database();
    const processes = [0, 1].map(() => createSharedHostSlots({ db, limit, leaseMs: 60_000, local: createHostLimiter(limit) }));
    let holding = 0;
    let most = 0;
    const request = async (p: number) => {
      const release = await processes[p]!.acquire(host);
      holding += 1;
      most = Math.max(most, holding);
      await sleep(5 + Math.random() * 20);
      holding -= 1;
      release();
    };
    // A request of the first process gives up while it waits behind the others.
    const blocker = Array.from({ length: limit }, () => processes[1]!.acquire(host));
    const holders = await Promise.all(blocker);
    const giveUp = new AbortController();
    const abandoned = processes[0]!.acquire(host, giveUp.signal);
    const behind = processes[0]!.acquire(host);
    await sleep(50);
    giveUp.abort(new Error('timed out'));
    await expect(abandoned).rejects.toThrow('timed out');
    for (const release of holders) release();
    (await behind)();

    await Promise.all(Array.from({ length: 24 }, (_, i) => request(i % 2)));
    expect(most).toBeLessThanOrEqual(limit);
    expect(most).toBeGreaterThan(1);
    // A slot is given back in the database after its request ended.
    let left = await db.selectFrom('host_slots').selectAll().execute();
    for (let i = 0; i < 50 && left.length > 0; i++) {
      await sleep(20);
      left = await db.selectFrom('host_slots').selectAll().execute();
    }
    expect(left).toEqual([]);
  });
});
