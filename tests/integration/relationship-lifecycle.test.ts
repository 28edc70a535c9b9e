/**
 * The relationship lifecycle of issue 30 over HTTP (PGlite and PostgreSQL): the partner requests
 * an Advisor, MPSA or line-of-business relationship, the customer's global admin approves or
 * declines it on its Requests page, the partner ends what it holds; an active Advisor relationship
 * lets the partner's admin and helpdesk agents reset passwords and handle service requests, and
 * nothing more; the customer cannot end a relationship (the database refuses it too), it is told
 * to contact its partner. Other tenants' ids answer 404, other roles 403, bad input 400, a second
 * answer 409.
 */
import { sql, type SQL } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { APP_ROLE, rowsOf } from "../../db/client";
import { withSystem } from "../../app/utils/db.server";
import { createCustomer, createPartner, relate, uniq, type OrgFixture } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { Browser } from "../support/http";

installTestDatabase();

const one = async <T>(q: SQL) => (await withSystem(async (tx) => rowsOf<T>(await tx.execute(q))))[0]!;
const signedIn = async (org: OrgFixture, role: string) => {
  const b = new Browser();
  await b.signIn(org.users[role]!.email);
  return b;
};
const statusOf = (p: OrgFixture, c: OrgFixture, type: string) =>
  one<{ status: string } | undefined>(sql`select status from relationships where partner_org_id = ${p.orgId} and customer_org_id = ${c.orgId} and type = ${type}`).then((r) => r?.status ?? null);
const notified = (orgId: string, kind: string) =>
  one<{ n: number }>(sql`select count(*)::int as n from jobs where kind = 'notify' and payload->>'orgId' = ${orgId} and payload->>'kind' = ${kind}`).then((r) => r.n);
const audited = (subject: string, action: string) => one<{ n: number }>(sql`select count(*)::int as n from audit_log where subject_org_id = ${subject} and action = ${action}`).then((r) => r.n);

/** The outcome of one statement as the app role in the organisation's context (rolled back). */
async function asApp(org: OrgFixture, statement: SQL): Promise<"ok" | "denied"> {
  class Rollback extends Error {}
  let outcome: "ok" | "denied" = "ok";
  try {
    await withSystem(async (tx) => {
      await tx.execute(sql`select set_config('app.org_id', ${org.orgId}, true), set_config('app.user_id', ${Object.values(org.users)[0]!.id}, true)`);
      await tx.execute(sql.raw(`set local role ${APP_ROLE}`));
      try {
        await tx.execute(statement);
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

/** The outcome of one statement by the partner's staff acting in the customer's context (pd_act_in_customer; rolled back). */
async function actingIn(partner: OrgFixture, customer: OrgFixture, statement: SQL): Promise<"ok" | "denied"> {
  class Rollback extends Error {}
  let outcome: "ok" | "denied" = "ok";
  try {
    await withSystem(async (tx) => {
      await tx.execute(sql`select set_config('app.org_id', ${partner.orgId}, true), set_config('app.user_id', ${partner.users.admin_agent!.id}, true)`);
      await tx.execute(sql.raw(`set local role ${APP_ROLE}`));
      await tx.execute(sql`select pd_act_in_customer(${customer.orgId}::uuid)`);
      try {
        await tx.execute(statement);
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

/** A partner with a reseller relationship with a customer, its admin agent and the customer's global admin signed in. */
async function pair() {
  const p = await createPartner();
  const c = await createCustomer();
  await relate(p, c);
  return { p, c, agent: await signedIn(p, "admin_agent"), ga: await signedIn(c, "global_admin") };
}

const request = (b: Browser, c: OrgFixture, type: string) => b.fetch(`/partner/customers/${c.orgId}`, { form: { intent: "request", type } });
const end = (b: Browser, c: OrgFixture, type: string) => b.fetch(`/partner/customers/${c.orgId}`, { form: { intent: "end", type } });
const requestId = (p: OrgFixture, c: OrgFixture, type: string) =>
  one<{ id: string }>(sql`select id from relationships where partner_org_id = ${p.orgId} and customer_org_id = ${c.orgId} and type = ${type}`).then((r) => r.id);
const answer = (b: Browser, intent: "approve" | "decline", id: string) => b.fetch("/customer/requests", { form: { intent, id } });

describe("requesting and answering an Advisor, MPSA or line-of-business relationship", () => {
  it("the partner requests, the customer sees it with its meaning and approves; both sides are told and it is audited", async () => {
    const { p, c, agent, ga } = await pair();
    const page = await agent.html(`/partner/customers/${c.orgId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Ask for another relationship");
    for (const label of ["Advisor", "MPSA partner", "Line-of-business (LOB) partner"]) expect(page.text).toContain(label);

    expect((await request(agent, c, "support_advisor")).status).toBe(302);
    expect(await statusOf(p, c, "support_advisor")).toBe("requested");
    expect(await notified(c.orgId, "relationship.requested")).toBe(1);
    expect(await audited(c.orgId, "relationship.requested")).toBe(1);
    // Asking again while it waits: one effect, 409.
    expect((await request(agent, c, "support_advisor")).status).toBe(409);
    expect(await notified(c.orgId, "relationship.requested")).toBe(1);
    expect((await agent.html(`/partner/customers/${c.orgId}`)).text).toContain("Awaiting approval");

    const requests = await ga.html("/customer/requests");
    expect(requests.status).toBe(200);
    expect(requests.text).toContain(p.name);
    expect(requests.text).toContain("Can reset passwords and handle support incidents for you.");
    const id = await requestId(p, c, "support_advisor");
    expect((await answer(ga, "approve", id)).status).toBe(302);
    expect(await statusOf(p, c, "support_advisor")).toBe("active");
    expect(await notified(p.orgId, "relationship.approved")).toBe(1);
    expect(await audited(c.orgId, "relationship.approved")).toBe(1);
    // Answering twice: 409, nothing changes.
    expect((await answer(ga, "approve", id)).status).toBe(409);
    expect((await answer(ga, "decline", id)).status).toBe(409);
    expect(await statusOf(p, c, "support_advisor")).toBe("active");
    expect((await request(agent, c, "support_advisor")).status).toBe(409);
    const after = await agent.html(`/partner/customers/${c.orgId}`);
    expect(after.text).toContain("End advisor relationship");
    expect(after.text).toContain("advisor you may reset its users");
    expect((await ga.html("/customer/partners")).text).toContain("Advisor");
  });

  it("the customer declines an MPSA request; the partner withdraws a line-of-business request; each tells the other side", async () => {
    const { p, c, agent, ga } = await pair();
    expect((await request(agent, c, "mpsa")).status).toBe(302);
    expect((await answer(ga, "decline", await requestId(p, c, "mpsa"))).status).toBe(302);
    expect(await statusOf(p, c, "mpsa")).toBe("ended");
    expect(await notified(p.orgId, "relationship.declined")).toBe(1);
    expect(await audited(c.orgId, "relationship.declined")).toBe(1);
    // Declined: it may ask again later.
    expect((await request(agent, c, "mpsa")).status).toBe(302);
    expect(await statusOf(p, c, "mpsa")).toBe("requested");

    expect((await request(agent, c, "lob")).status).toBe(302);
    expect((await end(agent, c, "lob")).status).toBe(302);
    expect(await statusOf(p, c, "lob")).toBe("ended");
    expect(await notified(c.orgId, "relationship.withdrawn")).toBe(1);
    expect(await audited(c.orgId, "relationship.withdrawn")).toBe(1);
    expect((await ga.html("/customer/requests")).text).not.toContain("Line-of-business (LOB) partner");
    expect((await answer(ga, "approve", await requestId(p, c, "lob"))).status).toBe(409);
  });

  it("a partner with no relationship with the customer cannot request (404), nor answer or end anything of another pair", async () => {
    const { p, c, ga } = await pair();
    const stranger = await createPartner();
    const strangerAgent = await signedIn(stranger, "admin_agent");
    for (const type of ["support_advisor", "mpsa", "lob"]) expect((await request(strangerAgent, c, type)).status, type).toBe(404);
    expect((await end(strangerAgent, c, "reseller")).status).toBe(404);
    expect((await strangerAgent.fetch(`/partner/customers/${c.orgId}`, { form: { intent: "dap" } })).status).toBe(403); // not certified
    await withSystem((tx) => tx.execute(sql`update organisations set is_dap_certified = true where id = ${stranger.orgId}`));
    expect((await strangerAgent.fetch(`/partner/customers/${c.orgId}`, { form: { intent: "dap" } })).status).toBe(404);
    expect(await one(sql`select count(*)::int as n from relationships where partner_org_id = ${stranger.orgId}`)).toEqual({ n: 0 });
    // The database refuses it too.
    expect(await asApp(stranger, sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${stranger.orgId}, ${c.orgId}, 'support_advisor', 'requested')`)).toBe("denied");

    // Another customer's global admin cannot answer this pair's request.
    const agent = await signedIn(p, "admin_agent");
    expect((await request(agent, c, "support_advisor")).status).toBe(302);
    const id = await requestId(p, c, "support_advisor");
    const other = await createCustomer();
    const otherGa = await signedIn(other, "global_admin");
    expect((await answer(otherGa, "approve", id)).status).toBe(404);
    expect((await answer(otherGa, "decline", id)).status).toBe(404);
    expect(await statusOf(p, c, "support_advisor")).toBe("requested");
    expect((await otherGa.html("/customer/requests")).text).not.toContain(p.name);
    // A reseller row is no request: not listed, not answerable.
    const reseller = await requestId(p, c, "reseller");
    expect((await answer(ga, "decline", reseller)).status).toBe(404);
  });

  it("other roles are refused (403) and nothing changes; bad input is 400", async () => {
    const { p, c, agent } = await pair();
    for (const role of ["sales_agent", "helpdesk_agent", "billing_admin"]) {
      const b = await signedIn(p, role);
      expect((await request(b, c, "support_advisor")).status, role).toBe(403);
      expect((await end(b, c, "reseller")).status, role).toBe(403);
      expect((await b.fetch(`/partner/customers/${c.orgId}`, { form: { intent: "dap" } })).status, role).toBe(403);
    }
    expect(await statusOf(p, c, "support_advisor")).toBeNull();
    expect(await statusOf(p, c, "reseller")).toBe("active");
    expect((await request(agent, c, "support_advisor")).status).toBe(302);
    const id = await requestId(p, c, "support_advisor");
    for (const role of ["billing_admin", "user"]) {
      const b = await signedIn(c, role);
      expect((await answer(b, "approve", id)).status, role).toBe(403);
      expect((await answer(b, "decline", id)).status, role).toBe(403);
    }
    expect(await statusOf(p, c, "support_advisor")).toBe("requested");

    for (const type of ["", "reseller", "gdap", "dap", "advisor", "partner", "nonsense", "__proto__"]) {
      expect((await request(agent, c, type)).status, `request ${type}`).toBe(400);
    }
    expect((await agent.fetch(`/partner/customers/${c.orgId}`, { form: { intent: "request" } })).status).toBe(400);
    for (const type of ["", "nonsense", "__proto__"]) expect((await end(agent, c, type)).status, `end ${type}`).toBe(400);
    expect((await agent.fetch(`/partner/customers/${c.orgId}`, { form: { intent: "end" } })).status).toBe(400);
    expect((await end(agent, c, "gdap")).status).toBe(409);
    expect((await end(agent, c, "partner")).status).toBe(409);
    expect((await end(agent, c, "mpsa")).status).toBe(404);
    expect((await agent.fetch("/partner/customers/not-a-uuid", { form: { intent: "request", type: "mpsa" } })).status).toBe(404);
    expect((await agent.fetch(`/partner/customers/${c.orgId}`, { form: { intent: "nonsense" } })).status).toBe(400);
    const ga = await signedIn(c, "global_admin");
    for (const bad of ["", "not-a-uuid", "00000000-0000-4000-8000-000000000000"]) expect((await answer(ga, "approve", bad)).status, bad).toBe(404);
  });

  it("the database lets only the customer approve and only the partner end", async () => {
    const { p, c, agent, ga } = await pair();
    expect((await request(agent, c, "lob")).status).toBe(302);
    const id = await requestId(p, c, "lob");
    // The partner cannot approve its own request, nor insert an active one.
    expect(await asApp(p, sql`update relationships set status = 'active', started_at = now() where id = ${id}`)).toBe("denied");
    expect(await asApp(p, sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${p.orgId}, ${c.orgId}, 'mpsa', 'active')`)).toBe("denied");
    // The customer cannot create one.
    expect(await asApp(c, sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${p.orgId}, ${c.orgId}, 'support_advisor', 'requested')`)).toBe("denied");
    expect((await answer(ga, "approve", id)).status).toBe(302);
    // Active: the customer may not end it (only the partner), nor bring it back to a request.
    expect(await asApp(c, sql`update relationships set status = 'ended', ended_at = now() where id = ${id}`)).toBe("denied");
    expect(await asApp(c, sql`update relationships set status = 'requested' where id = ${id}`)).toBe("denied");
    expect(await asApp(p, sql`update relationships set status = 'ended', ended_at = now() where id = ${id}`)).toBe("ok");
  });
});

describe("what an Advisor may do in the customer", () => {
  it("its admin and helpdesk agents reset passwords and open and comment service requests, nothing more; a sales agent and another partner nothing", async () => {
    const { p, c, agent, ga } = await pair();
    await withSystem((tx) => tx.execute(sql`insert into subscriptions (customer_org_id, product_id, licences, status) values (${c.orgId}, 'business-basic', 2, 'active')`));
    const other = await createPartner();
    await relate(other, c);
    const victim = c.users.user!;
    const hash = () => one<{ h: string }>(sql`select password_hash as h from users where id = ${victim.id}`).then((r) => r.h);
    const users = `/partner/customers/${c.orgId}/users`;
    const srs = `/partner/customers/${c.orgId}/service-requests`;
    const licences = `/partner/customers/${c.orgId}/licences`;

    // Before the approval: nothing.
    expect((await agent.fetch(users, { form: { intent: "reset", userId: victim.id } })).status).toBe(403);
    expect((await request(agent, c, "support_advisor")).status).toBe(302);
    expect((await agent.fetch(users, { form: { intent: "reset", userId: victim.id } })).status).toBe(403);
    expect((await answer(ga, "approve", await requestId(p, c, "support_advisor"))).status).toBe(302);

    for (const role of ["admin_agent", "helpdesk_agent"]) {
      const b = role === "admin_agent" ? agent : await signedIn(p, role);
      const before = await hash();
      const reset = await b.fetch(users, { form: { intent: "reset", userId: victim.id } });
      expect(reset.status, role).toBe(200);
      expect(await reset.text()).toContain("Temporary password");
      expect(await hash(), role).not.toBe(before);
      // Admins' passwords are not the advisor's to reset.
      expect((await b.fetch(users, { form: { intent: "reset", userId: c.users.global_admin!.id } })).status, role).toBe(403);
      const title = `Printer ${uniq()}`;
      expect((await b.fetch(srs, { form: { intent: "open", title, description: "It jams." } })).status, role).toBe(302);
      const sr = await one<{ id: string }>(sql`select id from service_requests where customer_org_id = ${c.orgId} and title = ${title}`);
      expect((await b.fetch(srs, { form: { intent: "comment", requestId: sr.id, body: "On it." } })).status, role).toBe(302);
      // Nothing more: no user creation, no licences.
      const email = `new-${uniq()}@${c.domain}`;
      expect((await b.fetch(users, { form: { intent: "create", displayName: "New Person", email } })).status, role).toBe(403);
      expect(await one(sql`select count(*)::int as n from users where email = ${email}`)).toEqual({ n: 0 });
      const sub = await one<{ id: string }>(sql`select id from subscriptions where customer_org_id = ${c.orgId}`);
      expect((await b.fetch(licences, { form: { intent: "assign", subscriptionId: sub.id, userId: victim.id } })).status, role).toBe(403);
      expect(await one(sql`select count(*)::int as n from licence_assignments where subscription_id = ${sub.id}`)).toEqual({ n: 0 });
      expect((await b.html(licences)).text).not.toContain("Business Basic");
    }

    // The database keeps the Advisor to its two things as well: no users, no licences, no admin's password.
    const sub = await one<{ id: string }>(sql`select id from subscriptions where customer_org_id = ${c.orgId}`);
    const assignLicence = sql`insert into licence_assignments (subscription_id, customer_org_id, user_id) values (${sub.id}, ${c.orgId}, ${victim.id})`;
    expect(await actingIn(p, c, assignLicence)).toBe("denied");
    expect(await actingIn(p, c, sql`update memberships set roles = '{global_admin}' where org_id = ${c.orgId} and user_id = ${victim.id}`)).toBe("denied");
    expect(await actingIn(p, c, sql`delete from memberships where org_id = ${c.orgId} and user_id = ${victim.id}`)).toBe("denied");
    expect(await actingIn(p, c, sql`select pd_reset_member_password(${c.users.global_admin!.id}::uuid, 'x', true)`)).toBe("denied");
    expect(await actingIn(p, c, sql`select pd_reset_member_password(${victim.id}::uuid, 'x', false)`)).toBe("ok");
    expect(await actingIn(p, c, sql`insert into service_requests (customer_org_id, title, description) values (${c.orgId}, 'Direct', 'x')`)).toBe("ok");
    // With delegated admin as well, the same statement is the admin's to make.
    const dap = await one<{ id: string }>(sql`insert into relationships (partner_org_id, customer_org_id, type, status, started_at) values (${p.orgId}, ${c.orgId}, 'dap', 'active', now()) returning id`);
    expect(await actingIn(p, c, assignLicence)).toBe("ok");
    await withSystem((tx) => tx.execute(sql`delete from relationships where id = ${dap.id}`));

    const refused = async (b: Browser, who: string, customerUsers = users, customerSrs = srs) => {
      const before = await hash();
      expect((await b.fetch(customerUsers, { form: { intent: "reset", userId: victim.id } })).status, who).toBe(403);
      expect(await hash(), who).toBe(before);
      const title = `Refused ${uniq()}`;
      expect((await b.fetch(customerSrs, { form: { intent: "open", title, description: "x" } })).status, who).toBe(403);
      expect(await one(sql`select count(*)::int as n from service_requests where title = ${title}`)).toEqual({ n: 0 });
    };
    await refused(await signedIn(p, "sales_agent"), "sales agent");
    await refused(await signedIn(other, "admin_agent"), "another partner's admin agent");
    await refused(await signedIn(other, "helpdesk_agent"), "another partner's helpdesk agent");

    // The partner ends it: the rights end at once.
    expect((await end(agent, c, "support_advisor")).status).toBe(302);
    expect(await statusOf(p, c, "support_advisor")).toBe("ended");
    expect(await notified(c.orgId, "relationship.ended")).toBe(1);
    expect(await audited(c.orgId, "relationship.ended")).toBe(1);
    await refused(agent, "admin agent after the end");
  });
});

describe("ending relationships", () => {
  it("the customer cannot end a relationship: it is told to contact its partner, and can still remove admin roles", async () => {
    const { p, c, agent, ga } = await pair();
    await withSystem((tx) => tx.execute(sql`update organisations set is_dap_certified = true, email = 'help@partner.example', phone = '+45 12 34 56 78' where id = ${p.orgId}`));
    expect((await request(agent, c, "support_advisor")).status).toBe(302);
    expect((await answer(ga, "approve", await requestId(p, c, "support_advisor"))).status).toBe(302);
    expect((await agent.fetch(`/partner/customers/${c.orgId}`, { form: { intent: "dap" } })).status).toBe(302);
    expect((await answer(ga, "approve", await requestId(p, c, "dap"))).status).toBe(302);

    const refused = await ga.fetch("/customer/partners", { form: { intent: "remove-partner", partnerId: p.orgId } });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("help@partner.example");
    expect(await statusOf(p, c, "support_advisor")).toBe("active");
    expect(await statusOf(p, c, "reseller")).toBe("active");
    expect(await asApp(c, sql`update relationships set status = 'ended', ended_at = now() where partner_org_id = ${p.orgId} and customer_org_id = ${c.orgId} and type = 'support_advisor'`)).toBe("denied");
    const page = await ga.html("/customer/partners");
    expect(page.status).toBe(200);
    expect(page.text).toContain("Contact your partner to end the relationship");
    expect(page.text).toContain('href="mailto:help@partner.example"');
    expect(page.text).toContain('href="tel:+4512345678"');
    expect(page.text).not.toContain("Remove partner");
    // Admin roles: the customer removes them at any time; the other relationships stay.
    expect((await ga.fetch("/customer/partners", { form: { intent: "remove-roles", partnerId: p.orgId } })).status).toBe(302);
    expect(await statusOf(p, c, "dap")).toBe("ended");
    expect(await statusOf(p, c, "support_advisor")).toBe("active");
  });

  it("the partner ends DAP (its agents' rights end), its subscription advisor role (it leaves the subscriptions) and its reseller role", async () => {
    const { p, c, agent, ga } = await pair();
    await withSystem((tx) => tx.execute(sql`update organisations set is_dap_certified = true, is_authorised_advisor = true where id = ${p.orgId}`));
    // DAP after the confirmation: the page says what it grants.
    const page = await agent.html(`/partner/customers/${c.orgId}`);
    expect(page.text).toContain("every admin agent of your organisation becomes");
    expect(page.text).toContain("Global Administrator");
    expect((await agent.fetch(`/partner/customers/${c.orgId}`, { form: { intent: "dap" } })).status).toBe(302);
    expect((await answer(ga, "approve", await requestId(p, c, "dap"))).status).toBe(302);
    const users = `/partner/customers/${c.orgId}/users`;
    expect((await agent.fetch(users, { form: { intent: "reset", userId: c.users.user!.id } })).status).toBe(200);
    expect((await end(agent, c, "dap")).status).toBe(302);
    expect(await statusOf(p, c, "dap")).toBe("ended");
    expect((await agent.fetch(users, { form: { intent: "reset", userId: c.users.user!.id } })).status).toBe(403);
    expect(await notified(c.orgId, "relationship.ended")).toBe(1);
    expect((await end(agent, c, "dap")).status).toBe(404);

    // The subscription advisor: the customer named the partner on two subscriptions.
    const billing = await signedIn(c, "billing_admin");
    void billing;
    await withSystem(async (tx) => {
      await tx.execute(sql`insert into subscriptions (customer_org_id, product_id, licences, status, advisor_partner_org_id) values (${c.orgId}, 'business-basic', 2, 'active', ${p.orgId}), (${c.orgId}, 'visio-plan-2', 1, 'active', ${p.orgId})`);
      await tx.execute(sql`insert into relationships (partner_org_id, customer_org_id, type, status, started_at) values (${p.orgId}, ${c.orgId}, 'advisor', 'active', now())`);
    });
    expect((await end(agent, c, "advisor")).status).toBe(302);
    expect(await statusOf(p, c, "advisor")).toBe("ended");
    expect(await one(sql`select count(*)::int as n from subscriptions where customer_org_id = ${c.orgId} and advisor_partner_org_id is not null`)).toEqual({ n: 0 });
    expect(await one(sql`select details->>'subscriptions' as n from audit_log where subject_org_id = ${c.orgId} and action = 'relationship.ended' and details->>'type' = 'advisor'`)).toEqual({ n: "2" });
    // The function leaves only the caller's own name, only in a partner's own context.
    expect(await asApp(c, sql`select pd_partner_leave_subscriptions(${c.orgId}::uuid)`)).toBe("denied");

    // The reseller role: the customer's admins are told, the partner lands on its customer list.
    const ended = await end(agent, c, "reseller");
    expect(ended.status).toBe(302);
    expect(ended.headers.get("Location")).toBe("/partner/customers");
    expect(await statusOf(p, c, "reseller")).toBe("ended");
    expect(await notified(c.orgId, "reseller.ended")).toBe(1);
  });
});

describe("concurrency", () => {
  it("two approvals at once: one wins, the other is 409; two requests at once: one opens it", async () => {
    const { p, c, agent, ga } = await pair();
    const ga2 = await signedIn(c, "global_admin");
    const requests = await Promise.all([request(agent, c, "support_advisor"), request(await signedIn(p, "global_admin"), c, "support_advisor")]);
    expect(requests.map((r) => r.status).sort()).toEqual([302, 409]);
    expect(await notified(c.orgId, "relationship.requested")).toBe(1);
    const id = await requestId(p, c, "support_advisor");
    const answers = await Promise.all([answer(ga, "approve", id), answer(ga2, "approve", id)]);
    expect(answers.map((r) => r.status).sort()).toEqual([302, 409]);
    expect(await audited(c.orgId, "relationship.approved")).toBe(1);
    expect(await notified(p.orgId, "relationship.approved")).toBe(1);
    // Approve and decline at once: one effect.
    expect((await request(agent, c, "mpsa")).status).toBe(302);
    const mpsa = await requestId(p, c, "mpsa");
    const mixed = await Promise.all([answer(ga, "approve", mpsa), answer(ga2, "decline", mpsa)]);
    expect(mixed.map((r) => r.status).sort()).toEqual([302, 409]);
    expect(["active", "ended"]).toContain(await statusOf(p, c, "mpsa"));
  });
});
