import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { createColumnHelper, type ColumnDef } from "@tanstack/react-table";
import { useMemo } from "react";
import { CopyButton } from "~/components/copy-button";
import { CellLink, DataTable } from "~/components/data-table";
import { ListEmpty } from "~/components/list";
import { Badge, PageHeader } from "~/components/layout";
import type { Format } from "~/utils/format";
import { listLinks } from "~/modules/links/links.server";
import { LINK_KIND_LABELS } from "~/modules/links/link-kinds";
import { requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenantReads } from "~/utils/db.server";
import { useFormat } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Links · Partnerdesk" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "links:manage", { kind: "partner" });
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

type Row = Awaited<ReturnType<typeof loader>>["links"][number];
const column = createColumnHelper<Row>();
function linkColumns(format: Format) {
  return [
    column.accessor("kind", {
      header: "Link",
      cell: ({ row: { original: l } }) => (
        <>
          <CellLink href={`/partner/links/${l.id}`}>{LINK_KIND_LABELS[l.kind]}</CellLink>
          {l.offerDap ? <span className="muted small"> · with delegated administration</span> : null}
        </>
      ),
    }),
    column.accessor("items", { header: "Offers", cell: ({ getValue }) => (getValue().length ? getValue().map((i) => `${i.name} × ${i.licences}`).join(", ") : "Reseller relationship") }),
    column.accessor("status", {
      header: "Status",
      cell: ({ row: { original: l } }) => (
        <>
          <Badge tone={STATUS[l.status][0]}>{STATUS[l.status][1]}</Badge>
          {l.status === "active" && l.expiresAt ? <span className="muted small"> until {format.date(l.expiresAt)}</span> : null}
        </>
      ),
    }),
    column.accessor("visits", { header: "Visits", meta: { className: "num" } }),
    column.accessor("redemptions", { header: "Accepted", meta: { className: "num" } }),
    column.accessor("createdAt", { header: "Created", cell: ({ getValue }) => format.date(getValue()) }),
    column.display({
      id: "copy",
      header: () => <span className="visually-hidden">Copy</span>,
      cell: ({ row: { original: l } }) => (l.status === "active" ? <CopyButton text={l.url} label="Copy link" /> : null),
    }),
  ] as ColumnDef<Row, unknown>[];
}

export default function Links() {
  const { links } = useLoaderData<typeof loader>();
  const format = useFormat();
  const columns = useMemo(() => linkColumns(format), [format]);
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
      <DataTable
        caption="Your links"
        columns={columns}
        data={links}
        getRowId={(l) => l.id}
        empty={<ListEmpty none={["No links yet", "Create a trial invitation, a purchase offer or a reseller invitation to win customers."]} />}
      />
    </>
  );
}
