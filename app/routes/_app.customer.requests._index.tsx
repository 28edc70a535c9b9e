import { type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod";
import { z } from "zod";
import { ConfirmAction } from "~/components/confirm";
import { createColumnHelper, type ColumnDef } from "@tanstack/react-table";
import { useMemo } from "react";
import { DataTable } from "~/components/data-table";
import { ListEmpty } from "~/components/list";
import { PageHeader } from "~/components/layout";
import { approveRequest, declineRequest, listPendingRequests } from "~/modules/customer-tenant/customer-partners.server";
import { listGdapForCustomer } from "~/modules/delegated-admin/admin-relationships.server";
import { actorOf, requirePermission, tenantOf, type IntentArgs } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError, redirectWithToast, unknownIntent } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useFormat } from "~/components/format";
import { RELATIONSHIP_LABELS, type ConsentType } from "~/modules/relationships/relationship-types";

export const meta: MetaFunction = () => [{ title: "Requests · Partnerdesk" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "partners:view", { kind: "customer" });
  const customerId = auth.org.id;
  const [requests, gdap] = await withTenantReads(tenantOf(auth), async (tx) => [
    await listPendingRequests(tx, { customerId }),
    (await listGdapForCustomer(tx, { customerId })).filter((r) => r.status === "approval_pending" || r.status === "created"),
  ] as const);
  return { requests, gdap, canApprove: auth.permissions.includes("requests:approve") };
}

const requestSchema = z.object({ id: z.string().uuid() });

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "requests:approve", { kind: "customer" });
  const formData = await readForm(request);
  const args = { auth, formData, context };
  switch (formData.get("intent")) {
    case "approve":
      return approveAction(args);
    case "decline":
      return declineAction(args);
    default:
      return unknownIntent();
  }
}

/** The request the form names: a malformed id is no request (404). */
function requestOf(formData: FormData) {
  const submission = parseWithZod(formData, { schema: requestSchema });
  if (submission.status !== "success") throw new Response("No such request.", { status: 404 });
  return submission.value.id;
}

/** What approving grants, as the toast says it. */
const APPROVED: Record<ConsentType, string> = {
  dap: "Approved. The partner can now administer your organisation as a delegated admin.",
  support_advisor: "Approved. The partner is now your advisor: it can reset passwords and handle support incidents for you.",
  mpsa: "Approved. The partner is now your MPSA partner.",
  lob: "Approved. The partner is now your line-of-business partner: it can submit apps to your private app list.",
};

async function approveAction({ auth, formData, context }: IntentArgs) {
  const relationshipId = requestOf(formData);
  const { type } = await withTenant(tenantOf(auth), (tx) => approveRequest(tx, { customerId: auth.org.id, actor: actorOf(auth, context), relationshipId })).catch(handleDomainError);
  return redirectWithToast("/customer/requests", { kind: "success", message: APPROVED[type] });
}

async function declineAction({ auth, formData, context }: IntentArgs) {
  const relationshipId = requestOf(formData);
  const { type } = await withTenant(tenantOf(auth), (tx) => declineRequest(tx, { customerId: auth.org.id, actor: actorOf(auth, context), relationshipId })).catch(handleDomainError);
  return redirectWithToast("/customer/requests", {
    kind: "success",
    message: type === "dap" ? "Declined. The partner was told; it got no admin rights." : `Declined. The partner was told; it is not your ${RELATIONSHIP_LABELS[type]}.`,
  });
}

/** What the approval dialog says the partner may then do. */
const GRANTS: Record<ConsentType, string> = {
  dap: "Its admin agents can then manage your users, licences and settings as Global Administrators, its helpdesk agents as Helpdesk Administrators. You can remove these rights at any time.",
  support_advisor: "Its admin and helpdesk agents can then reset your users' passwords and handle your support incidents, nothing more. Only the partner can end this relationship later: you would contact it.",
  mpsa: "It becomes your MPSA partner. Only the partner can end this relationship later: you would contact it.",
  lob: "It can then submit line-of-business apps to your private app list, which your admins review. Only the partner can end this relationship later: you would contact it.",
};

type Row = Awaited<ReturnType<typeof loader>>["requests"][number];
const column = createColumnHelper<Row>();

export default function Requests() {
  const { requests, gdap, canApprove } = useLoaderData<typeof loader>();
  const format = useFormat();
  const columns = useMemo(
    () =>
      [
        column.accessor("partnerName", {
          header: "Partner",
          cell: ({ row: { original: r } }) => (
            <>
              {r.partnerName} <span className="muted small">(Partner ID {r.partnerNumber})</span>
            </>
          ),
        }),
        column.display({
          id: "asks",
          header: "Asks to be",
          cell: ({ row: { original: r } }) => (
            <>
              <strong>{r.label}</strong>
              <div className="muted small">{r.meaning}</div>
            </>
          ),
        }),
        column.accessor("requestedAt", { header: "Requested", cell: ({ getValue }) => format.date(getValue()) }),
        column.display({
          id: "actions",
          header: () => <span className="visually-hidden">Actions</span>,
          cell: ({ row: { original: r } }) =>
            canApprove ? (
              <div className="button-row">
                <ConfirmAction
                  label="Approve"
                  title={r.type === "dap" ? `Give ${r.partnerName} admin rights?` : `Approve ${r.partnerName} as your ${r.label}?`}
                  intent="approve"
                  confirmLabel="Approve"
                  tone="primary"
                  hidden={{ id: r.id }}
                >
                  <p>{GRANTS[r.type]}</p>
                </ConfirmAction>
                <ConfirmAction label="Decline" title={`Decline ${r.partnerName}'s request?`} intent="decline" confirmLabel="Decline" hidden={{ id: r.id }}>
                  <p>{r.type === "dap" ? "The partner gets no admin rights" : `${r.partnerName} does not become your ${r.label}`}; it may send a new request later.</p>
                </ConfirmAction>
              </div>
            ) : (
              <span className="muted small">Waiting for your global admin</span>
            ),
        }),
      ] as ColumnDef<Row, unknown>[],
    [format, canApprove],
  );
  return (
    <>
      <PageHeader title="Requests" description="Partners ask for admin rights or to work with your organisation in a role. Only your global admin can approve or decline." />
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
        <ListEmpty none={["There's nothing here", "No partner is waiting for your approval."]} />
      ) : requests.length === 0 ? null : (
        <DataTable caption="Requests waiting for approval" columns={columns} data={requests} getRowId={(r) => r.id} empty={null} />
      )}
    </>
  );
}
