/**
 * No 5xx for bad input (issue 28 item 4, ADR 0027): a property-based test (fast-check) that walks
 * the build's route manifest, as the isolation test does, and sends every loader and action
 * generated bad input — bodies of the wrong type, size or encoding, NUL and other control
 * characters, huge and odd Unicode strings in every field and search parameter, numbers beyond the
 * database's ranges, malformed uuids, cursors and dates, CR/LF in redirectTo, odd methods and
 * Origins — as a partner global admin, a sales agent, a customer global admin and an anonymous
 * visitor. Each request must be answered below 500 (and its body must stream without error).
 *
 * Fields are drawn from one dictionary of every field name the app's forms use, each either a
 * plausible value (real ids of this file's organisations) or a bad one, so that generated forms
 * pass the permission gate and the intent switch and reach the domain code behind them.
 * FUZZ_RUNS scales the number of generated requests per route (default 1); FUZZ_ONLY (a regex of
 * route ids) limits the routes; a failure prints the request and fast-check's seed (FUZZ_SEED
 * replays it); FUZZ_STATS=1 prints the statuses per route.
 */
import { sql } from "drizzle-orm";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem, withTenant } from "../../app/utils/db.server";
import { createLink } from "../../app/modules/links/links.server";
import { encodeCursor } from "../../app/utils/list";
import { newProductKey } from "../../app/modules/product-keys/product-keys.server";
import { createCustomer, createPartner, relate, type OrgFixture } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { APP, Browser, loadBuild, serve } from "../support/http";

installTestDatabase();

const SCALE = Number(process.env.FUZZ_RUNS ?? "1");
const LOADER_RUNS = Math.max(1, Math.round(16 * SCALE));
const ACTION_RUNS = Math.max(1, Math.round(48 * SCALE));
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : undefined;

const ROLES = ["partner-admin", "sales-agent", "customer-admin", "anonymous"] as const;
type Role = (typeof ROLES)[number];

let A: OrgFixture, B: OrgFixture, C: OrgFixture;
const ids: Record<string, string[]> = {};
let linkCode = "";
let approvalCode = "";
let agreementVersion = "";
const signedIn: Partial<Record<Role, Browser>> = {};
/** Each signed-in role's password hash as created, by email (see signInAs). */
const originalPasswordHashes: Record<string, string> = {};

const emailOf = (role: Role) => (role === "partner-admin" ? A.users.global_admin!.email : role === "sales-agent" ? A.users.sales_agent!.email : C.users.global_admin!.email);

async function signInAs(role: Role): Promise<Browser> {
  const b = new Browser("10.99.0.1");
  // The customer's Users page offers its global admin to deactivate or remove itself (once another
  // global admin exists, which the generated role changes may make): a generated request may have
  // done so. The fuzz goes on with the admin back in place.
  if (role === "customer-admin") {
    await withSystem((tx) =>
      tx.execute(sql`insert into memberships (org_id, user_id, roles, status, activated_at) values (${C.orgId}, ${C.users.global_admin!.id}, '{global_admin}', 'active', now())
                     on conflict (org_id, user_id) do update set status = 'active', roles = '{global_admin}', deactivated_at = null`),
    );
  }
  // The same page lists the admin itself, so a generated "reset password" may have given it a
  // temporary password: it gets its own back (the fuzz is about answers, not about this account).
  if (role !== "anonymous") {
    const email = emailOf(role);
    await withSystem((tx) => tx.execute(sql`update users set password_hash = ${originalPasswordHashes[email]!}, password_must_change = false where email = ${email}`));
  }
  if (role !== "anonymous") await b.signIn(emailOf(role));
  return b;
}

/** A role's long-lived session, signed in again if a generated request ended it. */
async function sessionOf(role: Role): Promise<Browser> {
  const b = (signedIn[role] ??= await signInAs(role));
  return b;
}

beforeAll(async () => {
  [A, B, C] = await Promise.all([createPartner(), createPartner(), createCustomer()]);
  for (const user of [A.users.global_admin!, A.users.sales_agent!, C.users.global_admin!]) {
    const [row] = await withSystem((tx) => tx.execute(sql`select password_hash from users where id = ${user.id}`)).then((r) => rowsOf<{ password_hash: string }>(r));
    originalPasswordHashes[user.email] = row!.password_hash;
  }
  await relate(A, C);
  await withSystem((tx) => tx.execute(sql`update organisations set is_authorised_advisor = true, is_dap_certified = true where id in (${A.orgId}, ${B.orgId})`));
  const link = await withTenant({ orgId: A.orgId, userId: A.users.sales_agent!.id }, (tx) =>
    createLink(tx, { partnerId: A.orgId, actor: { userId: A.users.sales_agent!.id, orgId: A.orgId }, link: { kind: "trial", items: [{ productId: "visio-plan-2" }], offerDap: true, message: null, expiresAt: null } }),
  );
  linkCode = new URL(link.url).pathname.split("/").pop()!;
  // The link generated forms may revoke; the one above stays open for /l/:code.
  const revocable = await withTenant({ orgId: A.orgId, userId: A.users.sales_agent!.id }, (tx) =>
    createLink(tx, { partnerId: A.orgId, actor: { userId: A.users.sales_agent!.id, orgId: A.orgId }, link: { kind: "offer", items: [{ productId: "visio-plan-2", licences: 5 }], offerDap: false, message: null, expiresAt: null } }),
  );
  approvalCode = `fuzz-code-${Date.now()}-abcdefghijklmnop`;
  await withSystem(async (tx) => {
    const one = async (q: ReturnType<typeof sql>) => rowsOf<{ id: string }>(await tx.execute(q))[0]!.id;
    await tx.execute(sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${A.orgId}, ${C.orgId}, 'dap', 'active')`);
    ids.subscription = [await one(sql`insert into subscriptions (customer_org_id, product_id, licences, status, advisor_partner_org_id, ends_at) values (${C.orgId}, 'visio-plan-2', 3, 'active', ${A.orgId}, now() + interval '30 days') returning id`)];
    ids.request = [await one(sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${B.orgId}, ${C.orgId}, 'dap', 'requested') returning id`)];
    ids.gdap = [
      await one(sql`insert into admin_relationships (partner_org_id, customer_org_id, display_name, duration_days, roles, status, approval_code, request_expires_at)
        values (${A.orgId}, ${C.orgId}, 'Fuzz GDAP', 30, '{729827e3-9c14-49f7-bb1b-9608f156bbb8}', 'approval_pending', ${approvalCode}, now() + interval '90 days') returning id`),
    ];
    ids.selection = [await one(sql`insert into customer_selections (partner_org_id, filter, all_matching, count) values (${A.orgId}, '{}', true, 1) returning id`)];
    ids.import = [await one(sql`insert into product_key_imports (partner_org_id, file_name, accepted, refused, report) values (${A.orgId}, 'keys.csv', 0, 0, '[]') returning id`)];
    ids.lead = [await one(sql`insert into leads (partner_org_id, name, email, organisation, size, country, needs) values (${A.orgId}, 'Lead', 'lead@lead.test', 'Lead Org', '10-49', 'DK', 'needs') returning id`)];
    ids.group = [await one(sql`insert into staff_groups (partner_org_id, name) values (${A.orgId}, 'Fuzz group') returning id`)];
    ids.bulk = [await one(sql`insert into bulk_operations (partner_org_id, kind, template, total) values (${A.orgId}, 'gdap', '{}', 1) returning id`)];
    ids.serviceRequest = [await one(sql`insert into service_requests (customer_org_id, title, description) values (${C.orgId}, 'Fuzz', 'Fuzz request') returning id`)];
    agreementVersion = rowsOf<{ v: string }>(await tx.execute(sql`select pd_current_agreement_version() as v`))[0]!.v;
  });
  ids.link = [revocable.id];
  ids.customer = [C.orgId];
  ids.partner = [A.orgId, B.orgId];
  // Users the generated forms may act on: never the signed-in ones (a deactivated sales agent
  // could not sign in again), so every role keeps its session and its rights.
  ids.user = [A.users.admin_agent!.id, A.users.helpdesk_agent!.id, C.users.user!.id].filter(Boolean);
  for (const role of ROLES) await sessionOf(role);
}, 120_000);

// ---------------------------------------------------------------------------------------------
// Values

const b64 = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64url");
const RANDOM_UUID = "3f9a1c2e-8b7d-4e6f-a5b4-c3d2e1f0a9b8";

/** Values that have broken something somewhere (or would): each a string as a browser may send it. */
const NASTY = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\u0000\u0000\u0000",
  "line\r\nbreak",
  "\r\nLocation: https://evil.example",
  "tab\there",
  "\u001b[31mred",
  "\u007f\u0085\u009f",
  "\u2028\u2029",
  "\u202Eevil",
  "\uFEFFbom",
  "\uD800",
  "😀👨‍👩‍👧",
  "Ω≈ç√∫˜µ≤",
  "ｆｕｌｌｗｉｄｔｈ",
  "x".repeat(5_000),
  "é".repeat(20_000),
  "' OR 1=1 --",
  "'; drop table users; --",
  "<script>alert(1)</script>",
  "%00",
  "%",
  "../../etc/passwd",
  "null",
  "undefined",
  "[]",
  "{}",
  "true",
  "-1",
  "0",
  "-0",
  "1.5",
  "1e3",
  "1e309",
  "NaN",
  "Infinity",
  "0x10",
  "２",
  "2147483647",
  "2147483648",
  "-2147483649",
  "9223372036854775807",
  "9223372036854775808",
  "99999999999999999999999999",
  "00000000-0000-0000-0000-000000000000",
  "ffffffff-ffff-ffff-ffff-ffffffffffff",
  "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
  `{${RANDOM_UUID}}`,
  "3f9a1c2e8b7d4e6fa5b4c3d2e1f0a9b8",
  "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
  `${RANDOM_UUID}\u0000`,
  "not-a-uuid",
  "2026-13-45",
  "0000-00-00",
  "9999-12-31",
  "2026-02-30T25:61:61.000000",
  "10000-01-01T00:00:00.000000",
  "0001-01-01T00:00:00.000000",
  b64(["2026-13-45T99:99:99.000000", RANDOM_UUID]),
  b64(["2026-02-30T12:00:00.000000", RANDOM_UUID]),
  b64(["2026-01-01T00:00:00.000000", "not-a-uuid"]),
  b64(["x\u0000", RANDOM_UUID]),
  b64([1e300, "a", "b"]),
  b64([Number.MAX_SAFE_INTEGER * 10, "z", RANDOM_UUID]),
  b64(["a", "b", "c", "d"]),
  b64([]),
  b64({ a: 1 }),
  b64("not json"),
  "////",
  "//evil.example",
  "/\t/evil.example",
  "/\\evil.example",
  "https://evil.example",
  "javascript:alert(1)",
];

/** What a database refuses: NUL in text, numbers past int4/int8, impossible timestamps and uuids. */
const DATABASE_REFUSES = NASTY.filter((v) => v.includes("\u0000") || /^-?\d{10,}$/.test(v) || v.length > 40 || /^\d{4}-|zzzz|g$/.test(v));

const nasty = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...DATABASE_REFUSES) },
  { weight: 4, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 8 }) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
  { weight: 1, arbitrary: fc.uuid().map((u) => u.slice(0, 35) + "g") },
);

const pick = (xs: () => string[]) => fc.constant(null).map(() => xs()[0]!);
const idOf = (kind: string) => fc.constant(null).chain(() => fc.constantFrom(...(ids[kind] ?? [RANDOM_UUID])));
const anyId = fc.constantFrom("subscription", "request", "gdap", "selection", "import", "lead", "group", "bulk", "serviceRequest", "link", "customer", "partner", "user").chain(idOf);

const INTENTS = [
  "accept", "add", "answer", "approve", "assign", "bulk-gdap", "buy", "cancel", "close", "comment", "convert", "create", "dap", "deactivate", "decline",
  "delete", "delete-partner", "email", "end", "end-reseller", "licences", "note", "open", "reactivate", "remove", "remove-partner", "remove-roles", "resend", "reset", "revoke",
  "request", "roles", "send-reset-link", "set-partner", "signup", "status", "terminate", "visit",
];

/** Every field name the app's forms use, each with plausible values (the bad ones are shared). */
const FIELDS: Record<string, fc.Arbitrary<string>> = {
  intent: fc.constantFrom(...INTENTS),
  id: anyId,
  userId: idOf("user"),
  orgId: fc.constantFrom("partner", "customer").chain(idOf),
  partnerId: idOf("partner"),
  customerId: idOf("customer"),
  groupId: idOf("group"),
  requestId: idOf("serviceRequest"),
  linkId: idOf("link"),
  subscriptionId: idOf("subscription"),
  roles: fc.constantFrom("729827e3-9c14-49f7-bb1b-9608f156bbb8", "62e90394-69f5-4237-9190-012177145e10", "sales_agent", "global_admin"),
  mode: fc.constantFrom("page", "all"),
  ids: idOf("customer"),
  email: fc.constantFrom("someone-new@fuzz.test", "lead@lead.test"),
  contactEmail: fc.constantFrom("contact@fuzz.test"),
  password: fc.constantFrom("Wrong-password-1234"),
  confirmPassword: fc.constantFrom("Wrong-password-1234"),
  currentPassword: fc.constantFrom("Wrong-password-1234"),
  displayName: fc.constantFrom("Fuzz Person"),
  name: fc.constantFrom("Fuzz Name"),
  organisationName: fc.constantFrom("Fuzz Org"),
  adminName: fc.constantFrom("Fuzz Admin"),
  organisation: fc.constantFrom("Fuzz Org"),
  namePrefix: fc.constantFrom("Fuzz"),
  gdapName: fc.constantFrom("Fuzz GDAP"),
  title: fc.constantFrom("A title"),
  primaryDomain: fc.constantFrom("fuzz.example"),
  customerDomain: pick(() => [C.domain]),
  country: fc.constantFrom("DK", "US"),
  contactFirstName: fc.constantFrom("Ann"),
  contactLastName: fc.constantFrom("Lee"),
  contactPhone: fc.constantFrom("+45 70 20 30 40"),
  phone: fc.constantFrom("+45 70 20 30 40"),
  website: fc.constantFrom("https://fuzz.example"),
  addressLine: fc.constantFrom("Street 1"),
  postalCode: fc.constantFrom("8000"),
  city: fc.constantFrom("Aarhus"),
  cities: fc.constantFrom("Aarhus, Odense"),
  description: fc.constantFrom("Line one\nline two"),
  body: fc.constantFrom("A comment\nwith two lines"),
  note: fc.constantFrom("A note"),
  message: fc.constantFrom("A message"),
  needs: fc.constantFrom("We need help with many things"),
  csv: fc.constantFrom("key,product,licences\nABCDE-FGHIJ-KLMNO-PQRST-UVWXY,visio-plan-2,5"),
  to: fc.constantFrom("a@fuzz.test, b@fuzz.test"),
  size: fc.constantFrom("10-49"),
  sizes: fc.constantFrom("10-49"),
  keywords: fc.constantFrom("security"),
  otherKeywords: fc.constantFrom("backup, teams"),
  languages: fc.constantFrom("en"),
  listed: fc.constantFrom("on"),
  offerDap: fc.constantFrom("on"),
  autoExtend: fc.constantFrom("on"),
  read: fc.constantFrom("on"),
  consent: fc.constantFrom("on"),
  authoriseDap: fc.constantFrom("on"),
  licences: fc.constantFrom("5", "1"),
  "licences.visio-plan-2": fc.constantFrom("5"),
  partnerNumber: pick(() => [String(A.partnerNumber)]),
  confirmed: pick(() => [String(A.partnerNumber)]),
  p: pick(() => [String(A.partnerNumber)]),
  productId: fc.constantFrom("visio-plan-2"),
  trialProduct: fc.constantFrom("visio-plan-2"),
  version: pick(() => [agreementVersion]),
  agreementVersion: pick(() => [agreementVersion]),
  kind: fc.constantFrom("trial", "offer", "reseller"),
  expiresOn: fc.constantFrom("2030-01-01"),
  key: fc.constant(null).map(() => newProductKey()),
  customerMode: fc.constantFrom("existing", "new"),
  delegated: fc.constantFrom("none", "dap", "gdap"),
  type: fc.constantFrom("support_advisor", "mpsa", "lob", "dap", "reseller", "advisor", "gdap", "partner"),
  gdapDuration: fc.constantFrom("30"),
  durationDays: fc.constantFrom("30"),
  gdapRoles: fc.constantFrom("729827e3-9c14-49f7-bb1b-9608f156bbb8"),
  status: fc.constantFrom("new", "contacted", "won", "lost"),
  submissionKey: fc.constantFrom("fuzz-submission-key-0123456789"),
  redirectTo: fc.constantFrom("/partner", "/customer"),
  action: fc.constantFrom("auth.sign_in"),
};
const FIELD_NAMES = Object.keys(FIELDS);

/** Search parameters the loaders read, with plausible values. */
const PARAMS: Record<string, fc.Arbitrary<string>> = {
  q: fc.constantFrom("fuzz", "Customer", "a"),
  after: fc.constantFrom(encodeCursor(["customer", RANDOM_UUID]), encodeCursor(["2026-01-01T00:00:00.000000", RANDOM_UUID]), b64([1, "a", RANDOM_UUID])),
  before: fc.constantFrom(encodeCursor(["customer", RANDOM_UUID]), encodeCursor(["2026-01-01T00:00:00.000000", RANDOM_UUID]), "5"),
  last: fc.constantFrom("1"),
  size: fc.constantFrom("25", "200", "10-49"),
  sort: fc.constantFrom("name", "created", "country"),
  dir: fc.constantFrom("asc", "desc"),
  type: fc.constantFrom("reseller", "gdap"),
  country: fc.constantFrom("DK"),
  agreement: fc.constantFrom("pending"),
  status: fc.constantFrom("active", "available", "new", "pending"),
  product: fc.constantFrom("visio-plan-2"),
  ending: fc.constantFrom("1"),
  user: idOf("user"),
  action: fc.constantFrom("auth.sign_in"),
  city: fc.constantFrom("Aarhus"),
  language: fc.constantFrom("en"),
  customer: idOf("customer"),
  assigned: fc.constantFrom("me", "none"),
  p: pick(() => [String(A.partnerNumber)]),
  redirectTo: fc.constantFrom("/partner"),
  lead: fc.constantFrom("abcdefghijklmnopqrstuvwxyz"),
  required: fc.constantFrom("1"),
  index: fc.constantFrom(""),
};
const PARAM_NAMES = Object.keys(PARAMS);

const value = (good: fc.Arbitrary<string>) => fc.oneof({ weight: 2, arbitrary: good }, { weight: 3, arbitrary: nasty });

/** A set of fields: some names, each once or several times, plausible or bad. */
const fieldsOf = (names: string[], table: Record<string, fc.Arbitrary<string>>, max: number) =>
  fc.uniqueArray(fc.constantFrom(...names), { minLength: 0, maxLength: max }).chain((chosen) =>
    fc.tuple(...chosen.map((n) => fc.array(value(table[n]!), { minLength: 1, maxLength: 2 }).map((vs) => vs.map((v) => [n, v] as [string, string])))).map((xs) => xs.flat()),
  );

// ---------------------------------------------------------------------------------------------
// Routes

interface RouteCase {
  id: string;
  /** Path segments; ":name" is a parameter. */
  segments: string[];
  index: boolean;
  loader: boolean;
  action: boolean;
}

function routeCases(build: Awaited<ReturnType<typeof loadBuild>>): RouteCase[] {
  const out: RouteCase[] = [];
  for (const route of Object.values(build.routes)) {
    if (!route) continue;
    const mod = build.routes[route.id]!.module as { loader?: unknown; action?: unknown };
    if (!mod.loader && !mod.action) continue;
    const segments: string[] = [];
    for (let r: typeof route | undefined = route; r; r = r.parentId ? build.routes[r.parentId] : undefined) {
      if (r.path) segments.unshift(...r.path.split("/").filter(Boolean));
    }
    out.push({ id: route.id, segments, index: Boolean(route.index), loader: Boolean(mod.loader), action: Boolean(mod.action) });
  }
  return out;
}

/** A plausible value for a path parameter, by name. */
function paramValue(name: string): fc.Arbitrary<string> {
  switch (name) {
    case "customerId":
      return idOf("customer");
    case "selectionId":
      return idOf("selection");
    case "importId":
      return idOf("import");
    case "leadId":
      return idOf("lead");
    case "linkId":
      return idOf("link");
    case "userId":
      return idOf("user");
    case "id":
      return fc.constantFrom("gdap", "request", "bulk").chain(idOf);
    case "code":
      return fc.constant(null).map(() => [linkCode, approvalCode][Math.floor(Math.random() * 2)]!);
    case "partnerNumber":
      return pick(() => [String(A.partnerNumber)]);
    default:
      return fc.constantFrom("abcdefghijklmnopqrstuvwxyz0123456789");
  }
}

const pathOf = (c: RouteCase) =>
  fc.tuple(...c.segments.map((s) => (s.startsWith(":") ? value(paramValue(s.slice(1))) : fc.constant(s)))).map((parts) => `/${parts.map((p) => encodeURIComponent(p.replace(/\p{Cs}/gu, "\uFFFD"))).join("/")}`);

const ODD_ORIGINS: (string | null)[] = [null, "null", "https://evil.example", "http://localhost:3999.evil.example", "::::", "http://[", APP.toUpperCase()];
/** Mostly our own Origin (so requests reach the action), sometimes an odd one (refused by screenRequest). */
const origin = fc.oneof({ weight: 6, arbitrary: fc.constant<string | null>(APP) }, { weight: 1, arbitrary: fc.constantFrom(...ODD_ORIGINS) });
const dataRequest = fc.oneof({ weight: 2, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) });

/** Bodies of every kind: forms (urlencoded, multipart), other types, broken, too large. */
type Body = { kind: string; contentType?: string; body?: BodyInit };
const bodyOf = (fields: [string, string][]): fc.Arbitrary<Body> =>
  fc.oneof(
    { weight: 8, arbitrary: fc.constant({ kind: "urlencoded", contentType: "application/x-www-form-urlencoded", body: new URLSearchParams(fields).toString() }) },
    {
      weight: 3,
      arbitrary: fc.boolean().map((withFile) => {
        const form = new FormData();
        for (const [k, v] of fields) form.append(k, v);
        if (withFile) form.append("file", new File(["key,product\n\u0000,x\n"], "keys\u0000.csv", { type: "text/csv" }));
        return { kind: "multipart", body: form };
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: "json", contentType: "application/json", body: JSON.stringify(Object.fromEntries(fields)) }) },
    { weight: 1, arbitrary: fc.constant({ kind: "text", contentType: "text/plain", body: fields.map(([k, v]) => `${k}=${v}`).join("\n") }) },
    { weight: 1, arbitrary: fc.constantFrom<Body>(
      { kind: "multipart without boundary", contentType: "multipart/form-data", body: "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--" },
      { kind: "truncated multipart", contentType: "multipart/form-data; boundary=x", body: "--x\r\nContent-Disposition: form-data; name=\"intent\"\r\n\r\nemail" },
      { kind: "garbage multipart", contentType: "multipart/form-data; boundary=x", body: "\u0000\u0001garbage" },
      { kind: "form with odd charset", contentType: "application/x-www-form-urlencoded; charset=utf-16", body: "intent=%FF%FE%00" },
      { kind: "bad escapes", contentType: "application/x-www-form-urlencoded", body: "intent=%E0%A4%A&name=%C0%80&%=%%" },
      { kind: "xml", contentType: "application/xml", body: "<a/>" },
      { kind: "no content type", body: "intent=delete" },
      { kind: "empty", contentType: "application/x-www-form-urlencoded", body: "" },
      { kind: "too large", contentType: "application/x-www-form-urlencoded", body: `name=${"x".repeat(1_100_000)}` },
      { kind: "too large multipart", body: (() => { const f = new FormData(); f.append("csv", "x".repeat(1_200_000)); return f; })() },
    ) },
  );

/**
 * The fields of the forms a route's own page renders (names, and the values the page gives them:
 * intents, ids, options), read from its HTML as each role sees it: the generated bodies use them
 * first, so they pass the intent switch and reach the code behind it.
 */
const decodeAttr = (v: string) => v.replace(/&quot;/g, '"').replace(/&#x27;|&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
function formFieldsOf(html: string, into: Map<string, Set<string>>) {
  const add = (name: string, value: string | null) => {
    const set = into.get(name) ?? new Set<string>();
    if (value !== null) set.add(value);
    into.set(name, set);
  };
  for (const [, body] of html.matchAll(/<form\b[^>]*>([\s\S]*?)<\/form>/g)) {
    for (const [tag] of body!.matchAll(/<(?:input|button|textarea)\b[^>]*>/g)) {
      const name = /\bname="([^"]+)"/.exec(tag)?.[1];
      if (name) add(decodeAttr(name), tag.match(/\bvalue="([^"]*)"/)?.[1] !== undefined ? decodeAttr(tag.match(/\bvalue="([^"]*)"/)![1]!) : null);
    }
    for (const [, name, options] of body!.matchAll(/<select\b[^>]*\bname="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
      add(decodeAttr(name!), null);
      for (const [, v] of options!.matchAll(/<option\b[^>]*\bvalue="([^"]*)"/g)) add(decodeAttr(name!), decodeAttr(v!));
    }
  }
}

/** A route's page as each role sees it: the fields of its forms, and the roles it answers 200. */
async function survey(c: RouteCase): Promise<{ fields: Map<string, Set<string>>; roles: Role[] }> {
  const found = surveys.get(c.id);
  if (found) return found;
  const fields = new Map<string, Set<string>>();
  const roles: Role[] = [];
  if (c.loader) {
    const path = `/${c.segments.map((s) => (s.startsWith(":") ? fc.sample(paramValue(s.slice(1)), 1)[0]! : s)).join("/")}`;
    for (const role of ROLES) {
      const page = await (await sessionOf(role)).html(path);
      if (page.status !== 200) continue;
      roles.push(role);
      formFieldsOf(page.text, fields);
    }
  }
  const result = { fields, roles };
  surveys.set(c.id, result);
  return result;
}
const surveys = new Map<string, { fields: Map<string, Set<string>>; roles: Role[] }>();

/** Mostly the roles the page lets in (so requests get past the permission gate), sometimes any. */
const roleFor = (allowed: Role[]) =>
  allowed.length ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...allowed) }, { weight: 1, arbitrary: fc.constantFrom(...ROLES) }) : fc.constantFrom(...ROLES);

/**
 * A generated form: mostly the page's own form filled in plausibly (the page's values, else the
 * dictionary's) with one or two fields made bad, so that the rest passes validation and the bad
 * value reaches as deep as it can; sometimes fields drawn at random from the dictionary.
 */
function formOf(page: Map<string, Set<string>>): fc.Arbitrary<[string, string][]> {
  const names = [...page.keys()];
  if (!names.length) return fieldsOf(FIELD_NAMES, FIELDS, 14);
  const plausible = (n: string) => {
    const seen = [...page.get(n)!];
    if (!seen.length) return FIELDS[n] ?? fc.constant("Plausible text");
    return FIELDS[n] ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...seen) }, { weight: 1, arbitrary: FIELDS[n]! }) : fc.constantFrom(...seen);
  };
  const mostlyValid = fc
    .tuple(
      fc.tuple(...names.map((n) => fc.tuple(fc.integer({ min: 0, max: 9 }), plausible(n)))),
      fc.uniqueArray(fc.constantFrom(...names), { minLength: 1, maxLength: 2 }),
      fc.array(nasty, { minLength: 2, maxLength: 2 }),
      fieldsOf(FIELD_NAMES, FIELDS, 2),
    )
    .map(([filled, broken, bad, extra]) => {
      const form: [string, string][] = [];
      names.forEach((n, i) => {
        const [keep, v] = filled[i]!;
        const at = broken.indexOf(n);
        if (at >= 0) form.push([n, bad[at]!]);
        else if (keep > 0 || n === "intent") form.push([n, v]);
      });
      return [...form, ...extra.filter(([n]) => !page.has(n))];
    });
  return fc.oneof({ weight: 4, arbitrary: mostlyValid }, { weight: 1, arbitrary: fieldsOf(FIELD_NAMES, FIELDS, 14) });
}

const STATS = new Map<string, number>();
afterAll(() => {
  if (process.env.FUZZ_STATS) console.log([...STATS].sort().map(([k, n]) => `${k}: ${n}`).join("\n"));
});

interface Generated {
  role: Role;
  method: string;
  path: string;
  data: boolean;
  search: [string, string][];
  origin: string | null;
  body?: Body;
}

async function send(c: RouteCase, g: Generated) {
  const b = await sessionOf(g.role);
  const search = new URLSearchParams(g.search);
  if (c.index && g.method !== "GET" && g.method !== "HEAD") search.set("index", "");
  let pathname = g.path;
  if (g.data) {
    pathname = pathname === "/" ? "/_root.data" : `${pathname}.data`;
    if (g.method === "GET") search.set("_routes", c.id);
  }
  const qs = search.toString();
  const url = `${APP}${pathname}${qs ? `?${qs}` : ""}`;
  const headers = new Headers({ "X-Forwarded-Host": new URL(APP).host });
  if (b.cookies.size) headers.set("Cookie", [...b.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
  if (g.origin !== null) headers.set("Origin", g.origin);
  if (g.origin !== APP) headers.set("Referer", `${APP}/partner`);
  if (g.body?.contentType) headers.set("Content-Type", g.body.contentType);
  const response = await serve(new Request(url, { method: g.method, headers, body: g.body?.body }), b.ip);
  if (process.env.FUZZ_STATS) {
    const key = `${c.id} ${g.method === "GET" || g.method === "HEAD" ? "loader" : "action"} ${response.status}`;
    STATS.set(key, (STATS.get(key) ?? 0) + 1);
  }
  // The body must stream to its end (a CSV export fails while streaming, not before).
  const text = g.method === "HEAD" ? "" : await response.text();
  return { status: response.status, text: text.slice(0, 300), location: response.headers.get("Location") };
}

const short = (v: string) => (v.length > 80 ? `${v.slice(0, 80)}… (${v.length} characters)` : v);
const describeRequest = (g: Generated) =>
  JSON.stringify({
    ...g,
    search: g.search.map(([k, v]) => [k, short(v)]),
    body: g.body
      ? {
          kind: g.body.kind,
          contentType: g.body.contentType,
          fields: typeof g.body.body === "string" ? short(g.body.body) : g.body.body instanceof FormData ? [...g.body.body].map(([k, v]) => [k, typeof v === "string" ? short(v) : `file ${v.name}`]) : undefined,
        }
      : undefined,
  });

/** Sessions a generated request may have ended (sign-in rotates, sign-out deletes): signed in again. */
async function refreshSessions() {
  for (const role of ROLES) {
    if (role === "anonymous") continue;
    const b = signedIn[role];
    const alive = b ? (await b.fetch("/ping")).status === 200 : false;
    if (!alive) signedIn[role] = await signInAs(role);
  }
}

// Read at collection time: one case per route of the build (a new route is fuzzed without a word).
const CASES = routeCases(await loadBuild()).filter((c) => !process.env.FUZZ_ONLY || new RegExp(process.env.FUZZ_ONLY).test(c.id));

const runOpts = (numRuns: number) => ({ numRuns, seed: SEED, endOnFailure: true, verbose: 0 as const });

describe("no 5xx for bad input", () => {
  it("walks every route with a loader or action", () => {
    expect(CASES.length).toBeGreaterThan(process.env.FUZZ_ONLY ? 0 : 40);
  });

  it.each(CASES.map((c) => [c.id, c] as const))("%s", async (_id, c) => {
    const { fields: page, roles } = await survey(c);
    if (c.loader) {
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            role: roleFor(roles),
            method: fc.constantFrom("GET", "GET", "GET", "HEAD"),
            path: pathOf(c),
            data: dataRequest,
            search: fieldsOf(PARAM_NAMES, PARAMS, 6),
            origin,
          }),
          async (g) => {
            const r = await send(c, g);
            expect(r.status, `${describeRequest(g)} → ${r.status} ${r.text}`).toBeLessThan(500);
          },
        ),
        runOpts(LOADER_RUNS),
      );
    }
    // Every route gets bodies: one without an action must refuse them (405), not fail.
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          role: roleFor(roles),
          method: fc.oneof({ weight: 8, arbitrary: fc.constant("POST") }, { weight: 1, arbitrary: fc.constantFrom("PUT", "PATCH", "DELETE", "OPTIONS") }),
          path: pathOf(c),
          data: dataRequest,
          search: fieldsOf(PARAM_NAMES, PARAMS, 2),
          origin,
          body: formOf(page).chain(bodyOf),
        }),
        async (g) => {
          const r = await send(c, g.method === "OPTIONS" ? { ...g, body: undefined } : g);
          expect(r.status, `${describeRequest(g)} → ${r.status} ${r.text}`).toBeLessThan(500);
        },
      ),
      runOpts(c.action ? ACTION_RUNS : Math.ceil(ACTION_RUNS / 6)),
    );
    await refreshSessions();
  });
});
