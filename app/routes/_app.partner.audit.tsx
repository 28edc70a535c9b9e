import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData, useSearchParams } from "@remix-run/react";
import { z } from "zod";
import { rowIdParam, text } from "~/utils/input";
import { EmptyState, PageHeader } from "~/components/layout";
import { listAuditActions, listAuditEntries } from "~/modules/platform/audit.server";
import { listStaff } from "~/modules/staff/staff.server";
import { requirePermission, tenantOf } from "~/modules/auth/gate.server";
import { withTenantReads } from "~/utils/db.server";
import { useFormat } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Audit log · Partnerdesk" }];

// A forgiving reader of the URL: bad values fall back to "no filter" instead of failing.
const query = z.object({
  action: text().max(100).optional().catch(undefined),
  user: z.string().uuid().optional().catch(undefined),
  before: rowIdParam.optional().catch(undefined),
  after: rowIdParam.optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const q = query.parse(Object.fromEntries(new URL(request.url).searchParams));
  const auth = await requirePermission(request, "audit:view", { kind: "partner" });
  const orgId = auth.org.id;
  return withTenantReads(tenantOf(auth), async (tx) => ({
    page: await listAuditEntries(tx, { orgId, action: q.action || undefined, userId: q.user, before: q.before, after: q.after }),
    actions: await listAuditActions(tx, { orgId }),
    staff: (await listStaff(tx, { orgId })).map((s) => ({ id: s.userId, name: s.displayName, email: s.email })),
    orgId,
  }));
}

export default function Audit() {
  const { page, actions, staff, orgId } = useLoaderData<typeof loader>();
  const format = useFormat();
  const [params] = useSearchParams();
  const pageLink = (key: "before" | "after", id: number) => {
    const next = new URLSearchParams(params);
    next.delete("before");
    next.delete("after");
    next.set(key, String(id));
    return `?${next}`;
  };
  const first = page.entries[0];
  const last = page.entries[page.entries.length - 1];
  return (
    <>
      <PageHeader title="Audit log" description="Every change made in or to your organisation: who, what, when and from where." />
      <Form method="get" className="filters" aria-label="Filter the audit log">
        <div className="field">
          <label htmlFor="action">Action</label>
          <select id="action" name="action" defaultValue={params.get("action") ?? ""}>
            <option value="">All actions</option>
            {actions.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="user">User</label>
          <select id="user" name="user" defaultValue={params.get("user") ?? ""}>
            <option value="">All users</option>
            {staff.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} ({s.email})
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button">
          Apply filters
        </button>
        {params.get("action") || params.get("user") ? (
          <Link to="/partner/audit" className="button link">
            Clear
          </Link>
        ) : null}
      </Form>
      {page.entries.length === 0 ? (
        <EmptyState title="No audit entries">
          <p>Nothing matches these filters yet.</p>
        </EmptyState>
      ) : (
        <table className="table">
          <caption className="visually-hidden">Audit entries, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">User</th>
              <th scope="col">Action</th>
              <th scope="col">Object</th>
              <th scope="col">IP</th>
            </tr>
          </thead>
          <tbody>
            {page.entries.map((e) => (
              <tr key={e.id}>
                <td>{format.dateTime(e.at)}</td>
                <td>{e.actorName ? `${e.actorName} (${e.actorEmail})` : e.actorUserId ? e.actorUserId : "System / operator"}</td>
                <td>
                  <code>{e.action}</code>
                  {e.actorOrgId !== orgId ? <span className="muted small"> (by another organisation)</span> : null}
                </td>
                <td>{e.objectType ? `${e.objectType} ${e.objectId ?? ""}` : "—"}</td>
                <td>{e.ip ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <nav className="pager" aria-label="Audit log pages">
        {page.hasNewer && first ? <Link to={pageLink("after", first.id)}>← Newer</Link> : <span />}
        {page.hasOlder && last ? <Link to={pageLink("before", last.id)}>Older →</Link> : <span />}
      </nav>
    </>
  );
}
