/**
 * The process-wide database and the three ways a request reaches it, each a plain drizzle
 * transaction (ADR 0032):
 *  - withTenant(ctx, fn): read-write, as the app role, scoped by RLS to one organisation (and
 *    user). Actions.
 *  - withTenantReads(ctx, fn): the same, READ ONLY: PostgreSQL refuses any write, so a GET cannot
 *    change state. Loaders.
 *  - withSystem(fn): as the owner, for the cross-tenant paths named in ADR 0002 only (sign-in,
 *    the session lookup, token redemption, scheduled work, …).
 * The tenant context is the first statement of the tenant transactions (tenantContext). The public
 * directory reads in NO_TENANT: the app role with no organisation, which sees only what the public
 * SECURITY DEFINER functions return.
 */
import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { APP_ROLE, migrateDatabase, openDatabase, type Database, type DatabaseOptions, type Tx } from "../../db/client";
import { config } from "./config.server";

export type { Tx };

export interface TenantContext {
  orgId: string;
  userId: string | null;
}

/** A signed-in user's context: always a user. */
export interface SignedInTenant extends TenantContext {
  userId: string;
}

const g = globalThis as typeof globalThis & { __partnerdesk_db?: Promise<Database> };

export function databaseOptions(): DatabaseOptions {
  const c = config();
  return c.DATABASE_URL
    ? { kind: "postgres", url: c.DATABASE_URL, poolMax: c.DATABASE_POOL_MAX }
    : { kind: "pglite", dataDir: path.join(c.DATA_DIR, "pglite") };
}

/** PGlite is single-process: refuse to open a data directory another live process holds. */
function lockDataDir(dir: string) {
  fs.mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, "..", "partnerdesk.pid");
  try {
    const pid = Number(fs.readFileSync(lock, "utf8"));
    if (pid && pid !== process.pid) {
      try {
        process.kill(pid, 0);
        throw new Error(`Another Partnerdesk process (pid ${pid}) is using ${dir}; stop it first (PGlite is single-process).`);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
      }
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  fs.writeFileSync(lock, String(process.pid));
  process.once("exit", () => {
    try {
      if (fs.readFileSync(lock, "utf8") === String(process.pid)) fs.unlinkSync(lock);
    } catch {
      /* already gone */
    }
  });
}

/** Opens (once) and migrates the configured database. */
export function getDatabase(): Promise<Database> {
  g.__partnerdesk_db ??= (async () => {
    const options = databaseOptions();
    if (options.kind === "pglite" && options.dataDir) lockDataDir(options.dataDir);
    const database = await openDatabase(options);
    await migrateDatabase(options, database);
    return database;
  })();
  return g.__partnerdesk_db;
}

/** Tests install their own database (PGlite in memory or a PostgreSQL test database). */
export function setDatabase(database: Database) {
  g.__partnerdesk_db = Promise.resolve(database);
}

export async function closeDatabase() {
  const pending = g.__partnerdesk_db;
  g.__partnerdesk_db = undefined;
  if (pending) await (await pending).close();
}

/** No organisation and no user: the app role sees no tenant's rows (the public directory). */
export const NO_TENANT: TenantContext = Object.freeze({ orgId: "", userId: null });

/** Runs fn in a transaction as the app role in the tenant's context (actions). */
export async function withTenant<T>(ctx: TenantContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const context = tenantContext(ctx);
  const { db } = await getDatabase();
  return db.transaction(async (tx) => {
    await tx.execute(context);
    return fn(tx as unknown as Tx);
  });
}

/**
 * Runs fn in a READ ONLY transaction as the app role in the tenant's context (loaders): a write
 * fails (read_only_sql_transaction, 25006), so a GET cannot change state even by mistake.
 */
export async function withTenantReads<T>(ctx: TenantContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const context = tenantContext(ctx, { readOnly: true });
  const { db } = await getDatabase();
  return db.transaction(async (tx) => {
    await tx.execute(context);
    return fn(tx as unknown as Tx);
  });
}

/** Runs fn in a transaction as the owner: only for the cross-tenant paths named in ADR 0002. */
export async function withSystem<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  const { db } = await getDatabase();
  return db.transaction(async (tx) => fn(tx as unknown as Tx));
}

/**
 * Moves an open system transaction into a tenant's context, for the rest of the transaction: a
 * job that acts for one organisation (scheduled work, bulk operations).
 */
export async function enterTenant(tx: Tx, ctx: TenantContext) {
  await tx.execute(tenantContext(ctx));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The statement that enters a tenant context, transaction-local (`set_config(…, true)`): read
 * only for loaders, the organisation and user RLS compares with (app_org_id(), app_user_id(); none is "", which they read
 * as NULL), the role (`SET LOCAL ROLE partnerdesk_app`: owns nothing, cannot bypass RLS), no JIT
 * (short OLTP statements only ever pay for it), and plans made for each execution's values: a
 * filter value's frequency or a search term's length decides the index, and a generic plan must
 * never pick one for all of them (ADR 0007, 0015). Anything but an id (or none) is refused before
 * a statement is sent.
 */
function tenantContext(ctx: TenantContext, { readOnly = false }: { readOnly?: boolean } = {}) {
  const id = (value: string | null | undefined) => {
    if (!value) return "";
    if (!UUID.test(value)) throw new Error("tenant context: not an id");
    return value.toLowerCase();
  };
  // READ ONLY as the context's first setting: the same as SET TRANSACTION READ ONLY (drizzle's
  // `accessMode`), without a statement of its own; the change to read-only is allowed at any point
  // of a transaction, and the way back to read-write is refused after its first statement.
  const settings = sql`set_config('app.org_id', ${id(ctx.orgId)}, true), set_config('app.user_id', ${id(ctx.userId)}, true),
    set_config('role', ${APP_ROLE}, true), set_config('jit', 'off', true), set_config('plan_cache_mode', 'force_custom_plan', true)`;
  return readOnly ? sql`select set_config('transaction_read_only', 'on', true), ${settings}` : sql`select ${settings}`;
}
