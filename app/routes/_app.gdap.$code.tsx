/**
 * The approval link of a GDAP request. A request addressed to this customer leads to its approval
 * page; an open request is first claimed for the signed-in customer by its global admin (a POST:
 * opening a link changes nothing).
 */
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { SubmitButton } from "~/components/forms";
import { PageHeader } from "~/components/layout";
import { adminRole } from "~/modules/delegated-admin/admin-roles";
import { claimApprovalCode, resolveApprovalCode } from "~/modules/delegated-admin/admin-relationships.server";
import { requireAuth, requirePermission } from "~/modules/auth/gate.server";
import { withSystem } from "~/utils/db.server";
import { handleDomainError } from "~/utils/http.server";

export const meta: MetaFunction = () => [{ title: "Admin roles request · Partnerdesk" }];

const CODE = /^[A-Za-z0-9_-]{20,100}$/;

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requireAuth({ request, context });
  const code = params.code ?? "";
  if (!CODE.test(code)) throw new Response("This approval link is not valid.", { status: 404 });
  if (auth.org.kind !== "customer") throw new Response("Sign in as your organisation's global admin to answer this request.", { status: 403 });
  const { row, partnerName, partnerNumber } = await withSystem((tx) => resolveApprovalCode(tx, code)).catch(handleDomainError);
  if (row.customerOrgId === auth.org.id) throw redirect(`/customer/requests/${row.id}`);
  if (row.customerOrgId) throw new Response("This approval link is not valid.", { status: 404 });
  if (row.status !== "approval_pending") throw new Response("This request has expired or was withdrawn.", { status: 410 });
  return {
    partnerName,
    partnerNumber,
    displayName: row.displayName,
    durationDays: row.durationDays,
    roles: row.roles.map((r) => adminRole(r)?.name ?? r),
    canClaim: auth.permissions.includes("requests:approve"),
  };
}

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "requests:approve", { kind: "customer" });
  const code = params.code ?? "";
  if (!CODE.test(code)) throw new Response("This approval link is not valid.", { status: 404 });
  const { id } = await withSystem((tx) => claimApprovalCode(tx, { code, customerId: auth.org.id })).catch(handleDomainError);
  throw redirect(`/customer/requests/${id}`);
}

export default function OpenGdapRequest() {
  const r = useLoaderData<typeof loader>();
  return (
    <>
      <PageHeader title={`${r.partnerName} asks for admin roles`} description={`Partner ID ${r.partnerNumber} · “${r.displayName}” · ${r.durationDays} days`} />
      <section className="card">
        <p>Roles: {r.roles.join(", ")}.</p>
        {r.canClaim ? (
          <Form method="post">
            <p>Continue to review the request for your organisation, then approve or decline it.</p>
            <SubmitButton pendingText="Opening…">Review for my organisation</SubmitButton>
          </Form>
        ) : (
          <p className="notice notice-warn" role="note">
            Only your organisation's global admin can answer this request. Send them this link.
          </p>
        )}
      </section>
    </>
  );
}
