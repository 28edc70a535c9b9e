/** The customer's own users, managed by its global admin: list, add, reset a password. */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ConfirmAction } from "~/components/confirm";
import { CopyButton } from "~/components/copy-button";
import { SubmitButton } from "~/components/forms";
import { Badge, PageHeader } from "~/components/layout";
import { DomainError } from "~/modules/errors";
import { ROLE_LABELS } from "~/modules/permissions";
import { createTenantUser, listTenantUsers, resetTenantUserPassword } from "~/modules/tenant-users.server";
import { actorOf, requirePermission, tenantOf } from "~/utils/auth.server";
import { withTenant } from "~/utils/db.server";

export const meta: MetaFunction = () => [{ title: "Users · Partnerdesk" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const auth = await requirePermission(request, "users:manage", { kind: "customer" });
  return { users: await withTenant(tenantOf(auth), (tx) => listTenantUsers(tx, { customerId: auth.org.id })), me: auth.user.id };
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
      {result?.error ? (
        <p className="notice notice-warn" role="alert">
          {result.error}
        </p>
      ) : null}
      {result?.done?.temporaryPassword ? (
        <section className="card notice-good" role="status" aria-labelledby="temp">
          <h2 id="temp">{result.done.kind === "reset" ? "Password reset" : "User added"}</h2>
          <p>Temporary password for {result.done.email} (shown once; they choose a new one when they sign in):</p>
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
      <table className="table">
        <caption className="visually-hidden">Users</caption>
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
                {u.id === me ? (
                  <span className="muted small">You</span>
                ) : (
                  <ConfirmAction label="Reset password" title={`Reset ${u.displayName}'s password?`} intent="reset" confirmLabel="Reset password" hidden={{ userId: u.id }}>
                    <p>They get a temporary password, shown to you once, and must choose a new one at their next sign-in.</p>
                  </ConfirmAction>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <section className="card top-gap" aria-labelledby="add-user">
        <h2 id="add-user">Add a user</h2>
        <Form method="post" className="form-grid">
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
    </>
  );
}
