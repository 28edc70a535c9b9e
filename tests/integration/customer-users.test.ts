/**
 * Issue 30: the customer's Users page — roles, deactivation, removal and the last-global-admin
 * rule (also under concurrency on PostgreSQL), accounts that stay the person's (ADR 0026), the
 * help pages' "partner" relationship type (a partner's person invited, accepted, removed), and
 * what a billing admin and a user may do on every customer page (one table).
 */
import { sql, type SQL } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem, withTenant } from "../../app/utils/db.server";
import { changeTenantUserRole, removeTenantUser, setTenantUserActive } from "../../app/modules/customer-tenant/tenant-users.server";
import { createCustomer, createPartner, relate } from "../support/factories";
import { lastMailTo } from "../support/mail";
import { runJobs } from "../support/jobs";
import { installTestDatabase, testDbKind } from "../support/db";
import { Browser, signedIn } from "../support/http";

installTestDatabase();

const one = async <T,>(query: SQL) => (await withSystem(async (tx) => rowsOf<T>(await tx.execute(query))))[0]!;
const membership = (orgId: string, userId: string) =>
  one<{ status: string; roles: string[] } | undefined>(sql`select status, roles from memberships where org_id = ${orgId} and user_id = ${userId}`);
const partnerRelationship = (partnerId: string, customerId: string) =>
  one<{ status: string; ended_at: string | null } | undefined>(sql`select status, ended_at from relationships where partner_org_id = ${partnerId} and customer_org_id = ${customerId} and type = 'partner'`);
const invitationLink = async (email: string) => (await lastMailTo(email)).match(/\/activate\/[\w-]+/)?.[0] ?? null;

/** A customer with two global admins, a billing admin and a user. */
async function customerWithTwoAdmins() {
  const c = await createCustomer(["global_admin", "billing_admin", "user"]);
  const second = await createCustomer(["global_admin"]);
  // The second organisation's admin also becomes a global admin of c (an account managed elsewhere).
  await withSystem((tx) => tx.execute(sql`insert into memberships (org_id, user_id, roles, status, activated_at) values (${c.orgId}, ${second.users.global_admin!.id}, '{global_admin}', 'active', now())`));
  return { c, other: second, secondAdmin: second.users.global_admin! };
}

describe("the customer's Users page: roles, deactivation, removal", () => {
  it("a global admin assigns roles; bad input is 400 and never changes anything", async () => {
    const c = await createCustomer(["global_admin", "billing_admin", "user"]);
    const admin = await signedIn(c.users.global_admin!.email);
    const page = await admin.html("/customer/users");
    expect(page.status).toBe(200);
    expect(page.text).toContain("Change role");
    const res = await admin.fetch("/customer/users", { form: { intent: "role", userId: c.users.user!.id, role: "billing_admin" } });
    expect(res.status).toBe(302);
    expect((await membership(c.orgId, c.users.user!.id))!.roles).toEqual(["billing_admin"]);
    // The new billing admin now sees the partner pages, and still not the Users page.
    const promoted = await signedIn(c.users.user!.email);
    expect((await promoted.html("/customer/partners")).status).toBe(200);
    expect((await promoted.html("/customer/users")).status).toBe(403);

    const badForms: Record<string, string>[] = [
      { intent: "role", userId: c.users.user!.id, role: "wizard" },
      { intent: "role", userId: c.users.user!.id },
      { intent: "role", userId: "not-a-uuid", role: "user" },
      { intent: "deactivate", userId: "" },
      { intent: "remove" },
      { intent: "invite-partner-person", displayName: "", email: "nope", partnerId: "x" },
      { intent: "invite-partner-person", displayName: "Ann", email: "ann@x.test", partnerNumber: "abc" },
      { intent: "invite-partner-person", displayName: "Ann", email: "ann@x.test" },
      { intent: "wizardry" },
    ];
    for (const form of badForms) {
      expect((await admin.fetch("/customer/users", { form })).status, JSON.stringify(form)).toBe(400);
    }
    expect((await membership(c.orgId, c.users.user!.id))!.roles).toEqual(["billing_admin"]);
    // A user that is not a member of this customer: 404.
    const stranger = await createCustomer(["user"]);
    for (const intent of ["role", "deactivate", "reactivate", "remove"]) {
      expect((await admin.fetch("/customer/users", { form: { intent, userId: stranger.users.user!.id, role: "user" } })).status, intent).toBe(404);
    }
    expect((await membership(stranger.orgId, stranger.users.user!.id))!.status).toBe("active");
  });

  it("deactivating ends the member's access here at once; reactivating restores it; other organisations are untouched", async () => {
    const { c, other, secondAdmin } = await customerWithTwoAdmins();
    const admin = await signedIn(c.users.global_admin!.email);
    const user = await signedIn(c.users.user!.email);
    expect((await user.html("/customer")).status).toBe(200);
    expect((await admin.fetch("/customer/users", { form: { intent: "deactivate", userId: c.users.user!.id } })).status).toBe(302);
    expect((await membership(c.orgId, c.users.user!.id))!.status).toBe("deactivated");
    expect((await user.html("/customer")).location).toMatch(/^\/signin/);
    // Cannot sign in to that organisation any more (it has no other).
    const retry = await new Browser().fetch("/signin", { form: { email: c.users.user!.email, password: "correct-horse-battery-staple" } });
    expect(retry.status).not.toBe(302);
    expect((await admin.html("/customer/users")).text).toContain("Deactivated");
    expect((await admin.fetch("/customer/users", { form: { intent: "reactivate", userId: c.users.user!.id } })).status).toBe(302);
    expect((await membership(c.orgId, c.users.user!.id))!.status).toBe("active");
    await signedIn(c.users.user!.email);

    // The second admin (an account another organisation manages) deactivated here stays active there.
    expect((await admin.fetch("/customer/users", { form: { intent: "deactivate", userId: secondAdmin.id } })).status).toBe(302);
    expect((await membership(other.orgId, secondAdmin.id))!.status).toBe("active");
    const elsewhere = await signedIn(secondAdmin.email);
    expect((await elsewhere.html("/customer")).status).toBe(200);
  });

  it("removing takes the person out of this organisation only: the account and its other organisations stay (ADR 0026)", async () => {
    const { c, other, secondAdmin } = await customerWithTwoAdmins();
    const before = await one<{ password_hash: string; email: string; display_name: string; home_org_id: string }>(
      sql`select password_hash, email, display_name, home_org_id from users where id = ${secondAdmin.id}`,
    );
    const admin = await signedIn(c.users.global_admin!.email);
    const res = await admin.fetch("/customer/users", { form: { intent: "remove", userId: secondAdmin.id } });
    expect(res.status).toBe(302);
    expect(await membership(c.orgId, secondAdmin.id)).toBeUndefined();
    expect((await membership(other.orgId, secondAdmin.id))!.status).toBe("active");
    const after = await one<typeof before>(sql`select password_hash, email, display_name, home_org_id from users where id = ${secondAdmin.id}`);
    expect(after).toEqual(before);
    await signedIn(secondAdmin.email);
    expect((await admin.html("/customer/users")).text).not.toContain(secondAdmin.email);
    // A user only this customer had: the account stays too (nobody else can reset it; the person can).
    expect((await admin.fetch("/customer/users", { form: { intent: "remove", userId: c.users.user!.id } })).status).toBe(302);
    expect((await one<{ n: number }>(sql`select count(*)::int as n from users where id = ${c.users.user!.id}`)).n).toBe(1);
    // An invitation is withdrawn the same way; its link stops working.
    const email = `invitee-${c.orgId.slice(0, 6)}@${c.domain}`;
    expect((await admin.fetch("/customer/users", { form: { intent: "create", displayName: "Invitee", email } })).status).toBe(200);
    const link = (await invitationLink(email))!;
    const invitee = await one<{ id: string }>(sql`select id from users where email = ${email}`);
    expect((await admin.fetch("/customer/users", { form: { intent: "remove", userId: invitee.id } })).status).toBe(302);
    expect((await new Browser().html(link)).status).toBe(410);
  });

  it("the last active global admin: demoting, deactivating or removing them is refused with 409 and a clear message", async () => {
    const c = await createCustomer(["global_admin", "billing_admin", "user"]);
    const admin = await signedIn(c.users.global_admin!.email);
    const me = c.users.global_admin!.id;
    for (const [form, words] of [
      [{ intent: "role", userId: me, role: "user" }, "can't give yourself another role"],
      [{ intent: "deactivate", userId: me }, "can't deactivate yourself"],
      [{ intent: "remove", userId: me }, "can't remove yourself"],
    ] as const) {
      const res = await admin.fetch("/customer/users", { form });
      expect(res.status, form.intent).toBe(409);
      const text = await res.text();
      expect(text).toContain("only active global admin");
      expect(text).toContain(words);
    }
    expect((await membership(c.orgId, me))).toEqual({ status: "active", roles: ["global_admin"] });

    // With a second global admin, the first may step down; then the second is the last one.
    expect((await admin.fetch("/customer/users", { form: { intent: "role", userId: c.users.user!.id, role: "global_admin" } })).status).toBe(302);
    expect((await admin.fetch("/customer/users", { form: { intent: "role", userId: me, role: "billing_admin" } })).status).toBe(302);
    expect((await admin.html("/customer/users")).status).toBe(403); // no longer a global admin
    const second = await signedIn(c.users.user!.email);
    const refused = await second.fetch("/customer/users", { form: { intent: "remove", userId: c.users.user!.id } });
    expect(refused.status).toBe(409);
    // A deactivated global admin does not count: the rule is about active ones.
    expect((await second.fetch("/customer/users", { form: { intent: "role", userId: me, role: "global_admin" } })).status).toBe(302);
    expect((await second.fetch("/customer/users", { form: { intent: "deactivate", userId: me } })).status).toBe(302);
    const demoteLast = await second.fetch("/customer/users", { form: { intent: "role", userId: c.users.user!.id, role: "user" } });
    expect(demoteLast.status).toBe(409);
  });

  it.runIf(testDbKind() === "postgres")("two global admins demoting, deactivating or removing each other at once leave one active global admin (PostgreSQL)", async () => {
    for (const change of ["demote", "deactivate", "remove"] as const) {
      const c = await createCustomer(["global_admin", "user"]);
      const a = c.users.global_admin!.id;
      const b = c.users.user!.id;
      await withSystem((tx) => tx.execute(sql`update memberships set roles = '{global_admin}' where org_id = ${c.orgId} and user_id = ${b}`));
      const act = (actor: string, target: string) =>
        withTenant({ orgId: c.orgId, userId: actor }, (tx): Promise<unknown> => {
          const args = { customerId: c.orgId, actor: { userId: actor, orgId: c.orgId }, userId: target };
          if (change === "demote") return changeTenantUserRole(tx, { ...args, role: "user" });
          if (change === "deactivate") return setTenantUserActive(tx, { ...args, active: false });
          return removeTenantUser(tx, args);
        });
      const results = await Promise.allSettled([act(a, b), act(b, a)]);
      expect(results.filter((r) => r.status === "fulfilled"), change).toHaveLength(1);
      const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      expect((refused.reason as { status?: number }).status, change).toBe(409);
      const left = await one<{ n: number }>(sql`select count(*)::int as n from memberships where org_id = ${c.orgId} and status = 'active' and 'global_admin' = any(roles)`);
      expect(left.n, change).toBe(1);
    }
  });
});

describe("the 'partner' relationship type: a partner's person as a user of the customer", () => {
  async function setUp() {
    const c = await createCustomer(["global_admin", "user"]);
    const mine = await createPartner(["global_admin", "admin_agent"]);
    const unrelated = await createPartner(["global_admin", "admin_agent"]);
    await relate(mine, c);
    const admin = await signedIn(c.users.global_admin!.email);
    return { c, mine, unrelated, admin };
  }

  it("invites by one of its partners: the mail goes out; acceptance makes the partner's 'partner' relationship active; removing the last person ends it", async () => {
    const { c, mine, admin } = await setUp();
    const person = mine.users.admin_agent!;
    const page = await admin.html("/customer/users");
    expect(page.text).toContain(mine.name); // offered among its partners
    const res = await admin.fetch("/customer/users", { form: { intent: "invite-partner-person", displayName: "Pat Partner", email: person.email, partnerId: mine.orgId, role: "user" } });
    expect(res.status).toBe(200);
    expect((await res.text()).replaceAll("<!-- -->", "")).toContain(`a person of ${mine.name}`);
    const link = await invitationLink(person.email);
    expect(link).toBeTruthy();
    expect(await lastMailTo(person.email)).toContain(c.name);
    expect(await partnerRelationship(mine.orgId, c.orgId)).toBeUndefined();
    expect((await admin.html("/customer/users")).text).toContain(`Partner&#x27;s person (${mine.name})`);

    // The person (an existing account, managed by the partner) accepts while signed in as itself.
    const pat = await signedIn(person.email);
    expect((await pat.fetch(link!, { form: { intent: "accept" } })).status).toBe(302);
    expect((await partnerRelationship(mine.orgId, c.orgId))!.status).toBe("active");
    expect((await membership(c.orgId, person.id))!.status).toBe("active");
    const users = await admin.html("/customer/users");
    expect(users.text).toContain(`Partner&#x27;s person (${mine.name})`);

    // A second person of the same partner; removing one keeps the relationship, removing the last ends it.
    const second = mine.users.global_admin!;
    expect((await admin.fetch("/customer/users", { form: { intent: "invite-partner-person", displayName: "Sam", email: second.email, partnerId: mine.orgId } })).status).toBe(200);
    const sam = await signedIn(second.email);
    expect((await sam.fetch((await invitationLink(second.email))!, { form: { intent: "accept" } })).status).toBe(302);
    expect((await admin.fetch("/customer/users", { form: { intent: "remove", userId: person.id } })).status).toBe(302);
    expect((await partnerRelationship(mine.orgId, c.orgId))!.status).toBe("active");
    const removed = await admin.fetch("/customer/users", { form: { intent: "remove", userId: second.id } });
    expect(removed.status).toBe(302);
    const ended = (await partnerRelationship(mine.orgId, c.orgId))!;
    expect(ended.status).toBe("ended");
    expect(ended.ended_at).not.toBeNull();
    // The partner's accounts are theirs: still members of the partner, passwords untouched.
    expect((await membership(mine.orgId, person.id))!.status).toBe("active");
    await signedIn(person.email);
    // The partner is told.
    await runJobs(["notify"]);
    const told = await one<{ n: number }>(sql`select count(*)::int as n from notifications where org_id = ${mine.orgId} and kind = 'partner_person.relationship_ended'`);
    expect(told.n).toBeGreaterThan(0);
    // The reseller relationship is not touched.
    expect((await one<{ status: string }>(sql`select status from relationships where partner_org_id = ${mine.orgId} and customer_org_id = ${c.orgId} and type = 'reseller'`)).status).toBe("active");
  });

  it("invites by Partner ID a partner it has no relationship with: once accepted, the partner shows on the customer's partner pages", async () => {
    const { c, unrelated, admin } = await setUp();
    expect((await admin.html("/customer/partners")).text).not.toContain(unrelated.name);
    // The person works for that partner (an active member of it, as accepting requires since 0058).
    const email = unrelated.users.admin_agent!.email;
    const res = await admin.fetch("/customer/users", { form: { intent: "invite-partner-person", displayName: "New Person", email, partnerNumber: String(unrelated.partnerNumber) } });
    expect(res.status).toBe(200);
    // An existing account accepts while signed in as itself.
    const link = (await invitationLink(email))!;
    const person = await signedIn(email);
    expect((await person.fetch(link, { form: { intent: "accept" } })).status).toBe(302);
    expect((await partnerRelationship(unrelated.orgId, c.orgId))!.status).toBe("active");
    expect((await admin.html("/customer/partners")).text).toContain(unrelated.name);
    expect((await admin.html("/customer/users")).text).toContain(`Partner&#x27;s person (${unrelated.name})`);
  });

  it("another partner's id is 404, an unknown Partner ID is 404, both at once 400; nothing is invited", async () => {
    const { c, unrelated, admin } = await setUp();
    const email = `nobody-${c.orgId.slice(0, 6)}@x.test`;
    const other = await admin.fetch("/customer/users", { form: { intent: "invite-partner-person", displayName: "X", email, partnerId: unrelated.orgId } });
    expect(other.status).toBe(404);
    expect(await other.text()).toContain("No such partner");
    const unknown = await admin.fetch("/customer/users", { form: { intent: "invite-partner-person", displayName: "X", email, partnerNumber: "2147483000" } });
    expect(unknown.status).toBe(404);
    // A customer's id is no partner.
    expect((await admin.fetch("/customer/users", { form: { intent: "invite-partner-person", displayName: "X", email, partnerId: c.orgId } })).status).toBe(404);
    expect((await admin.fetch("/customer/users", { form: { intent: "invite-partner-person", displayName: "X", email, partnerId: unrelated.orgId, partnerNumber: String(unrelated.partnerNumber) } })).status).toBe(400);
    expect((await one<{ n: number }>(sql`select count(*)::int as n from memberships m join users u on u.id = m.user_id where u.email = ${email}`)).n).toBe(0);
    expect(await lastMailTo(email)).toBe("");
  });

  it("the database: only a customer names a partner, only with the invitation", async () => {
    const { c, mine } = await setUp();
    const asCustomer = (query: SQL) => withTenant({ orgId: c.orgId, userId: c.users.global_admin!.id }, (tx) => tx.execute(query));
    // Naming the partner afterwards is refused.
    await expect(asCustomer(sql`update memberships set partner_org_id = ${mine.orgId} where org_id = ${c.orgId} and user_id = ${c.users.user!.id}`)).rejects.toThrow();
    // A partner cannot invite "a partner's person" into itself.
    const asPartner = (query: SQL) => withTenant({ orgId: mine.orgId, userId: mine.users.global_admin!.id }, (tx) => tx.execute(query));
    await expect(
      asPartner(sql`insert into memberships (org_id, user_id, roles, status, invited_email, invited_name, partner_org_id) values (${mine.orgId}, ${c.users.user!.id}, '{admin_agent}', 'invited', ${c.users.user!.email}, 'x', ${mine.orgId})`),
    ).rejects.toThrow();
    expect(await partnerRelationship(mine.orgId, c.orgId)).toBeUndefined();
  });
});

describe("billing admins and users on every customer page (issue 30: the help pages' steps, nothing more)", () => {
  it("one table of expectations", async () => {
    const partner = await createPartner(["global_admin"]);
    const c = await createCustomer(["global_admin", "billing_admin", "user"], { agreement: "pending" });
    await relate(partner, c);
    const [sr] = await withSystem(async (tx) =>
      rowsOf<{ id: string }>(await tx.execute(sql`insert into service_requests (customer_org_id, title, description, opened_by_org_id, opened_by_name) values (${c.orgId}, 'Mail stopped', 'Since Monday', ${partner.orgId}, 'Agent') returning id`)),
    );
    const ba = await signedIn(c.users.billing_admin!.email);
    const user = await signedIn(c.users.user!.email);

    // The billing admin is asked to accept the pending agreement first, as a global admin is.
    expect((await ba.html("/customer/partners")).location).toBe("/customer/agreement");
    expect((await user.html("/customer/partners")).status).toBe(403);
    const version = (await one<{ v: string }>(sql`select pd_current_agreement_version() as v`)).v;
    expect((await user.fetch("/customer/agreement", { form: { version, read: "on" } })).status).toBe(403);
    expect((await ba.fetch("/customer/agreement", { form: { version, read: "on" } })).status).toBe(302);

    type Row = [method: "GET" | "POST", path: string, form: Record<string, string> | null, billingAdmin: number, user: number];
    const u = c.users.user!.id;
    const table: Row[] = [
      ["GET", "/customer", null, 200, 200],
      ["GET", "/notifications", null, 200, 200],
      ["GET", "/customer/agreement", null, 200, 200],
      ["GET", "/customer/partners", null, 200, 403],
      ["GET", `/customer/partners/${partner.orgId}`, null, 200, 403],
      ["GET", "/customer/subscriptions", null, 200, 403],
      ["GET", "/customer/requests", null, 200, 403],
      ["GET", "/customer/activity", null, 200, 403],
      ["GET", "/customer/apps", null, 200, 403],
      ["GET", "/customer/service-requests", null, 200, 403],
      ["GET", `/customer/service-requests/${sr!.id}`, null, 200, 403],
      // Users and admin rights: the global admin's alone.
      ["GET", "/customer/users", null, 403, 403],
      ["POST", "/customer/users", { intent: "role", userId: u, role: "global_admin" }, 403, 403],
      ["POST", "/customer/users", { intent: "deactivate", userId: u }, 403, 403],
      ["POST", "/customer/users", { intent: "remove", userId: u }, 403, 403],
      ["POST", "/customer/users", { intent: "create", displayName: "X", email: "x@x.test" }, 403, 403],
      ["POST", "/customer/users", { intent: "invite-partner-person", displayName: "X", email: "x@x.test", partnerId: partner.orgId }, 403, 403],
      ["POST", "/customer/users", { intent: "reset", userId: u }, 403, 403],
      ["POST", "/customer/requests", { intent: "approve", id: partner.orgId }, 403, 403],
      ["POST", "/customer/partners", { intent: "remove-partner", partnerId: partner.orgId }, 403, 403],
      // Comments on a service request: the billing admin may (it manages support tickets).
      ["POST", `/customer/service-requests/${sr!.id}`, { intent: "comment", body: "Thanks, still broken." }, 302, 403],
    ];
    const got: string[] = [];
    const want: string[] = [];
    for (const [method, path, form, baStatus, userStatus] of table) {
      for (const [who, b, expected] of [["billing admin", ba, baStatus], ["user", user, userStatus]] as const) {
        const res = method === "GET" ? await b.fetch(path) : await b.fetch(path, { form: form! });
        got.push(`${who} ${method} ${path} ${form?.intent ?? ""} → ${res.status}`);
        want.push(`${who} ${method} ${path} ${form?.intent ?? ""} → ${expected}`);
      }
    }
    expect(got).toEqual(want);
    // Nothing the table refused happened.
    expect(await membership(c.orgId, u)).toEqual({ status: "active", roles: ["user"] });
  });
});
