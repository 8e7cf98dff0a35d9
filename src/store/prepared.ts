// store: statements built and compiled once per kind of database, then run again with new
// values. Building a kysely query and compiling it to SQL cost more than SQLite's running it on
// the ingest path, where the same twenty statements run for every item; a prepared statement
// keeps the compiled SQL and only binds the values of each call. Both databases: the SQL is
// compiled by whichever database the first call of each kind runs on.
import type { Compilable, CompiledQuery, QueryResult } from 'kysely';
import { dialectOf, type DialectName } from '../db/dialect.ts';
import type { Db } from '../db/open.ts';

/** Stands for the value of one argument while the statement is built. */
class Slot {
  constructor(readonly index: number) {}
}

interface Plan<O> {
  compiled: CompiledQuery<O>;
  /** Per parameter of the SQL: the argument it takes, or the constant the builder put there. */
  bindings: unknown[];
}

/** A statement compiled once; call it with the database (or transaction) and its arguments. */
export type PreparedStatement<A extends readonly unknown[], O> = (db: Db, args: A) => Promise<QueryResult<O>>;

/**
 * Prepares a statement. `build` makes the query from the arguments it is given; it must pass
 * each of them to kysely as a value (a comparison, an inserted or set value, a limit) and never
 * look at one (no branch on a value, no list built from one: a list of varying length is a
 * different statement). It runs once per kind of database with stand-ins for the arguments;
 * a stand-in that did not end up among the SQL's parameters fails at once.
 */
export function prepare<A extends readonly unknown[], O>(arity: A['length'], build: (db: Db, args: A) => Compilable<O>): PreparedStatement<A, O> {
  const plans = new Map<DialectName, Plan<O>>();
  const compile = (db: Db): Plan<O> => {
    const slots = Array.from({ length: arity }, (_, i) => new Slot(i));
    const compiled = build(db, slots as unknown as A).compile();
    const used = new Set<number>();
    const bindings = compiled.parameters.map((p) => {
      if (p instanceof Slot) used.add(p.index);
      return p;
    });
    if (used.size !== arity) throw new Error(`store: a prepared statement binds ${used.size} of its ${arity} arguments: ${compiled.sql}`);
    return { compiled, bindings };
  };
  return async (db, args) => {
    const dialect = dialectOf(db);
    let plan = plans.get(dialect);
    if (!plan) {
      plan = compile(db);
      plans.set(dialect, plan);
    }
    const parameters = plan.bindings.map((b) => (b instanceof Slot ? args[b.index] : b));
    return await db.executeQuery<O>({ ...plan.compiled, parameters });
  };
}

/** The first row of a prepared statement's result, if any. */
export async function firstRow<A extends readonly unknown[], O>(statement: PreparedStatement<A, O>, db: Db, args: A): Promise<O | undefined> {
  return (await statement(db, args)).rows[0];
}

/** The rows a statement changed (inserted, updated or deleted). */
export function changedRows(result: QueryResult<unknown>): number {
  return Number(result.numAffectedRows ?? 0);
}

/** Statements with a list of rows (or values) cached this far; a longer list is compiled for its one call. */
export const listLengthsKept = 32;

/**
 * A list cut into parts of at most listLengthsKept, each to run as one statement of a
 * preparedList: a longer list would build and compile its statement anew on every call, which
 * cost more than running a second statement (a feed's 40 edge targets, its 60 new edges).
 */
export function keptLengthParts<T>(list: readonly T[]): T[][] {
  const parts: T[][] = [];
  for (let i = 0; i < list.length; i += listLengthsKept) parts.push(list.slice(i, i + listLengthsKept));
  return parts;
}

/**
 * Prepares a statement over a list, one per length of the list (`in (…)` and multi-row inserts
 * are a different SQL text for each length). `build` gets `rows` of `width` stand-ins each and
 * then `fixed`, `fixedArity` stand-ins for the arguments after the rows; call the result with
 * the list's length, then with the rows' values flattened, followed by the fixed ones.
 */
export function preparedList<R extends readonly unknown[], F extends readonly unknown[], O>(
  width: number,
  build: (db: Db, rows: R[], fixed: F) => Compilable<O>,
  fixedArity = 0,
): (rows: number) => PreparedStatement<readonly unknown[], O> {
  const byLength = new Map<number, PreparedStatement<readonly unknown[], O>>();
  const forLength = (n: number) =>
    prepare<readonly unknown[], O>(n * width + fixedArity, (db, args) => {
      const rows = Array.from({ length: n }, (_, i) => args.slice(i * width, (i + 1) * width) as unknown as R);
      return build(db, rows, args.slice(n * width) as unknown as F);
    });
  return (n) => {
    if (n > listLengthsKept) return forLength(n);
    let statement = byLength.get(n);
    if (!statement) {
      statement = forLength(n);
      byLength.set(n, statement);
    }
    return statement;
  };
}
