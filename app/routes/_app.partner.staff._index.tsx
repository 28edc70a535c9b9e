import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { createColumnHelper, type ColumnDef } from "@tanstack/react-table";
import { useMemo } from "react";
import { CellLink, DataTable } from "~/components/data-table";
import type { Format } from "~/utils/format";
import { z } from "zod";
import { text } from "~/utils/input";
import { ErrorList, Field, SubmitButton } from "~/components/forms";
import { Badge, PageHeader } from "~/components/layout";
import { PARTNER_ROLES, ROLE_DESCRIPTIONS, ROLE_LABELS } from "~/modules/auth/permissions";
import { inviteStaff, listStaff } from "~/modules/staff/staff.server";
import { actorOf, requirePermission, requireRecentSecondFactor, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError, redirectWithToast } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useFormat } from "~/components/format";
import { useResetOnSuccess } from "~/components/reset-on-success";

export const meta: MetaFunction = () => [{ title: "Staff · Partnerdesk" }];

const inviteSchema = z.object({
  email: z.string({ required_error: "Enter an email address." }).trim().toLowerCase().email("Enter a valid email address.").max(254),
  displayName: text({ required_error: "Enter the person's name." }).trim().min(1).max(120),
  roles: z.array(z.enum(PARTNER_ROLES), { required_error: "Choose at least one role." }).min(1, "Choose at least one role."),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "staff:manage", { kind: "partner" });
  const staff = await withTenantReads(tenantOf(auth), (tx) => listStaff(tx, { orgId: auth.org.id }));
  return { staff, me: auth.user.id };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "staff:manage", { kind: "partner" });
  // An invitation gives roles.
  requireRecentSecondFactor(request, auth, "staff-access");
  const formData = await readForm(request);
  const submission = parseWithZod(formData, { schema: inviteSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    await withTenant(tenantOf(auth), (tx) => inviteStaff(tx, { orgId: auth.org.id, actor: actorOf(auth, context), ...submission.value }));
  } catch (error) {
    return handleDomainError(error, submission);
  }
  return redirectWithToast("/partner/staff", { kind: "success", message: `Invitation sent to ${submission.value.email}.` });
}

const STATUS: Record<string, { tone: "good" | "warn" | "bad"; label: string }> = {
  active: { tone: "good", label: "Active" },
  invited: { tone: "warn", label: "Invited" },
  deactivated: { tone: "bad", label: "Deactivated" },
};

type Row = Awaited<ReturnType<typeof loader>>["staff"][number];
const column = createColumnHelper<Row>();
function staffColumns(format: Format, me: string) {
  return [
    column.accessor("displayName", {
      header: "Name",
      cell: ({ row: { original: s } }) => (
        <>
          <CellLink href={`/partner/staff/${s.userId}`}>{s.displayName}</CellLink>
          {s.userId === me ? <span className="muted"> (you)</span> : null}
        </>
      ),
    }),
    column.accessor("email", { header: "Email" }),
    column.accessor("roles", { header: "Roles", cell: ({ getValue }) => getValue().map((r) => ROLE_LABELS.partner[r] ?? r).join(", ") }),
    column.accessor("status", { header: "Status", cell: ({ getValue }) => <Badge tone={STATUS[getValue()]!.tone}>{STATUS[getValue()]!.label}</Badge> }),
    column.accessor("createdAt", { header: "Added", cell: ({ getValue }) => format.date(getValue()) }),
  ] as ColumnDef<Row, unknown>[];
}

export default function Staff() {
  const { staff, me } = useLoaderData<typeof loader>();
  const format = useFormat();
  const columns = useMemo(() => staffColumns(format, me), [format, me]);
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "invite-staff",
    lastResult,
    constraint: getZodConstraint(inviteSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: inviteSchema }),
    shouldRevalidate: "onInput",
  });
  // The page redirects to itself after an invitation: the next one starts empty (no ticked roles).
  const inviteForm = useResetOnSuccess();
  return (
    <>
      <PageHeader
        title="Staff"
        description="People in your organisation and what they may do."
        actions={
          <Link className="button" to="/partner/staff/groups">
            Staff groups
          </Link>
        }
      />
      <section className="card" aria-labelledby="staff-list">
        <h2 id="staff-list">
          {staff.length} {staff.length === 1 ? "person" : "people"}
        </h2>
        <DataTable caption="Staff" columns={columns} data={staff} getRowId={(s) => s.userId} empty={null} />
      </section>
      <section className="card" aria-labelledby="invite">
        <h2 id="invite">Add a staff member</h2>
        <p className="muted">They receive an email with a link to activate their account. The link works for 7 days.</p>
        <Form method="post" {...getFormProps(form)} ref={inviteForm} className="form-grid">
          <ErrorList id={form.errorId} errors={form.errors} />
          <Field meta={fields.displayName} label="Name" inputProps={{ autoComplete: "off" }} />
          <Field meta={fields.email} label="Email address" type="email" inputProps={{ autoComplete: "off" }} />
          <fieldset className="field" aria-describedby={fields.roles.errorId}>
            <legend>Roles</legend>
            {PARTNER_ROLES.map((role) => (
              <label key={role} className="checkbox">
                <input type="checkbox" name={fields.roles.name} value={role} />
                <span>
                  <strong>{ROLE_LABELS.partner[role]}</strong>
                  <span className="muted small"> {ROLE_DESCRIPTIONS[role]}</span>
                </span>
              </label>
            ))}
            <ErrorList id={fields.roles.errorId} errors={fields.roles.errors} />
          </fieldset>
          <div>
            <SubmitButton pendingText="Sending invitation…">Send invitation</SubmitButton>
          </div>
        </Form>
      </section>
    </>
  );
}
