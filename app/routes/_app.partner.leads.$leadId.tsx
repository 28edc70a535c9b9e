import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useEffect, useRef } from "react";
import { z } from "zod";
import { multilineText } from "~/utils/input";
import { ConfirmAction } from "~/components/confirm";
import { ErrorList, SubmitButton } from "~/components/forms";
import { Badge, PageHeader } from "~/components/layout";
import { LEAD_STATUS_LABELS, LEAD_STATUS_TONES, LEAD_STATUSES, SIZE_LABELS, type OrganisationSize } from "~/modules/directory/directory-options";
import { addLeadNote, answerLead, assignLead, deleteLead, getLead, setLeadStatus } from "~/modules/directory/leads.server";
import { DomainError } from "~/utils/errors";
import { LINK_KIND_LABELS } from "~/modules/links/link-kinds";
import { actorOf, requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { orThrowResponse, redirectWithToast, uuidParam } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useFormat } from "~/components/format";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.lead.organisation ?? "Lead"} · Leads · Partnerdesk` }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  const auth = await requirePermission(request, "leads:manage", { kind: "partner" });
  const leadId = uuidParam(params.leadId, "No such lead.");
  return orThrowResponse(withTenantReads(tenantOf(auth), (tx) => getLead(tx, { partnerId: auth.org.id, leadId })));
}

const forms = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("status"), status: z.enum(LEAD_STATUSES, { errorMap: () => ({ message: "Choose a status." }) }) }),
  z.object({ intent: z.literal("assign"), userId: z.union([z.literal(""), z.string().uuid("Choose a member of your staff.")]) }),
  z.object({ intent: z.literal("note"), body: multilineText().trim().min(1, "Write the note first.").max(4000, "A note has at most 4,000 characters.") }),
  z.object({ intent: z.literal("answer"), linkId: z.string({ required_error: "Choose the invitation or offer to send." }).uuid("Choose the invitation or offer to send."), message: multilineText().max(2000, "Use at most 2,000 characters.").default("") }),
  z.object({ intent: z.literal("delete") }),
]);

type ActionResult = { intent: string; fieldErrors: Record<string, string>; formError: string | null };

export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requirePermission(request, "leads:manage", { kind: "partner" });
  const leadId = uuidParam(params.leadId, "No such lead.");
  const values = Object.fromEntries(await readForm(request));
  const fail = (status: number, fieldErrors: Record<string, string>, formError: string | null = null) =>
    data<ActionResult>({ intent: String(values.intent ?? ""), fieldErrors, formError }, { status });
  const parsed = forms.safeParse(values);
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const issue of parsed.error.issues) fieldErrors[String(issue.path[0] ?? "form")] ??= issue.message;
    if (fieldErrors.intent) throw new Response("Unknown action.", { status: 400 });
    return fail(400, fieldErrors);
  }
  const v = parsed.data;
  const base = { partnerId: auth.org.id, actor: actorOf(auth, context), leadId };
  try {
    const message = await withTenant(tenantOf(auth), async (tx) => {
      switch (v.intent) {
        case "status":
          await setLeadStatus(tx, { ...base, status: v.status });
          return `The lead is now ${LEAD_STATUS_LABELS[v.status].toLowerCase()}.`;
        case "assign":
          await assignLead(tx, { ...base, userId: v.userId || null });
          return v.userId ? "Lead assigned." : "Nobody is assigned now.";
        case "note":
          await addLeadNote(tx, { ...base, body: v.body });
          return "Note added.";
        case "answer": {
          const { kind } = await answerLead(tx, { ...base, linkId: v.linkId, message: v.message });
          return `The ${LINK_KIND_LABELS[kind].toLowerCase()} was emailed to the lead.`;
        }
        case "delete":
          await deleteLead(tx, base);
          return "deleted";
      }
    });
    if (message === "deleted") return redirectWithToast("/partner/leads", { kind: "success", message: "The lead is deleted." });
    return redirectWithToast(`/partner/leads/${leadId}`, { kind: "success", message });
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (error.status === 404 && !error.field) throw new Response(error.message, { status: 404 });
    return error.field ? fail(error.status, { [error.field]: error.message }) : fail(error.status, {}, error.message);
  }
}

function useResult(intent: string) {
  const result = useActionData<typeof action>() as ActionResult | undefined;
  return result?.intent === intent ? result : undefined;
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
