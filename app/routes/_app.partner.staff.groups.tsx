import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod";
import { z } from "zod";
import { text } from "~/utils/input";
import { ConfirmAction } from "~/components/confirm";
import { ReplyNotice, SubmitButton } from "~/components/forms";
import { EmptyState, PageHeader } from "~/components/layout";
import { listStaff } from "~/modules/staff/staff.server";
import { addGroupMember, createGroup, deleteGroup, listGroups, removeGroupMember } from "~/modules/staff/staff-groups.server";
import { actorOf, type IntentArgs, requirePermission, requireRecentSecondFactor, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError, redirectWithToast, unknownIntent } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useResetOnSuccess } from "~/components/reset-on-success";

export const meta: MetaFunction = () => [{ title: "Staff groups · Partnerdesk" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "staff:manage", { kind: "partner" });
  return withTenantReads(tenantOf(auth), async (tx) => ({
    groups: await listGroups(tx, { partnerId: auth.org.id }),
    staff: (await listStaff(tx, { orgId: auth.org.id })).filter((s) => s.status === "active").map((s) => ({ id: s.userId, displayName: s.displayName, email: s.email })),
  }));
}

const createSchema = z.object({ name: text({ required_error: "Name the group." }).trim().min(1, "Name the group.").max(80, "Use at most 80 characters.") });
const groupSchema = z.object({ groupId: z.string().uuid() });
const memberSchema = z.object({ groupId: z.string().uuid(), userId: z.string({ required_error: "Choose a staff member." }).uuid({ message: "Choose a staff member." }) });

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "staff:manage", { kind: "partner" });
  // Every intent here changes staff groups, and with them what staff may do in customers (GDAP).
  requireRecentSecondFactor(request, auth, "staff-access");
  const formData = await readForm(request);
  const args = { auth, formData, context };
  switch (formData.get("intent")) {
    case "create":
      return createGroupAction(args);
    case "delete":
      return deleteGroupAction(args);
    case "add":
      return addMemberAction(args);
    case "remove":
      return removeMemberAction(args);
    default:
      return unknownIntent();
  }
}

async function createGroupAction({ auth, formData, context }: IntentArgs) {
  const submission = parseWithZod(formData, { schema: createSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    await withTenant(tenantOf(auth), (tx) => createGroup(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), name: submission.value.name }));
  } catch (error) {
    return handleDomainError(error, submission);
  }
  return redirectWithToast("/partner/staff/groups", { kind: "success", message: "Group created." });
}

async function deleteGroupAction({ auth, formData, context }: IntentArgs) {
  const submission = parseWithZod(formData, { schema: groupSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    await withTenant(tenantOf(auth), (tx) => deleteGroup(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), groupId: submission.value.groupId }));
  } catch (error) {
    return handleDomainError(error, submission);
  }
  return redirectWithToast("/partner/staff/groups", { kind: "success", message: "Group deleted." });
}

async function addMemberAction({ auth, formData, context }: IntentArgs) {
  const submission = parseWithZod(formData, { schema: memberSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    await withTenant(tenantOf(auth), (tx) => addGroupMember(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), ...submission.value }));
  } catch (error) {
    return handleDomainError(error, submission);
  }
  return redirectWithToast("/partner/staff/groups", { kind: "success", message: "Added to the group." });
}

async function removeMemberAction({ auth, formData, context }: IntentArgs) {
  const submission = parseWithZod(formData, { schema: memberSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    await withTenant(tenantOf(auth), (tx) => removeGroupMember(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), ...submission.value }));
  } catch (error) {
    return handleDomainError(error, submission);
  }
  return redirectWithToast("/partner/staff/groups", { kind: "success", message: "Removed from the group." });
}

export default function StaffGroups() {
  const { groups, staff } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  // The page redirects to itself after creating a group: the name field starts empty again.
  const createForm = useResetOnSuccess();
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/staff">Staff</Link> /
      </p>
      <PageHeader title="Staff groups" description="On an active granular admin relationship, you give groups a subset of its roles; their members then hold those roles in that customer (capped by their own role)." />
      <ReplyNotice result={result} />
      <Form method="post" ref={createForm} className="card filters" aria-label="Create a staff group">
        <div className="field grow">
          <label htmlFor="group-name">New group</label>
          <input id="group-name" name="name" required maxLength={80} placeholder="e.g. Helpdesk team" />
        </div>
        <SubmitButton name="intent" value="create" pendingText="Creating…">
          Create group
        </SubmitButton>
      </Form>
      {groups.length === 0 ? (
        <EmptyState title="No groups yet">
          <p>Create a group, add staff to it, then assign it roles on an active admin relationship.</p>
        </EmptyState>
      ) : (
        groups.map((g) => (
          <section key={g.id} className="card top-gap" aria-labelledby={`group-${g.id}`}>
            <div className="page-header">
              <h2 id={`group-${g.id}`}>{g.name}</h2>
              <ConfirmAction label="Delete group" title={`Delete the group ${g.name}?`} intent="delete" confirmLabel="Delete" hidden={{ groupId: g.id }}>
                <p>Its members lose the roles assigned to the group in every customer.</p>
              </ConfirmAction>
            </div>
            {g.members.length === 0 ? (
              <p className="muted">No members.</p>
            ) : (
              <ul className="plain-list">
                {g.members.map((m) => (
                  <li key={m.userId}>
                    <Form method="post" className="inline-row">
                      {m.displayName} <span className="muted small">{m.email}</span>
                      <input type="hidden" name="groupId" value={g.id} />
                      <input type="hidden" name="userId" value={m.userId} />
                      <button type="submit" name="intent" value="remove" className="link-button">
                        Remove<span className="visually-hidden"> {m.displayName} from {g.name}</span>
                      </button>
                    </Form>
                  </li>
                ))}
              </ul>
            )}
            <Form method="post" className="filters">
              <input type="hidden" name="groupId" value={g.id} />
              <div className="field">
                <label htmlFor={`add-${g.id}`}>Add a staff member</label>
                <select id={`add-${g.id}`} name="userId" required defaultValue="">
                  <option value="" disabled>
                    Choose…
                  </option>
                  {staff
                    .filter((s) => !g.members.some((m) => m.userId === s.id))
                    .map((s) => (
                      <option key={s.id} value={s.id}>
                        {s.displayName} ({s.email})
                      </option>
                    ))}
                </select>
              </div>
              <SubmitButton name="intent" value="add" className="button" pendingText="Adding…">
                Add
              </SubmitButton>
            </Form>
          </section>
        ))
      )}
    </>
  );
}
