/**
 * Product keys: the CSV import and its per-row report, the stored form (no usable key at rest),
 * registration for an existing or a new customer (Partner of Record, DAP or GDAP asked at once),
 * refusals that leave nothing behind, and single use under concurrency (PostgreSQL).
 */
import { sql, type SQL } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem, withTenant } from "../../app/utils/db.server";
import { DomainError } from "../../app/utils/errors";
import { compactKey } from "../../app/modules/product-keys/key-format";
import { hashProductKey, importProductKeys, newProductKey, registerProductKey } from "../../app/modules/product-keys/product-keys.server";
import { createCustomer, createPartner, relate, uniq, type OrgFixture } from "../support/factories";
import { installTestDatabase, testDbKind } from "../support/db";
import { Browser } from "../support/http";

installTestDatabase();

const one = async <T>(q: SQL) => (await withSystem(async (tx) => rowsOf<T>(await tx.execute(q))))[0]!;
const all = async <T>(q: SQL) => withSystem(async (tx) => rowsOf<T>(await tx.execute(q)));

let P: OrgFixture;
let other: OrgFixture;
let customer: OrgFixture;
const actorOf = (p: OrgFixture, role = "sales_agent") => ({ userId: p.users[role]!.id, orgId: p.orgId });
const asPartner = <T>(p: OrgFixture, fn: Parameters<typeof withTenant<T>>[1]) => withTenant({ orgId: p.orgId, userId: p.users.sales_agent!.id }, fn);

async function importKeys(p: OrgFixture, rows: string[][]) {
  const text = ["key,product,licences", ...rows.map((r) => r.join(","))].join("\n");
  return asPartner(p, (tx) => importProductKeys(tx, { partnerId: p.orgId, actor: actorOf(p), fileName: "keys.csv", text }));
}

async function register(p: OrgFixture, key: string, customerArg: { existingId: string } | { create: Record<string, string | null> }, delegated: object = { kind: "none" }) {
  return asPartner(p, (tx) =>
    registerProductKey(tx, { partnerId: p.orgId, actor: actorOf(p), input: { key, customer: customerArg as never, delegated: delegated as never } }),
  );
}

beforeAll(async () => {
  [P, other, customer] = await Promise.all([createPartner(), createPartner(), createCustomer()]);
  await relate(P, customer);
  await withSystem((tx) => tx.execute(sql`update organisations set is_authorised_advisor = true, is_dap_certified = true where id in (${P.orgId}, ${other.orgId})`));
});

describe("import", () => {
  it("reports every row, accepted or refused with the reason, and stores no usable key", async () => {
    const good = [newProductKey(), newProductKey(), newProductKey()];
    const othersKey = newProductKey();
    await importKeys(other, [[othersKey, "visio-plan-2", "2"]]);
    const typo = (() => {
      const k = compactKey(newProductKey());
      return `${k.slice(0, 24)}${k[24] === "B" ? "C" : "B"}`;
    })();
    const result = await importKeys(P, [
      [good[0]!, "business-premium", "25"],
      [compactKey(good[1]!).toLowerCase(), "Business Standard", "10"],
      [good[0]!, "business-premium", "5"],
      [typo, "business-premium", "5"],
      ["OOOOO-11111-IIIII-00000-SSSSS", "business-premium", "5"],
      ["ABC", "business-premium", "5"],
      [good[2]!, "no-such-product", "5"],
      [newProductKey(), "business-premium", "0"],
      [newProductKey(), "business-premium", "many"],
      ["", "business-premium", "5"],
      [othersKey, "visio-plan-2", "2"],
    ]);
    expect(result).toMatchObject({ accepted: 2, refused: 9 });
    const report = (await one<{ report: { line: number; accepted: boolean; message: string; lastGroup: string | null }[] }>(sql`select report from product_key_imports where id = ${result.importId}`)).report;
    expect(report.map((r) => [r.line, r.accepted])).toEqual([
      [2, true],
      [3, true],
      [4, false],
      [5, false],
      [6, false],
      [7, false],
      [8, false],
      [9, false],
      [10, false],
      [11, false],
      [12, false],
    ]);
    expect(report[2]!.message).toBe("The same key is on line 2 of this file.");
    expect(report[3]!.message).toMatch(/typo: its check character does not match/);
    expect(report[4]!.message).toMatch(/never contains O, 1, I, 0, S/);
    expect(report[5]!.message).toMatch(/25 letters and digits in five groups of five/);
    expect(report[6]!.message).toMatch(/Unknown product "no-such-product"/);
    expect(report[7]!.message).toMatch(/whole number from 1 to 300/);
    expect(report[8]!.message).toMatch(/whole number from 1 to 300/);
    expect(report[9]!.message).toBe("The key is missing.");
    expect(report[10]!.message).toMatch(/already held by another partner/);
    // The report keeps no key; the table keeps a keyed hash and the last group only.
    expect(JSON.stringify(report)).not.toContain(compactKey(good[0]!).slice(0, 20));
    const stored = await all<{ key_hash: string; last_group: string; product_id: string; licences: number }>(
      sql`select key_hash, last_group, product_id, licences from product_keys where partner_org_id = ${P.orgId} order by licences desc`,
    );
    expect(stored).toEqual([
      { key_hash: hashProductKey(compactKey(good[0]!)), last_group: compactKey(good[0]!).slice(20), product_id: "business-premium", licences: 25 },
      { key_hash: hashProductKey(compactKey(good[1]!)), last_group: compactKey(good[1]!).slice(20), product_id: "business-standard", licences: 10 },
    ]);
    for (const s of stored) expect(s.key_hash).toMatch(/^[0-9a-f]{64}$/);
    // Importing the same keys again: already in the inventory.
    const again = await importKeys(P, [[good[0]!, "business-premium", "25"]]);
    expect(again).toMatchObject({ accepted: 0, refused: 1 });
    expect((await one<{ report: { message: string }[] }>(sql`select report from product_key_imports where id = ${again.importId}`)).report[0]!.message).toBe("Already in your inventory.");
  });

  it("refuses a file without the three columns, and a partner that is not an authorised advisor", async () => {
    await expect(asPartner(P, (tx) => importProductKeys(tx, { partnerId: P.orgId, actor: actorOf(P), fileName: null, text: "serial,sku\nx,y" }))).rejects.toThrow(
      /must name the columns key, product and licences \(missing: key, licences\)/,
    );
    const plain = await createPartner();
    await expect(importKeys(plain, [[newProductKey(), "business-premium", "5"]])).rejects.toThrow(/authorised as subscription advisors/);
  });

  it("imports an uploaded file over HTTP and shows the report page; a helpdesk agent may not", async () => {
    const ga = new Browser();
    await ga.signIn(P.users.sales_agent!.email);
    const form = new FormData();
    const key = newProductKey();
    form.append("file", new File([`key,product,licences\n${key},visio-plan-2,3\nbad,visio-plan-2,3\n`], "upload.csv", { type: "text/csv" }));
    const res = await ga.fetch("/partner/product-keys?index", { multipart: form });
    expect(res.status).toBe(302);
    const report = await ga.html(res.headers.get("Location")!);
    expect(report.status).toBe(200);
    expect(report.text).toContain("upload.csv");
    expect(report.text).toContain("1 row was refused");
    expect(report.text).toContain("25 letters and digits in five groups of five");
    expect(report.text).toContain(`•••••-•••••-•••••-•••••-${key.slice(-5)}`);
    const inventory = await ga.html("/partner/product-keys");
    expect(inventory.text).toContain(key.slice(-5));
    expect(inventory.text).not.toContain(key.slice(0, 11));
    const helpdesk = new Browser();
    await helpdesk.signIn(P.users.helpdesk_agent!.email);
    expect((await helpdesk.fetch("/partner/product-keys?index", { form: { csv: `key,product,licences\n${newProductKey()},visio-plan-2,3` } })).status).toBe(403);
    const empty = await ga.fetch("/partner/product-keys?index", { form: { csv: "" } });
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain("Choose a CSV file, or paste its content.");
  });
});

describe("registration", () => {
  it("creates the subscription from the key for an existing customer with the partner as Partner of Record", async () => {
    const key = newProductKey();
    await importKeys(P, [[key, "business-premium", "25"]]);
    const result = await register(P, key.toLowerCase(), { existingId: customer.orgId });
    expect(result).toMatchObject({ customerId: customer.orgId, created: false, licences: 25, delegated: "none" });
    expect(await one(sql`select product_id, licences, status, advisor_partner_org_id as por from subscriptions where id = ${result.subscriptionId}`)).toEqual({
      product_id: "business-premium",
      licences: 25,
      status: "active",
      por: P.orgId,
    });
    expect(await one(sql`select status, customer_org_id, subscription_id, used_by_user_id from product_keys where key_hash = ${hashProductKey(compactKey(key))}`)).toEqual({
      status: "used",
      customer_org_id: customer.orgId,
      subscription_id: result.subscriptionId,
      used_by_user_id: P.users.sales_agent!.id,
    });
    expect(await one(sql`select status from relationships where partner_org_id = ${P.orgId} and customer_org_id = ${customer.orgId} and type = 'advisor'`)).toEqual({ status: "active" });
    expect((await one<{ n: number }>(sql`select count(*)::int as n from audit_log where action = 'product_key.registered' and object_id = ${result.subscriptionId}`)).n).toBe(1);
    expect((await one<{ n: number }>(sql`select count(*)::int as n from jobs where kind = 'notify' and payload->>'orgId' = ${customer.orgId} and payload->>'kind' = 'subscription.registered'`)).n).toBe(1);

    // Used once: the same key again is refused with when and for whom.
    const again = await register(P, key, { existingId: customer.orgId }).catch((e: DomainError) => e);
    expect(again).toBeInstanceOf(DomainError);
    expect(again).toMatchObject({ status: 409, field: "key" });
    expect((again as DomainError).message).toMatch(new RegExp(`already registered for ${customer.name} on \\d{4}-\\d\\d-\\d\\d`));
  });

  it("refuses unknown, malformed and other partners' keys and another partner's customer, leaving the key available and nothing created", async () => {
    const mine = newProductKey();
    const theirs = newProductKey();
    await importKeys(P, [[mine, "visio-plan-2", "2"]]);
    await importKeys(other, [[theirs, "visio-plan-2", "2"]]);
    const before = (await one<{ n: number }>(sql`select count(*)::int as n from subscriptions where customer_org_id = ${customer.orgId}`)).n;
    await expect(register(P, newProductKey(), { existingId: customer.orgId })).rejects.toMatchObject({ status: 404, field: "key" });
    await expect(register(P, theirs, { existingId: customer.orgId })).rejects.toMatchObject({ status: 404, field: "key" });
    await expect(register(P, "ABCDE-FGHIJ-KLMNO", { existingId: customer.orgId })).rejects.toMatchObject({ status: 400, field: "key" });
    const stranger = await createCustomer();
    await expect(register(P, mine, { existingId: stranger.orgId })).rejects.toMatchObject({ status: 404, field: "customer" });
    // A taken domain for a new customer: the whole registration rolls back.
    await expect(
      register(P, mine, { create: { name: "Taken Ltd", primaryDomain: customer.domain, country: "DK", contactFirstName: "T", contactLastName: "T", contactEmail: `t-${uniq()}@t.test`, contactPhone: null } }),
    ).rejects.toMatchObject({ status: 409, field: "primaryDomain" });
    expect(await one(sql`select status, customer_org_id from product_keys where key_hash = ${hashProductKey(compactKey(mine))}`)).toEqual({ status: "available", customer_org_id: null });
    expect(await one(sql`select status from product_keys where key_hash = ${hashProductKey(compactKey(theirs))}`)).toEqual({ status: "available" });
    expect((await one<{ n: number }>(sql`select count(*)::int as n from subscriptions where customer_org_id = ${customer.orgId}`)).n).toBe(before);
  });

  it("creates a new customer in the same step, pending its agreement, and asks for DAP", async () => {
    const key = newProductKey();
    await importKeys(P, [[key, "business-standard", "12"]]);
    const domain = `newco-${uniq()}.test`;
    const email = `owner@${domain}`;
    const result = await register(
      P,
      key,
      { create: { name: "Newco Ltd", primaryDomain: domain, country: "NO", contactFirstName: "Nora", contactLastName: "Nilsen", contactEmail: email, contactPhone: null } },
      { kind: "dap" },
    );
    expect(result).toMatchObject({ created: true, licences: 12, delegated: "dap" });
    const rels = await all<{ type: string; status: string }>(sql`select type, status from relationships where partner_org_id = ${P.orgId} and customer_org_id = ${result.customerId} order by type`);
    expect(rels).toEqual([
      { type: "advisor", status: "pending" },
      { type: "dap", status: "requested" },
      { type: "reseller", status: "pending" },
    ]);
    expect(await one(sql`select product_id, licences, advisor_partner_org_id as por from subscriptions where customer_org_id = ${result.customerId}`)).toEqual({ product_id: "business-standard", licences: 12, por: P.orgId });
    expect((await one<{ n: number }>(sql`select count(*)::int as n from mail_outbox where ${email} = any("to") and text_body like '%/activate/%'`)).n).toBe(1);
    // Accepting the agreement activates the reseller and advisor relationships; DAP waits for approval.
    await withSystem((tx) => tx.execute(sql`insert into agreement_acceptances (customer_org_id, version) values (${result.customerId}, pd_current_agreement_version())`));
    expect(await all(sql`select type, status from relationships where partner_org_id = ${P.orgId} and customer_org_id = ${result.customerId} order by type`)).toEqual([
      { type: "advisor", status: "active" },
      { type: "dap", status: "requested" },
      { type: "reseller", status: "active" },
    ]);
  });

  it("asks for GDAP with the chosen roles, and a bad GDAP choice refuses the whole registration", async () => {
    const [k1, k2] = [newProductKey(), newProductKey()];
    await importKeys(P, [
      [k1, "visio-plan-2", "2"],
      [k2, "visio-plan-2", "2"],
    ]);
    const name = `Key GDAP ${uniq()}`;
    const ok = await register(P, k1, { existingId: customer.orgId }, { kind: "gdap", displayName: name, durationDays: 180, roles: ["729827e3-9c14-49f7-bb1b-9608f156bbb8"] });
    expect(await one(sql`select status, duration_days, roles from admin_relationships where id = ${ok.gdapId}`)).toEqual({ status: "approval_pending", duration_days: 180, roles: ["729827e3-9c14-49f7-bb1b-9608f156bbb8"] });
    // The same name for other roles is taken (the same request again would be that open request: ADR 0029).
    await expect(register(P, k2, { existingId: customer.orgId }, { kind: "gdap", displayName: name, durationDays: 90, roles: ["729827e3-9c14-49f7-bb1b-9608f156bbb8"] })).rejects.toMatchObject({
      status: 409,
      field: "gdapName",
    });
    expect(await one(sql`select status from product_keys where key_hash = ${hashProductKey(compactKey(k2))}`)).toEqual({ status: "available" });
  });

  it("the database makes a subscription only from a key this partner has just marked used for that customer", async () => {
    const key = newProductKey();
    await importKeys(other, [[key, "visio-plan-2", "2"]]);
    const [row] = await all<{ id: string }>(sql`select id from product_keys where key_hash = ${hashProductKey(compactKey(key))}`);
    // P calling the function with another partner's (available) key: refused.
    const refused = await asPartner(P, (tx) => tx.execute(sql`select pd_subscription_from_key(${row!.id}, ${customer.orgId})`)).catch((e: Error) => e);
    expect(refused).toBeInstanceOf(Error);
    expect((await one<{ n: number }>(sql`select count(*)::int as n from subscriptions where customer_org_id = ${customer.orgId} and product_id = 'visio-plan-2' and licences = 2 and advisor_partner_org_id = ${other.orgId}`)).n).toBe(0);
  });

  it("registers over HTTP: a typo is a field error, a good key redirects to the customer", async () => {
    const sales = new Browser();
    await sales.signIn(P.users.sales_agent!.email);
    const key = newProductKey();
    await importKeys(P, [[key, "visio-plan-2", "3"]]);
    const typo = `${compactKey(key).slice(0, 24)}${compactKey(key)[24] === "B" ? "C" : "B"}`;
    const bad = await sales.fetch("/partner/product-keys/register", { form: { key: typo, customerMode: "existing", customerDomain: customer.domain, delegated: "none" } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("check character does not match");
    const missing = await sales.fetch("/partner/product-keys/register", { form: { key, customerMode: "new", delegated: "none" } });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain("Enter the company name.");
    const ok = await sales.fetch("/partner/product-keys/register", { form: { key, customerMode: "existing", customerDomain: customer.domain, delegated: "none" } });
    expect(ok.status).toBe(302);
    expect(ok.headers.get("Location")).toBe(`/partner/customers/${customer.orgId}`);
    const detail = await sales.html(`/partner/customers/${customer.orgId}`);
    expect(detail.text).toContain("Visio Plan 2");
    expect(detail.text).toContain("Partner of record");
    const billing = new Browser();
    await billing.signIn(P.users.billing_admin!.email);
    expect((await billing.html("/partner/product-keys/register")).status).toBe(403);
  });
});

describe.runIf(testDbKind() === "postgres")("single use under concurrency", () => {
  it("50 concurrent registrations of one key give one subscription and 49 clear refusals", async () => {
    const key = newProductKey();
    await importKeys(P, [[key, "business-basic", "7"]]);
    const targets = await Promise.all(Array.from({ length: 5 }, () => createCustomer()));
    for (const t of targets) await relate(P, t);
    const before = (await one<{ n: number }>(sql`select count(*)::int as n from subscriptions where advisor_partner_org_id = ${P.orgId} and product_id = 'business-basic'`)).n;
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => register(P, key, { existingId: targets[i % targets.length]!.orgId })));
    const won = outcomes.filter((o) => o.status === "fulfilled");
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(49);
    for (const l of lost) {
      expect(l.reason).toBeInstanceOf(DomainError);
      expect(l.reason).toMatchObject({ status: 409, field: "key" });
      expect((l.reason as DomainError).message).toMatch(/already registered/);
    }
    const after = (await one<{ n: number }>(sql`select count(*)::int as n from subscriptions where advisor_partner_org_id = ${P.orgId} and product_id = 'business-basic'`)).n;
    expect(after - before).toBe(1);
  });
});
