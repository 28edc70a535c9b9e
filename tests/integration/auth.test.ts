import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem } from "../../app/utils/db.server";
import { createPartner, PASSWORD, type OrgFixture } from "../support/factories";
import { lastMailTo } from "../support/mail";
import { installTestDatabase } from "../support/db";
import { Browser } from "../support/http";
import { runJobs } from "../support/jobs";
import { checkOrigin } from "../../app/utils/origin.server";

installTestDatabase();

let partner: OrgFixture;
beforeAll(async () => {
  partner = await createPartner();
});


describe("sign-in and sessions", () => {
  it("signs in, rotates the session id at every sign-in, and signs out", async () => {
    const b = new Browser();
    const res = await b.signIn(partner.users.global_admin!.email);
    expect(res.headers.get("Location")).toBe("/partner");
    const setCookie = res.headers.get("Set-Cookie")!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const first = b.cookies.get("__pd_session");
    expect((await b.html("/partner")).status).toBe(200);

    await b.signIn(partner.users.global_admin!.email);
    const second = b.cookies.get("__pd_session");
    expect(second).not.toBe(first);
    const stale = new Browser();
    stale.cookies.set("__pd_session", first!);
    expect((await stale.html("/partner")).status).toBe(302); // the old session is gone

    expect((await b.fetch("/signout", { form: {} })).status).toBe(302);
    const after = new Browser();
    after.cookies.set("__pd_session", second!);
    expect((await after.html("/partner")).location).toMatch(/^\/signin/);
  });

  it("gives the same error for an unknown account and a wrong password", async () => {
    const b = new Browser();
    const unknown = await b.fetch("/signin", { form: { email: "nobody@nowhere.test", password: "whatever-password" } });
    const wrong = await b.fetch("/signin", { form: { email: partner.users.sales_agent!.email, password: "wrong-password-123" } });
    expect(unknown.status).toBe(wrong.status);
    const [t1, t2] = [await unknown.text(), await wrong.text()];
    expect(t1).toContain("The email address or password is not correct.");
    expect(t2).toContain("The email address or password is not correct.");
  });

  it("throttles an account from one IP after repeated failures with Retry-After, even for the right password; other IPs are not locked out", async () => {
    const email = partner.users.billing_admin!.email;
    const ip = "192.0.2.77";
    for (let i = 0; i < 5; i++) {
      const res = await new Browser(ip).fetch("/signin", { form: { email, password: `wrong-${i}-password` } });
      expect(res.status).toBe(401);
    }
    const blocked = await new Browser(ip).fetch("/signin", { form: { email, password: PASSWORD } });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await blocked.text()).toContain("Too many failed sign-in attempts");
    const [state] = await withSystem(async (tx) => rowsOf<{ failures: number }>(await tx.execute(sql`select failures from login_throttle where key = ${`account-ip:${email}|${ip}`}`)));
    expect(state!.failures).toBe(5);
    expect((await new Browser("192.0.2.78").fetch("/signin", { form: { email, password: PASSWORD } })).status).toBe(302);
  });

  it("refuses cross-origin mutations and allows same-origin ones", () => {
    expect(checkOrigin({ method: "POST", origin: "https://evil.test" }, "http://localhost:3999").ok).toBe(false);
    expect(checkOrigin({ method: "POST" }, "http://localhost:3999").ok).toBe(false);
    expect(checkOrigin({ method: "POST", origin: "http://localhost:3999" }, "http://localhost:3999").ok).toBe(true);
    expect(checkOrigin({ method: "POST", referer: "http://localhost:3999/signin" }, "http://localhost:3999").ok).toBe(true);
    expect(checkOrigin({ method: "GET", origin: "https://evil.test" }, "http://localhost:3999").ok).toBe(true);
  });

  it("GET /signout does not sign out", async () => {
    const b = new Browser();
    await b.signIn(partner.users.helpdesk_agent!.email);
    await b.html("/signout");
    expect((await b.html("/partner")).status).toBe(200);
  });
});

describe("passwords", () => {
  it("resets a forgotten password by a single-use emailed link that ends other sessions", async () => {
    const p = await createPartner(["global_admin"]);
    const email = p.users.global_admin!.email;
    const other = new Browser();
    await other.signIn(email);
    const res = await new Browser().fetch("/forgot-password", { form: { email } });
    expect(res.status).toBe(200);
    await runJobs(["auth.password_reset"]); // the mail is sent by a job (the same work for unknown addresses)
    const link = (await lastMailTo(email)).match(/\/reset-password\/[\w-]+/)![0];
    const b = new Browser();
    expect((await b.html(link)).status).toBe(200);
    const save = await b.fetch(link, { form: { password: "a-brand-new-password", confirmPassword: "a-brand-new-password" } });
    expect(save.status).toBe(302);
    expect((await b.html(link)).status).toBe(410); // single use
    expect((await other.html("/partner")).status).toBe(302); // signed out everywhere
    await new Browser().signIn(email, "a-brand-new-password");
    expect((await new Browser().html("/reset-password/not-a-real-token")).status).toBe(404);
  });

  it("answers the same for unknown addresses (no enumeration) and mails nothing", async () => {
    const res = await new Browser().fetch("/forgot-password", { form: { email: "ghost@nowhere.test" } });
    expect(res.status).toBe(200);
    await runJobs(["auth.password_reset"]);
    expect(await lastMailTo("ghost@nowhere.test")).toBe("");
  });

  it("changes the password with the current one; a wrong current password is a field error", async () => {
    const p = await createPartner(["global_admin"]);
    const b = await new Browser();
    await b.signIn(p.users.global_admin!.email);
    const bad = await b.fetch("/account", { form: { currentPassword: "nope-nope-nope", password: "another-long-password", confirmPassword: "another-long-password" } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("The current password is not correct.");
    const short = await b.fetch("/account", { form: { currentPassword: PASSWORD, password: "short", confirmPassword: "short" } });
    expect(short.status).toBe(400);
    expect(await short.text()).toContain("Use at least 12 characters.");
    const ok = await b.fetch("/account", { form: { currentPassword: PASSWORD, password: "another-long-password", confirmPassword: "another-long-password" } });
    expect(ok.status).toBe(302);
    expect((await b.html("/partner")).status).toBe(200); // the current session stays
    await new Browser().signIn(p.users.global_admin!.email, "another-long-password");
  });
});

describe("audit", () => {
  it("records sign-ins with actor, organisation and IP", async () => {
    const p = await createPartner(["global_admin"]);
    const b = new Browser("192.0.2.55");
    await b.signIn(p.users.global_admin!.email);
    const page = await b.html("/partner/audit");
    expect(page.text).toContain("auth.sign_in");
    expect(page.text).toContain("192.0.2.55");
  });

  it("cannot be changed or deleted, even by the owner", async () => {
    await expect(withSystem((tx) => tx.execute(sql`update audit_log set action = 'x'`))).rejects.toThrow();
    await expect(withSystem((tx) => tx.execute(sql`delete from audit_log`))).rejects.toThrow();
  });
});
