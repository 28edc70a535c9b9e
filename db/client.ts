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
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { Sql } from "postgres";

type PostgresClient = Sql<Record<string, never>>;

/**
 * A database or transaction handle; both driver flavours share this type. Without the schema:
 * statements are built with drizzle's query builder and `sql` over the tables of db/schema.ts,
 * not its relational API (`tx.query.*`).
 */
export type Tx = PgDatabase<PgQueryResultHKT>;

export type DatabaseOptions =
  | { kind: "postgres"; url: string; poolMax?: number }
  | { kind: "pglite"; dataDir: string | null; /** Start from this data directory image (a dumpDataDir tarball): tests start from one migrated image. */ image?: Blob };

/**
 * The opened database. Requests never use `db` directly: they go through the three ways of
 * app/utils/db.server.ts (withTenant, withTenantReads, withSystem), each a drizzle transaction.
 * The job worker, migrations, the seed and scripts (system context, ADR 0002) open their own
 * transactions on it.
 */
export interface Database {
  kind: "postgres" | "pglite";
  db: Tx;
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
      // its actual values (plan_cache_mode in the tenant context, ADR 0007, 0015); outside them
      // (the session lookup, jobs) PostgreSQL's default may reuse a generic plan.
      connection: { application_name: "partnerdesk" },
    });
    return {
      kind: "postgres",
      db: drizzle(preparing(client)) as unknown as Tx,
      close: () => client.end({ timeout: 5 }),
    };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  const { btree_gin } = await import("@electric-sql/pglite/contrib/btree_gin");
  const { drizzle } = await import("drizzle-orm/pglite");
  if (options.dataDir) fs.mkdirSync(options.dataDir, { recursive: true });
  const client = await PGlite.create(options.dataDir ?? undefined, { extensions: { pg_trgm, btree_gin }, loadDataDir: options.image });
  return { kind: "pglite", db: drizzle(client) as unknown as Tx, close: () => client.close() };
}

/** Statements with more parameters are bulk writes whose text varies with their row count. */
const PREPARE_MAX_PARAMETERS = 64;

/**
 * Makes drizzle's statements named prepared statements (a driver setting; ADR 0014 measured it).
 * drizzle sends every `execute` unnamed (`prepare: false`), and postgres.js then asks the server to
 * describe each statement before binding it: two round trips per statement, and a parse every time.
 * Prepared, a statement is parsed and described once per connection (postgres.js caches it by text
 * and types) and costs one round trip after that. Connections are recycled after 30–60 minutes
 * (postgres.js's max_lifetime), which bounds the statements a connection keeps; bulk writes (many
 * parameters, text varying with their size) stay unnamed. Transactions and savepoints hand drizzle
 * a scoped client, which is wrapped the same way.
 *
 * A transaction's client also refuses statements once the transaction has ended: postgres.js would
 * run them on the connection anyway, which by then serves another request, perhaps in another
 * tenant's context. (PGlite refuses them itself.)
 */
function preparing<T extends PostgresClient>(sql: T, open: () => boolean = () => true): T {
  type Scoped = (tx: PostgresClient) => unknown;
  return new Proxy(sql, {
    get(target, property, receiver) {
      if (property === "unsafe") {
        return (query: string, params: unknown[] = [], opts: Record<string, unknown> = {}) => {
          if (!open()) throw new Error("statement issued after its transaction ended");
          return target.unsafe(query, params as never[], { ...opts, prepare: params.length > 0 && params.length <= PREPARE_MAX_PARAMETERS });
        };
      }
      // drizzle opens transactions with begin(fn) and nested ones with savepoint(fn).
      if (property === "begin") {
        return (fn: Scoped) => {
          let ended = false;
          return target.begin(async (tx) => {
            try {
              return await fn(preparing(tx as unknown as PostgresClient, () => !ended));
            } finally {
              ended = true;
            }
          });
        };
      }
      if (property === "savepoint") {
        const savepoint = (target as unknown as { savepoint: (fn: Scoped) => Promise<unknown> }).savepoint;
        return (fn: Scoped) => savepoint((tx) => fn(preparing(tx, open)));
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
