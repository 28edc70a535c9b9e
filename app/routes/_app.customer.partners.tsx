import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { createColumnHelper, type ColumnDef } from "@tanstack/react-table";
import { useMemo } from "react";
import { CellLink, DataTable } from "~/components/data-table";
import { ListEmpty } from "~/components/list";
import { Badge, PageHeader } from "~/components/layout";
import { parseWithZod } from "@conform-to/zod";
import { z } from "zod";
import { ConfirmAction } from "~/components/confirm";
import { listGdapForCustomer, removeAdminRoles } from "~/modules/delegated-admin/admin-relationships.server";
import { listPartnerRelationships, listPendingRequests, refusePartnerRemoval } from "~/modules/customer-tenant/customer-partners.server";
import { actorOf, assertPermission, requirePermission, tenantOf, type IntentArgs } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { handleDomainError, redirectWithToast, unknownIntent } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useFormat } from "~/components/format";
import { RELATIONSHIP_LABELS, RELATIONSHIP_MEANINGS } from "~/modules/relationships/relationship-types";
import { getMpsaSharing, setMpsaSharing } from "~/modules/customer-tenant/mpsa-sharing.server";
import { SubmitButton } from "~/components/forms";

export const meta: MetaFunction = () => [{ title: "Partners · Partnerdesk" }];

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "partners:view", { kind: "customer" });
  const customerId = auth.org.id;
  const value = await withTenantReads(tenantOf(auth), async (tx) => ({
    partners: (await listPartnerRelationships(tx, { customerId })).map((p) => ({
      ...p,
      // Only the subscription advisor role: the customer changes it on its subscriptions (seed 001).
      advisorOnly: p.relationships.every((r) => r.type === "advisor" || r.status === "ended"),
    })),
    pending: (await listPendingRequests(tx, { customerId })).length,
    gdap: (await listGdapForCustomer(tx, { customerId })).filter((r) => r.status !== "approval_pending" && r.status !== "created"),
    mpsa: await getMpsaSharing(tx, { customerId }),
  }));
  return { ...value, canShare: auth.permissions.includes("partners:sharing"), canRemove: auth.permissions.includes("requests:approve") };
}

const partnerSchema = z.object({ partnerId: z.string().uuid() });

/**
 * A customer global admin removes a partner's admin roles (DAP and GDAP; the relationship itself
 * stays). It does not end a relationship: the help pages have it contact its partner, so a
 * "remove-partner" form (from an older page) is refused with whom to contact (409, 404 for a
 * partner that is not its own); the database refuses it too (migration 0051).
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "partners:view", { kind: "customer" });
  const formData = await readForm(request);
  const args = { auth, formData, context };
  switch (formData.get("intent")) {
    case "remove-roles":
      return removeRolesAction(args);
    case "remove-partner":
      return removePartnerAction(args);
    case "mpsa-sharing":
      return mpsaSharingAction(args);
    default:
      return unknownIntent();
  }
}

/** The partner the form names: a malformed id is no partner (404). */
function partnerOf(formData: FormData) {
  const submission = parseWithZod(formData, { schema: partnerSchema });
  if (submission.status !== "success") throw new Response("No such partner.", { status: 404 });
  return submission.value.partnerId;
}

async function removeRolesAction({ auth, formData, context }: IntentArgs) {
  assertPermission(auth, "requests:approve");
  const partnerId = partnerOf(formData);
  await withTenant(tenantOf(auth), (tx) => removeAdminRoles(tx, { customerId: auth.org.id, actor: actorOf(auth, context), partnerId })).catch(handleDomainError);
  return redirectWithToast("/customer/partners", { kind: "success", message: "The partner's admin roles are removed. It keeps its other relationships with you." });
}

const sharingSchema = z.object({ enabled: z.enum(["on", "off"]) });

/** The global admin turns MPSA purchase sharing on or off (a bad value: 400). */
async function mpsaSharingAction({ auth, formData, context }: IntentArgs) {
  assertPermission(auth, "partners:sharing");
  const submission = parseWithZod(formData, { schema: sharingSchema });
  if (submission.status !== "success") throw new Response("Choose on or off.", { status: 400 });
  const enabled = submission.value.enabled === "on";
  await withTenant(tenantOf(auth), (tx) => setMpsaSharing(tx, { customerId: auth.org.id, actor: actorOf(auth, context), enabled })).catch(handleDomainError);
  return redirectWithToast("/customer/partners", {
    kind: "success",
    message: enabled ? "Your MPSA partners can now see each other's purchases for you." : "Your MPSA partners no longer see each other's purchases.",
  });
}

async function removePartnerAction({ auth, formData }: IntentArgs) {
  assertPermission(auth, "partners:remove");
  const partnerId = partnerOf(formData);
  return withTenant(tenantOf(auth), (tx) => refusePartnerRemoval(tx, { customerId: auth.org.id, partnerId })).catch(handleDomainError);
}

const STATUS = {
  active: ["good", "Active"],
  pending: ["warn", "Agreement pending"],
  requested: ["info", "Waiting for your approval"],
  ended: ["neutral", "Ended"],
} as const;

type PartnerRow = Awaited<ReturnType<typeof loader>>["partners"][number];
type GdapRow = Awaited<ReturnType<typeof loader>>["gdap"][number];
const partnerColumn = createColumnHelper<PartnerRow>();
const gdapColumn = createColumnHelper<GdapRow>();

export default function CustomerPartners() {
  const { partners, pending, gdap, mpsa, canShare, canRemove } = useLoaderData<typeof loader>();
  const format = useFormat();
  const partnerColumns = useMemo(
    () =>
      [
        // Selecting a partner opens its details (seeds 000/004).
        partnerColumn.accessor("partnerName", { header: "Partner", cell: ({ row: { original: p } }) => <CellLink href={`/customer/partners/${p.partnerId}`}>{p.partnerName}</CellLink> }),
        partnerColumn.accessor("partnerNumber", { header: "Partner ID" }),
        partnerColumn.accessor("label", { header: "Type" }),
        partnerColumn.display({
          id: "relationships",
          header: "Relationships",
          cell: ({ row: { original: p } }) => (
            <ul className="plain-list">
              {p.relationships.map((r) => (
                <li key={r.id}>
                  {RELATIONSHIP_LABELS[r.type]} <Badge tone={STATUS[r.status][0]}>{STATUS[r.status][1]}</Badge>
                  {r.type === "dap" && r.status === "active" ? (
                    <div className="muted small">Global Administrator for its admin agents, Helpdesk Administrator for its helpdesk agents; no end date</div>
                  ) : null}
                </li>
              ))}
            </ul>
          ),
        }),
        partnerColumn.accessor("since", { header: "Since", cell: ({ getValue }) => format.date(getValue()) }),
        partnerColumn.display({
          id: "contact",
          header: "Contact",
          cell: ({ row: { original: p } }) => (
            <>
              {p.email ? <a href={`mailto:${p.email}`}>{p.email}</a> : null}
              {p.phone ? <div className="muted small">{p.phone}</div> : null}
            </>
          ),
        }),
        partnerColumn.display({
          id: "actions",
          header: () => <span className="visually-hidden">Actions</span>,
          cell: ({ row: { original: p } }) => (
            <>
              {canRemove && p.relationships.some((r) => (r.type === "dap" || r.type === "gdap") && r.status !== "ended") ? (
                <ConfirmAction label="Remove admin roles" title={`Remove ${p.partnerName}'s admin roles?`} intent="remove-roles" confirmLabel="Remove admin roles" hidden={{ partnerId: p.partnerId }}>
                  <p>
                    Its delegated admin (DAP) rights end and its granular admin relationships (GDAP) are terminated at once. {p.partnerName} stays your partner in its other
                    roles (for example as reseller or advisor).
                  </p>
                </ConfirmAction>
              ) : null}
              {/* The help pages: a customer removes admin roles, and contacts its partner to end the relationship. */}
              <p className="hint top-gap" id={`end-rule-${p.partnerId}`}>
                {p.advisorOnly ? (
                  <>
                    {p.partnerName} is the partner on some of your subscriptions. To change or delete it, go to <Link to="/customer/subscriptions">Subscriptions</Link>.
                  </>
                ) : (
                  <>
                    Contact your partner to end the relationship: only {p.partnerName} can end it
                    {p.email || p.phone ? (
                      <>
                        {" "}
                        ({p.email ? <a href={`mailto:${p.email}`}>{p.email}</a> : null}
                        {p.email && p.phone ? ", " : null}
                        {p.phone ? <a href={`tel:${p.phone.replace(/\s+/g, "")}`}>{p.phone}</a> : null})
                      </>
                    ) : null}
                    .
                  </>
                )}
              </p>
            </>
          ),
        }),
      ] as ColumnDef<PartnerRow, unknown>[],
    [format, canRemove],
  );
  const gdapColumns = useMemo(
    () =>
      [
        gdapColumn.accessor("partnerName", { header: "Partner" }),
        gdapColumn.accessor("displayName", { header: "Name", cell: ({ row: { original: r } }) => <CellLink href={`/customer/requests/${r.id}`}>{r.displayName}</CellLink> }),
        gdapColumn.accessor("roles", { header: "Roles", cell: ({ getValue }) => getValue().join(", ") }),
        gdapColumn.accessor("status", {
          header: "Status",
          cell: ({ getValue }) => <Badge tone={getValue() === "active" ? "good" : getValue() === "expiring" ? "warn" : "neutral"}>{GDAP_STATUS[getValue()] ?? getValue()}</Badge>,
        }),
        gdapColumn.accessor("endsAt", {
          header: "Ends",
          // A declined request ends nothing ahead: it says when it was declined (issue 30).
          cell: ({ row: { original: r } }) => (r.status === "declined" && r.endedAt ? `Declined ${format.date(r.endedAt)}` : r.endsAt ? format.date(r.endsAt) : "—"),
        }),
      ] as ColumnDef<GdapRow, unknown>[],
    [format],
  );
  return (
    <>
      <PageHeader
        title="Partner relationships"
        description="The partners that work with your organisation, and what each may do. Select a partner to see its details."
        actions={
          <Link className="button" to="/partners">
            Find a partner
          </Link>
        }
      />
      {pending > 0 ? (
        <p className="notice notice-warn" role="status">
          {pending} partner request{pending === 1 ? "" : "s"} {pending === 1 ? "waits" : "wait"} for your global admin. <Link to="/customer/requests">Review requests</Link>
        </p>
      ) : null}
      <DataTable
        caption="Partner relationships"
        columns={partnerColumns}
        data={partners}
        getRowId={(p) => p.partnerId}
        empty={
          <ListEmpty
            none={[
              "There's nothing here",
              <>
                No partner works with your organisation yet. <Link to="/partners">Find a partner</Link> and contact it; its invitation link lets you accept it.
              </>,
            ]}
          />
        }
      />
      {mpsa.partners.length > 0 ? <MpsaSharing mpsa={mpsa} canShare={canShare} /> : null}
      {gdap.length > 0 ? (
        <section className="card top-gap" aria-labelledby="gdap">
          <h2 id="gdap">Granular admin relationships</h2>
          <DataTable caption="Granular admin relationships" columns={gdapColumns} data={gdap} getRowId={(r) => r.id} empty={null} />
        </section>
      ) : null}
    </>
  );
}

const GDAP_STATUS: Record<string, string> = { active: "Active", expiring: "Expiring", expired: "Expired", terminated: "Terminated", declined: "Declined", termination_requested: "Termination requested" };

/**
 * MPSA purchase sharing (seeds 000/002/004): shown while the customer has an active MPSA partner;
 * the global admin turns it on and off, a billing admin sees how it is set.
 */
function MpsaSharing({ mpsa, canShare }: { mpsa: { enabled: boolean; partners: { id: string; name: string }[] }; canShare: boolean }) {
  const names = mpsa.partners.map((p) => p.name).join(", ");
  return (
    <section className="card top-gap" aria-labelledby="mpsa">
      <h2 id="mpsa">MPSA partners: sharing purchases</h2>
      <p className="muted small">{RELATIONSHIP_MEANINGS.mpsa}</p>
      <p>
        Your MPSA partners: {names}.{" "}
        {mpsa.enabled ? (
          <>
            <Badge tone="good">On</Badge> Each of them sees the purchases you made through your other MPSA partners (product, licences, status, partner), and nothing else of
            your organisation.
          </>
        ) : (
          <>
            <Badge tone="neutral">Off</Badge> Each sees only the purchases made through itself.
          </>
        )}
      </p>
      {canShare ? (
        <Form method="post">
          <input type="hidden" name="enabled" value={mpsa.enabled ? "off" : "on"} />
          {mpsa.partners.length < 2 && !mpsa.enabled ? <p className="hint">You have one MPSA partner; sharing matters once you work with several.</p> : null}
          <SubmitButton name="intent" value="mpsa-sharing" className={mpsa.enabled ? "button" : "button primary"} pendingText="Saving…">
            {mpsa.enabled ? "Stop sharing purchases" : "Let my MPSA partners see each other's purchases"}
          </SubmitButton>
        </Form>
      ) : (
        <p className="notice" role="note">
          Only your organisation's global admin can turn this on or off.
        </p>
      )}
    </section>
  );
}
