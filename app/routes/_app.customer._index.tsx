import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, EmptyState, PageHeader, TableRegion } from "~/components/layout";
import { customerOverview, getOrganisation } from "~/modules/organisations/organisations.server";
import { requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenantReads } from "~/utils/db.server";
import { useFormat } from "~/components/format";
import { RELATIONSHIP_LABELS, type RelationshipType } from "~/modules/relationships/relationship-types";

export const meta: MetaFunction = () => [{ title: "Organisation · Partnerdesk" }];


export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "overview:view", { kind: "customer" });
  const orgId = auth.org.id;
  return withTenantReads(tenantOf(auth), async (tx) => ({
    org: await getOrganisation(tx, { orgId }),
    overview: await customerOverview(tx, { orgId }),
  }));
}

export default function CustomerOverview() {
  const { org, overview } = useLoaderData<typeof loader>();
  const format = useFormat();
  return (
    <>
      <PageHeader title={org.name} description={`${org.primaryDomain} · ${org.country ?? ""}`} />
      <section className="stat-grid" aria-label="Counts">
        <div className="stat">
          <p className="stat-value">{overview.activeUsers}</p>
          <p className="stat-label">Active users</p>
        </div>
        <div className="stat">
          <p className="stat-value">{overview.partners.length}</p>
          <p className="stat-label">Partner relationships</p>
        </div>
      </section>
      <section className="card" aria-labelledby="partners">
        <h2 id="partners">Partners</h2>
        {overview.partners.length === 0 ? (
          <EmptyState title="There's nothing here">
            <p>No partner works with your organisation yet.</p>
          </EmptyState>
        ) : (
          <TableRegion label="Partners">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Partner</th>
                  <th scope="col">Partner ID</th>
                  <th scope="col">Relationship</th>
                  <th scope="col">Status</th>
                  <th scope="col">Since</th>
                </tr>
              </thead>
              <tbody>
                {overview.partners.map((p) => (
                  <tr key={`${p.partnerNumber}-${p.type}`}>
                    <td>{p.partnerName}</td>
                    <td>{p.partnerNumber}</td>
                    <td>{RELATIONSHIP_LABELS[p.type as RelationshipType] ?? p.type}</td>
                    <td>{p.status === "pending" ? <Badge tone="warn">Agreement pending</Badge> : <Badge tone="good">Active</Badge>}</td>
                    <td>{format.date(p.since)}</td>
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
