import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod";
import { ConfirmAction } from "~/components/confirm";
import { ErrorList, SubmitButton } from "~/components/forms";
import { z } from "zod";
import { Badge, EmptyState, PageHeader, SubscriptionStatus, TableRegion } from "~/components/layout";
import { getCustomerDetail } from "~/modules/customers/customers.server";
import { ROLE_LABELS } from "~/modules/auth/permissions";
import { endRelationship, requestRelationship } from "~/modules/relationships/relationships.server";
import {
  RELATIONSHIP_LABELS,
  RELATIONSHIP_MEANINGS,
  RELATIONSHIP_TYPES,
  REQUESTABLE_TYPES,
  WHAT_ENDS,
  type RelationshipType,
} from "~/modules/relationships/relationship-types";
import { requestDap } from "~/modules/delegated-admin/admin-relationships.server";
import { actorOf, type IntentArgs, requirePermission, requireRecentSecondFactor, tenantOf } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError, redirectWithToast, unknownIntent, uuidParam } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useFormat } from "~/components/format";
import { ONLY_REQUESTERS, mayActInCustomers, rightsSummary, type RightsView, type TenantAction } from "~/modules/delegated-admin/admin-roles";
import { effectiveRights, rightsView } from "~/modules/staff/staff-groups.server";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.customer.name ?? "Customer"} · Partnerdesk` }];

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "customers:view", { kind: "partner" });
  const id = z.string().uuid().safeParse(params.customerId);
  if (!id.success) throw new Response("No such customer.", { status: 404 });
  const { detail, rights } = await withTenantReads(tenantOf(auth), async (tx) => {
    const detail = await getCustomerDetail(tx, { partnerId: auth.org.id, customerId: id.data });
    // What the signed-in staff member may do in this customer now: the workspace links follow it.
    return { detail, rights: rightsView(await effectiveRights(tx, { partnerId: auth.org.id, userId: auth.user.id, customerId: id.data })) };
  }).catch(handleDomainError);
  const live = new Set(detail.relationships.filter((r) => r.status !== "ended").map((r) => r.type));
  return {
    ...detail,
    rights,
    canRequestRoles: auth.permissions.includes("relationships:manage"),
    canRegisterKeys: auth.permissions.includes("keys:manage"),
    // An active MPSA partner sees what the customer shares of its other MPSA partners' purchases (HB).
    mpsaPurchases: live.has("mpsa") && detail.relationships.some((r) => r.type === "mpsa" && r.status === "active") && auth.permissions.includes("subscriptions:view"),
    // The consent types not yet requested or held, with what each means to the customer.
    requestable: REQUESTABLE_TYPES.filter((t) => !live.has(t)).map((type) => ({ type, label: RELATIONSHIP_LABELS[type], meaning: RELATIONSHIP_MEANINGS[type] })),
  };
}

/**
 * The partner's side of the relationship lifecycle with this customer: ask for a relationship the
 * customer consents to (advisor, MPSA, line-of-business), ask for delegated admin after the
 * confirmation, end (or withdraw) a relationship it holds. Each after its confirmation dialog.
 */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "relationships:manage", { kind: "partner" });
  const customerId = uuidParam(params.customerId, "No such customer.");
  const formData = await readForm(request);
  const args = { auth, formData, context, customerId };
  switch (formData.get("intent")) {
    case "request":
      return requestAction(args);
    case "dap":
      requireRecentSecondFactor(request, auth, "admin-relationship");
      return dapAction(args);
    case "end":
      return endAction(args);
    case "end-reseller":
      return endAction({ ...args, type: "reseller" });
    default:
      return unknownIntent();
  }
}

const requestSchema = z.object({ type: z.enum(REQUESTABLE_TYPES, { errorMap: () => ({ message: "Choose the relationship to ask for." }) }) });
const endSchema = z.object({ type: z.enum(RELATIONSHIP_TYPES) });

async function requestAction({ auth, formData, context, customerId }: IntentArgs & { customerId: string }) {
  const submission = parseWithZod(formData, { schema: requestSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  const { type } = submission.value;
  try {
    const { customerName } = await withTenant(tenantOf(auth), (tx) => requestRelationship(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), customerId, type }));
    return redirectWithToast(`/partner/customers/${customerId}`, {
      kind: "success",
      message: `You asked ${customerName} to approve you as its ${RELATIONSHIP_LABELS[type]}. Its global admins were told; you will hear when they answer.`,
    });
  } catch (error) {
    return handleDomainError(error, submission, { goneIsPage: true });
  }
}

async function dapAction({ auth, context, customerId }: IntentArgs & { customerId: string }) {
  const { requested } = await withTenant(tenantOf(auth), (tx) => requestDap(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), customerId })).catch(handleDomainError);
  return redirectWithToast(
    `/partner/customers/${customerId}`,
    requested
      ? { kind: "success", message: "Delegated administration requested. The customer's global admins were told and can approve it." }
      : { kind: "info", message: "Delegated administration is already requested and waits for the customer's global admins; they were not told again." },
  );
}

async function endAction({ auth, formData, context, customerId, type }: IntentArgs & { customerId: string; type?: RelationshipType }) {
  let chosen = type;
  if (!chosen) {
    const submission = parseWithZod(formData, { schema: endSchema });
    if (submission.status !== "success") throw new Response("Choose a relationship type to end.", { status: 400 });
    chosen = submission.value.type;
  }
  const ended = await withTenant(tenantOf(auth), (tx) => endRelationship(tx, { partnerId: auth.org.id, actor: actorOf(auth, context), customerId, type: chosen })).catch(handleDomainError);
  const label = RELATIONSHIP_LABELS[chosen];
  if (chosen === "reseller") {
    return redirectWithToast("/partner/customers", { kind: "success", message: `You are no longer ${ended.customerName}'s reseller. ${ended.customerName}'s admins were told.` });
  }
  return redirectWithToast(`/partner/customers/${customerId}`, {
    kind: "success",
    message: ended.withdrawn
      ? `Your request to be ${ended.customerName}'s ${label} is withdrawn. Its admins were told.`
      : `Your ${label} relationship with ${ended.customerName} has ended. Its admins were told.`,
  });
}

/** A type's name inside a sentence ("End advisor relationship"), keeping acronyms (MPSA). */
const inSentence = (label: string) => (/^[A-Z][a-z]/.test(label) ? label.charAt(0).toLowerCase() + label.slice(1) : label);

/** The customer workspace's pages, each shown only to whom its read action is allowed there. */
const WORKSPACE: { path: string; label: string; needs: TenantAction }[] = [
  { path: "users", label: "Users", needs: "users:read" },
  { path: "licences", label: "Licences", needs: "licenses:read" },
  { path: "service-requests", label: "Service requests", needs: "service-requests:read" },
];

/**
 * Why the workspace or the requests for admin rights are not offered: the person's role cannot act
 * in customers, or holds no usable admin role here yet (and who can request one).
 */
function WorkspaceNotice({ rights, canRequestRoles }: { rights: RightsView; canRequestRoles: boolean }) {
  const reasons: string[] = [];
  if (!mayActInCustomers(rights.partnerRoles) || rights.advisor) reasons.push(rightsSummary(rights));
  else if (rights.usable.length === 0 && !rights.advisor) {
    reasons.push(
      canRequestRoles
        ? "You hold no admin roles in this customer yet: request them, then assign them to a staff group you belong to."
        : "You hold no admin roles in this customer yet: ask a global admin or an admin agent to request them and assign them to your staff group.",
    );
  }
  if (!canRequestRoles) reasons.push(ONLY_REQUESTERS);
  if (reasons.length === 0) return null;
  return (
    <p className="notice" role="note">
      {reasons.join(" ")}
    </p>
  );
}

const STATUS_TONE = { active: "good", pending: "warn", requested: "info", ended: "neutral" } as const;

/**
 * How the partner ends a relationship it holds (or withdraws its request): a confirmation naming
 * what ends. GDAP ends relationship by relationship on Admin relationships; a "partner" account is
 * the customer's to remove.
 */
function EndControl({ type, status, customerName }: { type: RelationshipType; status: "pending" | "requested" | "active" | "ended"; customerName: string }) {
  if (status === "ended") return null;
  if (type === "gdap") {
    return (
      <Link to={`/partner/relationships?q=${encodeURIComponent(customerName)}`} className="small">
        Terminate on Admin relationships
      </Link>
    );
  }
  if (type === "partner") return <span className="muted small">{WHAT_ENDS.partner}</span>;
  const name = inSentence(RELATIONSHIP_LABELS[type]);
  const withdraw = status === "requested";
  return (
    <ConfirmAction
      label={withdraw ? `Withdraw ${name} request` : `End ${name} relationship`}
      title={withdraw ? `Withdraw your request to be ${customerName}'s ${name}?` : `End your ${name} relationship with ${customerName}?`}
      intent="end"
      confirmLabel={withdraw ? "Withdraw request" : `End ${name} relationship`}
      hidden={{ type }}
    >
      <p>{withdraw ? "The request is withdrawn; nothing changes for the customer." : WHAT_ENDS[type]}</p>
      <p>
        {customerName}'s admins are told. {withdraw ? "You may ask again later." : "Your other relationships with it stay. Only you can do this: a customer asks its partner to end a relationship."}
      </p>
    </ConfirmAction>
  );
}

/** Asking the customer for a relationship it consents to: one choice, each with what it means to the customer. */
function RequestRelationship({ customerName, requestable }: { customerName: string; requestable: { type: string; label: string; meaning: string }[] }) {
  const result = useActionData<typeof action>();
  const errors = result && "error" in result ? result.error : null;
  const fieldErrors = errors?.type ?? null;
  const formErrors = errors?.[""] ?? null;
  if (requestable.length === 0) return null;
  return (
    <Form method="post" className="top-gap form-grid" aria-labelledby="ask-relationship">
      <h3 id="ask-relationship">Ask for another relationship</h3>
      <ErrorList id="request-form-error" errors={formErrors} />
      <fieldset className="choice-group" aria-describedby="request-type-error">
        <legend>Relationship</legend>
        <p className="hint">{customerName}'s global admin reads what each means to it, as below, and approves or declines; you will be told.</p>
        {requestable.map((r) => (
          <label key={r.type} className="choice">
            <input type="radio" name="type" value={r.type} required aria-invalid={fieldErrors?.length ? true : undefined} />
            <span>
              <strong>{r.label}</strong>
              <span className="hint">{r.meaning}</span>
            </span>
          </label>
        ))}
        <ErrorList id="request-type-error" errors={fieldErrors} />
      </fieldset>
      <div>
        <SubmitButton name="intent" value="request" pendingText="Sending…">
          Send request
        </SubmitButton>
      </div>
    </Form>
  );
}

export default function CustomerDetail() {
  const { customer, relationships, admins, subscriptions, audit, rights, canRequestRoles, canRegisterKeys, requestable, mpsaPurchases } = useLoaderData<typeof loader>();
  const format = useFormat();
  const dap = relationships.find((r) => r.type === "dap" && r.status !== "ended");
  return (
    <>
      <p className="breadcrumb">
        <Link to="/partner/customers">Customers</Link> /
      </p>
      <PageHeader
        title={customer.name}
        description={
          <>
            {customer.primaryDomain} · {format.country(customer.country)} ·{" "}
            {customer.agreementStatus === "accepted" ? <Badge tone="good">Agreement accepted</Badge> : <Badge tone="warn">Agreement pending</Badge>}
          </>
        }
        actions={
          <>
            {WORKSPACE.filter((w) => rights.actions.includes(w.needs)).map((w) => (
              <Link key={w.path} className="button" to={`/partner/customers/${customer.id}/${w.path}`}>
                {w.label}
              </Link>
            ))}
            {relationships.some((r) => r.type === "lob" && r.status !== "ended") ? (
              <Link className="button" to={`/partner/customers/${customer.id}/apps`}>
                Line-of-business apps
              </Link>
            ) : null}
            {mpsaPurchases ? (
              <Link className="button" to={`/partner/customers/${customer.id}/mpsa-purchases`}>
                MPSA purchases
              </Link>
            ) : null}
            {canRegisterKeys ? (
              <Link className="button" to={`/partner/product-keys/register?customer=${customer.id}`}>
                Register a product key
              </Link>
            ) : null}
            {canRequestRoles ? (
              <>
                <Link className="button" to={`/partner/relationships/new?customer=${customer.id}`}>
                  Request admin roles (GDAP)
                </Link>
                {dap ? null : (
                  <ConfirmAction
                    label="Request delegated admin (DAP)"
                    title={`Request delegated admin (DAP) for ${customer.name}?`}
                    intent="dap"
                    confirmLabel="Request delegated admin"
                    tone="primary"
                  >
                    <p>
                      Once {customer.name}'s global admin approves, <strong>every admin agent of your organisation becomes {customer.name}'s Global Administrator</strong>, and every
                      helpdesk agent a Helpdesk Administrator, with no end date, until you end it or {customer.name} removes these rights.
                    </p>
                    <p>For only the roles you need, for a limited time, request admin roles (GDAP) instead.</p>
                  </ConfirmAction>
                )}
              </>
            ) : null}
          </>
        }
      />
      <WorkspaceNotice rights={rights} canRequestRoles={canRequestRoles} />
      {customer.agreementStatus === "pending" ? (
        <div className="notice notice-warn" role="note">
          The customer's global admin has not accepted the customer agreement yet. Until then you cannot buy or manage anything for this customer.
        </div>
      ) : null}
      <div className="two-column">
        <section className="card" aria-labelledby="profile">
          <h2 id="profile">Profile</h2>
          <dl className="details">
            <dt>Company name</dt>
            <dd>{customer.name}</dd>
            <dt>Primary domain</dt>
            <dd>{customer.primaryDomain}</dd>
            <dt>Country</dt>
            <dd>{format.country(customer.country)}</dd>
            <dt>Created</dt>
            <dd>{format.date(customer.createdAt)}</dd>
            <dt>Customer agreement</dt>
            <dd>{customer.agreementAcceptedAt ? `version ${customer.agreementVersion}, accepted ${format.date(customer.agreementAcceptedAt)}` : "not accepted"}</dd>
          </dl>
        </section>
        <section className="card" aria-labelledby="relationships">
          <h2 id="relationships">Relationships with you</h2>
          <TableRegion label="Relationships with you">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">Status</th>
                  <th scope="col">Since</th>
                  {canRequestRoles ? (
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {relationships.map((r) => (
                  <tr key={r.id}>
                    <td>{RELATIONSHIP_LABELS[r.type as RelationshipType] ?? r.type}</td>
                    <td>
                      <Badge tone={STATUS_TONE[r.status]}>{r.status === "pending" ? "Pending agreement" : r.status === "requested" ? "Awaiting approval" : r.status}</Badge>
                    </td>
                    <td>{format.date(r.startedAt ?? r.createdAt)}</td>
                    {canRequestRoles ? (
                      <td>
                        <EndControl type={r.type as RelationshipType} status={r.status} customerName={customer.name} />
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
          {canRequestRoles ? <RequestRelationship customerName={customer.name} requestable={requestable} /> : null}
        </section>
      </div>
      <section className="card" aria-labelledby="subscriptions">
        <h2 id="subscriptions">Subscriptions</h2>
        {subscriptions.length === 0 ? (
          <EmptyState title="No subscriptions yet">
            <p>Subscriptions you are partner of record or reseller for appear here.</p>
          </EmptyState>
        ) : (
          <TableRegion label="Subscriptions">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col">Licences</th>
                  <th scope="col">Status</th>
                  <th scope="col">Started</th>
                  <th scope="col">Trial ends</th>
                  <th scope="col">You are</th>
                </tr>
              </thead>
              <tbody>
                {subscriptions.map((s) => (
                  <tr key={s.id}>
                    <td>{s.productName}</td>
                    <td>{s.licences}</td>
                    <td>
                      <SubscriptionStatus status={s.status} />
                    </td>
                    <td>{format.date(s.startedAt)}</td>
                    <td>{s.status === "trial" ? format.date(s.endsAt) : "—"}</td>
                    <td>{s.isPartnerOfRecord ? "Partner of record" : "Reseller"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
        )}
      </section>
      <section className="card" aria-labelledby="admins">
        <h2 id="admins">Customer admins</h2>
        {admins.length === 0 ? (
          <EmptyState title="No admins" />
        ) : (
          <TableRegion label="Customer admins">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {admins.map((a) => (
                  <tr key={a.userId}>
                    <td>{a.displayName}</td>
                    <td>{a.email}</td>
                    <td>{a.roles.map((r) => ROLE_LABELS.customer[r] ?? r).join(", ")}</td>
                    <td>{a.status === "invited" ? <Badge tone="warn">Invited</Badge> : a.status === "active" ? <Badge tone="good">Active</Badge> : <Badge>{a.status}</Badge>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
        )}
      </section>
      <section className="card" aria-labelledby="activity">
        <h2 id="activity">Recent activity by your organisation</h2>
        {audit.length === 0 ? (
          <EmptyState title="No activity yet" />
        ) : (
          <ul className="plain-list">
            {audit.map((e) => (
              <li key={e.id}>
                <code>{e.action}</code> by {e.actorName ?? "system"} · {format.dateTime(e.at)}
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
