import { getFormProps, getSelectProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData } from "@remix-run/react";
import { z } from "zod";
import { ErrorList, Field, SubmitButton } from "~/components/forms";
import { PageHeader } from "~/components/layout";
import { COUNTRY_CODES, COUNTRY_OPTIONS } from "~/modules/countries";
import { addCustomer } from "~/modules/customers.server";
import { domainNameField } from "~/modules/domain-name";
import { actorOf, requirePermission, tenantOf } from "~/utils/auth.server";
import { withTenant } from "~/utils/db.server";
import { redirectWithToast, replyWithDomainError } from "~/utils/http.server";

export const meta: MetaFunction = () => [{ title: "Add customer · Partnerdesk" }];

const schema = z.object({
  name: z.string({ required_error: "Enter the company name." }).trim().min(2, "Enter the company name.").max(200),
  primaryDomain: domainNameField,
  country: z.string({ required_error: "Choose the country." }).refine((c) => COUNTRY_CODES.includes(c), "Choose the country."),
  contactFirstName: z.string({ required_error: "Enter the contact's first name." }).trim().min(1).max(100),
  contactLastName: z.string({ required_error: "Enter the contact's last name." }).trim().min(1).max(100),
  contactEmail: z.string({ required_error: "Enter the contact's email address." }).trim().toLowerCase().email("Enter a valid email address.").max(254),
  contactPhone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()\-.]{6,30}$/, "Enter a phone number with digits, spaces and an optional leading +.")
    .optional(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "customers:create", { kind: "partner" });
  return null;
}

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission(request, "customers:create", { kind: "partner" });
  const submission = parseWithZod(await request.formData(), { schema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    const { customerId } = await withTenant(tenantOf(auth), (tx) =>
      addCustomer(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), customer: { ...submission.value, contactPhone: submission.value.contactPhone ?? null } }),
    );
    return redirectWithToast(`/partner/customers/${customerId}`, {
      kind: "success",
      message: `${submission.value.name} was created. ${submission.value.contactEmail} received an activation link; the agreement is pending until they accept it.`,
    });
  } catch (error) {
    return replyWithDomainError(submission, error);
  }
}

export default function NewCustomer() {
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "new-customer",
    lastResult,
    constraint: getZodConstraint(schema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    shouldRevalidate: "onInput",
  });
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/customers">Customers</Link> /
      </p>
      <PageHeader
        title="Add customer"
        description="Creates the customer's organisation with you as its reseller. The contact becomes its global admin and must accept the customer agreement at first sign-in before you can buy or manage anything for it."
      />
      <Form method="post" {...getFormProps(form)} className="card form-grid">
        <ErrorList id={form.errorId} errors={form.errors} />
        <h2>Company</h2>
        <Field meta={fields.name} label="Company name" inputProps={{ autoComplete: "off" }} />
        <Field meta={fields.primaryDomain} label="Primary domain" hint="Unique across Partnerdesk, e.g. contoso.com." inputProps={{ autoComplete: "off", spellCheck: false }} />
        <div className="field">
          <label htmlFor={fields.country.id}>Country</label>
          <select {...getSelectProps(fields.country)} key={fields.country.key}>
            <option value="">Choose…</option>
            {COUNTRY_OPTIONS.map((c) => (
              <option key={c.code} value={c.code}>
                {c.name}
              </option>
            ))}
          </select>
          <ErrorList id={fields.country.errorId} errors={fields.country.errors} />
        </div>
        <h2>Primary contact</h2>
        <div className="field-row two">
          <Field meta={fields.contactFirstName} label="First name" inputProps={{ autoComplete: "off" }} />
          <Field meta={fields.contactLastName} label="Last name" inputProps={{ autoComplete: "off" }} />
        </div>
        <Field meta={fields.contactEmail} label="Email address" type="email" hint="Becomes the customer's first global admin and receives the activation link." inputProps={{ autoComplete: "off" }} />
        <Field meta={fields.contactPhone} label="Phone" type="tel" />
        <div>
          <SubmitButton pendingText="Creating customer…">Create customer</SubmitButton>
        </div>
      </Form>
    </>
  );
}
