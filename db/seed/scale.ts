/**
 * Scale data for benchmarks and manual testing: `npm run db:seed -- --customers 100000 --total 1000000`
 * gives the first demo partner N customers and spreads the rest of the total over filler
 * partners. Rows are generated inside the database (INSERT … SELECT generate_series) in batches,
 * with triggers off, then the partner_customers and partner_subscriptions read models are rebuilt.
 * Every customer has a global admin; all share one precomputed password hash.
 */
import { sql } from "drizzle-orm";
import type { Tx } from "~/utils/db.server";
import { rowsOf } from "../client";
import { hashPassword } from "../../app/modules/auth/crypto.server";
import { DEMO_PARTNERS, DEMO_PASSWORD } from "./demo";

const BATCH = 50_000;
const FILLER_PARTNERS = 99;

const A = ["Adatum", "Alpine", "Bellows", "Blue Yonder", "Coho", "Contoso", "Fourth Coffee", "Graphic", "Humongous", "Litware", "Lucerne", "Margie's", "Nod", "Proseware", "Relecloud", "Southridge", "Tailspin", "Trey", "Wide World", "Woodgrove", "Wingtip", "VanArsdel", "Munson's", "Fincher", "Northwind", "Fabrikam", "Datum", "Lamna", "Olympia", "Consolidated"];
const B = ["Bakery", "Logistics", "Architects", "Dental", "Consulting", "Travel", "Pickles", "Insurance", "Research", "Studios", "Foods", "Legal", "Motors", "Health", "Energy", "Media", "Winery", "Publishing", "Outfitters", "Robotics", "Bank", "Pharmacy", "Books", "Hotels", "Farms"];
const C = ["ApS", "GmbH", "AS", "Ltd", "AB", "BV", "Oy", "SA", "Inc", "LLC", "A/S", "S.r.l."];
const PRODUCTS = ["business-basic", "business-standard", "business-premium", "email-plan-1", "visio-plan-2", "project-plan-3"];
const COUNTRIES = ["DK", "DE", "NO", "SE", "NL", "GB", "FR", "PL", "FI", "AT", "US", "ES", "IT", "BE", "CH", "IE"];

const arr = (xs: string[]) => sql.raw(`(array[${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(",")}]::text[])`);

async function count(tx: Tx, query: ReturnType<typeof sql>) {
  const [row] = rowsOf<{ n: number }>(await tx.execute(query));
  return Number(row?.n ?? 0);
}

/** Inserts customers from+1 … from+n for one partner, with admins, relationships, subscriptions and acceptances, in one statement. */
async function insertCustomers(tx: Tx, { partnerId, from, n, passwordHash }: { partnerId: string; from: number; n: number; passwordHash: string }) {
  await tx.execute(sql`
    with g as materialized (
      select i, gen_random_uuid() as id,
        ${arr(A)}[1 + (i::bigint * 7919 % ${A.length})] || ' ' || ${arr(B)}[1 + (i::bigint * 104729 % ${B.length})] || ' ' || ${arr(C)}[1 + (i % ${C.length})] as name,
        ${arr(COUNTRIES)}[1 + (i::bigint * 31 % ${COUNTRIES.length})] as country,
        i % 7 = 3 as pending,
        now() - make_interval(days => i % 1095, secs => i * 37 % 86400) as created_at
      from generate_series(${from + 1}::int, ${from + n}::int) as i
    ),
    d as materialized (select g.*, regexp_replace(lower(name), '[^a-z0-9]+', '-', 'g') || '-' || i || '.example' as domain from g),
    orgs as (
      insert into organisations (id, kind, name, primary_domain, country, agreement_version, agreement_accepted_at, created_at)
      select id, 'customer', name, domain, country,
             case when pending then null else pd_current_agreement_version() end,
             case when pending then null else now() end, created_at
      from d returning id
    ),
    rels as (
      insert into relationships (partner_org_id, customer_org_id, type, status, started_at, created_at)
      select ${partnerId}, d.id, t.type, case when d.pending then 'pending' else 'active' end,
             case when d.pending then null else d.created_at end, d.created_at
      from d cross join lateral (values ('reseller'), ('advisor'), ('dap')) as t(type)
      where t.type = 'reseller' or (t.type = 'advisor' and d.i % 3 = 0) or (t.type = 'dap' and d.i % 10 = 0)
      returning 1
    ),
    -- One or two subscriptions per customer (active, trials ending within 60 days, expired,
    -- cancelled); the partner is partner of record of every third customer's if it may be.
    subs as (
      insert into subscriptions (customer_org_id, product_id, licences, status, advisor_partner_org_id, started_at, ends_at, created_at)
      select d.id, ${arr(PRODUCTS)}[1 + ((d.i * 13 + k) % ${PRODUCTS.length})], 5 + (d.i * 7 + k * 11) % 60,
             st.status,
             case when d.i % 3 = 0 and (select is_authorised_advisor from organisations where id = ${partnerId}) then ${partnerId}::uuid end,
             d.created_at, case when st.status = 'trial' then now() + make_interval(days => 1 + (d.i % 60)::int) end,
             d.created_at + make_interval(secs => k)
      from d cross join generate_series(0, 1) as k
      cross join lateral (select (array['active', 'active', 'active', 'trial', 'expired', 'cancelled'])[1 + ((d.i + k * 5) % 6)::int] as status) st
      where not d.pending and (k = 0 or d.i % 2 = 0)
      returning 1
    ),
    accepted as (
      insert into agreement_acceptances (customer_org_id, version, accepted_at)
      select d.id, pd_current_agreement_version(), now() from d where not d.pending
      returning 1
    ),
    admins as (
      insert into users (id, email, display_name, password_hash, password_changed_at)
      select gen_random_uuid(), 'admin@' || d.domain, d.name || ' Admin', ${passwordHash}, now() from d
      on conflict (email) do nothing
      returning id, email
    ),
    members as (
      insert into memberships (org_id, user_id, roles, status, activated_at)
      select d.id, admins.id, '{global_admin}', 'active', now() from d join admins on admins.email = 'admin@' || d.domain
      returning 1
    )
    select (select count(*) from orgs) + (select count(*) from rels) + (select count(*) from subs) + (select count(*) from accepted) + (select count(*) from members) as n`);
}

export interface ScaleSeedResult {
  partnerCustomers: number;
  totalCustomers: number;
  seconds: number;
}

/**
 * Brings the first demo partner to `customers` customers and the installation to `total`
 * customers. Idempotent: counts what exists and adds only the difference.
 */
export async function seedScale(
  db: Tx,
  { customers, total, log = () => {} }: { customers: number; total: number; log?: (message: string) => void },
): Promise<ScaleSeedResult> {
  const started = Date.now();
  const runTx = <T>(fn: (tx: Tx) => Promise<T>) => db.transaction((tx) => fn(tx as unknown as Tx));
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const partnerId = await runTx(async (tx) => {
    const [row] = rowsOf<{ id: string }>(await tx.execute(sql`select id from organisations where partner_number = ${DEMO_PARTNERS[0].number}`));
    if (!row) throw new Error("run the demo seed first (npm run db:seed)");
    return row.id;
  });
  // The scale rows are numbered by a suffix in their domain; continue after the highest.
  let next = await runTx((tx) =>
    count(tx, sql`select coalesce(max(substring(primary_domain from '-([0-9]+)\\.example$')::int), 0) as n from organisations where kind = 'customer' and primary_domain ~ '-[0-9]+\\.example$'`),
  );
  const have = await runTx((tx) => count(tx, sql`select count(distinct customer_org_id)::int as n from relationships where partner_org_id = ${partnerId}`));
  let inserted = 0;
  const fill = async (targetPartnerId: string, n: number, label: string) => {
    inserted += n;
    for (let done = 0; done < n; done += BATCH) {
      const size = Math.min(BATCH, n - done);
      await runTx(async (tx) => {
        // Triggers (and FK checks) off for the bulk load; the read model is rebuilt at the end.
        await tx.execute(sql`set local session_replication_role = replica`);
        await insertCustomers(tx, { partnerId: targetPartnerId, from: next, n: size, passwordHash });
      });
      next += size;
      log(`${label}: ${Math.min(done + size, n).toLocaleString("en")} / ${n.toLocaleString("en")}`);
    }
  };
  if (customers > have) await fill(partnerId, customers - have, DEMO_PARTNERS[0].name);
  const existingTotal = await runTx((tx) => count(tx, sql`select count(*)::int as n from organisations where kind = 'customer'`));
  if (total > existingTotal) {
    const rest = total - existingTotal;
    const fillers = await runTx(async (tx) => {
      const ids: string[] = [];
      for (let p = 1; p <= FILLER_PARTNERS; p++) {
        const number = 4900000 + p;
        await tx.execute(sql`insert into organisations (kind, name, partner_number, country) values ('partner', ${`Scale Partner ${String(p).padStart(3, "0")}`}, ${number}, 'DK') on conflict do nothing`);
        const [row] = rowsOf<{ id: string }>(await tx.execute(sql`select id from organisations where partner_number = ${number}`));
        ids.push(row!.id);
      }
      return ids;
    });
    const per = Math.ceil(rest / fillers.length);
    for (let p = 0; p < fillers.length && p * per < rest; p++) {
      await fill(fillers[p]!, Math.min(per, rest - p * per), `filler partners`);
    }
  }
  if (inserted > 0) {
    log("rebuilding the partner_customers and partner_subscriptions read models");
    await runTx(async (tx) => {
      // The rebuild recomputes the counters itself; per-row triggers would only slow it down.
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(sql`select pd_rebuild_partner_customers()`);
      await tx.execute(sql`select pd_rebuild_partner_subscriptions()`);
    });
    // Outside a transaction: set the visibility map (index-only scans) and the statistics.
    log("vacuum analyze");
    await db.execute(sql`vacuum analyze`);
  }
  const result = await runTx(async (tx) => ({
    partnerCustomers: await count(tx, sql`select count(*)::int as n from partner_customers where partner_org_id = ${partnerId}`),
    totalCustomers: await count(tx, sql`select count(*)::int as n from organisations where kind = 'customer'`),
  }));
  return { ...result, seconds: Math.round((Date.now() - started) / 100) / 10 };
}

const PLACES: [string, string, string][] = [
  ["DK", "Copenhagen", "da"], ["DK", "Aarhus", "da"], ["DK", "Odense", "da"], ["SE", "Stockholm", "sv"], ["SE", "Gothenburg", "sv"], ["SE", "Malmö", "sv"],
  ["NO", "Oslo", "no"], ["NO", "Bergen", "no"], ["FI", "Helsinki", "fi"], ["FI", "Tampere", "fi"], ["DE", "Berlin", "de"], ["DE", "Hamburg", "de"],
  ["DE", "München", "de"], ["DE", "Köln", "de"], ["NL", "Amsterdam", "nl"], ["NL", "Utrecht", "nl"], ["GB", "London", "en"], ["GB", "Manchester", "en"],
  ["IE", "Dublin", "en"], ["FR", "Paris", "fr"], ["FR", "Lyon", "fr"], ["PL", "Warsaw", "pl"], ["PL", "Kraków", "pl"], ["ES", "Madrid", "es"],
  ["IT", "Milan", "it"], ["AT", "Wien", "de"], ["CH", "Zürich", "de"], ["BE", "Brussels", "nl"], ["US", "Seattle", "en"], ["US", "Chicago", "en"],
];
const KEYWORDS = ["migration", "security", "licensing", "support", "deployment", "compliance", "training", "backup", "identity", "teams", "sharepoint", "devices", "networking", "cloud", "consulting"];
const SEGMENTS = ["small offices", "growing companies", "manufacturers", "schools", "municipalities", "law firms", "clinics", "retailers", "non-profits", "logistics companies", "accountants", "architects"];
const PHRASES = [
  "Fixed prices and a named consultant for every customer.",
  "A local service desk that answers in your language.",
  "Certified engineers, proven project method, clear reporting.",
  "From first workshop to daily operations, one partner.",
  "We plan carefully, move fast and leave nothing behind.",
  "Security first: every project starts with a baseline review.",
];
const SIZES = ["1-9", "10-49", "50-249", "250-999", "1000+"];
const LISTED_FROM = 5_000_000;

/**
 * Listed partners for the directory benchmark: `listed` partner organisations (Partner IDs from
 * 5,000,001) with realistic listings; the listing trigger builds each search document. Idempotent.
 */
export async function seedDirectoryScale(db: Tx, { listed, log = () => {} }: { listed: number; log?: (message: string) => void }) {
  const runTx = <T>(fn: (tx: Tx) => Promise<T>) => db.transaction((tx) => fn(tx as unknown as Tx));
  const have = await runTx((tx) => count(tx, sql`select count(*)::int as n from organisations where kind = 'partner' and partner_number > ${LISTED_FROM}`));
  for (let from = have; from < listed; from += 5_000) {
    const n = Math.min(5_000, listed - from);
    await runTx(async (tx) => {
      await tx.execute(sql`
        insert into organisations (kind, name, partner_number, country, city, email, website, is_authorised_advisor)
        select 'partner', name, ${LISTED_FROM} + i, (${sql.raw(placesArray(0))})[p], (${sql.raw(placesArray(1))})[p],
               'hello@' || slug || '.example', 'https://www.' || slug || '.example', true
        from (
          select i, 1 + (i::bigint * 7 % ${PLACES.length}) as p,
                 ${arr(A)}[1 + i % ${A.length}] || ' ' || ${arr(["IT", "Cloud", "Digital", "Systems", "Technology", "Consulting", "Solutions", "Networks", "Data", "Secure"])}[1 + (i / ${A.length}) % 10] || ' ' || ${arr(C)}[1 + (i / ${A.length * 10}) % ${C.length}]
                   || case when i > ${A.length * 10 * C.length} then ' ' || (1 + i / ${A.length * 10 * C.length}) else '' end as name,
                 'partner-' || i as slug
          from generate_series(${from + 1}::int, ${from + n}::int) as i
        ) g`);
      await tx.execute(sql`
        insert into partner_listings (partner_org_id, listed, listed_at, description, countries, cities, sizes, keywords, languages)
        select o.id, true, now(),
               o.name || ' helps ' || ${arr(SEGMENTS)}[1 + (i::bigint * 13 % ${SEGMENTS.length})] || ' with ' || kw[1] || ' and ' || coalesce(kw[2], 'support') || '. ' || ${arr(PHRASES)}[1 + (i::bigint * 17 % ${PHRASES.length})],
               case when i % 4 = 0 then array[o.country, (${sql.raw(placesArray(0))})[1 + ((i::bigint * 11) % ${PLACES.length})]] else array[o.country] end,
               array[o.city],
               (select array_agg(s order by s) from unnest(${arr(SIZES)}) with ordinality as z(s, k) where (i >> (k::int - 1)) & 1 = 1 or k = 1 + i % 5),
               kw,
               array(select distinct l from unnest(array[(${sql.raw(placesArray(2))})[1 + (i::bigint * 7 % ${PLACES.length})], 'en']) as l)
        from (
          select o.id, o.name, o.country, o.city, o.partner_number - ${LISTED_FROM} as i,
                 (select array_agg(k) from (select ${arr(KEYWORDS)}[1 + ((o.partner_number::bigint * m) % ${KEYWORDS.length})] as k
                    from unnest(array[3, 7, 11, 13, 17]) with ordinality as t(m, j) where j <= 2 + o.partner_number % 4 group by 1) ks) as kw
          from organisations o
          where o.kind = 'partner' and o.partner_number between ${LISTED_FROM + from + 1} and ${LISTED_FROM + from + n}
        ) o
        on conflict (partner_org_id) do nothing`);
    });
    log(`listed partners: ${Math.min(from + n, listed).toLocaleString("en")} / ${listed.toLocaleString("en")}`);
  }
  // Outside a transaction: statistics, and the GIN indexes' pending entries merged.
  if (listed > have) await db.execute(sql`vacuum analyze partner_listings`);
}

function placesArray(column: 0 | 1 | 2) {
  return `array[${PLACES.map((p) => `'${p[column].replace(/'/g, "''")}'`).join(",")}]::text[]`;
}
