/**
 * Issue 30, MPSA purchase sharing, in the isolation suite's manner (PGlite and PostgreSQL): with
 * the customer's setting off an MPSA partner sees none of the customer's other purchases; on, each
 * active MPSA partner sees exactly the subscriptions made through the customer's OTHER active MPSA
 * partners, and nothing more; a non-MPSA partner, another customer's MPSA partner and a partner
 * whose MPSA relationship ended see none; turning it off hides them again; only the customer's
 * global admin changes the setting — over HTTP and in the database.
 */
import { sql, type SQL } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { APP_ROLE, rowsOf } from "../../db/client";
import { withSystem } from "../../app/utils/db.server";
import { createCustomer, createPartner, relate, type OrgFixture } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { Browser } from "../support/http";

installTestDatabase();

const one = async <T>(q: SQL) => (await withSystem(async (tx) => rowsOf<T>(await tx.execute(q))))[0]!;
const exec = (q: SQL) => withSystem((tx) => tx.execute(q));
const signedIn = async (org: OrgFixture, role: string) => {
  const b = new Browser();
  await b.signIn(org.users[role]!.email);
  return b;
};

class Rollback extends Error {}
/**
 * One statement as the app role in an organisation's context (optionally as partner staff acting
 * in a customer), rolled back: its rows, or "denied" (42501).
 */
async function asApp<T>(orgId: string, userId: string, statement: SQL, { actingPartnerId }: { actingPartnerId?: string } = {}): Promise<T[] | "denied"> {
  let outcome: T[] | "denied" = [];
  try {
    await withSystem(async (tx) => {
      await tx.execute(sql`select set_config('app.org_id', ${orgId}, true), set_config('app.user_id', ${userId}, true), set_config('app.acting_partner_id', ${actingPartnerId ?? ""}, true)`);
      await tx.execute(sql.raw(`set local role ${APP_ROLE}`));
      try {
        outcome = rowsOf<T>(await tx.execute(statement));
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

async function advisor() {
  const p = await createPartner();
  await exec(sql`update organisations set is_authorised_advisor = true where id = ${p.orgId}`);
  return p;
}
const mpsa = (p: OrgFixture, c: OrgFixture, status: "active" | "ended" | "requested" = "active") =>
  exec(sql`insert into relationships (partner_org_id, customer_org_id, type, status, started_at, ended_at)
           values (${p.orgId}, ${c.orgId}, 'mpsa', ${status}, now(), ${status === "ended" ? sql`now()` : null})`);
const buy = async (c: OrgFixture, product: string, licences: number, partner: OrgFixture | null) =>
  (await one<{ id: string }>(sql`insert into subscriptions (customer_org_id, product_id, licences, status, advisor_partner_org_id)
                                 values (${c.orgId}, ${product}, ${licences}, 'active', ${partner?.orgId ?? null}) returning id`)).id;

/** The customer C, its MPSA partners A and B, a former MPSA partner D, a reseller R, and C2 with its MPSA partner X. */
async function world() {
  const [A, B, D, R, X] = [await advisor(), await advisor(), await advisor(), await advisor(), await advisor()];
  const C = await createCustomer();
  const C2 = await createCustomer();
  await mpsa(A, C);
  await mpsa(B, C);
  await mpsa(D, C, "ended");
  await relate(R, C);
  await mpsa(X, C2);
  // A is an MPSA partner of C2 too: C2's purchases through X never show on C's page.
  await mpsa(A, C2);
  const subs = {
    viaA: await buy(C, "business-premium", 11, A),
    viaB: await buy(C, "visio-plan-2", 22, B),
    viaD: await buy(C, "business-premium", 33, D),
    viaR: await buy(C, "visio-plan-2", 44, R),
    direct: await buy(C, "business-premium", 55, null),
    c2ViaX: await buy(C2, "visio-plan-2", 66, X),
  };
  return { A, B, D, R, X, C, C2, subs };
}

const sharedIds = async (p: OrgFixture, customer: OrgFixture) => {
  const rows = await asApp<{ subscription_id: string }>(p.orgId, p.users.global_admin!.id, sql`select subscription_id from pd_mpsa_shared_purchases(${customer.orgId}::uuid)`);
  if (rows === "denied") throw new Error("denied");
  return rows.map((r) => r.subscription_id).sort();
};
const setting = async (c: OrgFixture) => (await one<{ on: boolean }>(sql`select mpsa_share_purchases as on from organisations where id = ${c.orgId}`)).on;

describe("MPSA purchase sharing", () => {
  it("off: none; on: exactly the other MPSA partners' purchases of that customer; others none; off again: none", async () => {
    const { A, B, D, R, X, C, C2, subs } = await world();
    const page = async (p: OrgFixture, c: OrgFixture) => (await signedIn(p, "global_admin")).html(`/partner/customers/${c.orgId}/mpsa-purchases`);

    // Off.
    expect(await sharedIds(A, C)).toEqual([]);
    expect(await sharedIds(B, C)).toEqual([]);
    const off = await page(A, C);
    expect(off.status).toBe(200);
    expect(off.text).toContain("does not share its MPSA purchases");
    expect(off.text).not.toContain("through its other MPSA partners</caption>");
    expect(off.text).not.toContain(B.name);

    // The customer's global admin turns it on.
    const ga = await signedIn(C, "global_admin");
    const list = await ga.html("/customer/partners");
    expect(list.text).toContain("MPSA partners: sharing purchases");
    expect(list.text).toContain("Let my MPSA partners see each other");
    const on = await ga.fetch("/customer/partners", { form: { intent: "mpsa-sharing", enabled: "on" } });
    expect(on.status).toBe(302);
    expect(await setting(C)).toBe(true);

    // Each active MPSA partner sees exactly what was bought through the other one.
    expect(await sharedIds(A, C)).toEqual([subs.viaB]);
    expect(await sharedIds(B, C)).toEqual([subs.viaA]);
    const aPage = await page(A, C);
    expect(aPage.status).toBe(200);
    expect(aPage.text).toContain(B.name);
    expect(aPage.text).toContain("Visio Plan 2");
    for (const notShown of [D.name, R.name, X.name, subs.viaA, subs.viaD, subs.viaR, subs.direct, subs.c2ViaX]) expect(aPage.text).not.toContain(notShown);
    // The partner's customer page links to it.
    expect((await (await signedIn(A, "global_admin")).html(`/partner/customers/${C.orgId}`)).text).toContain(`/partner/customers/${C.orgId}/mpsa-purchases`);

    // A non-MPSA partner (the reseller), a former MPSA partner, another customer's MPSA partner: none, and 404.
    for (const p of [R, D, X]) {
      expect(await sharedIds(p, C), p.name).toEqual([]);
      expect((await page(p, C)).status, p.name).toBe(404);
    }
    // C2 does not share: A sees nothing of C2 (and C's sharing never reaches C2's purchases).
    expect(await sharedIds(A, C2)).toEqual([]);
    expect(await sharedIds(X, C2)).toEqual([]);
    // The customer's own context and a partner acting inside the customer read nothing through it.
    expect(await asApp(C.orgId, C.users.global_admin!.id, sql`select * from pd_mpsa_shared_purchases(${C.orgId}::uuid)`)).toEqual([]);
    expect(await asApp(C.orgId, A.users.admin_agent!.id, sql`select * from pd_mpsa_shared_purchases(${C.orgId}::uuid)`, { actingPartnerId: A.orgId })).toEqual([]);
    // The sharing widens no other read: A still cannot select B's subscription or C's users.
    expect(await asApp(A.orgId, A.users.global_admin!.id, sql`select id from subscriptions where id = ${subs.viaB}`)).toEqual([]);
    expect(await asApp(A.orgId, A.users.global_admin!.id, sql`select user_id from memberships where org_id = ${C.orgId}`)).toEqual([]);
    // A partner whose MPSA relationship ends stops seeing, and stops being seen.
    await exec(sql`update relationships set status = 'ended', ended_at = now() where partner_org_id = ${B.orgId} and customer_org_id = ${C.orgId} and type = 'mpsa'`);
    expect(await sharedIds(A, C)).toEqual([]);
    expect(await sharedIds(B, C)).toEqual([]);
    expect((await page(B, C)).status).toBe(404);
    await exec(sql`update relationships set status = 'active', ended_at = null where partner_org_id = ${B.orgId} and customer_org_id = ${C.orgId} and type = 'mpsa'`);
    expect(await sharedIds(A, C)).toEqual([subs.viaB]);

    // Off again: hidden.
    const offAgain = await ga.fetch("/customer/partners", { form: { intent: "mpsa-sharing", enabled: "off" } });
    expect(offAgain.status).toBe(302);
    expect(await setting(C)).toBe(false);
    expect(await sharedIds(A, C)).toEqual([]);
    expect((await page(A, C)).text).toContain("does not share its MPSA purchases");
  });

  it("only the customer's global admin changes the setting: billing admin and user 403, partners and acting staff refused, in the app and the database", async () => {
    const { A, C, C2 } = await world();
    const form = { intent: "mpsa-sharing", enabled: "on" };
    const billing = await signedIn(C, "billing_admin");
    const seen = await billing.html("/customer/partners");
    expect(seen.text).toContain("MPSA partners: sharing purchases");
    expect(seen.text).toContain("Only your organisation&#x27;s global admin can turn this on or off.");
    expect(seen.text).not.toContain("Let my MPSA partners see each other");
    expect((await billing.fetch("/customer/partners", { form })).status).toBe(403);
    expect((await (await signedIn(C, "user")).fetch("/customer/partners", { form })).status).toBe(403);
    // Partner staff: not a customer's page (sent home), nothing changes.
    expect((await (await signedIn(A, "global_admin")).fetch("/customer/partners", { form })).headers.get("Location")).toBe("/partner");
    expect(await setting(C)).toBe(false);
    // Bad values: 400; another customer's global admin changes only its own.
    const ga = await signedIn(C, "global_admin");
    for (const enabled of ["yes", "", "ON"]) expect((await ga.fetch("/customer/partners", { form: { intent: "mpsa-sharing", enabled } })).status, enabled).toBe(400);
    expect((await (await signedIn(C2, "global_admin")).fetch("/customer/partners", { form })).status).toBe(302);
    expect(await setting(C)).toBe(false);
    expect(await setting(C2)).toBe(true);

    // The database: the billing admin's and the user's context, partner staff acting in C: refused; the partner's own context updates nothing.
    const update = sql`update organisations set mpsa_share_purchases = true where id = ${C.orgId} returning id`;
    expect(await asApp(C.orgId, C.users.billing_admin!.id, update)).toBe("denied");
    expect(await asApp(C.orgId, C.users.user!.id, update)).toBe("denied");
    expect(await asApp(C.orgId, A.users.admin_agent!.id, update, { actingPartnerId: A.orgId })).toBe("denied");
    expect(await asApp(A.orgId, A.users.global_admin!.id, update)).toEqual([]);
    expect(await asApp(C.orgId, C.users.global_admin!.id, update)).toEqual([{ id: C.orgId }]);
    expect(await setting(C)).toBe(false);
  });

  it("turning it on needs an MPSA partner; without one the section is not shown", async () => {
    const C = await createCustomer();
    const R = await advisor();
    await relate(R, C);
    const ga = await signedIn(C, "global_admin");
    expect((await ga.html("/customer/partners")).text).not.toContain("MPSA partners: sharing purchases");
    expect((await ga.fetch("/customer/partners", { form: { intent: "mpsa-sharing", enabled: "on" } })).status).toBe(409);
    expect(await setting(C)).toBe(false);
  });
});
