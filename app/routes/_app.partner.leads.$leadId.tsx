import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { parseWithZod } from "@conform-to/zod";
import { z } from "zod";
import { multilineText } from "~/utils/input";
import { ConfirmAction } from "~/components/confirm";
import { ErrorList, SubmitButton } from "~/components/forms";
import { Badge, PageHeader } from "~/components/layout";
import { LEAD_STATUS_LABELS, LEAD_STATUS_TONES, LEAD_STATUSES, SIZE_LABELS, type OrganisationSize } from "~/modules/directory/directory-options";
import { addLeadNote, answerLead, assignLead, deleteLead, getLead, setLeadStatus } from "~/modules/directory/leads.server";
import { LINK_KIND_LABELS } from "~/modules/links/link-kinds";
import { actorOf, requirePermission, tenantOf, type IntentArgs } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError, redirectWithToast, unknownIntent, uuidParam } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useFormat } from "~/components/format";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.lead.organisation ?? "Lead"} · Leads · Partnerdesk` }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "leads:manage", { kind: "partner" });
  const leadId = uuidParam(params.leadId, "No such lead.");
  return withTenantReads(tenantOf(auth), (tx) => getLead(tx, { partnerId: auth.org.id, leadId })).catch(handleDomainError);
}

const statusSchema = z.object({ status: z.enum(LEAD_STATUSES, { errorMap: () => ({ message: "Choose a status." }) }) });
/** No one chosen (an empty select) takes the assignment away. */
const assignSchema = z.object({ userId: z.string().uuid("Choose a member of your staff.").optional() });
const noteSchema = z.object({ body: multilineText({ required_error: "Write the note first." }).trim().min(1, "Write the note first.").max(4000, "A note has at most 4,000 characters.") });
const answerSchema = z.object({
  linkId: z.string({ required_error: "Choose the invitation or offer to send." }).uuid("Choose the invitation or offer to send."),
  message: multilineText().max(2000, "Use at most 2,000 characters.").default(""),
});

type LeadIntentArgs = IntentArgs & { leadId: string };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "leads:manage", { kind: "partner" });
  const leadId = uuidParam(params.leadId, "No such lead.");
  const formData = await readForm(request);
  const args = { auth, formData, context, leadId };
  switch (formData.get("intent")) {
    case "status":
      return statusAction(args);
    case "assign":
      return assignAction(args);
    case "note":
      return noteAction(args);
    case "answer":
      return answerAction(args);
    case "delete":
      return deleteAction(args);
    default:
      return unknownIntent();
  }
}

const leadOf = ({ auth, context, leadId }: LeadIntentArgs) => ({ partnerId: auth.org.id, actor: actorOf(auth, context), leadId });

async function statusAction(args: LeadIntentArgs) {
  const submission = parseWithZod(args.formData, { schema: statusSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const { status } = submission.value;
  try {
    await withTenant(tenantOf(args.auth), (tx) => setLeadStatus(tx, { ...leadOf(args), status }));
  } catch (error) {
    return handleDomainError(error, submission);
  }
  return redirectWithToast(`/partner/leads/${args.leadId}`, { kind: "success", message: `The lead is now ${LEAD_STATUS_LABELS[status].toLowerCase()}.` });
}

async function assignAction(args: LeadIntentArgs) {
  const submission = parseWithZod(args.formData, { schema: assignSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const userId = submission.value.userId ?? null;
  try {
    await withTenant(tenantOf(args.auth), (tx) => assignLead(tx, { ...leadOf(args), userId }));
  } catch (error) {
    return handleDomainError(error, submission);
  }
  return redirectWithToast(`/partner/leads/${args.leadId}`, { kind: "success", message: userId ? "Lead assigned." : "Nobody is assigned now." });
}

async function noteAction(args: LeadIntentArgs) {
  const submission = parseWithZod(args.formData, { schema: noteSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    await withTenant(tenantOf(args.auth), (tx) => addLeadNote(tx, { ...leadOf(args), body: submission.value.body }));
  } catch (error) {
    return handleDomainError(error, submission);
  }
  return redirectWithToast(`/partner/leads/${args.leadId}`, { kind: "success", message: "Note added." });
}

async function answerAction(args: LeadIntentArgs) {
  const submission = parseWithZod(args.formData, { schema: answerSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  try {
    const { kind } = await withTenant(tenantOf(args.auth), (tx) => answerLead(tx, { ...leadOf(args), ...submission.value }));
    return redirectWithToast(`/partner/leads/${args.leadId}`, { kind: "success", message: `The ${LINK_KIND_LABELS[kind].toLowerCase()} was emailed to the lead.` });
  } catch (error) {
    return handleDomainError(error, submission);
  }
}

async function deleteAction(args: LeadIntentArgs) {
  await withTenant(tenantOf(args.auth), (tx) => deleteLead(tx, leadOf(args))).catch(handleDomainError);
  return redirectWithToast("/partner/leads", { kind: "success", message: "The lead is deleted." });
}

/** This form's refusal in the last action's reply (its intent's), as its fields' and its own first messages. */
function useResult(intent: string) {
  const reply = useActionData<typeof action>();
  if (!reply || reply.initialValue?.intent !== intent) return undefined;
  const { "": formErrors, ...fields } = reply.error ?? {};
  const fieldErrors: Record<string, string | undefined> = Object.fromEntries(Object.entries(fields).map(([name, errors]) => [name, errors?.[0]]));
  return { fieldErrors, formError: formErrors?.[0] ?? null };
}

export default function LeadDetail() {
  const { lead, notes, answeredWith, customer, assignees, links } = useLoaderData<typeof loader>();
  const format = useFormat();
  const statusResult = useResult("status");
  const assignResult = useResult("assign");
  const noteResult = useResult("note");
  const answerResult = useResult("answer");
  const navigation = useNavigation();
  const noteForm = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (navigation.state === "idle" && !noteResult) noteForm.current?.reset();
  }, [navigation.state, noteResult]);
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/leads">Leads</Link> /
      </p>
      <PageHeader
        title={lead.organisation}
        description={
          <>
            <Badge tone={LEAD_STATUS_TONES[lead.status]}>{LEAD_STATUS_LABELS[lead.status]}</Badge> · received {format.dateTime(lead.createdAt)}
          </>
        }
        actions={
          <ConfirmAction label="Delete lead" title={`Delete the lead from ${lead.organisation}?`} intent="delete" confirmLabel="Delete lead">
            <p>The request, its notes and its assignment are deleted for good. The visitor is not told.</p>
          </ConfirmAction>
        }
      />
      {customer ? (
        <p className="notice notice-good" role="status">
          Won: {customer.name ? <Link to={`/partner/customers/${customer.id}`}>{customer.name}</Link> : "a customer"} accepted your {answeredWith ? LINK_KIND_LABELS[answeredWith.kind].toLowerCase() : "invitation"}.
        </p>
      ) : null}
      <div className="two-column">
        <section className="card" aria-labelledby="request">
          <h2 id="request">Request</h2>
          <dl className="details">
            <dt>Name</dt>
            <dd>{lead.name}</dd>
            <dt>Email</dt>
            <dd>
              <a href={`mailto:${lead.email}`}>{lead.email}</a>
            </dd>
            <dt>Organisation</dt>
            <dd>{lead.organisation}</dd>
            <dt>Size</dt>
            <dd>{SIZE_LABELS[lead.size as OrganisationSize] ?? lead.size}</dd>
            <dt>Country</dt>
            <dd>{format.country(lead.country)}</dd>
          </dl>
          <h3>Needs</h3>
          <p className="pre-line">{lead.needs}</p>
        </section>
        <section className="card" aria-labelledby="work">
          <h2 id="work">Work it</h2>
          <Form method="post" className="inline-form">
            <label htmlFor="lead-status">Status</label>
            <select id="lead-status" name="status" defaultValue={lead.status} aria-describedby="lead-status-error">
              {LEAD_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {LEAD_STATUS_LABELS[s]}
                </option>
              ))}
            </select>
            <ErrorList id="lead-status-error" errors={statusResult ? [statusResult.fieldErrors.status ?? statusResult.formError ?? ""].filter(Boolean) : null} />
            <SubmitButton name="intent" value="status" className="button" pendingText="Saving…">
              Set status
            </SubmitButton>
          </Form>
          <Form method="post" className="inline-form top-gap">
            <label htmlFor="lead-assignee">Assigned to</label>
            <select id="lead-assignee" name="userId" defaultValue={lead.assignedUserId ?? ""} aria-describedby="lead-assignee-error">
              <option value="">Nobody</option>
              {assignees.map((a) => (
                <option key={a.userId} value={a.userId}>
                  {a.displayName}
                </option>
              ))}
            </select>
            <ErrorList id="lead-assignee-error" errors={assignResult ? [assignResult.fieldErrors.userId ?? assignResult.formError ?? ""].filter(Boolean) : null} />
            <SubmitButton name="intent" value="assign" className="button" pendingText="Saving…">
              Assign
            </SubmitButton>
          </Form>
        </section>
      </div>
      <section className="card" aria-labelledby="answer">
        <h2 id="answer">Answer with an invitation or offer</h2>
        {answeredWith ? (
          <p className="muted">
            Answered {format.date(lead.answeredAt)} with a {LINK_KIND_LABELS[answeredWith.kind].toLowerCase()}. Answering again sends the chosen link with the same tracking.
          </p>
        ) : null}
        {links.length === 0 ? (
          <p>
            You have no live invitation or offer. <Link to="/partner/links/new">Create one</Link>, then come back.
          </p>
        ) : lead.status === "won" || lead.status === "lost" ? (
          <p className="muted">This lead is {lead.status}. Set it back to contacted to answer again.</p>
        ) : (
          <Form method="post" className="stack-form">
            <div className="field">
              <label htmlFor="answer-link">Invitation or offer</label>
              <select id="answer-link" name="linkId" required defaultValue="" aria-describedby="answer-link-error">
                <option value="" disabled>
                  Choose…
                </option>
                {links.map((l) => (
                  <option key={l.id} value={l.id}>
                    {LINK_KIND_LABELS[l.kind]} of {format.date(l.createdAt)}
                    {l.message ? ` — ${l.message.slice(0, 60)}` : ""}
                  </option>
                ))}
              </select>
              <ErrorList id="answer-link-error" errors={answerResult?.fieldErrors.linkId ? [answerResult.fieldErrors.linkId] : null} />
            </div>
            <div className="field">
              <label htmlFor="answer-message">
                Message <span className="optional">(optional)</span>
              </label>
              <textarea id="answer-message" name="message" rows={4} maxLength={2000} placeholder={`Hello ${lead.name}, thank you for contacting us…`} />
            </div>
            <ErrorList errors={answerResult?.formError ? [answerResult.formError] : null} />
            <SubmitButton name="intent" value="answer" pendingText="Sending…">
              Send to {lead.email}
            </SubmitButton>
          </Form>
        )}
      </section>
      <section className="card" aria-labelledby="notes">
        <h2 id="notes">Notes</h2>
        {notes.length === 0 ? <p className="muted">No notes yet.</p> : null}
        <ul className="plain-list">
          {notes.map((n) => (
            <li key={n.id}>
              <p className="pre-line flush">{n.body}</p>
              <p className="muted small">
                {n.authorName ?? "Someone"} · {format.dateTime(n.createdAt)}
              </p>
            </li>
          ))}
        </ul>
        <Form method="post" ref={noteForm} className="stack-form">
          <label htmlFor="note-body">Add a note</label>
          <textarea id="note-body" name="body" rows={3} maxLength={4000} required aria-describedby="note-error" />
          <ErrorList id="note-error" errors={noteResult?.fieldErrors.body ? [noteResult.fieldErrors.body] : null} />
          <SubmitButton name="intent" value="note" className="button" pendingText="Adding…">
            Add note
          </SubmitButton>
        </Form>
      </section>
    </>
  );
}
