/**
 * The process-wide database and the ways to use it:
 *  - withTenant: a transaction as the app role, scoped by RLS to one organisation (and user);
 *    withTenantReads the same for read-only work (loaders), without a transaction round trip;
 *  - withSystem: a transaction as the owner, for the named cross-tenant paths only
 *    (sign-in, session lookup, token redemption, scheduled work). See ADR 0002.
 */
import fs from "node:fs";
import path from "node:path";
import { sql, type SQL } from "drizzle-orm";
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

/** Runs fn in a transaction as the app role with the organisation (and user) context set. */
export async function withTenant<T>(ctx: TenantContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const database = await getDatabase();
  // The context is the transaction's first statement, sent with fn's first one rather than a
  // round trip ahead of it (ADR 0014), and on PostgreSQL with BEGIN too (ADR 0015). It has to be queued on the driver itself: two drizzle
  // statements issued together can reach the server in either order (tried once; the isolation
  // tests caught a statement running before its context).
  return database.transactionAfter(tenantPrelude(ctx), fn);
}

/**
 * Read-only work as the app role in the tenant's context: for loaders. A write fails
 * (read_only_sql_transaction), so a GET cannot change state even by mistake; on PostgreSQL each
 * statement is its own READ ONLY transaction, sent with BEGIN, the context and COMMIT in one
 * write, so a one-statement loader costs one round trip where withTenant costs two (ADR 0017).
 * Each statement reads its own snapshot, as it would in a withTenant (READ COMMITTED) transaction.
 */
export async function withTenantReads<T>(ctx: TenantContext, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const database = await getDatabase();
  return database.readsAfter(readsPrelude(ctx), readOnly(fn));
}

/**
 * withSystemStatement's one statement, then withTenantReads(ctx, fn), sent together (on
 * PostgreSQL on one connection, in one write): for the session lookup and the reads a loader
 * expects that session to allow (ADR 0023). The reads do not wait for the statement; their outcome
 * comes back settled, and the caller uses it only once the statement has shown ctx to be the
 * session's. Same rule for the statement as withSystemStatement: only the paths named in ADR 0002.
 */
export async function withSystemStatementThenTenantReads<A, T>(
  first: (db: Tx) => Promise<A>,
  ctx: TenantContext,
  fn: (tx: Tx) => Promise<T>,
): Promise<[A, PromiseSettledResult<T>]> {
  const database = await getDatabase();
  return database.statementThenReads(first, readsPrelude(ctx), readOnly(fn));
}

/** The tenant prelude for each read: the plan cache mode follows the statement's mark (ADR 0018). */
function readsPrelude(ctx: TenantContext) {
  const custom = tenantPrelude(ctx);
  const generic = tenantPrelude(ctx, "generic");
  return (statement: string) => (statement.startsWith(GENERIC_PLAN_MARK) ? generic : custom);
}

function readOnly<T>(fn: (tx: Tx) => Promise<T>) {
  return (tx: Tx) => {
    readOnlyHandles.add(tx);
    return fn(tx);
  };
}

const readOnlyHandles = new WeakSet<Tx>();

/**
 * For statements that change the context of the statements after them (a partner moving into a
 * customer's context, enterTenant): they need one transaction. In withTenantReads each statement
 * is its own transaction on PostgreSQL, so the change would silently not reach the next statement
 * (and on PGlite it would); refuse it there on both.
 */
export function requireTransaction(tx: Tx, what: string) {
  if (readOnlyHandles.has(tx)) throw new Error(`${what} needs a transaction (withTenant), not withTenantReads: its context does not outlive the statement`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const GENERIC_PLAN_MARK = "/* generic plan */ ";

/**
 * Marks a read whose best plan is the same for every value of its parameters, so PostgreSQL may
 * plan it once per connection instead of on every execution (ADR 0018). Only withTenantReads on
 * PostgreSQL honours it (elsewhere the statement is planned for its values as before); use it only
 * where a test shows the generic plan is the right one for every value.
 */
export function genericPlan(statement: SQL): SQL {
  return sql`${sql.raw(GENERIC_PLAN_MARK)}${statement}`;
}

/**
 * The statement that enters a tenant context (withTenant, enterTenant), without parameters (the
 * simple protocol, which transactionAfter needs): the values are inlined, so only ids of the uuid
 * shape (or none) pass. Tenant statements are planned for their actual values on every execution
 * (`plan_cache_mode`): a filter value's frequency or a search term's length decides the index, and
 * a generic plan must never pick one for all of them (ADR 0007, 0015). A read marked with
 * genericPlan gets the prelude that lets its prepared statement keep one plan (ADR 0018).
 */
export function tenantPrelude(ctx: TenantContext, plan: "custom" | "generic" = "custom") {
  const id = (value: string | null | undefined) => {
    if (!value) return "";
    if (!UUID.test(value)) throw new Error("tenant context: not an id");
    return value.toLowerCase();
  };
  return `select set_config('app.org_id', '${id(ctx.orgId)}', true), set_config('app.user_id', '${id(ctx.userId)}', true), set_config('role', '${APP_ROLE}', true), set_config('jit', 'off', true), set_config('plan_cache_mode', '${plan === "generic" ? "force_generic_plan" : "force_custom_plan"}', true)`;
}

/**
 * Runs fn as the app role with no organisation at all: it sees no tenant's rows, only what the
 * public SECURITY DEFINER functions return (the public partner directory).
 */
export async function withPublic<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  return withTenant({ orgId: "", userId: null }, fn);
}

/** withPublic for loaders: read-only statements (withTenantReads) in no organisation's context. */
export async function withPublicReads<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  return withTenantReads({ orgId: "", userId: null }, fn);
}

/** Switches an open transaction to the app role and sets its tenant context (transaction-local). */
export async function enterTenant(tx: Tx, ctx: TenantContext) {
  requireTransaction(tx, "enterTenant");
  // One round trip: set_config('role', …, true) is SET LOCAL ROLE. Request transactions are short
  // OLTP statements, for which JIT compilation only ever costs time.
  await tx.execute(sql.raw(tenantPrelude(ctx)));
}

/**
 * One statement as the owner, outside an explicit transaction (a single statement is atomic by
 * itself; BEGIN and COMMIT would cost two more round trips): for hot read-only system paths such
 * as the session lookup. Same rule as withSystem: only the paths named in ADR 0002.
 */
export async function withSystemStatement<T>(fn: (db: Tx) => Promise<T>): Promise<T> {
  const { db } = await getDatabase();
  return fn(db);
}

/** Runs fn in a transaction as the owner: only for the cross-tenant paths named in ADR 0002. */
export async function withSystem<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  const { db } = await getDatabase();
  return db.transaction(async (tx) => fn(tx as unknown as Tx));
}
