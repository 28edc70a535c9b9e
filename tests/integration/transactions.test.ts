/**
 * What a request transaction promises, on both databases (ADR 0032): withTenant's work is kept
 * only when it succeeds; a failure reports the statement that failed, not the "transaction is
 * aborted" errors it caused; a nested transaction is a savepoint. withTenantReads (loaders) is the
 * same in a READ ONLY transaction: a GET cannot write. Both run every statement as the app role in
 * the tenant's context, and neither lets a statement run after it ended.
 */
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowsOf, type Tx } from "../../db/client";
import { enqueueMail } from "../../app/modules/platform/mail.server";
import { enterTenant, withSystem, withTenant, withTenantReads } from "../../app/utils/db.server";
import { enterCustomerAsPartner } from "../../app/modules/customer-tenant/tenant-users.server";
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
    expect(await withTenantReads(ctx, mode)).toBe("force_custom_plan");
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

describe("read-only tenant transactions (withTenantReads, for loaders)", () => {
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

  it("keep a context change for the statements after it (one transaction): acting in a customer is the database's decision", async () => {
    const ctx = await partnerContext();
    // No relationship: the database refuses (403), in a read-only transaction as in a read-write one.
    await expect(withTenantReads(ctx, (tx) => enterCustomerAsPartner(tx, { customerId: randomUUID() }))).rejects.toMatchObject({ status: 403 });
    await expect(withTenant(ctx, (tx) => enterCustomerAsPartner(tx, { customerId: randomUUID() }))).rejects.toMatchObject({ status: 403 });
    // Entering another tenant reaches the statements after it.
    const other = await partnerContext();
    const orgs = await withTenantReads(ctx, async (tx) => {
      const before = (await whoAmI(tx)).org;
      await enterTenant(tx, other);
      return [before, (await whoAmI(tx)).org];
    });
    expect(orgs).toEqual([ctx.orgId, other.orgId]);
  });

  it("report the statement that failed", async () => {
    const ctx = await partnerContext();
    await expect(withTenantReads(ctx, (tx) => tx.execute(sql`select 1 / 0`))).rejects.toMatchObject({ cause: { code: "22012" } });
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
    const roles = await Promise.all(Array.from({ length: 20 }, () => withSystem(async (tx) => rowsOf<{ role: string }>(await tx.execute(sql`select current_user as role`))[0]!.role)));
    expect(roles.filter((r) => r === "partnerdesk_app")).toEqual([]);
  });

  it.runIf(postgresOnly)("refuse statements after the function returned", async () => {
    const ctx = await partnerContext();
    let leaked: Tx | undefined;
    await withTenantReads(ctx, async (tx) => {
      leaked = tx;
      return whoAmI(tx);
    });
    await expect(leaked!.execute(sql`select 1`)).rejects.toMatchObject({ cause: { message: expect.stringContaining("after its transaction ended") } });
  });
});
