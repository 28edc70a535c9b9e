import { sql } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem } from "../../app/utils/db.server";
import { signIn } from "../../app/modules/auth/accounts.server";
import { createPartner as operatorCreatePartner, setCapability } from "../../app/modules/organisations/organisations.server";
import { listAuditActions, listAuditEntries } from "../../app/modules/platform/audit.server";
import { withTenant } from "../../app/utils/db.server";
import { createCustomer, createPartner, PASSWORD, relate, uniq } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { Browser } from "../support/http";

installTestDatabase();

describe("organisations and the shell", () => {
  it("a user in two organisations switches between them", async () => {
    const partner = await createPartner(["global_admin"]);
    const customer = await createCustomer(["global_admin"]);
    await withSystem((tx) =>
      tx.execute(sql`insert into memberships (org_id, user_id, roles, status) values (${customer.orgId}, ${partner.users.global_admin!.id}, '{billing_admin}', 'active')`),
    );
    const b = new Browser();
    await b.signIn(partner.users.global_admin!.email);
    const home = await b.html("/partner");
    expect(home.text).toContain(`${customer.name} (customer)`); // the switcher lists both
    const res = await b.fetch("/switch-organisation", { form: { orgId: customer.orgId } });
    expect(res.headers.get("Location")).toBe("/customer");
    const page = await b.html("/customer");
    expect(page.status).toBe(200);
    expect(page.text).toContain(customer.domain);
    expect((await b.html("/partner")).location).toBe("/customer");
  });

  it("a rendered document leaves no render timer behind", async () => {
    // The render's abort timer must be cleared with the response: a pending one keeps the whole
    // render reachable for seconds, hundreds of them under load.
    const p = await createPartner(["global_admin"]);
    const b = new Browser();
    await b.signIn(p.users.global_admin!.email);
    const set = vi.spyOn(globalThis, "setTimeout");
    const clear = vi.spyOn(globalThis, "clearTimeout");
    try {
      const page = await b.html("/partner/customers");
      expect(page.status).toBe(200);
      const renderTimers = set.mock.results.filter((_, i) => set.mock.calls[i]![1] === 5_000).map((r) => r.value);
      expect(renderTimers).toHaveLength(1);
      expect(clear.mock.calls.map((c) => c[0])).toContain(renderTimers[0]);
    } finally {
      set.mockRestore();
      clear.mockRestore();
    }
  });

  it("an expired session leads to sign-in", async () => {
    const p = await createPartner(["sales_agent"]);
    const b = new Browser();
    await b.signIn(p.users.sales_agent!.email);
    await withSystem((tx) => tx.execute(sql`update sessions set expires_at = now() - interval '1 minute' where user_id = ${p.users.sales_agent!.id}`));
    const page = await b.html("/partner/profile");
    expect(page.status).toBe(302);
    expect(page.location).toBe("/signin?redirectTo=%2Fpartner%2Fprofile");
  });

  it("sign-in goes back to the page asked for, and only to our own paths", async () => {
    const p = await createPartner(["global_admin"]);
    const b = new Browser();
    await b.fetch("/signin", { form: { email: p.users.global_admin!.email, password: PASSWORD, redirectTo: "/partner/staff" } });
    expect((await b.secondFactor(p.users.global_admin!.email)).headers.get("Location")).toBe("/partner/staff");
    const evil = new Browser();
    await evil.fetch("/signin", { form: { email: p.users.global_admin!.email, password: PASSWORD, redirectTo: "//evil.test/x" } });
    expect((await evil.secondFactor(p.users.global_admin!.email)).headers.get("Location")).toBe("/partner");
  });

  it("throttles an IP that tries many accounts", async () => {
    const limits = { maxPerAccount: 100, maxPerIp: 3, maxPerAccountWide: 100, windowSeconds: 60 };
    const ip = `198.51.100.${Math.floor(Math.random() * 250)}`;
    const p = await createPartner(["global_admin"]);
    for (let i = 0; i < 3; i++) {
      const r = await signIn({ email: `guess-${i}-${uniq()}@x.test`, password: "nope-nope-nope", ip, userAgent: null, device: null, limits });
      expect(r).toEqual({ ok: false, reason: "invalid" });
    }
    const blocked = await signIn({ email: p.users.global_admin!.email, password: PASSWORD, ip, userAgent: null, device: null, limits });
    expect(blocked.ok).toBe(false);
    expect(blocked).toMatchObject({ reason: "throttled" });
    const elsewhere = await signIn({ email: p.users.global_admin!.email, password: PASSWORD, ip: "203.0.113.9", userAgent: null, device: null, limits });
    expect(elsewhere.ok).toBe("second-factor");
  });

  it("the overview counts customers and staff", async () => {
    const p = await createPartner(["global_admin", "sales_agent"]);
    await relate(p, await createCustomer(["global_admin"]));
    await relate(p, await createCustomer(["global_admin"]), "pending");
    const b = new Browser();
    await b.signIn(p.users.sales_agent!.email);
    const page = await b.html("/partner");
    expect(page.text).toMatch(/stat-value">2<\/p><p class="stat-label">Customers/);
    expect(page.text).toMatch(/stat-value">2<\/p><p class="stat-label">Active staff/);
  });
});

describe("notifications", () => {
  it("shows the unread count on the bell and marks one or all as read", async () => {
    const p = await createPartner(["global_admin", "sales_agent"]);
    const me = p.users.sales_agent!.id;
    await withSystem(async (tx) => {
      for (const title of ["First notice", "Second notice", "Third notice"]) {
        await tx.execute(sql`insert into notifications (org_id, user_id, kind, title) values (${p.orgId}, ${me}, 'test', ${title})`);
      }
      await tx.execute(sql`insert into notifications (org_id, user_id, kind, title) values (${p.orgId}, ${p.users.global_admin!.id}, 'test', 'For the admin only')`);
    });
    const b = new Browser();
    await b.signIn(p.users.sales_agent!.email);
    const page = await b.html("/notifications");
    expect(page.text).toContain("Notifications, 3 unread");
    expect(page.text).toContain("Second notice");
    expect(page.text).not.toContain("For the admin only");
    const [one] = await withSystem(async (tx) => rowsOf<{ id: string }>(await tx.execute(sql`select id from notifications where user_id = ${me} and title = 'First notice'`)));
    expect((await b.fetch("/notifications", { form: { id: one!.id } })).status).toBe(302);
    expect((await b.html("/partner")).text).toContain("Notifications, 2 unread");
    expect((await b.fetch("/notifications", { form: { id: one!.id } })).status).toBe(404); // already read
    await b.fetch("/notifications", { form: {} });
    expect((await b.html("/partner")).text).toContain("Notifications, 0 unread");
  });

  it("counts unread notifications up to 100: the bell says 99+", async () => {
    const p = await createPartner(["global_admin"]);
    const me = p.users.global_admin!.id;
    await withSystem((tx) => tx.execute(sql`insert into notifications (org_id, user_id, kind, title) select ${p.orgId}, ${me}, 'test', 'Notice ' || i from generate_series(1, 150) i`));
    const b = new Browser();
    await b.signIn(p.users.global_admin!.email);
    const page = await b.html("/partner");
    expect(page.text).toContain("Notifications, more than 99 unread");
    expect(page.text).toContain(">99+<");
  });

  it("has an empty state", async () => {
    const p = await createPartner(["billing_admin"]);
    const b = new Browser();
    await b.signIn(p.users.billing_admin!.email);
    expect((await b.html("/notifications")).text).toContain("No notifications");
  });
});

describe("audit log page", () => {
  it("pages by keyset and filters by action and user", async () => {
    const p = await createPartner(["global_admin", "sales_agent"]);
    const admin = p.users.global_admin!.id;
    await withSystem(async (tx) => {
      for (let i = 0; i < 60; i++) {
        await tx.execute(sql`insert into audit_log (actor_user_id, actor_org_id, subject_org_id, action, object_type, object_id) values (${admin}, ${p.orgId}, ${p.orgId}, 'test.bulk', 'thing', ${`thing-${String(i).padStart(2, "0")}`})`);
      }
    });
    const b = new Browser();
    await b.signIn(p.users.global_admin!.email);
    const first = await b.html("/partner/audit?action=test.bulk");
    expect(first.text).toContain("thing-59");
    expect(first.text).not.toContain("thing-09");
    // The pager's links carry the list kit's cursors: "after" the older page, "before" the newer one.
    const older = first.text.match(/href="\/partner\/audit(\?[^"]*after=[\w-]+)"/)![1]!.replaceAll("&amp;", "&");
    const second = await b.html(`/partner/audit${older}`);
    expect(second.text).toContain("thing-09");
    expect(second.text).toContain("thing-00");
    expect(second.text).not.toContain("thing-59");
    const newer = second.text.match(/href="\/partner\/audit(\?[^"]*before=[\w-]+)"/)![1]!.replaceAll("&amp;", "&");
    expect((await b.html(`/partner/audit${newer}`)).text).toContain("thing-59");
    const bySales = await b.html(`/partner/audit?user=${p.users.sales_agent!.id}`);
    expect(bySales.text).toContain("No audit entries");
    const junk = await b.html(`/partner/audit?user=not-a-uuid&before=abc`);
    expect(junk.status).toBe(200); // a bad URL falls back to no filter
  });
});

describe("audit entries as actor and as subject", () => {
  it("merges both sides newest first, once each, in pages both ways; lists the actions of both sides only", async () => {
    const [p, c, other] = await Promise.all([createPartner(["global_admin"]), createCustomer(), createPartner(["global_admin"])]);
    const ids: number[] = [];
    await withSystem(async (tx) => {
      for (let i = 0; i < 37; i++) {
        // The partner acting in its own organisation, in a customer's, and another partner acting on it.
        const [actor, subject] = i % 3 === 0 ? [p.orgId, p.orgId] : i % 3 === 1 ? [p.orgId, c.orgId] : [other.orgId, p.orgId];
        const [row] = rowsOf<{ id: string }>(await tx.execute(sql`insert into audit_log (actor_org_id, subject_org_id, action) values (${actor}, ${subject}, ${`side.${i % 3}`}) returning id`));
        ids.push(Number(row!.id));
        await tx.execute(sql`insert into audit_log (actor_org_id, subject_org_id, action) values (${other.orgId}, ${c.orgId}, 'not.ours')`);
      }
    });
    const expected = [...ids].reverse();
    const as = <T>(fn: Parameters<typeof withTenant<T>>[1]) => withTenant({ orgId: p.orgId, userId: p.users.global_admin!.id }, fn);
    const forward: number[] = [];
    let page = await as((tx) => listAuditEntries(tx, { orgId: p.orgId, limit: 8 }));
    forward.push(...page.entries.map((e) => e.id));
    while (page.hasOlder) {
      page = await as((tx) => listAuditEntries(tx, { orgId: p.orgId, limit: 8, before: forward[forward.length - 1] }));
      forward.push(...page.entries.map((e) => e.id));
    }
    expect(forward).toEqual(expected);
    const backward: number[] = [];
    page = await as((tx) => listAuditEntries(tx, { orgId: p.orgId, limit: 8, after: expected[expected.length - 1]! - 1 }));
    backward.unshift(...page.entries.map((e) => e.id));
    while (page.hasNewer) {
      page = await as((tx) => listAuditEntries(tx, { orgId: p.orgId, limit: 8, after: backward[0] }));
      backward.unshift(...page.entries.map((e) => e.id));
    }
    expect(backward).toEqual(expected);
    const filtered = await as((tx) => listAuditEntries(tx, { orgId: p.orgId, action: "side.2", limit: 100 }));
    expect(filtered.entries.map((e) => e.id)).toEqual(expected.filter((id) => ids.indexOf(id) % 3 === 2));
    expect(await as((tx) => listAuditActions(tx, { orgId: p.orgId }))).toEqual(["side.0", "side.1", "side.2"]);
  });
});

describe("operator functions", () => {
  it("create partners with a Partner ID and grant capabilities, audited", async () => {
    const created = await withSystem((tx) => operatorCreatePartner(tx, { name: `Operator Made ${uniq()}`, operator: "test" }));
    expect(created.partnerNumber).toBeGreaterThan(4100000);
    await withSystem((tx) => setCapability(tx, { partnerNumber: created.partnerNumber!, capability: "dap", enabled: true, operator: "test" }));
    const [row] = await withSystem(async (tx) =>
      rowsOf<{ dap: boolean; actions: string[] }>(
        await tx.execute(sql`select o.is_dap_certified as dap, (select array_agg(action order by id) from audit_log where subject_org_id = o.id) as actions from organisations o where o.id = ${created.id}`),
      ),
    );
    expect(row).toEqual({ dap: true, actions: ["operator.partner_created", "operator.capability_set"] });
    await expect(withSystem((tx) => setCapability(tx, { partnerNumber: 1, capability: "advisor", enabled: true, operator: "test" }))).rejects.toThrow(/No partner with Partner ID 1/);
  });
});
