/**
 * What a request transaction (withTenant) promises, on both databases: its work is kept only when
 * it succeeds; a failure reports the statement that failed, not the "transaction is aborted" errors
 * it caused; a nested transaction is a savepoint. On PostgreSQL the transaction's BEGIN travels
 * with its first statements (db/pipelined-transaction.ts), so these are the guarantees that
 * pipelining must not change.
 */
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowsOf, type Tx } from "../../db/client";
import { enqueueMail } from "../../app/modules/mail.server";
import { withSystem, withSystemStatement, withTenant } from "../../app/utils/db.server";
import { createPartner } from "../support/factories";
import { installTestDatabase, testDbKind } from "../support/db";

installTestDatabase();

const postgresOnly = testDbKind() === "postgres";

async function subjectsKept(prefix: string) {
  return withSystem(async (tx) =>
    rowsOf<{ subject: string }>(await tx.execute(sql`select subject from mail_outbox where subject like ${`${prefix}%`} order by subject`)).map((r) => r.subject),
  );
}

async function partnerContext() {
  const p = await createPartner(["global_admin"]);
  return { orgId: p.orgId, userId: p.users.global_admin!.id };
}

const mail = (tx: Tx, orgId: string, subject: string) => enqueueMail(tx, { orgId, to: ["t@x.test"], subject, text: "t" });

describe("request transactions", () => {
  it("keep their work when they succeed and none of it when they fail", async () => {
    const ctx = await partnerContext();
    const tag = `tx-${randomUUID()}`;
    await withTenant(ctx, async (tx) => {
      await mail(tx, ctx.orgId, `${tag}-a`);
      await mail(tx, ctx.orgId, `${tag}-b`);
    });
    await expect(
      withTenant(ctx, async (tx) => {
        await mail(tx, ctx.orgId, `${tag}-c`);
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await subjectsKept(tag)).toEqual([`${tag}-a`, `${tag}-b`]);
  });

  it("report the statement that failed, not the aborted statements issued with it", async () => {
    const ctx = await partnerContext();
    const tag = `tx-${randomUUID()}`;
    const failure = withTenant(ctx, async (tx) => {
      await mail(tx, ctx.orgId, `${tag}-kept-only-if-committed`);
      await tx.execute(sql`create temporary table pd_tx_probe (id int primary key) on commit drop`);
      await tx.execute(sql`insert into pd_tx_probe values (1)`);
      // Issued together: the duplicate fails, and the statement after it meets an aborted transaction.
      await Promise.all([tx.execute(sql`insert into pd_tx_probe values (1)`), tx.execute(sql`select 1`)]);
    });
    await expect(failure).rejects.toMatchObject({ cause: { code: "23505" } });
    expect(await subjectsKept(tag)).toEqual([]);
  });

  it("treat a nested transaction as a savepoint: its failure undoes only its own work", async () => {
    const ctx = await partnerContext();
    const tag = `tx-${randomUUID()}`;
    await withTenant(ctx, async (tx) => {
      await mail(tx, ctx.orgId, `${tag}-outer`);
      await expect(
        tx.transaction(async (sp) => {
          await mail(sp as unknown as Tx, ctx.orgId, `${tag}-inner-undone`);
          throw new Error("inner failed");
        }),
      ).rejects.toThrow("inner failed");
      await tx.transaction(async (sp) => {
        await mail(sp as unknown as Tx, ctx.orgId, `${tag}-inner-kept`);
        // A savepoint inside a savepoint.
        await expect(
          sp.transaction(async (deeper) => {
            await mail(deeper as unknown as Tx, ctx.orgId, `${tag}-deeper-undone`);
            await deeper.execute(sql`select 1 / 0`);
          }),
        ).rejects.toMatchObject({ cause: { code: "22012" } });
      });
      await mail(tx, ctx.orgId, `${tag}-outer-after`);
    });
    expect(await subjectsKept(tag)).toEqual([`${tag}-inner-kept`, `${tag}-outer`, `${tag}-outer-after`]);
  });

  it("plan tenant statements for their actual values; other statements may reuse a generic plan", async () => {
    const ctx = await partnerContext();
    const mode = async (tx: Tx) => rowsOf<{ mode: string }>(await tx.execute(sql`select current_setting('plan_cache_mode') as mode`))[0]!.mode;
    expect(await withTenant(ctx, mode)).toBe("force_custom_plan");
    expect(await withSystemStatement(mode)).toBe("auto");
    expect(await withSystem(mode)).toBe("auto");
  });

  it.runIf(postgresOnly)("fail when a statement nobody awaited failed, and refuse statements after they ended", async () => {
    const ctx = await partnerContext();
    const tag = `tx-${randomUUID()}`;
    let leaked: Tx | undefined;
    await expect(
      withTenant(ctx, async (tx) => {
        leaked = tx;
        await mail(tx, ctx.orgId, `${tag}-a`);
        void tx.execute(sql`select 1 / 0`).catch(() => {});
        await tx.execute(sql`select pg_sleep(0.01)`).catch(() => {});
      }),
    ).rejects.toMatchObject({ code: "22012" });
    expect(await subjectsKept(tag)).toEqual([]);
    await expect(leaked!.execute(sql`select 1`)).rejects.toMatchObject({ cause: { message: expect.stringContaining("after its transaction ended") } });
  });

  it.runIf(postgresOnly)("many at once, more than the pool has connections, each commit or roll back on their own", async () => {
    const ctx = await partnerContext();
    const tag = `tx-${randomUUID()}`;
    const outcomes = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) =>
        withTenant(ctx, async (tx) => {
          await mail(tx, ctx.orgId, `${tag}-${String(i).padStart(2, "0")}`);
          if (i % 3 === 0) await tx.execute(sql`select 1 / 0`);
        }),
      ),
    );
    expect(outcomes.filter((o) => o.status === "rejected")).toHaveLength(20);
    const kept = await subjectsKept(tag);
    expect(kept).toEqual(Array.from({ length: 60 }, (_, i) => i).filter((i) => i % 3 !== 0).map((i) => `${tag}-${String(i).padStart(2, "0")}`));
    // Nothing was left open: every connection is back and idle, outside a transaction.
    const open = await withSystem(async (tx) =>
      rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from pg_stat_activity where application_name = 'partnerdesk' and state = 'idle in transaction' and datname = current_database()`)),
    );
    expect(open[0]!.n).toBe(0);
  });
});
