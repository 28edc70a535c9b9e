import { getFormProps, getTextareaProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { multilineText } from "~/utils/input";
import { ConfirmAction } from "~/components/confirm";
import { CopyButton } from "~/components/copy-button";
import { ErrorList, SubmitButton } from "~/components/forms";
import { Badge, EmptyState, PageHeader, SubscriptionStatus, TableRegion } from "~/components/layout";
import { LINK_KIND_LABELS, MAX_SHARE_RECIPIENTS } from "~/modules/links/link-kinds";
import { linkUrl, revokeLink } from "~/modules/links/links.server";
import { getLinkTracking } from "~/modules/links/redemption.server";
import { htmlSnippet, shareLinkByEmail } from "~/modules/links/sharing.server";
import { qrCodeDataUrl } from "~/utils/qr.server";
import { actorOf, requirePermission, tenantOf, type IntentArgs } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError, redirectWithToast, retryAfterHeaders, unknownIntent, uuidParam } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useFormat } from "~/components/format";
import { useResetOnSuccess } from "~/components/reset-on-success";

export const meta: MetaFunction = () => [{ title: "Link · Partnerdesk" }];

// A refused request's Retry-After reaches the document response too.
export const headers = retryAfterHeaders;

const linkIdOf = (params: { linkId?: string }) => uuidParam(params.linkId, "No such link.");

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "links:manage", { kind: "partner" });
  const linkId = linkIdOf(params);
  const tracking = await withTenantReads(tenantOf(auth), (tx) => getLinkTracking(tx, { partnerId: auth.org.id, linkId })).catch(handleDomainError);
  const url = linkUrl(tracking.link.code);
  return {
    ...tracking,
    link: { id: tracking.link.id, kind: tracking.link.kind, status: tracking.link.status, offerDap: tracking.link.offerDap, message: tracking.link.message, expiresAt: tracking.link.expiresAt, revokedAt: tracking.link.revokedAt, createdAt: tracking.link.createdAt },
    url,
    qr: await qrCodeDataUrl(url),
    snippet: htmlSnippet({ url, kind: tracking.link.kind, partnerName: auth.org.name, productNames: tracking.items.map((i) => i.name) }),
  };
}

const SHARE_ADDRESS = z.string().email();

// The addresses are one field: every message is reported on it ("to"), none on an element of the
// split list ("to[1]"), which no input shows (the form then did nothing, with no error anywhere).
const emailSchema = z.object({
  to: z
    .string({ required_error: "Enter at least one email address." })
    .max(20_000)
    .transform((s, ctx) => {
      const addresses = s.split(/[\s,;]+/).filter(Boolean);
      const bad = addresses.filter((a) => !SHARE_ADDRESS.safeParse(a).success);
      if (addresses.length === 0) ctx.addIssue({ code: z.ZodIssueCode.custom, message: "Enter at least one email address." });
      else if (bad.length)
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          message: `Each address must be a valid email address, separated by commas or new lines. Not valid: ${bad.slice(0, 5).map((a) => (a.length > 60 ? `${a.slice(0, 59)}…` : a)).join(", ")}${bad.length > 5 ? " …" : ""}`,
        });
      else if (addresses.length > MAX_SHARE_RECIPIENTS) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `Send to at most ${MAX_SHARE_RECIPIENTS} addresses at a time.` });
      return addresses;
    }),
  note: multilineText().trim().max(2000, "Keep the note under 2,000 characters.").optional(),
});

type LinkIntentArgs = IntentArgs & { linkId: string };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "links:manage", { kind: "partner" });
  const linkId = linkIdOf(params);
  const formData = await readForm(request);
  const args = { auth, formData, context, linkId };
  switch (formData.get("intent")) {
    case "revoke":
      return revokeAction(args);
    case "email":
      return emailAction(args);
    default:
      return unknownIntent();
  }
}

async function revokeAction({ auth, context, linkId }: LinkIntentArgs) {
  await withTenant(tenantOf(auth), (tx) => revokeLink(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), id: linkId })).catch(handleDomainError);
  return redirectWithToast(`/partner/links/${linkId}`, { kind: "success", message: "The link is revoked. Whoever opens it now is told it is no longer valid." });
}

async function emailAction({ auth, formData, context, linkId }: LinkIntentArgs) {
  const submission = parseWithZod(formData, { schema: emailSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    const { sent } = await withTenant(tenantOf(auth), (tx) =>
      shareLinkByEmail(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), linkId, to: submission.value.to, note: submission.value.note ?? null }),
    );
    return redirectWithToast(`/partner/links/${linkId}`, { kind: "success", message: `Sent to ${sent} address${sent === 1 ? "" : "es"}.` });
  } catch (error) {
    return handleDomainError(error, submission);
  }
}

const STATUS = { active: ["good", "Active"], revoked: ["bad", "Revoked"], expired: ["neutral", "Expired"] } as const;

export default function LinkDetail() {
  const { link, items, stats, customers, url, qr, snippet } = useLoaderData<typeof loader>();
  const format = useFormat();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    id: "share-email",
    lastResult,
    constraint: getZodConstraint(emailSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: emailSchema }),
    shouldValidate: "onSubmit",
  });
  // The page redirects to itself after sending: empty the form for the next addresses.
  const shareForm = useResetOnSuccess();
  const active = link.status === "active";
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/links">Invitations and offers</Link> /
      </p>
      <PageHeader
        title={LINK_KIND_LABELS[link.kind]}
        description={
          <>
            <Badge tone={STATUS[link.status][0]}>{STATUS[link.status][1]}</Badge> Created {format.date(link.createdAt)}
            {link.expiresAt ? `, valid until ${format.date(link.expiresAt)}` : ", no expiry"}
            {link.revokedAt ? `, revoked ${format.dateTime(link.revokedAt)}` : ""}
          </>
        }
        actions={
          active ? (
            <ConfirmAction label="Revoke link" title="Revoke this link?" intent="revoke" confirmLabel="Revoke">
              <p>Customers who open it afterwards are told it is no longer valid, and nothing more is created from it. Customers who already accepted keep what they accepted.</p>
            </ConfirmAction>
          ) : null
        }
      />

      <section className="stat-grid" aria-label="Tracking">
        {(
          [
            ["Visits", stats.visits],
            ["Accepted", stats.redemptions],
            ["New customers", stats.signups],
            ...(link.kind === "trial" ? ([["Trials converted to paid", `${stats.converted} of ${stats.trials}`]] as const) : []),
            ...(link.offerDap ? ([["Delegated admin authorised", stats.dap]] as const) : []),
          ] as const
        ).map(([label, value]) => (
          <div className="stat" key={label}>
            <p className="stat-value">{value}</p>
            <p className="stat-label">{label}</p>
          </div>
        ))}
      </section>

      <div className="two-column">
        <section className="card" aria-labelledby="offer">
          <h2 id="offer">What it offers</h2>
          <ul className="plain-list">
            {items.map((i) => (
              <li key={i.productId}>
                {i.name} — {i.licences} {link.kind === "trial" ? `users, ${i.trialDays} days free` : "licences"}
              </li>
            ))}
            {link.kind === "reseller" ? <li>You as the customer's reseller</li> : null}
            {link.offerDap ? <li>Delegated administration (the customer's global admin decides)</li> : null}
          </ul>
          {link.message ? (
            <>
              <h3>Your message</h3>
              <blockquote className="partner-message">
                <p>{link.message}</p>
              </blockquote>
            </>
          ) : null}
        </section>

        <section className="card" aria-labelledby="share">
          <h2 id="share">Share</h2>
          {active ? (
            <>
              <div className="field">
                <label htmlFor="link-url">Link</label>
                <div className="input-with-button">
                  <input id="link-url" readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
                  <CopyButton text={url} label="Copy link" />
                </div>
              </div>
              <div className="field">
                <label htmlFor="link-snippet">HTML for your website</label>
                <textarea id="link-snippet" readOnly rows={3} value={snippet} onFocus={(e) => e.currentTarget.select()} />
                <div>
                  <CopyButton text={snippet} label="Copy HTML" />
                </div>
              </div>
              <figure className="qr">
                <img src={qr} alt="QR code of the link" width={160} height={160} />
                <figcaption>
                  <a href={qr} download="partnerdesk-link-qr.svg">
                    Download QR code (SVG)
                  </a>
                </figcaption>
              </figure>
            </>
          ) : (
            <p className="muted">This link is no longer active. Create a new one to share.</p>
          )}
        </section>
      </div>

      {active ? (
        <section className="card" aria-labelledby="email">
          <h2 id="email">Send by email</h2>
          <Form method="post" {...getFormProps(form)} ref={shareForm} className="form-grid">
            <ErrorList id={form.errorId} errors={form.errors} />
            {/* The intent is the Send button's (a hidden field too would send it twice, which the schema refuses). */}
            <div className="field">
              <label htmlFor={fields.to.id}>To</label>
              <p className="hint" id={`${fields.to.id}-hint`}>
                One or more addresses, separated by commas or new lines (at most {MAX_SHARE_RECIPIENTS}). Each gets its own message.
              </p>
              <textarea {...getTextareaProps(fields.to)} key={fields.to.key} rows={2} aria-describedby={`${fields.to.id}-hint ${fields.to.errorId}`} />
              <ErrorList id={fields.to.errorId} errors={fields.to.errors} />
            </div>
            <div className="field">
              <label htmlFor={fields.note.id}>
                Note <span className="optional">(optional; sent with the link's message)</span>
              </label>
              <textarea {...getTextareaProps(fields.note)} key={fields.note.key} rows={3} maxLength={2000} />
              <ErrorList id={fields.note.errorId} errors={fields.note.errors} />
            </div>
            <div>
              <SubmitButton name="intent" value="email" pendingText="Sending…">
                Send
              </SubmitButton>
            </div>
          </Form>
        </section>
      ) : null}

      <section className="card" aria-labelledby="customers">
        <h2 id="customers">Customers who accepted</h2>
        {customers.length === 0 ? (
          <EmptyState title="Nobody has accepted yet">
            <p>Customers appear here as soon as they accept.</p>
          </EmptyState>
        ) : (
          <TableRegion label="Customers who accepted">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Customer</th>
                  <th scope="col">Accepted</th>
                  <th scope="col">Subscriptions</th>
                  <th scope="col">Delegated admin</th>
                </tr>
              </thead>
              <tbody>
                {customers.map((c) => (
                  <tr key={c.redemptionId}>
                    <td>
                      {c.name ? <Link to={`/partner/customers/${c.customerId}`}>{c.name}</Link> : <span className="muted">No longer your customer</span>}
                      {c.signedUp ? <span className="muted small"> · new customer</span> : null}
                    </td>
                    <td>{format.dateTime(c.at)}</td>
                    <td>
                      {c.subscriptions.length === 0
                        ? "—"
                        : c.subscriptions.map((s) => (
                            <span key={`${s.productId}-${s.status}`} className="nowrap">
                              {items.find((i) => i.productId === s.productId)?.name ?? s.productId} × {s.licences} <SubscriptionStatus status={s.status} />{" "}
                            </span>
                          ))}
                    </td>
                    <td>{c.dapAuthorised ? "Authorised" : c.dapRequested ? "Waiting for the global admin" : link.offerDap ? "Not authorised" : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
        )}
      </section>
    </>
  );
}
