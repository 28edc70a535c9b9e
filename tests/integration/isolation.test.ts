/**
 * HTTP isolation: every route with a loader or action in the build's route manifest must have
 * a case here, and each case tries other tenants' ids with every role. A new route without a
 * case fails the first test.
 */
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem, withTenant } from "../../app/utils/db.server";
import { createLink } from "../../app/modules/links/links.server";
import { CUSTOMER_ROLES, PARTNER_ROLES } from "../../app/modules/auth/permissions";
import { createCustomer, createPartner, PASSWORD, relate, TOTP_SECRET, type OrgFixture } from "../support/factories";
import { totpCode } from "../../app/modules/auth/mfa.server";
import { installTestDatabase } from "../support/db";
import { Browser, loadBuild } from "../support/http";
import { encodeCursor } from "../../app/utils/list";
import { hashProductKey, newProductKey } from "../../app/modules/product-keys/product-keys.server";
import { compactKey } from "../../app/modules/product-keys/key-format";

installTestDatabase();

let A: OrgFixture, B: OrgFixture, C: OrgFixture, D: OrgFixture;
const as: Record<string, Browser> = {};
let bNotificationId: string;
let bSelectionId: string;
let dName: string;
let aLinkId: string;
let bLink: { id: string; url: string };
let dSubscriptionId: string;
let cSubscriptionId: string;
let dRequestId: string;
let cRequestId: string;
let dAdvisorRequestId: string;
let bGdap: { id: string; code: string };
let aGdapId: string;
const bKey = newProductKey();
let bImportId: string;
let bLeadId: string;
let aLeadId: string;
const linkPath = (url: string) => new URL(url).pathname;

beforeAll(async () => {
  [A, B, C, D] = await Promise.all([createPartner(), createPartner(), createCustomer(), createCustomer()]);
  await relate(A, C);
  await relate(B, D);
  for (const role of PARTNER_ROLES) {
    as[`A:${role}`] = new Browser();
    await as[`A:${role}`]!.signIn(A.users[role]!.email);
    as[`B:${role}`] = new Browser();
    await as[`B:${role}`]!.signIn(B.users[role]!.email);
  }
  for (const role of CUSTOMER_ROLES) {
    as[`C:${role}`] = new Browser();
    await as[`C:${role}`]!.signIn(C.users[role]!.email);
  }
  await withSystem(async (tx) => {
    const [n] = rowsOf<{ id: string }>(
      await tx.execute(sql`insert into notifications (org_id, user_id, kind, title) values (${B.orgId}, ${B.users.global_admin!.id}, 'secret', 'B secret notice') returning id`),
    );
    bNotificationId = n!.id;
  });
  const [sel] = await withSystem(async (tx) =>
    rowsOf<{ id: string }>(await tx.execute(sql`insert into customer_selections (partner_org_id, filter, all_matching, count) values (${B.orgId}, '{}', true, 1) returning id`)),
  );
  bSelectionId = sel!.id;
  dName = D.name;
  // Links, subscriptions and requests on both sides: A's with C, B's with D.
  await withSystem((tx) => tx.execute(sql`update organisations set is_authorised_advisor = true, is_dap_certified = true where id in (${A.orgId}, ${B.orgId})`));
  const makeLink = (p: OrgFixture) =>
    withTenant({ orgId: p.orgId, userId: p.users.sales_agent!.id }, (tx) =>
      createLink(tx, { partnerId: p.orgId, actor: { userId: p.users.sales_agent!.id, orgId: p.orgId }, link: { kind: "trial", items: [{ productId: "visio-plan-2" }], offerDap: true, message: null, expiresAt: null } }),
    );
  aLinkId = (await makeLink(A)).id;
  bLink = await makeLink(B);
  await withSystem(async (tx) => {
    const sub = (customer: OrgFixture, partner: OrgFixture) =>
      tx.execute(sql`insert into subscriptions (customer_org_id, product_id, licences, status, advisor_partner_org_id, ends_at) values (${customer.orgId}, 'visio-plan-2', 3, 'trial', ${partner.orgId}, now() + interval '30 days') returning id`);
    dSubscriptionId = rowsOf<{ id: string }>(await sub(D, B))[0]!.id;
    cSubscriptionId = rowsOf<{ id: string }>(await sub(C, A))[0]!.id;
    const request = (partner: OrgFixture, customer: OrgFixture) =>
      tx.execute(sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${partner.orgId}, ${customer.orgId}, 'dap', 'requested') returning id`);
    dRequestId = rowsOf<{ id: string }>(await request(B, D))[0]!.id;
    cRequestId = rowsOf<{ id: string }>(await request(A, C))[0]!.id;
    dAdvisorRequestId = rowsOf<{ id: string }>(
      await tx.execute(sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${B.orgId}, ${D.orgId}, 'support_advisor', 'requested') returning id`),
    )[0]!.id;
    await tx.execute(sql`insert into link_redemptions (link_id, partner_org_id, customer_org_id) values (${bLink.id}, ${B.orgId}, ${D.orgId})`);
    const gdap = (partner: OrgFixture, customer: OrgFixture, code: string) =>
      tx.execute(sql`insert into admin_relationships (partner_org_id, customer_org_id, display_name, duration_days, roles, status, approval_code, request_expires_at)
        values (${partner.orgId}, ${customer.orgId}, ${`GDAP ${code.slice(0, 8)}`}, 30, '{729827e3-9c14-49f7-bb1b-9608f156bbb8}', 'approval_pending', ${code}, now() + interval '90 days') returning id`);
    const bCode = `b-code-${Date.now()}-abcdefghijklmnop`;
    bGdap = { id: rowsOf<{ id: string }>(await gdap(B, D, bCode))[0]!.id, code: bCode };
    aGdapId = rowsOf<{ id: string }>(await gdap(A, C, `a-code-${Date.now()}-abcdefghijklmnop`))[0]!.id;
  });
  // A product key in B's inventory, and one of B's import reports.
  await withSystem(async (tx) => {
    await tx.execute(sql`insert into product_keys (partner_org_id, key_hash, last_group, product_id, licences) values (${B.orgId}, ${hashProductKey(compactKey(bKey))}, ${compactKey(bKey).slice(20)}, 'visio-plan-2', 4)`);
    bImportId = rowsOf<{ id: string }>(
      await tx.execute(sql`insert into product_key_imports (partner_org_id, file_name, accepted, refused, report) values (${B.orgId}, 'b-secret-keys.csv', 1, 0, '[]') returning id`),
    )[0]!.id;
  });
  // Directory: A is listed; B is not (its listing exists, unlisted). Each has a lead.
  await withSystem(async (tx) => {
    await tx.execute(sql`insert into partner_listings (partner_org_id, listed, description, countries, sizes, keywords, languages) values
      (${A.orgId}, true, 'A listed partner for isolation tests', '{DK}', '{10-49}', '{security}', '{en}'),
      (${B.orgId}, false, 'B secret unlisted description', '{DK}', '{10-49}', '{security}', '{en}')`);
    const lead = (p: OrgFixture, who: string) =>
      tx.execute(sql`insert into leads (partner_org_id, name, email, organisation, size, country, needs) values (${p.orgId}, ${who}, ${`${who.replace(/\W/g, "")}@lead.test`}, ${`${who} Org`}, '10-49', 'DK', 'needs') returning id`);
    bLeadId = rowsOf<{ id: string }>(await lead(B, "B Secret Lead"))[0]!.id;
    aLeadId = rowsOf<{ id: string }>(await lead(A, "A Lead"))[0]!.id;
  });
  // B acts, so B has audit entries and staff names A must never see.
  await as["B:global_admin"]!.fetch("/partner/profile", { form: { name: `${B.name} Secret Renamed` } });
});

/** B is D's line-of-business partner with one waiting app (created once). */
async function bLobApp() {
  return withSystem(async (tx) => {
    await tx.execute(sql`insert into relationships (partner_org_id, customer_org_id, type, status, started_at) values (${B.orgId}, ${D.orgId}, 'lob', 'active', now()) on conflict do nothing`);
    await tx.execute(sql`insert into lob_apps (customer_org_id, partner_org_id, partner_name, name, version, description, download_url) values (${D.orgId}, ${B.orgId}, ${B.name}, 'B secret LOB app', '1', 'x', 'https://b.example/x') on conflict do nothing`);
    return rowsOf<{ id: string }>(await tx.execute(sql`select id from lob_apps where partner_org_id = ${B.orgId} and name = 'B secret LOB app'`))[0]!.id;
  });
}

const partnerBrowsers = () => PARTNER_ROLES.map((r) => [r, as[`A:${r}`]!] as const);
const customerBrowsers = () => CUSTOMER_ROLES.map((r) => [r, as[`C:${r}`]!] as const);

function expectNoTraceOf(text: string, other: OrgFixture) {
  expect(text).not.toContain(other.name);
  for (const u of Object.values(other.users)) expect(text).not.toContain(u.email);
}

type Case = () => Promise<void>;

const CASES: Record<string, Case> = {
  root: async () => {
    // The root loader only reads this browser's flash cookie.
    expect((await new Browser().html("/signin")).status).toBe(200);
  },
  "routes/_index": async () => {
    expect((await as["A:sales_agent"]!.html("/")).location).toBe("/partner");
    expect((await as["C:user"]!.html("/")).location).toBe("/customer");
  },
  "routes/signin": async () => {
    expect((await as["A:global_admin"]!.html("/signin")).location).toBe("/partner");
  },
  "routes/signout": async () => {
    // Signing out ends only the caller's session.
    const b = new Browser();
    await b.signIn(B.users.billing_admin!.email);
    const a = new Browser();
    await a.signIn(A.users.billing_admin!.email);
    await a.fetch("/signout", { form: {} });
    expect((await b.html("/partner")).status).toBe(200);
  },
  "routes/forgot-password": async () => {
    expect((await new Browser().html("/forgot-password")).status).toBe(200);
  },
  "routes/reset-password.$token": async () => {
    expect((await as["A:global_admin"]!.html("/reset-password/someone-elses-token")).status).toBe(404);
  },
  "routes/activate.$token": async () => {
    expect((await as["A:global_admin"]!.html("/activate/someone-elses-token")).status).toBe(404);
  },
  "routes/confirm-email.$token": async () => {
    // Only the mailed token confirms an address; nobody confirms another person's without it.
    expect((await as["A:global_admin"]!.html("/confirm-email/someone-elses-token")).status).toBe(404);
    expect((await as["B:global_admin"]!.fetch("/confirm-email/someone-elses-token", { form: {} })).status).toBe(404);
  },
  "routes/switch-organisation": async () => {
    for (const [, b] of partnerBrowsers()) {
      expect((await b.fetch("/switch-organisation", { form: { orgId: B.orgId } })).status).toBe(404);
      expect((await b.fetch("/switch-organisation", { form: { orgId: C.orgId } })).status).toBe(404);
    }
  },
  "routes/_app": async () => {
    // The shell's bell counts only the user's own notifications.
    const page = await as["A:global_admin"]!.html("/partner");
    expect(page.text).toContain("Notifications, 0 unread");
  },
  "routes/_app.partner._index": async () => {
    for (const [, b] of partnerBrowsers()) {
      const page = await b.html("/partner");
      expect(page.status).toBe(200);
      expect(page.text).toContain(A.name);
      expectNoTraceOf(page.text, B);
    }
    for (const [, b] of customerBrowsers()) expect((await b.html("/partner")).location).toBe("/customer");
  },
  "routes/_app.partner.staff._index": async () => {
    for (const [role, b] of partnerBrowsers()) {
      const page = await b.html("/partner/staff");
      if (role === "global_admin") {
        expect(page.status).toBe(200);
        expect(page.text).toContain(A.users.sales_agent!.email);
        expectNoTraceOf(page.text, B);
      } else expect(page.status).toBe(403);
      const post = await b.fetch("/partner/staff", { form: { displayName: "X", email: `new-${role}@${A.domain}`, roles: "sales_agent" } });
      expect(post.status).toBe(role === "global_admin" ? 302 : 403);
    }
    for (const [, b] of customerBrowsers()) expect((await b.html("/partner/staff")).location).toBe("/customer");
  },
  "routes/_app.partner.staff.$userId": async () => {
    const victim = B.users.sales_agent!.id;
    for (const [role, b] of partnerBrowsers()) {
      const expected = role === "global_admin" ? 404 : 403;
      expect((await b.html(`/partner/staff/${victim}`)).status).toBe(expected);
      expect((await b.html(`/partner/staff/not-a-uuid`)).status).toBe(expected);
      for (const intent of ["deactivate", "resend", "revoke", "reactivate"]) {
        expect((await b.fetch(`/partner/staff/${victim}`, { form: { intent } })).status, `${role} ${intent}`).toBe(expected);
      }
      expect((await b.fetch(`/partner/staff/${victim}`, { form: { intent: "roles", roles: "global_admin" } })).status).toBe(expected);
    }
    const [m] = await withSystem(async (tx) => rowsOf<{ roles: string[]; status: string }>(await tx.execute(sql`select roles, status from memberships where user_id = ${victim} and org_id = ${B.orgId}`)));
    expect(m).toEqual({ roles: ["sales_agent"], status: "active" });
  },
  "routes/_app.partner.profile": async () => {
    for (const [role, b] of partnerBrowsers()) {
      const page = await b.html("/partner/profile");
      expect(page.status).toBe(200);
      expectNoTraceOf(page.text, B);
      if (role !== "global_admin") expect((await b.fetch("/partner/profile", { form: { name: "Nope" } })).status).toBe(403);
    }
    const [b] = await withSystem(async (tx) => rowsOf<{ name: string }>(await tx.execute(sql`select name from organisations where id = ${B.orgId}`)));
    expect(b!.name).toBe(`${B.name} Secret Renamed`);
  },
  "routes/_app.partner.audit": async () => {
    for (const [role, b] of partnerBrowsers()) {
      const page = await b.html(`/partner/audit?user=${B.users.global_admin!.id}`);
      if (role === "global_admin") {
        expect(page.status).toBe(200);
        expect(page.text).toContain("No audit entries");
        expect((await b.html("/partner/audit")).text).not.toContain("Secret Renamed");
      } else expect(page.status).toBe(403);
    }
  },
  "routes/_app.customer._index": async () => {
    for (const [, b] of customerBrowsers()) {
      const page = await b.html("/customer");
      expect(page.status).toBe(200);
      expect(page.text).toContain(A.name);
      expectNoTraceOf(page.text, B);
      expectNoTraceOf(page.text, D);
    }
    for (const [, b] of partnerBrowsers()) expect((await b.html("/customer")).location).toBe("/partner");
  },
  "routes/_app.notifications": async () => {
    for (const [, b] of [...partnerBrowsers(), ...customerBrowsers()]) {
      const page = await b.html("/notifications");
      expect(page.status).toBe(200);
      expect(page.text).not.toContain("B secret notice");
      expect((await b.fetch("/notifications", { form: { id: bNotificationId } })).status).toBe(404);
    }
    const [n] = await withSystem(async (tx) => rowsOf<{ read: boolean }>(await tx.execute(sql`select read_at is not null as read from notifications where id = ${bNotificationId}`)));
    expect(n!.read).toBe(false);
  },
  "routes/signin_.verify": async () => {
    // A sign-in waiting for its second factor belongs to the browser that started it: another
    // browser with the right code gets nothing.
    const started = new Browser();
    expect((await started.fetch("/signin", { form: { email: B.users.global_admin!.email, password: PASSWORD } })).headers.get("Location")).toBe("/signin/verify");
    const elsewhere = new Browser();
    expect((await elsewhere.html("/signin/verify")).location).toBe("/signin");
    const res = await elsewhere.fetch("/signin/verify", { form: { intent: "code", code: totpCode(TOTP_SECRET) } });
    expect(res.headers.get("Location")).toBe("/signin");
    expect((await elsewhere.html("/partner")).location).toMatch(/^\/signin/);
    // Signed in as A, the page leads home: it never shows or finishes B's sign-in.
    expect((await as["A:global_admin"]!.html("/signin/verify")).location).toBe("/partner");
  },
  "routes/webauthn": async () => {
    // B has a passkey; nobody else can use it or its options, and no one signs in as B with it.
    await withSystem((tx) =>
      tx.execute(sql`insert into user_factors (user_id, kind, name, credential_id, public_key, sign_count, confirmed_at) values (${B.users.global_admin!.id}, 'passkey', 'B key', 'b-secret-credential', 'AQID', 0, now()) on conflict do nothing`),
    );
    const forged = JSON.stringify({ id: "b-secret-credential", rawId: "b-secret-credential", type: "public-key", response: { clientDataJSON: "e30", authenticatorData: "AA", signature: "AA" } });
    for (const [, b] of [...partnerBrowsers(), ...customerBrowsers()]) {
      const options = await b.fetch("/webauthn", { form: { intent: "step-up-options" } });
      expect(options.status).toBe(409);
      expect(await options.text()).not.toContain("b-secret-credential");
      expect((await b.fetch("/webauthn", { form: { intent: "step-up", response: forged } })).status).toBe(409);
      expect((await b.fetch("/webauthn", { form: { intent: "second-factor-options" } })).status).toBe(410);
    }
    const anonymous = new Browser();
    const open = await anonymous.fetch("/webauthn", { form: { intent: "passwordless-options" } });
    expect(open.status).toBe(200);
    expect(await open.text()).not.toContain("b-secret-credential");
    const answered = await anonymous.fetch("/webauthn", { form: { intent: "passwordless", response: forged } });
    expect(answered.status).toBe(400);
    expect((await anonymous.html("/partner")).location).toMatch(/^\/signin/);
  },
  "routes/_app.account_.verify": async () => {
    for (const [, b] of [...partnerBrowsers(), ...customerBrowsers()]) {
      const page = await b.html("/account/verify");
      expect([200, 302]).toContain(page.status);
      expectNoTraceOf(page.text, B);
    }
  },
  "routes/_app.account_.security": async () => {
    for (const [, b] of [...partnerBrowsers(), ...customerBrowsers()]) {
      const page = await b.html("/account/security");
      expect(page.status).toBe(200);
      expectNoTraceOf(page.text, B);
    }
  },
  "routes/_app.account_.sessions": async () => {
    // B's session is named by its hash on B's page only; A cannot end it by naming it.
    const bSession = new Browser();
    await bSession.signIn(B.users.sales_agent!.email);
    const hashes = await withSystem(async (tx) => rowsOf<{ id_hash: string }>(await tx.execute(sql`select s.id_hash from sessions s join users u on u.id = s.user_id where u.email = ${B.users.sales_agent!.email}`)));
    for (const [, b] of [...partnerBrowsers(), ...customerBrowsers()]) {
      const page = await b.html("/account/sessions");
      expect(page.status).toBe(200);
      expectNoTraceOf(page.text, B);
      for (const { id_hash } of hashes) {
        expect(page.text).not.toContain(id_hash);
        expect((await b.fetch("/account/sessions", { form: { intent: "end", session: id_hash } })).status).toBe(404);
      }
    }
    expect((await bSession.html("/partner")).status).toBe(200);
  },
  "routes/_app.organisation.sign-in": async () => {
    // A's global admin sees A's staff only; other roles may not open it; a customer's admin changes its own setting only.
    const page = await as["A:global_admin"]!.html("/organisation/sign-in");
    expect(page.status).toBe(200);
    expectNoTraceOf(page.text, B);
    expect(page.text).toContain(A.users.sales_agent!.email);
    for (const [role, b] of partnerBrowsers()) if (role !== "global_admin") expect((await b.html("/organisation/sign-in")).status).toBe(403);
    expect((await as["A:global_admin"]!.fetch("/organisation/sign-in", { form: { intent: "require-mfa", enabled: "off" } })).status).toBe(409);
    for (const [role, b] of customerBrowsers()) {
      if (role === "global_admin") continue;
      expect((await b.html("/organisation/sign-in")).status).toBe(403);
      expect((await b.fetch("/organisation/sign-in", { form: { intent: "require-mfa", enabled: "on" } })).status).toBe(403);
    }
    const cPage = await as["C:global_admin"]!.html("/organisation/sign-in");
    expect(cPage.status).toBe(200);
    expectNoTraceOf(cPage.text, D);
    expectNoTraceOf(cPage.text, A);
    const required = async (org: OrgFixture) => rowsOf<{ r: boolean }>(await withSystem((tx) => tx.execute(sql`select require_mfa as r from organisations where id = ${org.orgId}`)))[0]!.r;
    expect(await required(D)).toBe(false);
  },
  "routes/_app.account": async () => {
    for (const [, b] of [...partnerBrowsers(), ...customerBrowsers()]) {
      const page = await b.html("/account");
      expect(page.status).toBe(200);
      expectNoTraceOf(page.text, B);
    }
  },
  "routes/_app.partner.customers._index": async () => {
    const crafted = encodeCursor([dName.toLowerCase(), D.orgId]);
    for (const [, b] of partnerBrowsers()) {
      for (const url of ["/partner/customers", `/partner/customers?q=${encodeURIComponent(dName)}`, `/partner/customers?after=${crafted}`, `/partner/customers?before=${crafted}`, "/partner/customers?last=1"]) {
        const page = await b.html(url);
        expect(page.status, url).toBe(200);
        // (The search box repeats the term typed; D's rows must not appear.)
        expect(page.text).not.toContain(D.orgId);
        expect(page.text).not.toContain(D.domain);
      }
      expect((await b.html(`/partner/customers?q=${encodeURIComponent(dName)}`)).text).toContain("No customers match");
      expect((await b.html("/partner/customers")).text).toContain(C.name);
      // Starting bulk work on another partner's selection: not found (or not allowed).
      expect((await b.fetch(`/partner/customers/selections/${bSelectionId}`, { form: { intent: "bulk-gdap", namePrefix: "X", durationDays: "30", roles: "729827e3-9c14-49f7-bb1b-9608f156bbb8" } })).status).toBeGreaterThanOrEqual(403);
      // Selecting another partner's customer by id is refused and saves nothing.
      expect((await b.fetch("/partner/customers?index", { form: { mode: "page", ids: D.orgId } })).status).toBe(404);
    }
    for (const [, b] of customerBrowsers()) expect((await b.html("/partner/customers")).location).toBe("/customer");
  },
  "routes/_app.partner.customers.new": async () => {
    for (const [role, b] of partnerBrowsers()) {
      const allowed = ["global_admin", "admin_agent", "sales_agent"].includes(role);
      expect((await b.html("/partner/customers/new")).status).toBe(allowed ? 200 : 403);
      // Claiming another partner's customer's domain creates nothing and reveals only that it is taken.
      const res = await b.fetch("/partner/customers/new", {
        form: { name: "Grab", primaryDomain: D.domain, country: "DK", contactFirstName: "A", contactLastName: "B", contactEmail: `grab-${role}@x.test` },
      });
      expect(res.status).toBe(allowed ? 409 : 403);
    }
  },
  "routes/_app.partner.customers.$customerId": async () => {
    for (const [, b] of partnerBrowsers()) {
      expect((await b.html(`/partner/customers/${D.orgId}`)).status).toBe(404);
      expect((await b.html(`/partner/customers/${B.orgId}`)).status).toBe(404);
      expect((await b.html(`/partner/customers/not-a-uuid`)).status).toBe(404);
      const own = await b.html(`/partner/customers/${C.orgId}`);
      expect(own.status).toBe(200);
      expectNoTraceOf(own.text, D);
    }
    // Ending a reseller relationship: only GA and admin agent, and only A's own.
    for (const [role, b] of partnerBrowsers()) {
      const allowed = role === "global_admin" || role === "admin_agent";
      expect((await b.fetch(`/partner/customers/${D.orgId}`, { form: { intent: "end-reseller" } })).status, role).toBe(allowed ? 404 : 403);
      // The relationship lifecycle (issue 30): asking, DAP, ending or withdrawing with another partner's customer.
      for (const form of [
        { intent: "request", type: "support_advisor" },
        { intent: "request", type: "lob" },
        { intent: "dap" },
        { intent: "end", type: "reseller" },
        { intent: "end", type: "support_advisor" },
      ] as Record<string, string>[]) {
        expect((await b.fetch(`/partner/customers/${D.orgId}`, { form })).status, `${role} ${JSON.stringify(form)}`).toBe(allowed ? 404 : 403);
      }
    }
    const [ad] = await withSystem(async (tx) => rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from relationships where partner_org_id = ${A.orgId} and customer_org_id = ${D.orgId}`)));
    expect(ad!.n).toBe(0);
    const [bAdvisor] = await withSystem(async (tx) => rowsOf<{ status: string }>(await tx.execute(sql`select status from relationships where id = ${dAdvisorRequestId}`)));
    expect(bAdvisor!.status).toBe("requested");
    for (const [, b] of customerBrowsers()) expect((await b.fetch(`/partner/customers/${C.orgId}`, { form: { intent: "end-reseller" } })).headers.get("Location")).toBe("/customer");
    const [bd] = await withSystem(async (tx) => rowsOf<{ status: string }>(await tx.execute(sql`select status from relationships where partner_org_id = ${B.orgId} and customer_org_id = ${D.orgId} and type = 'reseller'`)));
    expect(bd!.status).toBe("active");
  },
  "routes/_app.partner.product-keys._index": async () => {
    for (const [role, b] of partnerBrowsers()) {
      const allowed = role === "global_admin" || role === "admin_agent" || role === "sales_agent";
      const page = await b.html("/partner/product-keys");
      expect(page.status, role).toBe(allowed ? 200 : 403);
      if (allowed) {
        expect(page.text).not.toContain(compactKey(bKey).slice(20));
        expect(page.text).not.toContain("b-secret-keys.csv");
      }
      expect((await b.fetch("/partner/product-keys?index", { form: { csv: `key,product,licences\n${bKey},visio-plan-2,2` } })).status, role).toBe(allowed ? 302 : 403);
    }
    for (const [, b] of customerBrowsers()) expect((await b.html("/partner/product-keys")).location).toBe("/customer");
    // A's import of B's key was refused: the key stays in B's inventory only.
    const keys = await withSystem(async (tx) => rowsOf<{ partner_org_id: string }>(await tx.execute(sql`select partner_org_id from product_keys where key_hash = ${hashProductKey(compactKey(bKey))}`)));
    expect(keys).toEqual([{ partner_org_id: B.orgId }]);
  },
  "routes/_app.partner.product-keys.imports.$importId": async () => {
    for (const [role, b] of partnerBrowsers()) {
      const allowed = role === "global_admin" || role === "admin_agent" || role === "sales_agent";
      expect((await b.html(`/partner/product-keys/imports/${bImportId}`)).status, role).toBe(allowed ? 404 : 403);
      expect((await b.html("/partner/product-keys/imports/not-a-uuid")).status).toBe(allowed ? 404 : 403);
    }
    for (const [, b] of customerBrowsers()) expect((await b.html(`/partner/product-keys/imports/${bImportId}`)).location).toBe("/customer");
  },
  "routes/_app.partner.product-keys.register": async () => {
    for (const [role, b] of partnerBrowsers()) {
      const allowed = role === "global_admin" || role === "admin_agent" || role === "sales_agent";
      const page = await b.html(`/partner/product-keys/register?customer=${D.orgId}`);
      expect(page.status, role).toBe(allowed ? 200 : 403);
      if (allowed) expectNoTraceOf(page.text, D);
      // B's key is not in A's inventory; D is not A's customer.
      const withBKey = await b.fetch("/partner/product-keys/register", { form: { key: bKey, customerMode: "existing", customerDomain: C.domain, delegated: "none" } });
      expect(withBKey.status, role).toBe(allowed ? 404 : 403);
      if (allowed) expect(await withBKey.text()).toContain("not in your inventory");
    }
    for (const [, b] of customerBrowsers()) expect((await b.html("/partner/product-keys/register")).location).toBe("/customer");
    const [k] = await withSystem(async (tx) => rowsOf<{ status: string; n: number }>(await tx.execute(sql`select status, (select count(*)::int from subscriptions where customer_org_id = ${C.orgId}) as n from product_keys where key_hash = ${hashProductKey(compactKey(bKey))}`)));
    expect(k!.status).toBe("available");
  },
  "routes/_app.partner.listing": async () => {
    for (const [role, b] of partnerBrowsers()) {
      const page = await b.html("/partner/listing");
      expect(page.status, role).toBe(role === "global_admin" ? 200 : 403);
      if (role === "global_admin") {
        expect(page.text).toContain("A listed partner for isolation tests");
        expect(page.text).not.toContain("B secret unlisted description");
      }
      const post = await b.fetch("/partner/listing", { form: { listed: "on", description: "A changed listing text long enough", countries: "DK", sizes: "10-49", keywords: "security", languages: "en", partnerOrgId: B.orgId } });
      expect(post.status, role).toBe(role === "global_admin" ? 302 : 403);
    }
    for (const [, b] of customerBrowsers()) expect((await b.html("/partner/listing")).location).toBe("/customer");
    const [bl] = await withSystem(async (tx) => rowsOf<{ description: string; listed: boolean }>(await tx.execute(sql`select description, listed from partner_listings where partner_org_id = ${B.orgId}`)));
    expect(bl).toEqual({ description: "B secret unlisted description", listed: false });
  },
  "routes/_app.partner.leads._index": async () => {
    for (const [role, b] of partnerBrowsers()) {
      const allowed = role === "global_admin" || role === "admin_agent" || role === "sales_agent";
      const page = await b.html("/partner/leads");
      expect(page.status, role).toBe(allowed ? 200 : 403);
      if (allowed) {
        expect(page.text).toContain("A Lead Org");
        expect(page.text).not.toContain("B Secret Lead");
        const crafted = Buffer.from(JSON.stringify(["2999-01-01T00:00:00.000000", bLeadId])).toString("base64url");
        expect((await b.html(`/partner/leads?after=${crafted}`)).text).not.toContain("B Secret Lead");
      }
    }
    for (const [, b] of customerBrowsers()) expect((await b.html("/partner/leads")).location).toBe("/customer");
  },
  "routes/_app.partner.leads.$leadId": async () => {
    for (const [role, b] of partnerBrowsers()) {
      const allowed = role === "global_admin" || role === "admin_agent" || role === "sales_agent";
      const expected = allowed ? 404 : 403;
      expect((await b.html(`/partner/leads/${bLeadId}`)).status, role).toBe(expected);
      expect((await b.html("/partner/leads/not-a-uuid")).status).toBe(expected);
      for (const form of [
        { intent: "status", status: "lost" },
        { intent: "assign", userId: A.users.sales_agent!.id },
        { intent: "note", body: "grab" },
        { intent: "answer", linkId: aLinkId, message: "" },
        { intent: "delete" },
      ] as Record<string, string>[]) {
        expect((await b.fetch(`/partner/leads/${bLeadId}`, { form })).status, `${role} ${form.intent}`).toBe(expected);
      }
      if (allowed) {
        const own = await b.html(`/partner/leads/${aLeadId}`);
        expect(own.status).toBe(200);
        expectNoTraceOf(own.text, B);
        // A's lead cannot be answered with B's link, nor assigned to B's staff.
        expect((await b.fetch(`/partner/leads/${aLeadId}`, { form: { intent: "answer", linkId: bLink.id } })).status).toBe(404);
        expect((await b.fetch(`/partner/leads/${aLeadId}`, { form: { intent: "assign", userId: B.users.sales_agent!.id } })).status).toBe(400);
      }
    }
    for (const [, b] of customerBrowsers()) expect((await b.html(`/partner/leads/${aLeadId}`)).location).toBe("/customer");
    const [bl] = await withSystem(async (tx) =>
      rowsOf<{ status: string; assigned: string | null; notes: number; answered: string | null }>(
        await tx.execute(sql`select status, assigned_user_id as assigned, answered_link_id as answered, (select count(*)::int from lead_notes where lead_id = ${bLeadId}) as notes from leads where id = ${bLeadId}`),
      ),
    );
    expect(bl).toEqual({ status: "new", assigned: null, notes: 0, answered: null });
  },
  "routes/partners._index": async () => {
    for (const b of [new Browser(), as["A:sales_agent"]!, as["C:global_admin"]!]) {
      const page = await b.html("/partners?q=security&country=DK");
      expect(page.status).toBe(200);
      expect(page.text).toContain(A.name);
      expect(page.text).not.toContain(B.name);
      expect(page.text).not.toContain("B secret unlisted description");
      const crafted = Buffer.from(JSON.stringify([1, "", B.orgId])).toString("base64url");
      expect((await b.html(`/partners?after=${crafted}`)).text).not.toContain(B.name);
    }
  },
  "routes/partners.$partnerNumber": async () => {
    const anon = new Browser();
    expect((await anon.html(`/partners/${A.partnerNumber}`)).status).toBe(200);
    expect((await anon.html(`/partners/${B.partnerNumber}`)).status).toBe(404);
    expect((await anon.html("/partners/not-a-number")).status).toBe(404);
    expect((await as["B:global_admin"]!.html(`/partners/${B.partnerNumber}`)).status).toBe(404);
  },
  "routes/partners.contact": async () => {
    const anon = new Browser("10.9.9.9");
    const page = await anon.html(`/partners/contact?p=${A.partnerNumber}&p=${B.partnerNumber}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(A.name);
    expect(page.text).not.toContain(B.name);
    const form = { p: [String(B.partnerNumber)], name: "Visitor", email: "visitor-iso@v.test", organisation: "Visitor Org", size: "10-49", country: "DK", needs: "We need help with security.", consent: "on" };
    expect((await anon.fetch("/partners/contact", { form })).status).toBe(409);
    const [n] = await withSystem(async (tx) => rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from leads where partner_org_id = ${B.orgId}`)));
    expect(n!.n).toBe(1);
  },
  "routes/_app.partner.subscriptions": async () => {
    for (const [role, b] of partnerBrowsers()) {
      const page = await b.html("/partner/subscriptions?status=trial");
      if (role === "helpdesk_agent") {
        expect(page.status).toBe(403);
        continue;
      }
      expect(page.status, role).toBe(200);
      expect(page.text).toContain(C.name);
      expectNoTraceOf(page.text, D);
      expect(page.text).not.toContain(dSubscriptionId);
      // A crafted cursor only narrows A's own rows.
      const crafted = Buffer.from(JSON.stringify(["2999-01-01T00:00:00.000000", dSubscriptionId])).toString("base64url");
      const deep = await b.html(`/partner/subscriptions?after=${crafted}`);
      expect(deep.status).toBe(200);
      expectNoTraceOf(deep.text, D);
    }
    for (const [, b] of customerBrowsers()) expect((await b.html("/partner/subscriptions")).location).toBe("/customer");
  },
  "routes/_app.partner.customers.selections.$selectionId": async () => {
    for (const [, b] of partnerBrowsers()) {
      expect((await b.html(`/partner/customers/selections/${bSelectionId}`)).status).toBe(404);
      expect((await b.fetch(`/partner/customers/selections/${bSelectionId}`, { form: { intent: "discard" } })).status).toBe(404);
    }
    const [still] = await withSystem(async (tx) => rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from customer_selections where id = ${bSelectionId}`)));
    expect(still!.n).toBe(1);
  },
  "routes/partner.customers.export[.csv]": async () => {
    for (const [, b] of partnerBrowsers()) {
      const res = await b.fetch(`/partner/customers/export.csv?q=${encodeURIComponent(dName)}`);
      expect(res.status).toBe(200);
      const all = await (await b.fetch("/partner/customers/export.csv")).text();
      expect(all).toContain(C.orgId);
      expect(all).not.toContain(D.orgId);
      expect(await res.text()).not.toContain(D.orgId);
    }
    for (const [, b] of customerBrowsers()) expect((await b.fetch("/partner/customers/export.csv")).status).toBe(302);
  },
  "routes/_app.customer.agreement": async () => {
    for (const [role, b] of customerBrowsers()) {
      const page = await b.html("/customer/agreement");
      expect(page.status).toBe(200);
      expect(page.text).toContain("has accepted this version");
      // Accepting again, or for another organisation, changes nothing elsewhere.
      const res = await b.fetch("/customer/agreement", { form: { version: "2026-11", read: "on" } });
      // The help pages' global and billing admins accept it (issue 30); a user cannot.
      expect(res.status).toBe(role === "user" ? 403 : 302);
    }
    for (const [, b] of partnerBrowsers()) expect((await b.html("/customer/agreement")).location).toBe("/partner");
    const [d] = await withSystem(async (tx) => rowsOf<{ v: string | null }>(await tx.execute(sql`select agreement_version as v from organisations where id = ${D.orgId}`)));
    expect(d!.v).toBe("2026-11");
  },
  "routes/_app.partner.links._index": async () => {
    for (const [role, b] of partnerBrowsers()) {
      const page = await b.html("/partner/links");
      if (["global_admin", "admin_agent", "sales_agent"].includes(role)) {
        expect(page.status).toBe(200);
        expect(page.text).toContain(aLinkId);
        expect(page.text).not.toContain(bLink.id);
        expect(page.text).not.toContain(linkPath(bLink.url));
      } else expect(page.status).toBe(403);
    }
    for (const [, b] of customerBrowsers()) expect((await b.html("/partner/links")).location).toBe("/customer");
  },
  "routes/_app.partner.links.new": async () => {
    for (const [role, b] of partnerBrowsers()) {
      const allowed = ["global_admin", "admin_agent", "sales_agent"].includes(role);
      expect((await b.html("/partner/links/new")).status).toBe(allowed ? 200 : 403);
      // There is no partner id to forge: a link is always created for the signed-in partner.
      const res = await b.fetch("/partner/links/new", { form: { kind: "reseller", partnerId: B.orgId, partnerOrgId: B.orgId } });
      expect(res.status).toBe(allowed ? 302 : 403);
    }
    const [n] = await withSystem(async (tx) => rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from links where partner_org_id = ${B.orgId}`)));
    expect(n!.n).toBe(1);
    for (const [, b] of customerBrowsers()) expect((await b.html("/partner/links/new")).location).toBe("/customer");
  },
  "routes/_app.partner.links.$linkId": async () => {
    const victim = `victim-${Date.now()}@x.test`;
    for (const [role, b] of partnerBrowsers()) {
      const expected = ["global_admin", "admin_agent", "sales_agent"].includes(role) ? 404 : 403;
      expect((await b.html(`/partner/links/${bLink.id}`)).status, role).toBe(expected);
      expect((await b.html("/partner/links/not-a-uuid")).status).toBe(expected);
      expect((await b.fetch(`/partner/links/${bLink.id}`, { form: { intent: "revoke" } })).status).toBe(expected);
      expect((await b.fetch(`/partner/links/${bLink.id}`, { form: { intent: "email", to: victim } })).status).toBe(expected);
      if (expected === 404) {
        const own = await b.html(`/partner/links/${aLinkId}`);
        expect(own.status).toBe(200);
        expectNoTraceOf(own.text, D);
      }
    }
    const [link] = await withSystem(async (tx) => rowsOf<{ revoked: boolean }>(await tx.execute(sql`select revoked_at is not null as revoked from links where id = ${bLink.id}`)));
    expect(link!.revoked).toBe(false);
    const [mail] = await withSystem(async (tx) => rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from mail_outbox where ${victim} = any("to")`)));
    expect(mail!.n).toBe(0);
  },
  "routes/l.$code": async () => {
    // The public page shows the partner's offer, never who else accepted it.
    for (const [, b] of [...customerBrowsers(), ["anonymous", new Browser()] as const]) {
      const page = await b.html(linkPath(bLink.url));
      expect(page.status).toBe(200);
      expect(page.text).toContain(B.name);
      expectNoTraceOf(page.text, D);
    }
    // Partner staff (of any partner) cannot accept a link for a customer.
    for (const [, b] of partnerBrowsers()) {
      expect((await b.fetch(linkPath(bLink.url), { form: { intent: "accept", agreementVersion: "2026-11", read: "on" } })).status).toBe(403);
    }
    // A customer's plain user cannot accept for its organisation.
    expect((await as["C:user"]!.fetch(linkPath(bLink.url), { form: { intent: "accept", agreementVersion: "2026-11", read: "on" } })).status).toBe(403);
    const [n] = await withSystem(async (tx) => rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from link_redemptions where link_id = ${bLink.id}`)));
    expect(n!.n).toBe(1);
  },
  "routes/_app.customer.partners": async () => {
    for (const [role, b] of customerBrowsers()) {
      const page = await b.html("/customer/partners");
      if (role === "user") {
        expect(page.status).toBe(403);
        continue;
      }
      expect(page.status).toBe(200);
      expect(page.text).toContain(A.name);
      expectNoTraceOf(page.text, B);
      expectNoTraceOf(page.text, D);
    }
    // Removing another customer's partner: B is not C's partner.
    for (const [role, b] of customerBrowsers()) {
      expect((await b.fetch("/customer/partners", { form: { intent: "remove-partner", partnerId: B.orgId } })).status, role).toBe(role === "global_admin" ? 404 : 403);
    }
    for (const [, b] of partnerBrowsers()) expect((await b.html("/customer/partners")).location).toBe("/partner");
    const [bd] = await withSystem(async (tx) => rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from relationships where partner_org_id = ${B.orgId} and customer_org_id = ${D.orgId} and status = 'ended'`)));
    expect(bd!.n).toBe(0);
  },
  "routes/_app.customer.requests._index": async () => {
    for (const [role, b] of customerBrowsers()) {
      const page = await b.html("/customer/requests");
      if (role === "user") expect(page.status).toBe(403);
      else {
        expect(page.status).toBe(200);
        expect(page.text).toContain(A.name);
        expectNoTraceOf(page.text, B);
      }
      for (const intent of ["approve", "decline"]) {
        expect((await b.fetch("/customer/requests", { form: { intent, id: dRequestId } })).status, `${role} ${intent}`).toBe(role === "global_admin" ? 404 : 403);
        expect((await b.fetch("/customer/requests", { form: { intent, id: dAdvisorRequestId } })).status, `${role} ${intent} advisor`).toBe(role === "global_admin" ? 404 : 403);
      }
    }
    for (const [, b] of partnerBrowsers()) {
      expect((await b.fetch("/customer/requests", { form: { intent: "approve", id: cRequestId } })).headers.get("Location")).toBe("/partner");
    }
    const rows = await withSystem(async (tx) => rowsOf<{ status: string }>(await tx.execute(sql`select status from relationships where id in (${dRequestId}, ${cRequestId}, ${dAdvisorRequestId})`)));
    expect(rows.map((r) => r.status)).toEqual(["requested", "requested", "requested"]);
  },
  "routes/_app.customer.subscriptions": async () => {
    for (const [role, b] of customerBrowsers()) {
      const page = await b.html("/customer/subscriptions");
      if (role === "user") expect(page.status).toBe(403);
      else {
        expect(page.status).toBe(200);
        expect(page.text).toContain(cSubscriptionId);
        expect(page.text).not.toContain(dSubscriptionId);
        expectNoTraceOf(page.text, B);
      }
      for (const form of [
        { intent: "convert", id: dSubscriptionId, licences: "5" },
        { intent: "licences", id: dSubscriptionId, licences: "5" },
        { intent: "cancel", id: dSubscriptionId },
        { intent: "delete-partner", id: dSubscriptionId },
        { intent: "set-partner", id: dSubscriptionId, partnerNumber: String(A.partnerNumber), confirmed: String(A.partnerNumber) },
      ] as Record<string, string>[]) {
        expect((await b.fetch("/customer/subscriptions", { form })).status, `${role} ${form.intent}`).toBe(role === "user" ? 403 : 404);
      }
    }
    for (const [, b] of partnerBrowsers()) expect((await b.html("/customer/subscriptions")).location).toBe("/partner");
    const [d] = await withSystem(async (tx) => rowsOf<{ status: string; licences: number; advisor: string }>(await tx.execute(sql`select status, licences, advisor_partner_org_id as advisor from subscriptions where id = ${dSubscriptionId}`)));
    expect(d).toEqual({ status: "trial", licences: 3, advisor: B.orgId });
  },
  "routes/_app.partner.relationships._index": async () => {
    for (const [role, b] of partnerBrowsers()) {
      const page = await b.html("/partner/relationships");
      if (role === "global_admin" || role === "admin_agent") {
        expect(page.status).toBe(200);
        expect(page.text).toContain(aGdapId);
        expect(page.text).not.toContain(bGdap.id);
        expectNoTraceOf(page.text, D);
        // Asking another partner's customer for DAP: not found, nothing requested.
        expect((await b.fetch("/partner/relationships?index", { form: { intent: "dap", customerId: D.orgId } })).status).toBe(404);
      } else {
        expect(page.status).toBe(403);
        expect((await b.fetch("/partner/relationships?index", { form: { intent: "dap", customerId: D.orgId } })).status).toBe(403);
      }
    }
    const [n] = await withSystem(async (tx) => rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from relationships where customer_org_id = ${D.orgId} and partner_org_id = ${A.orgId}`)));
    expect(n!.n).toBe(0);
    for (const [, b] of customerBrowsers()) expect((await b.html("/partner/relationships")).location).toBe("/customer");
  },
  "routes/_app.partner.relationships.new": async () => {
    for (const [role, b] of partnerBrowsers()) {
      const allowed = role === "global_admin" || role === "admin_agent";
      const page = await b.html(`/partner/relationships/new?customer=${D.orgId}`);
      expect(page.status).toBe(allowed ? 200 : 403);
      if (allowed) expectNoTraceOf(page.text, D);
      // Another partner's customer by its domain is not one of ours: refused, nothing created.
      const res = await b.fetch("/partner/relationships/new", { form: { displayName: `Grab ${role}`, customerDomain: D.domain, durationDays: "30", roles: "729827e3-9c14-49f7-bb1b-9608f156bbb8" } });
      expect(res.status).toBe(allowed ? 404 : 403);
    }
    const [n] = await withSystem(async (tx) => rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from admin_relationships where customer_org_id = ${D.orgId}`)));
    expect(n!.n).toBe(1);
  },
  "routes/_app.partner.relationships.$id": async () => {
    for (const [role, b] of partnerBrowsers()) {
      const expected = role === "global_admin" || role === "admin_agent" ? 404 : 403;
      expect((await b.html(`/partner/relationships/${bGdap.id}`)).status).toBe(expected);
      expect((await b.html("/partner/relationships/not-a-uuid")).status).toBe(expected);
      expect((await b.fetch(`/partner/relationships/${bGdap.id}`, { form: { intent: "terminate" } })).status).toBe(expected);
      expect((await b.fetch(`/partner/relationships/${bGdap.id}`, { form: { intent: "assign", groupId: bGdap.id, roles: "x" } })).status).toBe(expected);
      if (expected === 404) expect((await b.html(`/partner/relationships/${aGdapId}`)).status).toBe(200);
    }
  },
  "routes/_app.customer.requests.$id": async () => {
    const [still] = await withSystem(async (tx) => rowsOf<{ status: string }>(await tx.execute(sql`select status from admin_relationships where id = ${bGdap.id}`)));
    expect(still!.status).toBe("approval_pending");
    for (const [role, b] of customerBrowsers()) {
      const expected = role === "user" ? 403 : 404;
      expect((await b.html(`/customer/requests/${bGdap.id}`)).status).toBe(expected);
      expect((await b.fetch(`/customer/requests/${bGdap.id}`, { form: { intent: "approve" } })).status).toBe(role === "global_admin" ? 404 : 403);
      if (role !== "user") expect((await b.html(`/customer/requests/${aGdapId}`)).status).toBe(200);
    }
    for (const [, b] of partnerBrowsers()) expect((await b.fetch(`/customer/requests/${aGdapId}`, { form: { intent: "approve" } })).headers.get("Location")).toBe("/partner");
    const rows = await withSystem(async (tx) => rowsOf<{ status: string }>(await tx.execute(sql`select status from admin_relationships where id in (${bGdap.id}, ${aGdapId})`)));
    expect(rows.map((r) => r.status)).toEqual(["approval_pending", "approval_pending"]);
  },
  "routes/_app.gdap.$code": async () => {
    // D's request, opened by C's people: not found; nothing is bound or approved.
    for (const [role, b] of customerBrowsers()) {
      expect((await b.html(`/gdap/${bGdap.code}`)).status, role).toBe(404);
      expect((await b.fetch(`/gdap/${bGdap.code}`, { form: {} })).status).toBe(role === "global_admin" ? 404 : 403);
    }
    for (const [, b] of partnerBrowsers()) expect((await b.html(`/gdap/${bGdap.code}`)).status).toBe(403);
    const [row] = await withSystem(async (tx) => rowsOf<{ c: string }>(await tx.execute(sql`select customer_org_id as c from admin_relationships where id = ${bGdap.id}`)));
    expect(row!.c).toBe(D.orgId);
  },
  "routes/_app.partner.customers_.$customerId.users": async () => {
    // Another partner's customer: not ours, so not found, whatever the role; nothing changes.
    for (const [, b] of partnerBrowsers()) {
      expect((await b.html(`/partner/customers/${D.orgId}/users`)).status).toBe(404);
      expect((await b.fetch(`/partner/customers/${D.orgId}/users`, { form: { intent: "reset", userId: D.users.user!.id } })).status).toBeGreaterThanOrEqual(403);
      expect((await b.fetch(`/partner/customers/${D.orgId}/users`, { form: { intent: "create", displayName: "X", email: `x-${Date.now()}@d.test` } })).status).toBeGreaterThanOrEqual(403);
      // Our own customer, without an admin relationship: the page opens, its users stay hidden.
      const own = await b.html(`/partner/customers/${C.orgId}/users`);
      expect(own.status).toBe(200);
      expect(own.text).not.toContain(C.users.user!.email);
    }
    const [d] = await withSystem(async (tx) => rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from users where id = ${D.users.user!.id} and password_must_change`)));
    expect(d!.n).toBe(0);
    for (const [, b] of customerBrowsers()) expect((await b.html(`/partner/customers/${C.orgId}/users`)).location).toBe("/customer");
  },
  "routes/_app.partner.customers_.$customerId.licences": async () => {
    const [dSub] = await withSystem(async (tx) => rowsOf<{ id: string }>(await tx.execute(sql`select id from subscriptions where customer_org_id = ${D.orgId} limit 1`)));
    for (const [, b] of partnerBrowsers()) {
      expect((await b.html(`/partner/customers/${D.orgId}/licences`)).status).toBe(404);
      expect((await b.fetch(`/partner/customers/${D.orgId}/licences`, { form: { intent: "assign", subscriptionId: dSub!.id, userId: D.users.user!.id } })).status).toBeGreaterThanOrEqual(403);
      // Our own customer, to which A holds no admin roles: its subscription by id, refused too.
      expect((await b.fetch(`/partner/customers/${C.orgId}/licences`, { form: { intent: "assign", subscriptionId: dSub!.id, userId: D.users.user!.id } })).status).toBe(403);
      expect((await b.html(`/partner/customers/${C.orgId}/licences`)).text).not.toContain(cSubscriptionId);
    }
    const [n] = await withSystem(async (tx) => rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from licence_assignments where customer_org_id = ${D.orgId}`)));
    expect(n!.n).toBe(0);
    for (const [, b] of customerBrowsers()) expect((await b.html(`/partner/customers/${C.orgId}/licences`)).location).toBe("/customer");
  },
  "routes/_app.partner.customers_.$customerId.service-requests": async () => {
    const [dReq] = await withSystem(async (tx) => rowsOf<{ id: string }>(await tx.execute(sql`insert into service_requests (customer_org_id, title, description) values (${D.orgId}, 'D secret request', 'd') returning id`)));
    for (const [, b] of partnerBrowsers()) {
      const page = await b.html(`/partner/customers/${D.orgId}/service-requests`);
      expect(page.status).toBe(404);
      expect(page.text).not.toContain("D secret request");
      for (const form of [{ intent: "close", requestId: dReq!.id }, { intent: "comment", requestId: dReq!.id, body: "x" }] as Record<string, string>[]) {
        expect((await b.fetch(`/partner/customers/${D.orgId}/service-requests`, { form })).status).toBeGreaterThanOrEqual(403);
        expect((await b.fetch(`/partner/customers/${C.orgId}/service-requests`, { form })).status).toBe(403);
      }
    }
    const [d] = await withSystem(async (tx) => rowsOf<{ status: string; comments: number }>(await tx.execute(sql`select status, (select count(*)::int from service_request_comments where request_id = ${dReq!.id}) as comments from service_requests where id = ${dReq!.id}`)));
    expect(d).toEqual({ status: "open", comments: 0 });
    for (const [, b] of customerBrowsers()) expect((await b.html(`/partner/customers/${C.orgId}/service-requests`)).location).toBe("/customer");
  },
  "routes/_app.partner.bulk.$id": async () => {
    const [op] = await withSystem(async (tx) =>
      rowsOf<{ id: string }>(await tx.execute(sql`insert into bulk_operations (partner_org_id, kind, template, total) values (${B.orgId}, 'gdap', '{}', 1) returning id`)),
    );
    await withSystem((tx) => tx.execute(sql`insert into bulk_operation_items (operation_id, partner_org_id, customer_org_id) values (${op!.id}, ${B.orgId}, ${D.orgId})`));
    for (const [role, b] of partnerBrowsers()) {
      const expected = role === "global_admin" || role === "admin_agent" ? 404 : 403;
      const page = await b.html(`/partner/bulk/${op!.id}`);
      expect(page.status).toBe(expected);
      expectNoTraceOf(page.text, D);
      expect((await b.html("/partner/bulk/not-a-uuid")).status).toBe(expected);
    }
    for (const [, b] of customerBrowsers()) expect((await b.html(`/partner/bulk/${op!.id}`)).location).toBe("/customer");
  },
  "routes/_app.partner.staff.groups": async () => {
    const [bGroup] = await withSystem(async (tx) => rowsOf<{ id: string }>(await tx.execute(sql`insert into staff_groups (partner_org_id, name) values (${B.orgId}, ${`B group ${Date.now()}`}) returning id`)));
    for (const [role, b] of partnerBrowsers()) {
      const page = await b.html("/partner/staff/groups");
      expect(page.status).toBe(role === "global_admin" ? 200 : 403);
      if (role === "global_admin") expect(page.text).not.toContain(bGroup!.id);
      for (const form of [
        { intent: "delete", groupId: bGroup!.id } as Record<string, string>,
        { intent: "add", groupId: bGroup!.id, userId: A.users.sales_agent!.id },
        { intent: "add", groupId: bGroup!.id, userId: B.users.sales_agent!.id },
      ]) {
        expect((await b.fetch("/partner/staff/groups", { form })).status).toBe(role === "global_admin" ? 404 : 403);
      }
    }
    const [n] = await withSystem(async (tx) => rowsOf<{ n: number }>(await tx.execute(sql`select (select count(*) from staff_groups where id = ${bGroup!.id})::int + (select count(*) from staff_group_members where group_id = ${bGroup!.id})::int as n`)));
    expect(n!.n).toBe(1);
  },
  "routes/_app.partner.customers_.$customerId.apps": async () => {
    const bApp = await bLobApp();
    const submit = { intent: "submit", name: "A sneaky app", version: "1", description: "x", downloadUrl: "https://a.example/x" };
    for (const [role, b] of partnerBrowsers()) {
      const submits = role === "global_admin" || role === "admin_agent";
      // D is B's customer: not found for A. C is A's customer, whose LOB partner A is not: not available.
      const page = await b.html(`/partner/customers/${D.orgId}/apps`);
      expect(page.status, role).toBe(404);
      expect(page.text).not.toContain("B secret LOB app");
      const own = await b.html(`/partner/customers/${C.orgId}/apps`);
      expect(own.status, role).toBe(200);
      expect(own.text).toContain("Line-of-business apps are not available");
      expect(own.text).not.toContain("B secret LOB app");
      expect((await b.fetch(`/partner/customers/${D.orgId}/apps`, { form: submit })).status, role).toBe(submits ? 404 : 403);
      expect((await b.fetch(`/partner/customers/${C.orgId}/apps`, { form: submit })).status, role).toBe(403);
      expect((await b.fetch(`/partner/customers/${D.orgId}/apps`, { form: { intent: "withdraw", appId: bApp } })).status, role).toBe(submits ? 404 : 403);
      expect((await b.fetch(`/partner/customers/${C.orgId}/apps`, { form: { intent: "withdraw", appId: bApp } })).status, role).toBe(403);
    }
    const [n] = await withSystem(async (tx) => rowsOf<{ a: number; status: string }>(await tx.execute(sql`select (select count(*)::int from lob_apps where partner_org_id = ${A.orgId}) as a, status from lob_apps where id = ${bApp}`)));
    expect(n).toEqual({ a: 0, status: "submitted" });
    for (const [, b] of customerBrowsers()) expect((await b.html(`/partner/customers/${C.orgId}/apps`)).location).toBe("/customer");
  },
  "routes/_app.customer.apps": async () => {
    const bApp = await bLobApp();
    for (const [role, b] of customerBrowsers()) {
      for (const path of ["/customer/apps", `/customer/apps?partner=${B.orgId}`, "/customer/apps?status=submitted"]) {
        const page = await b.html(path);
        expect(page.status, `${role} ${path}`).toBe(role === "user" ? 403 : 200);
        expect(page.text).not.toContain("B secret LOB app");
        expectNoTraceOf(page.text, B);
      }
      for (const intent of ["approve", "withdraw"]) {
        expect((await b.fetch("/customer/apps", { form: { intent, appId: bApp, seen: "submitted" } })).status, `${role} ${intent}`).toBe(role === "global_admin" ? 404 : 403);
      }
    }
    const [d] = await withSystem(async (tx) => rowsOf<{ status: string }>(await tx.execute(sql`select status from lob_apps where id = ${bApp}`)));
    expect(d).toEqual({ status: "submitted" });
    for (const [, b] of partnerBrowsers()) expect((await b.html("/customer/apps")).location).toBe("/partner");
  },
  "routes/_app.customer.activity": async () => {
    await withSystem((tx) =>
      tx.execute(sql`insert into audit_log (actor_org_id, actor_name, subject_org_id, action, details) values (${B.orgId}, 'B secret actor', ${D.orgId}, 'tenant_user.password_reset', '{"email": "d-secret@d.test"}')`),
    );
    for (const [role, b] of customerBrowsers()) {
      const page = await b.html("/customer/activity");
      expect(page.status).toBe(role === "user" ? 403 : 200);
      expect(page.text).not.toContain("B secret actor");
      expect(page.text).not.toContain("d-secret@d.test");
      expectNoTraceOf(page.text, B);
    }
    for (const [, b] of partnerBrowsers()) expect((await b.html("/customer/activity")).location).toBe("/partner");
  },
  "routes/_app.customer.users": async () => {
    const victim = D.users.user!;
    for (const [role, b] of customerBrowsers()) {
      const page = await b.html("/customer/users");
      if (role === "global_admin") {
        expect(page.status).toBe(200);
        expect(page.text).toContain(C.users.user!.email);
        expectNoTraceOf(page.text, D);
        expect((await b.fetch("/customer/users", { form: { intent: "reset", userId: victim.id } })).status).toBe(404);
        // Issue 30: roles, deactivation and removal of another customer's user; another partner's id.
        for (const form of [{ intent: "role", role: "global_admin" }, { intent: "deactivate" }, { intent: "reactivate" }, { intent: "remove" }] as Record<string, string>[]) {
          expect((await b.fetch("/customer/users", { form: { ...form, userId: victim.id } })).status, form.intent).toBe(404);
        }
        const invite = { intent: "invite-partner-person", displayName: "Someone", email: `someone-${D.orgId.slice(0, 8)}@b.test`, partnerId: B.orgId };
        expect((await b.fetch("/customer/users", { form: invite })).status).toBe(404);
      } else {
        expect(page.status).toBe(403);
        expect((await b.fetch("/customer/users", { form: { intent: "reset", userId: victim.id } })).status).toBe(403);
        for (const intent of ["role", "deactivate", "reactivate", "remove", "invite-partner-person"]) {
          expect((await b.fetch("/customer/users", { form: { intent, userId: C.users.global_admin!.id, role: "user" } })).status, `${role} ${intent}`).toBe(403);
        }
      }
    }
    const [m] = await withSystem(async (tx) => rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from memberships where user_id = ${victim.id} and org_id = ${D.orgId} and status = 'active' and roles = '{user}'`)));
    expect(m!.n).toBe(1);
    const [d] = await withSystem(async (tx) => rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from users where id = ${victim.id} and password_must_change`)));
    expect(d!.n).toBe(0);
    for (const [, b] of partnerBrowsers()) expect((await b.html("/customer/users")).location).toBe("/partner");
  },
  "routes/_app.customer.service-requests._index": async () => {
    const [secret] = await withSystem(async (tx) =>
      rowsOf<{ id: string }>(await tx.execute(sql`insert into service_requests (customer_org_id, title, description, opened_by_org_id, opened_by_name) values (${D.orgId}, 'D secret request', 'd', ${B.orgId}, 'B agent') returning id`)),
    );
    for (const [role, b] of customerBrowsers()) {
      const page = await b.html("/customer/service-requests");
      expect(page.status, role).toBe(role === "user" ? 403 : 200);
      expect(page.text).not.toContain("D secret request");
      expect(page.text).not.toContain(secret!.id);
      expectNoTraceOf(page.text, B);
    }
    for (const [, b] of partnerBrowsers()) expect((await b.html("/customer/service-requests")).location).toBe("/partner");
  },
  "routes/_app.customer.service-requests.$id": async () => {
    const [theirs, ours] = await withSystem(async (tx) => [
      rowsOf<{ id: string }>(await tx.execute(sql`insert into service_requests (customer_org_id, title, description, opened_by_org_id) values (${D.orgId}, 'D secret request', 'd', ${B.orgId}) returning id`))[0]!,
      rowsOf<{ id: string }>(await tx.execute(sql`insert into service_requests (customer_org_id, title, description, opened_by_org_id) values (${C.orgId}, 'C request', 'c', ${A.orgId}) returning id`))[0]!,
    ]);
    for (const [role, b] of customerBrowsers()) {
      expect((await b.html(`/customer/service-requests/${theirs.id}`)).status, role).toBe(role === "user" ? 403 : 404);
      expect((await b.fetch(`/customer/service-requests/${theirs.id}`, { form: { intent: "comment", body: "hi" } })).status, role).toBe(role === "user" ? 403 : 404);
      expect((await b.html(`/customer/service-requests/${ours.id}`)).status, role).toBe(role === "user" ? 403 : 200);
      expect((await b.html("/customer/service-requests/not-a-uuid")).status, role).toBe(role === "user" ? 403 : 404);
    }
    const [n] = await withSystem(async (tx) => rowsOf<{ n: number }>(await tx.execute(sql`select count(*)::int as n from service_request_comments where request_id = ${theirs.id}`)));
    expect(n!.n).toBe(0);
    for (const [, b] of partnerBrowsers()) expect((await b.html(`/customer/service-requests/${ours.id}`)).location).toBe("/partner");
  },
  "routes/_app.ping": async () => {
    expect((await as["A:sales_agent"]!.html("/ping")).status).toBe(200);
    expect((await new Browser().html("/ping")).status).toBe(302);
  },
  "routes/dev.outbox": async () => {
    // Development only: it shows every tenant's mail, so it answers 404 anywhere else.
    expect((await as["A:global_admin"]!.html("/dev/outbox")).status).toBe(404);
  },
  "routes/_app.partner.customers_.$customerId.mpsa-purchases": async () => {
    // E is an MPSA partner of both C and D; A is C's other MPSA partner, B is D's; both customers share.
    // (Declared last: the MPSA relationships it adds change no earlier case.)
    const E = await createPartner();
    await withSystem(async (tx) => {
      await tx.execute(sql`update organisations set is_authorised_advisor = true where id = ${E.orgId}`);
      await tx.execute(sql`update organisations set mpsa_share_purchases = true where id in (${C.orgId}, ${D.orgId})`);
      await tx.execute(sql`insert into relationships (partner_org_id, customer_org_id, type, status, started_at) values
        (${A.orgId}, ${C.orgId}, 'mpsa', 'active', now()), (${E.orgId}, ${C.orgId}, 'mpsa', 'active', now()),
        (${B.orgId}, ${D.orgId}, 'mpsa', 'active', now()), (${E.orgId}, ${D.orgId}, 'mpsa', 'active', now())`);
      // C bought Business Premium through E; D bought Visio Plan 2 through B (beforeAll) and through E.
      await tx.execute(sql`insert into subscriptions (customer_org_id, product_id, licences, status, advisor_partner_org_id) values
        (${C.orgId}, 'business-premium', 7, 'active', ${E.orgId}), (${D.orgId}, 'visio-plan-2', 9, 'active', ${E.orgId})`);
    });
    for (const [role, b] of partnerBrowsers()) {
      const allowed = role !== "helpdesk_agent";
      const expected = allowed ? 404 : 403;
      for (const id of [D.orgId, B.orgId, E.orgId, "not-a-uuid"]) {
        const page = await b.html(`/partner/customers/${id}/mpsa-purchases`);
        expect(page.status, `${role} ${id}`).toBe(expected);
        expectNoTraceOf(page.text, D);
        expect(page.text).not.toContain(E.name);
      }
      const own = await b.html(`/partner/customers/${C.orgId}/mpsa-purchases`);
      expect(own.status, role).toBe(allowed ? 200 : 403);
      if (allowed) {
        expect(own.text).toContain(E.name);
        // Neither A's own Visio purchase for C nor D's Visio purchases through B or E.
        expect(own.text).not.toContain("Visio Plan 2");
        expect(own.text).not.toContain(dSubscriptionId);
        expectNoTraceOf(own.text, B);
        expectNoTraceOf(own.text, D);
      }
    }
    for (const [, b] of customerBrowsers()) expect((await b.html(`/partner/customers/${C.orgId}/mpsa-purchases`)).location).toBe("/customer");
  },
  "routes/_app.customer.partners_.$partnerId": async () => {
    const rolesOfB = () => withSystem(async (tx) => rowsOf<{ id: string; status: string }>(await tx.execute(sql`select id, status from admin_relationships where partner_org_id = ${B.orgId} order by id`)));
    const before = await rolesOfB();
    for (const [role, b] of customerBrowsers()) {
      const views = role !== "user";
      // B is D's partner, not C's; D is a customer; neither opens.
      for (const id of [B.orgId, D.orgId, "not-a-uuid"]) {
        const page = await b.html(`/customer/partners/${id}`);
        expect(page.status, `${role} ${id}`).toBe(views ? 404 : 403);
        expectNoTraceOf(page.text, B);
        expectNoTraceOf(page.text, D);
      }
      const own = await b.html(`/customer/partners/${A.orgId}`);
      expect(own.status, role).toBe(views ? 200 : 403);
      if (views) {
        expect(own.text).toContain(A.name);
        expectNoTraceOf(own.text, B);
        expectNoTraceOf(own.text, D);
      }
      expect((await b.fetch(`/customer/partners/${B.orgId}`, { form: { intent: "remove-roles" } })).status, role).toBe(role === "global_admin" ? 404 : 403);
    }
    expect(await rolesOfB()).toEqual(before);
    for (const [, b] of partnerBrowsers()) expect((await b.html(`/customer/partners/${A.orgId}`)).location).toBe("/partner");
  },
  "routes/partner.relationships.export[.csv]": async () => {
    for (const [role, b] of partnerBrowsers()) {
      const allowed = role === "global_admin" || role === "admin_agent";
      for (const path of ["/partner/relationships/export.csv", `/partner/relationships/export.csv?q=${encodeURIComponent(dName)}`, "/partner/relationships/export.csv?status=pending"]) {
        const res = await b.fetch(path);
        expect(res.status, `${role} ${path}`).toBe(allowed ? 200 : 403);
        const text = await res.text();
        for (const secret of [bGdap.id, bGdap.code, dRequestId, dAdvisorRequestId]) expect(text, path).not.toContain(secret);
        expectNoTraceOf(text, B);
        expectNoTraceOf(text, D);
        expect(text).not.toContain(D.orgId);
      }
      if (allowed) expect(await (await b.fetch("/partner/relationships/export.csv")).text()).toContain(aGdapId);
    }
    for (const [, b] of customerBrowsers()) expect((await b.fetch("/partner/relationships/export.csv")).status).toBe(302);
  },
  "routes/partner.audit.export[.csv]": async () => {
    for (const [role, b] of partnerBrowsers()) {
      const allowed = role === "global_admin";
      for (const path of ["/partner/audit/export.csv", `/partner/audit/export.csv?user=${B.users.global_admin!.id}`, `/partner/audit/export.csv?q=${encodeURIComponent("Secret Renamed")}`]) {
        const res = await b.fetch(path);
        expect(res.status, `${role} ${path}`).toBe(allowed ? 200 : 403);
        const text = await res.text();
        expect(text, path).not.toContain("Secret Renamed");
        expect(text, path).not.toContain("B secret actor");
        expectNoTraceOf(text, B);
        expectNoTraceOf(text, D);
        expect(text).not.toContain(D.orgId);
      }
      // A's own entries are there (the exports above were audited).
      if (allowed) expect(await (await b.fetch("/partner/audit/export.csv")).text()).toContain("audit.exported");
    }
    for (const [, b] of customerBrowsers()) expect((await b.fetch("/partner/audit/export.csv")).status).toBe(302);
  },
};

describe("HTTP tenant isolation", () => {
  it("every route with a loader or action has an isolation case", async () => {
    const build = await loadBuild();
    const withData = Object.values(build.routes)
      .filter((r) => r.module.loader || r.module.action)
      .map((r) => r.id);
    const missing = withData.filter((id) => !CASES[id]);
    expect(missing, "routes without an isolation case").toEqual([]);
  });

  for (const [id, run] of Object.entries(CASES)) {
    it(`${id}: other tenants' ids and every role`, run);
  }
});
