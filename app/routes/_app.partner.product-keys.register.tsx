import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import { text } from "~/utils/input";
import { ErrorList, Field, SubmitButton } from "~/components/forms";
import { AdminRoleChoices } from "~/components/admin-role-choices";
import { PageHeader } from "~/components/layout";
import { NewCustomerFields } from "~/components/new-customer-fields";
import { ADMIN_ROLES, GDAP } from "~/modules/delegated-admin/admin-roles";
import { findOwnCustomer } from "~/modules/delegated-admin/admin-relationships.server";
import { newCustomerFields, newCustomerSchema } from "~/modules/customers/customer-form";
import { getOrganisation } from "~/modules/organisations/organisations.server";
import { checkProductKey, KEY_EXAMPLE } from "~/modules/product-keys/key-format";
import { registerProductKey, type DelegatedAdminChoice, type RegisterInput } from "~/modules/product-keys/product-keys.server";
import { actorOf, requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError, redirectWithToast } from "~/utils/http.server";
import { DomainError } from "~/utils/errors";
import { readForm } from "~/utils/form.server";

export const meta: MetaFunction = () => [{ title: "Register a product key · Partnerdesk" }];

const optional = <T extends z.ZodTypeAny>(t: T) => t.optional();

/** One flat form; the parts that apply depend on the choices (checked in superRefine, so the browser validates the same way). */
const schema = z
  .object({
    key: z
      .string({ required_error: `Enter the product key (${KEY_EXAMPLE}).` })
      .superRefine((v, ctx) => {
        const checked = checkProductKey(v);
        if (!checked.ok) ctx.addIssue({ code: "custom", message: checked.message });
      }),
    customerMode: z.enum(["existing", "new"], { required_error: "Choose an existing customer or create a new one." }),
    customerDomain: text().trim().toLowerCase().max(253).optional(),
    name: optional(text()),
    primaryDomain: optional(text()),
    country: optional(text()),
    contactFirstName: optional(text()),
    contactLastName: optional(text()),
    contactEmail: optional(text()),
    contactPhone: optional(text()),
    delegated: z.enum(["none", "dap", "gdap"]).default("none"),
    gdapName: text().trim().max(GDAP.displayNameMax, `Use at most ${GDAP.displayNameMax} characters.`).optional(),
    gdapDuration: z.number({ invalid_type_error: "Enter a whole number of days." }).int("Enter a whole number of days.").min(GDAP.minDays, `At least ${GDAP.minDays} day.`).max(GDAP.maxDays, `At most ${GDAP.maxDays} days.`).optional(),
    gdapRoles: z.array(text().max(64)).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.customerMode === "existing" && !v.customerDomain) ctx.addIssue({ code: "custom", path: ["customerDomain"], message: "Enter the customer's primary domain." });
    if (v.customerMode === "new") {
      const parsed = newCustomerSchema.safeParse(v);
      if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue(issue);
    }
    if (v.delegated === "gdap") {
      if (!v.gdapName) ctx.addIssue({ code: "custom", path: ["gdapName"], message: "Name the admin relationship." });
      if (!v.gdapDuration) ctx.addIssue({ code: "custom", path: ["gdapDuration"], message: "Enter the duration in days." });
      if (!v.gdapRoles?.length) ctx.addIssue({ code: "custom", path: ["gdapRoles"], message: "Choose at least one role." });
    }
  });

/** The new customer's fields are required whenever they are shown (the schema has them optional for the other choice). */
const CONSTRAINT = (() => {
  const c = getZodConstraint(schema);
  for (const name of ["name", "primaryDomain", "country", "contactFirstName", "contactLastName", "contactEmail", "customerDomain", "gdapName"]) c[name] = { ...c[name], required: true };
  return c;
})();

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "keys:manage", { kind: "partner" });
  const customerId = z.string().uuid().safeParse(new URL(request.url).searchParams.get("customer"));
  return withTenantReads(tenantOf(auth), async (tx) => {
    const org = await getOrganisation(tx, { orgId: auth.org.id });
    const customer = customerId.success ? await findOwnCustomer(tx, { partnerId: auth.org.id, customerId: customerId.data }) : null;
    return {
      authorised: org.isAuthorisedAdvisor,
      certified: org.isDapCertified,
      customer,
      roles: ADMIN_ROLES.map(({ templateId, name, description }) => ({ templateId, name, description })),
    };
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "keys:manage", { kind: "partner" });
  const formData = await readForm(request);
  const submission = parseWithZod(formData, { schema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const v = submission.value;
  const delegated: DelegatedAdminChoice =
    v.delegated === "gdap" ? { kind: "gdap", displayName: v.gdapName!, durationDays: v.gdapDuration!, roles: v.gdapRoles! } : { kind: v.delegated };
  try {
    const result = await withTenant(tenantOf(auth), async (tx) => {
      let customer: RegisterInput["customer"];
      if (v.customerMode === "existing") {
        const own = await findOwnCustomer(tx, { partnerId: auth.org.id, domain: v.customerDomain });
        if (!own) throw new DomainError(404, "None of your customers has this primary domain. Check it, or create a new customer.", "customerDomain");
        customer = { existingId: own.id };
      } else {
        const c = newCustomerSchema.parse(v);
        customer = { create: { ...c, contactPhone: c.contactPhone ?? null } };
      }
      return registerProductKey(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), input: { key: v.key, customer, delegated } });
    });
    const asked =
      result.delegated === "dap"
        ? " Delegated administration (DAP) was requested; the customer's global admin approves it."
        : result.delegated === "gdap"
          ? " The GDAP request went to the customer's global admins."
          : result.delegated === "dap_already_active"
            ? " You already are its delegated admin."
            : "";
    return redirectWithToast(`/partner/customers/${result.customerId}`, {
      kind: "success",
      message: `${result.productName} (${result.licences} licences) is registered for ${result.customerName} with you as Partner of Record.${result.created ? " Its global admin received an activation link and accepts the customer agreement at first sign-in." : ""}${asked}`,
    });
  } catch (error) {
    return handleDomainError(error, submission, { fields: { customer: "customerDomain" } });
  }
}

export default function RegisterKey() {
  const { authorised, certified, customer, roles } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "register-key",
    lastResult,
    constraint: CONSTRAINT,
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    defaultValue: { customerMode: customer ? "existing" : "new", customerDomain: customer?.domain ?? "", delegated: "none", gdapDuration: String(GDAP.defaultDays) },
  });
  const [mode, setMode] = useState<string>(String(fields.customerMode.initialValue ?? (customer ? "existing" : "new")));
  const [delegated, setDelegated] = useState<string>(String(fields.delegated.initialValue ?? "none"));
  const chosenRoles = new Set((fields.gdapRoles.initialValue as string[] | string | undefined) ?? []);
  if (!authorised) {
    return (
      <>
        <PageHeader title="Register a product key" />
        <p className="notice notice-warn" role="note">
          Only partners authorised as subscription advisors register product keys. The platform operator grants this.
        </p>
      </>
    );
  }
  const newFields = Object.fromEntries(Object.keys(newCustomerFields).map((k) => [k, fields[k as keyof typeof newCustomerFields]])) as Parameters<typeof NewCustomerFields>[0]["fields"];
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/product-keys">Product keys</Link> /
      </p>
      <PageHeader
        title="Register a product key"
        description="Creates the customer's subscription with the key's product and licences and makes you its Partner of Record: you are told of every change to it. Each key can be registered once."
      />
      <Form method="post" {...getFormProps(form)} className="card form-grid">
        <ErrorList id={form.errorId} errors={form.errors} />
        <Field
          meta={fields.key}
          label="Product key"
          hint={`25 characters, as printed: ${KEY_EXAMPLE}. A typo is caught before anything is looked up.`}
          inputProps={{ autoComplete: "off", spellCheck: false, className: "key-input", maxLength: 40 }}
        />
        <fieldset className="field choice-group">
          <legend>Customer</legend>
          <label className="choice">
            <input type="radio" name={fields.customerMode.name} value="existing" checked={mode === "existing"} onChange={() => setMode("existing")} />
            <span>One of your customers</span>
          </label>
          <label className="choice">
            <input type="radio" name={fields.customerMode.name} value="new" checked={mode === "new"} onChange={() => setMode("new")} />
            <span>A new customer (creates its organisation; you become its reseller, pending the customer agreement)</span>
          </label>
          <ErrorList id={fields.customerMode.errorId} errors={fields.customerMode.errors} />
        </fieldset>
        {mode === "existing" ? (
          <Field
            meta={fields.customerDomain}
            label="Customer's primary domain"
            hint={customer ? `${customer.name}.` : "As shown in your customer list, e.g. contoso.com."}
            inputProps={{ spellCheck: false, autoComplete: "off" }}
          />
        ) : (
          <div className="subform">
            <NewCustomerFields fields={newFields} />
          </div>
        )}
        <fieldset className="field choice-group">
          <legend>Delegated administration</legend>
          {!certified ? <p className="hint">Your organisation is not certified for delegated administration, so it cannot ask for admin roles.</p> : null}
          {(
            [
              ["none", "Do not ask for admin roles"],
              ["dap", "Ask for delegated administration (DAP): your admin agents act as Global Administrator"],
              ["gdap", "Ask for granular admin roles (GDAP): only the roles you choose, for a limited time"],
            ] as const
          ).map(([value, label]) => (
            <label className="choice" key={value}>
              <input type="radio" name={fields.delegated.name} value={value} checked={delegated === value} disabled={!certified && value !== "none"} onChange={() => setDelegated(value)} />
              <span>{label}</span>
            </label>
          ))}
          <ErrorList id={fields.delegated.errorId} errors={fields.delegated.errors} />
        </fieldset>
        {delegated === "gdap" ? (
          <div className="subform">
            <Field meta={fields.gdapName} label="Admin relationship name" hint={`Up to ${GDAP.displayNameMax} characters, unique in your organisation.`} inputProps={{ maxLength: GDAP.displayNameMax }} />
            <div className="field">
              <label htmlFor={fields.gdapDuration.id}>Duration in days</label>
              <input
                id={fields.gdapDuration.id}
                name={fields.gdapDuration.name}
                type="number"
                inputMode="numeric"
                min={GDAP.minDays}
                max={GDAP.maxDays}
                className="narrow"
                defaultValue={String(fields.gdapDuration.initialValue ?? GDAP.defaultDays)}
                aria-invalid={fields.gdapDuration.errors?.length ? true : undefined}
                aria-describedby={fields.gdapDuration.errorId}
              />
              <ErrorList id={fields.gdapDuration.errorId} errors={fields.gdapDuration.errors} />
            </div>
            <AdminRoleChoices name={fields.gdapRoles.name} errorId={fields.gdapRoles.errorId} errors={fields.gdapRoles.errors} roles={roles} chosen={chosenRoles} />
          </div>
        ) : null}
        <div>
          <SubmitButton pendingText="Registering…">Register key</SubmitButton>
        </div>
      </Form>
    </>
  );
}
