/**
 * CSV export of the partner's admin relationships with the list's filters and order, streamed in
 * keyset batches of 1,000 (each a READ ONLY transaction in the partner's context), so memory stays
 * flat. The filters are read strictly: a bad one is a 400, never a wider export. Audited.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { adminRole } from "~/modules/delegated-admin/admin-roles";
import { walkAdminRelationships } from "~/modules/delegated-admin/admin-relationships.server";
import { ADMIN_STATUS_LABELS, relationshipList } from "~/modules/delegated-admin/relationship-list";
import { RELATIONSHIP_LABELS } from "~/modules/relationships/relationship-types";
import { recordAudit } from "~/modules/platform/audit.server";
import { actorOf, requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { csvDownload } from "~/utils/csv.server";
import { withTenant, withTenantReads } from "~/utils/db.server";

const HEADER = ["Name", "Type", "Customer", "Status", "Roles", "Requested (UTC)", "Ends (UTC)", "Ended (UTC)", "Customer ID", "Relationship ID"];
const DAP_ROLES = "Global Administrator (admin agents); Helpdesk Administrator (helpdesk agents)";

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "relationships:manage", { kind: "partner" });
  const read = relationshipList.readStrict(new URL(request.url).searchParams);
  if (!read.success) throw new Response("The list's filters in this link are not valid.", { status: 400 });
  const query = { ...read.data, filter: read.data.status };
  await withTenant(tenantOf(auth), (tx) =>
    recordAudit(tx, {
      actor: actorOf(auth, context),
      action: "admin_relationships.exported",
      objectType: "admin_relationship_list",
      details: { status: query.status ?? null, type: query.type ?? null, ends: query.ends ?? null, groups: query.groups ?? null, q: query.q ?? null },
    }),
  );
  const now = new Date();
  const batches = walkAdminRelationships((fn) => withTenantReads(tenantOf(auth), fn), { partnerId: auth.org.id, query, now });
  const iso = (d: Date | null) => (d ? d.toISOString() : "");
  const date = now.toISOString().slice(0, 10);
  return csvDownload({
    filename: `admin-relationships-${date}.csv`,
    header: HEADER,
    batches,
    record: (r) => [
      r.displayName,
      RELATIONSHIP_LABELS[r.kind],
      r.customerName ?? (r.customerId ? "" : "Open request"),
      ADMIN_STATUS_LABELS[r.status] ?? r.status,
      r.kind === "dap" ? DAP_ROLES : r.roles.map((id) => adminRole(id)?.name ?? id).join("; "),
      iso(r.createdAt),
      iso(r.endsAt),
      iso(r.endedAt),
      r.customerId ?? "",
      r.id,
    ],
  });
}
