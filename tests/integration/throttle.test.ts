/**
 * Sign-in throttling that cannot be raced or used to lock a person out, and rate-limited
 * password-reset requests that answer alike whether or not the account exists (issue 28 item 5).
 */
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem } from "../../app/utils/db.server";
import { signIn } from "../../app/modules/auth/accounts.server";
import { readDevice, rememberDevice, type ThrottleLimits } from "../../app/modules/auth/throttle.server";
import { createPartner, PASSWORD, uniq } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { Browser } from "../support/http";
import { runJobs } from "../support/jobs";

installTestDatabase();

const count = async (q: ReturnType<typeof sql>) => Number((await withSystem(async (tx) => rowsOf<{ n: number }>(await tx.execute(q))))[0]!.n);
/** Password verifications of wrong passwords for an existing account: each writes one audit row. */
const failedChecks = (userId: string) => count(sql`select count(*)::int as n from audit_log where action = 'auth.sign_in_failed' and object_id = ${userId}`);
const mailsTo = (email: string, subject: string) => count(sql`select count(*)::int as n from mail_outbox where ${email} = any("to") and subject = ${subject}`);
const ipv4 = () => `198.18.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
const NOTICE = "Sign-in to your Partnerdesk account was paused";

describe("sign-in throttling", () => {
  it("100 simultaneous wrong passwords from one IP get at most the limit of password checks; the right password from another IP still works", async () => {
    const p = await createPartner(["global_admin"]);
    const { id, email } = p.users.global_admin!;
    const attacker = ipv4();
    const responses = await Promise.all(
      Array.from({ length: 100 }, (_, i) => new Browser(attacker).fetch("/signin", { form: { email, password: `wrong-password-${i}` } })),
    );
    const statuses = responses.map((r) => r.status);
    // LOGIN_MAX_FAILURES_PER_ACCOUNT = 5: five were checked (401), the rest refused unchecked (429).
    expect(await failedChecks(id)).toBe(5);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(95);
    const refused = responses.find((r) => r.status === 429)!;
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await refused.text()).toContain("Too many failed sign-in attempts");

    // From the attacker's IP even the right password waits; from anywhere else the person signs in.
    expect((await new Browser(attacker).fetch("/signin", { form: { email, password: PASSWORD } })).status).toBe(429);
    const person = new Browser(ipv4());
    expect((await person.fetch("/signin", { form: { email, password: PASSWORD } })).status).toBe(302);
    expect((await person.secondFactor(email)).status).toBe(302);
    expect((await person.html("/partner")).status).toBe(200);
  });

  it("a browser the person signed in from before is not locked out, even from the throttled IP", async () => {
    const p = await createPartner(["global_admin"]);
    const { email } = p.users.global_admin!;
    const shared = ipv4(); // one office NAT: the person and a guesser share the address
    const laptop = new Browser(shared);
    await laptop.signIn(email);
    expect(laptop.cookies.has("__pd_device")).toBe(true);
    for (let i = 0; i < 6; i++) await new Browser(shared).fetch("/signin", { form: { email, password: `guess-${i}-password` } });
    expect((await new Browser(shared).fetch("/signin", { form: { email, password: PASSWORD } })).status).toBe(429);
    expect((await laptop.fetch("/signin", { form: { email, password: PASSWORD } })).status).toBe(302);
    // A device cookie names its accounts: it does not help with another account.
    const other = await createPartner(["global_admin"]);
    for (let i = 0; i < 5; i++) await laptop.fetch("/signin", { form: { email: other.users.global_admin!.email, password: `guess-${i}-password` } });
    const stranger = new Browser(shared);
    stranger.cookies.set("__pd_device", laptop.cookies.get("__pd_device")!);
    expect((await stranger.fetch("/signin", { form: { email: other.users.global_admin!.email, password: PASSWORD } })).status).toBe(429);
  });

  it("guessing spread over many IPs meets the account-wide limit, which spares known browsers; the person is mailed once per window", async () => {
    const limits: ThrottleLimits = { maxPerAccount: 5, maxPerIp: 50, maxPerAccountWide: 10, windowSeconds: 900 };
    const p = await createPartner(["global_admin"]);
    const { id, email } = p.users.global_admin!;
    // Earlier, the person signed in from their laptop.
    const before = await signIn({ email, password: PASSWORD, ip: ipv4(), userAgent: null, device: null, limits });
    expect(before.ok).toBe("second-factor");
    // The browser is remembered once the second factor is done (the device cookie /signin/verify sets).
    expect(before).not.toHaveProperty("deviceCookie");
    const cookie = (await rememberDevice(null, email)).split(";")[0]!;
    const device = await readDevice(new Request("http://localhost/", { headers: { Cookie: cookie } }));
    expect(device).not.toBeNull();

    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => signIn({ email, password: `distributed-${i}-guess`, ip: ipv4(), userAgent: null, device: null, limits })),
    );
    expect(await failedChecks(id)).toBeLessThanOrEqual(10);
    expect(results.filter((r) => !r.ok && r.reason === "throttled").length).toBeGreaterThanOrEqual(30);

    // A new browser, anywhere, waits; the laptop does not.
    expect(await signIn({ email, password: PASSWORD, ip: ipv4(), userAgent: null, device: null, limits })).toMatchObject({ ok: false, reason: "throttled" });
    expect((await signIn({ email, password: PASSWORD, ip: ipv4(), userAgent: null, device, limits })).ok).toBe("second-factor");

    // One notice for the window, however many attempts were refused.
    await runJobs(["auth.throttle_notice"]);
    expect(await mailsTo(email, NOTICE)).toBe(1);
    await signIn({ email, password: "one-more-wrong-guess", ip: ipv4(), userAgent: null, device: null, limits });
    await runJobs(["auth.throttle_notice"]);
    expect(await mailsTo(email, NOTICE)).toBe(1);
    // The notice's job keeps no address once it ran.
    expect(await count(sql`select count(*)::int as n from jobs where kind = 'auth.throttle_notice' and payload::text like ${`%${email}%`}`)).toBe(0);
  });

  it("an IP that tries many accounts is throttled for all of them, and only there", async () => {
    const limits: ThrottleLimits = { maxPerAccount: 5, maxPerIp: 3, maxPerAccountWide: 100, windowSeconds: 60 };
    const p = await createPartner(["global_admin"]);
    const ip = ipv4();
    for (let i = 0; i < 3; i++) {
      expect(await signIn({ email: `guess-${i}-${uniq()}@x.test`, password: "nope-nope-nope", ip, userAgent: null, device: null, limits })).toEqual({ ok: false, reason: "invalid" });
    }
    expect(await signIn({ email: p.users.global_admin!.email, password: PASSWORD, ip, userAgent: null, device: null, limits })).toMatchObject({ ok: false, reason: "throttled" });
    expect((await signIn({ email: p.users.global_admin!.email, password: PASSWORD, ip: ipv4(), userAgent: null, device: null, limits })).ok).toBe("second-factor");
    // An IP-only refusal is not the account's: no notice.
    await runJobs(["auth.throttle_notice"]);
    expect(await mailsTo(p.users.global_admin!.email, NOTICE)).toBe(0);
  });

  it("successful sign-ins do not use up an IP's allowance", async () => {
    const limits: ThrottleLimits = { maxPerAccount: 5, maxPerIp: 3, maxPerAccountWide: 100, windowSeconds: 60 };
    const p = await createPartner(["global_admin"]);
    const ip = ipv4();
    for (let i = 0; i < 10; i++) expect((await signIn({ email: p.users.global_admin!.email, password: PASSWORD, ip, userAgent: null, device: null, limits })).ok).toBe("second-factor");
  });
});

describe("the current-password check on /account", () => {
  it("is throttled like sign-in: a stolen session guesses no faster there, the guesses count with sign-in's, and the person's own browser still changes the password", async () => {
    const p = await createPartner(["global_admin"]);
    const { id, email } = p.users.global_admin!;
    const person = new Browser(ipv4());
    await person.signIn(email);
    // The session cookie copied to another machine, without the person's device cookie.
    const attacker = ipv4();
    const stolen = () => {
      const b = new Browser(attacker);
      for (const [k, v] of person.cookies) if (k !== "__pd_device") b.cookies.set(k, v);
      return b;
    };
    const hashBefore = await withSystem(async (tx) => rowsOf<{ h: string }>(await tx.execute(sql`select password_hash as h from users where id = ${id}`)));
    const guess = (current: string) => stolen().fetch("/account", { form: { currentPassword: current, password: "attacker-chosen-password", confirmPassword: "attacker-chosen-password" } });
    const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => guess(`guess-${i}-of-the-password`)));
    const statuses = responses.map((r) => r.status);
    // LOGIN_MAX_FAILURES_PER_ACCOUNT = 5 guesses checked (400, a field error), the rest refused unchecked (429).
    expect(await count(sql`select count(*)::int as n from audit_log where action = 'auth.password_change_failed' and object_id = ${id}`)).toBe(5);
    expect(statuses.filter((s) => s === 400)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
    const refused = responses.find((r) => r.status === 429)!;
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect((await refused.text()).replaceAll("<!-- -->", "")).toContain("Too many wrong passwords. Try again in");
    // Even the right password waits there now, at /account and at /signin: the same keys.
    expect((await guess(PASSWORD)).status).toBe(429);
    expect((await new Browser(attacker).fetch("/signin", { form: { email, password: PASSWORD } })).status).toBe(429);
    const hashAfter = await withSystem(async (tx) => rowsOf<{ h: string }>(await tx.execute(sql`select password_hash as h from users where id = ${id}`)));
    expect(hashAfter).toEqual(hashBefore);

    // The person, in the browser they signed in from, is not locked out.
    const changed = await person.fetch("/account", { form: { currentPassword: PASSWORD, password: "the-persons-new-password", confirmPassword: "the-persons-new-password" } });
    expect(changed.status).toBe(302);
    expect((await person.html("/partner")).status).toBe(200);
    expect((await new Browser(ipv4()).fetch("/signin", { form: { email, password: "the-persons-new-password" } })).status).toBe(302);
  });
});

describe("password-reset requests", () => {
  const RESET = "Reset your Partnerdesk password";
  const text = async (res: Response) => (await res.text()).replace(/nonce="[^"]*"/g, "");

  it("answer alike and do the same work whether or not the account exists; only an existing account gets mail", async () => {
    const p = await createPartner(["global_admin"]);
    const known = p.users.global_admin!.email;
    const unknown = `nobody-${uniq()}@nowhere.test`;
    const a = await new Browser(ipv4()).fetch("/forgot-password", { form: { email: known } });
    const b = await new Browser(ipv4()).fetch("/forgot-password", { form: { email: unknown } });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    const [ta, tb] = [await text(a), await text(b)];
    expect(ta).toContain("If an account exists for that address");
    expect(ta.replaceAll(known, "")).toBe(tb.replaceAll(unknown, ""));
    // The same work: one job each, whatever the address.
    const jobsFor = (email: string) => count(sql`select count(*)::int as n from jobs where kind = 'auth.password_reset' and payload->>'email' = ${email}`);
    expect(await jobsFor(known)).toBe(1);
    expect(await jobsFor(unknown)).toBe(1);
    await runJobs(["auth.password_reset"]);
    expect(await mailsTo(known, RESET)).toBe(1);
    expect(await mailsTo(unknown, RESET)).toBe(0);
    expect(await jobsFor(known)).toBe(0); // the address left the job once it ran
  });

  it("are limited per address (the same answer, no more mail) and per IP (429 with Retry-After)", async () => {
    const p = await createPartner(["global_admin"]);
    const email = p.users.global_admin!.email;
    // PASSWORD_RESET_MAX_PER_EMAIL_PER_HOUR = 3, from different IPs.
    for (let i = 0; i < 6; i++) {
      const res = await new Browser(ipv4()).fetch("/forgot-password", { form: { email } });
      expect(res.status).toBe(200);
      expect(await res.text()).toContain("If an account exists for that address");
    }
    await runJobs(["auth.password_reset"]);
    expect(await mailsTo(email, RESET)).toBe(3);

    // PASSWORD_RESET_MAX_PER_IP_PER_HOUR = 10, whatever the addresses.
    const ip = ipv4();
    for (let i = 0; i < 10; i++) expect((await new Browser(ip).fetch("/forgot-password", { form: { email: `someone-${i}-${uniq()}@x.test` } })).status).toBe(200);
    const refused = await new Browser(ip).fetch("/forgot-password", { form: { email: `someone-else-${uniq()}@x.test` } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await refused.text()).toContain("Too many reset requests from your network");
  });
});
