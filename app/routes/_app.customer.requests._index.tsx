import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ConfirmAction } from "~/components/confirm";
import { EmptyState, PageHeader } from "~/components/layout";
import { approveRequest, declineRequest, listPendingRequests } from "~/modules/customer-tenant/customer-partners.server";
import { listGdapForCustomer } from "~/modules/delegated-admin/admin-relationships.server";
import { actorOf, requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { orThrowResponse, redirectWithToast } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useFormat } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Requests · Partnerdesk" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const auth = await requirePermission(request, "partners:view", { kind: "customer" });
  const customerId = auth.org.id;
  const [requests, gdap] = await withTenantReads(tenantOf(auth), async (tx) => [
    await listPendingRequests(tx, { customerId }),
    (await listGdapForCustomer(tx, { customerId })).filter((r) => r.status === "approval_pending" || r.status === "created"),
  ] as const);
  return { requests, gdap, canApprove: auth.permissions.includes("requests:approve") };
}

const form = z.object({ intent: z.enum(["approve", "decline"]), id: z.string().uuid() });

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission(request, "requests:approve", { kind: "customer" });
  const parsed = form.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) throw new Response("No such request.", { status: 404 });
  const { intent, id } = parsed.data;
  await orThrowResponse(
    withTenant(tenantOf(auth), (tx) =>
      (intent === "approve" ? approveRequest : declineRequest)(tx, { customerId: auth.org.id, actor: actorOf(auth, context), relationshipId: id }),
    ),
  );
  return redirectWithToast("/customer/requests", {
    kind: "success",
    message: intent === "approve" ? "Approved. The partner can now administer your organisation as a delegated admin." : "Declined. The partner was told; it got no admin rights.",
  });
}

export default function Requests() {
  const { requests, gdap, canApprove } = useLoaderData<typeof loader>();
  const format = useFormat();
  return (
    <>
      <PageHeader title="Requests for admin rights" description="Partners ask to administer your organisation. Only your global admin can approve or decline." />
      {gdap.length > 0 ? (
        <section className="card" aria-labelledby="gdap">
          <h2 id="gdap">Granular admin roles</h2>
          <ul className="plain-list">
            {gdap.map((r) => (
              <li key={r.id}>
                <Link to={`/customer/requests/${r.id}`}>
                  {r.partnerName}: {r.displayName}
                </Link>{" "}
                <span className="muted small">
                  — {r.roles.join(", ")} for {r.durationDays} days, requested {format.date(r.createdAt)}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {requests.length === 0 && gdap.length === 0 ? (
        <EmptyState title="There's nothing here">
          <p>No partner is waiting for your approval.</p>
        </EmptyState>
      ) : requests.length === 0 ? null : (
        <table className="table">
          <caption className="visually-hidden">Requests waiting for approval</caption>
          <thead>
            <tr>
              <th scope="col">Partner</th>
              <th scope="col">Asks for</th>
              <th scope="col">Requested</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {requests.map((r) => (
              <tr key={r.id}>
                <td>
                  {r.partnerName} <span className="muted small">(Partner ID {r.partnerNumber})</span>
                </td>
                <td>Delegated administration: its admin agents act as your global administrators, its helpdesk agents as helpdesk administrators.</td>
                <td>{format.date(r.requestedAt)}</td>
                <td>
                  {canApprove ? (
                    <div className="button-row">
                      <ConfirmAction label="Approve" title={`Give ${r.partnerName} admin rights?`} intent="approve" confirmLabel="Approve" tone="primary" hidden={{ id: r.id }}>
                        <p>Its admin agents can then manage your users, licences and settings. You can remove these rights at any time.</p>
                      </ConfirmAction>
                      <ConfirmAction label="Decline" title={`Decline ${r.partnerName}'s request?`} intent="decline" confirmLabel="Decline" hidden={{ id: r.id }}>
                        <p>The partner gets no admin rights; it may send a new request later.</p>
                      </ConfirmAction>
                    </div>
                  ) : (
                    <span className="muted small">Waiting for your global admin</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
