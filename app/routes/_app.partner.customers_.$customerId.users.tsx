/**
 * Acting in a customer tenant: its users, as the signed-in staff member's effective admin roles
 * there allow at this moment (ADR 0010). Every action is checked again when it is submitted.
 */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod";
import { z } from "zod";
import { text } from "~/utils/input";
import { EmptyState, PageHeader } from "~/components/layout";
import { ROLE_LABELS } from "~/modules/auth/permissions";
import { AddUserForm, ResetPasswordButton, TenantUserResultNotice, TenantUsersTable } from "~/components/tenant-users";
import { rightsSummary, whyNot } from "~/modules/delegated-admin/admin-roles";
import { rightsView } from "~/modules/staff/staff-groups.server";
import type { TenantUserDone } from "~/components/tenant-users";
import { actInCustomer, createTenantUser, prepareMemberResetLink, enterCustomerAsPartner, listTenantUsers, openCustomerWorkspace, resetTenantUserPassword, sendMemberResetLink } from "~/modules/customer-tenant/tenant-users.server";
import { actorOf, clientIp, type IntentArgs, requirePermission, requireRecentSecondFactor, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError, unknownIntent, uuidParam } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";

export const meta: MetaFunction = () => [{ title: "Customer users · Partnerdesk" }];

const customerIdOf = (params: { customerId?: string }) => uuidParam(params.customerId, "No such customer.");

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "customers:view", { kind: "partner" });
  const customerId = customerIdOf(params);
  return withTenantReads(tenantOf(auth), async (tx) => {
    const { customer, rights } = await openCustomerWorkspace(tx, { partnerId: auth.org.id, userId: auth.user.id, customerId });
    const base = { customer, rights: rightsView(rights) };
    if (!rights.actions.has("users:read")) return { ...base, users: null };
    await enterCustomerAsPartner(tx, { customerId });
    return { ...base, users: await listTenantUsers(tx, { customerId }) };
  }).catch(handleDomainError);
}

const userSchema = z.object({ userId: z.string().uuid() });
const createSchema = z.object({
  displayName: text({ required_error: "Enter the user's name." }).trim().min(1, "Enter the user's name.").max(120),
  email: z.string({ required_error: "Enter a valid email address." }).trim().toLowerCase().email("Enter a valid email address.").max(254),
});

type UsersIntentArgs = IntentArgs & { customerId: string };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "customers:view", { kind: "partner" });
  const customerId = customerIdOf(params);
  const formData = await readForm(request);
  const args = { auth, formData, context, customerId };
  switch (formData.get("intent")) {
    case "reset":
      requireRecentSecondFactor(request, auth, "customer-password");
      return resetPasswordAction(args);
    case "send-reset-link":
      return sendResetLinkAction(args);
    case "create":
      return createUserAction(args);
    default:
      return unknownIntent();
  }
}

/** A reset, as the staff member's effective roles in the customer allow at this moment. */
async function resetPasswordAction({ auth, formData, context, customerId }: UsersIntentArgs) {
  const submission = parseWithZod(formData, { schema: userSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    const reset = await withTenant(tenantOf(auth), async (tx) => {
      const rights = await actInCustomer(tx, { partnerId: auth.org.id, userId: auth.user.id, customerId, action: "users:reset-password" });
      const mayResetAdmins = rights.actions.has("users:reset-admin-password");
      return resetTenantUserPassword(tx, { customerId, actor: actorOf(auth, context), userId: submission.value.userId, mayResetAdmins });
    });
    return { done: { kind: "reset", ...reset } satisfies TenantUserDone };
  } catch (error) {
    return handleDomainError(error, submission);
  }
}

/** The reset link itself goes out through the forgot-password path, to the person's own address. */
async function sendResetLinkAction({ auth, formData, context, customerId }: UsersIntentArgs) {
  const submission = parseWithZod(formData, { schema: userSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    const { email } = await withTenant(tenantOf(auth), async (tx) => {
      await actInCustomer(tx, { partnerId: auth.org.id, userId: auth.user.id, customerId, action: "users:reset-password" });
      return prepareMemberResetLink(tx, { customerId, actor: actorOf(auth, context), userId: submission.value.userId });
    });
    await sendMemberResetLink({ email, ip: clientIp(context) });
    return { done: { kind: "reset-link-sent", email } satisfies TenantUserDone };
  } catch (error) {
    return handleDomainError(error, submission);
  }
}

async function createUserAction({ auth, formData, context, customerId }: UsersIntentArgs) {
  const submission = parseWithZod(formData, { schema: createSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    const invited = await withTenant(tenantOf(auth), async (tx) => {
      await actInCustomer(tx, { partnerId: auth.org.id, userId: auth.user.id, customerId, action: "users:create" });
      return createTenantUser(tx, { customerId, actor: actorOf(auth, context), ...submission.value });
    });
    return { done: { kind: "invited", ...invited } satisfies TenantUserDone };
  } catch (error) {
    return handleDomainError(error, submission);
  }
}

export default function CustomerUsers() {
  const { customer, rights, users } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const may = (a: (typeof rights.actions)[number]) => rights.actions.includes(a);
  const summary = rightsSummary(rights);
  // One reason, not the summary twice (a role that cannot act in customers gets that sentence once).
  const readReason = whyNot(rights, "users:read", "read users");
  const createReason = users !== null ? whyNot(rights, "users:create", "add users") : null;
  const isAdmin = (u: { roles: string[] }) => u.roles.some((r) => r === "global_admin" || r === "billing_admin");
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/customers">Customers</Link> / <Link to={`/partner/customers/${customer.id}`}>{customer.name}</Link> /
      </p>
      <PageHeader title="Users" description={summary} />
      <TenantUserResultNotice result={result} />
      {users === null ? (
        <EmptyState title="Not allowed">{readReason && readReason !== summary ? <p>{readReason}</p> : null}</EmptyState>
      ) : (
        <TenantUsersTable
          roleLabels={ROLE_LABELS.customer}
          caption={`Users of ${customer.name}`}
          users={users}
          action={(u) => (may("users:reset-password") && (may("users:reset-admin-password") || !isAdmin(u)) ? <ResetPasswordButton user={u} /> : null)}
        />
      )}
      {may("users:create") ? <AddUserForm /> : createReason ? <p className="muted top-gap">{createReason}</p> : null}
    </>
  );
}
