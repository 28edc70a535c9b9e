/**
 * Acting in a customer tenant: its users, as the signed-in staff member's effective admin roles
 * there allow at this moment (ADR 0010). Every action is checked again when it is submitted.
 */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { CopyButton } from "~/components/copy-button";
import { ConfirmAction } from "~/components/confirm";
import { SubmitButton } from "~/components/forms";
import { Badge, EmptyState, PageHeader } from "~/components/layout";
import { adminRole } from "~/modules/admin-roles";
import { getCustomerDetail } from "~/modules/customers.server";
import { DomainError } from "~/modules/errors";
import { ROLE_LABELS } from "~/modules/permissions";
import { effectiveRights, requireTenantAction } from "~/modules/staff-groups.server";
import { createTenantUser, enterCustomerAsPartner, listTenantUsers, resetTenantUserPassword } from "~/modules/tenant-users.server";
import { actorOf, requirePermission, tenantOf } from "~/utils/auth.server";
import { withTenant } from "~/utils/db.server";
import { orThrowResponse } from "~/utils/http.server";

export const meta: MetaFunction = () => [{ title: "Customer users · Partnerdesk" }];

const customerIdOf = (params: { customerId?: string }) => {
  const id = z.string().uuid().safeParse(params.customerId);
  if (!id.success) throw new Response("No such customer.", { status: 404 });
  return id.data;
};

export async function loader({ request, params }: LoaderFunctionArgs) {
  const auth = await requirePermission(request, "customers:view", { kind: "partner" });
  const customerId = customerIdOf(params);
  return orThrowResponse(
    withTenant(tenantOf(auth), async (tx) => {
      const { customer } = await getCustomerDetail(tx, { partnerId: auth.org.id, customerId });
      const rights = await effectiveRights(tx, { partnerId: auth.org.id, userId: auth.user.id, customerId });
      const base = { customer: { id: customer.id, name: customer.name }, roles: rights.roles.map((r) => adminRole(r)?.name ?? r), actions: [...rights.actions] };
      if (!rights.actions.has("users:read")) return { ...base, users: null };
      await enterCustomerAsPartner(tx, { customerId });
      return { ...base, users: await listTenantUsers(tx, { customerId }) };
    }),
  );
}

const schema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("reset"), userId: z.string().uuid() }),
  z.object({
    intent: z.literal("create"),
    displayName: z.string().trim().min(1, "Enter the user's name.").max(120),
    email: z.string().trim().toLowerCase().email("Enter a valid email address.").max(254),
  }),
]);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requirePermission(request, "customers:view", { kind: "partner" });
  const customerId = customerIdOf(params);
  const parsed = schema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return data({ error: parsed.error.issues[0]?.message ?? "Check the form.", done: null }, { status: 400 });
  const input = parsed.data;
  try {
    const done = await withTenant(tenantOf(auth), async (tx) => {
      const who = { partnerId: auth.org.id, userId: auth.user.id, customerId };
      const rights = await requireTenantAction(tx, { ...who, action: input.intent === "reset" ? "users:reset-password" : "users:create" });
      await enterCustomerAsPartner(tx, { customerId });
      const actor = actorOf(auth, context);
      return input.intent === "reset"
        ? { kind: "reset" as const, ...(await resetTenantUserPassword(tx, { customerId, actor, userId: input.userId, mayResetAdmins: rights.actions.has("users:reset-admin-password") })) }
        : { kind: "create" as const, ...(await createTenantUser(tx, { customerId, actor, displayName: input.displayName, email: input.email })) };
    });
    return { error: null, done };
  } catch (error) {
    if (error instanceof DomainError) return data({ error: error.message, done: null }, { status: error.status });
    throw error;
  }
}

export default function CustomerUsers() {
  const { customer, roles, actions, users } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const may = (a: (typeof actions)[number]) => actions.includes(a);
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/customers">Customers</Link> / <Link to={`/partner/customers/${customer.id}`}>{customer.name}</Link> /
      </p>
      <PageHeader title="Users" description={roles.length ? `Your admin roles here: ${roles.join(", ")}.` : "You hold no admin roles in this organisation."} />
      {result?.error ? (
        <p className="notice notice-warn" role="alert">
          {result.error}
        </p>
      ) : null}
      {result?.done?.temporaryPassword ? (
        <section className="card notice-good" role="status" aria-labelledby="temp">
          <h2 id="temp">{result.done.kind === "reset" ? "Password reset" : "User created"}</h2>
          <p>
            Temporary password for {result.done.email} (shown once; they choose a new one when they sign in):
          </p>
          <div className="input-with-button">
            <label htmlFor="temporary-password" className="visually-hidden">
              Temporary password
            </label>
            <input id="temporary-password" readOnly value={result.done.temporaryPassword} onFocus={(e) => e.currentTarget.select()} />
            <CopyButton text={result.done.temporaryPassword} label="Copy password" />
          </div>
        </section>
      ) : result?.done ? (
        <p className="notice notice-good" role="status">
          {result.done.email} already had a Partnerdesk account and was added with it.
        </p>
      ) : null}
      {users === null ? (
        <EmptyState title="Not allowed">
          <p>Your admin roles in this organisation do not include reading its users. Ask your global admin to assign your staff group a role such as User Administrator or Helpdesk Administrator.</p>
        </EmptyState>
      ) : (
        <table className="table">
          <caption className="visually-hidden">Users of {customer.name}</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.map((u) => (
              <tr key={u.id}>
                <td>{u.displayName}</td>
                <td>{u.email}</td>
                <td>{u.roles.map((r) => ROLE_LABELS.customer[r] ?? r).join(", ")}</td>
                <td>{u.mustChange ? <Badge tone="warn">Temporary password</Badge> : <Badge tone={u.status === "active" ? "good" : "neutral"}>{u.status}</Badge>}</td>
                <td>
                  {may("users:reset-password") && (may("users:reset-admin-password") || !u.roles.some((r) => r === "global_admin" || r === "billing_admin")) ? (
                    <ConfirmAction label="Reset password" title={`Reset ${u.displayName}'s password?`} intent="reset" confirmLabel="Reset password" hidden={{ userId: u.id }}>
                      <p>They get a temporary password, shown to you once, and must choose a new one at their next sign-in. Their current sessions end.</p>
                    </ConfirmAction>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {may("users:create") ? (
        <section className="card top-gap" aria-labelledby="add-user">
          <h2 id="add-user">Add a user</h2>
          <Form method="post" className="form-grid">
            <input type="hidden" name="intent" value="create" />
            <div className="field">
              <label htmlFor="displayName">Name</label>
              <input id="displayName" name="displayName" required maxLength={120} />
            </div>
            <div className="field">
              <label htmlFor="email">Email address</label>
              <input id="email" name="email" type="email" required maxLength={254} />
            </div>
            <div>
              <SubmitButton name="intent" value="create" pendingText="Adding…">
                Add user
              </SubmitButton>
            </div>
          </Form>
        </section>
      ) : null}
    </>
  );
}
