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
import * as schema from "./schema";

export type Schema = typeof schema;
/** A database or transaction handle; both driver flavours share this type. */
export type Tx = PgDatabase<PgQueryResultHKT, Schema>;

export type DatabaseOptions =
  | { kind: "postgres"; url: string; poolMax?: number }
  | { kind: "pglite"; dataDir: string | null };

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
      connection: { application_name: "partnerdesk" },
    });
    return {
      kind: "postgres",
      db: drizzle(client, { schema }) as unknown as Tx,
      close: () => client.end({ timeout: 5 }),
    };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  const { btree_gin } = await import("@electric-sql/pglite/contrib/btree_gin");
  const { drizzle } = await import("drizzle-orm/pglite");
  if (options.dataDir) fs.mkdirSync(options.dataDir, { recursive: true });
  const client = await PGlite.create(options.dataDir ?? undefined, { extensions: { pg_trgm, btree_gin } });
  return {
    kind: "pglite",
    db: drizzle(client, { schema }) as unknown as Tx,
    close: () => client.close(),
  };
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
