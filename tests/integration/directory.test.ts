/**
 * The partner directory and the leads inbox: search ranking, filters and paging; index use of the
 * search statements; the contact form's validation and abuse rules; a lead reaching exactly the
 * selected partners; working a lead and answering it with a link; the lead won by the customer who
 * redeems that link; deleting and purging leads; listing a partner.
 */
import { sql, type SQL } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { NO_TENANT, withSystem, withTenant, withTenantReads } from "../../app/utils/db.server";
import { createLink } from "../../app/modules/links/links.server";
import { searchDirectory } from "../../app/modules/directory/directory.server";
import { parseDirectoryQuery } from "../../app/modules/directory/directory-options";
import { purgeLostLeads } from "../../app/modules/directory/leads.server";
import { createPartner, uniq, type OrgFixture } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { lastMailTo } from "../support/mail";
import { Browser } from "../support/http";

installTestDatabase();

const one = async <T = Record<string, unknown>>(q: SQL) => (await withSystem(async (tx) => rowsOf<T>(await tx.execute(q))))[0]!;
const all = async <T = Record<string, unknown>>(q: SQL) => withSystem(async (tx) => rowsOf<T>(await tx.execute(q)));

interface ListingSpec {
  listed?: boolean;
  description: string;
  keywords: string[];
  countries?: string[];
  cities?: string[];
  sizes?: string[];
  languages?: string[];
}

async function listedPartner(spec: ListingSpec, name?: string) {
  const p = await createPartner();
  await withSystem(async (tx) => {
    await tx.execute(sql`update organisations set is_authorised_advisor = true, email = 'hello@partner.test', phone = '+45 7020 3040', website = 'https://partner.test' ${name ? sql`, name = ${name}` : sql``} where id = ${p.orgId}`);
    await tx.execute(sql`insert into partner_listings (partner_org_id, listed, description, countries, cities, sizes, keywords, languages)
      values (${p.orgId}, ${spec.listed ?? true}, ${spec.description}, ${`{${(spec.countries ?? ["DK"]).join(",")}}`}, ${`{${(spec.cities ?? ["Copenhagen"]).map((c) => `"${c}"`).join(",")}}`},
              ${`{${(spec.sizes ?? ["10-49"]).join(",")}}`}, ${`{${spec.keywords.join(",")}}`}, ${`{${(spec.languages ?? ["en"]).join(",")}}`})`);
  });
  return { ...p, name: name ?? p.name };
}

const search = (params: Record<string, string>) => withTenantReads(NO_TENANT, (tx) => searchDirectory(tx, parseDirectoryQuery(new URLSearchParams(params))));

describe("directory search", () => {
  const tag = `zq${uniq()}`;
  let strong: OrgFixture, weak: OrgFixture, hidden: OrgFixture, swedish: OrgFixture;
  beforeAll(async () => {
    strong = await listedPartner({ description: `Security reviews, security baselines and security operations. ${tag}`, keywords: ["security", tag], cities: ["Aarhus"] });
    weak = await listedPartner({ description: `Migrations, and some security advice. ${tag}`, keywords: ["migration", tag], sizes: ["1-9", "10-49"] });
    hidden = await listedPartner({ listed: false, description: `Security, security, security. ${tag}`, keywords: ["security", tag] });
    swedish = await listedPartner({ description: `Licensing for large Swedish companies migrating to the cloud. ${tag}`, keywords: ["licensing", tag], countries: ["SE"], cities: ["Malmö"], sizes: ["1000+"], languages: ["sv", "en"] });
  });

  it("ranks the better match first and never shows an unlisted partner", async () => {
    const r = await search({ q: `security ${tag}` });
    expect(r.rows.map((x) => x.partnerOrgId)).toEqual([strong.orgId, weak.orgId]);
    expect(r.total).toEqual({ count: 2, more: false });
    expect((await search({ q: tag })).rows.map((x) => x.partnerOrgId)).not.toContain(hidden.orgId);
  });

  it("filters by country, city (any case), organisation size and language, and stems words", async () => {
    const ids = async (params: Record<string, string>) => (await search({ q: tag, ...params })).rows.map((x) => x.partnerOrgId).sort();
    expect(await ids({ country: "SE" })).toEqual([swedish.orgId]);
    expect(await ids({ city: "malmö" })).toEqual([swedish.orgId]);
    expect(await ids({ city: "AARHUS" })).toEqual([strong.orgId]);
    expect(await ids({ size: "1-9" })).toEqual([weak.orgId]);
    expect(await ids({ language: "sv" })).toEqual([swedish.orgId]);
    expect(await ids({ country: "SE", size: "1-9" })).toEqual([]);
    // "migration" finds "Migrations" and "migrating".
    expect((await search({ q: `migration ${tag}` })).rows.map((x) => x.partnerOrgId).sort()).toEqual([weak.orgId, swedish.orgId].sort());
    // Bad filter values fall back to none.
    expect((await ids({ country: "XX", size: "huge" })).length).toBe(3);
  });

  it("pages by cursor through every match, ranked and unranked, without skipping or repeating", async () => {
    const pageTag = `pg${uniq()}`;
    const made = [];
    // Half match "backup" by keyword (the first tier), half only in the description (the second).
    for (let i = 0; i < 45; i++) {
      made.push((await listedPartner({ description: `${"backup ".repeat(1 + (i % 5))} ${pageTag}`, keywords: i % 2 ? [pageTag, "backup"] : [pageTag] }, `Paged ${String(i % 7)} Partner`)).orgId);
    }
    for (const params of [{ q: `backup ${pageTag}` }, { q: pageTag }]) {
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const r = await search({ ...params, ...(after ? { after } : {}) });
        seen.push(...r.rows.map((x) => x.partnerOrgId));
        after = r.next;
        pages++;
      } while (after && pages < 10);
      expect(pages).toBe(3);
      expect(seen.length).toBe(45);
      expect(new Set(seen).size).toBe(45);
      expect([...seen].sort()).toEqual([...made].sort());
    }
    // With "backup", every keyword match comes before every description-only match.
    const ranked: string[] = [];
    let after: string | null = null;
    do {
      const r = await search({ q: `backup ${pageTag}`, ...(after ? { after } : {}) });
      ranked.push(...r.rows.map((x) => x.partnerOrgId));
      after = r.next;
    } while (after);
    const keywordMatches = made.filter((_, i) => i % 2 === 1);
    expect(new Set(ranked.slice(0, keywordMatches.length))).toEqual(new Set(keywordMatches));
  });

  it("serves the search through functions: the app role reads no listing directly", async () => {
    const direct = await withTenantReads(NO_TENANT, async (tx) => rowsOf(await tx.execute(sql`select partner_org_id from partner_listings where listed limit 5`)));
    expect(direct).toEqual([]);
    const anon = new Browser();
    const page = await anon.html(`/partners?q=${encodeURIComponent(`security ${tag}`)}`);
    expect(page.status).toBe(200);
    expect(page.text.indexOf(strong.name)).toBeLessThan(page.text.indexOf(weak.name));
    expect(page.text).toContain("2 partners match, best matches first.");
    const detail = await anon.html(`/partners/${strong.partnerNumber}`);
    expect(detail.text).toContain("hello@partner.test");
    expect(detail.text).toContain("Aarhus");
    expect((await anon.html(`/partners/${hidden.partnerNumber}`)).status).toBe(404);
  });

  it("answers every search shape from an index, never a sequential scan (as the functions run them)", async () => {
    await withSystem((tx) => tx.execute(sql`analyze partner_listings`));
    // The statements of pd_directory_search / pd_directory_count, with the filters as lexemes.
    const q = (text: string) => sql`(websearch_to_tsquery('english', ${text}) && pd_facet_query('DK', null, '10-49', null))`;
    const shapes: SQL[] = [
      sql`select partner_org_id from partner_listings l where l.listed and l.keyword_vector @@ ${q("security")} order by l.sort_name, l.partner_org_id limit 21`,
      sql`select partner_org_id from partner_listings l where l.listed and l.search_vector @@ ${q("security")} and not (l.keyword_vector @@ ${q("security")}) order by l.sort_name, l.partner_org_id limit 21`,
      sql`select partner_org_id from partner_listings l where l.listed and l.search_vector @@ websearch_to_tsquery('english', 'security migration')`,
      sql`select partner_org_id from partner_listings l where l.listed and l.search_vector @@ pd_facet_query('SE', 'Malmö', '1000+', 'sv') order by l.sort_name, l.partner_org_id limit 21`,
      sql`select count(*) from (select 1 from partner_listings l where l.listed and l.search_vector @@ pd_facet_query(null, null, null, 'sv') limit 1001) s`,
      sql`select partner_org_id from partner_listings l where l.listed order by l.sort_name, l.partner_org_id limit 21`,
      sql`select partner_org_id, name from partner_listings l where l.listed and l.partner_number = 4100001`,
    ];
    for (const shape of shapes) {
      const plan = await withSystem(async (tx) => {
        await tx.execute(sql`set local enable_seqscan = off`);
        return rowsOf<Record<string, string>>(await tx.execute(sql`explain ${shape}`))
          .map((r) => Object.values(r)[0])
          .join("\n");
      });
      expect(plan, plan).not.toMatch(/Seq Scan/);
    }
  });
});

describe("contact selected partners", () => {
  let first: OrgFixture, second: OrgFixture, third: OrgFixture;
  beforeAll(async () => {
    first = await listedPartner({ description: "First partner for contact tests.", keywords: ["support"] });
    second = await listedPartner({ description: "Second partner for contact tests.", keywords: ["support"] });
    third = await listedPartner({ description: "Third partner for contact tests.", keywords: ["support"] });
  });
  const form = (over: Record<string, string | string[]> = {}) => ({
    p: [String(first.partnerNumber), String(second.partnerNumber)],
    name: "Ingrid Visitor",
    email: `ingrid-${uniq()}@visitor.test`,
    organisation: "Visitor Bakery ApS",
    size: "10-49",
    country: "DK",
    needs: "We want to move our mail and files to the cloud this spring.",
    consent: "on",
    ...over,
  });
  const leadCount = async (p: OrgFixture) => (await one<{ n: number }>(sql`select count(*)::int as n from leads where partner_org_id = ${p.orgId}`)).n;

  it("gives exactly the selected partners a lead, tells their lead-handling staff and emails the visitor", async () => {
    const before = await Promise.all([first, second, third].map(leadCount));
    const f = form();
    const res = await new Browser("10.1.0.1").fetch("/partners/contact", { form: f });
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toBe("/partners?sent=1");
    expect(await Promise.all([first, second, third].map(leadCount))).toEqual([before[0]! + 1, before[1]! + 1, before[2]!]);
    const lead = await one(sql`select name, email, organisation, size, country, needs, status from leads where partner_org_id = ${first.orgId} order by created_at desc limit 1`);
    expect(lead).toEqual({ name: f.name, email: f.email, organisation: f.organisation, size: "10-49", country: "DK", needs: f.needs, status: "new" });
    const notified = await all<{ user_id: string }>(sql`select user_id from notifications where org_id = ${first.orgId} and kind = 'lead.received'`);
    expect(notified.map((n) => n.user_id).sort()).toEqual([first.users.global_admin!.id, first.users.admin_agent!.id, first.users.sales_agent!.id].sort());
    expect(await lastMailTo(first.users.sales_agent!.email)).toContain("Visitor Bakery ApS");
    const confirmation = await lastMailTo(f.email);
    expect(confirmation).toContain(first.name);
    expect(confirmation).toContain(second.name);
    expect(confirmation).not.toContain(third.name);
  });

  it("refuses bad input with field messages, and spam clearly, storing nothing", async () => {
    const b = new Browser("10.1.0.2");
    const before = await all(sql`select (select count(*)::int from leads) as leads, (select count(*)::int from contact_requests) as requests`);
    const missing = await b.fetch("/partners/contact", { form: form({ name: "", email: "not-an-email", needs: "short", consent: [] as unknown as string }) });
    expect(missing.status).toBe(400);
    const text = await missing.text();
    expect(text).toContain("Enter your name.");
    expect(text).toContain("Enter a valid email address.");
    expect(text).toContain("Describe what you need in at least 10 characters.");
    expect(text).toContain("Tick the box to agree that the selected partners may contact you.");
    const tooLong = await b.fetch("/partners/contact", { form: form({ needs: "x".repeat(4001) }) });
    expect(tooLong.status).toBe(400);
    const honeypot = await b.fetch("/partners/contact", { form: form({ website: "http://spam.example" }) });
    expect(honeypot.status).toBe(400);
    expect(await honeypot.text()).toContain("looks automated");
    const six = Array.from({ length: 6 }, (_, i) => String(first.partnerNumber! + 100000 + i));
    const tooMany = await b.fetch("/partners/contact", { form: form({ p: six }) });
    expect(tooMany.status).toBe(400);
    expect(await tooMany.text()).toContain("Select at most 5 partners per request.");
    const unlisted = await listedPartner({ listed: false, description: "Not listed.", keywords: ["support"] });
    expect((await b.fetch("/partners/contact", { form: form({ p: [String(unlisted.partnerNumber)] }) })).status).toBe(409);
    expect((await b.fetch("/partners/contact", { form: form({ p: [] as unknown as string }) })).status).toBe(400);
    expect(await all(sql`select (select count(*)::int from leads) as leads, (select count(*)::int from contact_requests) as requests`)).toEqual(before);
  });

  it("limits requests per IP per hour and per email per day, with a clear refusal", async () => {
    const ip = `10.2.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    const b = new Browser(ip);
    for (let i = 0; i < 5; i++) expect((await b.fetch("/partners/contact", { form: form({ p: [String(third.partnerNumber)] }) })).status).toBe(302);
    const limited = await b.fetch("/partners/contact", { form: form({ p: [String(third.partnerNumber)] }) });
    expect(limited.status).toBe(429);
    expect(await limited.text()).toContain("Too many requests from your network");
    const email = `repeat-${uniq()}@visitor.test`;
    for (let i = 0; i < 3; i++) expect((await new Browser().fetch("/partners/contact", { form: form({ email, p: [String(third.partnerNumber)] }) })).status).toBe(302);
    const byEmail = await new Browser().fetch("/partners/contact", { form: form({ email, p: [String(third.partnerNumber)] }) });
    expect(byEmail.status).toBe(429);
    expect(await byEmail.text()).toContain("already sent 3 requests today");
  });
});

describe("the leads inbox", () => {
  it("works a lead, answers it with a trial invitation, and the customer who redeems it wins the lead", async () => {
    const p = await listedPartner({ description: "Inbox partner for lead tests.", keywords: ["support"] });
    const visitorEmail = `owner-${uniq()}@newco.test`;
    expect((await new Browser().fetch("/partners/contact", { form: { p: String(p.partnerNumber), name: "Olga Owner", email: visitorEmail, organisation: "Newco", size: "1-9", country: "DK", needs: "Trial of Business Premium please.", consent: "on" } })).status).toBe(302);
    const { id: leadId } = await one<{ id: string }>(sql`select id from leads where partner_org_id = ${p.orgId} and email = ${visitorEmail}`);
    const link = await withTenant({ orgId: p.orgId, userId: p.users.sales_agent!.id }, (tx) =>
      createLink(tx, { partnerId: p.orgId, actor: { userId: p.users.sales_agent!.id, orgId: p.orgId }, link: { kind: "trial", items: [{ productId: "business-premium" }], offerDap: false, message: null, expiresAt: null } }),
    );
    const sales = new Browser();
    await sales.signIn(p.users.sales_agent!.email);
    const list = await sales.html("/partner/leads");
    expect(list.text).toContain("Newco");
    expect(list.text).toContain("New (1)");
    const post = (form: Record<string, string>) => sales.fetch(`/partner/leads/${leadId}`, { form });
    expect((await post({ intent: "assign", userId: p.users.sales_agent!.id })).status).toBe(302);
    expect((await post({ intent: "assign", userId: p.users.helpdesk_agent!.id })).status).toBe(400);
    expect((await sales.html("/partner/leads?assigned=me")).text).toContain("Newco");
    expect((await sales.html("/partner/leads?assigned=none")).text).not.toContain("Newco");
    expect((await post({ intent: "note", body: "Called her; she wants a trial." })).status).toBe(302);
    expect((await post({ intent: "note", body: "   " })).status).toBe(400);
    expect((await post({ intent: "answer", linkId: link.id, message: "Here is your trial, Olga." })).status).toBe(302);
    const mail = await lastMailTo(visitorEmail);
    expect(mail).toContain("Here is your trial, Olga.");
    const url = /(http\S+\/l\/\S+\?lead=[\w-]+)/.exec(mail)![1]!;
    expect(await one(sql`select status, answered_link_id from leads where id = ${leadId}`)).toEqual({ status: "contacted", answered_link_id: link.id });
    const detail = await sales.html(`/partner/leads/${leadId}`);
    expect(detail.text).toContain("Called her; she wants a trial.");
    expect(detail.text).toContain("Contacted");

    // The visitor signs up from the emailed URL: the lead is won and tied to the new customer.
    const visitor = new Browser();
    const target = new URL(url);
    const id = uniq();
    const signUp = await visitor.fetch(`${target.pathname}${target.search}`, {
      form: { intent: "signup", agreementVersion: "2026-11", read: "on", submissionKey: `key-${id}-${uniq()}-${uniq()}`, organisationName: "Newco ApS", primaryDomain: `newco-${id}.dk`, country: "DK", adminName: "Olga Owner", email: visitorEmail, password: "a-long-enough-password" },
    });
    expect(signUp.status).toBe(302);
    const won = await one<{ status: string; customer_org_id: string }>(sql`select status, customer_org_id from leads where id = ${leadId}`);
    expect(won.status).toBe("won");
    const { id: customerId } = await one<{ id: string }>(sql`select id from organisations where primary_domain = ${`newco-${id}.dk`}`);
    expect(won.customer_org_id).toBe(customerId);
    const wonPage = await sales.html(`/partner/leads/${leadId}`);
    expect(wonPage.text).toContain("Won:");
    expect(wonPage.text).toContain(`/partner/customers/${customerId}`);
    expect((await post({ intent: "answer", linkId: link.id, message: "" })).status).toBe(409);

    // A token from another lead, or a tampered one, wins nothing.
    expect((await one<{ n: number }>(sql`select count(*)::int as n from leads where customer_org_id = ${customerId}`)).n).toBe(1);

    expect((await post({ intent: "delete" })).status).toBe(302);
    expect((await sales.html(`/partner/leads/${leadId}`)).status).toBe(404);
    expect((await one<{ n: number }>(sql`select count(*)::int as n from lead_notes where lead_id = ${leadId}`)).n).toBe(0);
  });

  it("a tampered token, or the token on another partner's link, wins nothing", async () => {
    const p = await listedPartner({ description: "Token partner for lead tests.", keywords: ["support"] });
    const other = await listedPartner({ description: "Other partner for lead tests.", keywords: ["support"] });
    const email = `token-${uniq()}@visitor.test`;
    expect((await new Browser().fetch("/partners/contact", { form: { p: String(p.partnerNumber), name: "Tom", email, organisation: "Tokenco", size: "1-9", country: "DK", needs: "A trial, please, for ten people.", consent: "on" } })).status).toBe(302);
    const { id: leadId } = await one<{ id: string }>(sql`select id from leads where partner_org_id = ${p.orgId} and email = ${email}`);
    const linkOf = (partner: OrgFixture) =>
      withTenant({ orgId: partner.orgId, userId: partner.users.sales_agent!.id }, (tx) =>
        createLink(tx, { partnerId: partner.orgId, actor: { userId: partner.users.sales_agent!.id, orgId: partner.orgId }, link: { kind: "trial", items: [{ productId: "business-premium" }], offerDap: false, message: null, expiresAt: null } }),
      );
    const [mine, theirs] = [await linkOf(p), await linkOf(other)];
    const sales = new Browser();
    await sales.signIn(p.users.sales_agent!.email);
    expect((await sales.fetch(`/partner/leads/${leadId}`, { form: { intent: "answer", linkId: mine.id, message: "" } })).status).toBe(302);
    const token = /\?lead=([\w-]+)/.exec(await lastMailTo(email))![1]!;
    const signUp = (url: string, lead: string) => {
      const id = uniq();
      return new Browser().fetch(`${new URL(url).pathname}?lead=${lead}`, {
        form: { intent: "signup", agreementVersion: "2026-11", read: "on", submissionKey: `key-${id}-${uniq()}-${uniq()}`, organisationName: `Tok ${id}`, primaryDomain: `tok-${id}.dk`, country: "DK", adminName: "Tom", email: `tom-${id}@tok.test`, password: "a-long-enough-password" },
      });
    };
    expect((await signUp(mine.url, `${token.slice(0, -4)}AAAA`)).status).toBe(302);
    expect((await signUp(theirs.url, token)).status).toBe(302);
    expect(await one(sql`select status, customer_org_id from leads where id = ${leadId}`)).toEqual({ status: "contacted", customer_org_id: null });
  });

  it("purges lost leads after the retention, and keeps the others", async () => {
    const p = await listedPartner({ description: "Purge partner.", keywords: ["support"] });
    const insert = (status: string, daysAgo: number) =>
      one<{ id: string }>(sql`insert into leads (partner_org_id, name, email, organisation, size, country, needs, status, status_changed_at)
        values (${p.orgId}, 'x', 'x@x.test', 'x', '1-9', 'DK', 'x', ${status}, now() - make_interval(days => ${daysAgo})) returning id`);
    const oldLost = await insert("lost", 200);
    const newLost = await insert("lost", 10);
    const oldWon = await insert("won", 400);
    const purged = await withSystem((tx) => purgeLostLeads(tx, { retentionDays: 180 }));
    expect(purged).toBeGreaterThanOrEqual(1);
    const left = (await all<{ id: string }>(sql`select id from leads where partner_org_id = ${p.orgId}`)).map((r) => r.id).sort();
    expect(left).toEqual([newLost.id, oldWon.id].sort());
    expect(left).not.toContain(oldLost.id);
  });

  it("lets only global admins, admin agents and sales agents work leads", async () => {
    const p = await listedPartner({ description: "Roles partner.", keywords: ["support"] });
    for (const role of ["helpdesk_agent", "billing_admin"]) {
      const b = new Browser();
      await b.signIn(p.users[role]!.email);
      expect((await b.html("/partner/leads")).status).toBe(403);
    }
  });
});

describe("the partner's listing", () => {
  it("needs enough to judge the partner before it is listed, and appears in the directory once listed", async () => {
    const p = await createPartner();
    const ga = new Browser();
    await ga.signIn(p.users.global_admin!.email);
    const thin = await ga.fetch("/partner/listing", { form: { listed: "on", description: "Too short" } });
    expect(thin.status).toBe(400);
    expect(await thin.text()).toContain("Describe your services in at least 20 characters");
    const word = `lst${uniq()}`;
    const ok = await ga.fetch("/partner/listing", {
      form: { listed: "on", description: `We do careful ${word} work for small offices.`, countries: ["DK", "NO"], cities: "Odense, Aalborg", sizes: ["1-9", "10-49"], keywords: ["support", "backup"], otherKeywords: "Power BI", languages: ["da", "en"] },
    });
    expect(ok.status).toBe(302);
    expect(await one(sql`select listed, countries, cities, sizes, keywords, languages from partner_listings where partner_org_id = ${p.orgId}`)).toEqual({
      listed: true,
      countries: ["DK", "NO"],
      cities: ["Odense", "Aalborg"],
      sizes: ["1-9", "10-49"],
      keywords: ["support", "backup", "power bi"],
      languages: ["da", "en"],
    });
    expect((await search({ q: word })).rows.map((r) => r.partnerOrgId)).toEqual([p.orgId]);
    expect((await search({ q: word, city: "aalborg" })).rows).toHaveLength(1);
    // Unlisting removes it from the directory at once.
    expect((await ga.fetch("/partner/listing", { form: { description: `We do careful ${word} work for small offices.` } })).status).toBe(302);
    expect((await search({ q: word })).rows).toEqual([]);
    const sales = new Browser();
    await sales.signIn(p.users.sales_agent!.email);
    expect((await sales.html("/partner/listing")).status).toBe(403);
  });
});
