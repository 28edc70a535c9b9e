/**
 * Opens the database: PostgreSQL through postgres.js when a URL is given, otherwise the
 * embedded PGlite persisted in a data directory (or in memory for tests).
 *
 * Domain functions never use a module-level client: they take the transaction handle they
 * run in (`Tx`). Inside a transaction the module-level client would hang on PGlite (one
 * connection) and silently escape the transaction on PostgreSQL.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { Sql } from "postgres";
import { pipelinedReads, pipelinedTransaction, statementThenReads } from "./pipelined-transaction";

type PostgresClient = Sql<Record<string, never>>;

/**
 * A database or transaction handle; both driver flavours share this type. Without the schema:
 * statements are built with drizzle's query builder and `sql` over the tables of db/schema.ts,
 * never its relational API (`tx.query.*`), whose builders a handle given the schema makes for
 * every table when it is created (a handle per loader read, ADR 0019).
 */
export type Tx = PgDatabase<PgQueryResultHKT>;

export type DatabaseOptions =
  | { kind: "postgres"; url: string; poolMax?: number }
  | { kind: "pglite"; dataDir: string | null };

export interface Database {
  kind: "postgres" | "pglite";
  db: Tx;
  /**
   * A transaction whose first statement is `prelude` (one simple-protocol statement, no
   * parameters), sent without a round trip of its own: it is on the wire before any statement of
   * fn, and if it fails the transaction is aborted, so nothing of fn runs without it.
   */
  transactionAfter<T>(prelude: string, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Read-only work after the same kind of prelude: on PostgreSQL each statement of fn runs in its
   * own READ ONLY transaction, sent with BEGIN, the prelude and COMMIT in one write (no round trip
   * for the transaction itself; db/pipelined-transaction.ts, ADR 0017); on PGlite one READ ONLY
   * transaction. Either way a write fails, and each statement reads its own snapshot, as in a
   * READ COMMITTED transaction. A prelude given as a function of the statement's text is asked
   * for each statement on PostgreSQL; PGlite, with its one transaction, asks it once, with "".
   */
  readsAfter<T>(prelude: string | ((statement: string) => string), fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * One statement outside any transaction, as the connection's own role (the owner), then
   * readsAfter(prelude, fn), without waiting for the statement: on PostgreSQL both on one reserved
   * connection, in one write (statementThenReads, ADR 0023); on PGlite one after the other. The
   * statement's failure is the call's; the reads' outcome is returned settled.
   */
  statementThenReads<A, T>(first: (db: Tx) => Promise<A>, prelude: string | ((statement: string) => string), fn: (tx: Tx) => Promise<T>): Promise<[A, PromiseSettledResult<T>]>;
  close(): Promise<void>;
}

/** The role every request transaction switches to. It owns nothing and cannot bypass RLS. */
export const APP_ROLE = "partnerdesk_app";

/** `drizzle/` sits beside both `db/` (sources) and `build/` (the server bundle). */
export const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../drizzle");

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.kind === "postgres") {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const client = postgres(options.url, {
      max: options.poolMax ?? 10,
      onnotice: () => {},
      // Statements are prepared (see preparing below). Tenant transactions plan each execution for
      // its actual values (plan_cache_mode in the tenant prelude, ADR 0007, 0015); outside them
      // (the session lookup, jobs) PostgreSQL's default may reuse a generic plan.
      connection: { application_name: "partnerdesk" },
    });
    const { PostgresJsSession, PostgresJsTransaction } = await import("drizzle-orm/postgres-js/session");
    const db = drizzle(preparing(client));
    // The dialect and options of drizzle's session (no schema: see Tx), for the transactions built below.
    const base = (db as unknown as { session: { dialect: never; schema: never; options: never } }).session;
    // drizzle's own transaction classes over a scoped client (a pipelined transaction or reads).
    const over = (scoped: PostgresClient) => {
      const session = new PostgresJsSession(preparing(scoped), base.dialect, base.schema, base.options) as never;
      return new PostgresJsTransaction(base.dialect, session, base.schema) as unknown as Tx;
    };
    return {
      kind: "postgres",
      db: db as unknown as Tx,
      // A transaction's BEGIN, prelude and first statement leave in one write; for reads, each
      // statement leaves with its BEGIN, prelude and COMMIT (db/pipelined-transaction.ts).
      transactionAfter: <T>(prelude: string, fn: (tx: Tx) => Promise<T>) =>
        pipelinedTransaction(client as unknown as PostgresClient, prelude, (scoped) => fn(over(scoped as unknown as PostgresClient))),
      readsAfter: <T>(prelude: string | ((statement: string) => string), fn: (tx: Tx) => Promise<T>) =>
        pipelinedReads(client as unknown as PostgresClient, prelude, (scoped) => fn(over(scoped))),
      statementThenReads: <A, T>(first: (db: Tx) => Promise<A>, prelude: string | ((statement: string) => string), fn: (tx: Tx) => Promise<T>) =>
        statementThenReads(
          client as unknown as PostgresClient,
          (scoped) => first(over(scoped)),
          prelude,
          (scoped) => fn(over(scoped)),
        ),
      close: () => client.end({ timeout: 5 }),
    };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  const { btree_gin } = await import("@electric-sql/pglite/contrib/btree_gin");
  const { drizzle } = await import("drizzle-orm/pglite");
  if (options.dataDir) fs.mkdirSync(options.dataDir, { recursive: true });
  const client = await PGlite.create(options.dataDir ?? undefined, { extensions: { pg_trgm, btree_gin } });
  const db = drizzle(client) as unknown as Tx;
  const readsAfter: Database["readsAfter"] = (prelude, fn) =>
    db.transaction(
      async (tx) => {
        await tx.execute(sql.raw(typeof prelude === "function" ? prelude("") : prelude));
        return fn(tx as unknown as Tx);
      },
      { accessMode: "read only" },
    );
  return {
    kind: "pglite",
    db,
    // In process, a round trip costs nothing: the prelude is simply the first statement.
    transactionAfter: (prelude, fn) =>
      db.transaction(async (tx) => {
        await tx.execute(sql.raw(prelude));
        return fn(tx as unknown as Tx);
      }),
    readsAfter,
    // One connection, one statement at a time: nothing to send together.
    statementThenReads: async (first, prelude, fn) => {
      const a = await first(db);
      const [reads] = await Promise.allSettled([readsAfter(prelude, fn)]);
      return [a, reads];
    },
    close: () => client.close(),
  };
}

/** Statements with more parameters are bulk writes whose text varies with their row count. */
const PREPARE_MAX_PARAMETERS = 64;

/**
 * Makes drizzle's statements named prepared statements. drizzle sends every `execute` unnamed
 * (`prepare: false`), and postgres.js then asks the server to describe each statement before
 * binding it: two round trips per statement, and a parse every time. Prepared, a statement is
 * parsed and described once per connection (postgres.js caches it by text and types) and costs one
 * round trip after that. Connections are recycled after 30–60 minutes (postgres.js's
 * max_lifetime), which bounds the statements a connection keeps; bulk writes (many parameters,
 * text varying with their size) stay unnamed. Transactions and savepoints hand drizzle a scoped
 * client, which is wrapped the same way.
 */
function preparing<T extends PostgresClient>(sql: T): T {
  return new Proxy(sql, {
    get(target, property, receiver) {
      if (property === "unsafe") {
        return (query: string, params: unknown[] = [], opts: Record<string, unknown> = {}) =>
          target.unsafe(query, params as never[], { ...opts, prepare: params.length > 0 && params.length <= PREPARE_MAX_PARAMETERS });
      }
      if (property === "begin") {
        return (optionsOrFn: string | ((tx: PostgresClient) => unknown), fn?: (tx: PostgresClient) => unknown) =>
          typeof optionsOrFn === "function"
            ? target.begin((tx) => optionsOrFn(preparing(tx as unknown as PostgresClient)))
            : target.begin(optionsOrFn, (tx) => fn!(preparing(tx as unknown as PostgresClient)));
      }
      if (property === "savepoint") {
        const savepoint = (target as unknown as { savepoint: (...a: unknown[]) => Promise<unknown> }).savepoint;
        return (nameOrFn: string | ((tx: PostgresClient) => unknown), fn?: (tx: PostgresClient) => unknown) =>
          typeof nameOrFn === "function"
            ? savepoint((tx: PostgresClient) => nameOrFn(preparing(tx)))
            : savepoint(nameOrFn, (tx: PostgresClient) => fn!(preparing(tx)));
      }
      return Reflect.get(target, property, receiver);
    },
  });
}

export async function migrateDatabase(options: DatabaseOptions, database?: Database): Promise<void> {
  if (options.kind === "postgres") {
    // One dedicated connection, so the advisory lock that serialises concurrent
    // start-ups of several app instances is taken and released on the same session.
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const { migrate } = await import("drizzle-orm/postgres-js/migrator");
    const client = postgres(options.url, { max: 1, onnotice: () => {} });
    try {
      await client`select pg_advisory_lock(7274421)`;
      await migrate(drizzle(client), { migrationsFolder });
    } finally {
      await client.end({ timeout: 5 });
    }
    return;
  }
  if (!database) throw new Error("PGlite migrations run on the open database");
  const { migrate } = await import("drizzle-orm/pglite/migrator");
  await migrate(database.db as never, { migrationsFolder });
}

/** Driver-neutral rows of a raw `execute` (postgres.js returns an array, PGlite `{ rows }`). */
export function rowsOf<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
