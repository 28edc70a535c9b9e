/**
 * CSV export of the filtered customer list, streamed: rows are read in keyset batches of 1,000,
 * each in a READ ONLY transaction in the tenant's context (withTenantReads), and written as they
 * come, so memory stays flat. Cells that a spreadsheet would run as formulas are neutralised
 * (toCsv). The export itself is audited, in a transaction of its own.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { customerList, RELATIONSHIP_LABELS, type RelationshipType } from "~/modules/customers/customer-list";
import { walkCustomers } from "~/modules/customers/customers.server";
import { recordAudit } from "~/modules/platform/audit.server";
import { actorOf, requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { csvDownload } from "~/utils/csv.server";
import { withTenant, withTenantReads } from "~/utils/db.server";

const HEADER = ["Name", "Primary domain", "Country", "Relationships", "Agreement", "Created (UTC)", "Customer ID"];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "customers:export", { kind: "partner" });
  // Strict: an export with a filter it cannot read would be every customer, not the ones asked for.
  const read = customerList.readStrict(new URL(request.url).searchParams);
  if (!read.success) throw new Response("The list's filters in this link are not valid.", { status: 400 });
  const query = read.data;
  await withTenant(tenantOf(auth), (tx) =>
    recordAudit(tx, { actor: actorOf(auth, context), action: "customers.exported", objectType: "customer_list", details: { q: query.q ?? null, type: query.type ?? null, country: query.country ?? null, agreement: query.agreement ?? null } }),
  );
  const batches = walkCustomers((fn) => withTenantReads(tenantOf(auth), fn), { partnerId: auth.org.id, query });
  const date = new Date().toISOString().slice(0, 10);
  return csvDownload({
    filename: `customers-${date}.csv`,
    header: HEADER,
    batches,
    record: (r) => [
      r.name,
      r.primaryDomain,
      r.country,
      r.relationshipTypes.map((t) => RELATIONSHIP_LABELS[t as RelationshipType] ?? t).join("; "),
      r.agreementStatus,
      r.createdAt,
      r.id,
    ],
  });
}
