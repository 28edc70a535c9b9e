import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { CopyButton } from "~/components/copy-button";
import { Badge, EmptyState, PageHeader } from "~/components/layout";
import { listLinks } from "~/modules/links/links.server";
import { LINK_KIND_LABELS } from "~/modules/links/link-kinds";
import { requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenantReads } from "~/utils/db.server";
import { useFormat } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Links · Partnerdesk" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const auth = await requirePermission(request, "links:manage", { kind: "partner" });
  const links = await withTenantReads(tenantOf(auth), (tx) => listLinks(tx, { partnerId: auth.org.id }));
  return {
    links: links.map((l) => ({
      id: l.id,
      kind: l.kind,
      url: l.url,
      status: l.status,
      offerDap: l.offerDap,
      createdAt: l.createdAt,
      expiresAt: l.expiresAt,
      items: l.items.map((i) => ({ name: i.name, licences: i.licences })),
      visits: l.visits,
      redemptions: l.redemptions,
    })),
  };
}

const STATUS = { active: ["good", "Active"], revoked: ["neutral", "Revoked"], expired: ["neutral", "Expired"] } as const;

export default function Links() {
  const { links } = useLoaderData<typeof loader>();
  const format = useFormat();
  return (
    <>
      <PageHeader
        title="Invitations and offers"
        description="Links that identify you as the customer's partner: send them by email or post them on your website. One link serves any number of customers."
        actions={
          <Link className="button primary" to="/partner/links/new">
            Create link
          </Link>
        }
      />
      {links.length === 0 ? (
        <EmptyState title="No links yet">
          <p>Create a trial invitation, a purchase offer or a reseller invitation to win customers.</p>
        </EmptyState>
      ) : (
        <table className="table">
          <caption className="visually-hidden">Your links</caption>
          <thead>
            <tr>
              <th scope="col">Link</th>
              <th scope="col">Offers</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Visits
              </th>
              <th scope="col" className="num">
                Accepted
              </th>
              <th scope="col">Created</th>
              <th scope="col">
                <span className="visually-hidden">Copy</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {links.map((l) => (
              <tr key={l.id}>
                <td>
                  <Link to={`/partner/links/${l.id}`}>{LINK_KIND_LABELS[l.kind]}</Link>
                  {l.offerDap ? <span className="muted small"> · with delegated administration</span> : null}
                </td>
                <td>{l.items.length ? l.items.map((i) => `${i.name} × ${i.licences}`).join(", ") : "Reseller relationship"}</td>
                <td>
                  <Badge tone={STATUS[l.status][0]}>{STATUS[l.status][1]}</Badge>
                  {l.status === "active" && l.expiresAt ? <span className="muted small"> until {format.date(l.expiresAt)}</span> : null}
                </td>
                <td className="num">{l.visits}</td>
                <td className="num">{l.redemptions}</td>
                <td>{format.date(l.createdAt)}</td>
                <td>{l.status === "active" ? <CopyButton text={l.url} label="Copy link" /> : null}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
