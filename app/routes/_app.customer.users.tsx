/** The customer's own users, managed by its global admin: list, add, reset a password. */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { PageHeader } from "~/components/layout";
import { AddUserForm, ResetPasswordButton, TenantUserResultNotice, TenantUsersTable } from "~/components/tenant-users";
import { DomainError } from "~/modules/errors";
import { createTenantUser, listTenantUsers, resetTenantUserPassword } from "~/modules/tenant-users.server";
import { actorOf, requirePermission, tenantOf } from "~/utils/auth.server";
import { withTenant, withTenantReads } from "~/utils/db.server";

export const meta: MetaFunction = () => [{ title: "Users · Partnerdesk" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const auth = await requirePermission(request, "users:manage", { kind: "customer" });
  return { users: await withTenantReads(tenantOf(auth), (tx) => listTenantUsers(tx, { customerId: auth.org.id })), me: auth.user.id };
}

const schema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("reset"), userId: z.string().uuid() }),
  z.object({
    intent: z.literal("create"),
    displayName: z.string().trim().min(1, "Enter the user's name.").max(120),
    email: z.string().trim().toLowerCase().email("Enter a valid email address.").max(254),
  }),
]);

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission(request, "users:manage", { kind: "customer" });
  const parsed = schema.safeParse(Object.fromEntries(await request.formData()));
  if (!parsed.success) return data({ error: parsed.error.issues[0]?.message ?? "Check the form.", done: null }, { status: 400 });
  const input = parsed.data;
  try {
    const done = await withTenant(tenantOf(auth), async (tx) => {
      const actor = actorOf(auth, context);
      return input.intent === "reset"
        ? { kind: "reset" as const, ...(await resetTenantUserPassword(tx, { customerId: auth.org.id, actor, userId: input.userId, mayResetAdmins: true })) }
        : { kind: "create" as const, ...(await createTenantUser(tx, { customerId: auth.org.id, actor, displayName: input.displayName, email: input.email })) };
    });
    return { error: null, done };
  } catch (error) {
    if (error instanceof DomainError) return data({ error: error.message, done: null }, { status: error.status });
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
