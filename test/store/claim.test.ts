import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../src/db/open.ts';
import { claimDue } from '../../src/store/claim.ts';
import { claimQueuedPings, findPing, upsertPing } from '../../src/store/pings.ts';
import { createTestDatabase } from '../support/db.ts';

let database: OpenedDatabase;
const t0 = '2026-01-01T00:00:00.000Z';
const lease = '2026-01-01T00:05:00.000Z';
const afterLease = '2026-01-01T00:06:00.000Z';

async function ping(n: number, dueAt: string) {
  const { ping } = await upsertPing(
    database.db,
    { protocol: 'webmention', receivedVia: 'endpoint', sourceUrl: `http://source.example/${n}`, targetUrl: 'http://palaver.example/e/1', targetEntryId: null },
    dueAt,
  );
  return ping.id;
}

// The due query of the tests: queued pings by due time, newest id first on a tie.
function dueAt(now: string, limit: number) {
  return {
    table: 'pings' as const,
    due: (trx: Parameters<Parameters<typeof claimDue>[1]['due']>[0]) =>
      trx.selectFrom('pings').select('id').where('status', '=', 'queued').where('next_attempt_at', '<=', now).orderBy('next_attempt_at').orderBy('id', 'desc').limit(limit),
    lease: { next_attempt_at: lease },
  };
}

beforeEach(async () => {
  database = await createTestDatabase();
});
afterEach(async () => {
  await database.close();
});

describe('claimDue', () => {
  it("returns the due rows in the due query's order, as the lease wrote them, at most the limit", async () => {
    const a = await ping(1, t0);
    const b = await ping(2, t0);
    const c = await ping(3, '2026-01-01T00:00:01.000Z');
    await ping(4, '2026-01-02T00:00:00.000Z');
    const claimed = await claimDue(database.db, dueAt('2026-01-01T00:01:00.000Z', 3));
    expect(claimed.map((r) => r.id)).toEqual([b, a, c]);
    expect(claimed.every((r) => r.next_attempt_at === lease)).toBe(true);
  });

  it('does not hand out a leased row again until its lease ends', async () => {
    const a = await ping(1, t0);
    expect((await claimDue(database.db, dueAt(t0, 10))).map((r) => r.id)).toEqual([a]);
    expect(await claimDue(database.db, dueAt('2026-01-01T00:04:59.000Z', 10))).toEqual([]);
    // A worker that died leaves the row to fall due again.
    expect((await claimDue(database.db, dueAt(afterLease, 10))).map((r) => r.id)).toEqual([a]);
  });

  it('claims nothing when nothing is due, and writes nothing', async () => {
    const a = await ping(1, '2026-02-01T00:00:00.000Z');
    expect(await claimDue(database.db, dueAt(t0, 10))).toEqual([]);
    expect((await findPing(database.db, a))?.attempts).toBe(0);
  });
});

describe('claimQueuedPings', () => {
  it('counts the attempt it starts in the table, and hands the ping out with the attempts before it', async () => {
    const a = await ping(1, t0);
    const [first] = await claimQueuedPings(database.db, { now: t0, leaseUntil: lease, limit: 5 });
    expect(first).toMatchObject({ id: a, attempts: 0 });
    expect((await findPing(database.db, a))?.attempts).toBe(1);
    const [second] = await claimQueuedPings(database.db, { now: afterLease, leaseUntil: '2026-01-01T00:10:00.000Z', limit: 5 });
    expect(second).toMatchObject({ id: a, attempts: 1 });
  });
});
