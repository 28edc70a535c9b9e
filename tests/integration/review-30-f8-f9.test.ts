/**
 * Issue 30 review, findings 8 and 9 (each attack failed before the fix, on PGlite and PostgreSQL):
 * - F8: a customer invited any address as "a partner's person" under any partner's Partner ID, and
 *   accepting made that partner its partner. Since migration 0058 only an active member of the
 *   named partner accepts (PD003 otherwise, a 409 page with what to do).
 * - F9: a partner asked again right after every decline, each request telling the customer's
 *   global admins. Relationship requests (Advisor, MPSA, LOB, DAP) now count against a daily
 *   allowance per partner (pd_take_org_quota): beyond it 429 and nothing is requested.
 */
import { sql, type SQL } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem } from "../../app/utils/db.server";
import { RELATIONSHIP_REQUESTS_PER_DAY } from "../../app/modules/relationships/relationships.server";
import { createCustomer, createPartner, relate, type OrgFixture } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { Browser } from "../support/http";
import { lastMailTo } from "../support/mail";

installTestDatabase();

const one = async <T>(q: SQL) => (await withSystem(async (tx) => rowsOf<T>(await tx.execute(q))))[0];
const exec = (q: SQL) => withSystem((tx) => tx.execute(q));
const signedIn = async (org: OrgFixture, role: string) => {
  const b = new Browser();
  await b.signIn(org.users[role]!.email);
  return b;
};
const partnerRelationship = (p: OrgFixture, c: OrgFixture) =>
  one<{ status: string }>(sql`select status from relationships where partner_org_id = ${p.orgId} and customer_org_id = ${c.orgId} and type = 'partner'`);
const memberStatus = async (orgId: string, email: string) =>
  (await one<{ status: string }>(sql`select m.status from memberships m join users u on u.id = m.user_id where m.org_id = ${orgId} and (u.email = ${email} or m.invited_email = ${email})`))?.status;
const linkIn = async (email: string) => (await lastMailTo(email)).match(/\/activate\/[\w-]+/)![0];
const invite = (admin: Browser, x: OrgFixture, email: string) =>
  admin.fetch("/customer/users", { form: { intent: "invite-partner-person", displayName: "Pretend Person", email, partnerNumber: String(x.partnerNumber) } });
const refusal = (x: OrgFixture, c: OrgFixture) =>
  `This invitation is for a person of ${x.name}. Sign in with your account at ${x.name}, or ask ${c.name} to invite you as a user.`;
const clean = (html: string) => html.replaceAll("<!-- -->", "").replaceAll("&#x27;", "'").replaceAll("&#39;", "'");

describe("FINDING 8 (fixed by 0058): a customer makes itself any partner's customer by inviting a 'partner person' under that partner's Partner ID", () => {
  it("a new address (no member of the partner) accepting is refused with a 409 saying what to do; the partner does not get the customer", async () => {
    const c = await createCustomer();
    const x = await createPartner(["global_admin"]);
    const admin = await signedIn(c, "global_admin");
    const email = `not-x-staff-${c.orgId.slice(0, 6)}@${c.domain}`;
    expect((await invite(admin, x, email)).status).toBe(200);
    const res = await new Browser().fetch(await linkIn(email), { form: { intent: "accept", displayName: "Pretend Person", password: "a-long-new-password", confirmPassword: "a-long-new-password" } });
    expect(res.status).toBe(409);
    expect(clean(await res.text())).toContain(refusal(x, c));
    // Nothing changed: still invited, no password set, no relationship, not in the partner's list.
    expect(await memberStatus(c.orgId, email)).toBe("invited");
    expect((await one<{ h: string | null }>(sql`select password_hash as h from users where email = ${email}`))!.h).toBeNull();
    expect(await partnerRelationship(x, c)).toBeUndefined();
    const xAdmin = await signedIn(x, "global_admin");
    expect((await xAdmin.html("/partner/customers")).text).not.toContain(c.name);
    expect((await xAdmin.html(`/partner/customers/${c.orgId}`)).status).toBe(404);
  }, 60_000);

  it("an existing account that works elsewhere (another partner, or another customer) accepting while signed in is refused the same way", async () => {
    const c = await createCustomer(["global_admin"]);
    const x = await createPartner(["global_admin"]);
    const y = await createPartner(["global_admin", "admin_agent"]);
    const d = await createCustomer(["user"]);
    const admin = await signedIn(c, "global_admin");
    for (const [org, role] of [[y, "admin_agent"], [d, "user"]] as const) {
      const email = org.users[role]!.email;
      expect((await invite(admin, x, email)).status, email).toBe(200);
      const person = await signedIn(org, role);
      const res = await person.fetch(await linkIn(email), { form: { intent: "accept" } });
      expect(res.status, email).toBe(409);
      expect(clean(await res.text())).toContain(refusal(x, c));
      expect(await memberStatus(c.orgId, email)).toBe("invited");
    }
    expect(await partnerRelationship(x, c)).toBeUndefined();
  }, 60_000);

  it("at the database: no membership naming a partner becomes active (inserted or updated) for a non-member of it (PD003)", async () => {
    const c = await createCustomer(["global_admin", "user"]);
    const x = await createPartner(["global_admin"]);
    const stranger = (await createCustomer(["user"])).users.user!;
    await expect(
      exec(sql`insert into memberships (org_id, user_id, roles, status, activated_at, partner_org_id) values (${c.orgId}, ${stranger.id}, '{user}', 'active', now(), ${x.orgId})`),
    ).rejects.toMatchObject({ cause: { code: "PD003" } });
    await exec(sql`insert into memberships (org_id, user_id, roles, status, invited_email, partner_org_id) values (${c.orgId}, ${stranger.id}, '{user}', 'invited', ${stranger.email}, ${x.orgId})`);
    await expect(exec(sql`update memberships set status = 'active' where org_id = ${c.orgId} and user_id = ${stranger.id}`)).rejects.toMatchObject({ cause: { code: "PD003" } });
    expect(await partnerRelationship(x, c)).toBeUndefined();
  });

  it("happy path: a real member of the partner, invited by Partner ID, accepts and the 'partner' relationship is active", async () => {
    const c = await createCustomer();
    const x = await createPartner(["global_admin", "admin_agent"]);
    const admin = await signedIn(c, "global_admin");
    const email = x.users.admin_agent!.email;
    expect((await invite(admin, x, email)).status).toBe(200);
    const person = await signedIn(x, "admin_agent");
    expect((await person.fetch(await linkIn(email), { form: { intent: "accept" } })).status).toBe(302);
    expect(await memberStatus(c.orgId, email)).toBe("active");
    expect((await partnerRelationship(x, c))!.status).toBe("active");
    expect((await (await signedIn(x, "global_admin")).html("/partner/customers")).text).toContain(c.name);
  }, 60_000);

  it("the invite form says the person must already have an account at that partner, and the Partner ID is labelled without 'optional'", async () => {
    const c = await createCustomer();
    const page = clean((await (await signedIn(c, "global_admin")).html("/customer/users")).text);
    expect(page).toContain("must already have an");
    expect(page).toContain("account at that partner");
    expect(page).not.toMatch(/Partner ID<span class="optional">/);
    expect(page).toContain("Required when the partner is");
  });
});

describe("FINDING 9 (fixed): relationship requests count against a daily allowance per partner", () => {
  async function pair() {
    const p = await createPartner();
    const c = await createCustomer();
    await relate(p, c);
    return { p, c };
  }
  const fillQuota = (p: OrgFixture, used: number) =>
    exec(sql`insert into org_rate_limits (org_id, kind, used, window_started_at) values (${p.orgId}, 'relationship.request', ${used}, now())
             on conflict (org_id, kind) do update set used = excluded.used, window_started_at = excluded.window_started_at`);
  const requested = (p: OrgFixture, c: OrgFixture) =>
    one<{ n: number }>(sql`select count(*)::int as n from audit_log where subject_org_id = ${c.orgId} and action in ('relationship.requested', 'dap.requested')`);

  it("asking again after each decline: the request within the allowance goes through, the next one is 429 with the limit, nothing requested or told", async () => {
    const { p, c } = await pair();
    const agent = await signedIn(p, "admin_agent");
    const ga = await signedIn(c, "global_admin");
    await fillQuota(p, RELATIONSHIP_REQUESTS_PER_DAY - 1);
    expect((await agent.fetch(`/partner/customers/${c.orgId}`, { form: { intent: "request", type: "lob" } })).status).toBe(302);
    const id = (await one<{ id: string }>(sql`select id from relationships where partner_org_id = ${p.orgId} and customer_org_id = ${c.orgId} and type = 'lob'`))!.id;
    await ga.fetch("/customer/requests", { form: { intent: "decline", id } });
    expect((await one<{ status: string }>(sql`select status from relationships where id = ${id}`))!.status).toBe("ended");
    const again = await agent.fetch(`/partner/customers/${c.orgId}`, { form: { intent: "request", type: "lob" } });
    expect(again.status).toBe(429);
    expect(clean(await again.text())).toContain(`Your organisation can send ${RELATIONSHIP_REQUESTS_PER_DAY} relationship requests a day.`);
    expect((await one<{ status: string }>(sql`select status from relationships where id = ${id}`))!.status).toBe("ended");
    // Another type is the same allowance.
    expect((await agent.fetch(`/partner/customers/${c.orgId}`, { form: { intent: "request", type: "support_advisor" } })).status).toBe(429);
    expect((await requested(p, c))!.n).toBe(1);
    // Another partner's allowance is its own.
    const other = await createPartner();
    await relate(other, c);
    expect((await (await signedIn(other, "admin_agent")).fetch(`/partner/customers/${c.orgId}`, { form: { intent: "request", type: "lob" } })).status).toBe(302);
  }, 60_000);

  it("DAP requests count too: beyond the allowance 429 and no DAP request is opened", async () => {
    const { p, c } = await pair();
    await exec(sql`update organisations set is_dap_certified = true where id = ${p.orgId}`);
    const agent = await signedIn(p, "admin_agent");
    await fillQuota(p, RELATIONSHIP_REQUESTS_PER_DAY);
    expect((await agent.fetch("/partner/relationships?index", { form: { intent: "dap", customerId: c.orgId } })).status).toBe(429);
    expect(await one(sql`select 1 from relationships where partner_org_id = ${p.orgId} and customer_org_id = ${c.orgId} and type = 'dap' and status = 'requested'`)).toBeUndefined();
    // A day later the allowance is back.
    await exec(sql`update org_rate_limits set window_started_at = now() - interval '25 hours' where org_id = ${p.orgId} and kind = 'relationship.request'`);
    expect((await agent.fetch("/partner/relationships?index", { form: { intent: "dap", customerId: c.orgId } })).status).toBe(302);
  }, 60_000);
});
