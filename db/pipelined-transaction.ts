/**
 * A PostgreSQL transaction whose BEGIN travels with its first statements.
 *
 * postgres.js's `begin()` awaits BEGIN before it runs the transaction's function, so every
 * transaction costs a round trip that carries nothing: a write to the server, a read of its
 * answer and a turn of the event loop before the first real statement leaves (ADR 0015). Here
 * the transaction runs on a reserved connection, on which postgres.js pipelines statements in the
 * order they are issued: BEGIN, the prelude (the tenant context) and the function's first
 * statement leave in one write. If BEGIN fails, the connection is gone, and so is everything
 * queued behind it; if the prelude fails, the transaction is aborted and nothing of the function
 * runs without its context.
 *
 * Semantics follow `begin()`: COMMIT when the function resolves, ROLLBACK when it (or any of its
 * statements, awaited or not) fails, the first error reported rather than the "current transaction
 * is aborted" errors it caused, and savepoints for nested transactions.
 */
import type { ReservedSql, Sql } from "postgres";

type Client = Sql<Record<string, never>>;
type Scoped = Client & { savepoint: <T>(nameOrFn: string | ((sql: Scoped) => Promise<T>), fn?: (sql: Scoped) => Promise<T>) => Promise<T> };

const ABORTED = "25P02";

export async function pipelinedTransaction<T>(client: Client, prelude: string, fn: (sql: Scoped) => Promise<T>): Promise<T> {
  const reserved = await client.reserve();
  let savepoints = 0;
  try {
    // BEGIN and the prelude as one simple query: one message, parsed and run as it arrives.
    const entered = reserved.unsafe(`begin; ${prelude}`).simple().execute();
    return await scope(reserved, [entered], fn, null);
  } finally {
    reserved.release();
  }

  async function scope<R>(sql: ReservedSql<Record<string, never>>, first: Promise<unknown>[], body: (sql: Scoped) => Promise<R>, name: string | null): Promise<R> {
    let failed: unknown;
    let ended = false;
    const scoped = new Proxy(sql, {
      get(target, property, receiver) {
        if (property === "unsafe") {
          return (...args: Parameters<typeof target.unsafe>) => {
            if (ended) throw new Error("statement issued after its transaction ended");
            const query = target.unsafe(...args);
            // Like begin(): a statement nobody awaited still fails the transaction.
            query.catch((e: unknown) => (failed ??= e));
            return query;
          };
        }
        if (property === "savepoint") {
          return (nameOrFn: string | ((s: Scoped) => Promise<unknown>), inner?: (s: Scoped) => Promise<unknown>) => {
            const run = typeof nameOrFn === "function" ? nameOrFn : inner!;
            const label = `s${savepoints++}${typeof nameOrFn === "string" ? `_${nameOrFn.replace(/[^a-z0-9_]/gi, "")}` : ""}`;
            return scope(sql, [sql.unsafe(`savepoint ${label}`).execute()], run, label);
          };
        }
        if (property === "begin" || property === "reserve" || property === "release") {
          return () => {
            throw new Error(`${String(property)}() inside a transaction`);
          };
        }
        return Reflect.get(target, property, receiver);
      },
    }) as unknown as Scoped;

    // Wait for the body to settle even when an opening statement failed: a statement it issues
    // after the ROLLBACK would otherwise run outside this transaction, on a released connection.
    const [opened, done] = await Promise.allSettled([Promise.all(first), body(scoped)]);
    const error = opened.status === "rejected" ? opened.reason : done.status === "rejected" ? done.reason : failed;
    if (error !== undefined || done.status === "rejected") {
      ended = true;
      await sql.unsafe(name ? `rollback to savepoint ${name}` : "rollback").catch(() => {});
      throw (error as { code?: string } | undefined)?.code === ABORTED && failed ? failed : error;
    }
    ended = true;
    await sql.unsafe(name ? `release savepoint ${name}` : "commit");
    return (done as PromiseFulfilledResult<R>).value;
  }
}

/**
 * Read-only work without a transaction round trip of its own: every statement fn issues runs in
 * its own READ ONLY transaction, sent as one write with BEGIN, the prelude and COMMIT around it
 * (ADR 0017). A request that reads with one statement then costs one round trip in all, where a
 * transaction costs two (the COMMIT after the last statement waits for that statement's answer).
 *
 * What fn sees is what it would see in one READ COMMITTED transaction: each statement reads its
 * own snapshot there too, and as there, a failed statement fails the whole (statements after it are
 * refused, and fn's result is the failure even if fn caught it). What differs: a write fails
 * (read_only_sql_transaction), the transaction timestamp is the statement's, and nothing a
 * statement sets (SET LOCAL) outlives it. The statements share one reserved connection, so they
 * run in the order fn issues them. The prelude may depend on the statement it precedes (a function
 * of the statement's text): the tenant prelude chooses the statement's plan cache mode that way.
 */
export async function pipelinedReads<T>(client: Client, prelude: string | ((statement: string) => string), fn: (sql: Client) => Promise<T>): Promise<T> {
  const reserved = await client.reserve();
  try {
    return await readsOn(reserved, prelude, fn);
  } finally {
    reserved.release();
  }
}

/**
 * One statement outside any transaction (in the connection's own role), then read-only work as in
 * pipelinedReads, on one reserved connection: issued before the event loop turns, the statement
 * and the reads' first statement leave in one write and run in that order (ADR 0023). The reads
 * neither wait for the statement nor depend on its result; their outcome is reported settled, so
 * that the caller, which may discard it, decides what a failure means. The statement's failure is
 * the call's.
 */
export async function statementThenReads<A, T>(
  client: Client,
  first: (sql: Client) => Promise<A>,
  prelude: string | ((statement: string) => string),
  fn: (sql: Client) => Promise<T>,
): Promise<[A, PromiseSettledResult<T>]> {
  const reserved = await client.reserve();
  try {
    // Handed to the server as soon as it is issued, as the reads' statements are (drizzle would
    // start it only when it awaits it, a microtask later), so that it goes first.
    const atOnce = new Proxy(reserved, {
      get(target, property, receiver) {
        if (property === "unsafe") return (...args: Parameters<typeof target.unsafe>) => target.unsafe(...args).execute();
        return Reflect.get(target, property, receiver);
      },
    });
    const head = first(atOnce as unknown as Client);
    const reads = readsOn(reserved, prelude, fn);
    const [a, r] = await Promise.allSettled([head, reads]);
    if (a.status === "rejected") throw a.reason;
    return [a.value, r];
  } finally {
    reserved.release();
  }
}

/** pipelinedReads on a connection the caller reserved (and releases, after this settles). */
async function readsOn<T>(reserved: ReservedSql<Record<string, never>>, prelude: string | ((statement: string) => string), fn: (sql: Client) => Promise<T>): Promise<T> {
  const issued: Promise<unknown>[] = [];
  let preludeError: unknown;
  let failed: unknown;
  let ended = false;
  const scoped = new Proxy(reserved, {
    get(target, property, receiver) {
      if (property === "unsafe") {
        return (...args: Parameters<typeof target.unsafe>) => {
          if (ended) throw new Error("statement issued after its reads ended");
          // As in a transaction, nothing runs after a failed statement, and the failure is fn's.
          if (failed !== undefined) throw failed;
          // Issued in this order on one connection, these leave in one write (postgres.js
          // coalesces what is queued before the event loop turns) and run in this order.
          const settle = (q: Promise<unknown>, onError?: (e: unknown) => void) => issued.push(q.catch((e: unknown) => onError?.(e)));
          // BEGIN and the prelude as one simple query (no parameters): one message for the
          // server, with no parse, describe and bind of its own, and one query for postgres.js.
          const before = typeof prelude === "function" ? prelude(String(args[0])) : prelude;
          settle(target.unsafe(`begin read only; ${before}`).simple().execute(), (e) => (preludeError ??= e));
          const query = target.unsafe(...args);
          settle(query, (e) => (failed ??= e));
          // COMMIT of a failed statement's transaction rolls it back; it reports no error.
          settle(target.unsafe("commit").simple().execute());
          return query;
        };
      }
      if (property === "begin" || property === "reserve" || property === "release" || property === "savepoint") {
        return () => {
          throw new Error(`${String(property)}() in read-only statements`);
        };
      }
      return Reflect.get(target, property, receiver);
    },
  }) as unknown as Client;
  try {
    const result = await fn(scoped);
    if (failed !== undefined) throw failed;
    return result;
  } catch (error) {
    // A statement that ran without its context reports "transaction is aborted"; the cause is the prelude's error.
    throw (error as { code?: string } | undefined)?.code === ABORTED && preludeError ? preludeError : error;
  } finally {
    ended = true;
    // A statement nobody awaited must finish before the connection goes back to the pool.
    await Promise.allSettled(issued);
  }
}
