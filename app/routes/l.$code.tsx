/**
 * The public page of a shared link: who the partner is, what it offers, the customer agreement,
 * and accepting — as a signed-in customer admin, or by signing up a new organisation.
 */
import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, redirect, type ActionFunctionArgs, type AppLoadContext, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useFetcher, useLoaderData, useLocation, type ShouldRevalidateFunction } from "@remix-run/react";
import { useEffect, useState } from "react";
import { z } from "zod";
import { text } from "~/utils/input";
import { ErrorList, Field, SubmitButton } from "~/components/forms";
import { CountryField } from "~/components/country-select";
import { TableRegion } from "~/components/layout";
import { newPasswordField } from "~/modules/auth/password-rules";
import { hashPassword, randomToken } from "~/modules/auth/crypto.server";
import { deleteSession, loadAuth, readSessionId } from "~/modules/auth/session.server";
import { COUNTRY_CODES } from "~/utils/countries";
import { domainNameField } from "~/modules/customers/domain-name";
import { licenceCounts } from "~/modules/links/link-forms";
import { LINK_KIND_LABELS } from "~/modules/links/link-kinds";
import { describeLink, findRedemption, mayRedeem, recordVisit, redeemLink, signUpAndRedeem } from "~/modules/links/redemption.server";
import { clientIp, enforceGates, gateOf, type AuthContext } from "~/modules/auth/gate.server";
import { withSystem } from "~/utils/db.server";
import { handleDomainError, redirectWithToast, unknownIntent } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useFormat } from "~/components/format";
import { countOf, LinePrice, totalOf, type PriceLine } from "~/components/price-lines";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data ? `${LINK_KIND_LABELS[data.link.kind]} from ${data.link.partner.name} · Partnerdesk` : "Partnerdesk" },
  { name: "robots", content: "noindex" },
];

/**
 * The signed-in gates hold here as on every page (a temporary password is replaced first); the
 * agreement gate lets a customer's admin through, as accepting a link accepts the current agreement.
 */
function enforceLinkGates(request: Request, auth: AuthContext) {
  if (gateOf(auth)?.kind !== "agreement") enforceGates(request, auth);
}

/** Loads the link, or answers 404 (tampered, unknown) or 410 (revoked, expired) with a clear page. */
function publicLink(code: string) {
  return withSystem((tx) => describeLink(tx, code)).catch(handleDomainError);
}

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const code = params.code ?? "";
  const link = await publicLink(code);
  const auth = await loadAuth(request, context);
  if (auth) enforceLinkGates(request, auth);
  let viewer: { kind: "anonymous" } | { kind: "partner"; orgName: string } | { kind: "customer"; orgName: string; userName: string; canRedeem: boolean; isGlobalAdmin: boolean };
  let accepted: Awaited<ReturnType<typeof findRedemption>> = null;
  if (!auth) viewer = { kind: "anonymous" };
  else if (auth.org.kind === "partner") viewer = { kind: "partner", orgName: auth.org.name };
  else {
    viewer = { kind: "customer", orgName: auth.org.name, userName: auth.user.displayName, canRedeem: mayRedeem(link.kind, auth.roles), isGlobalAdmin: auth.roles.includes("global_admin") };
    accepted = await withSystem((tx) => findRedemption(tx, { code, customerId: auth.org.id }));
  }
  // A fresh key per rendered sign-up form: its replay (double submit, reload) finds what it created.
  return { link, viewer, accepted, submissionKey: randomToken() };
}

// The visit beacon must not reload the page's data.
export const shouldRevalidate: ShouldRevalidateFunction = ({ formData, defaultShouldRevalidate }) =>
  formData?.get("intent") === "visit" ? false : defaultShouldRevalidate;

const agreementFields = {
  agreementVersion: text().min(1).max(50),
  read: z.boolean({ required_error: "Tick the box to confirm that you have read the customer agreement." }).refine((v) => v, "Tick the box to confirm that you have read the customer agreement."),
  licences: licenceCounts,
  authoriseDap: z.boolean().optional(),
};
const acceptSchema = z.object({ intent: z.literal("accept"), ...agreementFields });
const signUpSchema = z.object({
  intent: z.literal("signup"),
  ...agreementFields,
  submissionKey: text().min(20).max(100),
  organisationName: text({ required_error: "Enter your organisation's name." }).trim().min(2, "Enter your organisation's name.").max(200),
  primaryDomain: domainNameField,
  country: z.string({ required_error: "Choose your country." }).refine((c) => COUNTRY_CODES.includes(c), "Choose your country."),
  adminName: text({ required_error: "Enter your name." }).trim().min(1, "Enter your name.").max(120),
  email: z.string({ required_error: "Enter your email address." }).trim().toLowerCase().email("Enter a valid email address.").max(254),
  password: newPasswordField,
});

const definedCounts = (counts: Record<string, number | undefined> | undefined) =>
  Object.fromEntries(Object.entries(counts ?? {}).filter((e): e is [string, number] => e[1] !== undefined));

/** A link that died while the customer was reading gets the clear 404/410 page; other refusals go on the form. */
const linkReplyOptions = { fields: { agreementVersion: "read" }, hideFields: ["password"], goneIsPage: true };

/** The token of a lead the partner answered with this link (`?lead=` in the emailed URL). */
const leadTokenOf = (request: Request) => {
  const token = new URL(request.url).searchParams.get("lead");
  return token && /^[A-Za-z0-9_-]{20,100}$/.test(token) ? token : null;
};

/** What each intent needs: the link's code, the lead it answers (if any), the request (session, user agent). */
type LinkIntentArgs = { request: Request; formData: FormData; context: AppLoadContext; code: string; leadToken: string | null };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const formData = await readForm(request);
  const args = { request, formData, context, code: params.code ?? "", leadToken: leadTokenOf(request) };
  switch (formData.get("intent")) {
    case "visit":
      return visitAction(args);
    case "signup":
      return signUpAction(args);
    case "accept":
      return acceptAction(args);
    default:
      return unknownIntent();
  }
}

/** A link that authorises its partner (a reseller invitation, or one offering delegated admin) is accepted with "Accept & authorize". */
const authorises = (link: { kind: string; offerDap: boolean }) => link.kind === "reseller" || link.offerDap;

/**
 * Where the customer lands after accepting, and what they are told. After "Accept & authorize"
 * the list of partners is shown (seeds 000/004), with what was added; a trial or offer without
 * delegated admin lands on the subscriptions it created.
 */
async function landing(code: string) {
  const link = await publicLink(code);
  const where = authorises(link) ? "/customer/partners" : "/customer/subscriptions";
  const bought = link.kind !== "reseller" && where === "/customer/partners" ? ` Your ${link.kind === "trial" ? "trial is" : "new subscriptions are"} on the Subscriptions page.` : "";
  const done = (replay: boolean, dap: { dapAuthorised: boolean; dapRequested: boolean }) =>
    replay
      ? `You had already accepted this ${LINK_KIND_LABELS[link.kind].toLowerCase()} from ${link.partner.name}; nothing was added.`
      : `You accepted the ${LINK_KIND_LABELS[link.kind].toLowerCase()} from ${link.partner.name}` +
        (link.kind === "reseller" ? `: ${link.partner.name} is now your reseller.` : ".") +
        (dap.dapAuthorised ? " It can now administer your organisation as a delegated admin." : dap.dapRequested ? " Delegated administration waits for your global admin's approval." : "") +
        bought;
  return { where, done };
}

async function visitAction({ request, context, code }: LinkIntentArgs) {
  await withSystem((tx) => recordVisit(tx, { code, ip: clientIp(context), userAgent: request.headers.get("user-agent") }));
  return new Response(null, { status: 204 });
}

/** A visitor signs up a new customer organisation and accepts the link in the same step. */
async function signUpAction({ request, formData, context, code, leadToken }: LinkIntentArgs) {
  const { where, done } = await landing(code);
  const submission = parseWithZod(formData, { schema: signUpSchema });
  if (submission.status !== "success") return data(submission.reply({ hideFields: ["password"] }), { status: 400 });
  const v = submission.value;
  // Hashed before the transaction: no lock waits for argon2.
  const passwordHash = await hashPassword(v.password);
  const previous = await readSessionId(request);
  try {
    const result = await withSystem(async (tx) => {
      // Rotation: whatever session this browser had ends; the new admin gets a new one.
      if (previous) await deleteSession(tx, previous);
      return signUpAndRedeem(tx, {
        code,
        signUp: { organisationName: v.organisationName, primaryDomain: v.primaryDomain, country: v.country, adminName: v.adminName, email: v.email, password: v.password },
        passwordHash,
        submissionKey: v.submissionKey,
        choices: { agreementVersion: v.agreementVersion, licences: definedCounts(v.licences), authoriseDap: Boolean(v.authoriseDap) },
        ip: clientIp(context),
        userAgent: request.headers.get("user-agent"),
        leadToken,
      });
    });
    return redirectWithToast(where, { kind: "success", message: `Welcome to Partnerdesk, ${v.organisationName}. ${done(result.replay, result)}` }, { headers: { "Set-Cookie": result.setCookie } });
  } catch (error) {
    return handleDomainError(error, submission, linkReplyOptions);
  }
}

/** A signed-in customer admin accepts the link for their organisation. */
async function acceptAction({ request, formData, context, code, leadToken }: LinkIntentArgs) {
  const { where, done } = await landing(code);
  const auth = await loadAuth(request, context);
  if (!auth) throw redirect(`/signin?redirectTo=${encodeURIComponent(`/l/${code}${leadToken ? `?lead=${leadToken}` : ""}`)}`);
  enforceLinkGates(request, auth);
  if (auth.org.kind !== "customer") throw new Response("Sign in as an administrator of a customer organisation to accept this.", { status: 403 });
  const submission = parseWithZod(formData, { schema: acceptSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const v = submission.value;
  try {
    const result = await withSystem((tx) =>
      redeemLink(tx, {
        code,
        customerId: auth.org.id,
        userId: auth.user.id,
        choices: { agreementVersion: v.agreementVersion, licences: definedCounts(v.licences), authoriseDap: Boolean(v.authoriseDap) },
        ip: clientIp(context),
        leadToken,
      }),
    );
    return redirectWithToast(where, { kind: "success", message: done(result.replay, result) });
  } catch (error) {
    return handleDomainError(error, submission, linkReplyOptions);
  }
}

function useVisitBeacon(code: string) {
  const fetcher = useFetcher();
  const { submit } = fetcher;
  useEffect(() => {
    // One visit per browser tab session, not per reload.
    const key = `pd-visit:${code}`;
    try {
      if (sessionStorage.getItem(key)) return;
      sessionStorage.setItem(key, "1");
    } catch {
      /* storage unavailable: count anyway */
    }
    submit({ intent: "visit" }, { method: "post" });
  }, [code, submit]);
}

export default function PublicLink() {
  const { link, viewer, accepted, submissionKey } = useLoaderData<typeof loader>();
  const format = useFormat();
  const lastResult = useActionData<typeof action>();
  useVisitBeacon(link.code);
  const signingUp = viewer.kind === "anonymous";
  const schema = signingUp ? signUpSchema : acceptSchema;
  const [form, fields] = useForm({
    id: "accept-link",
    lastResult,
    constraint: getZodConstraint(schema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });
  const licenceFields = fields.licences.getFieldset();
  // A lead's token (?lead=) travels through sign-in, so the redemption still wins the lead.
  const { search } = useLocation();
  const signInHref = `/signin?redirectTo=${encodeURIComponent(`/l/${link.code}${search}`)}`;
  const canAccept = viewer.kind === "anonymous" || (viewer.kind === "customer" && viewer.canRedeem && !accepted);
  const p = link.partner;
  // The counts as entered, for each line's price and the total while the customer changes them.
  const [counts, setCounts] = useState<Record<string, string>>(() =>
    Object.fromEntries(link.items.map((item) => [item.productId, String(licenceFields[item.productId]?.initialValue ?? item.licences)])),
  );
  const priced = link.kind !== "trial";
  const lines: PriceLine[] = link.items.map((item) => ({
    productId: item.productId,
    name: item.name,
    licences: link.kind === "offer" && canAccept ? countOf(counts[item.productId]) : item.licences,
    unitCents: item.monthlyPriceCents,
    currency: item.currency,
  }));
  const total = totalOf(lines, format);

  return (
    <main className="public-page" aria-labelledby="offer-title">
      <header className="public-header">
        <p className="brand">Partnerdesk</p>
        {viewer.kind === "customer" ? (
          <p className="muted small">
            Signed in as {viewer.userName}, {viewer.orgName}. <Link to="/customer">Go to your organisation</Link>
          </p>
        ) : null}
      </header>

      <section className="card" aria-labelledby="offer-title">
        <p className="eyebrow">{LINK_KIND_LABELS[link.kind]}</p>
        <h1 id="offer-title">
          {link.kind === "trial"
            ? `${p.name} invites you to try ${link.items[0]?.name ?? "a product"}`
            : link.kind === "offer"
              ? `${p.name} offers you ${link.items.map((i) => i.name).join(", ")}`
              : `${p.name} invites you to accept it as your reseller`}
        </h1>
        <dl className="details">
          <dt>Partner</dt>
          <dd>
            {p.name} <span className="muted">(Partner ID {p.partnerNumber})</span>
          </dd>
          {p.email ? (
            <>
              <dt>Email</dt>
              <dd>
                <a href={`mailto:${p.email}`}>{p.email}</a>
              </dd>
            </>
          ) : null}
          {p.phone ? (
            <>
              <dt>Phone</dt>
              <dd>{p.phone}</dd>
            </>
          ) : null}
          {p.website ? (
            <>
              <dt>Website</dt>
              <dd>
                <a href={p.website} rel="noopener noreferrer nofollow">
                  {p.website}
                </a>
              </dd>
            </>
          ) : null}
          {p.city || p.country ? (
            <>
              <dt>Location</dt>
              <dd>{[p.city, p.country ? format.country(p.country) : null].filter(Boolean).join(", ")}</dd>
            </>
          ) : null}
          {link.expiresAt ? (
            <>
              <dt>Valid until</dt>
              <dd>{format.date(link.expiresAt)}</dd>
            </>
          ) : null}
        </dl>
        {link.message ? (
          <blockquote className="partner-message">
            <p>{link.message}</p>
            <footer>— {p.name}</footer>
          </blockquote>
        ) : null}
      </section>

      {accepted ? (
        <p className="notice notice-good" role="status">
          Your organisation accepted this on {format.date(accepted.at)}. See <Link to="/customer/subscriptions">your subscriptions</Link> and{" "}
          <Link to="/customer/partners">your partners</Link>.
        </p>
      ) : null}

      <Form method="post" {...getFormProps(form)} className="public-form">
        <input type="hidden" name="intent" value={signingUp ? "signup" : "accept"} />
        <input type="hidden" name="agreementVersion" value={link.agreement.version} />
        {signingUp ? <input type="hidden" name="submissionKey" value={submissionKey} /> : null}
        <ErrorList id={form.errorId} errors={form.errors} />

        {link.items.length ? (
          <section className="card" aria-labelledby="products">
            <h2 id="products">{link.kind === "trial" ? "Your free trial" : "What you buy"}</h2>
            <TableRegion label={link.kind === "trial" ? "Your free trial" : "What you buy"}>
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Product</th>
                    <th scope="col">{link.kind === "trial" ? "Users" : "Licences"}</th>
                    <th scope="col">{link.kind === "trial" ? "Trial" : "Price per licence / month"}</th>
                    {priced ? <th scope="col">Line price / month</th> : null}
                  </tr>
                </thead>
                <tbody>
                  {link.items.map((item, index) => {
                    const f = licenceFields[item.productId];
                    return (
                      <tr key={item.productId}>
                        <td>
                          <strong>{item.name}</strong>
                          <div className="muted small">{item.description}</div>
                        </td>
                        <td>
                          {link.kind === "offer" && canAccept ? (
                            <>
                              <label htmlFor={`licences-${item.productId}`} className="visually-hidden">
                                Licences of {item.name}
                              </label>
                              <input
                                id={`licences-${item.productId}`}
                                name={`licences.${item.productId}`}
                                type="number"
                                inputMode="numeric"
                                className="narrow"
                                min={item.minLicences}
                                max={item.maxLicences}
                                required
                                defaultValue={String(f?.initialValue ?? item.licences)}
                                onChange={(event) => {
                                  const value = event.currentTarget.value;
                                  setCounts((c) => ({ ...c, [item.productId]: value }));
                                }}
                                aria-invalid={f?.errors?.length ? true : undefined}
                                aria-describedby={`licences-${item.productId}-hint`}
                              />
                              <div id={`licences-${item.productId}-hint`} className="muted small">
                                You may change this ({item.minLicences}–{format.number(item.maxLicences)}).
                              </div>
                              <ErrorList errors={f?.errors} />
                            </>
                          ) : (
                            item.licences
                          )}
                        </td>
                        <td>{link.kind === "trial" ? `${item.trialDays} days, free` : format.money(item.monthlyPriceCents, item.currency)}</td>
                        {priced ? (
                          <td>
                            <LinePrice line={lines[index]!} />
                          </td>
                        ) : null}
                      </tr>
                    );
                  })}
                </tbody>
                {priced ? (
                  <tfoot>
                    <tr>
                      <th scope="row" colSpan={3}>
                        Total per month
                      </th>
                      <td>
                        <strong aria-live="polite">{total ?? "—"}</strong>
                      </td>
                    </tr>
                  </tfoot>
                ) : null}
              </table>
            </TableRegion>
            {link.kind !== "trial" ? <p className="muted small">{p.name} is set as the partner (advisor) on these subscriptions and bills you under its own terms.</p> : null}
          </section>
        ) : null}

        {link.offerDap ? (
          <section className="card" aria-labelledby="dap">
            <h2 id="dap">Delegated administration</h2>
            <p>
              {p.name} also asks to administer your organisation as a delegated admin: its admin agents act as global administrators, its helpdesk agents as helpdesk
              administrators. You can remove these rights at any time.
            </p>
            {viewer.kind === "customer" && !viewer.isGlobalAdmin ? (
              <p className="notice notice-warn" role="note">
                Only your global admin can authorise this. If you accept, the request waits for your global admin's approval.
              </p>
            ) : canAccept ? (
              <label className="checkbox">
                <input type="checkbox" name="authoriseDap" defaultChecked={fields.authoriseDap.initialValue === "on"} />
                <span>Authorise {p.name} to act as a delegated admin for my organisation.</span>
              </label>
            ) : null}
          </section>
        ) : null}

        <section className="card" aria-labelledby="agreement">
          <h2 id="agreement">{link.agreement.title}</h2>
          <p className="muted small">Version {link.agreement.version}</p>
          <div className="agreement-text" tabIndex={0} role="region" aria-label="Customer agreement text">
            {link.agreement.body.split("\n").map((para, i) => (para.trim() ? <p key={i}>{para}</p> : null))}
          </div>
          {canAccept ? (
            <>
              <label className="checkbox">
                <input type="checkbox" name="read" aria-describedby={fields.read.errorId} defaultChecked={fields.read.initialValue === "on"} />
                <span>I have read the customer agreement and accept it on behalf of my organisation.</span>
              </label>
              <ErrorList id={fields.read.errorId} errors={fields.read.errors} />
            </>
          ) : null}
        </section>

        {viewer.kind === "anonymous" ? (
          <section className="card form-grid" aria-labelledby="signup">
            <h2 id="signup">New to Partnerdesk? Create your organisation</h2>
            <p className="muted">
              Already use Partnerdesk? <Link to={signInHref}>Sign in</Link> as your organisation's admin to accept.
            </p>
            <Field meta={fields.organisationName} label="Organisation name" inputProps={{ autoComplete: "organization" }} />
            <Field meta={fields.primaryDomain} label="Primary domain" hint="Your organisation's domain, e.g. contoso.com." inputProps={{ autoComplete: "off", spellCheck: false }} />
            <CountryField meta={fields.country} />
            <Field meta={fields.adminName} label="Your name" inputProps={{ autoComplete: "name" }} />
            <Field meta={fields.email} label="Your work email" type="email" hint="You become your organisation's global admin." inputProps={{ autoComplete: "email" }} />
            <Field meta={fields.password} label="Choose a password" type="password" hint="At least 12 characters." inputProps={{ autoComplete: "new-password" }} />
            <div>
              <SubmitButton pendingText="Creating your organisation…">{authorises(link) ? "Sign up, accept & authorize" : "Sign up & accept"}</SubmitButton>
            </div>
          </section>
        ) : viewer.kind === "partner" ? (
          <p className="notice notice-warn" role="note">
            You are signed in to the partner organisation {viewer.orgName}. Customers accept this link; sign out and open it as a customer admin to try it.
          </p>
        ) : accepted ? null : viewer.canRedeem ? (
          <div className="button-row">
            <SubmitButton pendingText="Accepting…">{authorises(link) ? "Accept & authorize" : "Accept"}</SubmitButton>
            <Link className="button" to="/customer">
              Cancel
            </Link>
          </div>
        ) : (
          <p className="notice notice-warn" role="note">
            {link.kind === "reseller"
              ? "Only your organisation's global admin can accept a reseller relationship. Send them this link."
              : "Only your organisation's global admin or billing admin can accept this. Send them this link."}
          </p>
        )}
      </Form>
    </main>
  );
}
