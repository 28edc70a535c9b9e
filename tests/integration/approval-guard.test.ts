/**
 * DAP/GDAP approval belongs to the customer, and the database keeps it so (security review of
 * issue 28; migration 0045, ADR 0010): as the app role, a partner's context asks, withdraws and
 * terminates, but never writes an approved (active) relationship, never asks a customer it has no
 * relationship with, and never changes the partner, customer, roles or end of an approved one.
 * Partner staff acting in a customer approve nothing either. Run on PGlite and PostgreSQL.
 */
import { randomUUID } from "node:crypto";
import { sql, type SQL } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { rowsOf, APP_ROLE, type Tx } from "../../db/client";
import { withSystem } from "../../app/utils/db.server";
import { createCustomer, createPartner, relate, type OrgFixture } from "../support/factories";
import { installTestDatabase } from "../support/db";

installTestDatabase();

class Rollback extends Error {}
type Outcome = "rows" | "none" | "denied";

/**
 * Runs statements as the app role in an organisation's context (after `prelude`, e.g. acting in a
 * customer), rolled back unless `keep`. The outcome is the last statement's.
 */
async function asApp(org: OrgFixture, statements: SQL[], { keep = false }: { keep?: boolean } = {}): Promise<Outcome> {
  let outcome: Outcome = "none";
  try {
    await withSystem(async (tx: Tx) => {
      await tx.execute(sql`select set_config('app.org_id', ${org.orgId}, true), set_config('app.user_id', ${org.users.global_admin!.id}, true)`);
      await tx.execute(sql.raw(`set local role ${APP_ROLE}`));
      for (const statement of statements) {
        try {
          const result = await tx.execute(statement);
          const rows = rowsOf(result);
          const affected = (result as { affectedRows?: number; count?: number }).affectedRows ?? (result as { count?: number }).count ?? 0;
          outcome = rows.length > 0 || affected > 0 ? "rows" : "none";
        } catch (error) {
          const cause = ((error as Error).cause ?? error) as { code?: string };
          if (cause.code === "42501") {
            outcome = "denied";
            throw new Rollback();
          }
          throw error;
        }
      }
      if (!keep) throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return outcome;
}

const one = async <T>(q: SQL) => (await withSystem(async (tx) => rowsOf<T>(await tx.execute(q))))[0];

let partner: OrgFixture;
let customer: OrgFixture;
/** A customer the partner has no relationship with. */
let stranger: OrgFixture;
let otherPartner: OrgFixture;

const dapRow = (p: OrgFixture, c: OrgFixture) => one<{ status: string }>(sql`select status from relationships where partner_org_id = ${p.orgId} and customer_org_id = ${c.orgId} and type = 'dap'`);
const actIn = (c: OrgFixture) => sql`select pd_act_in_customer(${c.orgId}::uuid)`;

async function gdapRequest(status: string, extra: { endsAt?: string } = {}) {
  const row = await one<{ id: string }>(sql`insert into admin_relationships (partner_org_id, customer_org_id, display_name, duration_days, roles, status, approval_code, request_expires_at, ends_at)
    values (${partner.orgId}, ${customer.orgId}, ${`Guard ${randomUUID()}`.slice(0, 40)}, 30, '{x}', ${status}, ${randomUUID()}, now() + interval '90 days', ${extra.endsAt ?? null}::timestamptz) returning id`);
  return row!.id;
}

beforeAll(async () => {
  partner = await createPartner();
  otherPartner = await createPartner();
  customer = await createCustomer();
  stranger = await createCustomer();
  await relate(partner, customer);
  await relate(otherPartner, customer);
  await relate(otherPartner, stranger);
});

describe("DAP: only the customer approves", () => {
  it("a partner's context may ask its own customer, but not insert an active or pending DAP, nor ask a customer it has no relationship with", async () => {
    const insert = (c: OrgFixture, status: string) =>
      sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${partner.orgId}, ${c.orgId}, 'dap', ${status}) returning id`;
    expect(await asApp(partner, [insert(customer, "active")])).toBe("denied");
    // 'pending' would be activated by the customer's next agreement acceptance.
    expect(await asApp(partner, [insert(customer, "pending")])).toBe("denied");
    expect(await asApp(partner, [insert(stranger, "requested")])).toBe("denied");
    expect(await asApp(partner, [insert(stranger, "active")])).toBe("denied");
    expect(await asApp(partner, [insert(customer, "requested")])).toBe("rows");
    // The same as an upsert that turns an ended DAP back on.
    await withSystem((tx) => tx.execute(sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${partner.orgId}, ${customer.orgId}, 'dap', 'ended')`));
    expect(
      await asApp(partner, [
        sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${partner.orgId}, ${customer.orgId}, 'dap', 'requested')
          on conflict (partner_org_id, customer_org_id, type) do update set status = 'active', started_at = now() returning id`,
      ]),
    ).toBe("denied");
    expect((await dapRow(partner, customer))!.status).toBe("ended");
    expect(await asApp(partner, [actIn(customer)])).toBe("denied");
  });

  it("a partner's context cannot turn its requested DAP active; the customer's context approves it, and only then may the partner act in the customer", async () => {
    await withSystem((tx) => tx.execute(sql`update relationships set status = 'requested' where partner_org_id = ${partner.orgId} and customer_org_id = ${customer.orgId} and type = 'dap'`));
    const approve = sql`update relationships set status = 'active', started_at = now() where partner_org_id = ${partner.orgId} and customer_org_id = ${customer.orgId} and type = 'dap' returning id`;
    expect(await asApp(partner, [approve])).toBe("denied");
    expect(await asApp(partner, [sql`update relationships set status = 'pending' where partner_org_id = ${partner.orgId} and customer_org_id = ${customer.orgId} and type = 'dap' returning id`])).toBe("denied");
    expect((await dapRow(partner, customer))!.status).toBe("requested");
    expect(await asApp(partner, [actIn(customer)])).toBe("denied");

    expect(await asApp(customer, [approve], { keep: true })).toBe("rows");
    expect((await dapRow(partner, customer))!.status).toBe("active");
    expect(await asApp(partner, [actIn(customer)])).toBe("rows");
    // Neither side moves the relationship to another partner or customer.
    expect(await asApp(partner, [sql`update relationships set customer_org_id = ${stranger.orgId} where partner_org_id = ${partner.orgId} and type = 'dap' returning id`])).toBe("denied");
    expect(await asApp(customer, [sql`update relationships set partner_org_id = ${otherPartner.orgId} where partner_org_id = ${partner.orgId} and type = 'dap' returning id`])).toBe("denied");
  });

  it("partner staff acting in a customer cannot approve another partner's request, nor their own", async () => {
    await withSystem((tx) => tx.execute(sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${otherPartner.orgId}, ${customer.orgId}, 'dap', 'requested')`));
    const approveOther = sql`update relationships set status = 'active' where partner_org_id = ${otherPartner.orgId} and customer_org_id = ${customer.orgId} and type = 'dap' returning id`;
    expect(await asApp(partner, [actIn(customer), approveOther])).toBe("denied");
    expect((await dapRow(otherPartner, customer))!.status).toBe("requested");
    // The customer's own context may.
    expect(await asApp(customer, [approveOther])).toBe("rows");
  });

  it("accepting the agreement activates reseller and advisor relationships, never a DAP or GDAP row left pending", async () => {
    const c = await createCustomer(undefined, { agreement: "pending" });
    await withSystem(async (tx) => {
      for (const type of ["reseller", "dap", "gdap"]) {
        await tx.execute(sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${partner.orgId}, ${c.orgId}, ${type}, 'pending')`);
      }
    });
    expect(await asApp(c, [sql`insert into agreement_acceptances (customer_org_id, version) values (${c.orgId}, pd_current_agreement_version()) returning version`], { keep: true })).toBe("rows");
    const rows = await withSystem(async (tx) =>
      rowsOf<{ type: string; status: string }>(await tx.execute(sql`select type, status from relationships where partner_org_id = ${partner.orgId} and customer_org_id = ${c.orgId} order by type`)),
    );
    expect(rows).toEqual([
      { type: "dap", status: "pending" },
      { type: "gdap", status: "pending" },
      { type: "reseller", status: "active" },
    ]);
    expect(await asApp(partner, [actIn(c)])).toBe("denied");
  });
});

describe("reseller: the partner's context neither creates nor activates one", () => {
  it("a partner cannot insert a reseller relationship nor turn a pending one active; it may end its own", async () => {
    const c = await createCustomer(undefined, { agreement: "pending" });
    await relate(partner, c, "pending");
    expect(await asApp(partner, [sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${partner.orgId}, ${stranger.orgId}, 'reseller', 'pending') returning id`])).toBe("denied");
    // An advisor of a customer does not make itself its reseller.
    const advised = await createCustomer();
    await withSystem((tx) => tx.execute(sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${partner.orgId}, ${advised.orgId}, 'advisor', 'active')`));
    expect(await asApp(partner, [sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${partner.orgId}, ${advised.orgId}, 'reseller', 'pending') returning id`])).toBe("denied");
    // It may ask its advised customer for delegated administration, as a request.
    expect(await asApp(partner, [sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${partner.orgId}, ${advised.orgId}, 'dap', 'requested') returning id`])).toBe("rows");
    const activate = sql`update relationships set status = 'active' where partner_org_id = ${partner.orgId} and customer_org_id = ${c.orgId} and type = 'reseller' returning id`;
    expect(await asApp(partner, [activate])).toBe("denied");
    expect(await asApp(partner, [sql`update relationships set status = 'ended', ended_at = now() where partner_org_id = ${partner.orgId} and customer_org_id = ${c.orgId} and type = 'reseller' returning id`])).toBe("rows");
  });
});

describe("GDAP: only the customer approves", () => {
  const insertRequest = (status: string, customerId: string | null, approved = false) =>
    sql`insert into admin_relationships (partner_org_id, customer_org_id, display_name, duration_days, roles, status, approval_code, request_expires_at, approved_at, ends_at)
      values (${partner.orgId}, ${customerId}, ${`Ask ${randomUUID()}`.slice(0, 40)}, 30, '{x}', ${status}, ${randomUUID()}, now() + interval '90 days',
              ${approved ? sql`now(), now() + interval '30 days'` : sql`null, null`}) returning id`;

  it("a partner's context inserts requests only: not active, not pre-approved, not to a customer it has no relationship with", async () => {
    expect(await asApp(partner, [insertRequest("active", customer.orgId)])).toBe("denied");
    expect(await asApp(partner, [insertRequest("approval_pending", customer.orgId, true)])).toBe("denied");
    expect(await asApp(partner, [insertRequest("approval_pending", stranger.orgId)])).toBe("denied");
    expect(await asApp(partner, [insertRequest("approval_pending", customer.orgId)])).toBe("rows");
    expect(await asApp(partner, [insertRequest("created", null)])).toBe("rows");
  });

  it("a partner's context cannot approve its request, extend an approved one, or move it to other roles or another customer", async () => {
    const pending = await gdapRequest("approval_pending");
    const byId = (id: string, set: SQL) => sql`update admin_relationships set ${set} where id = ${id} returning id`;
    expect(await asApp(partner, [byId(pending, sql`status = 'active', approved_at = now(), ends_at = now() + interval '30 days'`)])).toBe("denied");
    expect(await asApp(partner, [byId(pending, sql`status = 'active'`)])).toBe("denied");
    expect(await asApp(partner, [byId(pending, sql`customer_org_id = ${stranger.orgId}`)])).toBe("denied");
    expect(await asApp(partner, [byId(pending, sql`roles = '{62e90394-69f5-4237-9190-012177145e10}'`)])).toBe("denied");
    expect((await one<{ status: string }>(sql`select status from admin_relationships where id = ${pending}`))!.status).toBe("approval_pending");

    const active = await gdapRequest("active", { endsAt: new Date(Date.now() + 86_400_000).toISOString() });
    expect(await asApp(partner, [byId(active, sql`ends_at = ends_at + interval '700 days'`)])).toBe("denied");
    const expired = await gdapRequest("expired");
    expect(await asApp(partner, [byId(expired, sql`status = 'active', ends_at = now() + interval '30 days'`)])).toBe("denied");
    const terminated = await gdapRequest("termination_requested", { endsAt: new Date(Date.now() + 86_400_000).toISOString() });
    expect(await asApp(partner, [byId(terminated, sql`status = 'active'`)])).toBe("denied");

    // What a partner does: withdraw a request, ask to terminate an active relationship.
    expect(await asApp(partner, [byId(pending, sql`status = 'terminated', ended_at = now(), end_reason = 'withdrawn by the partner'`)])).toBe("rows");
    expect(await asApp(partner, [byId(active, sql`status = 'termination_requested', end_reason = 'terminated by the partner'`)])).toBe("rows");
  });

  it("the summarising GDAP row turns active only with an active GDAP relationship; the customer approves, and partner staff acting in the customer do not", async () => {
    const c = await createCustomer();
    await relate(partner, c);
    await withSystem((tx) => tx.execute(sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${partner.orgId}, ${c.orgId}, 'gdap', 'requested')`));
    const summaryActive = sql`update relationships set status = 'active' where partner_org_id = ${partner.orgId} and customer_org_id = ${c.orgId} and type = 'gdap' returning id`;
    expect(await asApp(partner, [summaryActive])).toBe("denied");

    const row = await one<{ id: string }>(sql`insert into admin_relationships (partner_org_id, customer_org_id, display_name, duration_days, roles, status, approval_code, request_expires_at)
      values (${partner.orgId}, ${c.orgId}, ${`Summary ${randomUUID()}`.slice(0, 40)}, 30, '{x}', 'approval_pending', ${randomUUID()}, now() + interval '90 days') returning id`);
    const approve = sql`update admin_relationships set status = 'active', approved_at = now(), ends_at = now() + interval '30 days' where id = ${row!.id} returning id`;
    // Partner staff holding DAP in the customer, acting there, approve nothing.
    await withSystem((tx) => tx.execute(sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${partner.orgId}, ${c.orgId}, 'dap', 'active')`));
    expect(await asApp(partner, [actIn(c), approve])).toBe("denied");
    expect(await asApp(partner, [actIn(c), summaryActive])).toBe("denied");
    expect((await one<{ status: string }>(sql`select status from admin_relationships where id = ${row!.id}`))!.status).toBe("approval_pending");

    expect(await asApp(c, [approve, summaryActive], { keep: true })).toBe("rows");
    expect((await one<{ status: string }>(sql`select status from admin_relationships where id = ${row!.id}`))!.status).toBe("active");
  });

  it("another partner's context touches none of it", async () => {
    const pending = await gdapRequest("approval_pending");
    expect(await asApp(otherPartner, [sql`update admin_relationships set status = 'active' where id = ${pending} returning id`])).toBe("none");
    expect(
      await asApp(otherPartner, [
        sql`insert into admin_relationships (partner_org_id, customer_org_id, display_name, duration_days, roles, status, approval_code, request_expires_at)
          values (${partner.orgId}, ${customer.orgId}, 'x', 30, '{x}', 'approval_pending', ${randomUUID()}, now() + interval '90 days') returning id`,
      ]),
    ).toBe("denied");
  });
});
