/**
 * The customer's own users, managed by its global admin (billing admins and users get 403): list,
 * add, reset a password, assign roles, deactivate / reactivate and remove — the organisation keeps
 * at least one active global admin — and invite a partner's person (the help pages' "partner"
 * relationship type).
 */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod";
import { z } from "zod";
import { text } from "~/utils/input";
import { PageHeader } from "~/components/layout";
import { CUSTOMER_ROLES, ROLE_LABELS } from "~/modules/auth/permissions";
import {
  AddUserForm,
  InvitePartnerPersonForm,
  ResetPasswordButton,
  rowRefusal,
  TenantUserResultNotice,
  TenantUsersTable,
  UserControls,
  type TenantUserDone,
  type TenantUserResult,
} from "~/components/tenant-users";
import {
  changeTenantUserRole,
  createTenantUser,
  invitePartnerPerson,
  listInvitablePartners,
  listTenantUsers,
  prepareMemberResetLink,
  removeTenantUser,
  resetTenantUserPassword,
  sendMemberResetLink,
  setTenantUserActive,
} from "~/modules/customer-tenant/tenant-users.server";
import { actorOf, clientIp, type IntentArgs, requirePermission, requireRecentSecondFactor, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { readForm } from "~/utils/form.server";
import { handleDomainError, redirectWithToast, unknownIntent } from "~/utils/http.server";

export const meta: MetaFunction = () => [{ title: "Users · Partnerdesk" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "users:manage", { kind: "customer" });
  return withTenantReads(tenantOf(auth), async (tx) => ({
    users: await listTenantUsers(tx, { customerId: auth.org.id }),
    partners: await listInvitablePartners(tx, { customerId: auth.org.id }),
    me: auth.user.id,
  }));
}

const userSchema = z.object({ userId: z.string().uuid() });
const roleSchema = userSchema.extend({ role: z.enum(CUSTOMER_ROLES, { errorMap: () => ({ message: "Choose global admin, billing admin or user." }) }) });
const person = {
  displayName: text({ required_error: "Enter the user's name." }).trim().min(1, "Enter the user's name.").max(120),
  email: z.string({ required_error: "Enter a valid email address." }).trim().toLowerCase().email("Enter a valid email address.").max(254),
};
const createSchema = z.object(person);
const partnerPersonSchema = z
  .object({
    ...person,
    role: z.enum(CUSTOMER_ROLES, { errorMap: () => ({ message: "Choose global admin, billing admin or user." }) }).default("user"),
    partnerId: z.string().uuid("Choose one of your partners, or enter a Partner ID.").optional(),
    partnerNumber: z
      .number({ invalid_type_error: "Enter the Partner ID as a number." })
      .int("Enter the Partner ID as a number.")
      .positive("Enter the Partner ID as a number.")
      .max(2_147_483_647, "No partner has this Partner ID.")
      .optional(),
  })
  .superRefine((v, ctx) => {
    if (!v.partnerId && v.partnerNumber === undefined) ctx.addIssue({ code: "custom", path: ["partnerId"], message: "Choose one of your partners, or enter a Partner ID." });
    if (v.partnerId && v.partnerNumber !== undefined) ctx.addIssue({ code: "custom", path: ["partnerNumber"], message: "Choose a partner or enter a Partner ID, not both." });
  });

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "users:manage", { kind: "customer" });
  const formData = await readForm(request);
  const args = { auth, formData, context };
  switch (formData.get("intent")) {
    case "reset":
      requireRecentSecondFactor(request, auth, "customer-password", { unlessNoFactor: true });
      return resetPasswordAction(args);
    case "send-reset-link":
      return sendResetLinkAction(args);
    case "create":
      return createUserAction(args);
    case "role":
      requireRecentSecondFactor(request, auth, "staff-access", { unlessNoFactor: true });
      return changeRoleAction(args);
    case "deactivate":
      return setActiveAction(args, false);
    case "reactivate":
      return setActiveAction(args, true);
    case "remove":
      return removeAction(args);
    case "invite-partner-person":
      return invitePartnerPersonAction(args);
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

async function changeRoleAction({ auth, formData, context }: IntentArgs) {
  const submission = parseWithZod(formData, { schema: roleSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  let done;
  try {
    const actor = actorOf(auth, context);
    done = await withTenant(tenantOf(auth), (tx) => changeTenantUserRole(tx, { customerId: auth.org.id, actor, ...submission.value }));
  } catch (error) {
    return handleDomainError(error, submission);
  }
  return redirectWithToast("/customer/users", { kind: "success", message: `${done.name} is now ${ROLE_LABELS.customer[done.role]!.toLowerCase()}.` });
}

async function setActiveAction({ auth, formData, context }: IntentArgs, active: boolean) {
  const submission = parseWithZod(formData, { schema: userSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  let done;
  try {
    const actor = actorOf(auth, context);
    done = await withTenant(tenantOf(auth), (tx) => setTenantUserActive(tx, { customerId: auth.org.id, actor, userId: submission.value.userId, active }));
  } catch (error) {
    return handleDomainError(error, submission);
  }
  // Deactivating oneself ends one's own session here: the redirect leads to sign-in.
  return redirectWithToast("/customer/users", {
    kind: "success",
    message: active ? `${done.name} is active again.` : `${done.name} is deactivated: they can't sign in to this organisation until reactivated.`,
  });
}

async function removeAction({ auth, formData, context }: IntentArgs) {
  const submission = parseWithZod(formData, { schema: userSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  let done;
  try {
    const actor = actorOf(auth, context);
    done = await withTenant(tenantOf(auth), (tx) => removeTenantUser(tx, { customerId: auth.org.id, actor, userId: submission.value.userId }));
  } catch (error) {
    return handleDomainError(error, submission);
  }
  return redirectWithToast("/customer/users", {
    kind: "success",
    message: `${done.name} is removed from your organisation. Their account is not deleted.${done.relationshipEnded ? " Your Partner relationship with their partner has ended." : ""}`,
  });
}

async function invitePartnerPersonAction({ auth, formData, context }: IntentArgs) {
  const submission = parseWithZod(formData, { schema: partnerPersonSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    const actor = actorOf(auth, context);
    const invited = await withTenant(tenantOf(auth), (tx) => invitePartnerPerson(tx, { customerId: auth.org.id, actor, ...submission.value }));
    return { done: { kind: "partner-person-invited", email: invited.email, partnerName: invited.partnerName } satisfies TenantUserDone };
  } catch (error) {
    return handleDomainError(error, submission);
  }
}

export default function Users() {
  const { users, partners, me } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as TenantUserResult;
  const refusal = rowRefusal(result);
  const inviteRefused = !!result && "error" in result && (result.initialValue as { intent?: unknown } | null | undefined)?.intent === "invite-partner-person";
  return (
    <>
      <PageHeader title="Users" description="The people in your organisation and their roles. Your organisation always keeps at least one active global admin." />
      {/* A row's refusal shows in its row, the partner's person form's under its fields. */}
      <TenantUserResultNotice result={refusal || inviteRefused ? undefined : result} />
      <TenantUsersTable
        roleLabels={ROLE_LABELS.customer}
        caption="Users"
        users={users}
        action={(u) => (
          <UserControls user={u} me={u.id === me} roles={CUSTOMER_ROLES} roleLabels={ROLE_LABELS.customer} refusal={refusal?.userId === u.id ? refusal.message : null}>
            {u.id === me ? null : <ResetPasswordButton user={u} />}
          </UserControls>
        )}
      />
      <AddUserForm />
      <InvitePartnerPersonForm partners={partners} roles={CUSTOMER_ROLES} roleLabels={ROLE_LABELS.customer} result={result} />
    </>
  );
}
