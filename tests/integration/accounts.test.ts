/**
 * Accounts belong to people (ADR 0026), at HTTP level: an existing account joins another
 * organisation only by accepting an invitation as itself, and its credentials are changed only by
 * the person or by the one organisation that manages it alone. The three takeover paths of
 * issue 28 (anonymous via a public link, a customer admin, partner helpdesk acting in a customer),
 * the database boundary, and a generated matrix of every credential action × every role of every
 * other organisation the account belongs to.
 */
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { getDatabase, withSystem, withTenant } from "../../app/utils/db.server";
import { runDueJobs } from "../../app/modules/platform/jobs.server";
import { registerScheduledWork } from "../../app/scheduled.server";
import { createLink } from "../../app/modules/links/links.server";
import { CUSTOMER_ROLES, PARTNER_ROLES } from "../../app/modules/auth/permissions";
import { createCustomer, createPartner, relate, uniq, type OrgFixture } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { lastMailTo } from "../support/mail";
import { Browser, signedIn } from "../support/http";

installTestDatabase();
registerScheduledWork();

const one = async <T>(q: ReturnType<typeof sql>) => (await withSystem(async (tx) => rowsOf<T>(await tx.execute(q))))[0]!;
const hashOf = (userId: string) => one<{ h: string; sessions: number }>(sql`select password_hash as h, (select count(*)::int from sessions where user_id = ${userId}) as sessions from users where id = ${userId}`);
const membershipOf = (orgId: string, userId: string) => one<{ status: string } | undefined>(sql`select status from memberships where org_id = ${orgId} and user_id = ${userId}`);
const invitationLink = async (email: string) => (await lastMailTo(email)).match(/\/activate\/[\w-]+/)![0];

/** A partner's public trial link, and a stranger who signs up a (throw-away) customer from it. */
async function signUpFromPublicLink({ email, adminName = "Mallory" }: { email?: string; adminName?: string } = {}) {
  const p = await createPartner();
  await withSystem((tx) => tx.execute(sql`update organisations set is_authorised_advisor = true where id = ${p.orgId}`));
  const link = await withTenant({ orgId: p.orgId, userId: p.users.sales_agent!.id }, (tx) =>
    createLink(tx, {
      partnerId: p.orgId,
      actor: { userId: p.users.sales_agent!.id, orgId: p.orgId },
      link: { kind: "trial", items: [{ productId: "business-premium" }], offerDap: false, message: null, expiresAt: null },
    }),
  );
  const id = uniq();
  const attacker = new Browser();
  const res = await attacker.fetch(new URL(link.url).pathname, {
    form: {
      intent: "signup",
      agreementVersion: "2026-11",
      read: "on",
      submissionKey: `key-${id}-${uniq()}-${uniq()}`,
      organisationName: `Throwaway ${id}`,
      primaryDomain: `throwaway-${id}.test`,
      country: "DK",
      adminName,
      email: email ?? `mallory@throwaway-${id}.test`,
      password: "mallory-long-password",
    },
  });
  expect(res.status).toBe(302);
  const { id: customerId } = await one<{ id: string }>(sql`select id from organisations where primary_domain = ${`throwaway-${id}.test`}`);
  return { attacker, customerId };
}
const attackerFromPublicLink = () => signUpFromPublicLink();

/** The victim accepts an invitation to `orgId`, signed in as themselves. */
async function accept(victim: Browser, email: string) {
  const link = await invitationLink(email);
  const res = await victim.fetch(link, { form: { intent: "accept" } });
  expect(res.status).toBe(302);
}

describe("anonymous, via a partner's public link: the account takeover of issue 28 is closed", () => {
  let victimOrg: OrgFixture;
  let victimEmail: string;
  let victimId: string;
  let victim: Browser;
  let attacker: Browser;
  let customerId: string;

  beforeAll(async () => {
    victimOrg = await createPartner();
    victimEmail = victimOrg.users.global_admin!.email;
    victimId = victimOrg.users.global_admin!.id;
    victim = await signedIn(victimEmail);
    ({ attacker, customerId } = await attackerFromPublicLink());
  });

  it("adding another partner's global admin only invites them, with the same answer as for a new address", async () => {
    const before = await hashOf(victimId);
    const fresh = `someone-${uniq()}@nowhere.test`;
    const toVictim = await attacker.fetch("/customer/users", { form: { intent: "create", displayName: "Ann", email: victimEmail } });
    const toFresh = await attacker.fetch("/customer/users", { form: { intent: "create", displayName: "Ann", email: fresh } });
    expect(toVictim.status).toBe(200);
    expect(toFresh.status).toBe(200);
    const notice = (html: string, email: string) => html.replaceAll("<!-- -->", "").match(/<p class="notice[^"]*" role="status">([^<]*)</)![1]!.replace(email, "EMAIL");
    expect(notice(await toVictim.text(), victimEmail)).toBe(notice(await toFresh.text(), fresh));
    expect(notice(await (await attacker.fetch("/customer/users", { form: { intent: "create", displayName: "Bo", email: `x-${uniq()}@nowhere.test` } })).text(), "")).toMatch(/Invitation sent/);

    // Listed as invited, under the name the attacker typed, never the account's own.
    const page = await attacker.html("/customer/users");
    expect(page.text).toContain(victimEmail);
    const { name } = await one<{ name: string }>(sql`select display_name as name from users where id = ${victimId}`);
    expect(page.text).not.toContain(name);
    expect((await membershipOf(customerId, victimId))?.status).toBe("invited");

    // Nothing of the account changed, and the victim's session lives.
    const after = await hashOf(victimId);
    expect(after.h).toBe(before.h);
    expect((await victim.html("/partner")).status).toBe(200);
  });

  it("the attacker can neither reset nor accept: the invitation is the victim's to answer", async () => {
    const before = await hashOf(victimId);
    expect((await attacker.fetch("/customer/users", { form: { intent: "reset", userId: victimId } })).status).toBe(404);
    expect((await attacker.fetch("/customer/users", { form: { intent: "send-reset-link", userId: victimId } })).status).toBe(404);
    const link = await invitationLink(victimEmail);
    // Even holding the link: anonymous or signed in as someone else, accepting is refused.
    expect((await new Browser().fetch(link, { form: { intent: "accept" } })).status).toBe(403);
    expect((await attacker.fetch(link, { form: { intent: "accept" } })).status).toBe(403);
    expect((await attacker.fetch(link, { form: { intent: "accept", displayName: "x", password: "attacker-password-1", confirmPassword: "attacker-password-1" } })).status).toBe(403);
    const anonymousPage = await new Browser().html(link);
    expect(anonymousPage.text).toContain("Sign in to answer");
    expect(anonymousPage.text).not.toContain('type="password"');
    expect((await membershipOf(customerId, victimId))?.status).toBe("invited");
    expect((await hashOf(victimId)).h).toBe(before.h);
  });

  it("after the victim accepts, the customer admin still cannot reset: it may only send the person their own reset link", async () => {
    const page = await victim.html(await invitationLink(victimEmail));
    expect(page.text).toContain("Accept and join");
    await accept(victim, victimEmail);
    expect((await membershipOf(customerId, victimId))?.status).toBe("active");
    const before = await hashOf(victimId);

    const list = await attacker.html("/customer/users");
    expect(list.text).toContain("Send reset link");
    const reset = await attacker.fetch("/customer/users", { form: { intent: "reset", userId: victimId } });
    expect(reset.status).toBe(409);
    const text = (await reset.text()).replaceAll("<!-- -->", "");
    expect(text).toContain("only they can change its password");
    expect(text).not.toContain("Temporary password for");

    const link = await attacker.fetch("/customer/users", { form: { intent: "send-reset-link", userId: victimId } });
    expect(link.status).toBe(200);
    await runDueJobs((await getDatabase()).db, { kinds: ["auth.password_reset"] });
    expect(await lastMailTo(victimEmail)).toMatch(/\/reset-password\/[\w-]+/);
    const after = await hashOf(victimId);
    expect(after.h).toBe(before.h);
    expect(after.sessions).toBe(before.sessions);
    const v = await victim.html("/customer");
    expect(v.location).toBe(null);
    expect(v.status).toBe(200);
  });
});

describe("an address someone merely invited is nobody's account yet", () => {
  it("inviting it does not block its owner from signing up from a link; the invitation stays theirs to answer", async () => {
    const { attacker, customerId } = await attackerFromPublicLink();
    const email = `first-timer-${uniq()}@new.test`;
    expect((await attacker.fetch("/customer/users", { form: { intent: "create", displayName: "Puppet", email } })).status).toBe(200);
    // The owner signs up from another partner's public link with that very address.
    const { attacker: owner, customerId: ownCustomer } = await signUpFromPublicLink({ email, adminName: "Real Owner" });
    expect((await owner.html("/customer")).status).toBe(200);
    const account = await one<{ id: string; name: string; home: string | null; confirmed: boolean }>(sql`select id, display_name as name, home_org_id as home, email_confirmed as confirmed from users where email = ${email}`);
    expect(account.name).toBe("Real Owner");
    // Signed up, not yet confirmed: no organisation manages it yet (the next describe).
    expect(account).toMatchObject({ home: null, confirmed: false });
    expect((await membershipOf(ownCustomer, account.id))?.status).toBe("active");
    expect((await membershipOf(customerId, account.id))?.status).toBe("invited");
  });
});

describe("an address typed at sign-up gives that organisation no hold until it is confirmed", () => {
  async function secondAdmin(admin: Browser, customerId: string) {
    const email = `second-${uniq()}@admins.test`;
    expect((await admin.fetch("/customer/users", { form: { intent: "create", displayName: "Second", email } })).status).toBe(200);
    const b = new Browser();
    const res = await b.fetch(await invitationLink(email), { form: { intent: "accept", displayName: "Second", password: "second-long-password", confirmPassword: "second-long-password" } });
    expect(res.status).toBe(302);
    await withSystem((tx) => tx.execute(sql`update memberships set roles = '{global_admin}' where org_id = ${customerId} and user_id = (select id from users where email = ${email})`));
    return b;
  }

  it("someone who signs up with another person's address cannot keep resetting that account, even after its owner takes it back", async () => {
    const email = `owner-${uniq()}@victim.test`;
    const { attacker, customerId } = await signUpFromPublicLink({ email });
    const account = await one<{ id: string; home: string | null; confirmed: boolean }>(sql`select id, home_org_id as home, email_confirmed as confirmed from users where email = ${email}`);
    expect(account).toMatchObject({ home: null, confirmed: false });
    const accomplice = await secondAdmin(attacker, customerId);
    expect((await accomplice.fetch("/customer/users", { form: { intent: "reset", userId: account.id } })).status).toBe(409);

    // The owner takes the account back with a reset link mailed to the address.
    await new Browser().fetch("/forgot-password", { form: { email } });
    await runDueJobs((await getDatabase()).db, { kinds: ["auth.password_reset"] });
    const reset = (await lastMailTo(email)).match(/\/reset-password\/[\w-]+/)![0];
    expect((await new Browser().fetch(reset, { form: { password: "the-owners-own-password", confirmPassword: "the-owners-own-password" } })).status).toBe(302);
    expect(await one<{ confirmed: boolean; home: string | null }>(sql`select email_confirmed as confirmed, home_org_id as home from users where id = ${account.id}`)).toEqual({ confirmed: true, home: null });
    const before = await hashOf(account.id);
    expect((await accomplice.fetch("/customer/users", { form: { intent: "reset", userId: account.id } })).status).toBe(409);
    expect((await hashOf(account.id)).h).toBe(before.h);
  });

  it("a confirmation link mailed before the owner took the address back confirms nothing (it went to the squatter's sign-up)", async () => {
    const email = `reclaimed-${uniq()}@victim.test`;
    const { attacker, customerId } = await signUpFromPublicLink({ email });
    const accomplice = await secondAdmin(attacker, customerId);
    const staleLink = (await lastMailTo(email)).match(/\/confirm-email\/[\w-]+/)![0];
    await new Browser().fetch("/forgot-password", { form: { email } });
    await runDueJobs((await getDatabase()).db, { kinds: ["auth.password_reset"] });
    const reset = (await lastMailTo(email)).match(/\/reset-password\/[\w-]+/)![0];
    expect((await new Browser().fetch(reset, { form: { password: "the-owners-own-password", confirmPassword: "the-owners-own-password" } })).status).toBe(302);
    // The owner, misled, clicks the old confirmation mail: refused, no home given.
    expect((await new Browser().fetch(staleLink, { method: "POST", form: {} })).status).toBe(410);
    const { id, home } = await one<{ id: string; home: string | null }>(sql`select id, home_org_id as home from users where email = ${email}`);
    expect(home).toBeNull();
    expect((await accomplice.fetch("/customer/users", { form: { intent: "reset", userId: id } })).status).toBe(409);
  });

  it("the person who confirms the address from the mail makes the organisation they signed up its home", async () => {
    const email = `real-${uniq()}@genuine.test`;
    const { attacker: owner, customerId } = await signUpFromPublicLink({ email, adminName: "Real Owner" });
    const link = (await lastMailTo(email)).match(/\/confirm-email\/[\w-]+/)![0];
    const page = await new Browser().html(link);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Confirm my address");
    // Opening the link confirms nothing; the button does.
    expect((await one<{ confirmed: boolean }>(sql`select email_confirmed as confirmed from users where email = ${email}`)).confirmed).toBe(false);
    expect((await owner.fetch(link, { method: "POST", form: {} })).status).toBe(302);
    expect(await one<{ confirmed: boolean; home: string }>(sql`select email_confirmed as confirmed, home_org_id as home from users where email = ${email}`)).toEqual({ confirmed: true, home: customerId });
    expect((await owner.fetch(link, { method: "POST", form: {} })).status).toBe(410);
    expect((await new Browser().fetch("/confirm-email/not-a-token", { method: "POST", form: {} })).status).toBe(404);

    const other = await secondAdmin(owner, customerId);
    const { id } = await one<{ id: string }>(sql`select id from users where email = ${email}`);
    const res = await other.fetch("/customer/users", { form: { intent: "reset", userId: id } });
    expect(res.status).toBe(200);
    expect((await res.text()).replaceAll("<!-- -->", "")).toContain("Temporary password for");
  });
});

describe("partner staff acting in a customer through delegated administration", () => {
  it("a helpdesk agent resets a user the customer manages, but never an account that belongs elsewhere", async () => {
    const partner = await createPartner();
    const customer = await createCustomer();
    await relate(partner, customer);
    await withSystem(async (tx) => {
      await tx.execute(sql`update organisations set is_dap_certified = true where id = ${partner.orgId}`);
      await tx.execute(sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${partner.orgId}, ${customer.orgId}, 'dap', 'active')`);
    });
    const helpdesk = await signedIn(partner.users.helpdesk_agent!.email);
    const own = customer.users.user!;
    const ok = await helpdesk.fetch(`/partner/customers/${customer.orgId}/users`, { form: { intent: "reset", userId: own.id } });
    expect(ok.status).toBe(200);
    expect((await ok.text()).replaceAll("<!-- -->", "")).toContain("Temporary password for");

    // Another partner's global admin, invited by the customer's admin, accepts as themselves.
    const other = await createPartner();
    const victimEmail = other.users.global_admin!.email;
    const victimId = other.users.global_admin!.id;
    const victim = await signedIn(victimEmail);
    const admin = await signedIn(customer.users.global_admin!.email);
    expect((await admin.fetch("/customer/users", { form: { intent: "create", displayName: "Vic", email: victimEmail } })).status).toBe(200);
    await accept(victim, victimEmail);
    const before = await hashOf(victimId);

    for (const role of ["helpdesk_agent", "admin_agent"]) {
      const b = await signedIn(partner.users[role]!.email);
      const res = await b.fetch(`/partner/customers/${customer.orgId}/users`, { form: { intent: "reset", userId: victimId } });
      expect(res.status).toBe(409);
    }
    const after = await hashOf(victimId);
    expect(after.h).toBe(before.h);
    expect(after.sessions).toBe(before.sessions);
    expect((await victim.html("/customer")).status).toBe(200);
  });
});

describe("the database is the boundary", () => {
  it("a tenant cannot make anyone a member, accept for them, reset them or write their account", async () => {
    const customer = await createCustomer();
    const other = await createPartner();
    const victimId = other.users.global_admin!.id;
    const asCustomer = { orgId: customer.orgId, userId: customer.users.global_admin!.id };
    const refuses = (q: ReturnType<typeof sql>) => expect(withTenant(asCustomer, (tx) => tx.execute(q))).rejects.toThrow();

    await refuses(sql`insert into memberships (org_id, user_id, roles, status, activated_at) values (${customer.orgId}, ${victimId}, '{global_admin}', 'active', now())`);
    await withTenant(asCustomer, (tx) => tx.execute(sql`insert into memberships (org_id, user_id, roles, status, invited_email) values (${customer.orgId}, ${victimId}, '{user}', 'invited', ${other.users.global_admin!.email})`));
    await refuses(sql`update memberships set status = 'active' where org_id = ${customer.orgId} and user_id = ${victimId}`);
    await refuses(sql`update memberships set status = 'deactivated' where org_id = ${customer.orgId} and user_id = ${victimId}`);
    // The invited account stays invisible to the inviting organisation.
    expect(await withTenant(asCustomer, async (tx) => rowsOf(await tx.execute(sql`select id from users where id = ${victimId}`)))).toEqual([]);
    await refuses(sql`select pd_reset_member_password(${victimId}::uuid, 'x', true)`);
    const updated = await withTenant(asCustomer, async (tx) => rowsOf(await tx.execute(sql`update users set password_hash = 'x' where id = ${victimId} returning id`)));
    expect(updated).toEqual([]);

    // Accepted: still the home organisation's alone (PD001), whatever the caller claims.
    await withSystem((tx) => tx.execute(sql`update memberships set status = 'active', activated_at = now() where org_id = ${customer.orgId} and user_id = ${victimId}`));
    await expect(withTenant(asCustomer, (tx) => tx.execute(sql`select pd_reset_member_password(${victimId}::uuid, 'x', true)`))).rejects.toMatchObject({ cause: { code: "PD001" } });
    expect((await hashOf(victimId)).h).not.toBe("x");
    const home = await one<{ home: string }>(sql`select home_org_id as home from users where id = ${victimId}`);
    expect(home.home).toBe(other.orgId);
  });

  it("a tenant cannot mint a reset or confirmation link, nor point an invitation at another address", async () => {
    const customer = await createCustomer();
    const other = await createPartner();
    const victim = other.users.global_admin!;
    const asCustomer = { orgId: customer.orgId, userId: customer.users.global_admin!.id };
    const refuses = (q: ReturnType<typeof sql>) => expect(withTenant(asCustomer, (tx) => tx.execute(q))).rejects.toThrow();
    for (const kind of ["password_reset", "email_confirmation"]) {
      await refuses(sql`insert into auth_tokens (token_hash, kind, user_id, org_id, expires_at) values (${`x-${uniq()}`}, ${kind}, ${victim.id}, ${customer.orgId}, now() + interval '1 hour')`);
    }
    // An invitation token only for someone this organisation invited.
    await refuses(sql`insert into auth_tokens (token_hash, kind, user_id, org_id, expires_at) values (${`x-${uniq()}`}, 'activation', ${victim.id}, ${customer.orgId}, now() + interval '1 hour')`);
    const fresh = `fresh-${uniq()}@new.test`;
    const admin = await signedIn(customer.users.global_admin!.email);
    expect((await admin.fetch("/customer/users", { form: { intent: "create", displayName: "Fresh", email: fresh } })).status).toBe(200);
    await refuses(sql`update memberships set invited_email = 'inbox@evil.test' where org_id = ${customer.orgId} and invited_email = ${fresh}`);
    await refuses(sql`insert into memberships (org_id, user_id, roles, status, invited_email) values (${customer.orgId}, ${victim.id}, '{user}', 'invited', 'inbox@evil.test')`);
    // A reset link that names an organisation is no reset link (they are made for none).
    const { createHash } = await import("node:crypto");
    const token = `forged-${uniq()}-${uniq()}-${uniq()}`;
    await withSystem((tx) => tx.execute(sql`insert into auth_tokens (token_hash, kind, user_id, org_id, expires_at) values (${createHash("sha256").update(token).digest("hex")}, 'password_reset', ${victim.id}, ${customer.orgId}, now() + interval '1 hour')`));
    expect((await new Browser().html(`/reset-password/${token}`)).status).toBe(404);
  });

  it("reactivating a member gives no home; joining does", async () => {
    const partner = await createPartner();
    const id = partner.users.sales_agent!.id;
    await withSystem((tx) => tx.execute(sql`update users set home_org_id = null where id = ${id}`));
    await withSystem((tx) => tx.execute(sql`update memberships set status = 'deactivated' where user_id = ${id}`));
    await withSystem((tx) => tx.execute(sql`update memberships set status = 'active' where user_id = ${id}`));
    expect((await one<{ home: string | null }>(sql`select home_org_id as home from users where id = ${id}`)).home).toBeNull();
  });

  it("only pd_reset_member_password writes credentials across accounts, and the app role writes only its own account", async () => {
    const writers = await withSystem(async (tx) =>
      rowsOf<{ name: string }>(
        await tx.execute(sql`select p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          where n.nspname = 'public' and p.prosecdef and p.prosrc ~* 'update\\s+users\\s+set[^;]*\\m(password_hash|email)\\M\\s*=' order by 1`),
      ),
    );
    expect(writers.map((w) => w.name)).toEqual(["pd_reset_member_password"]);
    const policies = await withSystem(async (tx) =>
      rowsOf<{ policyname: string; cmd: string; qual: string }>(await tx.execute(sql`select policyname, cmd, qual from pg_policies where tablename = 'users' and cmd = 'UPDATE'`)),
    );
    expect(policies).toHaveLength(1);
    expect(policies[0]!.qual).toMatch(/app_user_id\(\)/);
  });
});

/**
 * Generated: every action that changes a user's credentials, tried by every role of every other
 * organisation the account belongs to — and by every partner role acting in it through DAP — is
 * refused and changes nothing. The account's home is a partner; it accepted invitations to a
 * customer (as a plain user and, elsewhere, as a global admin) and to a second partner.
 */
describe("generated: credential actions × roles of the other organisations an account belongs to", () => {
  const CREDENTIAL_ACTIONS = [
    { name: "customer: reset a user's password", kind: "customer" as const, path: () => "/customer/users", form: (id: string) => ({ intent: "reset", userId: id }) },
    { name: "partner acting in a customer: reset a user's password", kind: "delegated" as const, path: (c: string) => `/partner/customers/${c}/users`, form: (id: string) => ({ intent: "reset", userId: id }) },
    { name: "account: change the password", kind: "any" as const, path: () => "/account", form: () => ({ currentPassword: "guess-guess-guess", password: "attacker-chosen-pass", confirmPassword: "attacker-chosen-pass" }) },
  ];

  let victimId: string;
  let victimBrowser: Browser;
  const tries: { label: string; browser: () => Promise<Browser>; action: (typeof CREDENTIAL_ACTIONS)[number]; customerId: string }[] = [];

  beforeAll(async () => {
    const home = await createPartner();
    victimId = home.users.admin_agent!.id;
    const victimEmail = home.users.admin_agent!.email;
    victimBrowser = await signedIn(victimEmail);
    const asUser = await createCustomer();
    const asAdmin = await createCustomer();
    const otherPartner = await createPartner();
    const delegate = await createPartner();
    for (const c of [asUser, asAdmin]) {
      await relate(delegate, c);
      await withSystem(async (tx) => {
        await tx.execute(sql`update organisations set is_dap_certified = true where id = ${delegate.orgId}`);
        await tx.execute(sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${delegate.orgId}, ${c.orgId}, 'dap', 'active')`);
      });
    }
    const inviteTo = async (org: OrgFixture, path: string, form: Record<string, string | string[]>) => {
      const admin = await signedIn(org.users.global_admin!.email);
      expect((await admin.fetch(path, { form })).status).toBeLessThan(400);
      await accept(victimBrowser, victimEmail);
      if (form.roles) return;
      if (path === "/customer/users" && org === asAdmin) {
        await withSystem((tx) => tx.execute(sql`update memberships set roles = '{global_admin}' where org_id = ${org.orgId} and user_id = ${victimId}`));
      }
    };
    await inviteTo(asUser, "/customer/users", { intent: "create", displayName: "Vic", email: victimEmail });
    await inviteTo(asAdmin, "/customer/users", { intent: "create", displayName: "Vic", email: victimEmail });
    await inviteTo(otherPartner, "/partner/staff", { displayName: "Vic", email: victimEmail, roles: ["sales_agent"] });
    expect((await one<{ n: number }>(sql`select count(*)::int as n from memberships where user_id = ${victimId} and status = 'active'`)).n).toBe(4);

    for (const action of CREDENTIAL_ACTIONS) {
      for (const c of [asUser, asAdmin]) {
        if (action.kind === "customer" || action.kind === "any") {
          for (const role of CUSTOMER_ROLES) tries.push({ label: `${c === asUser ? "customer(user)" : "customer(admin)"} ${role}`, browser: () => signedIn(c.users[role]!.email), action, customerId: c.orgId });
        }
        if (action.kind === "delegated" || action.kind === "any") {
          for (const role of PARTNER_ROLES) tries.push({ label: `delegated ${role} in ${c === asUser ? "customer(user)" : "customer(admin)"}`, browser: () => signedIn(delegate.users[role]!.email), action, customerId: c.orgId });
        }
      }
      if (action.kind === "any") {
        for (const role of PARTNER_ROLES) tries.push({ label: `other partner ${role}`, browser: () => signedIn(otherPartner.users[role]!.email), action, customerId: asUser.orgId });
      }
    }
  }, 120_000);

  it("every try is refused and changes nothing", async () => {
    expect(tries.length).toBeGreaterThan(30);
    const before = await hashOf(victimId);
    for (const t of tries) {
      const b = await t.browser();
      const res = await b.fetch(t.action.path(t.customerId), { form: t.action.form(victimId) });
      const body = res.status === 200 ? (await res.text()).replaceAll("<!-- -->", "") : "";
      // /account changes only the signed-in person's own password (and needs the current one).
      const refused = res.status >= 400 || (t.action.kind === "any" && !body.includes("Temporary password"));
      expect(refused, `${t.action.name} by ${t.label}: ${res.status}`).toBe(true);
      const after = await hashOf(victimId);
      expect(after.h, `${t.action.name} by ${t.label} changed the password`).toBe(before.h);
      expect(after.sessions, `${t.action.name} by ${t.label} ended the sessions`).toBe(before.sessions);
    }
    expect((await victimBrowser.html("/partner")).status).toBe(200);
  }, 300_000);
});
