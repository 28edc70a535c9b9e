/** The customer's own users, managed by its global admin: list, add, reset a password. */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { text } from "~/utils/input";
import { PageHeader } from "~/components/layout";
import { AddUserForm, ResetPasswordButton, TenantUserResultNotice, TenantUsersTable } from "~/components/tenant-users";
import { requestPasswordReset } from "~/modules/auth/accounts.server";
import type { TenantUserDone } from "~/components/tenant-users";
import { DomainError } from "~/utils/errors";
import { createTenantUser, MANAGED_ELSEWHERE, prepareMemberResetLink, listTenantUsers, resetTenantUserPassword } from "~/modules/customer-tenant/tenant-users.server";
import { actorOf, clientIp, requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { readForm } from "~/utils/form.server";

export const meta: MetaFunction = () => [{ title: "Users · Partnerdesk" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const auth = await requirePermission(request, "users:manage", { kind: "customer" });
  return { users: await withTenantReads(tenantOf(auth), (tx) => listTenantUsers(tx, { customerId: auth.org.id })), me: auth.user.id };
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

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission(request, "users:manage", { kind: "customer" });
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success) return data({ error: parsed.error.issues[0]?.message ?? "Check the form.", done: null }, { status: 400 });
  const input = parsed.data;
  try {
    const done: TenantUserDone = await withTenant(tenantOf(auth), async (tx) => {
      const actor = actorOf(auth, context);
      const customerId = auth.org.id;
      if (input.intent === "reset") return { kind: "reset" as const, ...(await resetTenantUserPassword(tx, { customerId, actor, userId: input.userId, mayResetAdmins: true })) };
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

export default function Users() {
  const { users, me } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <PageHeader title="Users" description="The people in your organisation." />
      <TenantUserResultNotice result={result} />
      <TenantUsersTable caption="Users" users={users} action={(u) => (u.id === me ? <span className="muted small">You</span> : <ResetPasswordButton user={u} />)} />
      <AddUserForm />
    </>
  );
}
