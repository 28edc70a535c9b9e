/**
 * Issue 31, second factors over HTTP (ADR 0042): setting up an authenticator app, the sign-in's
 * second step, codes used once, limits on wrong codes, recovery codes, removing the last factor,
 * the partner requirement on every page of the route manifest, a customer's own requirement,
 * step-up, sessions (list, end, rotation) and the new-browser notice.
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { totpCode } from "../../app/modules/auth/mfa.server";
import { withSystem } from "../../app/utils/db.server";
import { createCustomer, createPartner, PASSWORD, relate, TOTP_SECRET } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { Browser, loadBuild } from "../support/http";
import { lastMailTo, NEW_SIGN_IN_SUBJECT } from "../support/mail";

installTestDatabase();

const one = async <T>(query: ReturnType<typeof sql>) => rowsOf<T>(await withSystem((tx) => tx.execute(query)))[0]!;
const mailsTo = async (email: string, subject: string) =>
  (await one<{ n: number }>(sql`select count(*)::int as n from mail_outbox where ${email} = any("to") and subject = ${subject}`)).n;
const audited = async (userId: string, action: string) =>
  (await one<{ n: number }>(sql`select count(*)::int as n from audit_log where object_id = ${userId} and action = ${action}`)).n;
const sessionsOf = async (userId: string) => (await one<{ n: number }>(sql`select count(*)::int as n from sessions where user_id = ${userId}`)).n;
const code = (secret: string, offsetSteps = 0) => totpCode(secret, Date.now() + offsetSteps * 30_000);

describe("an authenticator app", () => {
  it("is set up with a QR code and a key, confirmed by a first code, and then asked for at every sign-in", async () => {
    const c = await createCustomer(["global_admin"]);
    const { email, id } = c.users.global_admin!;
    const older = new Browser();
    await older.signIn(email);
    const b = new Browser();
    await b.signIn(email);
    const before = await b.html("/account/security");
    expect(before.text).toContain("Set up authenticator app");
    // The first factor needs the current password: a stolen session alone cannot choose it.
    expect((await b.fetch("/account/security", { form: { intent: "totp-start" } })).status).toBe(400);
    const wrongPassword = await b.fetch("/account/security", { form: { intent: "totp-start", password: "not-the-password" } });
    expect(wrongPassword.status).toBe(400);
    expect(await wrongPassword.text()).toContain("The current password is not correct.");
    expect((await one<{ n: number }>(sql`select count(*)::int as n from user_factors where user_id = ${id}`)).n).toBe(0);
    expect((await b.fetch("/account/security", { form: { intent: "totp-start", password: PASSWORD } })).status).toBe(302);
    const page = await b.html("/account/security");
    expect(page.text).toContain('alt="QR code to add Partnerdesk to an authenticator app"');
    expect(page.text).toContain("data:image/svg+xml;base64,");
    const secret = page.text.match(/<code class="manual-key">([A-Z2-7 ]+)<\/code>/)![1]!.replace(/ /g, "");
    expect(secret).toHaveLength(32);
    // A wrong first code sets up nothing.
    const wrong = await b.fetch("/account/security", { form: { intent: "totp-confirm", code: "000000" === code(secret) ? "111111" : "000000" } });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain("That code is not right");
    const ok = await b.fetch("/account/security", { form: { intent: "totp-confirm", code: code(secret) } });
    expect(ok.status).toBe(200);
    const codes = [...(await ok.text()).matchAll(/<code>([a-z2-9]{5}-[a-z2-9]{5})<\/code>/g)].map((m) => m[1]!);
    expect(new Set(codes).size).toBe(10);
    expect(await audited(id, "auth.mfa_totp_added")).toBe(1);
    expect(await mailsTo(email, "An authenticator app was added to your Partnerdesk account")).toBe(1);
    // Stored hashed: no code appears in the database.
    const stored = rowsOf<{ code_hash: string }>(await withSystem((tx) => tx.execute(sql`select code_hash from recovery_codes where user_id = ${id}`)));
    expect(stored).toHaveLength(10);
    for (const c of codes) expect(stored.map((s) => s.code_hash)).not.toContain(c);

    // A session signed in before the app was set up confirms it before anything else.
    expect((await older.html("/customer/users")).location).toBe(`/account/verify?redirectTo=${encodeURIComponent("/customer/users")}`);
    expect((await older.fetch("/customer/users", { form: { intent: "create" } })).status).toBe(403);
    expect((await older.fetch("/account/verify", { form: { intent: "code", code: code(secret, 1), redirectTo: "/customer/users" } })).headers.get("Location")).toBe("/customer/users");
    expect((await older.html("/customer/users")).status).toBe(200);

    const next = new Browser();
    const res = await next.fetch("/signin", { form: { email, password: PASSWORD } });
    expect(res.headers.get("Location")).toBe("/signin/verify");
    // The password alone does not make this a browser the account signed in from.
    expect(next.cookies.has("__pd_device")).toBe(false);
    // Nothing is reachable between the password and the code.
    expect((await next.html("/customer")).location).toMatch(/^\/signin/);
    expect((await next.html("/signin/verify")).text).toContain(email);
    // (A code is taken once per 30-second step: the test forgets the steps used above.)
    await withSystem((tx) => tx.execute(sql`update user_factors set totp_last_step = null where user_id = ${id}`));
    const done = await next.fetch("/signin/verify", { form: { intent: "code", code: code(secret) } });
    expect(done.headers.get("Location")).toBe("/customer");
    expect(next.cookies.has("__pd_device")).toBe(true);
    expect((await next.html("/customer")).status).toBe(200);
  });

  it("takes a code once: the same code again, or an older one, is refused", async () => {
    const p = await createPartner(["global_admin"]);
    const { email } = p.users.global_admin!;
    const b = new Browser();
    await b.signIn(email);
    await withSystem((tx) => tx.execute(sql`update user_factors set totp_last_step = null where user_id = ${p.users.global_admin!.id}`));
    const now = code(TOTP_SECRET);
    expect((await b.fetch("/account/verify", { form: { intent: "code", code: now } })).status).toBe(302);
    const again = await b.fetch("/account/verify", { form: { intent: "code", code: now } });
    expect(again.status).toBe(400);
    expect((await b.fetch("/account/verify", { form: { intent: "code", code: code(TOTP_SECRET, -1) } })).status).toBe(400);
    // The same new code from two sessions at once: one passes.
    const other = new Browser();
    await other.signIn(email);
    const fresh = code(TOTP_SECRET, 1);
    const both = await Promise.all([b, other].map((x) => x.fetch("/account/verify", { form: { intent: "code", code: fresh, redirectTo: "/partner/staff" } })));
    expect(both.map((r) => `${r.status} ${r.headers.get("Location") ?? ""}`).sort()).toEqual(["302 /partner/staff", "400 "]);
  });

  it("limits wrong codes per person (429 with Retry-After, even for the right code), and a sign-in ends after five", async () => {
    const p = await createPartner(["global_admin", "sales_agent"]);
    const b = new Browser();
    await b.signIn(p.users.global_admin!.email);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await b.fetch("/account/verify", { form: { intent: "code", code: "12345a" } })).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(400));
    const limited = await b.fetch("/account/verify", { form: { intent: "code", code: code(TOTP_SECRET) } });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);

    const s = new Browser();
    await s.fetch("/signin", { form: { email: p.users.sales_agent!.email, password: PASSWORD } });
    for (let i = 0; i < 4; i++) expect((await s.fetch("/signin/verify", { form: { intent: "code", code: "999999" === code(TOTP_SECRET) ? "888888" : "999999" } })).status).toBe(400);
    const fifth = await s.fetch("/signin/verify", { form: { intent: "code", code: "nope-nope" } });
    expect(fifth.headers.get("Location")).toBe("/signin");
    expect((await s.html("/signin/verify")).location).toBe("/signin");
    // Someone knows the password: the person is told, once per window.
    expect(await mailsTo(p.users.sales_agent!.email, "Your Partnerdesk password was used, but not your second factor")).toBe(1);
  });

  it("recovery codes sign in once each, are mailed about, and new ones stop the old ones", async () => {
    const c = await createCustomer(["global_admin"]);
    const { email, id } = c.users.global_admin!;
    const b = new Browser();
    await b.signIn(email);
    const { recoveryCodes } = await b.enrolTotp();
    const use = async (recovery: string) => {
      const x = new Browser();
      await x.fetch("/signin", { form: { email, password: PASSWORD } });
      return x.fetch("/signin/verify", { form: { intent: "code", code: recovery.toUpperCase().replace("-", " - ") } });
    };
    expect((await use(recoveryCodes[0]!)).headers.get("Location")).toBe("/customer");
    expect((await use(recoveryCodes[0]!)).status).toBe(400);
    expect((await one<{ n: number }>(sql`select count(*)::int as n from mail_outbox where ${email} = any("to") and text_body like '%9 recovery codes left%'`)).n).toBe(1);
    expect(await audited(id, "auth.mfa_recovery_code_used")).toBe(1);
    const regenerated = await b.fetch("/account/security", { form: { intent: "recovery-regenerate" } });
    expect(regenerated.status).toBe(200);
    const fresh = [...(await regenerated.text()).matchAll(/<code>([a-z2-9]{5}-[a-z2-9]{5})<\/code>/g)].map((m) => m[1]!);
    expect(fresh).toHaveLength(10);
    expect((await use(recoveryCodes[1]!)).status).toBe(400);
    expect((await use(fresh[0]!)).status).toBe(302);
  });

  it("the last factor goes only with a current code from it (and takes the recovery codes); partner staff then set up a new one first", async () => {
    const c = await createCustomer(["global_admin"]);
    const { email, id } = c.users.global_admin!;
    const b = new Browser();
    await b.signIn(email);
    const { secret } = await b.enrolTotp();
    expect((await b.fetch("/account/security", { form: { intent: "totp-remove" } })).status).toBe(400);
    expect((await b.fetch("/account/security", { form: { intent: "totp-remove", code: "12345a" } })).status).toBe(400);
    expect((await b.fetch("/account/security", { form: { intent: "totp-remove", code: code(secret, 1) } })).status).toBe(302);
    expect(await audited(id, "auth.mfa_totp_removed")).toBe(1);
    expect((await one<{ n: number }>(sql`select count(*)::int as n from recovery_codes where user_id = ${id}`)).n).toBe(0);
    expect(await lastMailTo(email)).toContain("The authenticator app was removed");
    const after = new Browser();
    expect((await after.fetch("/signin", { form: { email, password: PASSWORD } })).headers.get("Location")).toBe("/customer");

    const p = await createPartner(["sales_agent"]);
    const s = new Browser();
    await s.signIn(p.users.sales_agent!.email);
    expect((await s.fetch("/account/security", { form: { intent: "totp-remove", code: code(TOTP_SECRET, 1) } })).status).toBe(302);
    expect((await one<{ n: number }>(sql`select count(*)::int as n from user_factors where user_id = ${p.users.sales_agent!.id}`)).n).toBe(0);
    expect((await s.html("/partner")).location).toBe("/account/security?required=1");
  });
});

describe("a sign-in with a passkey alone", () => {
  it("refuses answers that are not passkey answers (400, also with a NUL), and starts only so often from one network (429)", async () => {
    const b = new Browser(`192.0.2.${Math.floor(Math.random() * 250)}`);
    expect((await b.fetch("/webauthn", { form: { intent: "passwordless-options" } })).status).toBe(200);
    for (const response of ['{"id":"a\u0000","rawId":"a\u0000","type":"public-key","response":{}}', "not json", '{"id":"x"}', "[]"]) {
      expect((await b.fetch("/webauthn", { form: { intent: "passwordless-options" } })).status).toBe(200);
      const answer = await b.fetch("/webauthn", { form: { intent: "passwordless", response } });
      expect(answer.status).toBe(400);
      expect((await answer.json()) as { ok: boolean }).toMatchObject({ ok: false });
    }
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) statuses.push((await b.fetch("/webauthn", { form: { intent: "passwordless-options" } })).status);
    const limited = statuses.indexOf(429);
    expect(limited).toBeGreaterThan(150);
    const refused = await b.fetch("/webauthn", { form: { intent: "passwordless-options" } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
  });
});

/** Every page and action of the signed-in app, from the route manifest, as a URL with real ids. */
async function appRoutes(params: Record<string, string>) {
  const build = await loadBuild();
  const routes = Object.values(build.routes);
  const fullPath = (id: string): string => {
    const r = build.routes[id]!;
    const own = r.path ?? "";
    const parent = r.parentId ? fullPath(r.parentId) : "";
    return [parent, own].filter(Boolean).join("/").replace(/\/+/g, "/");
  };
  const open = new Set(["routes/_app.account_.security", "routes/_app.account_.sessions", "routes/_app.account_.verify"]);
  return routes
    // (The pathless layout "routes/_app" is every page below: its own URL would be the home page's.)
    .filter((r) => (r.module.loader || r.module.action) && (r.id.startsWith("routes/_app.") || /^routes\/partner\.\w+\.export/.test(r.id)) && !open.has(r.id))
    .map((r) => ({
      id: r.id,
      action: Boolean(r.module.action),
      url: `/${fullPath(r.id)}`.replace(/:(\w+)\??/g, (_m, name: string) => params[name] ?? "00000000-0000-4000-8000-000000000000").replace(/\/+/g, "/"),
    }));
}

describe("partner staff without a second factor", () => {
  it("reach no page and no action of the app (every route of the manifest), only setting one up", async () => {
    const p = await createPartner(["admin_agent"], { secondFactor: false });
    const customer = await createCustomer(["global_admin", "user"]);
    await relate(p, customer);
    await withSystem(async (tx) => {
      await tx.execute(sql`update organisations set is_dap_certified = true where id = ${p.orgId}`);
      await tx.execute(sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${p.orgId}, ${customer.orgId}, 'dap', 'active')`);
    });
    const b = new Browser();
    const res = await b.fetch("/signin", { form: { email: p.users.admin_agent!.email, password: PASSWORD } });
    expect(res.headers.get("Location")).toBe("/partner");
    const routes = await appRoutes({ customerId: customer.orgId, partnerId: p.orgId });
    expect(routes.length).toBeGreaterThan(40);
    expect(routes.some((r) => r.id === "routes/_app.partner.customers_.$customerId.users")).toBe(true);
    const reached: string[] = [];
    for (const r of routes) {
      const page = await b.html(r.url);
      if (page.location !== "/account/security?required=1") reached.push(`GET ${r.url} → ${page.status} ${page.location}`);
      if (r.action) {
        const post = await b.fetch(r.url, { form: { intent: "reset", userId: customer.users.user!.id } });
        if (post.status !== 403) reached.push(`POST ${r.url} → ${post.status}`);
      }
    }
    expect(reached).toEqual([]);
    expect((await b.html("/account/security")).text).toContain("requires a second factor for every sign-in");
    // Once set up, the session has completed it and the pages open.
    await b.enrolTotp();
    expect((await b.html(`/partner/customers/${customer.orgId}/users`)).status).toBe(200);
  });
});

describe("a customer's own requirement", () => {
  it("is its global admin's to turn on (after confirming it's them); then members without a factor set one up first", async () => {
    const c = await createCustomer(["global_admin", "billing_admin", "user"]);
    const admin = new Browser();
    await admin.signIn(c.users.global_admin!.email);
    // Without a second factor of their own, the admin is sent to set one up first.
    const first = await admin.fetch("/organisation/sign-in", { form: { intent: "require-mfa", enabled: "on" } });
    expect(first.headers.get("Location")).toMatch(/^\/account\/security\?stepUp=sign-in-settings/);
    await admin.enrolTotp();
    const billing = new Browser();
    await billing.signIn(c.users.billing_admin!.email);
    expect((await billing.fetch("/organisation/sign-in", { form: { intent: "require-mfa", enabled: "on" } })).status).toBe(403);
    expect((await admin.fetch("/organisation/sign-in", { form: { intent: "require-mfa", enabled: "on" } })).status).toBe(302);
    expect(await audited(c.orgId, "organisation.mfa_required")).toBe(1);
    const page = await admin.html("/organisation/sign-in");
    expect(page.text).toContain("2 of 3 have not set one up yet.");
    // The billing admin's session has no second factor: set one up before anything else.
    expect((await billing.html("/customer")).location).toBe("/account/security?required=1");
    expect((await billing.fetch("/customer/subscriptions", { form: { intent: "x" } })).status).toBe(403);
    const u = new Browser();
    await u.signIn(c.users.user!.email);
    expect((await u.html("/customer")).location).toBe("/account/security?required=1");
  });

  it("cannot be changed by a partner acting in the customer, nor by the app role for another organisation", async () => {
    const c = await createCustomer(["global_admin"]);
    const other = await createCustomer(["global_admin"]);
    await expect(
      withSystem(async (tx) => {
        await tx.execute(sql`select set_config('app.org_id', ${c.orgId}, true), set_config('app.user_id', ${c.users.global_admin!.id}, true)`);
        await tx.execute(sql`set local role partnerdesk_app`);
        await tx.execute(sql`update organisations set require_mfa = true where id = ${other.orgId}`);
        const [row] = rowsOf<{ r: boolean }>(await tx.execute(sql`select require_mfa as r from organisations where id = ${other.orgId}`));
        if (row) throw new Error("another organisation was visible");
        await tx.execute(sql`select set_config('app.acting_partner_id', ${c.orgId}, true)`);
        await tx.execute(sql`update organisations set require_mfa = true where id = ${c.orgId}`);
      }),
    ).rejects.toThrow();
    expect((await one<{ r: boolean }>(sql`select require_mfa as r from organisations where id = ${other.orgId}`)).r).toBe(false);
    expect((await one<{ r: boolean }>(sql`select require_mfa as r from organisations where id = ${c.orgId}`)).r).toBe(false);
  });
});

describe("step-up", () => {
  it("sends a sensitive action to confirm it's you when the last second factor is older than 10 minutes, then gives a new session id", async () => {
    const p = await createPartner(["global_admin", "sales_agent"]);
    const b = new Browser();
    await b.signIn(p.users.global_admin!.email);
    await withSystem((tx) => tx.execute(sql`update sessions set mfa_at = now() - interval '11 minutes' where user_id = ${p.users.global_admin!.id}`));
    const path = `/partner/staff/${p.users.sales_agent!.id}`;
    const asked = await b.fetch(path, { form: { intent: "roles", roles: ["sales_agent", "billing_admin"] } });
    expect(asked.headers.get("Location")).toBe(`/account/verify?stepUp=staff-access&redirectTo=${encodeURIComponent(path)}`);
    expect((await one<{ roles: string[] }>(sql`select roles from memberships where user_id = ${p.users.sales_agent!.id}`)).roles).toEqual(["sales_agent"]);
    const verifyPage = await b.html(asked.headers.get("Location")!);
    expect(verifyPage.text).toContain("To change someone&#x27;s roles or groups, confirm with your second factor");
    const oldCookie = b.cookies.get("__pd_session");
    await withSystem((tx) => tx.execute(sql`update user_factors set totp_last_step = null where user_id = ${p.users.global_admin!.id}`));
    const confirmed = await b.fetch("/account/verify", { form: { intent: "code", code: code(TOTP_SECRET), redirectTo: path } });
    expect(confirmed.headers.get("Location")).toBe(path);
    expect(b.cookies.get("__pd_session")).not.toBe(oldCookie);
    const stale = new Browser();
    stale.cookies.set("__pd_session", oldCookie!);
    expect((await stale.html("/partner")).location).toMatch(/^\/signin/);
    expect((await b.fetch(path, { form: { intent: "roles", roles: ["sales_agent", "billing_admin"] } })).status).toBe(302);
    expect((await one<{ roles: string[] }>(sql`select roles from memberships where user_id = ${p.users.sales_agent!.id}`)).roles.sort()).toEqual(["billing_admin", "sales_agent"]);
  });

  it("names only reasons it knows: a crafted reason puts no words on the page", async () => {
    const p = await createPartner(["global_admin"]);
    const b = new Browser();
    await b.signIn(p.users.global_admin!.email);
    const page = await b.html("/account/verify?stepUp=wire%20money%20to%20evil");
    expect(page.status).toBe(200);
    expect(page.text).not.toContain("wire money");
    for (const inherited of ["constructor", "__proto__", "toString"]) {
      const crafted = await b.html(`/account/verify?stepUp=${inherited}`);
      expect(crafted.status).toBe(200);
      expect(crafted.text).not.toMatch(/native code|\[object Object\]/);
    }
  });
});

describe("sessions", () => {
  it("a person sees their sessions and ends one or all others; an admin ends a staff member's; ids rotate on switching organisation", async () => {
    const p = await createPartner(["global_admin", "helpdesk_agent"]);
    const { email, id } = p.users.helpdesk_agent!;
    const laptop = new Browser();
    await laptop.signIn(email);
    const phone = new Browser();
    await phone.signIn(email);
    const tablet = new Browser();
    await tablet.signIn(email);
    expect(await sessionsOf(id)).toBe(3);
    const page = await laptop.html("/account/sessions");
    expect(page.text).toContain("This browser");
    expect(page.text).toContain(laptop.ip);
    const hashes = [...page.text.matchAll(/name="session" value="([\w-]{43})"/g)].map((m) => m[1]!);
    expect(hashes).toHaveLength(3);
    // End one (not this one): that browser is signed out.
    const phoneHash = (await one<{ h: string }>(sql`select id_hash as h from sessions where user_id = ${id} and ip = ${phone.ip}`)).h;
    expect((await laptop.fetch("/account/sessions", { form: { intent: "end", session: phoneHash } })).status).toBe(302);
    expect((await phone.html("/partner")).location).toMatch(/^\/signin/);
    expect((await laptop.fetch("/account/sessions", { form: { intent: "end-others" } })).status).toBe(302);
    expect((await tablet.html("/partner")).location).toMatch(/^\/signin/);
    expect((await laptop.html("/partner")).status).toBe(200);

    // The global admin ends the helpdesk agent's sessions in this organisation.
    const admin = new Browser();
    await admin.signIn(p.users.global_admin!.email);
    expect((await admin.fetch(`/partner/staff/${id}`, { form: { intent: "end-sessions" } })).status).toBe(302);
    expect((await laptop.html("/partner")).location).toMatch(/^\/signin/);
    expect(await audited(id, "membership.sessions_ended")).toBe(1);
    // Another organisation's admin cannot end them.
    const other = await createPartner(["global_admin"]);
    const again = new Browser();
    await again.signIn(email);
    const outsider = new Browser();
    await outsider.signIn(other.users.global_admin!.email);
    expect((await outsider.fetch(`/partner/staff/${id}`, { form: { intent: "end-sessions" } })).status).toBe(404);
    expect((await again.html("/partner")).status).toBe(200);

    // A session then in another organisation of the person cannot switch back in after its sessions there were ended.
    const elsewhere = await createCustomer(["global_admin"]);
    await withSystem((tx) => tx.execute(sql`insert into memberships (org_id, user_id, roles, status, activated_at) values (${elsewhere.orgId}, ${id}, '{user}', 'active', now())`));
    expect((await again.fetch("/switch-organisation", { form: { orgId: elsewhere.orgId } })).status).toBe(302);
    expect((await admin.fetch(`/partner/staff/${id}`, { form: { intent: "end-sessions" } })).status).toBe(302);
    expect((await again.html("/customer")).status).toBe(200);
    expect((await again.fetch("/switch-organisation", { form: { orgId: p.orgId } })).status).toBe(404);
    expect((await again.html("/customer")).text).not.toContain(p.name);
  });

  it("a sign-in from a browser new to the account mails a notice; the same browser again does not", async () => {
    const c = await createCustomer(["global_admin"]);
    const { email } = c.users.global_admin!;
    const b = new Browser();
    await b.signIn(email);
    expect(await mailsTo(email, NEW_SIGN_IN_SUBJECT)).toBe(1);
    await b.fetch("/signout", { form: {} });
    await b.signIn(email);
    expect(await mailsTo(email, NEW_SIGN_IN_SUBJECT)).toBe(1);
    await new Browser().signIn(email);
    expect(await mailsTo(email, NEW_SIGN_IN_SUBJECT)).toBe(2);
  });
});
