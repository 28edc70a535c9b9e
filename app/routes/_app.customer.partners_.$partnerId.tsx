/**
 * One partner of the customer (seeds 000/004: "the list of partners you work with is shown; select
 * any partner to see its details"): contact data, every relationship type with its meaning and
 * status, the admin roles granted and since when, the subscriptions it is partner on, and its
 * activity in the organisation. "Remove roles" lives here, as the help pages describe it.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { createColumnHelper, type ColumnDef } from "@tanstack/react-table";
import { useMemo } from "react";
import { ConfirmAction } from "~/components/confirm";
import { DataTable, KeysetPager } from "~/components/data-table";
import { ListEmpty, useListHref } from "~/components/list";
import { Badge, PageHeader, SubscriptionStatus } from "~/components/layout";
import { useFormat } from "~/components/format";
import { describeActivity } from "~/components/partner-activity";
import { removeAdminRoles } from "~/modules/delegated-admin/admin-relationships.server";
import { getPartnerDetails, hasRemovableAdminRoles, listActivityOfPartner } from "~/modules/customer-tenant/partner-details.server";
import { actorOf, requirePermission, tenantOf, type IntentArgs } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError, redirectWithToast, unknownIntent, uuidParam } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { forwardFields, hasPages, listState, pagerLinks } from "~/utils/list";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.details.partner.name ?? "Partner"} · Partners · Partnerdesk` }];

const partnerIdOf = (params: { partnerId?: string }) => uuidParam(params.partnerId, "No such partner.");
const activityList = listState({ filters: {}, paging: forwardFields });

export async function loader({ request, params, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "partners:view", { kind: "customer" });
  const partnerId = partnerIdOf(params);
  const { after } = activityList.read(new URL(request.url).searchParams);
  const customerId = auth.org.id;
  const value = await withTenantReads(tenantOf(auth), async (tx) => {
    const details = await getPartnerDetails(tx, { customerId, partnerId });
    return { details, activity: await listActivityOfPartner(tx, { customerId, partnerId, after }) };
  }).catch(handleDomainError);
  return { ...value, paged: Boolean(after), removable: hasRemovableAdminRoles(value.details), canRemove: auth.permissions.includes("requests:approve") };
}

/** A customer global admin removes the partner's admin roles (DAP and GDAP); the relationship stays. */
export async function action({ request, params, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "requests:approve", { kind: "customer" });
  const partnerId = partnerIdOf(params);
  const formData = await readForm(request);
  switch (formData.get("intent")) {
    case "remove-roles":
      return removeRolesAction({ auth, formData, context }, partnerId);
    default:
      return unknownIntent();
  }
}

async function removeRolesAction({ auth, context }: IntentArgs, partnerId: string) {
  await withTenant(tenantOf(auth), async (tx) => {
    // Not this customer's partner: 404 before anything changes.
    await getPartnerDetails(tx, { customerId: auth.org.id, partnerId });
    return removeAdminRoles(tx, { customerId: auth.org.id, actor: actorOf(auth, context), partnerId });
  }).catch(handleDomainError);
  return redirectWithToast(`/customer/partners/${partnerId}`, {
    kind: "success",
    message: "The partner's admin roles are removed. It stays your partner in its other roles; to end the relationship, contact your partner.",
  });
}

/** The admin roles DAP grants (seed 000: global administrator and helpdesk administrator roles). */
const DAP_ROLES = [
  { role: "Global Administrator", holders: "its admin agents" },
  { role: "Helpdesk Administrator", holders: "its helpdesk agents" },
] as const;

const STATUS = {
  active: ["good", "Active"],
  pending: ["warn", "Agreement pending"],
  requested: ["info", "Waiting for your approval"],
  ended: ["neutral", "Ended"],
} as const;

const GDAP_STATUS: Record<string, { tone: "good" | "warn" | "info" | "neutral"; label: string }> = {
  created: { tone: "info", label: "Waiting for your approval" },
  approval_pending: { tone: "info", label: "Waiting for your approval" },
  active: { tone: "good", label: "Active" },
  expiring: { tone: "warn", label: "Expiring" },
  expired: { tone: "neutral", label: "Expired" },
  termination_requested: { tone: "neutral", label: "Termination requested" },
  terminated: { tone: "neutral", label: "Terminated" },
  declined: { tone: "neutral", label: "Declined" },
};

type ActivityRow = Awaited<ReturnType<typeof loader>>["activity"]["rows"][number];
const activityColumn = createColumnHelper<ActivityRow>();

export default function PartnerDetails() {
  const { details: d, activity, paged, removable, canRemove } = useLoaderData<typeof loader>();
  const format = useFormat();
  const p = d.partner;
  const activityColumns = useMemo(
    () =>
      [
        activityColumn.accessor("at", { header: "When", cell: ({ getValue }) => format.dateTime(getValue()) }),
        activityColumn.accessor("actorName", { header: "Who", cell: ({ getValue }) => getValue() ?? "—" }),
        activityColumn.accessor("action", { header: "What", cell: ({ row: { original: r } }) => describeActivity(r.action, r.details as Record<string, unknown> | null) }),
      ] as ColumnDef<ActivityRow, unknown>[],
    [format],
  );
  const pager = pagerLinks(useListHref(`/customer/partners/${p.id}`), { next: activity.next, isFirst: !paged });
  const liveGdap = d.gdap.filter((g) => g.status !== "terminated" && g.status !== "declined" && g.status !== "expired");
  const pastGdap = d.gdap.filter((g) => !liveGdap.includes(g));
  return (
    <>
      <p className="breadcrumb">
        <Link to="/customer/partners">Partner relationships</Link> /
      </p>
      <PageHeader
        title={p.name}
        description={
          <>
            {d.label} · partner since {format.date(d.since)}
          </>
        }
        actions={
          canRemove && removable ? (
            <ConfirmAction label="Remove roles" title="Remove roles?" intent="remove-roles" confirmLabel="Yes">
              <p>
                {p.name}'s delegated admin rights end and its granular admin relationships are terminated at once. {p.name} stays your partner in its other roles (for
                example as reseller). To end the relationship itself, contact your partner.
              </p>
            </ConfirmAction>
          ) : null
        }
      />
      <div className="two-column">
        <section className="card" aria-labelledby="contact">
          <h2 id="contact">Contact</h2>
          <dl className="details">
            <dt>Name</dt>
            <dd>{p.name}</dd>
            <dt>Partner ID</dt>
            <dd>{p.partnerNumber}</dd>
            <dt>Email</dt>
            <dd>{p.email ? <a href={`mailto:${p.email}`}>{p.email}</a> : <span className="muted">Not given</span>}</dd>
            <dt>Phone</dt>
            <dd>{p.phone ? <a href={`tel:${p.phone.replace(/[^+\d]/g, "")}`}>{p.phone}</a> : <span className="muted">Not given</span>}</dd>
            <dt>Website</dt>
            <dd>
              {p.website ? (
                <a href={p.website} rel="noopener noreferrer nofollow">
                  {p.website}
                </a>
              ) : (
                <span className="muted">Not given</span>
              )}
            </dd>
            {p.city || p.country ? (
              <>
                <dt>Location</dt>
                <dd>{[p.city, p.country ? format.country(p.country) : null].filter(Boolean).join(", ")}</dd>
              </>
            ) : null}
          </dl>
        </section>
        <section className="card" aria-labelledby="relationships">
          <h2 id="relationships">Relationships</h2>
          <ul className="plain-list">
            {d.relationships.map((r) => (
              <li key={r.id}>
                <strong>{r.label}</strong> <Badge tone={STATUS[r.status][0]}>{STATUS[r.status][1]}</Badge>
                <div className="muted small">{r.meaning}</div>
                <div className="small">{r.status === "ended" && r.endedAt ? `Ended ${format.date(r.endedAt)}` : `Since ${format.date(r.since)}`}</div>
              </li>
            ))}
          </ul>
          <p className="muted small">
            Only the partner can end a relationship it holds: to stop working with {p.name}, contact your partner. You can remove its admin roles at any time.
          </p>
        </section>
      </div>

      <section className="card top-gap" aria-labelledby="roles">
        <h2 id="roles">Admin roles you granted</h2>
        {!d.dap && d.gdap.length === 0 ? <p className="muted">{p.name} holds no admin roles in your organisation.</p> : null}
        {d.dap ? (
          <>
            <h3>
              Delegated admin (DAP) <Badge tone={STATUS[d.dap.status][0]}>{STATUS[d.dap.status][1]}</Badge>
            </h3>
            <ul className="plain-list">
              {DAP_ROLES.map((r) => (
                <li key={r.role}>
                  <strong>{r.role}</strong> for {r.holders}
                </li>
              ))}
            </ul>
            <p className="muted small">{d.dap.status === "active" ? `Since ${format.date(d.dap.since)}; no end date.` : `Requested ${format.date(d.dap.since)}; waits for your global admin.`}</p>
          </>
        ) : null}
        {liveGdap.length || pastGdap.length ? <h3>Granular delegated admin (GDAP)</h3> : null}
        {liveGdap.length || pastGdap.length ? (
          <div className="table-scroll" role="region" aria-labelledby="gdap-caption" tabIndex={0}>
            <table className="table">
              <caption id="gdap-caption" className="visually-hidden">Granular delegated admin (GDAP) relationships</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Roles</th>
                  <th scope="col">Status</th>
                  <th scope="col">Since</th>
                  <th scope="col">Ends</th>
                </tr>
              </thead>
              <tbody>
                {[...liveGdap, ...pastGdap].map((g) => (
                  <tr key={g.id}>
                    <td>
                      <Link to={`/customer/requests/${g.id}`}>{g.displayName}</Link>
                    </td>
                    <td>{g.roles.join(", ")}</td>
                    <td>
                      <Badge tone={GDAP_STATUS[g.status]?.tone ?? "neutral"}>{GDAP_STATUS[g.status]?.label ?? g.status}</Badge>
                    </td>
                    <td>{format.date(g.createdAt)}</td>
                    <td>{g.status === "declined" && g.endedAt ? `Declined ${format.date(g.endedAt)}` : g.endedAt ? `Ended ${format.date(g.endedAt)}` : g.endsAt ? format.date(g.endsAt) : "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        {removable && !canRemove ? (
          <p className="notice" role="note">
            Only your organisation's global admin can remove {p.name}'s admin roles.
          </p>
        ) : null}
      </section>

      <section className="card top-gap" aria-labelledby="subscriptions">
        <h2 id="subscriptions">Subscriptions it is partner on</h2>
        {d.subscriptions.length === 0 ? (
          <p className="muted">
            {p.name} is not the partner on any of your subscriptions. You can set the partner on a subscription on the <Link to="/customer/subscriptions">Subscriptions</Link> page.
          </p>
        ) : (
          <div className="table-scroll" role="region" aria-labelledby="subscriptions-caption" tabIndex={0}>
            <table className="table">
              <caption id="subscriptions-caption" className="visually-hidden">
                Subscriptions {p.name} is partner on
              </caption>
              <thead>
                <tr>
                  <th scope="col">Product</th>
                  <th scope="col">Licences</th>
                  <th scope="col">Status</th>
                  <th scope="col">Since</th>
                </tr>
              </thead>
              <tbody>
                {d.subscriptions.map((s) => (
                  <tr key={s.id}>
                    <td>{s.product}</td>
                    <td>{s.licences}</td>
                    <td>
                      <SubscriptionStatus status={s.status} />
                    </td>
                    <td>{format.date(s.startedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="top-gap" aria-labelledby="activity">
        <h2 id="activity">Activity in your organisation</h2>
        <DataTable
          caption={`What ${p.name}'s staff did in your organisation`}
          columns={activityColumns}
          data={activity.rows}
          getRowId={(r) => String(r.id)}
          empty={<ListEmpty none={["There's nothing here", `${p.name}'s staff have not acted in your organisation yet.`]} />}
        />
        {hasPages(pager) ? <KeysetPager label={`Pages of ${p.name}'s activity`} {...pager} /> : null}
      </section>
    </>
  );
}
