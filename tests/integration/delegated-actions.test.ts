/**
 * Acting in a customer tenant: a matrix generated from the permission and role maps — every
 * partner role × relationship state × action — asserting "allowed" or "403 and nothing changed";
 * then the temporary password, staff groups and role assignment rules.
 */
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem } from "../../app/utils/db.server";
import { actionsOf, capForPartnerRoles, dapRolesFor, HELPDESK_ADMINISTRATOR, type TenantAction } from "../../app/modules/delegated-admin/admin-roles";
import { PARTNER_ROLES } from "../../app/modules/auth/permissions";
import { createCustomer, createPartner, relate, uniq, type OrgFixture } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { Browser } from "../support/http";

installTestDatabase();

const USER_ADMIN = "fe930be7-5e62-47db-91af-98c3a49a38b1";
const ASSIGNED = [USER_ADMIN, HELPDESK_ADMINISTRATOR];
const STATES = ["none", "dap pending", "dap active", "gdap pending", "gdap active", "gdap expiring", "gdap expired", "gdap termination requested", "gdap terminated", "roles removed"] as const;
type State = (typeof STATES)[number];

const one = async <T>(q: ReturnType<typeof sql>) => (await withSystem(async (tx) => rowsOf<T>(await tx.execute(q))))[0]!;

/** What the maps say a partner role may do in a customer in a state. */
function expected(role: string, state: State): Set<TenantAction> {
  const roles = state === "dap active" ? dapRolesFor([role]) : state === "gdap active" || state === "gdap expiring" ? ASSIGNED : [];
  const cap = capForPartnerRoles([role]);
  const all = actionsOf(roles);
  return cap === "uncapped" ? all : new Set([...all].filter((a) => cap.has(a)));
}

interface World {
  partner: OrgFixture;
  customer: OrgFixture;
  browsers: Record<string, Browser>;
}

/** One partner and one customer per state, every partner role in the staff group that holds the assignment. */
async function worldIn(state: State): Promise<World> {
  const partner = await createPartner();
  const customer = await createCustomer();
  await relate(partner, customer);
  await withSystem(async (tx) => {
    await tx.execute(sql`update organisations set is_dap_certified = true where id = ${partner.orgId}`);
    await tx.execute(sql`insert into subscriptions (customer_org_id, product_id, licences, status) values (${customer.orgId}, 'business-basic', 2, 'active')`);
    const [group] = rowsOf<{ id: string }>(await tx.execute(sql`insert into staff_groups (partner_org_id, name) values (${partner.orgId}, 'Admins') returning id`));
    for (const role of PARTNER_ROLES) {
      await tx.execute(sql`insert into staff_group_members (group_id, partner_org_id, user_id) values (${group!.id}, ${partner.orgId}, ${partner.users[role]!.id})`);
    }
    if (state.startsWith("dap") || state === "roles removed") {
      const status = state === "dap pending" ? "requested" : state === "roles removed" ? "ended" : "active";
      await tx.execute(sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${partner.orgId}, ${customer.orgId}, 'dap', ${status})`);
    }
    if (state.startsWith("gdap") || state === "roles removed") {
      const status = {
        "gdap pending": "approval_pending",
        "gdap active": "active",
        "gdap expiring": "active",
        "gdap expired": "expired",
        "gdap termination requested": "termination_requested",
      }[state as string] ?? "terminated";
      const ends = state === "gdap expired" ? sql`now() - interval '1 day'` : state === "gdap expiring" ? sql`now() + interval '10 days'` : state === "gdap pending" ? sql`null` : sql`now() + interval '90 days'`;
      const [rel] = rowsOf<{ id: string }>(
        await tx.execute(sql`insert into admin_relationships (partner_org_id, customer_org_id, display_name, duration_days, roles, status, approval_code, request_expires_at, approved_at, ends_at)
          values (${partner.orgId}, ${customer.orgId}, ${`GDAP ${uniq()}`}, 30, ${`{${ASSIGNED.join(",")}}`}, ${status}, ${`code-${uniq()}-${uniq()}-${uniq()}`}, now() + interval '90 days', now(), ${ends}) returning id`),
      );
      await tx.execute(sql`insert into gdap_assignments (admin_relationship_id, group_id, partner_org_id, roles) values (${rel!.id}, ${group!.id}, ${partner.orgId}, ${`{${ASSIGNED.join(",")}}`})`);
    }
  });
  const browsers: Record<string, Browser> = {};
  for (const role of PARTNER_ROLES) {
    browsers[role] = new Browser();
    await browsers[role].signIn(partner.users[role]!.email);
  }
  return { partner, customer, browsers };
}

const worlds = new Map<State, World>();
beforeAll(async () => {
  for (const state of STATES) worlds.set(state, await worldIn(state));
}, 120_000);

describe("acting in a customer tenant: partner role × relationship state × action", () => {
  for (const state of STATES) {
    for (const role of PARTNER_ROLES) {
      const may = expected(role, state);
      it(`${state}, ${role}: ${[...may].filter((a) => a.startsWith("users:")).join(" ") || "nothing"}`, async () => {
        const { customer, browsers } = worlds.get(state)!;
        const b = browsers[role]!;
        const victim = customer.users.user!;
        const hash = () => one<{ h: string }>(sql`select password_hash as h from users where id = ${victim.id}`);
        const before = (await hash()).h;

        const page = await b.html(`/partner/customers/${customer.orgId}/users`);
        expect(page.status).toBe(200);
        if (may.has("users:read")) expect(page.text).toContain(victim.email);
        else expect(page.text).not.toContain(victim.email);

        const reset = await b.fetch(`/partner/customers/${customer.orgId}/users`, { form: { intent: "reset", userId: victim.id } });
        if (may.has("users:reset-password")) {
          expect(reset.status).toBe(200);
          expect(await reset.text()).toContain("Temporary password");
          expect((await hash()).h).not.toBe(before);
        } else {
          expect(reset.status).toBe(403);
          expect((await hash()).h).toBe(before);
        }

        const email = `new-${uniq()}@${customer.domain}`;
        const create = await b.fetch(`/partner/customers/${customer.orgId}/users`, { form: { intent: "create", displayName: "New Person", email } });
        const created = await one<{ n: number }>(sql`select count(*)::int as n from memberships m join users u on u.id = m.user_id where m.org_id = ${customer.orgId} and u.email = ${email}`);
        if (may.has("users:create")) {
          expect(create.status).toBe(200);
          expect(created.n).toBe(1);
        } else {
          expect(create.status).toBe(403);
          expect(created.n).toBe(0);
        }

        // Licences.
        const sub = await one<{ id: string }>(sql`select id from subscriptions where customer_org_id = ${customer.orgId}`);
        const licences = await b.html(`/partner/customers/${customer.orgId}/licences`);
        expect(licences.status).toBe(200);
        expect(licences.text.includes("Business Basic")).toBe(may.has("licenses:read"));
        // A fresh user per case, so earlier cases in the same world do not count.
        const holder = await withSystem(async (tx) => {
          const [u] = rowsOf<{ id: string }>(await tx.execute(sql`insert into users (email, display_name) values (${`holder-${uniq()}@${customer.domain}`}, 'Holder') returning id`));
          await tx.execute(sql`insert into memberships (org_id, user_id, roles, status) values (${customer.orgId}, ${u!.id}, '{user}', 'active')`);
          await tx.execute(sql`delete from licence_assignments where subscription_id = ${sub.id}`);
          return u!;
        });
        const assign = await b.fetch(`/partner/customers/${customer.orgId}/licences`, { form: { intent: "assign", subscriptionId: sub.id, userId: holder.id } });
        const held = await one<{ n: number }>(sql`select count(*)::int as n from licence_assignments where subscription_id = ${sub.id} and user_id = ${holder.id}`);
        expect(assign.status).toBe(may.has("licenses:assign") ? 302 : 403);
        expect(held.n).toBe(may.has("licenses:assign") ? 1 : 0);

        // Service requests.
        const title = `Printer ${uniq()}`;
        const sr = await b.fetch(`/partner/customers/${customer.orgId}/service-requests`, { form: { intent: "open", title, description: "It jams." } });
        const opened = await one<{ n: number }>(sql`select count(*)::int as n from service_requests where customer_org_id = ${customer.orgId} and title = ${title}`);
        expect(sr.status).toBe(may.has("service-requests:manage") ? 302 : 403);
        expect(opened.n).toBe(may.has("service-requests:manage") ? 1 : 0);
        const list = await b.html(`/partner/customers/${customer.orgId}/service-requests`);
        expect(list.text.includes("Open a service request")).toBe(may.has("service-requests:manage"));
      });
    }
  }

  it("every allowed action is audited as the partner's, about the customer", async () => {
    const { partner, customer } = worlds.get("gdap active")!;
    const row = await one<{ n: number }>(
      sql`select count(*)::int as n from audit_log where actor_org_id = ${partner.orgId} and subject_org_id = ${customer.orgId} and action = 'tenant_user.password_reset'`,
    );
    expect(row.n).toBeGreaterThan(0);
  });
});

describe("licences and service requests", () => {
  it("never hands out more licences than were bought, also when assigned at once", async () => {
    const { customer, browsers } = await worldIn("dap active");
    const sub = await one<{ id: string }>(sql`select id from subscriptions where customer_org_id = ${customer.orgId}`);
    const people = await withSystem(async (tx) => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const [u] = rowsOf<{ id: string }>(await tx.execute(sql`insert into users (email, display_name) values (${`p${i}-${uniq()}@${customer.domain}`}, ${`Person ${i}`}) returning id`));
        await tx.execute(sql`insert into memberships (org_id, user_id, roles, status) values (${customer.orgId}, ${u!.id}, '{user}', 'active')`);
        ids.push(u!.id);
      }
      return ids;
    });
    const results = await Promise.all(
      people.map((userId) => browsers.admin_agent!.fetch(`/partner/customers/${customer.orgId}/licences`, { form: { intent: "assign", subscriptionId: sub.id, userId } })),
    );
    expect(results.filter((r) => r.status === 302)).toHaveLength(2);
    expect(results.filter((r) => r.status === 409)).toHaveLength(3);
    expect((await one<{ n: number }>(sql`select count(*)::int as n from licence_assignments where subscription_id = ${sub.id}`)).n).toBe(2);
    const full = await browsers.admin_agent!.fetch(`/partner/customers/${customer.orgId}/licences`, { form: { intent: "assign", subscriptionId: sub.id, userId: customer.users.user!.id } });
    expect(await full.text()).toContain("All 2 licences are assigned.");
  });

  it("service requests are opened, commented and closed; a closed one takes no comment", async () => {
    const { customer, browsers } = await worldIn("dap active");
    const b = browsers.helpdesk_agent!;
    const url = `/partner/customers/${customer.orgId}/service-requests`;
    expect((await b.fetch(url, { form: { intent: "open", title: "", description: "x" } })).status).toBe(400);
    expect((await b.fetch(url, { form: { intent: "open", title: "Mailbox full", description: "Cannot receive mail." } })).status).toBe(302);
    const sr = await one<{ id: string; opened_by_name: string }>(sql`select id, opened_by_name from service_requests where customer_org_id = ${customer.orgId}`);
    expect(sr.opened_by_name).toContain("helpdesk_agent");
    expect((await b.fetch(url, { form: { intent: "comment", requestId: sr.id, body: "Archived old mail." } })).status).toBe(302);
    expect((await b.fetch(url, { form: { intent: "close", requestId: sr.id } })).status).toBe(302);
    const closed = await b.fetch(url, { form: { intent: "comment", requestId: sr.id, body: "Too late" } });
    expect(closed.status).toBe(409);
    const page = await b.html(url);
    expect(page.text).toContain("Archived old mail.");
    expect(page.text).toContain("Closed");
  });
});

describe("temporary passwords", () => {
  it("the user must choose a new password at the next sign-in", async () => {
    const { customer, browsers } = await worldIn("dap active");
    const victim = customer.users.user!;
    const res = await browsers.admin_agent!.fetch(`/partner/customers/${customer.orgId}/users`, { form: { intent: "reset", userId: victim.id } });
    const temporary = (await res.text()).match(/value="([A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4})"/)![1]!;
    const user = new Browser();
    await user.signIn(victim.email, temporary);
    expect((await user.html("/customer")).location).toBe("/account?required=1");
    expect((await user.html("/account?required=1")).text).toContain("You signed in with a temporary password");
    const changed = await user.fetch("/account", { form: { currentPassword: temporary, password: "my-own-new-password", confirmPassword: "my-own-new-password" } });
    expect(changed.status).toBe(302);
    expect((await user.html("/customer")).status).toBe(200);
  });

  it("an admin's password needs a privileged role: helpdesk roles cannot reset it", async () => {
    const { customer, browsers } = await worldIn("dap active");
    const res = await browsers.helpdesk_agent!.fetch(`/partner/customers/${customer.orgId}/users`, { form: { intent: "reset", userId: customer.users.global_admin!.id } });
    expect(res.status).toBe(403);
  });
});

describe("staff groups and assignments", () => {
  it("only a partner global admin manages groups; assignments take only the relationship's roles on an active one", async () => {
    const { partner, customer } = await worldIn("gdap active");
    for (const role of ["admin_agent", "helpdesk_agent", "sales_agent", "billing_admin"]) {
      const b = new Browser();
      await b.signIn(partner.users[role]!.email);
      expect((await b.html("/partner/staff/groups")).status).toBe(403);
    }
    const admin = new Browser();
    await admin.signIn(partner.users.global_admin!.email);
    expect((await admin.fetch("/partner/staff/groups", { form: { intent: "create", name: "Night shift" } })).status).toBe(302);
    expect((await admin.fetch("/partner/staff/groups", { form: { intent: "create", name: "night SHIFT" } })).status).toBe(409);
    const [rel] = await withSystem(async (tx) => rowsOf<{ id: string }>(await tx.execute(sql`select id from admin_relationships where partner_org_id = ${partner.orgId}`)));
    const [group] = await withSystem(async (tx) => rowsOf<{ id: string }>(await tx.execute(sql`select id from staff_groups where partner_org_id = ${partner.orgId} and name = 'Night shift'`)));
    const globalAdminRole = "62e90394-69f5-4237-9190-012177145e10";
    expect((await admin.fetch(`/partner/relationships/${rel!.id}`, { form: { intent: "assign", groupId: group!.id, roles: globalAdminRole } })).status).toBe(400);
    expect((await admin.fetch(`/partner/relationships/${rel!.id}`, { form: { intent: "assign", groupId: group!.id, roles: USER_ADMIN } })).status).toBe(302);
    await withSystem((tx) => tx.execute(sql`update admin_relationships set status = 'terminated' where id = ${rel!.id}`));
    expect((await admin.fetch(`/partner/relationships/${rel!.id}`, { form: { intent: "assign", groupId: group!.id, roles: USER_ADMIN } })).status).toBe(409);
    void customer;
  });
});
