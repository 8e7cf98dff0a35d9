// store: the claim of due sources: the first due, at most a few of one host, leased so that
// several pollers never take the same source (claim.ts), and kept compiled per shape of claim.
import { sql, type ExpressionBuilder, type Selectable } from 'kysely';
import { isPostgres } from '../db/dialect.ts';
import type { Db } from '../db/open.ts';
import type { Database, SourcesTable } from '../db/schema.ts';
import type { Source } from '../domain/models.ts';
import type { SourceKind } from '../domain/vocabulary.ts';
import { claimStatement, inIdOrder, type ClaimSpec } from './claim.ts';
import { prepare, type PreparedStatement } from './prepared.ts';
import { toSource } from './sources.ts';

export interface ClaimOptions {
  now: string;
  /** At most this many sources in one claim. */
  limit: number;
  /** At most this many sources of one host in one claim, so one big host cannot starve the rest. */
  perHostLimit: number;
  /** Claimed sources are pushed this far into the future until their poll records the real next check. */
  leaseUntil: string;
  /** Only sources of these kinds. */
  kinds?: SourceKind[];
  /**
   * Claim only sources not checked since this time: a run (pollOnce) polls each source once,
   * even one whose poll asked for another check at once, and a forced run ends.
   */
  notCheckedSince?: string;
}

/**
 * How many of the first due sources one claim ranks by host. Ranking every due source cost
 * each claim time in proportion to the sources stored (tens of ms at 20,000 sources, and the
 * first poll of a big import claims hundreds of times); this many is enough to fill a batch
 * from every host among them. A host whose sources fall due after these waits its turn as the
 * earlier ones are leased: the queue stays first due, first polled.
 */
function claimWindow(options: ClaimOptions): number {
  // A claim of no more than perHostLimit sources takes the first ones due whatever their hosts
  // (none can rank past the limit), so reading those is enough: a poller whose workers come
  // free one or two at a time (an all-304 re-poll) claims without ranking 256 rows each time.
  if (options.limit <= options.perHostLimit) return options.limit;
  return Math.max(options.limit * options.perHostLimit, 256);
}

/**
 * Claims the sources that are due, oldest due first, at most perHostLimit per host, and leases
 * them so that a second poller (or the next tick) does not take them again; returns them in id
 * order (claimDue).
 */
export async function claimDueSources(db: Db, options: ClaimOptions): Promise<Source[]> {
  const shape: ClaimShape = {
    kinds: options.kinds?.length ?? 0,
    notCheckedSince: options.notCheckedSince !== undefined,
    ranked: options.limit > options.perHostLimit,
  };
  // The due query's values after the time; the one-statement claim takes the lease's times before them.
  const values = [
    options.limit,
    ...(shape.notCheckedSince ? [options.notCheckedSince] : []),
    ...(options.kinds ?? []),
    ...(shape.ranked ? [claimWindow(options), options.perHostLimit] : []),
  ];
  // Outside a transaction, and on PostgreSQL, one statement: it holds SQLite's write lock for no
  // turn of the event loop (another connection of this thread asking for it would wait on a
  // lock that cannot be given back meanwhile).
  if (isPostgres(db) || !db.isTransaction) {
    const { rows } = await claimSourcesStatement(shape)(db, [options.leaseUntil, options.now, ...values]);
    return inIdOrder(rows as Selectable<SourcesTable>[]).map(toSource);
  }
  // In a SQLite transaction (the poller's claims, committed with the turn's other writes), which
  // holds the database's one write lock from its BEGIN (src/db/open.ts): the due sources are read,
  // then each is leased by its id, and no other claim can come between. The same claim as one
  // UPDATE … WHERE id IN (…) RETURNING * cost two to three times as much (60–230 µs against 25–95
  // for one or two sources), and a poller claims for every worker that comes free.
  const { rows: due } = await dueSourcesStatement(shape)(db, [options.now, ...values]);
  const leased: Selectable<SourcesTable>[] = [];
  for (const { id } of due as { id: number }[]) {
    const { rows } = await leaseSourceStatement(db, [options.leaseUntil, options.now, id]);
    leased.push(...(rows as Selectable<SourcesTable>[]));
  }
  return inIdOrder(leased).map(toSource);
}

/** Sources one statement of makeSourcesDue moves: the write lock is held for tens of ms at most. */
const dueAtOnce = 2000;

/**
 * Makes every active source of an active blog (of `kinds`, when given) due at `at`, for a forced
 * run, which then claims them as the schedule does, first due first, each once (notCheckedSince).
 * Claiming them whatever their schedule instead read, for every claim, past each source the run
 * had polled whose next check came before the next one it had not yet polled: 2.7 ms a claim and
 * 21 s in all over 16,000 sources, growing with their square. In parts of dueAtOnce, so that a
 * service sharing the database waits for none of them long. Returns how many it moved.
 */
export async function makeSourcesDue(db: Db, options: { at: string; kinds?: SourceKind[] }): Promise<number> {
  let moved = 0;
  let afterId = 0;
  for (;;) {
    const { rows } = await makeDueStatement(options.kinds?.length ?? 0)(db, [options.at, afterId, ...(options.kinds ?? [])]);
    const ids = (rows as { id: number }[]).map((r) => r.id);
    moved += ids.length;
    if (ids.length < dueAtOnce) return moved;
    afterId = Math.max(...ids);
  }
}

const makeDueStatements = new Map<number, PreparedStatement<readonly unknown[], unknown>>();

/** One part of makeSourcesDue: the next sources by id after a given one, for a number of kinds (0: all). */
function makeDueStatement(kinds: number): PreparedStatement<readonly unknown[], unknown> {
  let statement = makeDueStatements.get(kinds);
  if (!statement) {
    statement = prepare(2 + kinds, (db, [at, afterId, ...kindList]: readonly unknown[]) =>
      db
        .updateTable('sources')
        .set({ next_check_at: at as string })
        .where('id', 'in', (eb) => {
          let part = eb
            .selectFrom('sources as s')
            .innerJoin('blogs', 'blogs.id', 's.blog_id')
            .select('s.id')
            .where('s.id', '>', afterId as number)
            .where('s.disabled_at', 'is', null)
            .where('blogs.disabled_at', 'is', null)
            .where('s.next_check_at', '>', at as string);
          if (kinds > 0) part = part.where('s.kind', 'in', kindList as SourceKind[]);
          return part.orderBy('s.id').limit(dueAtOnce);
        })
        .returning('id'),
    );
    makeDueStatements.set(kinds, statement);
  }
  return statement;
}

/** What a claim's SQL depends on; its values are the statement's parameters. */
interface ClaimShape {
  kinds: number;
  /** Due by schedule and not checked since a time (a run's start), or due by schedule alone. */
  notCheckedSince: boolean;
  ranked: boolean;
}

// The poller claims for every worker that comes free: a claim built and compiled each time cost
// more than running it (an all-304 re-poll claims a thousand times a second).
const claimStatements = new Map<string, PreparedStatement<readonly unknown[], unknown>>();
const dueStatements = new Map<string, PreparedStatement<readonly unknown[], unknown>>();

/** How many values the due query of a claim of this shape takes after its time. */
function valueCount(shape: ClaimShape): number {
  return 1 + (shape.notCheckedSince ? 1 : 0) + shape.kinds + (shape.ranked ? 2 : 0);
}

/** The claim of one shape in one statement: the lease's times, then the due query's values. */
function claimSourcesStatement(shape: ClaimShape): PreparedStatement<readonly unknown[], unknown> {
  const key = `${shape.notCheckedSince} ${shape.kinds} ${shape.ranked}`;
  let statement = claimStatements.get(key);
  if (!statement) {
    statement = prepare(2 + valueCount(shape), (db, [leaseUntil, now, ...args]: readonly unknown[]) => {
      const due = dueSourcesQuery(db, shape, [now, ...args]);
      return claimStatement(db, {
        table: 'sources',
        due,
        // last_checked_at moves too, so a run (notCheckedSince) does not claim a source twice.
        lease: { next_check_at: leaseUntil as string, last_checked_at: now as string },
      });
    });
    claimStatements.set(key, statement);
  }
  return statement;
}

/** The due query of one shape alone: the ids of the sources to lease. */
function dueSourcesStatement(shape: ClaimShape): PreparedStatement<readonly unknown[], unknown> {
  const key = `${shape.notCheckedSince} ${shape.kinds} ${shape.ranked}`;
  let statement = dueStatements.get(key);
  if (!statement) {
    statement = prepare(1 + valueCount(shape), (db, args: readonly unknown[]) => dueSourcesQuery(db, shape, args));
    dueStatements.set(key, statement);
  }
  return statement;
}

const leaseSourceStatement = prepare(3, (db, [leaseUntil, now, id]: readonly [string, string, number]) =>
  db.updateTable('sources').set({ next_check_at: leaseUntil, last_checked_at: now }).where('id', '=', id).returningAll(),
);

/** The due sources of a claim of one shape: its time, then its values in claimDueSources's order. */
function dueSourcesQuery(db: Db, shape: ClaimShape, args: readonly unknown[]) {
  let at = 0;
  const next = <V>() => args[at++] as V;
  const now = next<string>();
  const limit = next<number>();
  const notCheckedSince = shape.notCheckedSince ? next<string>() : null;
  const kinds = Array.from({ length: shape.kinds }, () => next<SourceKind>());
  // What makes a source due, on the sources row itself: the claim's lock asks it again of a row
  // another poller leased since the statement began (last_checked_at too, for a run).
  const dueSource = (eb: ExpressionBuilder<Database, 'sources'>) => {
    const conditions = [eb('sources.disabled_at', 'is', null), eb('sources.next_check_at', '<=', now)];
    if (notCheckedSince !== null) conditions.push(eb.or([eb('sources.last_checked_at', 'is', null), eb('sources.last_checked_at', '<', notCheckedSince)]));
    if (kinds.length) conditions.push(eb('sources.kind', 'in', kinds));
    return eb.and(conditions);
  };
  const active = db
    .selectFrom('sources')
    .innerJoin('blogs', 'blogs.id', 'sources.blog_id')
    .where(dueSource)
    .where('blogs.disabled_at', 'is', null)
    .orderBy('sources.next_check_at')
    .orderBy('sources.id');
  let due: ClaimSpec<'sources'>['due'];
  // No host can pass the limit in a claim of no more sources than the limit: ranking them
  // (a window function and two sorts) would only cost time on every claim of a re-poll.
  if (!shape.ranked) due = active.select('sources.id as id').limit(limit);
  else {
    const window = next<number>();
    const perHostLimit = next<number>();
    // PostgreSQL locks no rows of a query with a window function: the first due sources are
    // ranked by host as the statement began, and those that rank within the limit are locked in
    // a layer above, which states again what makes a source due. A source another poller holds,
    // or leased meanwhile, is passed over there: a host's count in the claim only drops.
    const first = active.select(['sources.id as id', 'sources.next_check_at as next_check_at', 'sources.host as host']).limit(window);
    const ranked = db
      .selectFrom(first.as('first'))
      .select(['first.id', sql<number>`row_number() over (partition by first.host order by first.next_check_at, first.id)`.as('host_rank')]);
    const withinLimit = db.selectFrom(ranked.as('ranked')).select('ranked.id').where('ranked.host_rank', '<=', perHostLimit);
    due = db.selectFrom('sources').select('sources.id as id').where(dueSource).where('sources.id', 'in', withinLimit).orderBy('sources.next_check_at').orderBy('sources.id').limit(limit);
  }
  return due;
}
