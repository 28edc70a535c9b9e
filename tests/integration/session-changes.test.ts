/**
 * A page shows what the session allows now: every request looks its session up and reads in the
 * context that lookup gives (ADR 0032). Once a session moved to another organisation, was revoked,
 * lost its membership or its role's permission, the next page shows the new state and nothing of
 * the old. (These were written for ADR 0023's reads sent with the session lookup, now removed;
 * what a user sees is unchanged.) Every test here drives the built app.
 */
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { loadAuth } from "../../app/modules/auth/session.server";
import { withSystem } from "../../app/utils/db.server";
import { createCustomer, createCustomersFor, createPartner, relate, type OrgFixture } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { Browser } from "../support/http";

installTestDatabase();

async function partnerWithCustomers(names: string[], roles: string[] = ["global_admin"]) {
  const p = await createPartner(roles);
  await createCustomersFor(p, names.map((name) => ({ name })));
  return p;
}

async function signedInAs(p: OrgFixture, role = "global_admin") {
  const b = new Browser();
  await b.signIn(p.users[role]!.email);
  return b;
}

const read = (b: Browser, path: string) => b.html(path);

describe("pages after the session changed", () => {
  it("show the same page on every visit of the same session", async () => {
    const name = `Session Reads Bakery ${randomUUID().slice(0, 8)}`;
    const p = await partnerWithCustomers([name]);
    const b = await signedInAs(p);
    const first = await read(b, "/partner/customers");
    const second = await read(b, "/partner/customers");
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.text).toContain(name);
    // The same rows, in the same order.
    const names = (html: string) => [...html.matchAll(/href="\/partner\/customers\/[0-9a-f-]{36}">([^<]*)</g)].map((m) => m[1]);
    expect(names(second.text)).toEqual(names(first.text));
  });

  it("follow the session to another organisation: the new one's page is shown, none of the old", async () => {
    const alpha = `Alpha Dairy ${randomUUID().slice(0, 8)}`;
    const beta = `Beta Brewery ${randomUUID().slice(0, 8)}`;
    const a = await partnerWithCustomers([alpha]);
    const other = await partnerWithCustomers([beta]);
    // The user of partner A is also a global admin of partner B.
    await withSystem((tx) =>
      tx.execute(sql`insert into memberships (org_id, user_id, roles, status, activated_at) values (${other.orgId}, ${a.users.global_admin!.id}, '{global_admin}', 'active', now())`),
    );
    const b = await signedInAs(a);
    expect((await read(b, "/partner/customers")).text).toContain(alpha);
    expect((await b.fetch("/switch-organisation", { form: { orgId: other.orgId } })).status).toBe(302);
    const moved = await read(b, "/partner/customers");
    expect(moved.status).toBe(200);
    expect(moved.text).toContain(beta);
    expect(moved.text).not.toContain(alpha);
    // And it stays there.
    const next = await read(b, "/partner/customers");
    expect(next.text).toContain(beta);
  });

  it("show nothing once the session is revoked or the membership deactivated: sign-in again", async () => {
    const name = `Revoked Garage ${randomUUID().slice(0, 8)}`;
    const p = await partnerWithCustomers([name], ["global_admin", "sales_agent"]);
    const revoked = await signedInAs(p, "sales_agent");
    const deactivated = await signedInAs(p);
    for (const b of [revoked, deactivated]) expect((await read(b, "/partner/customers")).text).toContain(name);
    await withSystem((tx) => tx.execute(sql`delete from sessions where user_id = ${p.users.sales_agent!.id}`));
    await withSystem((tx) => tx.execute(sql`update memberships set status = 'deactivated' where user_id = ${p.users.global_admin!.id}`));
    for (const b of [revoked, deactivated]) {
      const page = await read(b, "/partner/customers");
      expect(page.status).toBe(302);
      expect(page.location).toBe("/signin?redirectTo=%2Fpartner%2Fcustomers");
      expect(page.text).not.toContain(name);
    }
  });

  it("show nothing when the role lost the permission since: 403", async () => {
    const p = await createPartner(["global_admin"]);
    const b = await signedInAs(p);
    // Signing in is audited, so the audit log has an entry to show.
    expect((await read(b, "/partner/audit")).text).toContain("auth.sign_in");
    await withSystem((tx) => tx.execute(sql`update memberships set roles = '{sales_agent}' where user_id = ${p.users.global_admin!.id}`));
    const page = await read(b, "/partner/audit");
    expect(page.status).toBe(403);
    expect(page.text).not.toContain("auth.sign_in");
  });

  it("keep sessions of two partners apart, also interleaved: each sees its own partner's customers", async () => {
    const alpha = `Own Alpha ${randomUUID().slice(0, 8)}`;
    const beta = `Own Beta ${randomUUID().slice(0, 8)}`;
    const a = await signedInAs(await partnerWithCustomers([alpha]));
    const b = await signedInAs(await partnerWithCustomers([beta]));
    for (let i = 0; i < 3; i++) {
      const [pa, pb] = await Promise.all([read(a, "/partner/customers"), read(b, "/partner/customers")]);
      expect(pa.text).toContain(alpha);
      expect(pa.text).not.toContain(beta);
      expect(pb.text).toContain(beta);
      expect(pb.text).not.toContain(alpha);
    }
    // A forged cookie (A's session id under a broken signature) is no session at all.
    const forged = new Browser();
    forged.cookies.set("__pd_session", a.cookies.get("__pd_session")!.replace(/.$/, (c) => (c === "A" ? "B" : "A")));
    const page = await read(forged, "/partner/customers");
    expect(page.status).toBe(302);
    expect(page.text).not.toContain(alpha);
  });

  it("serve customers' pages too: a customer admin sees its own partners, another customer's none", async () => {
    const partner = await createPartner(["global_admin"]);
    const mine = await createCustomer(["global_admin"]);
    const theirs = await createCustomer(["global_admin"]);
    await relate(partner, mine);
    const b = await signedInAs(mine);
    const other = await signedInAs(theirs);
    await read(b, "/customer/partners");
    const page = await read(b, "/customer/partners");
    expect(page.status).toBe(200);
    expect(page.text).toContain(partner.name);
    await read(other, "/customer/partners");
    const none = await read(other, "/customer/partners");
    expect(none.text).not.toContain(partner.name);
  });

  it("answer a bad id or another partner's customer with 404", async () => {
    const p = await createPartner(["global_admin"]);
    const other = await createPartner(["global_admin"]);
    const [theirs] = await createCustomersFor(other, [{ name: "Not Yours Ltd" }]);
    const [mine] = await createCustomersFor(p, [{ name: "Mine Ltd" }]);
    const b = await signedInAs(p);
    await read(b, `/partner/customers/${mine}`);
    const own = await read(b, `/partner/customers/${mine}`);
    expect(own.status).toBe(200);
    for (const id of ["not-a-uuid", theirs, randomUUID()]) {
      const page = await read(b, `/partner/customers/${id}`);
      expect(page.status).toBe(404);
      expect(page.text).not.toContain("Not Yours Ltd");
    }
  });
});

describe("the session lookup", () => {
  const cookieOf = (b: Browser) => [...b.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  // Remix gives each loader of a request its own copy of the Request, and all of them one load context.
  const loaderRequest = (b: Browser, method = "GET") => new Request("http://localhost/partner/customers", { method, headers: { Cookie: cookieOf(b) } });

  it("is shared by the loaders of one page request, and made afresh for every other request and for actions", async () => {
    const a = await createPartner(["global_admin"]);
    const b = await signedInAs(a);
    const context = { clientIp: "10.0.0.1" };
    // The layout and the page of one request: one lookup, one answer.
    const [layout, leaf] = [loadAuth(loaderRequest(b), context), loadAuth(loaderRequest(b), context)];
    expect(layout).toBe(leaf);
    expect((await layout)?.org.id).toBe(a.orgId);
    // The next request (its own load context) looks again and sees the session as it is then.
    await withSystem((tx) => tx.execute(sql`delete from sessions where user_id = ${a.users.global_admin!.id}`));
    expect(await loadAuth(loaderRequest(b), { clientIp: "10.0.0.1" })).toBeNull();
    // The request already answered keeps what it read at its start.
    expect((await loadAuth(loaderRequest(b), context))?.org.id).toBe(a.orgId);
    // An action never shares: each call looks the session up.
    const actionContext = { clientIp: "10.0.0.1" };
    const [first, second] = [loadAuth(loaderRequest(b, "POST"), actionContext), loadAuth(loaderRequest(b, "POST"), actionContext)];
    expect(first).not.toBe(second);
    await Promise.all([first, second]);
  });
});
