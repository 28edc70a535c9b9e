/**
 * What a request transaction (withTenant) promises, on both databases: its work is kept only when
 * it succeeds; a failure reports the statement that failed, not the "transaction is aborted" errors
 * it caused; a nested transaction is a savepoint. On PostgreSQL the transaction's BEGIN travels
 * with its first statements (db/pipelined-transaction.ts), so these are the guarantees that
 * pipelining must not change.
 */
import { randomUUID } from "node:crypto";
import { sql, type SQL } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowsOf, type Tx } from "../../db/client";
import { enqueueMail } from "../../app/modules/mail.server";
import { enterTenant, genericPlan, withSystem, withSystemStatement, withTenant, withTenantReads } from "../../app/utils/db.server";
import { enterCustomerAsPartner } from "../../app/modules/tenant-users.server";
import { createCustomersFor, createPartner } from "../support/factories";
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

describe("read-only tenant work (withTenantReads, for loaders)", () => {
  const whoAmI = async (tx: Tx) =>
    rowsOf<{ role: string; org: string; ro: string }>(
      await tx.execute(sql`select current_user as role, current_setting('app.org_id') as org, current_setting('transaction_read_only') as ro`),
    )[0]!;
  const customerNames = async (tx: Tx) =>
    rowsOf<{ name: string }>(await tx.execute(sql`select name from partner_customers order by name`)).map((r) => r.name);

  it("run every statement as the app role in the tenant's context, also statements issued together", async () => {
    const a = await createPartner(["global_admin"]);
    const b = await createPartner(["global_admin"]);
    await createCustomersFor(a, [{ name: "Alpha Bakery" }, { name: "Alpha Dairy" }]);
    await createCustomersFor(b, [{ name: "Beta Brewery" }]);
    const ctx = { orgId: a.orgId, userId: a.users.global_admin!.id };
    const [first, names, second, again] = await withTenantReads(ctx, (tx) => Promise.all([whoAmI(tx), customerNames(tx), whoAmI(tx), customerNames(tx)]));
    for (const me of [first, second]) expect(me).toEqual({ role: "partnerdesk_app", org: a.orgId, ro: "on" });
    // Row-level security: partner A's customers only.
    expect(names).toEqual(["Alpha Bakery", "Alpha Dairy"]);
    expect(again).toEqual(names);
  });

  it("refuse writes: nothing a loader does can change state", async () => {
    const ctx = await partnerContext();
    const tag = `ro-${randomUUID()}`;
    await expect(withTenantReads(ctx, (tx) => mail(tx, ctx.orgId, `${tag}-never`))).rejects.toMatchObject({ cause: { code: "25006" } });
    expect(await subjectsKept(tag)).toEqual([]);
  });

  it("refuse a context change meant for the statements after it (it needs withTenant)", async () => {
    const ctx = await partnerContext();
    await expect(withTenantReads(ctx, (tx) => enterCustomerAsPartner(tx, { customerId: randomUUID() }))).rejects.toThrow("needs a transaction");
    await expect(withTenantReads(ctx, (tx) => enterTenant(tx, ctx))).rejects.toThrow("needs a transaction");
    // In a transaction it is what it was: the database decides (no relationship: 403).
    await expect(withTenant(ctx, (tx) => enterCustomerAsPartner(tx, { customerId: randomUUID() }))).rejects.toMatchObject({ status: 403 });
  });

  it("report the statement that failed", async () => {
    const ctx = await partnerContext();
    await expect(withTenantReads(ctx, (tx) => tx.execute(sql`select 1 / 0`))).rejects.toMatchObject({ cause: { code: "22012" } });
  });

  it("plan a statement marked genericPlan once (PostgreSQL), the others for their values, all in the tenant's context", async () => {
    const a = await createPartner(["global_admin"]);
    await createCustomersFor(a, [{ name: "Gamma Garage" }]);
    const ctx = { orgId: a.orgId, userId: a.users.global_admin!.id };
    const state = (q: SQL) => async (tx: Tx) =>
      rowsOf<{ mode: string; role: string; org: string; ro: string; n: number }>(await tx.execute(q))[0]!;
    const probe = sql`select current_setting('plan_cache_mode') as mode, current_user as role, current_setting('app.org_id') as org,
      current_setting('transaction_read_only') as ro, (select count(*)::int from partner_customers) as n`;
    // Issued together, so the marked and the unmarked statement share the write and the connection.
    const [marked, plain, markedAgain] = await withTenantReads(ctx, (tx) => Promise.all([state(genericPlan(probe))(tx), state(probe)(tx), state(genericPlan(probe))(tx)]));
    const tenant = { role: "partnerdesk_app", org: a.orgId, ro: "on", n: 1 };
    // PGlite runs a loader's reads in one transaction with one prelude: planned for their values.
    const generic = postgresOnly ? "force_generic_plan" : "force_custom_plan";
    expect(marked).toEqual({ mode: generic, ...tenant });
    expect(markedAgain).toEqual({ mode: generic, ...tenant });
    expect(plain).toEqual({ mode: "force_custom_plan", ...tenant });
    // The mark does not reach transactions: their statements are planned for their values.
    expect(await withTenant(ctx, state(genericPlan(probe)))).toMatchObject({ mode: "force_custom_plan", role: "partnerdesk_app" });
  });

  it.runIf(postgresOnly)("fail as a whole when a statement fails, even one the function caught, and run nothing after it", async () => {
    const ctx = await partnerContext();
    await expect(
      withTenantReads(ctx, async (tx) => {
        await tx.execute(sql`select 1 / 0`).catch(() => {});
        return "answered";
      }),
    ).rejects.toMatchObject({ code: "22012" });
    let after = "not tried";
    await expect(
      withTenantReads(ctx, async (tx) => {
        await tx.execute(sql`select 1 / 0`).catch(() => {});
        after = await tx.execute(sql`select 1`).then(() => "ran", () => "refused");
      }),
    ).rejects.toMatchObject({ code: "22012" });
    expect(after).toBe("refused");
  });

  it.runIf(postgresOnly)("many at once, more than the pool has connections, leave no connection in a transaction", async () => {
    const ctx = await partnerContext();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) => withTenantReads(ctx, async (tx) => (i % 4 === 0 ? tx.execute(sql`select 1 / 0`) : whoAmI(tx)))),
    );
    expect(outcomes.filter((o) => o.status === "rejected")).toHaveLength(15);
    for (const o of outcomes) if (o.status === "fulfilled") expect(o.value).toMatchObject({ role: "partnerdesk_app", org: ctx.orgId });
    const open = await withSystem(async (tx) =>
      rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from pg_stat_activity where application_name = 'partnerdesk' and state like 'idle in transaction%' and datname = current_database()`)),
    );
    expect(open[0]!.n).toBe(0);
    // The connections went back to the pool outside any tenant context.
    expect(await withSystemStatement(async (db) => rowsOf<{ role: string }>(await db.execute(sql`select current_user as role`))[0]!.role)).not.toBe("partnerdesk_app");
  });

  it.runIf(postgresOnly)("refuse statements after the function returned", async () => {
    const ctx = await partnerContext();
    let leaked: Tx | undefined;
    await withTenantReads(ctx, async (tx) => {
      leaked = tx;
      return whoAmI(tx);
    });
    await expect(leaked!.execute(sql`select 1`)).rejects.toMatchObject({ cause: { message: expect.stringContaining("after its reads ended") } });
  });
});
