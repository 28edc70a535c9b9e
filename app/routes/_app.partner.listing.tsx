import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useState } from "react";
import { z } from "zod";
import { multilineText, text } from "~/utils/input";
import { ErrorList, SubmitButton } from "~/components/forms";
import { CountryOptions } from "~/components/country-select";
import { Badge, PageHeader } from "~/components/layout";
import { COUNTRY_CODES } from "~/utils/countries";
import { LANGUAGE_CODES, LANGUAGES, ORGANISATION_SIZES, SERVICE_KEYWORDS, SIZE_LABELS } from "~/modules/directory/directory-options";
import { getListing, saveListing } from "~/modules/directory/listing.server";
import { actorOf, requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError, redirectWithToast } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useFormat } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Directory listing · Partnerdesk" }];

/** "a, b, c" → ["a", "b", "c"]: trimmed, de-duplicated case-insensitively, empty parts dropped. */
const commaList = (max: number, itemMax: number, what: string) =>
  text()
    .max(2000)
    .optional()
    .transform((v) => {
      const seen = new Set<string>();
      return (v ?? "")
        .split(",")
        .map((x) => x.trim())
        .filter((x) => x && !seen.has(x.toLowerCase()) && seen.add(x.toLowerCase()));
    })
    .refine((xs) => xs.length <= max, `At most ${max} ${what}.`)
    .refine((xs) => xs.every((x) => x.length <= itemMax), `Each of the ${what} has at most ${itemMax} characters.`);

const schema = z.object({
  listed: z.boolean().optional(),
  description: multilineText().trim().max(2000, "Use at most 2,000 characters.").optional(),
  countries: z.array(z.string().refine((c) => COUNTRY_CODES.includes(c), "Choose countries from the list.")).max(60).optional(),
  cities: commaList(50, 100, "cities"),
  sizes: z.array(z.enum(ORGANISATION_SIZES)).optional(),
  keywords: z.array(text().trim().toLowerCase().max(40)).max(30).optional(),
  otherKeywords: commaList(30, 40, "keywords"),
  languages: z.array(z.string().refine((l) => LANGUAGE_CODES.includes(l), "Choose languages from the list.")).max(30).optional(),
});

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "listing:manage", { kind: "partner" });
  return withTenantReads(tenantOf(auth), (tx) => getListing(tx, { partnerId: auth.org.id }));
}

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "listing:manage", { kind: "partner" });
  const formData = await readForm(request);
  const submission = parseWithZod(formData, { schema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const v = submission.value;
  const keywords = [...new Set([...(v.keywords ?? []), ...v.otherKeywords.map((k) => k.toLowerCase())])];
  if (keywords.length > 30) return data(submission.reply({ fieldErrors: { otherKeywords: ["At most 30 keywords in all."] } }), { status: 400 });
  try {
    const { action } = await withTenant(tenantOf(auth), (tx) =>
      saveListing(tx, {
        partnerId: auth.org.id,
        actor: actorOf(auth, context),
        input: { listed: Boolean(v.listed), description: v.description ?? "", countries: v.countries ?? [], cities: v.cities, sizes: v.sizes ?? [], keywords, languages: v.languages ?? [] },
      }),
    );
    const message = action === "listing.listed" ? "You are listed in the partner directory." : action === "listing.unlisted" ? "You are no longer listed in the partner directory." : "Listing saved.";
    return redirectWithToast("/partner/listing", { kind: "success", message });
  } catch (error) {
    return handleDomainError(error, submission);
  }
}

export default function Listing() {
  const { profile, listing } = useLoaderData<typeof loader>();
  const format = useFormat();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "listing",
    lastResult,
    constraint: getZodConstraint(schema),
    shouldValidate: "onSubmit",
    defaultValue: {
      listed: listing.listed ? "on" : undefined,
      description: listing.description,
      countries: listing.countries,
      cities: listing.cities.join(", "),
      sizes: listing.sizes,
      keywords: listing.keywords.filter((k) => (SERVICE_KEYWORDS as readonly string[]).includes(k)),
      otherKeywords: listing.keywords.filter((k) => !(SERVICE_KEYWORDS as readonly string[]).includes(k)).join(", "),
      languages: listing.languages,
    },
  });
  const has = (value: unknown, x: string) => (Array.isArray(value) ? value.includes(x) : value === x);
  const initialCountries = fields.countries.initialValue;
  const [countries, setCountries] = useState<string[]>(Array.isArray(initialCountries) ? (initialCountries as string[]) : initialCountries ? [String(initialCountries)] : []);
  return (
    <>
      <PageHeader
        title="Directory listing"
        description={
          <>
            How customers find you in the public <Link to="/partners">partner directory</Link> and contact you. Their requests arrive as <Link to="/partner/leads">leads</Link>.{" "}
            {listing.listed ? (
              <>
                <Badge tone="good">Listed</Badge> since {format.date(listing.listedAt)} · <Link to={`/partners/${profile.partnerNumber}`}>See your public page</Link>
              </>
            ) : (
              <Badge>Not listed</Badge>
            )}
          </>
        }
      />
      <Form method="post" {...getFormProps(form)} className="card form-grid">
        <ErrorList id={form.errorId} errors={form.errors} />
        <label className="checkbox">
          <input type="checkbox" name={fields.listed.name} defaultChecked={fields.listed.initialValue === "on"} />
          <span>
            <strong>List us in the partner directory</strong> (customers can find us and send us requests)
          </span>
        </label>
        <div className="field">
          <label htmlFor={fields.description.id}>Description of your services</label>
          <p className="hint" id={`${fields.description.id}-hint`}>
            What you do and for whom; searched together with your keywords. 20 to 2,000 characters.
          </p>
          <textarea
            id={fields.description.id}
            name={fields.description.name}
            rows={6}
            maxLength={2000}
            defaultValue={String(fields.description.initialValue ?? "")}
            aria-invalid={fields.description.errors?.length ? true : undefined}
            aria-describedby={`${fields.description.id}-hint ${fields.description.errorId}`}
          />
          <ErrorList id={fields.description.errorId} errors={fields.description.errors} />
        </div>
        <div className="field">
          <label htmlFor={fields.countries.id}>Countries you serve</label>
          <p className="hint">Hold Ctrl (⌘ on a Mac) to choose several.</p>
          <select
            id={fields.countries.id}
            name={fields.countries.name}
            multiple
            size={8}
            defaultValue={(fields.countries.initialValue as string[] | undefined) ?? []}
            onChange={(e) => setCountries([...e.currentTarget.selectedOptions].map((o) => o.value))}
            aria-invalid={fields.countries.errors?.length ? true : undefined}
            aria-describedby={fields.countries.errorId}
          >
            <CountryOptions />
          </select>
          <p className="hint" aria-live="polite">
            Selected: {countries.length ? countries.map(format.country).join(", ") : "none"}
          </p>
          <ErrorList id={fields.countries.errorId} errors={fields.countries.errors} />
        </div>
        <div className="field">
          <label htmlFor={fields.cities.id}>
            Cities <span className="optional">(optional)</span>
          </label>
          <p className="hint">Separated by commas, e.g. Copenhagen, Aarhus.</p>
          <input id={fields.cities.id} name={fields.cities.name} defaultValue={String(fields.cities.initialValue ?? "")} aria-describedby={fields.cities.errorId} />
          <ErrorList id={fields.cities.errorId} errors={fields.cities.errors} />
        </div>
        <fieldset className="field choice-group" aria-describedby={fields.sizes.errorId}>
          <legend>Organisation sizes you serve</legend>
          <ErrorList id={fields.sizes.errorId} errors={fields.sizes.errors} />
          {ORGANISATION_SIZES.map((s) => (
            <label key={s} className="choice">
              <input type="checkbox" name={fields.sizes.name} value={s} defaultChecked={has(fields.sizes.initialValue, s)} />
              <span>{SIZE_LABELS[s]}</span>
            </label>
          ))}
        </fieldset>
        <fieldset className="field choice-group" aria-describedby={fields.keywords.errorId}>
          <legend>Services</legend>
          <ErrorList id={fields.keywords.errorId} errors={fields.keywords.errors} />
          <div className="keyword-grid">
            {SERVICE_KEYWORDS.map((k) => (
              <label key={k} className="checkbox">
                <input type="checkbox" name={fields.keywords.name} value={k} defaultChecked={has(fields.keywords.initialValue, k)} />
                <span>{k}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <div className="field">
          <label htmlFor={fields.otherKeywords.id}>
            Other service keywords <span className="optional">(optional)</span>
          </label>
          <p className="hint">Separated by commas, e.g. power bi, dynamics.</p>
          <input id={fields.otherKeywords.id} name={fields.otherKeywords.name} defaultValue={String(fields.otherKeywords.initialValue ?? "")} aria-describedby={fields.otherKeywords.errorId} />
          <ErrorList id={fields.otherKeywords.errorId} errors={fields.otherKeywords.errors} />
        </div>
        <fieldset className="field choice-group" aria-describedby={fields.languages.errorId}>
          <legend>Languages you work in</legend>
          <ErrorList id={fields.languages.errorId} errors={fields.languages.errors} />
          <div className="keyword-grid">
            {LANGUAGE_CODES.map((l) => (
              <label key={l} className="checkbox">
                <input type="checkbox" name={fields.languages.name} value={l} defaultChecked={has(fields.languages.initialValue, l)} />
                <span>{LANGUAGES[l]}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <section aria-labelledby="contact-details">
          <h2 id="contact-details">Contact details</h2>
          <p className="hint">
            From your <Link to="/partner/profile">company profile</Link>: {[profile.email, profile.phone, profile.website, profile.city, profile.country ? format.country(profile.country) : null].filter(Boolean).join(" · ") || "none yet"}.
          </p>
        </section>
        <div>
          <SubmitButton pendingText="Saving…">Save listing</SubmitButton>
        </div>
      </Form>
    </>
  );
}
