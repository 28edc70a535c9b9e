import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { text } from "~/utils/input";
import { ErrorList, Field, SubmitButton } from "~/components/forms";
import { PageHeader } from "~/components/layout";
import { getOrganisation, updateProfile } from "~/modules/organisations/organisations.server";
import { actorOf, requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError, redirectWithToast } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useFormat } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Company profile · Partnerdesk" }];

const optional = <T extends z.ZodTypeAny>(schema: T) => schema.optional().transform((v) => v ?? null);

const schema = z.object({
  name: text({ required_error: "Enter the company name." }).trim().min(2, "Enter the company name.").max(200),
  email: optional(z.string().trim().email("Enter a valid email address.").max(254)),
  phone: optional(
    z
      .string()
      .trim()
      .regex(/^\+?[0-9 ()\-.]{6,30}$/, "Enter a phone number with digits, spaces and an optional leading +, e.g. +45 70 20 30 40."),
  ),
  website: optional(
    text()
      .trim()
      .url("Enter a full web address, e.g. https://www.example.com.")
      .max(300)
      .refine((v) => /^https?:\/\//i.test(v), "The web address must start with http:// or https://."),
  ),
  addressLine: optional(text().trim().max(200)),
  postalCode: optional(text().trim().max(20)),
  city: optional(text().trim().max(100)),
  country: optional(
    z
      .string()
      .trim()
      .toUpperCase()
      .regex(/^[A-Z]{2}$/, "Use the two-letter country code, e.g. DK."),
  ),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "profile:view", { kind: "partner" });
  const org = await withTenantReads(tenantOf(auth), (tx) => getOrganisation(tx, { orgId: auth.org.id }));
  return { org, canEdit: auth.permissions.includes("profile:edit") };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "profile:edit", { kind: "partner" });
  const formData = await readForm(request);
  const submission = parseWithZod(formData, { schema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    await withTenant(tenantOf(auth), (tx) => updateProfile(tx, { orgId: auth.org.id, actor: actorOf(auth, context), profile: submission.value }));
  } catch (error) {
    return handleDomainError(error, submission);
  }
  return redirectWithToast("/partner/profile", { kind: "success", message: "Company profile saved." });
}

export default function Profile() {
  const { org, canEdit } = useLoaderData<typeof loader>();
  const format = useFormat();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "profile",
    lastResult,
    constraint: getZodConstraint(schema),
    defaultValue: {
      name: org.name,
      email: org.email ?? "",
      phone: org.phone ?? "",
      website: org.website ?? "",
      addressLine: org.addressLine ?? "",
      postalCode: org.postalCode ?? "",
      city: org.city ?? "",
      country: org.country ?? "",
    },
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    shouldRevalidate: "onInput",
  });
  return (
    <>
      <PageHeader title="Company profile" description="Customers see your name, email, phone and website when you invite them. Keep them correct." />
      {canEdit ? (
        <Form method="post" {...getFormProps(form)} className="card form-grid">
          <ErrorList id={form.errorId} errors={form.errors} />
          <Field meta={fields.name} label="Company name" />
          <Field meta={fields.email} label="Contact email" type="email" />
          <Field meta={fields.phone} label="Phone" type="tel" />
          <Field meta={fields.website} label="Website" type="url" />
          <Field meta={fields.addressLine} label="Street address" />
          <div className="field-row">
            <Field meta={fields.postalCode} label="Postal code" />
            <Field meta={fields.city} label="City" />
            <Field meta={fields.country} label="Country code" inputProps={{ maxLength: 2 }} />
          </div>
          <div>
            <SubmitButton pendingText="Saving…">Save profile</SubmitButton>
          </div>
        </Form>
      ) : (
        <section className="card">
          <dl className="details">
            <dt>Company name</dt>
            <dd>{org.name}</dd>
            <dt>Partner ID</dt>
            <dd>{org.partnerNumber}</dd>
            <dt>Contact email</dt>
            <dd>{org.email ?? "—"}</dd>
            <dt>Phone</dt>
            <dd>{org.phone ?? "—"}</dd>
            <dt>Website</dt>
            <dd>{org.website ?? "—"}</dd>
            <dt>Address</dt>
            <dd>{[org.addressLine, [org.postalCode, org.city].filter(Boolean).join(" "), org.country ? format.country(org.country) : null].filter(Boolean).join(", ") || "—"}</dd>
          </dl>
          <p className="muted">Only a global admin can change the company profile.</p>
        </section>
      )}
    </>
  );
}
