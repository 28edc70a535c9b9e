/**
 * Issue 30, the customer's partner pages over HTTP (PGlite and PostgreSQL): a partner's details
 * page (contact data, relationship types with their meanings, admin roles, subscriptions, its
 * activity, Remove roles), who may open it and which ids answer 404; landing on the list of
 * partners after "Accept & authorize" and after accepting the agreement; the agreement page's
 * reason; "Find a partner" from the customer's pages and the sign-in page.
 */
import { sql, type SQL } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem, withTenant } from "../../app/utils/db.server";
import { createLink } from "../../app/modules/links/links.server";
import { RELATIONSHIP_LABELS, RELATIONSHIP_MEANINGS } from "../../app/modules/relationships/relationship-types";
import { HELPDESK_ADMINISTRATOR } from "../../app/modules/delegated-admin/admin-roles";
import { createCustomer, createPartner, relate, uniq, type OrgFixture } from "../support/factories";
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
/** The page as text without markup (assertions read like the page). */
const textOf = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&#x27;|&#39;/g, "'").replace(/&amp;/g, "&").replace(/\s+/g, " ");

/** A partner with contact data that is the customer's reseller, DAP, advisor on one subscription, with one active GDAP relationship and some activity. */
async function partnerWithEverything(customer: OrgFixture) {
  const p = await createPartner();
  const tag = uniq();
  await exec(sql`update organisations set is_authorised_advisor = true, is_dap_certified = true, email = ${`hello-${tag}@partner.test`}, phone = '+45 7010 2030',
                 website = ${`https://partner-${tag}.test`} where id = ${p.orgId}`);
  await relate(p, customer);
  await exec(sql`update relationships set started_at = '2026-03-04T10:00:00Z' where partner_org_id = ${p.orgId} and customer_org_id = ${customer.orgId}`);
  await exec(sql`insert into relationships (partner_org_id, customer_org_id, type, status, started_at) values (${p.orgId}, ${customer.orgId}, 'dap', 'active', now())`);
  const gdap = await one<{ id: string }>(sql`
    insert into admin_relationships (partner_org_id, customer_org_id, display_name, roles, duration_days, status, approval_code, approved_at, ends_at, request_expires_at)
    values (${p.orgId}, ${customer.orgId}, ${`Helpdesk ${tag}`}, ${`{${HELPDESK_ADMINISTRATOR}}`}::text[], 30, 'active', ${`code-${tag}-${uniq()}-${uniq()}`}, now(), now() + interval '30 days', now() + interval '90 days')
    returning id`);
  await exec(sql`insert into relationships (partner_org_id, customer_org_id, type, status, started_at) values (${p.orgId}, ${customer.orgId}, 'gdap', 'active', now())`);
  await exec(sql`insert into subscriptions (customer_org_id, product_id, licences, status, advisor_partner_org_id) values (${customer.orgId}, 'visio-plan-2', 7, 'active', ${p.orgId})`);
  await exec(sql`insert into audit_log (actor_user_id, actor_name, actor_org_id, subject_org_id, action, details)
                 values (${p.users.helpdesk_agent!.id}, 'Hanne Helpdesk', ${p.orgId}, ${customer.orgId}, 'tenant_user.password_reset', ${JSON.stringify({ email: `anna-${tag}@customer.test` })}::jsonb)`);
  return { p, tag, gdapId: gdap.id };
}

describe("a partner's details page", () => {
  it("shows contact data, every relationship with its meaning and status, admin roles, subscriptions and activity; the list links to it", async () => {
    const c = await createCustomer();
    const { p, tag, gdapId } = await partnerWithEverything(c);
    const other = await createPartner();
    await relate(other, c);
    // Another partner's activity in the same customer is not this partner's.
    await exec(sql`insert into audit_log (actor_name, actor_org_id, subject_org_id, action) values ('Olaf Other', ${other.orgId}, ${c.orgId}, 'licence.assigned')`);

    const ga = await signedIn(c, "global_admin");
    const list = await ga.html("/customer/partners");
    expect(list.status).toBe(200);
    expect(list.text).toContain(`href="/customer/partners/${p.orgId}"`);
    expect(list.text).toContain('href="/partners"');

    const page = await ga.html(`/customer/partners/${p.orgId}`);
    expect(page.status).toBe(200);
    const t = textOf(page.text);
    expect(t).toContain(p.name);
    expect(t).toContain(`Partner ID ${p.partnerNumber}`);
    expect(t).toContain(`hello-${tag}@partner.test`);
    expect(t).toContain("+45 7010 2030");
    expect(t).toContain(`https://partner-${tag}.test`);
    for (const type of ["reseller", "dap"] as const) {
      expect(t).toContain(RELATIONSHIP_LABELS[type]);
      expect(t).toContain(textOf(RELATIONSHIP_MEANINGS[type]));
    }
    expect(t).toContain("Reseller & delegated admin");
    expect(t).toContain("Global Administrator for its admin agents");
    expect(t).toContain("Helpdesk Administrator for its helpdesk agents");
    expect(t).toMatch(/Since \d{1,2} Mar 2026|Since \w+ \d{1,2}, 2026|2026/);
    expect(page.text).toContain(`href="/customer/requests/${gdapId}"`);
    expect(t).toContain(`Helpdesk ${tag}`);
    expect(t).toContain("Helpdesk Administrator,".slice(0, -1));
    expect(t).toContain(RELATIONSHIP_LABELS.gdap);
    expect(t).toContain("Visio Plan 2");
    expect(t).toContain(`Reset the password of anna-${tag}@customer.test`);
    expect(t).toContain("Hanne Helpdesk");
    expect(t).not.toContain("Olaf Other");
    expect(t).toContain("Remove roles");

    // A billing admin sees the page but not the button, and is told why.
    const billing = await signedIn(c, "billing_admin");
    const seen = await billing.html(`/customer/partners/${p.orgId}`);
    expect(seen.status).toBe(200);
    expect(textOf(seen.text)).toContain("Only your organisation's global admin can remove");
    expect(textOf(seen.text)).not.toContain("Remove roles?");
  });

  it("pages the partner's activity with the list kit (a bad cursor is the first page)", async () => {
    const c = await createCustomer();
    const p = await createPartner();
    await relate(p, c);
    await exec(sql`insert into audit_log (actor_name, actor_org_id, subject_org_id, action, details)
                   select 'Agent ' || g, ${p.orgId}::uuid, ${c.orgId}::uuid, 'tenant_user.password_reset', jsonb_build_object('email', 'user' || g || '@c.test') from generate_series(1, 30) g`);
    const ga = await signedIn(c, "global_admin");
    const first = await ga.html(`/customer/partners/${p.orgId}`);
    expect(textOf(first.text)).toContain("user30@c.test");
    expect(textOf(first.text)).not.toContain("user5@c.test ");
    const next = /href="(\/customer\/partners\/[^"]*after=[^"]+)"/.exec(first.text)?.[1]?.replaceAll("&amp;", "&");
    expect(next).toBeTruthy();
    const second = await ga.html(next!);
    expect(second.status).toBe(200);
    expect(textOf(second.text)).toContain("user1@c.test");
    expect(textOf(second.text)).not.toContain("user30@c.test");
    for (const bad of ["garbage", "!!", "eyJ4IjoxfQ", "a".repeat(5000)]) expect((await ga.html(`/customer/partners/${p.orgId}?after=${bad}`)).status).toBe(200);
  });

  it("answers 404 for a partner that is not the customer's (another customer's, ended, a customer, unknown, malformed) and 403 without partners:view", async () => {
    const c = await createCustomer();
    const mine = await createPartner();
    await relate(mine, c);
    const c2 = await createCustomer();
    const theirs = await createPartner();
    await relate(theirs, c2);
    const former = await createPartner();
    await relate(former, c);
    await exec(sql`update relationships set status = 'ended', ended_at = now() where partner_org_id = ${former.orgId}`);

    const ga = await signedIn(c, "global_admin");
    for (const id of [theirs.orgId, former.orgId, c2.orgId, c.orgId, "00000000-0000-4000-8000-000000000000"]) {
      expect((await ga.html(`/customer/partners/${id}`)).status, id).toBe(404);
      expect((await ga.fetch(`/customer/partners/${id}`, { form: { intent: "remove-roles" } })).status, id).toBe(404);
    }
    for (const id of ["nope", "1", "'; drop table organisations; --", "00000000-0000-4000-8000-00000000000"]) {
      expect((await ga.html(`/customer/partners/${encodeURIComponent(id)}`)).status, id).toBe(404);
    }
    // The remove-roles of a partner without admin roles: 404 (nothing to remove), an unknown intent 400.
    expect((await ga.fetch(`/customer/partners/${mine.orgId}`, { form: { intent: "remove-roles" } })).status).toBe(404);
    expect((await ga.fetch(`/customer/partners/${mine.orgId}`, { form: { intent: "explode" } })).status).toBe(400);

    const user = await signedIn(c, "user");
    expect((await user.html(`/customer/partners/${mine.orgId}`)).status).toBe(403);
    expect((await user.fetch(`/customer/partners/${mine.orgId}`, { form: { intent: "remove-roles" } })).status).toBe(403);
    const billing = await signedIn(c, "billing_admin");
    expect((await billing.fetch(`/customer/partners/${mine.orgId}`, { form: { intent: "remove-roles" } })).status).toBe(403);
    // Partner staff are not customers: they go to their own home.
    const staff = await signedIn(mine, "global_admin");
    expect((await staff.html(`/customer/partners/${mine.orgId}`)).location).toBe("/partner");
  });

  it("removes the partner's admin roles from its details page (Remove roles → Yes); the relationship stays", async () => {
    const c = await createCustomer();
    const { p } = await partnerWithEverything(c);
    const ga = await signedIn(c, "global_admin");
    const res = await ga.fetch(`/customer/partners/${p.orgId}`, { form: { intent: "remove-roles" } });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe(`/customer/partners/${p.orgId}`);
    expect(await one(sql`select status from relationships where partner_org_id = ${p.orgId} and customer_org_id = ${c.orgId} and type = 'dap'`)).toEqual({ status: "ended" });
    expect(await one(sql`select status from relationships where partner_org_id = ${p.orgId} and customer_org_id = ${c.orgId} and type = 'reseller'`)).toEqual({ status: "active" });
    expect((await one<{ n: number }>(sql`select count(*)::int as n from admin_relationships where partner_org_id = ${p.orgId} and status = 'active'`)).n).toBe(0);
    const after = textOf((await ga.html(`/customer/partners/${p.orgId}`)).text);
    expect(after).toContain("admin roles are removed");
    expect(after).toContain("contact your partner");
    expect(after).not.toContain("Remove roles?");
  });
});

describe("landing on the list of partners", () => {
  async function advisorPartner() {
    const p = await createPartner();
    await exec(sql`update organisations set is_authorised_advisor = true, is_dap_certified = true where id = ${p.orgId}`);
    return p;
  }
  const linkOf = (p: OrgFixture, offerDap: boolean) =>
    withTenant({ orgId: p.orgId, userId: p.users.sales_agent!.id }, (tx) =>
      createLink(tx, {
        partnerId: p.orgId,
        actor: { userId: p.users.sales_agent!.id, orgId: p.orgId },
        link: { kind: "trial", items: [{ productId: "business-premium" }], offerDap, message: null, expiresAt: null },
      }),
    );

  it("after Accept & authorize (signed in) the customer lands on /customer/partners with a toast; a plain trial lands on its subscriptions", async () => {
    const p = await advisorPartner();
    const c = await createCustomer();
    const ga = await signedIn(c, "global_admin");
    const link = await linkOf(p, true);
    const path = new URL(link.url).pathname;
    const page = await ga.html(path);
    expect(page.text).toContain("Accept &amp; authorize");
    const res = await ga.fetch(path, { form: { intent: "accept", agreementVersion: "2026-11", read: "on", authoriseDap: "on" } });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/customer/partners");
    const list = textOf((await ga.html("/customer/partners")).text);
    expect(list).toContain(`You accepted the trial invitation from ${p.name}`);
    expect(list).toContain("administer your organisation as a delegated admin");
    expect(list).toContain(p.name);

    const plain = await linkOf(p, false);
    const c2 = await createCustomer();
    const ga2 = await signedIn(c2, "global_admin");
    const plainPath = new URL(plain.url).pathname;
    expect((await ga2.html(plainPath)).text).not.toContain("Accept &amp; authorize");
    const res2 = await ga2.fetch(plainPath, { form: { intent: "accept", agreementVersion: "2026-11", read: "on" } });
    expect(res2.headers.get("Location")).toBe("/customer/subscriptions");
  });

  it("after accepting the agreement the customer lands on /customer/partners; the page says which partner waits and what accepting does", async () => {
    const c = await createCustomer(undefined, { agreement: "pending" });
    const p = await createPartner();
    await relate(p, c, "pending");
    const ga = await signedIn(c, "global_admin");
    const page = await ga.html("/customer/agreement");
    expect(page.status).toBe(200);
    const t = textOf(page.text);
    expect(t).toContain(`${p.name} needs you to accept the customer agreement before it can buy or manage subscriptions for you.`);
    expect(t).toContain("lets your partners buy and manage subscriptions for you");
    expect(t).toContain("It grants them no admin roles");
    const version = (await one<{ v: string }>(sql`select pd_current_agreement_version() as v`)).v;
    const res = await ga.fetch("/customer/agreement", { form: { version, read: "on" } });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/customer/partners");
    const list = textOf((await ga.html("/customer/partners")).text);
    expect(list).toContain("You accepted the customer agreement");
    // Accepted: the reason is gone.
    expect(textOf((await ga.html("/customer/agreement")).text)).not.toContain("needs you to accept");
  });

  it("names every partner waiting for the agreement", async () => {
    const c = await createCustomer(undefined, { agreement: "pending" });
    const a = await createPartner();
    const b = await createPartner();
    await relate(a, c, "pending");
    await relate(b, c, "pending");
    const billing = await signedIn(c, "billing_admin");
    const t = textOf((await billing.html("/customer/agreement")).text);
    const names = [a.name, b.name].sort((x, y) => x.localeCompare(y));
    expect(t).toContain(`${names[0]} and ${names[1]} need you to accept the customer agreement before they can buy or manage subscriptions for you.`);
  });
});

describe("Find a partner", () => {
  it("is linked from the partner pages (header and empty list), the buy form and the sign-in page", async () => {
    const c = await createCustomer();
    const ga = await signedIn(c, "global_admin");
    const empty = await ga.html("/customer/partners");
    expect(empty.text).toContain("There&#x27;s nothing here");
    expect(empty.text.match(/href="\/partners"/g)?.length).toBeGreaterThanOrEqual(2);
    const buy = await ga.html("/customer/subscriptions");
    expect(textOf(buy.text)).toContain("Don't have a partner? Find a partner");
    expect(buy.text).toContain('href="/partners"');
    const signin = await new Browser().html("/signin");
    expect(signin.text).toContain('href="/partners"');
    expect(textOf(signin.text)).toContain("Find a partner");
    expect((await new Browser().html("/partners")).status).toBe(200);
  });
});
