/**
 * Shared links from the customer's side, through the HTTP routes as a browser drives them:
 * signing up from a link, accepting as an existing customer, the role rules, the agreement,
 * licence limits, double submits, revoked and tampered codes, tracking, and trials.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem, withTenant } from "../../app/utils/db.server";
import { createLink, type NewLink } from "../../app/modules/links/links.server";
import { expireTrials } from "../../app/modules/subscriptions/subscriptions.server";
import { applyAgreementVersion, assertAgreementAccepted } from "../../app/modules/customer-tenant/agreements.server";
import { createCustomer, createPartner, PASSWORD, relate, uniq, type OrgFixture } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { lastMailTo } from "../support/mail";
import { Browser } from "../support/http";

installTestDatabase();

async function advisorPartner({ dap = true } = {}) {
  const p = await createPartner();
  await withSystem((tx) => tx.execute(sql`update organisations set is_authorised_advisor = true, is_dap_certified = ${dap}, email = 'sales@partner.test', phone = '+45 1234 5678' where id = ${p.orgId}`));
  return p;
}

async function linkOf(p: OrgFixture, link: Partial<NewLink>) {
  return withTenant({ orgId: p.orgId, userId: p.users.sales_agent!.id }, (tx) =>
    createLink(tx, {
      partnerId: p.orgId,
      actor: { userId: p.users.sales_agent!.id, orgId: p.orgId },
      link: { kind: "trial", items: [{ productId: "business-premium" }], offerDap: false, message: null, expiresAt: null, ...link },
    }),
  );
}

const path = (url: string) => new URL(url).pathname;
const one = async <T>(q: ReturnType<typeof sql>) => (await withSystem(async (tx) => rowsOf<T>(await tx.execute(q))))[0]!;
const all = async <T>(q: ReturnType<typeof sql>) => withSystem(async (tx) => rowsOf<T>(await tx.execute(q)));

function signUpForm(over: Record<string, string> = {}) {
  const id = uniq();
  return {
    intent: "signup",
    agreementVersion: "2026-11",
    read: "on",
    submissionKey: `key-${id}-${uniq()}-${uniq()}`,
    organisationName: `Bakery ${id}`,
    primaryDomain: `bakery-${id}.dk`,
    country: "DK",
    adminName: "Mette Hansen",
    email: `mette@bakery-${id}.dk`,
    password: "a-long-enough-password",
    ...over,
  };
}

describe("the public page of a link", () => {
  it("shows the partner, the offer and the agreement; tampered codes answer 404, revoked 410", async () => {
    const p = await advisorPartner();
    const link = await linkOf(p, { offerDap: true, message: "Try it for a month!" });
    const page = await new Browser().html(path(link.url));
    expect(page.status).toBe(200);
    expect(page.text).toContain(p.name);
    expect(page.text).toContain(`Partner ID ${p.partnerNumber}`);
    expect(page.text).toContain("sales@partner.test");
    expect(page.text).toContain("Business Premium");
    expect(page.text).toContain("Try it for a month!");
    expect(page.text).toContain("Partnerdesk Customer Agreement");
    expect(page.text).toContain("Delegated administration");

    const code = path(link.url).slice(3);
    const tampered = code.slice(0, -2) + (code.endsWith("AA") ? "BB" : "AA");
    expect((await new Browser().html(`/l/${tampered}`)).status).toBe(404);
    expect((await new Browser().html(`/l/${code}x`)).status).toBe(404);
    expect((await new Browser().html(`/l/nothing`)).status).toBe(404);

    const admin = new Browser();
    await admin.signIn(p.users.global_admin!.email);
    expect((await admin.fetch(`/partner/links/${link.id}`, { form: { intent: "revoke" } })).status).toBe(302);
    const gone = await new Browser().html(path(link.url));
    expect(gone.status).toBe(410);
    expect(gone.text).toContain("no longer valid");
    // A sign-up posted to a revoked link creates nothing.
    const form = signUpForm();
    expect((await new Browser().fetch(path(link.url), { form })).status).toBe(410);
    expect((await one<{ n: number }>(sql`select count(*)::int as n from organisations where primary_domain = ${form.primaryDomain}`)).n).toBe(0);
  });

  it("counts visits through the beacon, not on GET", async () => {
    const p = await advisorPartner();
    const link = await linkOf(p, {});
    await new Browser().html(path(link.url));
    const visits = () => one<{ n: number }>(sql`select coalesce(sum(visits), 0)::int as n from link_visits where link_id = ${link.id}`);
    expect((await visits()).n).toBe(0);
    for (let i = 0; i < 3; i++) expect((await new Browser().fetch(path(link.url), { form: { intent: "visit" } })).status).toBe(204);
    expect((await visits()).n).toBe(3);
  });
});

describe("a new customer signs up from a trial invitation", () => {
  it("creates the tenant, the trial, the advisor and DAP relationships, the agreement acceptance, and tells the partner", async () => {
    const p = await advisorPartner();
    const link = await linkOf(p, { offerDap: true });
    const visitor = new Browser();
    const form = signUpForm({ authoriseDap: "on" });
    const res = await visitor.fetch(path(link.url), { form });
    expect(res.status).toBe(302);
    // "Accept & authorize" (the link offers delegated admin): the list of partners is shown (seeds 000/004).
    expect(res.headers.get("Location")).toBe("/customer/partners");

    // Signed in as the new global admin, who sees the trial with its end date and partner.
    const subs = await visitor.html("/customer/subscriptions");
    expect(subs.status).toBe(200);
    expect(subs.text).toContain("Business Premium");
    expect(subs.text).toContain("Trial");
    expect(subs.text).toContain(p.name);
    expect(subs.text).toContain(`Partner ID ${p.partnerNumber}`);
    const partners = await visitor.html("/customer/partners");
    expect(partners.text).toContain(p.name);
    expect(partners.text).toContain("Delegated admin");
    expect(partners.text).toContain("Subscription advisor (Partner of Record)");

    const customer = await one<{ id: string; agreement_version: string }>(sql`select id, agreement_version from organisations where primary_domain = ${form.primaryDomain}`);
    expect(customer.agreement_version).toBe("2026-11");
    const sub = await one<{ status: string; licences: number; days: number; advisor: string }>(
      sql`select status, licences, round(extract(epoch from ends_at - started_at) / 86400)::int as days, advisor_partner_org_id as advisor from subscriptions where customer_org_id = ${customer.id}`,
    );
    expect(sub).toEqual({ status: "trial", licences: 25, days: 30, advisor: p.orgId });
    const rels = await all<{ type: string; status: string }>(sql`select type, status from relationships where customer_org_id = ${customer.id} order by type`);
    expect(rels).toEqual([
      { type: "advisor", status: "active" },
      { type: "dap", status: "active" },
    ]);
    const acceptance = await one<{ version: string; by: string }>(
      sql`select a.version, u.email as by from agreement_acceptances a join users u on u.id = a.accepted_by_user_id where a.customer_org_id = ${customer.id}`,
    );
    expect(acceptance).toEqual({ version: "2026-11", by: form.email });

    // The partner: a notification and an email, the customer in its list, the link's tracking.
    expect(await lastMailTo(p.users.sales_agent!.email)).toContain(`${form.organisationName} accepted your trial invitation and authorised delegated administration`);
    const admin = new Browser();
    await admin.signIn(p.users.global_admin!.email);
    expect((await admin.html("/notifications")).text).toContain(`${form.organisationName} accepted your trial invitation`);
    expect((await admin.html(`/partner/customers?q=${encodeURIComponent(form.organisationName)}`)).text).toContain(form.primaryDomain);
    const detail = await admin.html(`/partner/links/${link.id}`);
    expect(detail.text).toContain(form.organisationName);
    expect(detail.text).toContain("Authorised");
    const customerPage = await admin.html(`/partner/customers/${customer.id}`);
    expect(customerPage.text).toContain("Business Premium");
  });

  it("keeps what was typed (but the password) on bad input, and creates nothing", async () => {
    const p = await advisorPartner();
    const link = await linkOf(p, {});
    const form = signUpForm({ read: "", password: "short", primaryDomain: "not a domain" });
    delete (form as Record<string, string>).read;
    const res = await new Browser().fetch(path(link.url), { form });
    expect(res.status).toBe(400);
    const body = await res.text();
    expect(body).toContain("Tick the box to confirm that you have read the customer agreement.");
    expect(body).toContain("Use at least 12 characters.");
    expect(body).toContain("Enter a domain name like contoso.com");
    expect(body).toContain(form.organisationName);
    expect(body).toContain(form.email);
    expect(body).not.toContain('"short"');
    expect((await one<{ n: number }>(sql`select count(*)::int as n from users where email = ${form.email}`)).n).toBe(0);
  });

  it("refuses a taken domain or email with 409 on the field, creating nothing", async () => {
    const p = await advisorPartner();
    const link = await linkOf(p, {});
    const existing = await createCustomer();
    const byDomain = await new Browser().fetch(path(link.url), { form: signUpForm({ primaryDomain: existing.domain }) });
    expect(byDomain.status).toBe(409);
    expect(await byDomain.text()).toContain(`The domain ${existing.domain} already belongs to an organisation`);
    const byEmail = await new Browser().fetch(path(link.url), { form: signUpForm({ email: existing.users.global_admin!.email }) });
    expect(byEmail.status).toBe(409);
    expect(await byEmail.text()).toContain("An account with this email address exists. Sign in instead");
    expect((await one<{ n: number }>(sql`select count(*)::int as n from link_redemptions where link_id = ${link.id}`)).n).toBe(0);
  });

  it("a double submit of the same form creates one tenant and signs in both times", async () => {
    const p = await advisorPartner();
    const link = await linkOf(p, {});
    const form = signUpForm();
    const first = await new Browser().fetch(path(link.url), { form });
    const second = new Browser();
    const again = await second.fetch(path(link.url), { form });
    expect(first.status).toBe(302);
    expect(again.status).toBe(302);
    expect((await second.html("/customer/subscriptions")).text).toContain("Business Premium");
    expect((await one<{ n: number }>(sql`select count(*)::int as n from organisations where primary_domain = ${form.primaryDomain}`)).n).toBe(1);
    expect((await one<{ n: number }>(sql`select count(*)::int as n from subscriptions where source_link_id = ${link.id}`)).n).toBe(1);
    // The key alone is no credential: a replay with another password gets nothing.
    const thief = await new Browser().fetch(path(link.url), { form: { ...form, password: "another-long-password" } });
    expect(thief.status).toBe(409);
  });
});

describe("an existing customer accepts", () => {
  it("a purchase offer with changed licence counts within the product's limits", async () => {
    const p = await advisorPartner();
    const link = await linkOf(p, { kind: "offer", items: [{ productId: "business-basic", licences: 10 }, { productId: "email-plan-1", licences: 5 }] });
    const c = await createCustomer();
    const ga = new Browser();
    await ga.signIn(c.users.global_admin!.email);
    const page = await ga.html(path(link.url));
    expect(page.text).toContain("Accept");
    expect(page.text).toContain('value="10"');

    const tooMany = await ga.fetch(path(link.url), { form: { intent: "accept", agreementVersion: "2026-11", read: "on", "licences.business-basic": "999999", "licences.email-plan-1": "5" } });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.text()).toContain("Business Basic is sold in 1 to 300 licences.");
    expect((await one<{ n: number }>(sql`select count(*)::int as n from subscriptions where customer_org_id = ${c.orgId}`)).n).toBe(0);

    const ok = await ga.fetch(path(link.url), { form: { intent: "accept", agreementVersion: "2026-11", read: "on", "licences.business-basic": "12", "licences.email-plan-1": "5" } });
    expect(ok.status).toBe(302);
    const subs = await all<{ product_id: string; licences: number; status: string }>(
      sql`select product_id, licences, status from subscriptions where customer_org_id = ${c.orgId} order by product_id`,
    );
    expect(subs).toEqual([
      { product_id: "business-basic", licences: 12, status: "active" },
      { product_id: "email-plan-1", licences: 5, status: "active" },
    ]);
    // A reload or second submit adds nothing.
    const again = await ga.fetch(path(link.url), { form: { intent: "accept", agreementVersion: "2026-11", read: "on", "licences.business-basic": "12", "licences.email-plan-1": "5" } });
    expect(again.status).toBe(302);
    expect((await one<{ n: number }>(sql`select count(*)::int as n from subscriptions where customer_org_id = ${c.orgId}`)).n).toBe(2);
    expect((await ga.html(path(link.url))).text).toContain("Your organisation accepted this on");
  });

  it("a billing admin accepts a trial but DAP waits for the global admin, who approves it", async () => {
    const p = await advisorPartner();
    const link = await linkOf(p, { offerDap: true });
    const c = await createCustomer();
    const billing = new Browser();
    await billing.signIn(c.users.billing_admin!.email);
    expect((await billing.html(path(link.url))).text).toContain("Only your global admin can authorise this");
    // Ticking "authorise" as a billing admin grants nothing.
    const res = await billing.fetch(path(link.url), { form: { intent: "accept", agreementVersion: "2026-11", read: "on", authoriseDap: "on" } });
    expect(res.status).toBe(302);
    const dap = () => one<{ id: string; status: string }>(sql`select id, status from relationships where customer_org_id = ${c.orgId} and type = 'dap'`);
    expect((await dap()).status).toBe("requested");
    // Not yet one of the partner's DAP customers.
    expect((await one<{ types: string }>(sql`select relationship_types as types from partner_customers where customer_org_id = ${c.orgId} and partner_org_id = ${p.orgId}`)).types).toBe("advisor");

    const requests = await billing.html("/customer/requests");
    expect(requests.text).toContain(p.name);
    expect(requests.text).toContain("Waiting for your global admin");
    expect((await billing.fetch("/customer/requests", { form: { intent: "approve", id: (await dap()).id } })).status).toBe(403);
    expect((await dap()).status).toBe("requested");

    const ga = new Browser();
    await ga.signIn(c.users.global_admin!.email);
    expect((await ga.fetch("/customer/requests", { form: { intent: "approve", id: (await dap()).id } })).status).toBe(302);
    expect((await dap()).status).toBe("active");
    expect((await ga.fetch("/customer/requests", { form: { intent: "approve", id: (await dap()).id } })).status).toBe(409);
    expect((await one<{ types: string }>(sql`select relationship_types as types from partner_customers where customer_org_id = ${c.orgId} and partner_org_id = ${p.orgId}`)).types).toBe("advisor,dap");
  });

  it("only a global admin accepts a reseller invitation; a plain user accepts nothing", async () => {
    const p = await advisorPartner();
    const link = await linkOf(p, { kind: "reseller", items: [] });
    const c = await createCustomer();
    const form = { intent: "accept", agreementVersion: "2026-11", read: "on" };
    for (const role of ["billing_admin", "user"]) {
      const b = new Browser();
      await b.signIn(c.users[role]!.email);
      expect((await b.fetch(path(link.url), { form })).status, role).toBe(403);
    }
    const ga = new Browser();
    await ga.signIn(c.users.global_admin!.email);
    expect((await ga.fetch(path(link.url), { form })).status).toBe(302);
    expect((await one<{ status: string }>(sql`select status from relationships where customer_org_id = ${c.orgId} and type = 'reseller'`)).status).toBe("active");
    expect((await ga.html("/customer/partners")).text).toContain("Reseller");
  });

  it("must accept the current agreement version, and tick that it was read", async () => {
    const p = await advisorPartner();
    const link = await linkOf(p, {});
    const c = await createCustomer();
    const ga = new Browser();
    await ga.signIn(c.users.global_admin!.email);
    const stale = await ga.fetch(path(link.url), { form: { intent: "accept", agreementVersion: "2020-01", read: "on" } });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain("The customer agreement changed while you were reading it");
    const unticked = await ga.fetch(path(link.url), { form: { intent: "accept", agreementVersion: "2026-11" } });
    expect(unticked.status).toBe(400);
    expect((await one<{ n: number }>(sql`select count(*)::int as n from link_redemptions where customer_org_id = ${c.orgId}`)).n).toBe(0);
  });

  it("a partner's staff cannot accept a link", async () => {
    const p = await advisorPartner();
    const link = await linkOf(p, {});
    const other = await createPartner();
    const b = new Browser();
    await b.signIn(other.users.global_admin!.email);
    expect((await b.html(path(link.url))).text).toContain("Customers accept this link");
    expect((await b.fetch(path(link.url), { form: { intent: "accept", agreementVersion: "2026-11", read: "on" } })).status).toBe(403);
  });
});

describe("a new customer agreement version", () => {
  it("puts customers back to 'agreement pending' until their global admin accepts it (once per version)", async () => {
    const p = await advisorPartner();
    const c = await createCustomer();
    await relate(p, c);
    class Rollback extends Error {}
    // In one rolled-back transaction, so the other test files keep the current version.
    await withSystem(async (tx) => {
      await tx.execute(sql`insert into customer_agreements (version, title, body, effective_at) values ('2099-test', 'New terms', 'New terms.', now())`);
      expect(await applyAgreementVersion(tx)).toBeGreaterThan(0);
      expect(await applyAgreementVersion(tx)).toBe(0);
      const status = async () => rowsOf<{ s: string }>(await tx.execute(sql`select agreement_status as s from partner_customers where partner_org_id = ${p.orgId} and customer_org_id = ${c.orgId}`))[0]!.s;
      expect(await status()).toBe("pending");
      await expect(assertAgreementAccepted(tx, { partnerId: p.orgId, customerId: c.orgId })).rejects.toMatchObject({ status: 409 });
      await tx.execute(sql`insert into agreement_acceptances (customer_org_id, version) values (${c.orgId}, '2099-test')`);
      expect(await status()).toBe("accepted");
      throw new Rollback();
    }).catch((e) => {
      if (!(e instanceof Rollback)) throw e;
    });
  });
});

describe("trials", () => {
  it("converts to paid within the product's limits and tells the partner of record", async () => {
    const p = await advisorPartner();
    const link = await linkOf(p, {});
    const visitor = new Browser();
    const form = signUpForm();
    await visitor.fetch(path(link.url), { form });
    const sub = await one<{ id: string; customer: string }>(sql`select s.id, s.customer_org_id as customer from subscriptions s where s.source_link_id = ${link.id}`);
    const tooFew = await visitor.fetch("/customer/subscriptions", { form: { intent: "convert", id: sub.id, licences: "0" } });
    expect(tooFew.status).toBe(400);
    expect(await tooFew.text()).toContain("Business Premium is sold in 1 to 300 licences.");
    expect((await visitor.fetch("/customer/subscriptions", { form: { intent: "convert", id: sub.id, licences: "40" } })).status).toBe(302);
    expect(await one(sql`select status, licences, converted_at is not null as converted, ends_at from subscriptions where id = ${sub.id}`)).toEqual({ status: "active", licences: 40, converted: true, ends_at: null });
    expect((await visitor.fetch("/customer/subscriptions", { form: { intent: "convert", id: sub.id, licences: "40" } })).status).toBe(409);
    expect((await one<{ n: number }>(sql`select count(*)::int as n from jobs where kind = 'notify' and payload->>'orgId' = ${p.orgId} and payload->>'kind' = 'subscription.trial_converted'`)).n).toBe(1);
    const admin = new Browser();
    await admin.signIn(p.users.global_admin!.email);
    expect((await admin.html(`/partner/links/${link.id}`)).text).toContain("1 of 1");
  });

  it("expire at their end date by scheduled work", async () => {
    const p = await advisorPartner();
    const link = await linkOf(p, {});
    await new Browser().fetch(path(link.url), { form: signUpForm() });
    await withSystem((tx) => tx.execute(sql`update subscriptions set ends_at = now() - interval '1 minute' where source_link_id = ${link.id}`));
    expect(await withSystem((tx) => expireTrials(tx))).toBeGreaterThanOrEqual(1);
    expect((await one<{ status: string }>(sql`select status from subscriptions where source_link_id = ${link.id}`)).status).toBe("expired");
  });
});

describe("the partner's links", () => {
  it("creates links through the form with field errors, and only for the roles that sell", async () => {
    const p = await advisorPartner({ dap: false });
    const sales = new Browser();
    await sales.signIn(p.users.sales_agent!.email);
    expect((await sales.html("/partner/links")).text).toContain("No links yet");
    const bad = await sales.fetch("/partner/links/new", { form: { kind: "offer", "licences.business-basic": "5000" } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("Business Basic is sold in 1 to 300 licences.");
    const noTrial = await sales.fetch("/partner/links/new", { form: { kind: "trial" } });
    expect(noTrial.status).toBe(400);
    const dap = await sales.fetch("/partner/links/new", { form: { kind: "trial", trialProduct: "business-premium", offerDap: "on" } });
    expect(dap.status).toBe(403);
    expect(await dap.text()).toContain("Only partners certified for delegated administration can offer it.");
    const ok = await sales.fetch("/partner/links/new", { form: { kind: "offer", "licences.business-basic": "10", message: "Hello" } });
    expect(ok.status).toBe(302);
    const detail = await sales.html(ok.headers.get("Location")!);
    expect(detail.text).toContain("Purchase offer");
    expect(detail.text).toContain("data:image/svg+xml;base64,");
    expect(detail.text).toMatch(/&lt;a href=&quot;http:\/\/localhost:3999\/l\/\d+\.[\w-]+/);
    for (const role of ["helpdesk_agent", "billing_admin"]) {
      const b = new Browser();
      await b.signIn(p.users[role]!.email);
      expect((await b.html("/partner/links")).status).toBe(403);
      expect((await b.fetch("/partner/links/new", { form: { kind: "reseller" } })).status).toBe(403);
      expect((await b.html("/partner/links")).status).toBe(403);
    }
  });

  it("emails a link to several addresses, one message each, with the partner's name and message", async () => {
    const p = await advisorPartner();
    const link = await linkOf(p, { message: "A month on us." });
    const sales = new Browser();
    await sales.signIn(p.users.sales_agent!.email);
    const bad = await sales.fetch(`/partner/links/${link.id}`, { form: { intent: "email", to: "ann@x.test, not-an-address" } });
    expect(bad.status).toBe(400);
    const to = [`ann-${uniq()}@x.test`, `bob-${uniq()}@y.test`];
    expect((await sales.fetch(`/partner/links/${link.id}`, { form: { intent: "email", to: to.join(",\n"), note: "As promised." } })).status).toBe(302);
    for (const address of to) {
      const mail = await lastMailTo(address);
      expect(mail).toContain(`${p.name} sent you a trial invitation`);
      expect(mail).toContain("As promised.");
      expect(mail).toContain("A month on us.");
      expect(mail).toContain(link.url);
    }
  });
});

describe("concurrency", () => {
  it.runIf(process.env.TEST_DB === "postgres")("20 parallel sign-ups from one link give 20 tenants; a doubled form gives one", async () => {
    const p = await advisorPartner();
    const link = await linkOf(p, {});
    const forms = Array.from({ length: 20 }, () => signUpForm());
    const results = await Promise.all(forms.map((form) => new Browser().fetch(path(link.url), { form })));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(302));
    expect((await one<{ n: number }>(sql`select count(distinct customer_org_id)::int as n from link_redemptions where link_id = ${link.id}`)).n).toBe(20);
    expect((await one<{ n: number }>(sql`select count(*)::int as n from subscriptions where source_link_id = ${link.id}`)).n).toBe(20);

    const doubled = signUpForm();
    const twice = await Promise.all([0, 1, 2].map(() => new Browser().fetch(path(link.url), { form: doubled })));
    expect(twice.map((r) => r.status)).toEqual([302, 302, 302]);
    expect((await one<{ n: number }>(sql`select count(*)::int as n from organisations where primary_domain = ${doubled.primaryDomain}`)).n).toBe(1);

    // One existing customer submitting five times at once: one redemption, one subscription.
    const c = await createCustomer();
    const ga = new Browser();
    await ga.signIn(c.users.global_admin!.email, PASSWORD);
    const five = await Promise.all([0, 1, 2, 3, 4].map(() => ga.fetch(path(link.url), { form: { intent: "accept", agreementVersion: "2026-11", read: "on" } })));
    expect(five.map((r) => r.status)).toEqual(Array(5).fill(302));
    expect((await one<{ n: number }>(sql`select count(*)::int as n from subscriptions where customer_org_id = ${c.orgId}`)).n).toBe(1);
  });
});
