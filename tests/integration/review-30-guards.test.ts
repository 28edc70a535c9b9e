/**
 * Issue 30 review: what the database holds since migration 0057 (findings 1-7 and 10 of the adversarial
 * review; 10 by migration 0059; each attack failed before it, on PGlite and PostgreSQL).
 */
import { sql, type SQL } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { APP_ROLE, rowsOf } from "../../db/client";
import { withSystem } from "../../app/utils/db.server";
import { createCustomer, createPartner, relate, type OrgFixture } from "../support/factories";
import { installTestDatabase } from "../support/db";

installTestDatabase();

const one = async <T>(q: SQL) => (await withSystem(async (tx) => rowsOf<T>(await tx.execute(q))))[0]!;
const exec = (q: SQL) => withSystem((tx) => tx.execute(q));
const addRelationship = (p: OrgFixture, c: OrgFixture, type: string, status: string) =>
  exec(sql`insert into relationships (partner_org_id, customer_org_id, type, status, started_at, ended_at)
           values (${p.orgId}, ${c.orgId}, ${type}, ${status}, now(), ${status === "ended" ? sql`now()` : null})
           on conflict (partner_org_id, customer_org_id, type) do update set status = excluded.status, ended_at = excluded.ended_at`);

async function asApp(org: OrgFixture, userId: string, statement: SQL, actIn?: OrgFixture): Promise<"denied" | number> {
  class Rollback extends Error {}
  let outcome: "denied" | number = 0;
  try {
    await withSystem(async (tx) => {
      await tx.execute(sql`select set_config('app.org_id', ${org.orgId}, true), set_config('app.user_id', ${userId}, true)`);
      await tx.execute(sql.raw(`set local role ${APP_ROLE}`));
      if (actIn) await tx.execute(sql`select pd_act_in_customer(${actIn.orgId}::uuid)`);
      try {
        outcome = rowsOf<unknown>(await tx.execute(statement)).length;
      } catch (error) {
        const cause = ((error as Error).cause ?? error) as { code?: string };
        if (cause.code !== "42501") throw error;
        outcome = "denied";
      }
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return outcome;
}
const held = (o: "denied" | number) => o === "denied" || o === 0;

async function pair() {
  const p = await createPartner();
  const c = await createCustomer();
  await relate(p, c);
  return { p, c };
}

describe("FINDING 1 (fixed by 0057): the partner's context writes the 'partner' relationship type itself", () => {
  it("a partner cannot reactivate the 'partner' relationship the customer ended, nor create one without a person invited", async () => {
    const { p, c } = await pair();
    await addRelationship(p, c, "partner", "ended");
    const ga = p.users.global_admin!.id;
    const reactivate = await asApp(p, ga, sql`update relationships set status = 'active', ended_at = null where customer_org_id = ${c.orgId} and type = 'partner' returning id`);
    const c2 = await createCustomer();
    await relate(p, c2);
    const create = await asApp(p, ga, sql`insert into relationships (partner_org_id, customer_org_id, type, status, started_at) values (${p.orgId}, ${c2.orgId}, 'partner', 'active', now()) returning id`);
    expect({ reactivate: held(reactivate), create: held(create) }).toEqual({ reactivate: true, create: true });
  });
});

describe("FINDING 2: the partner's context creates an active subscription advisor relationship itself", () => {
  it("a partner cannot make itself the customer's subscription advisor (Partner of Record) at the database", async () => {
    const { p, c } = await pair();
    const res = await asApp(p, p.users.global_admin!.id, sql`insert into relationships (partner_org_id, customer_org_id, type, status, started_at) values (${p.orgId}, ${c.orgId}, 'advisor', 'active', now()) returning id`);
    expect(held(res)).toBe(true);
  });
});

describe("FINDING 3: the customer's context reactivates relationships the partner ended", () => {
  it("a customer cannot turn a DAP relationship the partner ended back on without a new request", async () => {
    const { p, c } = await pair();
    await addRelationship(p, c, "dap", "ended");
    const res = await asApp(c, c.users.global_admin!.id, sql`update relationships set status = 'active', ended_at = null where partner_org_id = ${p.orgId} and type = 'dap' returning id`);
    expect(held(res)).toBe(true);
  });
});

describe("FINDING 4: an Advisor-only partner acting in the customer writes more than passwords and service requests at the database", () => {
  it("as the Advisor only, no subscription or organisation of the customer changes", async () => {
    const { p, c } = await pair();
    await addRelationship(p, c, "support_advisor", "active");
    await exec(sql`insert into subscriptions (customer_org_id, product_id, licences, status) values (${c.orgId}, 'business-basic', 2, 'active')`);
    const agent = p.users.admin_agent!.id;
    const results = {
      subscription: await asApp(p, agent, sql`update subscriptions set licences = 500 where customer_org_id = ${c.orgId} returning id`, c),
      cancel: await asApp(p, agent, sql`update subscriptions set status = 'cancelled' where customer_org_id = ${c.orgId} returning id`, c),
      rename: await asApp(p, agent, sql`update organisations set name = 'Renamed by advisor' where id = ${c.orgId} returning id`, c),
    };
    expect(Object.fromEntries(Object.entries(results).map(([k, v]) => [k, held(v)]))).toEqual({ subscription: true, cancel: true, rename: true });
  });
});

describe("FINDING 5: the database lets a customer's plain user (or billing admin) answer requests and review LOB apps", () => {
  it("only the customer's global admin approves a request or a LOB app at the database (as MPSA sharing already checks)", async () => {
    const { p, c } = await pair();
    await addRelationship(p, c, "support_advisor", "requested");
    await addRelationship(p, c, "lob", "active");
    const app = await one<{ id: string }>(sql`insert into lob_apps (customer_org_id, partner_org_id, partner_name, name, version, description, download_url)
      values (${c.orgId}, ${p.orgId}, ${p.name}, 'Expenses', '1.0', 'd', 'https://apps.example.com/x.msi') returning id`);
    const user = c.users.user!.id;
    const results = {
      approve: await asApp(c, user, sql`update relationships set status = 'active' where partner_org_id = ${p.orgId} and customer_org_id = ${c.orgId} and type = 'support_advisor' returning id`),
      lob: await asApp(c, user, sql`update lob_apps set status = 'approved', reviewed_by_org_id = ${c.orgId} where id = ${app.id} returning id`),
    };
    expect(Object.fromEntries(Object.entries(results).map(([k, v]) => [k, held(v)]))).toEqual({ approve: true, lob: true });
  });
});

describe("FINDING 6: a LOB submission's partner name is whatever the inserting partner writes", () => {
  it("the database refuses a lob_apps row whose partner_name is not the partner's own name", async () => {
    const { p, c } = await pair();
    await addRelationship(p, c, "lob", "active");
    const res = await asApp(p, p.users.admin_agent!.id, sql`insert into lob_apps (customer_org_id, partner_org_id, partner_name, name, version, description, download_url, submitted_by_name)
      values (${c.orgId}, ${p.orgId}, 'Contoso (your trusted vendor)', 'Expenses', '1.0', 'd', 'https://apps.example.com/x.msi', 'Your IT department') returning id`);
    expect(held(res)).toBe(true);
  });
});

describe("FINDING 7: partner staff acting in a customer invite a 'partner' person naming any partner", () => {
  it("a DAP partner acting in the customer cannot name a (third) partner on an invitation", async () => {
    const { p, c } = await pair();
    await addRelationship(p, c, "dap", "active");
    const third = await createPartner(["global_admin"]);
    const victim = await createCustomer(["user"]);
    const res = await asApp(
      p,
      p.users.admin_agent!.id,
      sql`insert into memberships (org_id, user_id, roles, invited_email, partner_org_id) values (${c.orgId}, ${victim.users.user!.id}, '{user}', ${victim.users.user!.email}, ${third.orgId}) returning user_id`,
      c,
    );
    expect(res).toBe("denied");
  });
});

describe("FINDING 10 (fixed by 0059): partner staff acting through a helpdesk-only GDAP relationship change the customer's roles at the database", () => {
  it("with only the Helpdesk Administrator role granted, no member becomes global admin through the partner", async () => {
    const { p, c } = await pair();
    const { HELPDESK_ADMINISTRATOR } = await import("../../app/modules/delegated-admin/admin-roles");
    await exec(sql`insert into admin_relationships (partner_org_id, customer_org_id, display_name, duration_days, roles, status, approval_code, request_expires_at, approved_at, ends_at)
      values (${p.orgId}, ${c.orgId}, 'Helpdesk only', 30, ${`{${HELPDESK_ADMINISTRATOR}}`}::text[], 'active', ${"code-" + c.orgId}, now() + interval '30 days', now(), now() + interval '30 days')`);
    const res = await asApp(p, p.users.helpdesk_agent!.id, sql`update memberships set roles = '{global_admin}' where org_id = ${c.orgId} and user_id = ${c.users.user!.id} returning user_id`, c);
    expect(held(res)).toBe(true);
  });
});
