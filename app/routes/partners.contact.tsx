import { getFormProps, getSelectProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { INT4, multilineText, text } from "~/utils/input";
import { ErrorList, Field, SubmitButton } from "~/components/forms";
import { CountryField } from "~/components/country-select";
import { COUNTRY_CODES } from "~/utils/countries";
import { ORGANISATION_SIZES, SIZE_LABELS } from "~/modules/directory/directory-options";
import { selectedPartners, submitContact } from "~/modules/directory/directory.server";
import { clientIp } from "~/modules/auth/gate.server";
import { config } from "~/utils/config.server";
import { NO_TENANT, withSystem, withTenantReads } from "~/utils/db.server";
import { handleDomainError, redirectWithToast } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";

export const meta: MetaFunction = () => [{ title: "Contact selected partners · Partnerdesk" }, { name: "robots", content: "noindex" }];

const partnerNumbers = (values: string[]) => [...new Set(values.map(Number).filter((n) => Number.isInteger(n) && n > 0 && n <= 2_147_483_647))];

const schema = z.object({
  p: z.array(z.coerce.number().int().positive().max(INT4.max)).optional(),
  name: text({ required_error: "Enter your name." }).trim().min(1, "Enter your name.").max(200, "Use at most 200 characters."),
  email: z.string({ required_error: "Enter your email address." }).trim().toLowerCase().email("Enter a valid email address.").max(254),
  organisation: text({ required_error: "Enter your organisation's name." }).trim().min(2, "Enter your organisation's name.").max(200, "Use at most 200 characters."),
  size: z.enum(ORGANISATION_SIZES, { required_error: "Choose your organisation's size.", invalid_type_error: "Choose your organisation's size." }),
  country: z.string({ required_error: "Choose your country." }).refine((c) => COUNTRY_CODES.includes(c), "Choose your country."),
  needs: multilineText({ required_error: "Describe what you need." }).trim().min(10, "Describe what you need in at least 10 characters.").max(4000, "Use at most 4,000 characters."),
  consent: z.boolean({ required_error: "Tick the box to agree that the selected partners may contact you." }),
  // The honeypot: hidden from people; a filled one is refused.
  website: text().max(500).optional(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const numbers = partnerNumbers(new URL(request.url).searchParams.getAll("p"));
  const max = config().CONTACT_MAX_PARTNERS;
  const partners = numbers.length ? await withTenantReads(NO_TENANT, (tx) => selectedPartners(tx, numbers.slice(0, max))) : [];
  return { partners, tooMany: numbers.length > max, max };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const formData = await readForm(request);
  const submission = parseWithZod(formData, { schema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const v = submission.value;
  try {
    const { partners } = await withSystem((tx) =>
      submitContact(tx, {
        input: { partnerNumbers: v.p ?? [], name: v.name, email: v.email, organisation: v.organisation, size: v.size, country: v.country, needs: v.needs, consent: v.consent, honeypot: v.website ?? "" },
        ip: clientIp(context),
      }),
    );
    const names = partners.map((p) => p.name);
    return redirectWithToast("/partners?sent=1", {
      kind: "success",
      message: `Your request was sent to ${names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}`}. They will contact you at ${v.email}.`,
    });
  } catch (error) {
    return handleDomainError(error, submission, { fields: { partners: "p" } });
  }
}

export default function Contact() {
  const { partners, tooMany, max } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "contact",
    lastResult,
    constraint: getZodConstraint(schema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  if (partners.length === 0) {
    return (
      <>
        <h1>Contact selected partners</h1>
        <p className="notice notice-warn" role="status">
          No partner is selected, or the selected ones are no longer listed. <Link to="/partners">Find partners</Link> and select the ones to contact.
        </p>
      </>
    );
  }
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partners">Find a partner</Link> /
      </p>
      <h1>Contact selected partners</h1>
      <p>
        One form to {partners.length === 1 ? "this partner" : `these ${partners.length} partners`}: each receives your request and answers you by email.
      </p>
      <ul className="tags" aria-label="Selected partners">
        {partners.map((p) => (
          <li key={p.partnerNumber}>{p.name}</li>
        ))}
      </ul>
      {tooMany ? (
        <p className="notice notice-warn" role="status">
          One request reaches at most {max} partners; the first {max} you selected are shown.
        </p>
      ) : null}
      <Form method="post" {...getFormProps(form)} className="card form-grid top-gap">
        <ErrorList id={form.errorId} errors={form.errors} />
        <ErrorList id={fields.p.errorId} errors={fields.p.errors} />
        {partners.map((p) => (
          <input key={p.partnerNumber} type="hidden" name="p" value={p.partnerNumber} />
        ))}
        <Field meta={fields.name} label="Your name" inputProps={{ autoComplete: "name", maxLength: 200 }} />
        <Field meta={fields.email} label="Your work email" type="email" inputProps={{ autoComplete: "email" }} />
        <Field meta={fields.organisation} label="Organisation" inputProps={{ autoComplete: "organization", maxLength: 200 }} />
        <div className="field-row two">
          <div className="field">
            <label htmlFor={fields.size.id}>Organisation size</label>
            <select {...getSelectProps(fields.size)} key={fields.size.key}>
              <option value="">Choose…</option>
              {ORGANISATION_SIZES.map((s) => (
                <option key={s} value={s}>
                  {SIZE_LABELS[s]}
                </option>
              ))}
            </select>
            <ErrorList id={fields.size.errorId} errors={fields.size.errors} />
          </div>
          <CountryField meta={fields.country} />
        </div>
        <div className="field">
          <label htmlFor={fields.needs.id}>What do you need?</label>
          <p className="hint" id={`${fields.needs.id}-hint`}>
            For example the services, the number of users, and when. 10 to 4,000 characters.
          </p>
          <textarea
            id={fields.needs.id}
            name={fields.needs.name}
            rows={6}
            maxLength={4000}
            required
            defaultValue={String(fields.needs.initialValue ?? "")}
            aria-invalid={fields.needs.errors?.length ? true : undefined}
            aria-describedby={`${fields.needs.id}-hint ${fields.needs.errorId}`}
          />
          <ErrorList id={fields.needs.errorId} errors={fields.needs.errors} />
        </div>
        <div className="honeypot" aria-hidden="true">
          <label htmlFor="contact-website">Leave this field empty</label>
          <input id="contact-website" name="website" tabIndex={-1} autoComplete="off" />
        </div>
        <label className="checkbox">
          <input type="checkbox" name={fields.consent.name} defaultChecked={fields.consent.initialValue === "on"} aria-describedby={fields.consent.errorId} />
          <span>The selected partners may contact me about this request at the email address above.</span>
        </label>
        <ErrorList id={fields.consent.errorId} errors={fields.consent.errors} />
        <div>
          <SubmitButton pendingText="Sending…">Send to {partners.length === 1 ? partners[0]!.name : `${partners.length} partners`}</SubmitButton>
        </div>
      </Form>
    </>
  );
}
