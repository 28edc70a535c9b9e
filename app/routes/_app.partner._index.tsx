import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Badge, PageHeader } from "~/components/layout";
import { getOrganisation, partnerOverview } from "~/modules/organisations/organisations.server";
import { requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenantReads } from "~/utils/db.server";
import { useFormat } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Overview · Partnerdesk" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "overview:view", { kind: "partner" });
  const orgId = auth.org.id;
  const value = await withTenantReads(tenantOf(auth), async (tx) => ({
    org: await getOrganisation(tx, { orgId }),
    counts: await partnerOverview(tx, { orgId }),
  }));
  return { ...value, canManageStaff: auth.permissions.includes("staff:manage") };
}

export default function PartnerOverview() {
  const { org, counts, canManageStaff } = useLoaderData<typeof loader>();
  const format = useFormat();
  return (
    <>
      <PageHeader title={org.name} description={`Partner ID ${org.partnerNumber}`} />
      <section aria-label="Counts" className="stat-grid">
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
