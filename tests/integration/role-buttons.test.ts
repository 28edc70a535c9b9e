/**
 * Issue 30 defect: every partner role sees only the buttons and forms it can use, by the same maps
 * the server enforces (app/modules/auth/permissions.ts for the partner's own pages,
 * app/modules/delegated-admin/admin-roles.ts and effectiveRights for acting in a customer), and the
 * workspace pages never list an admin role as held and as one to ask for at once.
 *
 * Generated: every partner role × the main partner pages. Each page is fetched as the role; every
 * POST form (by its target and intent) and every link into the partner area inside <main> is
 * matched to what it needs through the small tables below, and the role must hold it.
 */
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem } from "../../app/utils/db.server";
import { actionsOf, capForPartnerRoles, HELPDESK_ADMINISTRATOR, ADMIN_ROLES, type TenantAction } from "../../app/modules/delegated-admin/admin-roles";
import { PARTNER_ROLES, permissionsFor, type Permission } from "../../app/modules/auth/permissions";
import { createCustomer, createPartner, relate, uniq, type OrgFixture } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { Browser } from "../support/http";

installTestDatabase();

type Need = { permission: Permission } | { tenant: TenantAction };
const p = (permission: Permission): Need => ({ permission });
const t = (tenant: TenantAction): Need => ({ tenant });

/** What opening a partner page needs (its loader's gate), by path prefix; the longest match wins. */
const PAGE_NEEDS: [RegExp, Need][] = [
  [/^\/partner\/customers\/:id\/users$/, t("users:read")],
  [/^\/partner\/customers\/:id\/licences$/, t("licenses:read")],
  [/^\/partner\/customers\/:id\/service-requests$/, t("service-requests:read")],
  [/^\/partner\/customers\/new$/, p("customers:create")],
  [/^\/partner\/customers\/export\.csv$/, p("customers:export")],
  [/^\/partner\/customers/, p("customers:view")],
  [/^\/partner\/staff/, p("staff:manage")],
  [/^\/partner\/links/, p("links:manage")],
  [/^\/partner\/relationships/, p("relationships:manage")],
  [/^\/partner\/bulk/, p("relationships:manage")],
  [/^\/partner\/product-keys/, p("keys:manage")],
  [/^\/partner\/listing/, p("listing:manage")],
  [/^\/partner\/leads/, p("leads:manage")],
  [/^\/partner\/audit/, p("audit:view")],
  [/^\/partner\/subscriptions/, p("subscriptions:view")],
  [/^\/partner\/profile/, p("profile:view")],
  [/^\/partner$/, p("overview:view")],
];

/** What a form's submission needs where it is not simply the page's own gate: target#intent. */
const FORM_NEEDS: Record<string, Need> = {
  "/partner/profile#": p("profile:edit"),
  "/partner/customers/:id#end-reseller": p("relationships:manage"),
  "/partner/relationships#dap": p("relationships:manage"),
  "/partner/customers/selections/:id#bulk-gdap": p("relationships:manage"),
  "/partner/customers/:id/users#reset": t("users:reset-password"),
  "/partner/customers/:id/users#send-reset-link": t("users:reset-password"),
  "/partner/customers/:id/users#create": t("users:create"),
  "/partner/customers/:id/licences#assign": t("licenses:assign"),
  "/partner/customers/:id/licences#remove": t("licenses:assign"),
  "/partner/customers/:id/service-requests#open": t("service-requests:manage"),
  "/partner/customers/:id/service-requests#comment": t("service-requests:manage"),
  "/partner/customers/:id/service-requests#close": t("service-requests:manage"),
};

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const pattern = (path: string) => path.split("?")[0]!.replace(UUID, ":id").replace(/\/$/, "") || "/";
const pageNeed = (path: string) => PAGE_NEEDS.find(([re]) => re.test(path))?.[1];

const attr = (tag: string, name: string) => tag.match(new RegExp(`\\s${name}="([^"]*)"`))?.[1];
const decode = (s: string) => s.replaceAll("&amp;", "&");

/** The page's <main>: what the page itself shows (the navigation is checked elsewhere). */
const mainOf = (html: string) => html.slice(html.indexOf("<main"), html.indexOf("</main>"));

/** Every action control inside <main>: POST forms (target and intents) and links into the partner area. */
function controlsOf(main: string, page: string) {
  const out: { what: string; need: Need | undefined }[] = [];
  for (const m of main.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const open = m[1]!;
    if ((attr(open, "method") ?? "get").toLowerCase() !== "post") continue;
    const target = pattern(decode(attr(open, "action") ?? page));
    const intents = [...m[2]!.matchAll(/<(?:button|input)\b[^>]*>/g)].map((x) => x[0]).filter((tag) => attr(tag, "name") === "intent").map((tag) => attr(tag, "value") ?? "");
    for (const intent of intents.length ? [...new Set(intents)] : [""]) {
      out.push({ what: `form ${target}#${intent}`, need: FORM_NEEDS[`${target}#${intent}`] ?? pageNeed(target) });
    }
  }
  for (const m of main.matchAll(/<a\b[^>]*>/g)) {
    const href = attr(m[0], "href");
    if (!href || !/^\/partner(\/|\?|$)/.test(href)) continue;
    const target = pattern(decode(href));
    out.push({ what: `link ${href}`, need: pageNeed(target) });
  }
  return out;
}

/** Visible text of a page part, for the messages. */
const textOf = (html: string) => html.replace(/<[^>]+>/g, " ").replaceAll("&#x27;", "'").replaceAll("&amp;", "&").replace(/\s+/g, " ");

interface World {
  partner: OrgFixture;
  /** Active GDAP whose Helpdesk Administrator role is assigned to a group of every partner role. */
  managed: OrgFixture;
  /** A customer with no admin relationship. */
  plain: OrgFixture;
  browsers: Record<string, Browser>;
  selections: Record<string, string>;
}

let world: World;

/** What the maps say a partner role may do in a customer holding `roles` for it. */
function tenantActions(role: string, customer: "managed" | "plain"): Set<TenantAction> {
  const all = actionsOf(customer === "managed" ? [HELPDESK_ADMINISTRATOR] : []);
  const cap = capForPartnerRoles([role]);
  return cap === "uncapped" ? all : new Set([...all].filter((a) => cap.has(a)));
}

beforeAll(async () => {
  const partner = await createPartner();
  const managed = await createCustomer();
  const plain = await createCustomer();
  await relate(partner, managed);
  await relate(partner, plain);
  await withSystem(async (tx) => {
    await tx.execute(sql`update organisations set is_dap_certified = true where id = ${partner.orgId}`);
    await tx.execute(sql`insert into subscriptions (customer_org_id, product_id, licences, status) values (${managed.orgId}, 'business-basic', 2, 'active')`);
    const [group] = rowsOf<{ id: string }>(await tx.execute(sql`insert into staff_groups (partner_org_id, name) values (${partner.orgId}, 'Everyone') returning id`));
    for (const role of PARTNER_ROLES) {
      await tx.execute(sql`insert into staff_group_members (group_id, partner_org_id, user_id) values (${group!.id}, ${partner.orgId}, ${partner.users[role]!.id})`);
    }
    const [rel] = rowsOf<{ id: string }>(
      await tx.execute(sql`insert into admin_relationships (partner_org_id, customer_org_id, display_name, duration_days, roles, status, approval_code, request_expires_at, approved_at, ends_at)
        values (${partner.orgId}, ${managed.orgId}, ${`GDAP ${uniq()}`}, 30, ${`{${HELPDESK_ADMINISTRATOR}}`}, 'active', ${`code-${uniq()}-${uniq()}-${uniq()}`}, now() + interval '90 days', now(), now() + interval '90 days') returning id`),
    );
    await tx.execute(sql`insert into gdap_assignments (admin_relationship_id, group_id, partner_org_id, roles) values (${rel!.id}, ${group!.id}, ${partner.orgId}, ${`{${HELPDESK_ADMINISTRATOR}}`})`);
  });
  const browsers: Record<string, Browser> = {};
  const selections: Record<string, string> = {};
  for (const role of PARTNER_ROLES) {
    browsers[role] = new Browser();
    await browsers[role].signIn(partner.users[role]!.email);
    const made = await browsers[role].fetch("/partner/customers?index", { form: { mode: "page", ids: [managed.orgId, plain.orgId] } });
    selections[role] = made.headers.get("Location") ?? "";
  }
  world = { partner, managed, plain, browsers, selections };
}, 120_000);

const PAGES: { name: string; path: (w: World, role: string) => string }[] = [
  { name: "overview", path: () => "/partner" },
  { name: "customers list", path: () => "/partner/customers" },
  { name: "customer detail (GDAP)", path: (w) => `/partner/customers/${w.managed.orgId}` },
  { name: "customer detail (no admin rights)", path: (w) => `/partner/customers/${w.plain.orgId}` },
  { name: "customer users (GDAP)", path: (w) => `/partner/customers/${w.managed.orgId}/users` },
  { name: "customer licences (GDAP)", path: (w) => `/partner/customers/${w.managed.orgId}/licences` },
  { name: "customer service requests (GDAP)", path: (w) => `/partner/customers/${w.managed.orgId}/service-requests` },
  { name: "customer users (no admin rights)", path: (w) => `/partner/customers/${w.plain.orgId}/users` },
  { name: "customer selection (bulk GDAP)", path: (w, role) => w.selections[role]! },
  { name: "links", path: () => "/partner/links" },
  { name: "new link", path: () => "/partner/links/new" },
  { name: "product keys", path: () => "/partner/product-keys" },
  { name: "register a product key", path: () => "/partner/product-keys/register" },
  { name: "admin relationships", path: () => "/partner/relationships" },
  { name: "new admin relationship", path: () => "/partner/relationships/new" },
  { name: "staff", path: () => "/partner/staff" },
  { name: "staff groups", path: () => "/partner/staff/groups" },
  { name: "listing", path: () => "/partner/listing" },
  { name: "profile", path: () => "/partner/profile" },
  { name: "subscriptions", path: () => "/partner/subscriptions" },
  { name: "leads", path: () => "/partner/leads" },
];

function holds(role: string, need: Need, customerId: string | undefined): boolean {
  if ("permission" in need) return permissionsFor("partner", [role]).has(need.permission);
  const customer = customerId === world.managed.orgId ? "managed" : "plain";
  return tenantActions(role, customer).has(need.tenant);
}

describe("partner role × page: only the buttons and forms the role can use", () => {
  for (const role of PARTNER_ROLES) {
    for (const page of PAGES) {
      it(`${role}: ${page.name}`, async () => {
        const path = page.path(world, role);
        expect(path, "the selection was made").toMatch(/^\/partner/);
        const res = await world.browsers[role]!.html(path);
        const gate = pageNeed(pattern(path));
        const customerId = path.match(UUID)?.[0];
        if (gate && "permission" in gate && !holds(role, gate, customerId)) {
          expect(res.status, "the page's gate refuses").toBe(403);
          return;
        }
        expect(res.status).toBe(200);
        const main = mainOf(res.text);
        for (const control of controlsOf(main, path)) {
          expect(control.need, `${control.what}: in the tables`).toBeDefined();
          // A link (or form) into a customer's workspace needs the action in that customer.
          const inCustomer = control.what.match(UUID)?.[0] ?? customerId;
          expect(holds(role, control.need!, inCustomer), `${role} is shown ${control.what} (${JSON.stringify(control.need)})`).toBe(true);
        }
        // Never a role both held and to ask for.
        const text = textOf(main);
        const held = text.match(/Your admin roles here: ([^.]*)\./)?.[1] ?? "";
        const askSentences = text.split(/(?<=\.)\s/).filter((s) => /\bask\b/i.test(s) && !s.includes("Your admin roles here"));
        for (const r of ADMIN_ROLES) {
          if (held.includes(r.name)) for (const s of askSentences) expect(s, `${r.name} is held and asked for`).not.toContain(r.name);
        }
      });
    }
  }
});

describe("why something is not available", () => {
  it("tells a sales agent why it cannot act in the customer instead of listing roles it cannot use (the issue's case)", async () => {
    const b = world.browsers.sales_agent!;
    for (const area of ["users", "licences", "service-requests"]) {
      const text = textOf(mainOf((await b.html(`/partner/customers/${world.managed.orgId}/${area}`)).text));
      expect(text, area).not.toContain("Your admin roles here: Helpdesk Administrator");
      expect(text, area).toContain("Your role can't act in customer tenants; ask a global admin.");
    }
    const detail = textOf(mainOf((await b.html(`/partner/customers/${world.managed.orgId}`)).text));
    expect(detail).toContain("Only global admins and admin agents can request admin rights.");
    expect(detail).toContain("Your role can't act in customer tenants; ask a global admin.");
  });

  it("tells a helpdesk agent what its admin roles allow and what it would need, never naming a held role as missing", async () => {
    const b = world.browsers.helpdesk_agent!;
    const users = textOf(mainOf((await b.html(`/partner/customers/${world.managed.orgId}/users`)).text));
    expect(users).toContain("Your admin roles here: Helpdesk Administrator.");
    const licences = textOf(mainOf((await b.html(`/partner/customers/${world.managed.orgId}/licences`)).text));
    expect(licences).toContain("Your role can't manage licences in customer tenants; ask a global admin.");
    const plain = textOf(mainOf((await b.html(`/partner/customers/${world.plain.orgId}/users`)).text));
    expect(plain).toContain("You hold no admin roles in this organisation.");
    expect(plain).toMatch(/ask a global admin to assign your staff group a role such as Helpdesk Administrator/i);
  });

  it("offers admin agents the requests for admin rights, and its workspace only where its roles reach", async () => {
    const b = world.browsers.admin_agent!;
    const detail = await b.html(`/partner/customers/${world.plain.orgId}`);
    expect(detail.text).toContain("Request admin roles (GDAP)");
    expect(detail.text).not.toContain(`/partner/customers/${world.plain.orgId}/users"`);
    expect(textOf(mainOf(detail.text))).toContain("You hold no admin roles in this customer yet");
  });
});
