import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { text } from "~/utils/input";
import { ErrorList, Field, SubmitButton } from "~/components/forms";
import { AdminRoleChoices } from "~/components/admin-role-choices";
import { PageHeader } from "~/components/layout";
import { ADMIN_ROLES, GDAP, GLOBAL_ADMINISTRATOR } from "~/modules/delegated-admin/admin-roles";
import { findOwnCustomer, requestGdap } from "~/modules/delegated-admin/admin-relationships.server";
import { getOrganisation } from "~/modules/organisations/organisations.server";
import { actorOf, requirePermission, requireRecentSecondFactor, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError, redirectWithToast } from "~/utils/http.server";
import { DomainError } from "~/utils/errors";
import { readForm } from "~/utils/form.server";

export const meta: MetaFunction = () => [{ title: "Request admin roles · Partnerdesk" }];

const schema = z
  .object({
    displayName: text({ required_error: "Name the relationship." }).trim().min(1, "Name the relationship.").max(GDAP.displayNameMax, `Use at most ${GDAP.displayNameMax} characters.`),
    customerDomain: text().trim().toLowerCase().max(253).optional(),
    durationDays: z
      .number({ required_error: "Enter the duration in days.", invalid_type_error: "Enter a whole number of days." })
      .int("Enter a whole number of days.")
      .min(GDAP.minDays, `At least ${GDAP.minDays} day.`)
      .max(GDAP.maxDays, `At most ${GDAP.maxDays} days.`),
    autoExtend: z.boolean().optional(),
    roles: z.array(text().max(64), { required_error: "Choose at least one role." }).min(1, "Choose at least one role."),
  })
  .refine((v) => !(v.autoExtend && v.roles.includes(GLOBAL_ADMINISTRATOR)), { path: ["autoExtend"], message: "Auto-extend is not allowed when Global Administrator is among the roles." });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "relationships:manage", { kind: "partner" });
  const customerId = z.string().uuid().safeParse(new URL(request.url).searchParams.get("customer"));
  return withTenantReads(tenantOf(auth), async (tx) => {
    const org = await getOrganisation(tx, { orgId: auth.org.id });
    const customer = customerId.success ? await findOwnCustomer(tx, { partnerId: auth.org.id, customerId: customerId.data }) : null;
    return { certified: org.isDapCertified, customer, roles: ADMIN_ROLES.map(({ templateId, name, description }) => ({ templateId, name, description })) };
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "relationships:manage", { kind: "partner" });
  requireRecentSecondFactor(request, auth, "admin-relationship");
  const formData = await readForm(request);
  const submission = parseWithZod(formData, { schema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const v = submission.value;
  try {
    const created = await withTenant(tenantOf(auth), async (tx) => {
      let customerId: string | null = null;
      if (v.customerDomain) {
        const customer = await findOwnCustomer(tx, { partnerId: auth.org.id, domain: v.customerDomain });
        if (!customer) throw new DomainError(404, "None of your customers has this primary domain. Leave it empty for an open request.", "customerDomain");
        customerId = customer.id;
      }
      return requestGdap(tx, {
        partnerId: auth.org.id,
        actor: actorOf(auth, context),
        input: { displayName: v.displayName, customerId, durationDays: v.durationDays, autoExtend: Boolean(v.autoExtend), roles: v.roles },
      });
    });
    return redirectWithToast(
      `/partner/relationships/${created.id}`,
      created.repeated
        ? { kind: "info", message: "You already asked this customer for these roles; that request is still open. Nothing new was created or sent." }
        : {
            kind: "success",
            message: v.customerDomain ? "Requested. The customer's global admins received the approval link." : "Open request created. Send its approval link to the customer.",
          },
    );
  } catch (error) {
    return handleDomainError(error, submission, { fields: { customerId: "customerDomain" } });
  }
}

export default function RequestAdminRoles() {
  const { certified, customer, roles } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "request-gdap",
    lastResult,
    constraint: getZodConstraint(schema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
    defaultValue: { durationDays: String(GDAP.defaultDays), customerDomain: customer?.domain ?? "" },
  });
  const chosen = new Set((fields.roles.initialValue as string[] | string | undefined) ?? []);
  if (!certified) {
    return (
      <>
        <PageHeader title="Request admin roles" />
        <p className="notice notice-warn" role="note">
          Only partners certified for delegated administration can request admin roles. The platform operator grants the certification.
        </p>
      </>
    );
  }
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/relationships">Admin relationships</Link> /
      </p>
      <PageHeader
        title="Request admin roles"
        description="Granular delegated administration: only the roles you need, for a limited time. The customer's global admin approves; then you assign the roles to your staff groups."
      />
      <Form method="post" {...getFormProps(form)} className="card form-grid">
        <ErrorList id={form.errorId} errors={form.errors} />
        <Field meta={fields.displayName} label="Name" hint={`Up to ${GDAP.displayNameMax} characters, unique in your organisation, e.g. "Contoso helpdesk 2026".`} inputProps={{ maxLength: GDAP.displayNameMax }} />
        <Field
          meta={fields.customerDomain}
          label="Customer's primary domain"
          hint={customer ? `${customer.name}.` : "Leave empty for an open request: a link that any customer's global admin can approve."}
          inputProps={{ spellCheck: false, autoComplete: "off" }}
        />
        <div className="field">
          <label htmlFor={fields.durationDays.id}>Duration in days</label>
          <p className="hint" id={`${fields.durationDays.id}-hint`}>
            {GDAP.minDays} to {GDAP.maxDays} days from the approval.
          </p>
          <input
            id={fields.durationDays.id}
            name={fields.durationDays.name}
            type="number"
            inputMode="numeric"
            min={GDAP.minDays}
            max={GDAP.maxDays}
            className="narrow"
            defaultValue={String(fields.durationDays.initialValue ?? GDAP.defaultDays)}
            aria-describedby={`${fields.durationDays.id}-hint ${fields.durationDays.errorId}`}
            aria-invalid={fields.durationDays.errors?.length ? true : undefined}
          />
          <ErrorList id={fields.durationDays.errorId} errors={fields.durationDays.errors} />
        </div>
        <label className="checkbox">
          <input type="checkbox" name={fields.autoExtend.name} defaultChecked={fields.autoExtend.initialValue === "on"} aria-describedby={fields.autoExtend.errorId} />
          <span>Extend automatically by {GDAP.autoExtendDays} days at the end (not with Global Administrator)</span>
        </label>
        <ErrorList id={fields.autoExtend.errorId} errors={fields.autoExtend.errors} />
        <AdminRoleChoices name={fields.roles.name} errorId={fields.roles.errorId} errors={fields.roles.errors} roles={roles} chosen={chosen} />
        <div>
          <SubmitButton pendingText="Requesting…">Request</SubmitButton>
        </div>
      </Form>
    </>
  );
}
