/**
 * Subscriptions with their partner on both sides: the customer buys with an optional Partner ID
 * (confirmed by name first), adds, changes and deletes the partner, changes licences and cancels;
 * the Partner of Record hears of every change and a former one of none; reseller rules on both
 * sides; the partner's subscriptions page (filters, totals, paging).
 */
import { sql, type SQL } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem, withTenant } from "../../app/utils/db.server";
import { partnerTypeLabel } from "../../app/modules/customer-tenant/customer-partners.server";
import { compactSubscriptionTotals, expireTrials, listPartnerSubscriptions } from "../../app/modules/subscriptions/subscriptions.server";
import { parsePartnerSubscriptionQuery } from "../../app/modules/subscriptions/subscription-filters";
import { createCustomer, createPartner, relate, type OrgFixture } from "../support/factories";
import { installTestDatabase, testDbKind } from "../support/db";
import { Browser } from "../support/http";

installTestDatabase();

const one = async <T = Record<string, unknown>>(q: SQL) => (await withSystem(async (tx) => rowsOf<T>(await tx.execute(q))))[0]!;
const all = async <T = Record<string, unknown>>(q: SQL) => withSystem(async (tx) => rowsOf<T>(await tx.execute(q)));
/** The POR notifications queued for a partner, by kind. */
const porJobs = async (partner: OrgFixture) =>
  (await all<{ kind: string }>(sql`select payload->>'kind' as kind from jobs where kind = 'notify' and payload->>'orgId' = ${partner.orgId} and payload->>'kind' like 'subscription.%' order by id`)).map((r) => r.kind);

let P: OrgFixture, Q: OrgFixture, plain: OrgFixture, C: OrgFixture;
let ga: Browser, billing: Browser, user: Browser;

async function newSubscription(customer: OrgFixture, partner: OrgFixture | null, status: "active" | "trial" = "active") {
  const [row] = await all<{ id: string }>(
    sql`insert into subscriptions (customer_org_id, product_id, licences, status, advisor_partner_org_id, ends_at)
        values (${customer.orgId}, 'business-premium', 10, ${status}, ${partner?.orgId ?? null}, ${status === "trial" ? sql`now() + interval '20 days'` : null}) returning id`,
  );
  if (partner) await withSystem((tx) => tx.execute(sql`insert into relationships (partner_org_id, customer_org_id, type, status, started_at) values (${partner.orgId}, ${customer.orgId}, 'advisor', 'active', now()) on conflict do nothing`));
  return row!.id;
}

beforeAll(async () => {
  [P, Q, plain, C] = await Promise.all([createPartner(), createPartner(), createPartner(), createCustomer()]);
  await withSystem((tx) => tx.execute(sql`update organisations set is_authorised_advisor = true where id in (${P.orgId}, ${Q.orgId})`));
  [ga, billing, user] = [new Browser(), new Browser(), new Browser()];
  await ga.signIn(C.users.global_admin!.email);
  await billing.signIn(C.users.billing_admin!.email);
  await user.signIn(C.users.user!.email);
});

describe("buying with a Partner ID", () => {
  it("shows the partner's name for confirmation before buying, then buys with it as Partner of Record", async () => {
    const form = { intent: "buy", productId: "business-standard", licences: "15", partnerNumber: String(P.partnerNumber) };
    const preview = await billing.fetch("/customer/subscriptions", { form });
    expect(preview.status).toBe(200);
    const text = (await preview.text()).replaceAll("<!-- -->", "");
    expect(text).toContain(`Partner ID ${P.partnerNumber} is <strong>${P.name}</strong>`);
    expect((await one<{ n: number }>(sql`select count(*)::int as n from subscriptions where customer_org_id = ${C.orgId} and product_id = 'business-standard'`)).n).toBe(0);
    // The confirm button names what was confirmed (partner, product and count: buy-confirmation.test.ts).
    const confirmed = text.match(/<button[^>]*name="confirmed" value="([^"]+)"/)?.[1];
    expect(confirmed).toBeTruthy();
    const bought = await billing.fetch("/customer/subscriptions", { form: { ...form, confirmed: confirmed! } });
    expect(bought.status).toBe(302);
    expect(await one(sql`select licences, status, advisor_partner_org_id as por from subscriptions where customer_org_id = ${C.orgId} and product_id = 'business-standard'`)).toEqual({
      licences: 15,
      status: "active",
      por: P.orgId,
    });
    expect(await one(sql`select status from relationships where partner_org_id = ${P.orgId} and customer_org_id = ${C.orgId} and type = 'advisor'`)).toEqual({ status: "active" });
    expect(await porJobs(P)).toContain("subscription.partner_added");
    const page = await ga.html("/customer/subscriptions");
    expect(page.text).toContain("Business Standard");
    expect(page.text).toContain(P.name);
    expect(page.text).toContain(`Partner ID ${P.partnerNumber}`);
  });

  it("buys without a partner, and refuses unknown and unauthorised Partner IDs and counts outside the limits", async () => {
    expect((await ga.fetch("/customer/subscriptions", { form: { intent: "buy", productId: "visio-plan-2", licences: "2", partnerNumber: "" } })).status).toBe(302);
    expect(await one(sql`select advisor_partner_org_id as por from subscriptions where customer_org_id = ${C.orgId} and product_id = 'visio-plan-2'`)).toEqual({ por: null });
    const unknown = await ga.fetch("/customer/subscriptions", { form: { intent: "buy", productId: "visio-plan-2", licences: "2", partnerNumber: "99999999" } });
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain("No partner has Partner ID 99999999");
    const notAdvisor = await ga.fetch("/customer/subscriptions", { form: { intent: "buy", productId: "visio-plan-2", licences: "2", partnerNumber: String(plain.partnerNumber), confirmed: String(plain.partnerNumber) } });
    expect(notAdvisor.status).toBe(409);
    expect(await notAdvisor.text()).toContain("is not authorised as a subscription advisor");
    const tooMany = await ga.fetch("/customer/subscriptions", { form: { intent: "buy", productId: "visio-plan-2", licences: "100000" } });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.text()).toContain("Visio Plan 2 is sold in 1 to");
    const notNumber = await ga.fetch("/customer/subscriptions", { form: { intent: "buy", productId: "visio-plan-2", licences: "2", partnerNumber: "abc" } });
    expect(notNumber.status).toBe(400);
    expect(await notNumber.text()).toContain("A Partner ID is a number.");
  });

  it("lets only a global admin or billing admin manage subscriptions", async () => {
    expect((await user.html("/customer/subscriptions")).status).toBe(403);
    expect((await user.fetch("/customer/subscriptions", { form: { intent: "buy", productId: "visio-plan-2", licences: "2" } })).status).toBe(403);
    const staff = new Browser();
    await staff.signIn(P.users.global_admin!.email);
    expect((await staff.fetch("/customer/subscriptions", { form: { intent: "buy", productId: "visio-plan-2", licences: "2" } })).headers.get("Location")).toBe("/partner");
  });
});

describe("the partner on a subscription, and what the Partner of Record hears", () => {
  it("adds, changes and deletes the partner; each change tells the partner it concerns, and a former partner hears nothing more", async () => {
    const customer = await createCustomer();
    const admin = new Browser();
    await admin.signIn(customer.users.global_admin!.email);
    const id = await newSubscription(customer, null);
    const post = (form: Record<string, string>) => admin.fetch("/customer/subscriptions", { form: { id, ...form } });

    // Add P (two steps).
    const preview = await post({ intent: "set-partner", partnerNumber: String(P.partnerNumber) });
    expect(preview.status).toBe(200);
    expect(await preview.text()).toContain(P.name);
    expect((await one(sql`select advisor_partner_org_id as por from subscriptions where id = ${id}`)).por).toBeNull();
    expect((await post({ intent: "set-partner", partnerNumber: String(P.partnerNumber), confirmed: String(P.partnerNumber) })).status).toBe(302);
    expect((await one(sql`select advisor_partner_org_id as por from subscriptions where id = ${id}`)).por).toBe(P.orgId);
    const pBefore = (await porJobs(P)).length;

    // Licences and a second identical add.
    expect((await post({ intent: "licences", licences: "12" })).status).toBe(302);
    expect((await post({ intent: "set-partner", partnerNumber: String(P.partnerNumber), confirmed: String(P.partnerNumber) })).status).toBe(409);

    // Change to Q: P is told it was replaced, Q that it was added; P no longer sees it.
    expect((await post({ intent: "set-partner", partnerNumber: String(Q.partnerNumber), confirmed: String(Q.partnerNumber) })).status).toBe(302);
    expect((await porJobs(P)).slice(pBefore)).toEqual(["subscription.licences_changed", "subscription.partner_replaced"]);
    expect((await porJobs(Q)).at(-1)).toBe("subscription.partner_added");
    const seenByP = await withTenant({ orgId: P.orgId, userId: P.users.global_admin!.id }, async (tx) => rowsOf(await tx.execute(sql`select id from subscriptions where id = ${id}`)));
    expect(seenByP).toEqual([]);
    expect(await one(sql`select status from relationships where partner_org_id = ${P.orgId} and customer_org_id = ${customer.orgId} and type = 'advisor'`)).toEqual({ status: "ended" });
    const pPage = new Browser();
    await pPage.signIn(P.users.billing_admin!.email);
    expect((await pPage.html("/partner/subscriptions")).text).not.toContain(customer.name);

    // Changes after the replacement reach Q only.
    const pAfterChange = (await porJobs(P)).length;
    expect((await post({ intent: "licences", licences: "20" })).status).toBe(302);
    expect((await post({ intent: "delete-partner" })).status).toBe(302);
    expect((await porJobs(Q)).slice(-2)).toEqual(["subscription.licences_changed", "subscription.partner_removed"]);
    expect((await post({ intent: "delete-partner" })).status).toBe(409);
    // Neither hears of a change made with no partner on it.
    const qAfterDelete = (await porJobs(Q)).length;
    expect((await post({ intent: "cancel" })).status).toBe(302);
    expect((await porJobs(P)).length).toBe(pAfterChange);
    expect((await porJobs(Q)).length).toBe(qAfterDelete);
    expect((await one(sql`select status from subscriptions where id = ${id}`)).status).toBe("cancelled");
    expect((await post({ intent: "cancel" })).status).toBe(409);
  });

  it("tells the Partner of Record of cancellation, trial conversion and trial expiry", async () => {
    const customer = await createCustomer();
    const admin = new Browser();
    await admin.signIn(customer.users.billing_admin!.email);
    const active = await newSubscription(customer, P);
    const trial = await newSubscription(customer, P, "trial");
    const expiring = await newSubscription(customer, P, "trial");
    const before = (await porJobs(P)).length;
    expect((await admin.fetch("/customer/subscriptions", { form: { intent: "cancel", id: active } })).status).toBe(302);
    expect((await admin.fetch("/customer/subscriptions", { form: { intent: "licences", id: trial, licences: "30" } })).status).toBe(409);
    expect((await admin.fetch("/customer/subscriptions", { form: { intent: "convert", id: trial, licences: "30" } })).status).toBe(302);
    await withSystem((tx) => tx.execute(sql`update subscriptions set ends_at = now() - interval '1 minute' where id = ${expiring}`));
    await withSystem((tx) => expireTrials(tx));
    expect((await porJobs(P)).slice(before)).toEqual(["subscription.cancelled", "subscription.trial_converted", "subscription.trial_expired"]);
    const [job] = await all<{ payload: { title: string; email: boolean; roles: string[] } }>(
      sql`select payload from jobs where kind = 'notify' and payload->>'orgId' = ${P.orgId} and payload->>'kind' = 'subscription.trial_expired' order by id desc limit 1`,
    );
    expect(job!.payload.title).toContain(customer.name);
    expect(job!.payload.email).toBe(true);
    expect(job!.payload.roles).toEqual(expect.arrayContaining(["global_admin", "sales_agent", "billing_admin"]));
  });

  it("keeps the licence count within the product's limits and at or above the licences assigned", async () => {
    const customer = await createCustomer();
    const admin = new Browser();
    await admin.signIn(customer.users.global_admin!.email);
    const id = await newSubscription(customer, P);
    await withSystem((tx) =>
      tx.execute(sql`insert into licence_assignments (subscription_id, customer_org_id, user_id) values (${id}, ${customer.orgId}, ${customer.users.user!.id}), (${id}, ${customer.orgId}, ${customer.users.billing_admin!.id})`),
    );
    const below = await admin.fetch("/customer/subscriptions", { form: { intent: "licences", id, licences: "1" } });
    expect(below.status).toBe(409);
    expect(await below.text()).toContain("2 licences are assigned to users");
    expect((await admin.fetch("/customer/subscriptions", { form: { intent: "licences", id, licences: "301" } })).status).toBe(400);
    expect((await admin.fetch("/customer/subscriptions", { form: { intent: "licences", id, licences: "10" } })).status).toBe(400);
    expect((await admin.fetch("/customer/subscriptions", { form: { intent: "licences", id, licences: "2" } })).status).toBe(302);
  });
});

describe("reseller rules", () => {
  it("the customer cannot end a partner relationship (issue 30: it contacts its partner; action and database refuse the reseller's end), but can delete the partner on a subscription", async () => {
    const customer = await createCustomer();
    await relate(P, customer);
    const subscription = await newSubscription(customer, Q);
    const admin = new Browser();
    await admin.signIn(customer.users.global_admin!.email);
    const refused = await admin.fetch("/customer/partners", { form: { intent: "remove-partner", partnerId: P.orgId } });
    expect([400, 409]).toContain(refused.status);
    // The database refuses it too, in the customer's context.
    const direct = await withTenant({ orgId: customer.orgId, userId: customer.users.global_admin!.id }, (tx) =>
      tx.execute(sql`update relationships set status = 'ended' where partner_org_id = ${P.orgId} and customer_org_id = ${customer.orgId} and type = 'reseller'`),
    ).catch((e: Error) => e);
    expect(direct).toBeInstanceOf(Error);
    expect(await one(sql`select status from relationships where partner_org_id = ${P.orgId} and customer_org_id = ${customer.orgId} and type = 'reseller'`)).toEqual({ status: "active" });
    // A billing admin may not remove partners at all.
    const billingAdmin = new Browser();
    await billingAdmin.signIn(customer.users.billing_admin!.email);
    expect((await billingAdmin.fetch("/customer/partners", { form: { intent: "remove-partner", partnerId: Q.orgId } })).status).toBe(403);
    // Q (advisor only) is not removed as a partner either; the customer deletes it on the subscription (seed 001).
    expect([400, 409]).toContain((await admin.fetch("/customer/partners", { form: { intent: "remove-partner", partnerId: Q.orgId } })).status);
    expect(await one(sql`select status from relationships where partner_org_id = ${Q.orgId} and customer_org_id = ${customer.orgId} and type = 'advisor'`)).toEqual({ status: "active" });
    expect((await admin.fetch("/customer/subscriptions", { form: { intent: "delete-partner", id: subscription } })).status).toBe(302);
    expect(await one(sql`select count(*)::int as n from subscriptions where customer_org_id = ${customer.orgId} and advisor_partner_org_id is not null`)).toEqual({ n: 0 });
    expect(await one(sql`select status from relationships where partner_org_id = ${Q.orgId} and customer_org_id = ${customer.orgId} and type = 'advisor'`)).toEqual({ status: "ended" });
  });

  it("the partner ends its reseller relationship after confirmation; the customer is told and the partner stops seeing its subscriptions", async () => {
    const customer = await createCustomer();
    await relate(Q, customer);
    const subscription = await newSubscription(customer, null);
    const staff = new Browser();
    await staff.signIn(Q.users.admin_agent!.email);
    expect((await staff.html("/partner/subscriptions")).text).toContain(customer.name);
    const detail = await staff.html(`/partner/customers/${customer.orgId}`);
    expect(detail.text).toContain("End reseller relationship");
    expect(detail.text).toContain("Reseller");
    const sales = new Browser();
    await sales.signIn(Q.users.sales_agent!.email);
    expect((await sales.fetch(`/partner/customers/${customer.orgId}`, { form: { intent: "end-reseller" } })).status).toBe(403);
    const ended = await staff.fetch(`/partner/customers/${customer.orgId}`, { form: { intent: "end-reseller" } });
    expect(ended.status).toBe(302);
    expect(await one(sql`select status, ended_at is not null as ended from relationships where partner_org_id = ${Q.orgId} and customer_org_id = ${customer.orgId} and type = 'reseller'`)).toEqual({ status: "ended", ended: true });
    expect((await one<{ n: number }>(sql`select count(*)::int as n from jobs where kind = 'notify' and payload->>'orgId' = ${customer.orgId} and payload->>'kind' = 'reseller.ended'`)).n).toBe(1);
    expect((await staff.fetch(`/partner/customers/${customer.orgId}`, { form: { intent: "end-reseller" } })).status).toBe(404);
    const seen = await withTenant({ orgId: Q.orgId, userId: Q.users.global_admin!.id }, async (tx) => rowsOf(await tx.execute(sql`select id from subscriptions where id = ${subscription}`)));
    expect(seen).toEqual([]);
    const admin = new Browser();
    await admin.signIn(customer.users.global_admin!.email);
    const page = await admin.html("/customer/partners");
    expect(page.text).not.toContain(Q.name);
    expect(page.text).toContain("nothing here");
  });

  it("names the partner types as the seeds do", () => {
    expect(partnerTypeLabel(["reseller"])).toBe("Reseller");
    expect(partnerTypeLabel(["dap"])).toBe("Delegated admin");
    expect(partnerTypeLabel(["reseller", "dap"])).toBe("Reseller & delegated admin");
    expect(partnerTypeLabel(["gdap"])).toBe("Granular delegated admin");
    expect(partnerTypeLabel(["advisor"])).toBe("Subscription advisor (Partner of Record)");
    expect(partnerTypeLabel(["support_advisor"])).toBe("Advisor");
    expect(partnerTypeLabel(["reseller", "dap", "gdap", "lob"])).toBe("Reseller & delegated admin, Granular delegated admin, Line-of-business (LOB) partner");
  });
});

describe("the partner's subscriptions page", () => {
  let partner: OrgFixture;
  let ids: string[];
  beforeAll(async () => {
    partner = await createPartner();
    await withSystem((tx) => tx.execute(sql`update organisations set is_authorised_advisor = true where id = ${partner.orgId}`));
    const customers = await Promise.all([createCustomer(), createCustomer(), createCustomer()]);
    await relate(partner, customers[0]!);
    ids = [];
    // 30 as Partner of Record across two customers (newest first: ids[0] is the newest), and 3
    // older ones it sees only as the first customer's reseller.
    for (let i = 0; i < 30; i++) {
      const [row] = await all<{ id: string }>(sql`insert into subscriptions (customer_org_id, product_id, licences, status, advisor_partner_org_id, ends_at, created_at)
        values (${customers[1 + (i % 2)]!.orgId}, ${i % 3 === 0 ? "visio-plan-2" : "business-basic"}, ${i + 1}, ${i % 5 === 0 ? "trial" : "active"}, ${partner.orgId},
                ${i % 5 === 0 ? sql`now() + make_interval(days => ${i === 0 ? 10 : 60})` : null}, now() - make_interval(mins => ${i})) returning id`);
      ids.push(row!.id);
    }
    for (const c of customers.slice(1)) await withSystem((tx) => tx.execute(sql`insert into relationships (partner_org_id, customer_org_id, type, status, started_at) values (${partner.orgId}, ${c.orgId}, 'advisor', 'active', now())`));
    for (let i = 0; i < 3; i++) {
      await withSystem((tx) => tx.execute(sql`insert into subscriptions (customer_org_id, product_id, licences, status, created_at) values (${customers[0]!.orgId}, 'business-premium', 4, 'active', now() - interval '2 days')`));
    }
  });

  it("walks every page forward and back without skipping or repeating", async () => {
    const list = (query: Record<string, string>) =>
      withTenant({ orgId: partner.orgId, userId: partner.users.billing_admin!.id }, (tx) =>
        listPartnerSubscriptions(tx, { partnerId: partner.orgId, query: parsePartnerSubscriptionQuery(new URLSearchParams({ size: "25", ...query })) }),
      );
    const forward: string[] = [];
    let page = await list({});
    forward.push(...page.rows.map((r) => r.id));
    expect(page.newer).toBeNull();
    while (page.older) {
      page = await list({ after: page.older });
      forward.push(...page.rows.map((r) => r.id));
    }
    expect(forward).toHaveLength(33);
    expect(new Set(forward).size).toBe(33);
    expect(forward.slice(0, 30)).toEqual(ids);
    const backward: string[] = [];
    page = await list({ last: "1" });
    expect(page.rows).toHaveLength(25);
    backward.unshift(...page.rows.map((r) => r.id));
    while (page.newer) {
      page = await list({ before: page.newer });
      backward.unshift(...page.rows.map((r) => r.id));
    }
    expect(backward).toEqual(forward);
  });

  it("shows the totals of the whole filtered set and a pager over HTTP", async () => {
    const b = new Browser();
    await b.signIn(partner.users.billing_admin!.email);
    const page = await b.html("/partner/subscriptions?size=25");
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<dt>Subscriptions<\/dt><dd>33<\/dd>/);
    // Licences 1..30 as Partner of Record plus 3 × 4 as reseller; paid = active only.
    expect(page.text).toMatch(/<dt>Licences<\/dt><dd>477<\/dd>/);
    const paid = 465 - [1, 6, 11, 16, 21, 26].reduce((n, x) => n + x, 0) + 12;
    expect(page.text).toContain(`<dt>Paid licences</dt><dd>${paid}</dd>`);
    expect(page.text).toMatch(/rel="next"/);
    expect(page.text).toContain("Reseller");
    expect(page.text).toContain("Partner of record");
  });

  it("filters by status, product and trials ending within 30 days", async () => {
    const b = new Browser();
    await b.signIn(partner.users.sales_agent!.email);
    const count = async (q: string) => Number(/<dt>Subscriptions<\/dt><dd>(\d+)<\/dd>/.exec((await b.html(`/partner/subscriptions?${q}`)).text)![1]);
    expect(await count("status=trial")).toBe(6);
    expect(await count("product=visio-plan-2")).toBe(10);
    expect(await count("ending=1")).toBe(1);
    expect(await count("status=cancelled")).toBe(0);
    expect((await b.html("/partner/subscriptions?status=cancelled")).text).toContain("No subscriptions match");
    // A bad filter value falls back to none.
    expect(await count("status=bogus")).toBe(33);
  });
});

describe("the partner_subscriptions read model", () => {
  /** What the partner may see by the rule (POR, or active reseller), and what the read model holds. */
  const byRule = async (partner: OrgFixture) =>
    (
      await all<{ id: string; por: boolean; reseller: boolean; licences: number; status: string }>(sql`
        select s.id, s.advisor_partner_org_id is not distinct from ${partner.orgId}::uuid as por,
               exists (select 1 from relationships r where r.partner_org_id = ${partner.orgId} and r.customer_org_id = s.customer_org_id and r.type = 'reseller' and r.status = 'active') as reseller,
               s.licences, s.status
        from subscriptions s
        where s.advisor_partner_org_id = ${partner.orgId} or exists (select 1 from relationships r where r.partner_org_id = ${partner.orgId} and r.customer_org_id = s.customer_org_id and r.type = 'reseller' and r.status = 'active')
        order by s.id`)
    ).map((r) => ({ ...r, licences: Number(r.licences) }));
  const modelled = async (partner: OrgFixture) =>
    (
      await all<{ id: string; por: boolean; reseller: boolean; licences: number; status: string }>(sql`
        select subscription_id as id, is_partner_of_record as por, is_reseller as reseller, licences, status
        from partner_subscriptions where partner_org_id = ${partner.orgId} order by subscription_id`)
    ).map((r) => ({ ...r, licences: Number(r.licences) }));
  /** The kept totals plus the changes not yet folded in, and the same counted from the rows. */
  const totals = async (partner: OrgFixture) =>
    all<{ status: string; product_id: string; n: number; l: number }>(sql`
      select status, product_id, sum(subscriptions)::int as n, sum(licences)::int as l from (
        select status, product_id, subscriptions, licences from partner_subscription_totals where partner_org_id = ${partner.orgId}
        union all
        select status, product_id, subscriptions, licences from partner_subscription_total_changes where partner_org_id = ${partner.orgId}) t
      group by 1, 2 having sum(subscriptions) <> 0 or sum(licences) <> 0 order by 1, 2`);
  const counted = async (partner: OrgFixture) =>
    all<{ status: string; product_id: string; n: number; l: number }>(sql`
      select status, product_id, count(*)::int as n, sum(licences)::int as l from partner_subscriptions
      where partner_org_id = ${partner.orgId} group by 1, 2 order by 1, 2`);
  const expectInStep = async (...partners: OrgFixture[]) => {
    for (const partner of partners) {
      expect(await modelled(partner)).toEqual(await byRule(partner));
      expect(await totals(partner)).toEqual(await counted(partner));
    }
  };

  it("follows subscriptions, partners of record and reseller relationships through every change", async () => {
    const [R, S, cust] = await Promise.all([createPartner(), createPartner(), createCustomer()]);
    await withSystem((tx) => tx.execute(sql`update organisations set is_authorised_advisor = true where id in (${R.orgId}, ${S.orgId})`));
    // R resells to the customer, pending its agreement: nothing yet.
    await relate(R, cust, "pending");
    const first = await newSubscription(cust, null);
    const second = await newSubscription(cust, S, "trial");
    expect((await modelled(R)).length).toBe(0);
    expect((await modelled(S)).map((r) => r.id)).toEqual([second]);
    await expectInStep(R, S);
    // The reseller relationship becomes active: R sees both, S still only its own.
    await withSystem((tx) => tx.execute(sql`update relationships set status = 'active' where partner_org_id = ${R.orgId} and customer_org_id = ${cust.orgId} and type = 'reseller'`));
    expect((await modelled(R)).length).toBe(2);
    await expectInStep(R, S);
    // Licences, status and the partner of record change: the model follows; the old POR loses it.
    await withSystem((tx) => tx.execute(sql`update subscriptions set licences = 17, status = 'active', ends_at = null, advisor_partner_org_id = ${R.orgId} where id = ${second}`));
    expect(await modelled(S)).toEqual([]);
    expect((await modelled(R)).find((r) => r.id === second)).toMatchObject({ por: true, reseller: true, licences: 17, status: "active" });
    await expectInStep(R, S);
    await withSystem((tx) => tx.execute(sql`update subscriptions set advisor_partner_org_id = ${S.orgId} where id = ${first}`));
    await expectInStep(R, S);
    // The reseller relationship ends: R keeps only what it is partner of record of.
    await withSystem((tx) => tx.execute(sql`update relationships set status = 'ended', ended_at = now() where partner_org_id = ${R.orgId} and customer_org_id = ${cust.orgId} and type = 'reseller'`));
    expect((await modelled(R)).map((r) => r.id)).toEqual([second]);
    expect((await modelled(R))[0]).toMatchObject({ por: true, reseller: false });
    await expectInStep(R, S);
    // A deleted subscription, and a removed relationship row, leave nothing behind.
    await withSystem((tx) => tx.execute(sql`delete from subscriptions where id = ${first}`));
    await withSystem((tx) => tx.execute(sql`delete from relationships where partner_org_id = ${R.orgId} and customer_org_id = ${cust.orgId}`));
    await expectInStep(R, S);
    expect(await modelled(S)).toEqual([]);
    // Scheduled work folds the changes into the kept totals; nothing changes but the bookkeeping.
    const before = [await totals(R), await totals(S)];
    expect(await withSystem((tx) => compactSubscriptionTotals(tx))).toBeGreaterThan(0);
    expect((await all<{ n: number }>(sql`select count(*)::int as n from partner_subscription_total_changes where partner_org_id in (${R.orgId}, ${S.orgId})`))[0]!.n).toBe(0);
    expect([await totals(R), await totals(S)]).toEqual(before);
    await expectInStep(R, S);
  });

  // Concurrency is proven on PostgreSQL (PGlite runs one statement at a time).
  it.runIf(testDbKind() === "postgres")("stays in step when a reseller relationship changes while the customer's subscriptions are bought and changed", async () => {
    const [R, cust] = await Promise.all([createPartner(), createCustomer()]);
    await relate(R, cust, "pending");
    const existing = await Promise.all([newSubscription(cust, null), newSubscription(cust, null)]);
    for (let round = 0; round < 6; round++) {
      const status = round % 2 === 0 ? "active" : "ended";
      const results = await Promise.allSettled([
        withSystem((tx) => tx.execute(sql`update relationships set status = ${status} where partner_org_id = ${R.orgId} and customer_org_id = ${cust.orgId} and type = 'reseller'`)),
        ...Array.from({ length: 6 }, () => newSubscription(cust, null)),
        ...existing.map((id, i) => withSystem((tx) => tx.execute(sql`update subscriptions set licences = ${round * 2 + i + 1} where id = ${id}`))),
      ]);
      expect(results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
      await expectInStep(R);
      expect((await modelled(R)).length).toBe(status === "active" ? 2 + 6 * (round + 1) : 0);
      // A compaction running alongside the next round's changes moves each change once.
      if (round === 2) await withSystem((tx) => compactSubscriptionTotals(tx));
    }
  });

  it("is rebuilt from scratch exactly as the triggers keep it", async () => {
    const before = [await modelled(P), await modelled(Q)];
    await withSystem((tx) => tx.execute(sql`select pd_rebuild_partner_subscriptions()`));
    expect([await modelled(P), await modelled(Q)]).toEqual(before);
    await expectInStep(P, Q);
  });
});
