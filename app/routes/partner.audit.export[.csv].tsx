/**
 * CSV export of the audit log with the page's filters (search, action, user, dates), streamed in
 * batches of 1,000 newest first, each a READ ONLY transaction in the partner's context (RLS: only
 * entries the partner acted in or was acted upon), so memory stays flat. The filters are read
 * strictly: a bad one, or a range that ends before it starts, is a 400. The export is audited.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { recordAudit, walkAuditEntries } from "~/modules/platform/audit.server";
import { readAuditExport } from "~/modules/platform/audit-list";
import { auditObjectLabel } from "~/modules/platform/audit-objects";
import { actorOf, requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { csvDownload } from "~/utils/csv.server";
import { withTenant, withTenantReads } from "~/utils/db.server";

const HEADER = ["Time (UTC)", "User", "User email", "Action", "Customer", "Customer ID", "Object", "Object type", "Object ID", "IP", "Entry ID"];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "audit:view", { kind: "partner" });
  const read = readAuditExport(new URL(request.url).searchParams);
  if (!read.ok) throw new Response(read.message, { status: 400 });
  const { q, action, user, from, to } = read.filter;
  const filter = { q, action, userId: user, from, to };
  await withTenant(tenantOf(auth), (tx) =>
    recordAudit(tx, { actor: actorOf(auth, context), action: "audit.exported", objectType: "audit_log", details: { q: q ?? null, action: action ?? null, user: user ?? null, from: from ?? null, to: to ?? null } }),
  );
  const orgId = auth.org.id;
  const batches = walkAuditEntries((fn) => withTenantReads(tenantOf(auth), fn), { orgId, filter });
  const date = new Date().toISOString().slice(0, 10);
  return csvDownload({
    filename: `audit-log-${date}.csv`,
    header: HEADER,
    batches,
    record: (e) => [
      e.at.toISOString(),
      e.actorName ?? (e.actorUserId ? "" : "System / operator"),
      e.actorEmail ?? "",
      e.action,
      e.customerName ?? (e.customerId ? "Another organisation" : ""),
      e.customerId ?? "",
      e.objectType ? auditObjectLabel(e) : "",
      e.objectType ?? "",
      e.objectId ?? "",
      e.ip ?? "",
      e.id,
    ],
  });
}
