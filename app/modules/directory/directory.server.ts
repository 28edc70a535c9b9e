/**
 * The public partner directory (ADR 0012): search, a partner's page, and "contact selected
 * partners", which gives each selected partner a lead.
 *
 * Search and the partner page run as the app role with no organisation context, through the
 * SECURITY DEFINER functions pd_directory_search / pd_directory_count / pd_directory_partner, which
 * return listed partners only. The contact form is the named cross-tenant path "directory contact"
 * (system context): one transaction writes a lead into each selected partner's inbox, its
 * notifications and mail, and the rate-limit row.
 */
import { sql } from "drizzle-orm";
import { z } from "zod";
import { contactRequests, leads, partnerListings } from "../../../db/schema";
import { rowsOf } from "../../../db/client";
import { config } from "~/utils/config.server";
import type { Tx } from "~/utils/db.server";
import { text, uuid } from "~/utils/input";
import { cursorCodec } from "~/utils/list";
import { recordAudit } from "../platform/audit.server";
import { DomainError } from "../../utils/errors";
import { enqueueMail } from "../platform/mail.server";
import { memberIdsWithRoles, notify } from "../platform/notifications.server";
import { DIRECTORY_PAGE_SIZE, type DirectoryQuery, type OrganisationSize } from "./directory-options";

/** Above this many matches the total reads "1,000+". */
export const DIRECTORY_COUNT_CAP = 1000;

export interface DirectoryRow {
  partnerOrgId: string;
  partnerNumber: number;
  name: string;
  description: string;
  countries: string[];
  cities: string[];
  sizes: string[];
  keywords: string[];
  languages: string[];
}

/**
 * The rank as PostgreSQL's real (float4) reads it (0, or a magnitude it neither overflows nor
 * underflows), the sort name as text without NUL, and a uuid (ADR 0027); a crafted cursor reads
 * as none.
 */
const directoryCursor = cursorCodec(
  z.tuple([
    z.number().refine((n) => n === 0 || (Math.abs(n) >= 1e-37 && Math.abs(n) <= 1e37)),
    text().max(300),
    uuid(),
  ]),
);

/** One page of listed partners matching the query (ranked when there is text), and a cheap total. */
export async function searchDirectory(tx: Tx, query: DirectoryQuery) {
  const after = directoryCursor.decode(query.after);
  const rows = rowsOf<{
    partner_org_id: string;
    partner_number: number;
    name: string;
    sort_name: string;
    description: string;
    countries: string[];
    cities: string[];
    sizes: string[];
    keywords: string[];
    languages: string[];
    rank: number;
  }>(
    await tx.execute(sql`select * from pd_directory_search(${query.q ?? null}, ${query.country ?? null}, ${query.city ?? null}, ${query.size ?? null}, ${query.language ?? null},
      ${after ? after[0] : null}::real, ${after ? after[1] : null}, ${after ? after[2] : null}::uuid, ${DIRECTORY_PAGE_SIZE + 1})`),
  );
  const [count] = rowsOf<{ n: number }>(
    await tx.execute(sql`select pd_directory_count(${query.q ?? null}, ${query.country ?? null}, ${query.city ?? null}, ${query.size ?? null}, ${query.language ?? null}, ${DIRECTORY_COUNT_CAP}) as n`),
  );
  const page = rows.slice(0, DIRECTORY_PAGE_SIZE);
  const last = page[page.length - 1];
  return {
    rows: page.map(
      (r): DirectoryRow => ({
        partnerOrgId: r.partner_org_id,
        partnerNumber: r.partner_number,
        name: r.name,
        description: r.description,
        countries: r.countries,
        cities: r.cities,
        sizes: r.sizes,
        keywords: r.keywords,
        languages: r.languages,
      }),
    ),
    next: rows.length > DIRECTORY_PAGE_SIZE && last ? directoryCursor.encode([Number(last.rank), last.sort_name, last.partner_org_id]) : null,
    total: { count: Math.min(Number(count?.n ?? 0), DIRECTORY_COUNT_CAP), more: Number(count?.n ?? 0) > DIRECTORY_COUNT_CAP },
  };
}

/** A listed partner's public page (404 when unknown or not listed). */
export async function getDirectoryPartner(tx: Tx, partnerNumber: number) {
  const [r] = rowsOf<{
    partner_org_id: string;
    partner_number: number;
    name: string;
    description: string;
    countries: string[];
    cities: string[];
    sizes: string[];
    keywords: string[];
    languages: string[];
    email: string | null;
    phone: string | null;
    website: string | null;
    address_line: string | null;
    postal_code: string | null;
    city: string | null;
    country: string | null;
  }>(await tx.execute(sql`select * from pd_directory_partner(${partnerNumber})`));
  if (!r) throw new DomainError(404, "This partner is not in the directory.");
  return {
    partnerNumber: r.partner_number,
    name: r.name,
    description: r.description,
    countries: r.countries,
    cities: r.cities,
    sizes: r.sizes,
    keywords: r.keywords,
    languages: r.languages,
    contact: { email: r.email, phone: r.phone, website: r.website, addressLine: r.address_line, postalCode: r.postal_code, city: r.city, country: r.country },
  };
}

/** The selected partners as the contact form shows them (listed ones only, in the given order). */
export async function selectedPartners(tx: Tx, partnerNumbers: number[]) {
  const found: { partnerNumber: number; name: string }[] = [];
  for (const n of partnerNumbers) {
    const [r] = rowsOf<{ partner_number: number; name: string }>(await tx.execute(sql`select partner_number, name from pd_directory_partner(${n})`));
    if (r) found.push({ partnerNumber: r.partner_number, name: r.name });
  }
  return found;
}

// ---- Contact ----

export interface ContactInput {
  partnerNumbers: number[];
  name: string;
  email: string;
  organisation: string;
  size: OrganisationSize;
  country: string;
  needs: string;
  consent: boolean;
  /** The honeypot: a field people never see, so never fill. */
  honeypot: string;
}

/**
 * Sends one request to the selected partners (system context). Refuses, with a clear answer and
 * nothing stored: a filled honeypot, no consent, too many partners, partners not (or no longer)
 * listed, and more requests than allowed per IP per hour or per email per day.
 */
export async function submitContact(tx: Tx, { input, ip }: { input: ContactInput; ip: string }) {
  const c = config();
  if (input.honeypot.trim() !== "") {
    throw new DomainError(400, "This request was refused because it looks automated. If you are a person, reload the page and send the form again.");
  }
  if (!input.consent) throw new DomainError(400, "Tick the box to agree that the selected partners may contact you.", "consent");
  const numbers = [...new Set(input.partnerNumbers)];
  if (numbers.length === 0) throw new DomainError(400, "Select at least one partner to contact.", "partners");
  if (numbers.length > c.CONTACT_MAX_PARTNERS) throw new DomainError(400, `Select at most ${c.CONTACT_MAX_PARTNERS} partners per request.`, "partners");
  const email = input.email.trim().toLowerCase();

  // One request at a time per IP and per email, so concurrent submissions cannot pass the limits together.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`contact-ip:${ip}`})), pg_advisory_xact_lock(hashtext(${`contact-email:${email}`}))`);
  const [recent] = rowsOf<{ by_ip: number; by_email: number }>(
    await tx.execute(sql`select
      (select count(*)::int from contact_requests where ip = ${ip} and created_at > now() - interval '1 hour') as by_ip,
      (select count(*)::int from contact_requests where email = ${email} and created_at > now() - interval '1 day') as by_email`),
  );
  if ((recent?.by_ip ?? 0) >= c.CONTACT_MAX_PER_IP_PER_HOUR) {
    throw new DomainError(429, `Too many requests from your network: at most ${c.CONTACT_MAX_PER_IP_PER_HOUR} an hour. Try again later.`);
  }
  if ((recent?.by_email ?? 0) >= c.CONTACT_MAX_PER_EMAIL_PER_DAY) {
    throw new DomainError(429, `This email address has already sent ${c.CONTACT_MAX_PER_EMAIL_PER_DAY} requests today. Try again tomorrow, or wait for the partners to answer.`, "email");
  }

  const partners = rowsOf<{ partner_org_id: string; partner_number: number; name: string }>(
    await tx.execute(sql`select partner_org_id, partner_number, name from ${partnerListings}
      where listed and partner_number = any(string_to_array(${numbers.join(",")}, ',')::int[])`),
  );
  if (partners.length !== numbers.length) throw new DomainError(409, "One of the selected partners is no longer in the directory. Go back and select again.", "partners");

  const [request] = await tx.insert(contactRequests).values({ ip, email, partners: partners.length }).returning({ id: contactRequests.id });
  const created = await tx
    .insert(leads)
    .values(
      partners.map((p) => ({
        partnerOrgId: p.partner_org_id,
        contactRequestId: request!.id,
        name: input.name.trim(),
        email,
        organisation: input.organisation.trim(),
        size: input.size,
        country: input.country,
        needs: input.needs.trim(),
      })),
    )
    .returning({ id: leads.id, partnerOrgId: leads.partnerOrgId });
  for (const lead of created) {
    const p = partners.find((x) => x.partner_org_id === lead.partnerOrgId)!;
    await notify(tx, {
      orgId: p.partner_org_id,
      userIds: await memberIdsWithRoles(tx, { orgId: p.partner_org_id, roles: ["global_admin", "admin_agent", "sales_agent"] }),
      kind: "lead.received",
      title: `New lead: ${input.organisation.trim()} (${input.name.trim()})`,
      body: `${input.organisation.trim()} (${input.size} employees, ${input.country}) contacted you from the partner directory:\n\n${input.needs.trim().slice(0, 1000)}`,
      link: `/partner/leads/${lead.id}`,
      email: true,
    });
    await recordAudit(tx, { actor: { userId: null, orgId: null, ip, name: input.name.trim() }, subjectOrgId: p.partner_org_id, action: "lead.received", objectType: "lead", objectId: lead.id });
  }
  await enqueueMail(tx, {
    orgId: null,
    to: [email],
    subject: `Your request was sent to ${partners.length === 1 ? partners[0]!.name : `${partners.length} partners`}`,
    text: `Hello ${input.name.trim()},\n\nYour request on Partnerdesk was sent to:\n${partners.map((p) => `- ${p.name} (Partner ID ${p.partner_number})`).join("\n")}\n\nThey will contact you at this address.\n\nWhat you wrote:\n${input.needs.trim()}\n`,
  });
  return { partners: partners.map((p) => ({ name: p.name, partnerNumber: p.partner_number })) };
}
