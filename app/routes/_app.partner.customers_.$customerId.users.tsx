/**
 * Acting in a customer tenant: its users, as the signed-in staff member's effective admin roles
 * there allow at this moment (ADR 0010). Every action is checked again when it is submitted.
 */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { text } from "~/utils/input";
import { EmptyState, PageHeader } from "~/components/layout";
import { AddUserForm, ResetPasswordButton, TenantUserResultNotice, TenantUsersTable } from "~/components/tenant-users";
import { adminRole } from "~/modules/delegated-admin/admin-roles";
import { requestPasswordReset } from "~/modules/auth/accounts.server";
import type { TenantUserDone } from "~/components/tenant-users";
import { DomainError } from "~/utils/errors";
import { actInCustomer, createTenantUser, MANAGED_ELSEWHERE, prepareMemberResetLink, enterCustomerAsPartner, listTenantUsers, openCustomerWorkspace, resetTenantUserPassword } from "~/modules/customer-tenant/tenant-users.server";
import { actorOf, clientIp, requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { orThrowResponse, uuidParam } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";

export const meta: MetaFunction = () => [{ title: "Customer users · Partnerdesk" }];

const customerIdOf = (params: { customerId?: string }) => uuidParam(params.customerId, "No such customer.");

export async function loader({ request, params }: LoaderFunctionArgs) {
  const auth = await requirePermission(request, "customers:view", { kind: "partner" });
  const customerId = customerIdOf(params);
  return orThrowResponse(
    withTenantReads(tenantOf(auth), async (tx) => {
      const { customer, rights } = await openCustomerWorkspace(tx, { partnerId: auth.org.id, userId: auth.user.id, customerId });
      const base = { customer, roles: rights.roles.map((r) => adminRole(r)?.name ?? r), actions: [...rights.actions] };
      if (!rights.actions.has("users:read")) return { ...base, users: null };
      await enterCustomerAsPartner(tx, { customerId });
      return { ...base, users: await listTenantUsers(tx, { customerId }) };
    }),
  );
}

const schema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("reset"), userId: z.string().uuid() }),
  z.object({ intent: z.literal("send-reset-link"), userId: z.string().uuid() }),
  z.object({
    intent: z.literal("create"),
    displayName: text().trim().min(1, "Enter the user's name.").max(120),
    email: z.string().trim().toLowerCase().email("Enter a valid email address.").max(254),
  }),
]);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requirePermission(request, "customers:view", { kind: "partner" });
  const customerId = customerIdOf(params);
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return data({ error: parsed.error.issues[0]?.message ?? "Check the form.", done: null }, { status: 400 });
  const input = parsed.data;
  try {
    const done: TenantUserDone = await withTenant(tenantOf(auth), async (tx) => {
      const action = input.intent === "create" ? "users:create" : "users:reset-password";
      const rights = await actInCustomer(tx, { partnerId: auth.org.id, userId: auth.user.id, customerId, action });
      const actor = actorOf(auth, context);
      if (input.intent === "reset") {
        return { kind: "reset" as const, ...(await resetTenantUserPassword(tx, { customerId, actor, userId: input.userId, mayResetAdmins: rights.actions.has("users:reset-admin-password") })) };
      }
      if (input.intent === "send-reset-link") return { kind: "reset-link-sent" as const, ...(await prepareMemberResetLink(tx, { customerId, actor, userId: input.userId })) };
      return { kind: "invited" as const, ...(await createTenantUser(tx, { customerId, actor, displayName: input.displayName, email: input.email })) };
    });
    // The reset link itself goes out through the forgot-password path, to the person's own address.
    if (done.kind === "reset-link-sent") {
      const sent = await requestPasswordReset({ email: done.email, ip: clientIp(context) });
      if (!sent.ok) {
        const minutes = Math.ceil(sent.retryAfter / 60);
        return data({ error: `Too many reset links were asked for just now. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`, done: null }, { status: 429, headers: { "Retry-After": String(sent.retryAfter) } });
      }
    }
    return { error: null, done };
  } catch (error) {
    if (error instanceof DomainError) {
      const resetLinkFor = error.message === MANAGED_ELSEWHERE && "userId" in input ? input.userId : null;
      return data({ error: error.message, done: null, resetLinkFor }, { status: error.status });
    }
    throw error;
  }
}

export default function CustomerUsers() {
  const { customer, roles, actions, users } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const may = (a: (typeof actions)[number]) => actions.includes(a);
  const isAdmin = (u: { roles: string[] }) => u.roles.some((r) => r === "global_admin" || r === "billing_admin");
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/customers">Customers</Link> / <Link to={`/partner/customers/${customer.id}`}>{customer.name}</Link> /
      </p>
      <PageHeader title="Users" description={roles.length ? `Your admin roles here: ${roles.join(", ")}.` : "You hold no admin roles in this organisation."} />
      <TenantUserResultNotice result={result} />
      {users === null ? (
        <EmptyState title="Not allowed">
          <p>Your admin roles in this organisation do not include reading its users. Ask your global admin to assign your staff group a role such as User Administrator or Helpdesk Administrator.</p>
        </EmptyState>
      ) : (
        <TenantUsersTable
          caption={`Users of ${customer.name}`}
          users={users}
          action={(u) => (may("users:reset-password") && (may("users:reset-admin-password") || !isAdmin(u)) ? <ResetPasswordButton user={u} /> : null)}
        />
      )}
      {may("users:create") ? <AddUserForm /> : null}
    </>
  );
}
