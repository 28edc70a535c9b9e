/** The customer's own users, managed by its global admin: list, add, reset a password. */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod";
import { z } from "zod";
import { text } from "~/utils/input";
import { PageHeader } from "~/components/layout";
import { ROLE_LABELS } from "~/modules/auth/permissions";
import { AddUserForm, ResetPasswordButton, TenantUserResultNotice, TenantUsersTable } from "~/components/tenant-users";
import type { TenantUserDone } from "~/components/tenant-users";
import { createTenantUser, prepareMemberResetLink, listTenantUsers, resetTenantUserPassword, sendMemberResetLink } from "~/modules/customer-tenant/tenant-users.server";
import { actorOf, clientIp, requirePermission, tenantOf, type IntentArgs } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { readForm } from "~/utils/form.server";
import { handleDomainError, unknownIntent } from "~/utils/http.server";

export const meta: MetaFunction = () => [{ title: "Users · Partnerdesk" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "users:manage", { kind: "customer" });
  return { users: await withTenantReads(tenantOf(auth), (tx) => listTenantUsers(tx, { customerId: auth.org.id })), me: auth.user.id };
}

const userSchema = z.object({ userId: z.string().uuid() });
const createSchema = z.object({
  displayName: text({ required_error: "Enter the user's name." }).trim().min(1, "Enter the user's name.").max(120),
  email: z.string({ required_error: "Enter a valid email address." }).trim().toLowerCase().email("Enter a valid email address.").max(254),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "users:manage", { kind: "customer" });
  const formData = await readForm(request);
  const args = { auth, formData, context };
  switch (formData.get("intent")) {
    case "reset":
      return resetPasswordAction(args);
    case "send-reset-link":
      return sendResetLinkAction(args);
    case "create":
      return createUserAction(args);
    default:
      return unknownIntent();
  }
}

async function resetPasswordAction({ auth, formData, context }: IntentArgs) {
  const submission = parseWithZod(formData, { schema: userSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    const actor = actorOf(auth, context);
    const reset = await withTenant(tenantOf(auth), (tx) => resetTenantUserPassword(tx, { customerId: auth.org.id, actor, userId: submission.value.userId, mayResetAdmins: true }));
    return { done: { kind: "reset", ...reset } satisfies TenantUserDone };
  } catch (error) {
    return handleDomainError(error, submission);
  }
}

/** The reset link itself goes out through the forgot-password path, to the person's own address. */
async function sendResetLinkAction({ auth, formData, context }: IntentArgs) {
  const submission = parseWithZod(formData, { schema: userSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    const actor = actorOf(auth, context);
    const { email } = await withTenant(tenantOf(auth), (tx) => prepareMemberResetLink(tx, { customerId: auth.org.id, actor, userId: submission.value.userId }));
    await sendMemberResetLink({ email, ip: clientIp(context) });
    return { done: { kind: "reset-link-sent", email } satisfies TenantUserDone };
  } catch (error) {
    return handleDomainError(error, submission);
  }
}

async function createUserAction({ auth, formData, context }: IntentArgs) {
  const submission = parseWithZod(formData, { schema: createSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    const actor = actorOf(auth, context);
    const invited = await withTenant(tenantOf(auth), (tx) => createTenantUser(tx, { customerId: auth.org.id, actor, ...submission.value }));
    return { done: { kind: "invited", ...invited } satisfies TenantUserDone };
  } catch (error) {
    return handleDomainError(error, submission);
  }
}

export default function Users() {
  const { users, me } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <PageHeader title="Users" description="The people in your organisation." />
      <TenantUserResultNotice result={result} />
      <TenantUsersTable roleLabels={ROLE_LABELS.customer} caption="Users" users={users} action={(u) => (u.id === me ? <span className="muted small">You</span> : <ResetPasswordButton user={u} />)} />
      <AddUserForm />
    </>
  );
}
