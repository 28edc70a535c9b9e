/**
 * The same GDAP request for many customers (a saved selection, up to every match of a filter),
 * as background work with visible progress and a result per customer.
 *
 * Each job run handles one batch of pending items in one transaction and enqueues the next batch
 * in that same transaction, so a process killed mid-batch loses nothing and repeats nothing: the
 * batch rolls back, its items stay pending, and the job is run again (by another process, or by
 * this one after a restart, which releases the jobs its dead predecessor held).
 */
import { and, asc, eq, sql } from "drizzle-orm";
import { bulkOperationItems, bulkOperations, customerSelections, organisations } from "../../../db/schema";
import { rowsOf } from "../../../db/client";
import { enterTenant, type Tx } from "~/utils/db.server";
import { GDAP } from "./admin-roles";
import { requestGdap } from "./admin-relationships.server";
import { recordAudit, type Actor } from "../platform/audit.server";
import { DomainError } from "../../utils/errors";
import { enqueueJob } from "../platform/jobs.server";

export const BULK_BATCH = 50;
export const BULK_PREFIX_MAX = 20;

export interface BulkGdapTemplate {
  namePrefix: string;
  durationDays: number;
  autoExtend: boolean;
  roles: string[];
}

/** Each customer's relationship is named after the template and the customer's domain (at most 50 characters). */
export const bulkName = (prefix: string, domain: string) => `${prefix} ${domain}`.slice(0, GDAP.displayNameMax);

export async function startBulkGdap(tx: Tx, { partnerId, actor, selectionId, template }: { partnerId: string; actor: Actor; selectionId: string; template: BulkGdapTemplate }) {
  const [selection] = await tx
    .select({ id: customerSelections.id, count: customerSelections.count })
    .from(customerSelections)
    .where(and(eq(customerSelections.partnerOrgId, partnerId), eq(customerSelections.id, selectionId)));
  if (!selection) throw new DomainError(404, "No such selection.");
  const prefix = template.namePrefix.trim();
  if (prefix.length < 1 || prefix.length > BULK_PREFIX_MAX) throw new DomainError(400, `Use a name prefix of 1 to ${BULK_PREFIX_MAX} characters.`, "namePrefix");
  const [op] = await tx
    .insert(bulkOperations)
    .values({ partnerOrgId: partnerId, kind: "gdap", template: { ...template, namePrefix: prefix }, total: 0, createdByUserId: actor.userId })
    .returning({ id: bulkOperations.id });
  const [inserted] = rowsOf<{ n: number }>(
    await tx.execute(sql`with ins as (
        insert into bulk_operation_items (operation_id, partner_org_id, customer_org_id)
        select ${op!.id}, ${partnerId}, customer_org_id from customer_selection_items where selection_id = ${selectionId} and partner_org_id = ${partnerId}
        returning 1)
      select count(*)::int as n from ins`),
  );
  const total = Number(inserted?.n ?? 0);
  if (total === 0) throw new DomainError(409, "The selection is empty.");
  await tx.update(bulkOperations).set({ total }).where(eq(bulkOperations.id, op!.id));
  await enqueueJob(tx, { kind: "bulk.gdap", payload: { operationId: op!.id, partnerId } });
  await recordAudit(tx, { actor, action: "bulk.gdap_started", objectType: "bulk_operation", objectId: op!.id, details: { total, template } });
  return { id: op!.id, total };
}

/**
 * One batch (system context; switches to the partner's context): requests GDAP for up to `batch`
 * pending customers, each in its own savepoint so one refusal fails that customer only, then
 * enqueues the next batch or finishes the operation.
 */
export async function runBulkGdapBatch(tx: Tx, { operationId, partnerId, batch = BULK_BATCH }: { operationId: string; partnerId: string; batch?: number }) {
  const [op] = rowsOf<{ created_by_user_id: string | null; template: BulkGdapTemplate; status: string }>(
    await tx.execute(sql`select created_by_user_id, template, status from bulk_operations where id = ${operationId} and partner_org_id = ${partnerId}`),
  );
  if (!op || op.status !== "running") return { processed: 0, remaining: 0 };
  await enterTenant(tx, { orgId: partnerId, userId: op.created_by_user_id });
  const actor: Actor = { userId: op.created_by_user_id, orgId: partnerId, name: "Bulk request" };
  const items = await tx
    .select({ customerId: bulkOperationItems.customerOrgId, domain: organisations.primaryDomain })
    .from(bulkOperationItems)
    .leftJoin(organisations, eq(organisations.id, bulkOperationItems.customerOrgId))
    .where(and(eq(bulkOperationItems.partnerOrgId, partnerId), eq(bulkOperationItems.operationId, operationId), eq(bulkOperationItems.status, "pending")))
    .orderBy(asc(bulkOperationItems.customerOrgId))
    .limit(batch)
    .for("update", { of: bulkOperationItems, skipLocked: true });
  let ok = 0;
  let failed = 0;
  for (const item of items) {
    let status: "succeeded" | "failed" = "succeeded";
    let message: string | null = null;
    let resultId: string | null = null;
    try {
      const created = await tx.transaction((sp) =>
        requestGdap(sp as unknown as Tx, {
          partnerId,
          actor,
          input: { displayName: bulkName(op.template.namePrefix, item.domain ?? item.customerId), customerId: item.customerId, durationDays: op.template.durationDays, autoExtend: op.template.autoExtend, roles: op.template.roles },
        }),
      );
      resultId = created.id;
      ok++;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      status = "failed";
      message = error.message;
      failed++;
    }
    await tx
      .update(bulkOperationItems)
      .set({ status, message, resultId, doneAt: sql`now()` })
      .where(and(eq(bulkOperationItems.partnerOrgId, partnerId), eq(bulkOperationItems.operationId, operationId), eq(bulkOperationItems.customerOrgId, item.customerId)));
  }
  const [left] = rowsOf<{ n: number }>(
    await tx.execute(sql`select count(*)::int as n from bulk_operation_items where operation_id = ${operationId} and partner_org_id = ${partnerId} and status = 'pending'`),
  );
  const remaining = Number(left?.n ?? 0);
  await tx.execute(sql`update bulk_operations set succeeded = succeeded + ${ok}, failed = failed + ${failed},
      status = case when ${remaining} = 0 then 'finished' else status end, finished_at = case when ${remaining} = 0 then now() else finished_at end
    where id = ${operationId} and partner_org_id = ${partnerId}`);
  if (remaining > 0) await enqueueJob(tx, { kind: "bulk.gdap", payload: { operationId, partnerId } });
  return { processed: items.length, remaining };
}

export async function getBulkOperation(tx: Tx, { partnerId, id }: { partnerId: string; id: string }) {
  const [op] = await tx.select().from(bulkOperations).where(and(eq(bulkOperations.partnerOrgId, partnerId), eq(bulkOperations.id, id)));
  if (!op) throw new DomainError(404, "No such bulk operation.");
  const items = await tx
    .select({ customerId: bulkOperationItems.customerOrgId, name: organisations.name, domain: organisations.primaryDomain, status: bulkOperationItems.status, message: bulkOperationItems.message, resultId: bulkOperationItems.resultId })
    .from(bulkOperationItems)
    .leftJoin(organisations, eq(organisations.id, bulkOperationItems.customerOrgId))
    .where(and(eq(bulkOperationItems.partnerOrgId, partnerId), eq(bulkOperationItems.operationId, id)))
    // Failures first, then the rest; the page shows the first 200.
    .orderBy(sql`${bulkOperationItems.status} = 'failed' desc`, sql`${bulkOperationItems.status} = 'pending' desc`, asc(organisations.name))
    .limit(200);
  return { op, items };
}
