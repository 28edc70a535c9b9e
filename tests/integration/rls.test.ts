/**
 * Tenant isolation in the database: every tenant-owned table × select/insert/update/delete ×
 * own, other, unset and empty context, run as the app role. Global tables are closed to it.
 * A new table fails the catalogue check until it is added here.
 */
import { randomUUID } from "node:crypto";
import { sql, type SQL } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { rowsOf, APP_ROLE, type Tx } from "../../db/client";
import { eq } from "drizzle-orm";
import { links } from "../../db/schema";
import { withSystem, withTenant } from "../../app/utils/db.server";
import { createCustomer, createPartner, relate, type OrgFixture } from "../support/factories";
import { installTestDatabase } from "../support/db";

installTestDatabase();

type Op = "select" | "insert" | "update" | "delete";
interface Target {
  org: OrgFixture;
  userId: string;
  customer: OrgFixture;
}
interface TableCase {
  table: string;
  /** Operations the organisation may do on its own rows. */
  own: Op[];
  select(t: Target): SQL;
  insert(t: Target): SQL;
  update(t: Target): SQL;
  delete(t: Target): SQL;
  /** The user whose context is "own" (defaults to the org's global admin). */
}

const GLOBAL_TABLES = ["sessions", "login_throttle", "jobs", "job_effects", "__drizzle_migrations", "customer_agreements", "products", "contact_requests", "link_visitors", "org_rate_limits", "user_factors", "recovery_codes", "sign_in_challenges"];

const cases: TableCase[] = [
  {
    table: "organisations",
    own: ["select", "update"],
    select: (t) => sql`select id from organisations where id = ${t.org.orgId}`,
    insert: () => sql`insert into organisations (id, kind, name, partner_number) values (${randomUUID()}, 'partner', 'x', ${900000 + Math.floor(Math.random() * 99999)}) returning id`,
    update: (t) => sql`update organisations set name = name where id = ${t.org.orgId} returning id`,
    delete: (t) => sql`delete from organisations where id = ${t.org.orgId} returning id`,
  },
  {
    table: "memberships",
    own: ["select", "insert", "update", "delete"],
    select: (t) => sql`select user_id from memberships where org_id = ${t.org.orgId}`,
    // An organisation inserts invitations only, addressed to the account's own address (ADR 0026).
    insert: (t) => sql`insert into memberships (org_id, user_id, roles, invited_email) values (${t.org.orgId}, ${t.customer.users.global_admin!.id}, '{sales_agent}', ${t.customer.users.global_admin!.email}) returning user_id`,
    update: (t) => sql`update memberships set roles = roles where org_id = ${t.org.orgId} returning user_id`,
    delete: (t) => sql`delete from memberships where org_id = ${t.org.orgId} and user_id = ${t.org.users.sales_agent!.id} returning user_id`,
  },
  {
    table: "users",
    own: ["select", "update"],
    select: (t) => sql`select id from users where id = ${t.userId}`,
    insert: () => sql`insert into users (email, display_name) values (${`x-${randomUUID()}@x.test`}, 'x') returning id`,
    update: (t) => sql`update users set display_name = display_name where id = ${t.userId} returning id`,
    delete: (t) => sql`delete from users where id = ${t.userId} returning id`,
  },
  {
    table: "auth_tokens",
    own: ["select", "insert", "update", "delete"],
    select: (t) => sql`select token_hash from auth_tokens where org_id = ${t.org.orgId}`,
    // Only invitation tokens, only for someone the organisation invited (ADR 0026; invited in beforeAll).
    insert: (t) => sql`insert into auth_tokens (token_hash, kind, user_id, org_id, expires_at) values (${randomUUID()}, 'activation', ${t.customer.users.user!.id}, ${t.org.orgId}, now() + interval '1 day') returning token_hash`,
    update: (t) => sql`update auth_tokens set revoked_at = now() where org_id = ${t.org.orgId} returning token_hash`,
    delete: (t) => sql`delete from auth_tokens where org_id = ${t.org.orgId} returning token_hash`,
  },
  {
    table: "audit_log",
    own: ["select", "insert"],
    select: (t) => sql`select id from audit_log where actor_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into audit_log (actor_org_id, action) values (${t.org.orgId}, 'test') returning id`,
    update: (t) => sql`update audit_log set action = action where actor_org_id = ${t.org.orgId} returning id`,
    delete: (t) => sql`delete from audit_log where actor_org_id = ${t.org.orgId} returning id`,
  },
  {
    table: "notifications",
    // A person clears their own notifications (issue 30, migration 0048).
    own: ["select", "insert", "update", "delete"],
    select: (t) => sql`select id from notifications where org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into notifications (org_id, user_id, kind, title) values (${t.org.orgId}, ${t.userId}, 'test', 't') returning id`,
    update: (t) => sql`update notifications set read_at = now() where org_id = ${t.org.orgId} returning id`,
    delete: (t) => sql`delete from notifications where org_id = ${t.org.orgId} returning id`,
  },
  {
    table: "mail_outbox",
    own: ["insert"],
    select: (t) => sql`select id from mail_outbox where org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into mail_outbox (org_id, "to", subject, text_body) values (${t.org.orgId}, '{a@b.test}', 's', 't')`,
    update: (t) => sql`update mail_outbox set subject = subject where org_id = ${t.org.orgId} returning id`,
    delete: (t) => sql`delete from mail_outbox where org_id = ${t.org.orgId} returning id`,
  },
  {
    table: "relationships",
    own: ["select", "insert", "update"],
    select: (t) => sql`select id from relationships where partner_org_id = ${t.org.orgId}`,
    // A partner asks one of its own customers for delegated administration.
    insert: (t) => sql`insert into relationships (partner_org_id, customer_org_id, type, status)
      select ${t.org.orgId}, customer_org_id, 'dap', 'requested' from relationships where partner_org_id = ${t.org.orgId} and type = 'reseller' limit 1 returning id`,
    update: (t) => sql`update relationships set status = status where partner_org_id = ${t.org.orgId} returning id`,
    delete: (t) => sql`delete from relationships where partner_org_id = ${t.org.orgId} returning id`,
  },
  {
    table: "agreement_acceptances",
    own: ["select", "insert"],
    select: (t) => sql`select version from agreement_acceptances where customer_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into agreement_acceptances (customer_org_id, version) values (${t.org.orgId}, '2000-01') returning version`,
    update: (t) => sql`update agreement_acceptances set ip = ip where customer_org_id = ${t.org.orgId} returning version`,
    delete: (t) => sql`delete from agreement_acceptances where customer_org_id = ${t.org.orgId} returning version`,
  },
  {
    table: "partner_customers",
    own: ["select"],
    select: (t) => sql`select customer_org_id from partner_customers where partner_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into partner_customers (partner_org_id, customer_org_id, name, sort_name, primary_domain, country, relationship_types, is_reseller, is_advisor, is_dap, is_gdap, agreement_status, search_text, customer_created_at) values (${t.org.orgId}, ${t.customer.orgId}, 'x', 'x', 'x.test', 'DK', 'advisor', false, true, false, false, 'pending', 'x', now()) returning customer_org_id`,
    update: (t) => sql`update partner_customers set name = name where partner_org_id = ${t.org.orgId} returning customer_org_id`,
    delete: (t) => sql`delete from partner_customers where partner_org_id = ${t.org.orgId} returning customer_org_id`,
  },
  {
    table: "partner_subscriptions",
    own: ["select"],
    select: (t) => sql`select subscription_id from partner_subscriptions where partner_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into partner_subscriptions (partner_org_id, subscription_id, customer_org_id, product_id, licences, status, is_partner_of_record, is_reseller, started_at, created_at)
      values (${t.org.orgId}, ${randomUUID()}, ${t.customer.orgId}, 'business-basic', 1, 'active', true, false, now(), now()) returning subscription_id`,
    update: (t) => sql`update partner_subscriptions set licences = 99 where partner_org_id = ${t.org.orgId} returning subscription_id`,
    delete: (t) => sql`delete from partner_subscriptions where partner_org_id = ${t.org.orgId} returning subscription_id`,
  },
  {
    table: "partner_subscription_totals",
    own: ["select"],
    select: (t) => sql`select status from partner_subscription_totals where partner_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into partner_subscription_totals (partner_org_id, status, product_id, subscriptions, licences) values (${t.org.orgId}, 'x', 'business-basic', 1, 1) returning status`,
    update: (t) => sql`update partner_subscription_totals set licences = 99 where partner_org_id = ${t.org.orgId} returning status`,
    delete: (t) => sql`delete from partner_subscription_totals where partner_org_id = ${t.org.orgId} returning status`,
  },
  {
    table: "partner_subscription_total_changes",
    own: ["select"],
    select: (t) => sql`select id from partner_subscription_total_changes where partner_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into partner_subscription_total_changes (partner_org_id, status, product_id, subscriptions, licences) values (${t.org.orgId}, 'x', 'business-basic', 1, 1) returning id`,
    update: (t) => sql`update partner_subscription_total_changes set licences = 99 where partner_org_id = ${t.org.orgId} returning id`,
    delete: (t) => sql`delete from partner_subscription_total_changes where partner_org_id = ${t.org.orgId} returning id`,
  },
  {
    table: "partner_customer_counts",
    own: ["select"],
    select: (t) => sql`select customers from partner_customer_counts where partner_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into partner_customer_counts (partner_org_id, customers) values (${t.org.orgId}, 5) on conflict do nothing returning customers`,
    update: (t) => sql`update partner_customer_counts set customers = 0 where partner_org_id = ${t.org.orgId} returning customers`,
    delete: (t) => sql`delete from partner_customer_counts where partner_org_id = ${t.org.orgId} returning customers`,
  },
  {
    table: "links",
    own: ["select", "insert", "update"],
    select: (t) => sql`select id from links where partner_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into links (partner_org_id, kind, link_id, code) values (${t.org.orgId}, 'reseller', ${randomUUID()}, 'c') returning id`,
    update: (t) => sql`update links set revoked_at = now() where partner_org_id = ${t.org.orgId} returning id`,
    delete: (t) => sql`delete from links where partner_org_id = ${t.org.orgId} returning id`,
  },
  {
    table: "link_items",
    own: ["select", "insert"],
    select: (t) => sql`select link_id from link_items where partner_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into link_items (link_id, partner_org_id, product_id, licences) select id, ${t.org.orgId}, 'visio-plan-2', 1 from links where partner_org_id = ${t.org.orgId} limit 1 returning link_id`,
    update: (t) => sql`update link_items set licences = licences where partner_org_id = ${t.org.orgId} returning link_id`,
    delete: (t) => sql`delete from link_items where partner_org_id = ${t.org.orgId} returning link_id`,
  },
  {
    // A as a customer (and as its own partner of record) for the matrix; the customer changes its
    // subscriptions, the partner of record only reads them.
    table: "subscriptions",
    own: ["select", "insert", "update"],
    select: (t) => sql`select id from subscriptions where customer_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into subscriptions (customer_org_id, product_id, licences, status) values (${t.org.orgId}, 'business-basic', 1, 'active') returning id`,
    update: (t) => sql`update subscriptions set licences = licences where customer_org_id = ${t.org.orgId} returning id`,
    delete: (t) => sql`delete from subscriptions where customer_org_id = ${t.org.orgId} returning id`,
  },
  {
    table: "link_redemptions",
    own: ["select"],
    select: (t) => sql`select id from link_redemptions where partner_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into link_redemptions (link_id, partner_org_id, customer_org_id) select id, ${t.org.orgId}, ${t.customer.orgId} from links where partner_org_id = ${t.org.orgId} limit 1 returning id`,
    update: (t) => sql`update link_redemptions set signed_up = signed_up where partner_org_id = ${t.org.orgId} returning id`,
    delete: (t) => sql`delete from link_redemptions where partner_org_id = ${t.org.orgId} returning id`,
  },
  {
    table: "link_visits",
    own: ["select"],
    select: (t) => sql`select link_id from link_visits where partner_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into link_visits (link_id, partner_org_id, day, visits) select id, ${t.org.orgId}, '2001-01-01', 1 from links where partner_org_id = ${t.org.orgId} limit 1 returning link_id`,
    update: (t) => sql`update link_visits set visits = visits + 1 where partner_org_id = ${t.org.orgId} returning link_id`,
    delete: (t) => sql`delete from link_visits where partner_org_id = ${t.org.orgId} returning link_id`,
  },
  {
    table: "admin_relationships",
    own: ["select", "insert", "update"],
    select: (t) => sql`select id from admin_relationships where partner_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into admin_relationships (partner_org_id, display_name, duration_days, roles, status, approval_code, request_expires_at)
      values (${t.org.orgId}, ${`x ${randomUUID()}`.slice(0, 40)}, 30, '{x}', 'approval_pending', ${randomUUID()}, now()) returning id`,
    update: (t) => sql`update admin_relationships set status = status where partner_org_id = ${t.org.orgId} returning id`,
    delete: (t) => sql`delete from admin_relationships where partner_org_id = ${t.org.orgId} returning id`,
  },
  {
    table: "staff_groups",
    own: ["select", "insert", "update", "delete"],
    select: (t) => sql`select id from staff_groups where partner_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into staff_groups (partner_org_id, name) values (${t.org.orgId}, ${`g ${randomUUID()}`}) returning id`,
    update: (t) => sql`update staff_groups set name = name where partner_org_id = ${t.org.orgId} returning id`,
    delete: (t) => sql`delete from staff_groups where partner_org_id = ${t.org.orgId} returning id`,
  },
  {
    table: "staff_group_members",
    own: ["select", "insert", "delete"],
    select: (t) => sql`select user_id from staff_group_members where partner_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into staff_group_members (group_id, partner_org_id, user_id) select id, ${t.org.orgId}, ${t.org.users.billing_admin!.id} from staff_groups where partner_org_id = ${t.org.orgId} limit 1 on conflict do nothing returning user_id`,
    update: (t) => sql`update staff_group_members set user_id = user_id where partner_org_id = ${t.org.orgId} returning user_id`,
    delete: (t) => sql`delete from staff_group_members where partner_org_id = ${t.org.orgId} returning user_id`,
  },
  {
    table: "gdap_assignments",
    own: ["select", "insert", "update", "delete"],
    select: (t) => sql`select group_id from gdap_assignments where partner_org_id = ${t.org.orgId}`,
    insert: (t) => sql`with g as (insert into staff_groups (partner_org_id, name) values (${t.org.orgId}, ${`g ${randomUUID()}`}) returning id)
      insert into gdap_assignments (admin_relationship_id, group_id, partner_org_id, roles)
      select a.id, g.id, ${t.org.orgId}, '{x}' from admin_relationships a, g where a.partner_org_id = ${t.org.orgId} limit 1 returning group_id`,
    update: (t) => sql`update gdap_assignments set roles = roles where partner_org_id = ${t.org.orgId} returning group_id`,
    delete: (t) => sql`delete from gdap_assignments where partner_org_id = ${t.org.orgId} returning group_id`,
  },
  {
    // A as a customer again: its licences and service requests.
    table: "licence_assignments",
    own: ["select", "insert", "delete"],
    select: (t) => sql`select user_id from licence_assignments where customer_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into licence_assignments (subscription_id, customer_org_id, user_id) select id, ${t.org.orgId}, ${t.org.users.sales_agent!.id} from subscriptions where customer_org_id = ${t.org.orgId} limit 1 on conflict do nothing returning user_id`,
    update: (t) => sql`update licence_assignments set user_id = user_id where customer_org_id = ${t.org.orgId} returning user_id`,
    delete: (t) => sql`delete from licence_assignments where customer_org_id = ${t.org.orgId} returning user_id`,
  },
  {
    table: "service_requests",
    own: ["select", "insert", "update"],
    select: (t) => sql`select id from service_requests where customer_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into service_requests (customer_org_id, title, description) values (${t.org.orgId}, 't', 'd') returning id`,
    update: (t) => sql`update service_requests set status = 'closed' where customer_org_id = ${t.org.orgId} returning id`,
    delete: (t) => sql`delete from service_requests where customer_org_id = ${t.org.orgId} returning id`,
  },
  {
    table: "service_request_comments",
    own: ["select", "insert"],
    select: (t) => sql`select id from service_request_comments where customer_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into service_request_comments (request_id, customer_org_id, body) select id, ${t.org.orgId}, 'c' from service_requests where customer_org_id = ${t.org.orgId} limit 1 returning id`,
    update: (t) => sql`update service_request_comments set body = body where customer_org_id = ${t.org.orgId} returning id`,
    delete: (t) => sql`delete from service_request_comments where customer_org_id = ${t.org.orgId} returning id`,
  },
  {
    table: "bulk_operations",
    own: ["select", "insert", "update"],
    select: (t) => sql`select id from bulk_operations where partner_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into bulk_operations (partner_org_id, kind, template, total) values (${t.org.orgId}, 'gdap', '{}', 0) returning id`,
    update: (t) => sql`update bulk_operations set succeeded = succeeded where partner_org_id = ${t.org.orgId} returning id`,
    delete: (t) => sql`delete from bulk_operations where partner_org_id = ${t.org.orgId} returning id`,
  },
  {
    table: "bulk_operation_items",
    own: ["select", "insert", "update"],
    select: (t) => sql`select customer_org_id from bulk_operation_items where partner_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into bulk_operation_items (operation_id, partner_org_id, customer_org_id) select id, ${t.org.orgId}, ${randomUUID()} from bulk_operations where partner_org_id = ${t.org.orgId} limit 1 returning customer_org_id`,
    update: (t) => sql`update bulk_operation_items set status = status where partner_org_id = ${t.org.orgId} returning customer_org_id`,
    delete: (t) => sql`delete from bulk_operation_items where partner_org_id = ${t.org.orgId} returning customer_org_id`,
  },
  {
    table: "product_keys",
    own: ["select", "insert", "update"],
    select: (t) => sql`select id from product_keys where partner_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into product_keys (partner_org_id, key_hash, last_group, product_id, licences) values (${t.org.orgId}, ${randomUUID()}, 'BCDFG', 'business-basic', 1) returning id`,
    update: (t) => sql`update product_keys set status = status where partner_org_id = ${t.org.orgId} returning id`,
    delete: (t) => sql`delete from product_keys where partner_org_id = ${t.org.orgId} returning id`,
  },
  {
    table: "product_key_imports",
    own: ["select", "insert"],
    select: (t) => sql`select id from product_key_imports where partner_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into product_key_imports (partner_org_id, accepted, refused, report) values (${t.org.orgId}, 0, 0, '[]') returning id`,
    update: (t) => sql`update product_key_imports set accepted = accepted where partner_org_id = ${t.org.orgId} returning id`,
    delete: (t) => sql`delete from product_key_imports where partner_org_id = ${t.org.orgId} returning id`,
  },
  {
    table: "partner_listings",
    own: ["select", "insert", "update"],
    select: (t) => sql`select partner_org_id from partner_listings where partner_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into partner_listings (partner_org_id, listed) values (${t.org.orgId}, false) on conflict (partner_org_id) do update set listed = excluded.listed returning partner_org_id`,
    update: (t) => sql`update partner_listings set description = description where partner_org_id = ${t.org.orgId} returning partner_org_id`,
    delete: (t) => sql`delete from partner_listings where partner_org_id = ${t.org.orgId} returning partner_org_id`,
  },
  {
    table: "leads",
    own: ["select", "update", "delete"],
    select: (t) => sql`select id from leads where partner_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into leads (partner_org_id, name, email, organisation, size, country, needs) values (${t.org.orgId}, 'x', 'x@x.test', 'x', '1-9', 'DK', 'x') returning id`,
    update: (t) => sql`update leads set status = status where partner_org_id = ${t.org.orgId} returning id`,
    delete: (t) => sql`delete from leads where partner_org_id = ${t.org.orgId} returning id`,
  },
  {
    table: "lead_notes",
    own: ["select", "insert", "delete"],
    select: (t) => sql`select id from lead_notes where partner_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into lead_notes (lead_id, partner_org_id, body) select id, ${t.org.orgId}, 'x' from leads where partner_org_id = ${t.org.orgId} limit 1 returning id`,
    update: (t) => sql`update lead_notes set body = body where partner_org_id = ${t.org.orgId} returning id`,
    delete: (t) => sql`delete from lead_notes where partner_org_id = ${t.org.orgId} returning id`,
  },
  {
    table: "customer_selections",
    own: ["select", "insert", "update", "delete"],
    select: (t) => sql`select id from customer_selections where partner_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into customer_selections (partner_org_id, filter, all_matching, count) values (${t.org.orgId}, '{}', false, 0) returning id`,
    update: (t) => sql`update customer_selections set count = count where partner_org_id = ${t.org.orgId} returning id`,
    delete: (t) => sql`delete from customer_selections where partner_org_id = ${t.org.orgId} returning id`,
  },
  {
    table: "customer_selection_items",
    own: ["select", "insert", "delete"],
    select: (t) => sql`select customer_org_id from customer_selection_items where partner_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into customer_selection_items (selection_id, partner_org_id, customer_org_id) select id, ${t.org.orgId}, ${t.customer.orgId} from customer_selections where partner_org_id = ${t.org.orgId} limit 1 returning customer_org_id`,
    update: (t) => sql`update customer_selection_items set customer_org_id = customer_org_id where partner_org_id = ${t.org.orgId} returning customer_org_id`,
    delete: (t) => sql`delete from customer_selection_items where partner_org_id = ${t.org.orgId} returning customer_org_id`,
  },
  {
    table: "lob_apps",
    // A LOB partner submits to its customer and withdraws a waiting submission (issue 30); nothing is deleted.
    own: ["select", "insert", "update"],
    select: (t) => sql`select id from lob_apps where partner_org_id = ${t.org.orgId}`,
    insert: (t) => sql`insert into lob_apps (customer_org_id, partner_org_id, partner_name, submitted_by_user_id, name, version, description, download_url)
      select customer_org_id, ${t.org.orgId}, ${t.org.name}, ${t.userId}, ${`App ${randomUUID()}`}, '1', 'x', 'https://x.example/a' from relationships where partner_org_id = ${t.org.orgId} and type = 'lob' limit 1 returning id`,
    update: (t) => sql`update lob_apps set status = 'withdrawn', reviewed_by_org_id = ${t.org.orgId} where partner_org_id = ${t.org.orgId} returning id`,
    delete: (t) => sql`delete from lob_apps where partner_org_id = ${t.org.orgId} returning id`,
  },
];

class Rollback extends Error {}

type Outcome = "rows" | "none" | "denied";

/** Runs one statement as the app role in the given context, always rolled back. */
async function attempt(context: "own" | "other" | "unset" | "empty", t: Target, other: Target, statement: SQL): Promise<Outcome> {
  let outcome: Outcome = "none";
  try {
    await withSystem(async (tx: Tx) => {
      if (context === "own") await tx.execute(sql`select set_config('app.org_id', ${t.org.orgId}, true), set_config('app.user_id', ${t.userId}, true)`);
      if (context === "other") await tx.execute(sql`select set_config('app.org_id', ${other.org.orgId}, true), set_config('app.user_id', ${other.userId}, true)`);
      if (context === "empty") await tx.execute(sql`select set_config('app.org_id', '', true), set_config('app.user_id', '', true)`);
      await tx.execute(sql.raw(`set local role ${APP_ROLE}`));
      try {
        const result = await tx.execute(statement);
        const rows = rowsOf(result);
        const affected = (result as { affectedRows?: number; count?: number }).affectedRows ?? (result as { count?: number }).count ?? 0;
        outcome = rows.length > 0 || affected > 0 ? "rows" : "none";
      } catch (error) {
        const cause = ((error as Error).cause ?? error) as { code?: string; message?: string };
        if (cause.code === "42501" || /append-only/.test(String(cause.message))) outcome = "denied";
        else throw error;
      }
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  }
  return outcome;
}

let a: Target;
let b: Target;

beforeAll(async () => {
  const partnerA = await createPartner();
  const partnerB = await createPartner();
  const customerA = await createCustomer();
  const customerB = await createCustomer();
  await relate(partnerA, customerA);
  await relate(partnerB, customerB);
  a = { org: partnerA, userId: partnerA.users.global_admin!.id, customer: customerB };
  b = { org: partnerB, userId: partnerB.users.global_admin!.id, customer: customerA };
  // Give each table rows of A to see, change and delete.
  await withSystem(async (tx) => {
    for (const t of [a, b]) {
      await tx.execute(sql`insert into memberships (org_id, user_id, roles, status, invited_email) values (${t.org.orgId}, ${t.customer.users.user!.id}, '{sales_agent}', 'invited', ${t.customer.users.user!.email})`);
    }
    await tx.execute(sql`insert into auth_tokens (token_hash, kind, user_id, org_id, expires_at) values (${randomUUID()}, 'activation', ${a.userId}, ${a.org.orgId}, now() + interval '1 day')`);
    await tx.execute(sql`insert into audit_log (actor_org_id, action) values (${a.org.orgId}, 'seed')`);
    await tx.execute(sql`insert into notifications (org_id, user_id, kind, title) values (${a.org.orgId}, ${a.userId}, 'seed', 'seed')`);
    await tx.execute(sql`insert into mail_outbox (org_id, "to", subject, text_body) values (${a.org.orgId}, '{a@b.test}', 's', 't')`);
    await tx.execute(sql`insert into customer_agreements (version, title, body, effective_at) values ('2000-01', 'Old', 'Old', '2000-01-01') on conflict do nothing`);
    // A's own customer-side row (as if A were a customer) and a saved selection of A.
    await tx.execute(sql`insert into agreement_acceptances (customer_org_id, version) values (${a.org.orgId}, '2026-11')`);
    const [sel] = rowsOf<{ id: string }>(await tx.execute(sql`insert into customer_selections (partner_org_id, filter, all_matching, count) values (${a.org.orgId}, '{}', false, 1) returning id`));
    await tx.execute(sql`insert into customer_selection_items (selection_id, partner_org_id, customer_org_id) values (${sel!.id}, ${a.org.orgId}, ${b.customer.orgId})`);
    const [link] = rowsOf<{ id: string }>(await tx.execute(sql`insert into links (partner_org_id, kind, link_id, code) values (${a.org.orgId}, 'offer', ${randomUUID()}, 'c') returning id`));
    await tx.execute(sql`insert into link_items (link_id, partner_org_id, product_id, licences) values (${link!.id}, ${a.org.orgId}, 'business-basic', 3)`);
    await tx.execute(sql`update organisations set is_authorised_advisor = true where id = ${a.org.orgId}`);
    await tx.execute(sql`insert into subscriptions (customer_org_id, product_id, licences, status, advisor_partner_org_id, source_link_id) values (${a.org.orgId}, 'business-basic', 3, 'active', ${a.org.orgId}, ${link!.id})`);
    await tx.execute(sql`insert into link_redemptions (link_id, partner_org_id, customer_org_id) values (${link!.id}, ${a.org.orgId}, ${b.customer.orgId})`);
    // A's subscription above appended a total change; a kept total as the compaction would leave.
    await tx.execute(sql`insert into partner_subscription_totals (partner_org_id, status, product_id, subscriptions, licences) values (${a.org.orgId}, 'cancelled', 'visio-plan-2', 1, 1)`);
    await tx.execute(sql`insert into link_visits (link_id, partner_org_id, day, visits) values (${link!.id}, ${a.org.orgId}, '2026-11-24', 3)`);
    await tx.execute(sql`insert into admin_relationships (partner_org_id, customer_org_id, display_name, duration_days, roles, status, approval_code, request_expires_at)
      values (${a.org.orgId}, ${a.customer.orgId}, 'seed', 30, '{x}', 'approval_pending', ${randomUUID()}, now() + interval '90 days')`);
    await tx.execute(sql`insert into licence_assignments (subscription_id, customer_org_id, user_id) select id, ${a.org.orgId}, ${a.userId} from subscriptions where customer_org_id = ${a.org.orgId} limit 1`);
    const [req] = rowsOf<{ id: string }>(await tx.execute(sql`insert into service_requests (customer_org_id, title, description) values (${a.org.orgId}, 'seed', 'seed') returning id`));
    await tx.execute(sql`insert into service_request_comments (request_id, customer_org_id, body) values (${req!.id}, ${a.org.orgId}, 'seed')`);
    const [op] = rowsOf<{ id: string }>(await tx.execute(sql`insert into bulk_operations (partner_org_id, kind, template, total) values (${a.org.orgId}, 'gdap', '{}', 1) returning id`));
    await tx.execute(sql`insert into bulk_operation_items (operation_id, partner_org_id, customer_org_id) values (${op!.id}, ${a.org.orgId}, ${a.customer.orgId})`);
    await tx.execute(sql`insert into product_keys (partner_org_id, key_hash, last_group, product_id, licences) values (${a.org.orgId}, ${randomUUID()}, 'BCDFG', 'business-basic', 2)`);
    await tx.execute(sql`insert into product_key_imports (partner_org_id, accepted, refused, report) values (${a.org.orgId}, 1, 0, '[]')`);
    await tx.execute(sql`insert into partner_listings (partner_org_id, listed, description) values (${a.org.orgId}, true, 'seed')`);
    const [lead] = rowsOf<{ id: string }>(await tx.execute(sql`insert into leads (partner_org_id, name, email, organisation, size, country, needs) values (${a.org.orgId}, 'x', 'x@x.test', 'x', '1-9', 'DK', 'x') returning id`));
    await tx.execute(sql`insert into lead_notes (lead_id, partner_org_id, body) values (${lead!.id}, ${a.org.orgId}, 'seed')`);
    const [group] = rowsOf<{ id: string }>(await tx.execute(sql`insert into staff_groups (partner_org_id, name) values (${a.org.orgId}, 'seed group') returning id`));
    await tx.execute(sql`insert into staff_group_members (group_id, partner_org_id, user_id) values (${group!.id}, ${a.org.orgId}, ${a.userId})`);
    await tx.execute(sql`insert into gdap_assignments (admin_relationship_id, group_id, partner_org_id, roles)
      select id, ${group!.id}, ${a.org.orgId}, '{x}' from admin_relationships where partner_org_id = ${a.org.orgId} limit 1`);
    // A is B's customer's LOB partner with one waiting app.
    await tx.execute(sql`insert into relationships (partner_org_id, customer_org_id, type, status, started_at) values (${a.org.orgId}, ${b.customer.orgId}, 'lob', 'active', now())`);
    await tx.execute(sql`insert into lob_apps (customer_org_id, partner_org_id, partner_name, name, version, description, download_url) values (${b.customer.orgId}, ${a.org.orgId}, 'A', 'Seed app', '1', 'x', 'https://x.example/a')`);
  });
});

describe("row-level security matrix", () => {
  for (const c of cases) {
    for (const op of ["select", "insert", "update", "delete"] as Op[]) {
      it(`${c.table} ${op}: own context ${c.own.includes(op) ? "may" : "may not"}`, async () => {
        const outcome = await attempt("own", a, b, c[op](a));
        if (c.own.includes(op)) expect(outcome).toBe("rows");
        else expect(outcome).not.toBe("rows");
      });
      for (const ctx of ["other", "unset", "empty"] as const) {
        it(`${c.table} ${op}: ${ctx} context touches nothing of another tenant`, async () => {
          const outcome = await attempt(ctx, a, b, c[op](a));
          expect(outcome).not.toBe("rows");
        });
      }
    }
  }

  it("covers every table: tenant-owned tables force RLS and have a case; global tables are closed to the app role", async () => {
    const tables = await withSystem(async (tx) =>
      rowsOf<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(
        await tx.execute(sql`select relname, relrowsecurity, relforcerowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'public' and c.relkind = 'r'`),
      ),
    );
    for (const t of tables) {
      if (t.relname.startsWith("__drizzle")) continue;
      expect(t.relrowsecurity, `${t.relname} enables RLS`).toBe(true);
      expect(t.relforcerowsecurity, `${t.relname} forces RLS`).toBe(true);
      const known = cases.some((c) => c.table === t.relname) || GLOBAL_TABLES.includes(t.relname);
      expect(known, `${t.relname} has an isolation case or is listed as global`).toBe(true);
    }
  });

  it("the product catalogue is public to read and closed to change", async () => {
    expect(await attempt("own", a, b, sql`select id from products`)).toBe("rows");
    expect(await attempt("own", a, b, sql`update products set monthly_price_cents = 0 returning id`)).toBe("denied");
    expect(await attempt("own", a, b, sql`insert into products (id, name, description, monthly_price_cents, has_trial, max_licences) values ('x', 'x', 'x', 1, false, 1)`)).toBe("denied");
    expect(await attempt("own", a, b, sql`delete from products returning id`)).toBe("denied");
  });

  it("the customer agreement text is public to read and closed to change", async () => {
    expect(await attempt("own", a, b, sql`select version from customer_agreements`)).toBe("rows");
    expect(await attempt("unset", a, b, sql`select version from customer_agreements`)).toBe("rows");
    expect(await attempt("own", a, b, sql`insert into customer_agreements (version, title, body) values ('x', 'x', 'x')`)).toBe("denied");
    expect(await attempt("own", a, b, sql`update customer_agreements set title = 'x' returning version`)).toBe("denied");
  });

  it("global tables: the app role reads and changes nothing", async () => {
    for (const table of ["sessions", "login_throttle", "job_effects", "jobs", "link_visitors", "org_rate_limits"]) {
      const outcome = await attempt("own", a, b, sql.raw(`select * from ${table} limit 1`));
      expect(outcome, table).toBe("denied");
    }
    expect(await attempt("own", a, b, sql`delete from sessions returning 1`)).toBe("denied");
  });

  it("pd_take_org_quota counts for the organisation of the context only, and refuses without one", async () => {
    const take = (ctx: "own" | "other" | "unset") => attempt(ctx, a, b, sql`select 1 from (select pd_take_org_quota('test.rls', 1, 5, 60) as r) q where r = 0`);
    expect(await take("unset")).toBe("denied");
    expect(await take("own")).toBe("rows");
    // Each attempt rolls back, so the count is checked by taking in one transaction.
    const used = await withTenant({ orgId: a.org.orgId, userId: a.userId }, async (tx) => {
      const out: number[] = [];
      for (let i = 0; i < 3; i++) out.push(Number(rowsOf<{ r: number }>(await tx.execute(sql`select pd_take_org_quota('test.rls', 2, 5, 60) as r`))[0]!.r));
      return out;
    });
    expect(used[0]).toBe(0);
    expect(used[1]).toBe(0);
    expect(used[2]).toBeGreaterThan(0); // 6 > 5: refused with the seconds until the window ends
    const rows = await withSystem(async (tx) => rowsOf<{ org_id: string; used: number }>(await tx.execute(sql`select org_id, used from org_rate_limits where kind = 'test.rls'`)));
    expect(rows).toEqual([{ org_id: a.org.orgId, used: 4 }]);
  });

  it("withTenant sets the context before the first statement of its work, whatever kind of statement it is", async () => {
    // A regression guard: issuing the context and the work's first statement together let the
    // driver run the work first, as the owner, now and then.
    for (let i = 0; i < 20; i++) {
      const viaBuilder = await withTenant({ orgId: b.org.orgId, userId: b.userId }, (tx) => tx.select({ id: links.id }).from(links).where(eq(links.partnerOrgId, a.org.orgId)));
      expect(viaBuilder).toEqual([]);
      const viaThen = await withTenant({ orgId: b.org.orgId, userId: b.userId }, (tx) =>
        tx.select({ id: links.id }).from(links).where(eq(links.partnerOrgId, a.org.orgId)).then((rows) => rows),
      );
      expect(viaThen).toEqual([]);
      const viaRaw = await withTenant({ orgId: b.org.orgId, userId: b.userId }, async (tx) => rowsOf(await tx.execute(sql`select id from links where partner_org_id = ${a.org.orgId}`)));
      expect(viaRaw).toEqual([]);
      const role = await withTenant({ orgId: b.org.orgId, userId: b.userId }, async (tx) => rowsOf<{ r: string }>(await tx.execute(sql`select current_user as r`)));
      expect(role[0]!.r).toBe(APP_ROLE);
    }
  });

  it("the context travels with the work's first statement: concurrent transactions each see only their own", async () => {
    // The context is each transaction's first statement (ADR 0032); the work's first statement, of
    // every kind, must run as the app role in its own organisation, however many run at once.
    const runs = Array.from({ length: 60 }, (_, i) => {
      const who = i % 2 === 0 ? a : b;
      const ctx = { orgId: who.org.orgId, userId: who.userId };
      const first =
        i % 3 === 0
          ? (tx: Tx) => tx.execute(sql`select current_user as r, current_setting('app.org_id') as org`) // parameterless
          : i % 3 === 1
            ? (tx: Tx) => tx.execute(sql`select current_user as r, current_setting('app.org_id') as org, ${i}::int as i`)
            : async (tx: Tx) => tx.execute(sql`select current_user as r, current_setting('app.org_id') as org where ${true}`);
      return withTenant(ctx, (tx) => first(tx)).then((res) => ({ expected: who.org.orgId, row: rowsOf<{ r: string; org: string }>(res)[0]! }));
    });
    for (const { expected, row } of await Promise.all(runs)) {
      expect(row.r).toBe(APP_ROLE);
      expect(row.org).toBe(expected);
    }
  });

  it("a tenant context takes ids only: anything else is refused before a statement is sent", async () => {
    await expect(withTenant({ orgId: "x', true), set_config('role', 'postgres", userId: null }, async (tx) => tx.execute(sql`select 1`))).rejects.toThrow(/not an id/);
    await expect(withTenant({ orgId: a.org.orgId, userId: "1 or 1=1" }, async (tx) => tx.execute(sql`select 1`))).rejects.toThrow(/not an id/);
  });

  it("a partner enters a customer's context only through an active admin relationship (pd_act_in_customer)", async () => {
    // A has a reseller relationship with its customer but no DAP/GDAP: refused; B's customer: refused.
    for (const customer of [b.customer, a.customer]) {
      const error = await attempt("own", a, b, sql`select pd_act_in_customer(${customer.orgId}::uuid)`).catch((e: Error) => e);
      expect(error).toBe("denied");
    }
    await withSystem((tx) => tx.execute(sql`insert into relationships (partner_org_id, customer_org_id, type, status) values (${a.org.orgId}, ${b.customer.orgId}, 'dap', 'active')`));
    expect(await attempt("own", a, b, sql`select pd_act_in_customer(${b.customer.orgId}::uuid), current_setting('app.org_id') as org`)).toBe("rows");
    await withSystem((tx) => tx.execute(sql`update relationships set status = 'ended' where partner_org_id = ${a.org.orgId} and customer_org_id = ${b.customer.orgId} and type = 'dap'`));
    expect(await attempt("own", a, b, sql`select pd_act_in_customer(${b.customer.orgId}::uuid)`)).toBe("denied");
  });

  it("the app role owns nothing and cannot bypass RLS", async () => {
    const [role] = await withSystem(async (tx) =>
      rowsOf<{ rolbypassrls: boolean; rolsuper: boolean; owns: number }>(
        await tx.execute(sql`select rolbypassrls, rolsuper, (select count(*)::int from pg_class where relowner = r.oid) as owns from pg_roles r where rolname = ${APP_ROLE}`),
      ),
    );
    expect(role).toEqual({ rolbypassrls: false, rolsuper: false, owns: 0 });
  });

  it("a partner cannot grant itself a capability (no column privilege)", async () => {
    expect(await attempt("own", a, b, sql`update organisations set is_dap_certified = true where id = ${a.org.orgId} returning id`)).toBe("denied");
    expect(await attempt("own", a, b, sql`update organisations set partner_number = 1 where id = ${a.org.orgId} returning id`)).toBe("denied");
  });

  it("the app role cannot read password hashes: every column of users but password_hash, even its own row", async () => {
    expect(await attempt("own", a, b, sql`select id, email, display_name, password_must_change, home_org_id from users where id = ${a.userId}`)).toBe("rows");
    expect(await attempt("own", a, b, sql`select password_hash from users where id = ${a.userId}`)).toBe("denied");
    expect(await attempt("own", a, b, sql`select * from users where id = ${a.userId}`)).toBe("denied");
    expect(await attempt("own", a, b, sql`select id from users where password_hash is not null`)).toBe("denied");
    expect(await attempt("own", a, b, sql`update users set display_name = display_name where id = ${a.userId} returning password_hash`)).toBe("denied");
    // A new column is a decision: granted to the app role here, or kept from it like the hash.
    const columns = await withSystem(async (tx) =>
      rowsOf<{ name: string; readable: boolean }>(
        await tx.execute(sql`select attname as name, has_column_privilege(${APP_ROLE}, 'users', attname, 'SELECT') as readable
          from pg_attribute where attrelid = 'users'::regclass and attnum > 0 and not attisdropped order by attnum`),
      ),
    );
    expect(columns.filter((c) => !c.readable).map((c) => c.name)).toEqual(["password_hash"]);
    expect(columns.map((c) => c.name).sort()).toEqual(
      ["created_at", "display_name", "email", "email_confirmed", "home_org_id", "id", "password_changed_at", "password_hash", "password_must_change"],
    );
  });

  it("a partner of record reads the subscriptions it advises but cannot change them", async () => {
    await withSystem((tx) => tx.execute(sql`insert into subscriptions (customer_org_id, product_id, licences, status, advisor_partner_org_id) values (${b.customer.orgId}, 'visio-plan-2', 2, 'active', ${a.org.orgId})`));
    expect(await attempt("own", a, b, sql`select id from subscriptions where customer_org_id = ${b.customer.orgId} and advisor_partner_org_id = ${a.org.orgId}`)).toBe("rows");
    expect(await attempt("own", a, b, sql`update subscriptions set licences = 99 where customer_org_id = ${b.customer.orgId} returning id`)).toBe("none");
    // The customer's other partner sees none of it.
    expect(await attempt("other", a, b, sql`select id from subscriptions where customer_org_id = ${b.customer.orgId} and advisor_partner_org_id = ${a.org.orgId}`)).toBe("none");
  });

  it("a partner sees its customer through the relationship, and no other customer", async () => {
    expect(await attempt("own", a, b, sql`select id from organisations where id = ${b.customer.orgId}`)).toBe("rows");
    expect(await attempt("own", a, b, sql`select id from organisations where id = ${a.customer.orgId}`)).toBe("none");
  });

  it("SECURITY DEFINER functions: pd_lookup_partner finds partners only; pd_ensure_user needs a context", async () => {
    const found = await attempt("own", a, b, sql`select * from pd_lookup_partner(${b.org.partnerNumber})`);
    expect(found).toBe("rows");
    expect(await attempt("own", a, b, sql`select * from pd_lookup_partner(-1)`)).toBe("none");
    const error = await attempt("unset", a, b, sql`select pd_ensure_user('x@y.test', 'x')`).catch((e: Error) => e);
    expect(String((error as Error).cause ?? error)).toMatch(/organisation context/);
  });
});
