import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge, PageHeader } from "~/components/layout";
import { getOrganisation, partnerOverview } from "~/modules/organisations/organisations.server";
import { countAdminRelationships } from "~/modules/delegated-admin/admin-relationships.server";
import { relationshipList } from "~/modules/delegated-admin/relationship-list";
import { countLeads } from "~/modules/directory/leads.server";
import { countTrialsEnding } from "~/modules/subscriptions/subscriptions.server";
import { TRIAL_ENDING_DAYS } from "~/modules/subscriptions/subscription-filters";
import { countCustomers } from "~/modules/customers/customers.server";
import { parseCustomerListQuery } from "~/modules/customers/customer-list";
import type { Permission } from "~/modules/auth/permissions";
import { requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenantReads } from "~/utils/db.server";
import { listHref } from "~/utils/list";
import { useFormat } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Overview · Partnerdesk" }];

/**
 * The action centre (issue 30): what needs the partner's attention, each a count that links to
 * its list filtered to exactly those rows. Each count is read by the list's own module with the
 * filter its link carries (so the count and the rows agree), in an index range, capped at
 * 10,000 ("10,000+"); a card shows only to roles that may open its list.
 */
const ACTIONS = {
  gdapAwaiting: { permission: "relationships:manage", href: listHref("/partner/relationships", new URLSearchParams(), { status: "pending", type: "gdap" }) },
  ending30: { permission: "relationships:manage", href: listHref("/partner/relationships", new URLSearchParams(), { ends: "30", sort: "ends", dir: "asc" }) },
  ending7: { permission: "relationships:manage", href: listHref("/partner/relationships", new URLSearchParams(), { ends: "7", sort: "ends", dir: "asc" }) },
  ending1: { permission: "relationships:manage", href: listHref("/partner/relationships", new URLSearchParams(), { ends: "1", sort: "ends", dir: "asc" }) },
  noStaffGroup: { permission: "relationships:manage", href: listHref("/partner/relationships", new URLSearchParams(), { groups: "none" }) },
  newLeads: { permission: "leads:manage", href: listHref("/partner/leads", new URLSearchParams(), { status: "new" }) },
  trialsEnding: { permission: "subscriptions:view", href: listHref("/partner/subscriptions", new URLSearchParams(), { ending: "1" }) },
  agreementPending: { permission: "customers:view", href: listHref("/partner/customers", new URLSearchParams(), { agreement: "pending" }) },
} satisfies Record<string, { permission: Permission; href: string }>;
type ActionKey = keyof typeof ACTIONS;
export type ActionCount = { count: number; more: boolean; href: string };

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "overview:view", { kind: "partner" });
  const orgId = auth.org.id;
  const may = (key: ActionKey) => auth.permissions.includes(ACTIONS[key].permission);
  const now = new Date();
  const value = await withTenantReads(tenantOf(auth), async (tx) => {
    const partnerId = orgId;
    const counted = async (key: ActionKey, count: () => Promise<{ count: number; more: boolean }>): Promise<[ActionKey, ActionCount] | null> =>
      may(key) ? [key, { ...(await count()), href: ACTIONS[key].href }] : null;
    // The list's own reading of the link's state (relationshipList), so the count is the list's total.
    const admin = (key: ActionKey) => () => {
      const state = relationshipList.read(new URL(ACTIONS[key].href, "http://partnerdesk").searchParams);
      return countAdminRelationships(tx, { partnerId, now, query: { ...state, filter: state.status } });
    };
    // One after the other: a transaction's statements run on one connection anyway.
    const entries = [
      await counted("gdapAwaiting", admin("gdapAwaiting")),
      await counted("ending30", admin("ending30")),
      await counted("ending7", admin("ending7")),
      await counted("ending1", admin("ending1")),
      await counted("noStaffGroup", admin("noStaffGroup")),
      await counted("newLeads", () => countLeads(tx, { partnerId, status: "new" })),
      await counted("trialsEnding", () => countTrialsEnding(tx, { partnerId, now })),
      await counted("agreementPending", async () => {
        const total = await countCustomers(tx, { partnerId, query: parseCustomerListQuery(new URL(ACTIONS.agreementPending.href, "http://partnerdesk").searchParams) });
        return { count: total.count, more: !total.exact };
      }),
    ];
    return {
      org: await getOrganisation(tx, { orgId }),
      counts: await partnerOverview(tx, { orgId }),
      actions: Object.fromEntries(entries.filter((e): e is [ActionKey, ActionCount] => e !== null)) as Partial<Record<ActionKey, ActionCount>>,
    };
  });
  return { ...value, canManageStaff: auth.permissions.includes("staff:manage") };
}

/** One count that opens its filtered list; the link's name says the count and what it counts. */
function CountLink({ action, label, small = false }: { action: ActionCount; label: string; small?: boolean }) {
  const format = useFormat();
  const n = action.more ? `${format.number(action.count)}+` : format.number(action.count);
  return (
    <Link to={action.href} className={small ? "action-count small" : "action-count"} aria-label={`${n} ${label}`}>
      <span className={small ? undefined : "stat-value"}>{n}</span>
    </Link>
  );
}

function ActionCard({ action, label, children }: { action?: ActionCount; label: string; children?: React.ReactNode }) {
  if (!action) return null;
  return (
    <li className="stat">
      <CountLink action={action} label={label} />
      <p className="stat-label">{label}</p>
      {children}
    </li>
  );
}

export default function PartnerOverview() {
  const { org, counts, actions, canManageStaff } = useLoaderData<typeof loader>();
  const format = useFormat();
  const hasActions = Object.keys(actions).length > 0;
  return (
    <>
      <PageHeader title={org.name} description={`Partner ID ${org.partnerNumber}`} />
      {hasActions ? (
        <section aria-labelledby="needs-action">
          <h2 id="needs-action">Needs your attention</h2>
          <p className="muted">Each count opens the list of exactly those items.</p>
          <ul className="stat-grid plain-list" aria-label="Things to act on">
            <ActionCard action={actions.gdapAwaiting} label="GDAP requests awaiting the customer's approval" />
            {actions.ending30 ? (
              <li className="stat">
                <CountLink action={actions.ending30} label="GDAP relationships ending within 30 days" />
                <p className="stat-label">GDAP relationships ending within 30 days</p>
                <p className="small">
                  {actions.ending7 ? (
                    <>
                      <CountLink small action={actions.ending7} label="ending within 7 days" /> within 7 days
                    </>
                  ) : null}
                  {actions.ending1 ? (
                    <>
                      {" · "}
                      <CountLink small action={actions.ending1} label="ending within 1 day" /> within 1 day
                    </>
                  ) : null}
                </p>
              </li>
            ) : null}
            <ActionCard action={actions.noStaffGroup} label="Active GDAP relationships without a staff group" />
            <ActionCard action={actions.newLeads} label="New leads" />
            <ActionCard action={actions.trialsEnding} label={`Trials ending within ${TRIAL_ENDING_DAYS} days`} />
            <ActionCard action={actions.agreementPending} label="Customers who have not accepted the customer agreement" />
          </ul>
        </section>
      ) : null}
      <h2 id="organisation-counts">Your organisation</h2>
      <section aria-labelledby="organisation-counts" className="stat-grid">
        <div className="stat">
          <p className="stat-value">{format.number(counts.customers)}</p>
          <p className="stat-label">Customers</p>
        </div>
        <div className="stat">
          <p className="stat-value">{counts.activeStaff}</p>
          <p className="stat-label">Active staff</p>
          {canManageStaff ? <Link to="/partner/staff">Manage staff</Link> : null}
        </div>
        <div className="stat">
          <p className="stat-value">{counts.invitedStaff}</p>
          <p className="stat-label">Pending invitations</p>
        </div>
      </section>
      <section className="card" aria-labelledby="caps">
        <h2 id="caps">Capabilities</h2>
        <p className="muted">Granted by the platform operator. A partner cannot change them itself.</p>
        <ul className="plain-list">
          <li>
            Authorised subscription advisor: {org.isAuthorisedAdvisor ? <Badge tone="good">Yes</Badge> : <Badge>No</Badge>}
          </li>
          <li>
            Certified to offer delegated administration: {org.isDapCertified ? <Badge tone="good">Yes</Badge> : <Badge>No</Badge>}
          </li>
        </ul>
      </section>
    </>
  );
}
