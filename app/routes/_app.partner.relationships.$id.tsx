import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { SubmitButton } from "~/components/forms";
import { assignGroupRoles, listAssignments, listGroups } from "~/modules/staff/staff-groups.server";
import { parseWithZod } from "@conform-to/zod";
import { z } from "zod";
import { CopyButton } from "~/components/copy-button";
import { Badge, PageHeader } from "~/components/layout";
import { getGdapForPartner, terminateGdap } from "~/modules/delegated-admin/admin-relationships.server";
import { ConfirmAction } from "~/components/confirm";
import { actorOf, type IntentArgs, requirePermission, requireRecentSecondFactor, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError, redirectWithToast, unknownIntent } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useFormat } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Admin relationship · Partnerdesk" }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "relationships:manage", { kind: "partner" });
  const id = z.string().uuid().safeParse(params.id);
  if (!id.success) throw new Response("No such admin relationship.", { status: 404 });
  return withTenantReads(tenantOf(auth), async (tx) => ({
    ...(await getGdapForPartner(tx, { partnerId: auth.org.id, id: id.data })),
    groups: (await listGroups(tx, { partnerId: auth.org.id })).map((g) => ({ id: g.id, name: g.name, members: g.members.length })),
    assignments: await listAssignments(tx, { partnerId: auth.org.id, adminRelationshipId: id.data }),
  })).catch(handleDomainError);
}

const assignSchema = z.object({ groupId: z.string().uuid(), roles: z.array(z.string().max(64)).max(50).default([]) });

type RelationshipIntentArgs = IntentArgs & { id: string };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "relationships:manage", { kind: "partner" });
  const id = z.string().uuid().safeParse(params.id);
  if (!id.success) throw new Response("No such admin relationship.", { status: 404 });
  const formData = await readForm(request);
  const args = { auth, formData, context, id: id.data };
  switch (formData.get("intent")) {
    case "terminate":
      return terminateAction(args);
    case "assign":
      // Roles in a customer for a staff group: what staff may do there.
      requireRecentSecondFactor(request, auth, "staff-access");
      return assignRolesAction(args);
    default:
      return unknownIntent();
  }
}

async function terminateAction({ auth, context, id }: RelationshipIntentArgs) {
  await withTenant(tenantOf(auth), (tx) => terminateGdap(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), id })).catch(handleDomainError);
  return redirectWithToast(`/partner/relationships/${id}`, { kind: "success", message: "Terminated. Your staff no longer hold these roles in the customer's organisation." });
}

/** Gives a staff group a subset of this relationship's roles (none removes the assignment). */
async function assignRolesAction({ auth, formData, context, id }: RelationshipIntentArgs) {
  const submission = parseWithZod(formData, { schema: assignSchema });
  if (submission.status !== "success") throw new Response("Choose a group.", { status: 400 });
  const { groupId, roles } = submission.value;
  await withTenant(tenantOf(auth), (tx) => assignGroupRoles(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), adminRelationshipId: id, groupId, roles })).catch(handleDomainError);
  return redirectWithToast(`/partner/relationships/${id}`, { kind: "success", message: "Roles assigned. The group's members hold them in this customer now." });
}

const STATUS: Record<string, ["good" | "warn" | "info" | "neutral", string]> = {
  active: ["good", "Active"],
  expiring: ["warn", "Expiring"],
  approval_pending: ["info", "Approval pending"],
  created: ["info", "Created"],
  expired: ["neutral", "Expired"],
  termination_requested: ["neutral", "Termination requested"],
  terminated: ["neutral", "Terminated"],
  declined: ["neutral", "Declined"],
};

export default function AdminRelationshipDetail() {
  const r = useLoaderData<typeof loader>();
  const format = useFormat();
  const active = r.status === "active" || r.status === "expiring";
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/relationships">Admin relationships</Link> /
      </p>
      <PageHeader
        title={r.displayName}
        description={<Badge tone={STATUS[r.status]?.[0] ?? "neutral"}>{STATUS[r.status]?.[1] ?? r.status}</Badge>}
        actions={
          r.status === "active" || r.status === "expiring" || r.status === "approval_pending" ? (
            <ConfirmAction
              label={r.status === "approval_pending" ? "Withdraw request" : "Terminate"}
              title={r.status === "approval_pending" ? "Withdraw this request?" : "Terminate this admin relationship?"}
              intent="terminate"
              confirmLabel={r.status === "approval_pending" ? "Withdraw" : "Terminate"}
            >
              <p>Your staff lose these roles in the customer's organisation at once. The customer is told. This cannot be undone; a new request needs the customer's approval again.</p>
            </ConfirmAction>
          ) : null
        }
      />
      {r.approvalUrl ? (
        <section className="card" aria-labelledby="approval">
          <h2 id="approval">Approval link</h2>
          <p className="muted">
            {r.customerId ? "Emailed to the customer's global admins." : "An open request: send it to the customer; any customer's global admin who opens it can approve it for their organisation."} It
            expires {format.date(r.requestExpiresAt)} if nobody approves it.
          </p>
          <div className="input-with-button">
            <label htmlFor="approval-url" className="visually-hidden">
              Approval link
            </label>
            <input id="approval-url" readOnly value={r.approvalUrl} onFocus={(e) => e.currentTarget.select()} />
            <CopyButton text={r.approvalUrl} label="Copy link" />
          </div>
        </section>
      ) : null}
      <section className="card" aria-labelledby="details">
        <h2 id="details">Details</h2>
        <dl className="details">
          <dt>Customer</dt>
          <dd>{r.customerId && r.customerName ? <Link to={`/partner/customers/${r.customerId}`}>{r.customerName}</Link> : r.customerId ? "—" : "Open request (not approved yet)"}</dd>
          <dt>Duration</dt>
          <dd>
            {r.durationDays} days{r.autoExtendDays ? `, extends automatically by ${r.autoExtendDays} days` : ", no auto-extend"}
          </dd>
          <dt>Requested</dt>
          <dd>{format.dateTime(r.createdAt)}</dd>
          {r.approvedAt ? (
            <>
              <dt>Approved</dt>
              <dd>{format.dateTime(r.approvedAt)}</dd>
            </>
          ) : null}
          {r.endsAt ? (
            <>
              <dt>Ends</dt>
              <dd>{format.date(r.endsAt)}</dd>
            </>
          ) : null}
          {r.endedAt ? (
            <>
              <dt>{r.status === "declined" ? "Declined" : "Ended"}</dt>
              <dd>
                {r.status === "declined" ? "Declined on " : null}
                {format.dateTime(r.endedAt)}
                {r.endReason && r.status !== "declined" ? ` (${r.endReason})` : ""}
              </dd>
            </>
          ) : null}
        </dl>
        <h3>Roles</h3>
        <ul className="plain-list">
          {r.roles.map((role) => (
            <li key={role.templateId}>
              <strong>{role.name}</strong> <span className="muted">— {role.description}</span>
            </li>
          ))}
        </ul>
      </section>
      {active ? (
        <section className="card" aria-labelledby="assign">
          <h2 id="assign">Staff groups and their roles</h2>
          {r.groups.length === 0 ? (
            <p className="muted">
              No staff groups yet. <Link to="/partner/staff/groups">Create one</Link> (global admins), then assign it roles here.
            </p>
          ) : (
            r.groups.map((g) => {
              const assigned = new Set(r.assignments.find((a) => a.groupId === g.id)?.roles ?? []);
              return (
                <Form method="post" key={g.id} className="assign-group">
                  <fieldset>
                    <legend>
                      {g.name} <span className="muted small">({g.members} member{g.members === 1 ? "" : "s"})</span>
                    </legend>
                    <input type="hidden" name="groupId" value={g.id} />
                    {r.roles.map((role) => (
                      <label key={role.templateId} className="checkbox">
                        <input type="checkbox" name="roles" value={role.templateId} defaultChecked={assigned.has(role.templateId)} />
                        <span>{role.name}</span>
                      </label>
                    ))}
                    <SubmitButton name="intent" value="assign" className="button" pendingText="Saving…">
                      Save roles of {g.name}
                    </SubmitButton>
                  </fieldset>
                </Form>
              );
            })
          )}
        </section>
      ) : null}
    </>
  );
}
