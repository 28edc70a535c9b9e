/**
 * A customer's line-of-business apps, the LOB partner's side: submit an app to the customer's private
 * app list and follow the status of the partner's own submissions (lob-apps.server.ts). Every partner
 * role sees the list while the LOB relationship is active; global admins and admin agents (the roles
 * with relationships:manage, who act for the partner with its customers) submit and withdraw.
 */
import { getFormProps, getTextareaProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { ConfirmAction } from "~/components/confirm";
import { ErrorList, Field, ReplyNotice, SubmitButton } from "~/components/forms";
import { useFormat } from "~/components/format";
import { Badge, EmptyState, PageHeader } from "~/components/layout";
import { useResetOnSuccess } from "~/components/reset-on-success";
import { actorOf, assertPermission, requirePermission, tenantOf, type IntentArgs } from "~/modules/auth/gate.server";
import { LOB_APP_LIMITS, LOB_APP_STATUS_LABELS, LOB_APP_STATUS_TONES, lobAppIdSchema, lobAppSubmitSchema } from "~/modules/customer-tenant/lob-app-form";
import { listPartnerLobApps, lobStandingOf, lobUnavailableReason, submitLobApp, withdrawOwnLobApp } from "~/modules/customer-tenant/lob-apps.server";
import { RELATIONSHIP_LABELS } from "~/modules/relationships/relationship-types";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { readForm } from "~/utils/form.server";
import { handleDomainError, redirectWithToast, unknownIntent, uuidParam } from "~/utils/http.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `Line-of-business apps · ${data?.customer.name ?? "Customer"} · Partnerdesk` }];

const customerIdOf = (params: { customerId?: string }) => uuidParam(params.customerId, "No such customer.");

/** Who submits and withdraws apps, and why others may not (shown to them). */
const ONLY_SUBMITTERS = "Only your global admins and admin agents submit and withdraw apps.";

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "customers:view", { kind: "partner" });
  const customerId = customerIdOf(params);
  return withTenantReads(tenantOf(auth), async (tx) => {
    const { customer, standing, since, endedAt } = await lobStandingOf(tx, { partnerId: auth.org.id, customerId });
    const unavailable = lobUnavailableReason(standing, customer.name);
    const apps = unavailable ? [] : await listPartnerLobApps(tx, { partnerId: auth.org.id, customerId });
    return { customer, standing, since, endedAt, unavailable, apps, canSubmit: auth.permissions.includes("relationships:manage") };
  }).catch(handleDomainError);
}

type AppIntentArgs = IntentArgs & { customerId: string };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "customers:view", { kind: "partner" });
  const customerId = customerIdOf(params);
  const formData = await readForm(request);
  const args = { auth, formData, context, customerId };
  switch (formData.get("intent")) {
    case "submit":
      return submitAction(args);
    case "withdraw":
      return withdrawAction(args);
    default:
      return unknownIntent();
  }
}

async function submitAction({ auth, formData, context, customerId }: AppIntentArgs) {
  assertPermission(auth, "relationships:manage");
  const submission = parseWithZod(formData, { schema: lobAppSubmitSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  let result;
  try {
    result = await withTenant(tenantOf(auth), (tx) => submitLobApp(tx, { partnerId: auth.org.id, customerId, actor: actorOf(auth, context), app: submission.value }));
  } catch (error) {
    return handleDomainError(error, submission);
  }
  return redirectWithToast(`/partner/customers/${customerId}/apps`, {
    kind: "success",
    message: `${submission.value.name} ${submission.value.version} was submitted. The global admins of ${result.customerName} were told; its status shows here.`,
  });
}

async function withdrawAction({ auth, formData, context, customerId }: AppIntentArgs) {
  assertPermission(auth, "relationships:manage");
  const submission = parseWithZod(formData, { schema: lobAppIdSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  let row;
  try {
    row = await withTenant(tenantOf(auth), (tx) => withdrawOwnLobApp(tx, { partnerId: auth.org.id, customerId, actor: actorOf(auth, context), appId: submission.value.appId }));
  } catch (error) {
    return handleDomainError(error, submission);
  }
  return redirectWithToast(`/partner/customers/${customerId}/apps`, { kind: "success", message: `${row.name} ${row.version} was withdrawn.` });
}

/** The intent a conform reply answered (its form's values come back with it). */
function intentOf(result: unknown): unknown {
  if (!result || typeof result !== "object" || !("initialValue" in result)) return undefined;
  return (result as { initialValue?: Record<string, unknown> | null }).initialValue?.intent;
}

export default function PartnerLobApps() {
  const { customer, standing, since, endedAt, unavailable, apps, canSubmit } = useLoaderData<typeof loader>();
  const format = useFormat();
  const result = useActionData<typeof action>();
  // A refused withdrawal is a notice above the list; the submit form shows only its own reply.
  const submitted = intentOf(result) === "submit";
  const [form, fields] = useForm({
    id: "submit-lob-app",
    lastResult: submitted ? result : undefined,
    constraint: getZodConstraint(lobAppSubmitSchema),
    onValidate: ({ formData }) => parseWithZod(formData, { schema: lobAppSubmitSchema }),
    shouldRevalidate: "onInput",
  });
  // The page redirects to itself after a submission: the next app starts from an empty form.
  const submitForm = useResetOnSuccess();
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/customers">Customers</Link> / <Link to={`/partner/customers/${customer.id}`}>{customer.name}</Link> /
      </p>
      <PageHeader
        title="Line-of-business apps"
        description={
          standing === "active" ? (
            <>
              As the {RELATIONSHIP_LABELS.lob} of {customer.name}, you can develop, submit and manage line-of-business apps specific to {customer.name}. Apps you submit go to its private app list,
              where its global admins approve or withdraw them.{since ? ` LOB partner since ${format.date(since)}.` : ""}
            </>
          ) : (
            `A ${RELATIONSHIP_LABELS.lob} develops, submits and manages line-of-business apps specific to a customer; the customer's global admins approve or withdraw them.`
          )
        }
      />
      {unavailable ? (
        <EmptyState title="Line-of-business apps are not available">
          <p>{unavailable}</p>
          {standing === "ended" && endedAt ? <p className="muted">Ended {format.date(endedAt)}.</p> : null}
        </EmptyState>
      ) : (
        <>
          <ReplyNotice result={submitted ? null : result} />
          {canSubmit ? (
            <section className="card" aria-labelledby="submit-app">
              <h2 id="submit-app">Submit an app</h2>
              <p className="muted">Each version is submitted once. To change an app, submit a new version.</p>
              <Form method="post" {...getFormProps(form)} ref={submitForm} className="form-grid">
                <ErrorList id={form.errorId} errors={form.errors} />
                <Field meta={fields.name} label="App name" inputProps={{ autoComplete: "off" }} />
                <Field meta={fields.version} label="Version" hint="Such as 2.1.0." inputProps={{ autoComplete: "off" }} />
                <div className="field">
                  <label htmlFor={fields.description.id}>Description</label>
                  <textarea {...getTextareaProps(fields.description)} key={fields.description.key} rows={4} maxLength={LOB_APP_LIMITS.description} />
                  <ErrorList id={fields.description.errorId} errors={fields.description.errors} />
                </div>
                <Field meta={fields.downloadUrl} label="Download URL" type="url" hint="An https:// address the customer's admins can download the app from." inputProps={{ autoComplete: "off" }} />
                <div>
                  <SubmitButton name="intent" value="submit" pendingText="Submitting…">
                    Submit app
                  </SubmitButton>
                </div>
              </Form>
            </section>
          ) : (
            <p className="notice" role="note">
              {ONLY_SUBMITTERS}
            </p>
          )}
          <section className="card" aria-labelledby="submitted-apps">
            <h2 id="submitted-apps">Your submissions to {customer.name}</h2>
            {apps.length === 0 ? (
              <EmptyState title="No apps submitted yet">
                <p>Apps you submit to {customer.name} and their review status appear here.</p>
              </EmptyState>
            ) : (
              <div className="table-scroll" role="region" aria-label="Your submitted apps" tabIndex={0}>
                <table className="table">
                  <caption className="visually-hidden">Your submitted apps, newest first</caption>
                  <thead>
                    <tr>
                      <th scope="col">App</th>
                      <th scope="col">Status</th>
                      <th scope="col">Submitted</th>
                      <th scope="col">
                        <span className="visually-hidden">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {apps.map((a) => (
                      <tr key={a.id}>
                        <td>
                          <strong>{a.name}</strong> <span className="muted">{a.version}</span>
                          <div className="muted small lob-description">{a.description}</div>
                          <div className="small">
                            <a href={a.downloadUrl} rel="noopener noreferrer nofollow" className="lob-url">
                              {a.downloadUrl}
                            </a>
                          </div>
                        </td>
                        <td>
                          <Badge tone={LOB_APP_STATUS_TONES[a.status]}>{LOB_APP_STATUS_LABELS[a.status]}</Badge>
                          {a.reviewedAt ? (
                            <div className="muted small">
                              {a.status === "withdrawn" && a.withdrawnByPartner ? "By you" : `By ${customer.name}`}
                              {a.reviewedByName ? ` (${a.reviewedByName})` : ""}, {format.date(a.reviewedAt)}
                            </div>
                          ) : null}
                          {a.reason ? <div className="small">Reason: {a.reason}</div> : null}
                        </td>
                        <td>
                          {format.date(a.createdAt)}
                          {a.submittedByName ? <div className="muted small">by {a.submittedByName}</div> : null}
                        </td>
                        <td>
                          {canSubmit && a.status === "submitted" ? (
                            <ConfirmAction label="Withdraw" title={`Withdraw ${a.name} ${a.version}?`} intent="withdraw" confirmLabel="Withdraw app" hidden={{ appId: a.id }}>
                              <p>
                                The admins of {customer.name} will no longer be asked to review it. This version cannot be submitted again; submit a new version instead.
                              </p>
                            </ConfirmAction>
                          ) : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}
    </>
  );
}
