/**
 * Reads sent with the session lookup (ADR 0023): once this server has validated a session, a
 * loader's reads go out with that session's next lookup, in the tenant context the last lookup
 * gave. What they read is shown only if the new lookup gives the same user and organisation and
 * the loader's permission check passes; otherwise it is discarded and read again, or the request
 * ends as it would have (sign-in, 403). Every test here drives the built app.
 */
import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowsOf, type Tx } from "../../db/client";
import { withSystem, withSystemStatement, withSystemStatementThenTenantReads } from "../../app/utils/db.server";
import { createCustomer, createCustomersFor, createPartner, relate, type OrgFixture } from "../support/factories";
import { installTestDatabase, testDbKind } from "../support/db";
import { Browser } from "../support/http";

installTestDatabase();

/** The built app's counters (globalThis: the build and the tests are separate module instances). */
const stats = () => ({ ...(globalThis as unknown as { __partnerdesk_session_reads: { used: number; discarded: number } }).__partnerdesk_session_reads });

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

/** The page, and how the counters moved while it was read. */
async function read(b: Browser, path: string) {
  const before = stats();
  const page = await b.html(path);
  const after = stats();
  return { ...page, used: after.used - before.used, discarded: after.discarded - before.discarded };
}

describe("reads sent with the session lookup", () => {
  it("go with the lookup once the server knows the session, and show the same page", async () => {
    const name = `Session Reads Bakery ${randomUUID().slice(0, 8)}`;
    const p = await partnerWithCustomers([name]);
    const b = await signedInAs(p);
    const first = await read(b, "/partner/customers");
    const second = await read(b, "/partner/customers");
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.used).toBe(1);
    expect(second.text).toContain(name);
    // The same rows, read either way (the counters and the render differ in nothing a user sees).
    const names = (html: string) => [...html.matchAll(/href="\/partner\/customers\/[0-9a-f-]{36}">([^<]*)</g)].map((m) => m[1]);
    expect(names(second.text)).toEqual(names(first.text));
  });

  it("are discarded when the session moved to another organisation: the new one's page is shown", async () => {
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
    expect((await read(b, "/partner/customers")).used).toBe(1);
    expect((await b.fetch("/switch-organisation", { form: { orgId: other.orgId } })).status).toBe(302);
    const moved = await read(b, "/partner/customers");
    expect(moved.status).toBe(200);
    expect(moved.discarded).toBe(1);
    expect(moved.text).toContain(beta);
    expect(moved.text).not.toContain(alpha);
    // The lookup taught the server the new organisation: the next page goes with it again.
    const next = await read(b, "/partner/customers");
    expect(next.used).toBe(1);
    expect(next.text).toContain(beta);
  });

  it("show nothing once the session is revoked or the membership deactivated: sign-in again", async () => {
    const name = `Revoked Garage ${randomUUID().slice(0, 8)}`;
    const p = await partnerWithCustomers([name], ["global_admin", "sales_agent"]);
    const revoked = await signedInAs(p, "sales_agent");
    const deactivated = await signedInAs(p);
    for (const b of [revoked, deactivated]) {
      await read(b, "/partner/customers");
      expect((await read(b, "/partner/customers")).used).toBe(1);
    }
    await withSystem((tx) => tx.execute(sql`delete from sessions where user_id = ${p.users.sales_agent!.id}`));
    await withSystem((tx) => tx.execute(sql`update memberships set status = 'deactivated' where user_id = ${p.users.global_admin!.id}`));
    for (const b of [revoked, deactivated]) {
      const page = await read(b, "/partner/customers");
      expect(page.status).toBe(302);
      expect(page.location).toBe("/signin?redirectTo=%2Fpartner%2Fcustomers");
      expect(page.text).not.toContain(name);
      expect(page.used).toBe(0);
    }
  });

  it("show nothing when the role lost the permission since: 403", async () => {
    const p = await createPartner(["global_admin"]);
    const b = await signedInAs(p);
    // Signing in is audited, so the audit log has an entry to show.
    expect((await read(b, "/partner/audit")).text).toContain("auth.sign_in");
    expect((await read(b, "/partner/audit")).used).toBe(1);
    await withSystem((tx) => tx.execute(sql`update memberships set roles = '{sales_agent}' where user_id = ${p.users.global_admin!.id}`));
    const page = await read(b, "/partner/audit");
    expect(page.status).toBe(403);
    expect(page.text).not.toContain("auth.sign_in");
    expect(page.used).toBe(0);
  });

  it("are never sent with another cookie's lookup: each session sees its own partner's customers", async () => {
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
    expect(page.used).toBe(1);
    expect(page.text).toContain(partner.name);
    await read(other, "/customer/partners");
    const none = await read(other, "/customer/partners");
    expect(none.used).toBe(1);
    expect(none.text).not.toContain(partner.name);
  });

  it("answer a bad id or another partner's customer with 404, also when read with the lookup", async () => {
    const p = await createPartner(["global_admin"]);
    const other = await createPartner(["global_admin"]);
    const [theirs] = await createCustomersFor(other, [{ name: "Not Yours Ltd" }]);
    const [mine] = await createCustomersFor(p, [{ name: "Mine Ltd" }]);
    const b = await signedInAs(p);
    await read(b, `/partner/customers/${mine}`);
    const own = await read(b, `/partner/customers/${mine}`);
    expect(own.status).toBe(200);
    expect(own.used).toBe(1);
    for (const id of ["not-a-uuid", theirs, randomUUID()]) {
      const page = await read(b, `/partner/customers/${id}`);
      expect(page.status).toBe(404);
      expect(page.text).not.toContain("Not Yours Ltd");
      // What the lookup's reads found (a 404) is discarded; the answer is the second read's.
      expect(page.discarded).toBe(1);
    }
  });
});

describe("a statement then tenant reads (withSystemStatementThenTenantReads)", () => {
  const postgres = testDbKind() === "postgres";
  const state = (db: Tx) =>
    db.execute(sql`select current_user as role, current_setting('transaction_read_only') as ro, current_setting('app.org_id', true) as org, clock_timestamp()::text as at`).then(
      (r) => rowsOf<{ role: string; ro: string; org: string | null; at: string }>(r)[0]!,
    );

  it("run the statement as the owner outside any transaction, then the reads as the tenant, read-only, in that order", async () => {
    const p = await createPartner(["global_admin"]);
    const ctx = { orgId: p.orgId, userId: p.users.global_admin!.id };
    const [first, reads] = await withSystemStatementThenTenantReads(state, ctx, state);
    expect(first.role).not.toBe("partnerdesk_app");
    expect(first.ro).toBe("off");
    expect(reads).toMatchObject({ status: "fulfilled", value: { role: "partnerdesk_app", ro: "on", org: p.orgId } });
    expect(new Date((reads as PromiseFulfilledResult<{ at: string }>).value.at) >= new Date(first.at)).toBe(true);
  });

  it("report the reads' failure settled, and the statement's as the call's", async () => {
    const p = await createPartner(["global_admin"]);
    const ctx = { orgId: p.orgId, userId: p.users.global_admin!.id };
    const [first, reads] = await withSystemStatementThenTenantReads(state, ctx, (tx) => tx.execute(sql`select 1 / 0`));
    expect(first.role).not.toBe("partnerdesk_app");
    expect(reads.status).toBe("rejected");
    // A write among the reads fails: they are read-only.
    const [, write] = await withSystemStatementThenTenantReads(state, ctx, (tx) => tx.execute(sql`update organisations set name = name`));
    expect(write.status).toBe("rejected");
    await expect(withSystemStatementThenTenantReads((db) => db.execute(sql`select 1 / 0`), ctx, state)).rejects.toMatchObject({ cause: { code: "22012" } });
  });

  it.runIf(postgres)("many at once, more than the pool has connections, leave every connection idle and outside the tenant's role", async () => {
    const p = await createPartner(["global_admin"]);
    const ctx = { orgId: p.orgId, userId: p.users.global_admin!.id };
    const outcomes = await Promise.allSettled(
      Array.from({ length: 60 }, (_, i) =>
        withSystemStatementThenTenantReads(
          i % 5 === 0 ? (db) => db.execute(sql`select 1 / 0`).then(() => ({ role: "never" })) : state,
          ctx,
          i % 3 === 0 ? (tx) => tx.execute(sql`select 1 / 0`) : state,
        ),
      ),
    );
    expect(outcomes.filter((o) => o.status === "rejected")).toHaveLength(12);
    for (const o of outcomes) if (o.status === "fulfilled") expect(o.value[0].role).not.toBe("partnerdesk_app");
    const open = await withSystem(async (tx) =>
      rowsOf<{ n: number }>(
        await tx.execute(sql`select count(*)::int as n from pg_stat_activity where application_name = 'partnerdesk' and state like 'idle in transaction%' and datname = current_database()`),
      ),
    );
    expect(open[0]!.n).toBe(0);
    expect(await withSystemStatement(async (db) => rowsOf<{ role: string }>(await db.execute(sql`select current_user as role`))[0]!.role)).not.toBe("partnerdesk_app");
  });
});
