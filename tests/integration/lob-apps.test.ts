/**
 * Line-of-business (LOB) apps (issue 30), over HTTP and in the database, on PGlite and PostgreSQL:
 * a LOB partner submits apps to a customer's private app list and sees their status; the customer's
 * global admins approve or withdraw them; everyone else sees nothing and changes nothing.
 */
import { sql, type SQL } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowsOf, APP_ROLE } from "../../db/client";
import { withSystem } from "../../app/utils/db.server";
import { createCustomer, createPartner, relate, uniq, type OrgFixture } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { Browser } from "../support/http";
import { runJobs } from "../support/jobs";

installTestDatabase();

const rows = async <T>(q: SQL) => withSystem(async (tx) => rowsOf<T>(await tx.execute(q)));
const one = async <T>(q: SQL) => (await rows<T>(q))[0]!;
const signedIn = async (org: OrgFixture, role: string) => {
  const b = new Browser();
  await b.signIn(org.users[role]!.email);
  return b;
};

async function makeLob(p: OrgFixture, c: OrgFixture, status: "active" | "requested" | "ended" = "active") {
  await withSystem((tx) =>
    tx.execute(sql`insert into relationships (partner_org_id, customer_org_id, type, status, started_at, ended_at)
      values (${p.orgId}, ${c.orgId}, 'lob', ${status}, ${status === "requested" ? null : sql`now()`}, ${status === "ended" ? sql`now()` : null})`),
  );
}

/** A partner that is the customer's reseller and active LOB partner. */
async function lobPair() {
  const p = await createPartner();
  const c = await createCustomer();
  await relate(p, c);
  await makeLob(p, c);
  return { p, c };
}

const app = (over: Record<string, string> = {}) => ({
  intent: "submit",
  name: `Expenses ${uniq()}`,
  version: "2.1.0",
  description: "Submits and approves travel expenses.\nWorks offline.",
  downloadUrl: "https://apps.fabrikam.example/expenses-2.1.0.msi",
  ...over,
});

async function submit(b: Browser, customerId: string, form: Record<string, string>) {
  return b.fetch(`/partner/customers/${customerId}/apps`, { form });
}

const appId = async (partnerId: string, name: string) => (await one<{ id: string }>(sql`select id from lob_apps where partner_org_id = ${partnerId} and name = ${name}`)).id;
const statusOf = async (id: string) => (await one<{ status: string }>(sql`select status from lob_apps where id = ${id}`)).status;

/** One statement as the app role in an organisation's context (optionally a partner acting in it), rolled back: its rows, or "denied". */
async function asApp(orgId: string, userId: string, statement: SQL, { actingPartnerId }: { actingPartnerId?: string } = {}): Promise<number | "denied"> {
  class Rollback extends Error {}
  let outcome: number | "denied" = 0;
  try {
    await withSystem(async (tx) => {
      await tx.execute(sql`select set_config('app.org_id', ${orgId}, true), set_config('app.user_id', ${userId}, true), set_config('app.acting_partner_id', ${actingPartnerId ?? ""}, true)`);
      await tx.execute(sql.raw(`set local role ${APP_ROLE}`));
      try {
        const result = await tx.execute(statement);
        const affected = (result as { affectedRows?: number; count?: number }).affectedRows ?? (result as { count?: number }).count ?? 0;
        outcome = Math.max(rowsOf(result).length, affected);
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

describe("line-of-business apps: submit, approve, withdraw", () => {
  it("a LOB partner's admin agent submits; the customer's global admin reviews and approves; the partner sees Approved and is told", async () => {
    const { p, c } = await lobPair();
    const agent = await signedIn(p, "admin_agent");
    // The customer's page links to its line-of-business apps.
    let page = await agent.html(`/partner/customers/${c.orgId}`);
    expect(page.text).toContain(`href="/partner/customers/${c.orgId}/apps"`);
    page = await agent.html(`/partner/customers/${c.orgId}/apps`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Submit an app");
    expect(page.text).toContain("No apps submitted yet");

    const form = app();
    const res = await submit(agent, c.orgId, form);
    expect(res.status).toBe(302);
    const id = await appId(p.orgId, form.name);
    expect(await one(sql`select status, version, download_url, submitted_by_name, partner_name from lob_apps where id = ${id}`)).toEqual({
      status: "submitted",
      version: "2.1.0",
      download_url: form.downloadUrl,
      submitted_by_name: `admin_agent ${p.name.split(" ")[1]}`,
      partner_name: p.name,
    });
    page = await agent.html(`/partner/customers/${c.orgId}/apps`);
    expect(page.text).toContain(form.name);
    expect(page.text).toContain("Waiting for review");

    // The customer's global admins are told, and see everything they review.
    await runJobs(["notify"]);
    expect(await one(sql`select title, link from notifications where user_id = ${c.users.global_admin!.id} and kind = 'lob_app.submitted'`)).toEqual({
      title: `${p.name} submitted ${form.name} 2.1.0 for review`,
      link: "/customer/apps?status=submitted",
    });
    const ga = await signedIn(c, "global_admin");
    page = await ga.html("/customer/apps");
    expect(page.status).toBe(200);
    for (const text of [form.name, "2.1.0", "Submits and approves travel expenses.", form.downloadUrl, p.name, "Waiting for review", "Approve", "Withdraw"]) expect(page.text, text).toContain(text);
    expect(page.text).toContain('href="/customer/apps"'); // the navigation entry

    expect((await ga.fetch("/customer/apps", { form: { intent: "approve", appId: id, seen: "submitted" } })).status).toBe(302);
    expect(await one(sql`select status, reviewed_by_name, reviewed_by_org_id from lob_apps where id = ${id}`)).toEqual({
      status: "approved",
      reviewed_by_name: `global_admin ${c.name.split(" ")[1]}`,
      reviewed_by_org_id: c.orgId,
    });
    page = await agent.html(`/partner/customers/${c.orgId}/apps`);
    expect(page.text).toMatch(/class="badge[^"]*">Approved</);
    await runJobs(["notify"]);
    expect(await one(sql`select title, link from notifications where user_id = ${p.users.admin_agent!.id} and kind = 'lob_app.approved'`)).toEqual({
      title: `${c.name} approved ${form.name} 2.1.0`,
      link: `/partner/customers/${c.orgId}/apps`,
    });
    // Approving twice: 409, nothing changes.
    expect((await ga.fetch("/customer/apps", { form: { intent: "approve", appId: id, seen: "submitted" } })).status).toBe(409);

    // The customer withdraws the approved app (it leaves the list of available apps), with a reason the partner sees.
    expect((await ga.fetch("/customer/apps", { form: { intent: "withdraw", appId: id, seen: "approved", reason: "Replaced by the new portal." } })).status).toBe(302);
    expect(await one(sql`select status, reason from lob_apps where id = ${id}`)).toEqual({ status: "withdrawn", reason: "Replaced by the new portal." });
    page = await agent.html(`/partner/customers/${c.orgId}/apps`);
    expect(page.text).toContain("Reason: Replaced by the new portal.");
    expect((await ga.fetch("/customer/apps", { form: { intent: "withdraw", appId: id, seen: "approved" } })).status).toBe(409);

    const audit = await rows<{ action: string; actor_org_id: string; subject_org_id: string }>(
      sql`select action, actor_org_id, subject_org_id from audit_log where object_id = ${id} order by id`,
    );
    expect(audit).toEqual([
      { action: "lob_app.submitted", actor_org_id: p.orgId, subject_org_id: c.orgId },
      { action: "lob_app.approved", actor_org_id: c.orgId, subject_org_id: c.orgId },
      { action: "lob_app.withdrawn", actor_org_id: c.orgId, subject_org_id: c.orgId },
    ]);
    // The status filter and the partner filter of the list kit.
    expect((await ga.html("/customer/apps?status=approved")).text).toContain("No app matches this filter.");
    expect((await ga.html(`/customer/apps?status=withdrawn&partner=${p.orgId}`)).text).toContain(form.name);
  });

  it("the partner withdraws its own submission while it waits, not once approved; the customer's stale review is then a 409", async () => {
    const { p, c } = await lobPair();
    const agent = await signedIn(p, "global_admin");
    const ga = await signedIn(c, "global_admin");
    const waiting = app();
    const approved = app();
    expect((await submit(agent, c.orgId, waiting)).status).toBe(302);
    expect((await submit(agent, c.orgId, approved)).status).toBe(302);
    const waitingId = await appId(p.orgId, waiting.name);
    const approvedId = await appId(p.orgId, approved.name);
    expect((await ga.fetch("/customer/apps", { form: { intent: "approve", appId: approvedId, seen: "submitted" } })).status).toBe(302);

    expect((await agent.fetch(`/partner/customers/${c.orgId}/apps`, { form: { intent: "withdraw", appId: waitingId } })).status).toBe(302);
    expect(await one(sql`select status, reviewed_by_org_id from lob_apps where id = ${waitingId}`)).toEqual({ status: "withdrawn", reviewed_by_org_id: p.orgId });
    const refused = await agent.fetch(`/partner/customers/${c.orgId}/apps`, { form: { intent: "withdraw", appId: approvedId } });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain("only the customer&#x27;s global admins can withdraw it now");
    expect(await statusOf(approvedId)).toBe("approved");
    // The customer's admin, still looking at the waiting app, approves it: it changed meanwhile.
    const stale = await ga.fetch("/customer/apps", { form: { intent: "approve", appId: waitingId, seen: "submitted" } });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain("changed while you were reviewing it");
    expect(await statusOf(waitingId)).toBe("withdrawn");
    // The same version again is refused (whatever its status and the name's case); a new version is fine.
    const again = await submit(agent, c.orgId, { ...waiting, name: waiting.name.toUpperCase() });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain("Submit a new version instead.");
    expect((await submit(agent, c.orgId, { ...waiting, version: "2.1.1" })).status).toBe(302);
    await runJobs(["notify"]);
    expect((await rows(sql`select 1 from notifications where user_id = ${c.users.global_admin!.id} and kind = 'lob_app.withdrawn'`)).length).toBe(1);
  });

  it("partner roles: global admins and admin agents submit; sales agents, helpdesk agents and billing admins see the list and are told why they cannot", async () => {
    const { p, c } = await lobPair();
    const first = app();
    expect((await submit(await signedIn(p, "admin_agent"), c.orgId, first)).status).toBe(302);
    const id = await appId(p.orgId, first.name);
    for (const role of ["sales_agent", "helpdesk_agent", "billing_admin"]) {
      const b = await signedIn(p, role);
      const page = await b.html(`/partner/customers/${c.orgId}/apps`);
      expect(page.status, role).toBe(200);
      expect(page.text, role).toContain(first.name);
      expect(page.text, role).toContain("Only your global admins and admin agents submit and withdraw apps.");
      expect(page.text, role).not.toContain("Submit an app");
      expect((await submit(b, c.orgId, app())).status, role).toBe(403);
      expect((await b.fetch(`/partner/customers/${c.orgId}/apps`, { form: { intent: "withdraw", appId: id } })).status, role).toBe(403);
    }
    expect(await statusOf(id)).toBe("submitted");
    expect((await rows(sql`select 1 from lob_apps where partner_org_id = ${p.orgId}`)).length).toBe(1);
  });

  it("customer roles: the billing admin sees the list without review buttons and cannot review; a user has no page", async () => {
    const { p, c } = await lobPair();
    const form = app();
    expect((await submit(await signedIn(p, "admin_agent"), c.orgId, form)).status).toBe(302);
    const id = await appId(p.orgId, form.name);
    const billing = await signedIn(c, "billing_admin");
    const page = await billing.html("/customer/apps");
    expect(page.status).toBe(200);
    expect(page.text).toContain(form.name);
    expect(page.text).toContain("Only your global admins approve or withdraw apps.");
    expect(page.text).not.toContain(">Approve<");
    for (const intent of ["approve", "withdraw"]) expect((await billing.fetch("/customer/apps", { form: { intent, appId: id, seen: "submitted" } })).status, intent).toBe(403);
    const user = await signedIn(c, "user");
    expect((await user.html("/customer/apps")).status).toBe(403);
    expect((await user.html("/customer")).text).not.toContain('href="/customer/apps"');
    expect((await user.fetch("/customer/apps", { form: { intent: "approve", appId: id, seen: "submitted" } })).status).toBe(403);
    expect(await statusOf(id)).toBe("submitted");
    // A partner opening the customer page gets its own home.
    expect((await (await signedIn(p, "global_admin")).html("/customer/apps")).location).toBe("/partner");
  });
});

describe("line-of-business apps: other partners and customers", () => {
  it("a partner without a LOB relationship, or with one with another customer, can neither submit nor see; nor can another customer", async () => {
    const { p, c } = await lobPair();
    const form = app();
    expect((await submit(await signedIn(p, "admin_agent"), c.orgId, form)).status).toBe(302);
    const id = await appId(p.orgId, form.name);

    // A reseller of the same customer without LOB: the page says why; submitting is 403.
    const reseller = await createPartner();
    await relate(reseller, c);
    const r = await signedIn(reseller, "global_admin");
    expect((await r.html(`/partner/customers/${c.orgId}`)).text).not.toContain(`href="/partner/customers/${c.orgId}/apps"`);
    let page = await r.html(`/partner/customers/${c.orgId}/apps`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Line-of-business apps are not available");
    expect(page.text).toContain(`You are not ${c.name}&#x27;s line-of-business (LOB) partner`);
    expect(page.text).not.toContain(form.name);
    expect((await submit(r, c.orgId, app())).status).toBe(403);
    expect((await r.fetch(`/partner/customers/${c.orgId}/apps`, { form: { intent: "withdraw", appId: id } })).status).toBe(403);

    // A requested (not yet approved) LOB relationship: waiting.
    const asking = await createPartner();
    await relate(asking, c);
    await makeLob(asking, c, "requested");
    page = await (await signedIn(asking, "global_admin")).html(`/partner/customers/${c.orgId}/apps`);
    expect(page.text).toContain("is waiting for");
    expect((await submit(await signedIn(asking, "global_admin"), c.orgId, app())).status).toBe(403);

    // A LOB partner of another customer: this customer does not exist for it.
    const other = await createCustomer();
    const elsewhere = await createPartner();
    await relate(elsewhere, other);
    await makeLob(elsewhere, other);
    const e = await signedIn(elsewhere, "global_admin");
    expect((await e.html(`/partner/customers/${c.orgId}/apps`)).status).toBe(404);
    expect((await submit(e, c.orgId, app())).status).toBe(404);
    // P's app id on its own customer's page: not found.
    expect((await e.fetch(`/partner/customers/${other.orgId}/apps`, { form: { intent: "withdraw", appId: id } })).status).toBe(404);
    expect((await e.html(`/partner/customers/${other.orgId}/apps`)).text).not.toContain(form.name);
    expect(await statusOf(id)).toBe("submitted");

    // Another customer: not on its list, and not its to review.
    const otherGa = await signedIn(other, "global_admin");
    expect((await otherGa.html("/customer/apps")).text).not.toContain(form.name);
    expect((await otherGa.html(`/customer/apps?partner=${p.orgId}`)).text).not.toContain(form.name);
    for (const intent of ["approve", "withdraw"]) expect((await otherGa.fetch("/customer/apps", { form: { intent, appId: id, seen: "submitted" } })).status).toBe(404);
    expect(await statusOf(id)).toBe("submitted");
  });

  it("the database: other partners, other customers and partner staff acting in the customer see no row and change nothing", async () => {
    const { p, c } = await lobPair();
    const form = app();
    expect((await submit(await signedIn(p, "admin_agent"), c.orgId, form)).status).toBe(302);
    const id = await appId(p.orgId, form.name);
    const reseller = await createPartner();
    await relate(reseller, c);
    const elsewhere = await createPartner();
    const other = await createCustomer();
    await relate(elsewhere, other);
    await makeLob(elsewhere, other);
    const me = (o: OrgFixture) => o.users.global_admin!.id;
    // With the partner's own name and submitter (the guard requires both), so only the rules under test refuse it.
    const insertFor = (partner: OrgFixture) =>
      sql`insert into lob_apps (customer_org_id, partner_org_id, partner_name, submitted_by_user_id, name, version, description, download_url) values (${c.orgId}, ${partner.orgId}, ${partner.name}, ${me(partner)}, ${`Sneaky ${uniq()}`}, '1', 'x', 'https://x.example/a') returning id`;

    // Own contexts: the partner and the customer see it.
    expect(await asApp(p.orgId, me(p), sql`select id from lob_apps where id = ${id}`)).toBe(1);
    expect(await asApp(c.orgId, me(c), sql`select id from lob_apps where id = ${id}`)).toBe(1);
    // Others: zero rows, inserts refused, updates touch nothing.
    for (const [who, org] of [["reseller without LOB", reseller], ["LOB partner of another customer", elsewhere], ["another customer", other]] as const) {
      expect(await asApp(org.orgId, me(org), sql`select id from lob_apps where id = ${id}`), who).toBe(0);
      expect(await asApp(org.orgId, me(org), sql`select id from lob_apps where customer_org_id = ${c.orgId}`), who).toBe(0);
      expect(await asApp(org.orgId, me(org), sql`update lob_apps set status = 'approved', reviewed_by_org_id = ${org.orgId} where id = ${id} returning id`), who).toBe(0);
    }
    expect(await asApp(reseller.orgId, me(reseller), insertFor(reseller))).toBe("denied");
    expect(await asApp(elsewhere.orgId, me(elsewhere), insertFor(elsewhere))).toBe("denied");
    // Inserting in another partner's name is refused too.
    expect(await asApp(reseller.orgId, me(reseller), insertFor(p))).toBe("denied");
    // The partner itself: only a waiting submission; it cannot approve its own app.
    expect(await asApp(p.orgId, me(p), insertFor(p))).toBe(1);
    expect(await asApp(p.orgId, me(p), sql`insert into lob_apps (customer_org_id, partner_org_id, partner_name, name, version, description, download_url, status) values (${c.orgId}, ${p.orgId}, 'x', 'Pre-approved', '1', 'x', 'https://x.example/a', 'approved') returning id`)).toBe("denied");
    expect(await asApp(p.orgId, me(p), sql`update lob_apps set status = 'approved', reviewed_by_org_id = ${p.orgId} where id = ${id} returning id`)).toBe("denied");
    // Plain http is refused by the table itself.
    await expect(withSystem((tx) => tx.execute(sql`insert into lob_apps (customer_org_id, partner_org_id, partner_name, name, version, description, download_url) values (${c.orgId}, ${p.orgId}, 'x', 'Plain', '1', 'x', 'http://x.example/a')`))).rejects.toThrow();
    // A partner's staff acting in the customer (delegated administration) see nothing and review nothing.
    expect(await asApp(c.orgId, me(reseller), sql`select id from lob_apps where id = ${id}`, { actingPartnerId: reseller.orgId })).toBe(0);
    expect(await asApp(c.orgId, me(reseller), sql`update lob_apps set status = 'approved', reviewed_by_org_id = ${c.orgId} where id = ${id} returning id`, { actingPartnerId: reseller.orgId })).toBe(0);
    expect(await statusOf(id)).toBe("submitted");
  });

  it("an ended LOB relationship stops submissions and the partner's withdrawals; the customer keeps its list", async () => {
    const { p, c } = await lobPair();
    const agent = await signedIn(p, "admin_agent");
    const form = app();
    expect((await submit(agent, c.orgId, form)).status).toBe(302);
    const id = await appId(p.orgId, form.name);
    await withSystem((tx) => tx.execute(sql`update relationships set status = 'ended', ended_at = now() where partner_org_id = ${p.orgId} and customer_org_id = ${c.orgId} and type = 'lob'`));

    const page = await agent.html(`/partner/customers/${c.orgId}/apps`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("has ended, so you can no longer submit apps");
    expect(page.text).not.toContain("Submit an app");
    const refused = await submit(agent, c.orgId, app());
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("has ended");
    expect((await agent.fetch(`/partner/customers/${c.orgId}/apps`, { form: { intent: "withdraw", appId: id } })).status).toBe(403);
    expect(await asApp(p.orgId, p.users.global_admin!.id, sql`insert into lob_apps (customer_org_id, partner_org_id, partner_name, name, version, description, download_url) values (${c.orgId}, ${p.orgId}, 'x', 'Late', '1', 'x', 'https://x.example/a') returning id`)).toBe("denied");
    expect(await asApp(p.orgId, p.users.global_admin!.id, sql`update lob_apps set status = 'withdrawn', reviewed_by_org_id = ${p.orgId} where id = ${id} returning id`)).toBe("denied");
    expect((await rows(sql`select 1 from lob_apps where partner_org_id = ${p.orgId}`)).length).toBe(1);

    // The customer still sees who submitted it and can withdraw it.
    const ga = await signedIn(c, "global_admin");
    expect((await ga.html("/customer/apps")).text).toContain(p.name);
    expect((await ga.fetch("/customer/apps", { form: { intent: "withdraw", appId: id, seen: "submitted" } })).status).toBe(302);
    expect(await statusOf(id)).toBe("withdrawn");
  });
});

describe("line-of-business apps: the relationship as the app establishes it", () => {
  it("the partner asks to be the LOB partner, the customer approves, the partner submits; once the partner ends it, it cannot submit", async () => {
    const p = await createPartner();
    const c = await createCustomer();
    await relate(p, c);
    const agent = await signedIn(p, "admin_agent");
    const ga = await signedIn(c, "global_admin");
    expect((await agent.html(`/partner/customers/${c.orgId}/apps`)).text).toContain(`You are not ${c.name}&#x27;s line-of-business (LOB) partner`);
    expect((await agent.fetch(`/partner/customers/${c.orgId}`, { form: { intent: "request", type: "lob" } })).status).toBe(302);
    expect((await agent.html(`/partner/customers/${c.orgId}/apps`)).text).toContain("is waiting for");
    expect((await submit(agent, c.orgId, app())).status).toBe(403);
    const { id: requestId } = await one<{ id: string }>(sql`select id from relationships where partner_org_id = ${p.orgId} and customer_org_id = ${c.orgId} and type = 'lob'`);
    expect((await ga.fetch("/customer/requests", { form: { intent: "approve", id: requestId } })).status).toBe(302);
    const form = app();
    expect((await submit(agent, c.orgId, form)).status).toBe(302);
    expect((await ga.html("/customer/apps")).text).toContain(form.name);
    expect((await agent.fetch(`/partner/customers/${c.orgId}`, { form: { intent: "end", type: "lob" } })).status).toBe(302);
    expect((await agent.html(`/partner/customers/${c.orgId}/apps`)).text).toContain("has ended");
    expect((await submit(agent, c.orgId, app())).status).toBe(403);
    expect((await ga.html("/customer/apps")).text).toContain(form.name);
  });
});

describe("line-of-business apps: bad input", () => {
  it("bad fields are 400 with the message next to the field; malformed ids are 400/404, never 5xx", async () => {
    const { p, c } = await lobPair();
    const agent = await signedIn(p, "admin_agent");
    const cases: [Record<string, string>, string][] = [
      [{ downloadUrl: "http://apps.example.com/a.msi" }, "The download URL must start with https://."],
      [{ downloadUrl: "ftp://apps.example.com/a.msi" }, "The download URL must start with https://."],
      [{ downloadUrl: "javascript:alert(1)" }, "The download URL must start with https://."],
      [{ downloadUrl: "apps.example.com/a.msi" }, "Enter a full address"],
      [{ downloadUrl: "https://localhost/a.msi" }, "Enter the address of a public site"],
      [{ downloadUrl: "https://me:secret@apps.example.com/a.msi" }, "Leave user names and passwords out"],
      [{ downloadUrl: `https://apps.example.com/${"a".repeat(2000)}` }, "Use at most 2000 characters."],
      [{ downloadUrl: "" }, "Enter the download URL."],
      [{ name: "" }, "Enter the app&#x27;s name."],
      [{ name: "x".repeat(101) }, "Use at most 100 characters."],
      [{ name: "Bad\u0000name" }, "Remove the control characters"],
      [{ version: "1 0" }, "Use letters, digits and . + _ - only"],
      [{ version: "1".repeat(41) }, "Use at most 40 characters."],
      [{ description: "   " }, "Describe what the app does."],
      [{ description: "d".repeat(2001) }, "Use at most 2000 characters."],
    ];
    for (const [over, message] of cases) {
      const res = await submit(agent, c.orgId, app(over));
      expect(res.status, JSON.stringify(over).slice(0, 80)).toBe(400);
      const text = (await res.text()).replaceAll("<!-- -->", "");
      expect(text, JSON.stringify(over).slice(0, 80)).toContain(message);
      // The message sits in the field's error list, which the field names.
      const field = Object.keys(over)[0]!;
      expect(text).toMatch(new RegExp(`id="submit-lob-app-${field}-error"`));
    }
    const noFields = await agent.fetch(`/partner/customers/${c.orgId}/apps`, { form: { intent: "submit" } });
    expect(noFields.status).toBe(400);
    expect((await rows(sql`select 1 from lob_apps where partner_org_id = ${p.orgId}`)).length).toBe(0);

    // Malformed ids and intents.
    expect((await agent.html("/partner/customers/not-a-uuid/apps")).status).toBe(404);
    expect((await agent.fetch("/partner/customers/not-a-uuid/apps", { form: app() })).status).toBe(404);
    expect((await agent.fetch(`/partner/customers/${crypto.randomUUID()}/apps`, { form: app() })).status).toBe(404);
    expect((await agent.fetch(`/partner/customers/${c.orgId}/apps`, { form: { intent: "withdraw", appId: "x" } })).status).toBe(400);
    expect((await agent.fetch(`/partner/customers/${c.orgId}/apps`, { form: { intent: "withdraw", appId: crypto.randomUUID() } })).status).toBe(404);
    expect((await agent.fetch(`/partner/customers/${c.orgId}/apps`, { form: { intent: "approve" } })).status).toBe(400);
    expect((await agent.fetch(`/partner/customers/${c.orgId}/apps`, { form: {} })).status).toBe(400);
    const ga = await signedIn(c, "global_admin");
    const badForms: Record<string, string>[] = [{ intent: "approve", appId: "x", seen: "submitted" }, { intent: "approve", appId: crypto.randomUUID(), seen: "bogus" }, { intent: "withdraw" }, { intent: "delete", appId: crypto.randomUUID() }];
    for (const form of badForms) {
      expect((await ga.fetch("/customer/apps", { form })).status, JSON.stringify(form)).toBe(400);
    }
    expect((await ga.fetch("/customer/apps", { form: { intent: "approve", appId: crypto.randomUUID(), seen: "submitted" } })).status).toBe(404);
    expect((await ga.fetch("/customer/apps", { form: { intent: "withdraw", appId: crypto.randomUUID(), seen: "approved", reason: "r".repeat(501) } })).status).toBe(400);
    for (const q of ["?status=bogus", "?partner=x", "?after=zzz", `?after=${"A".repeat(5000)}`, "?status=approved&status=submitted", `?partner=${crypto.randomUUID()}`]) {
      expect((await ga.html(`/customer/apps${q}`)).status, q).toBe(200);
    }
  });

  it("submitting twice, also at once, keeps one row", async () => {
    const { p, c } = await lobPair();
    const agent = await signedIn(p, "admin_agent");
    const form = app();
    expect((await submit(agent, c.orgId, form)).status).toBe(302);
    expect((await submit(agent, c.orgId, form)).status).toBe(409);
    const twin = app();
    const statuses = (await Promise.all([submit(agent, c.orgId, twin), submit(agent, c.orgId, twin)])).map((r) => r.status).sort();
    expect(statuses).toEqual([302, 409]);
    expect((await rows(sql`select 1 from lob_apps where partner_org_id = ${p.orgId} and name in (${form.name}, ${twin.name})`)).length).toBe(2);
  });

  it("an approve and a withdraw at once: one wins, the other is a 409", async () => {
    const { p, c } = await lobPair();
    const form = app();
    expect((await submit(await signedIn(p, "admin_agent"), c.orgId, form)).status).toBe(302);
    const id = await appId(p.orgId, form.name);
    const [ga1, ga2] = [await signedIn(c, "global_admin"), await signedIn(c, "global_admin")];
    const [approve, withdraw] = await Promise.all([
      ga1.fetch("/customer/apps", { form: { intent: "approve", appId: id, seen: "submitted" } }),
      ga2.fetch("/customer/apps", { form: { intent: "withdraw", appId: id, seen: "submitted" } }),
    ]);
    expect([approve.status, withdraw.status].sort()).toEqual([302, 409]);
    expect(await statusOf(id)).toBe(approve.status === 302 ? "approved" : "withdrawn");
    expect((await rows(sql`select 1 from audit_log where object_id = ${id} and action in ('lob_app.approved', 'lob_app.withdrawn')`)).length).toBe(1);
  });
});
