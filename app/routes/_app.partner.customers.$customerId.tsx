import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { ConfirmAction } from "~/components/confirm";
import { SubmitButton } from "~/components/forms";
import { z } from "zod";
import { Badge, EmptyState, PageHeader, SubscriptionStatus } from "~/components/layout";
import { RELATIONSHIP_LABELS, type RelationshipType } from "~/modules/customers/customer-list";
import { getCustomerDetail } from "~/modules/customers/customers.server";
import { ROLE_LABELS } from "~/modules/auth/permissions";
import { endResellerRelationship } from "~/modules/relationships/relationships.server";
import { actorOf, requirePermission, tenantOf, type IntentArgs } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError, redirectWithToast, unknownIntent, uuidParam } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useFormat } from "~/components/format";
import { ONLY_REQUESTERS, mayActInCustomers, rightsSummary, type RightsView, type TenantAction } from "~/modules/delegated-admin/admin-roles";
import { effectiveRights, rightsView } from "~/modules/staff/staff-groups.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.customer.name ?? "Customer"} · Partnerdesk` }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "customers:view", { kind: "partner" });
  const id = z.string().uuid().safeParse(params.customerId);
  if (!id.success) throw new Response("No such customer.", { status: 404 });
  const { detail, rights } = await withTenantReads(tenantOf(auth), async (tx) => {
    const detail = await getCustomerDetail(tx, { partnerId: auth.org.id, customerId: id.data });
    // What the signed-in staff member may do in this customer now: the workspace links follow it.
    return { detail, rights: rightsView(await effectiveRights(tx, { partnerId: auth.org.id, userId: auth.user.id, customerId: id.data })) };
  }).catch(handleDomainError);
  return { ...detail, rights, canRequestRoles: auth.permissions.includes("relationships:manage"), canRegisterKeys: auth.permissions.includes("keys:manage") };
}

/** The reseller ends its reseller relationship (after confirmation); the customer is told. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "relationships:manage", { kind: "partner" });
  const customerId = uuidParam(params.customerId, "No such customer.");
  const formData = await readForm(request);
  switch (formData.get("intent")) {
    case "end-reseller":
      return endResellerAction({ auth, formData, context, customerId });
    default:
      return unknownIntent();
  }
}

async function endResellerAction({ auth, context, customerId }: IntentArgs & { customerId: string }) {
  const { customerName } = await withTenant(tenantOf(auth), (tx) => endResellerRelationship(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), customerId })).catch(handleDomainError);
  return redirectWithToast("/partner/customers", { kind: "success", message: `You are no longer ${customerName}'s reseller. ${customerName}'s admins were told.` });
}

/** The customer workspace's pages, each shown only to whom its read action is allowed there. */
const WORKSPACE: { path: string; label: string; needs: TenantAction }[] = [
  { path: "users", label: "Users", needs: "users:read" },
  { path: "licences", label: "Licences", needs: "licenses:read" },
  { path: "service-requests", label: "Service requests", needs: "service-requests:read" },
];

/**
 * Why the workspace or the requests for admin rights are not offered: the person's role cannot act
 * in customers, or holds no usable admin role here yet (and who can request one).
 */
function WorkspaceNotice({ rights, canRequestRoles }: { rights: RightsView; canRequestRoles: boolean }) {
  const reasons: string[] = [];
  if (!mayActInCustomers(rights.partnerRoles)) reasons.push(rightsSummary(rights));
  else if (rights.usable.length === 0) {
    reasons.push(
      canRequestRoles
        ? "You hold no admin roles in this customer yet: request them, then assign them to a staff group you belong to."
        : "You hold no admin roles in this customer yet: ask a global admin or an admin agent to request them and assign them to your staff group.",
    );
  }
  if (!canRequestRoles) reasons.push(ONLY_REQUESTERS);
  if (reasons.length === 0) return null;
  return (
    <p className="notice" role="note">
      {reasons.join(" ")}
    </p>
  );
}

const STATUS_TONE = { active: "good", pending: "warn", requested: "info", ended: "neutral" } as const;

export default function CustomerDetail() {
  const { customer, relationships, admins, subscriptions, audit, rights, canRequestRoles, canRegisterKeys } = useLoaderData<typeof loader>();
  const format = useFormat();
  const reseller = relationships.find((r) => r.type === "reseller" && r.status !== "ended");
  const dap = relationships.find((r) => r.type === "dap" && r.status !== "ended");
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/customers">Customers</Link> /
      </p>
      <PageHeader
        title={customer.name}
        description={
          <>
            {customer.primaryDomain} · {format.country(customer.country)} ·{" "}
            {customer.agreementStatus === "accepted" ? <Badge tone="good">Agreement accepted</Badge> : <Badge tone="warn">Agreement pending</Badge>}
          </>
        }
        actions={
          <>
            {WORKSPACE.filter((w) => rights.actions.includes(w.needs)).map((w) => (
              <Link key={w.path} className="button" to={`/partner/customers/${customer.id}/${w.path}`}>
                {w.label}
              </Link>
            ))}
            {canRegisterKeys ? (
              <Link className="button" to={`/partner/product-keys/register?customer=${customer.id}`}>
                Register a product key
              </Link>
            ) : null}
            {canRequestRoles ? (
              <>
                <Link className="button" to={`/partner/relationships/new?customer=${customer.id}`}>
                  Request admin roles (GDAP)
                </Link>
                {dap ? null : (
                  <Form method="post" action="/partner/relationships?index">
                    <input type="hidden" name="customerId" value={customer.id} />
                    <SubmitButton name="intent" value="dap" className="button" pendingText="Requesting…">
                      Request delegated admin (DAP)
                    </SubmitButton>
                  </Form>
                )}
              </>
            ) : null}
          </>
        }
      />
      <WorkspaceNotice rights={rights} canRequestRoles={canRequestRoles} />
      {customer.agreementStatus === "pending" ? (
        <div className="notice notice-warn" role="note">
          The customer's global admin has not accepted the customer agreement yet. Until then you cannot buy or manage anything for this customer.
        </div>
      ) : null}
      <div className="two-column">
        <section className="card" aria-labelledby="profile">
          <h2 id="profile">Profile</h2>
          <dl className="details">
            <dt>Company name</dt>
            <dd>{customer.name}</dd>
            <dt>Primary domain</dt>
            <dd>{customer.primaryDomain}</dd>
            <dt>Country</dt>
            <dd>{format.country(customer.country)}</dd>
            <dt>Created</dt>
            <dd>{format.date(customer.createdAt)}</dd>
            <dt>Customer agreement</dt>
            <dd>{customer.agreementAcceptedAt ? `version ${customer.agreementVersion}, accepted ${format.date(customer.agreementAcceptedAt)}` : "not accepted"}</dd>
          </dl>
        </section>
        <section className="card" aria-labelledby="relationships">
          <h2 id="relationships">Relationships with you</h2>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {relationships.map((r) => (
                <tr key={r.id}>
                  <td>{RELATIONSHIP_LABELS[r.type as RelationshipType] ?? r.type}</td>
                  <td>
                    <Badge tone={STATUS_TONE[r.status]}>{r.status === "pending" ? "Pending agreement" : r.status === "requested" ? "Awaiting approval" : r.status}</Badge>
                  </td>
                  <td>{format.date(r.startedAt ?? r.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {reseller && canRequestRoles ? (
            <div className="top-gap">
              <ConfirmAction label="End reseller relationship" title={`End your reseller relationship with ${customer.name}?`} intent="end-reseller" confirmLabel="End reseller relationship">
                <p>
                  You will no longer be {customer.name}'s reseller and will stop seeing its subscriptions, except those you are partner of record for. Your other roles with it (advisor,
                  delegated admin) stay. {customer.name}'s admins are told. Only you can do this: the customer cannot end a reseller relationship.
                </p>
              </ConfirmAction>
            </div>
          ) : null}
        </section>
      </div>
      <section className="card" aria-labelledby="subscriptions">
        <h2 id="subscriptions">Subscriptions</h2>
        {subscriptions.length === 0 ? (
          <EmptyState title="No subscriptions yet">
            <p>Subscriptions you are partner of record or reseller for appear here.</p>
          </EmptyState>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Licences</th>
                <th scope="col">Status</th>
                <th scope="col">Started</th>
                <th scope="col">Trial ends</th>
                <th scope="col">You are</th>
              </tr>
            </thead>
            <tbody>
              {subscriptions.map((s) => (
                <tr key={s.id}>
                  <td>{s.productName}</td>
                  <td>{s.licences}</td>
                  <td>
                    <SubscriptionStatus status={s.status} />
                  </td>
                  <td>{format.date(s.startedAt)}</td>
                  <td>{s.status === "trial" ? format.date(s.endsAt) : "—"}</td>
                  <td>{s.isPartnerOfRecord ? "Partner of record" : "Reseller"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card" aria-labelledby="admins">
        <h2 id="admins">Customer admins</h2>
        {admins.length === 0 ? (
          <EmptyState title="No admins" />
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {admins.map((a) => (
                <tr key={a.userId}>
                  <td>{a.displayName}</td>
                  <td>{a.email}</td>
                  <td>{a.roles.map((r) => ROLE_LABELS.customer[r] ?? r).join(", ")}</td>
                  <td>{a.status === "invited" ? <Badge tone="warn">Invited</Badge> : a.status === "active" ? <Badge tone="good">Active</Badge> : <Badge>{a.status}</Badge>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card" aria-labelledby="activity">
        <h2 id="activity">Recent activity by your organisation</h2>
        {audit.length === 0 ? (
          <EmptyState title="No activity yet" />
        ) : (
          <ul className="plain-list">
            {audit.map((e) => (
              <li key={e.id}>
                <code>{e.action}</code> by {e.actorName ?? "system"} · {format.dateTime(e.at)}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
