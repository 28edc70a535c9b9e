/**
 * The customer's private app list: line-of-business apps its LOB partners submitted
 * (lob-apps.server.ts). Global admins review a submission and approve or withdraw it, and withdraw
 * an approved app; billing admins see the list (the help pages' "global administrator or billing
 * administrator" read the partner pages; approving software for the organisation is the global
 * admin's, as granting admin rights is); users have no page.
 */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod";
import { createColumnHelper, type ColumnDef } from "@tanstack/react-table";
import { useMemo } from "react";
import { z } from "zod";
import { ConfirmAction } from "~/components/confirm";
import { DataTable, KeysetPager } from "~/components/data-table";
import { ReplyNotice } from "~/components/forms";
import { useFormat } from "~/components/format";
import type { Format } from "~/utils/format";
import { Badge, PageHeader } from "~/components/layout";
import { FilterBar, FilterLinks, FilterSelect, ListEmpty, useListHref } from "~/components/list";
import { actorOf, requirePermission, tenantOf, type IntentArgs } from "~/modules/auth/gate.server";
import { LOB_APP_LIMITS, LOB_APP_STATUSES, LOB_APP_STATUS_LABELS, LOB_APP_STATUS_TONES, lobAppReviewSchema } from "~/modules/customer-tenant/lob-app-form";
import { listCustomerLobApps, reviewLobApp } from "~/modules/customer-tenant/lob-apps.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { readForm } from "~/utils/form.server";
import { handleDomainError, redirectWithToast, unknownIntent } from "~/utils/http.server";
import { uuid } from "~/utils/input";
import { forwardFields, hasPages, listState, pagerLinks } from "~/utils/list";

export const meta: MetaFunction = () => [{ title: "Line-of-business apps · Partnerdesk" }];

const appList = listState({ filters: { status: z.enum(LOB_APP_STATUSES), partner: uuid() }, paging: forwardFields });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "apps:view", { kind: "customer" });
  const query = appList.read(new URL(request.url).searchParams);
  const result = await withTenantReads(tenantOf(auth), (tx) => listCustomerLobApps(tx, { customerId: auth.org.id, query }));
  return { ...result, status: query.status ?? null, partner: query.partner ?? null, paged: Boolean(query.after), canReview: auth.permissions.includes("apps:review") };
}

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "apps:review", { kind: "customer" });
  const formData = await readForm(request);
  const back = `/customer/apps${new URL(request.url).search}`;
  switch (formData.get("intent")) {
    case "approve":
      return reviewAction({ auth, formData, context }, "approve", back);
    case "withdraw":
      return reviewAction({ auth, formData, context }, "withdraw", back);
    default:
      return unknownIntent();
  }
}

async function reviewAction({ auth, formData, context }: IntentArgs, decision: "approve" | "withdraw", back: string) {
  const submission = parseWithZod(formData, { schema: lobAppReviewSchema });
  if (submission.status !== "success") return data(submission.reply(), { status: 400 });
  let app;
  try {
    app = await withTenant(tenantOf(auth), (tx) => reviewLobApp(tx, { customerId: auth.org.id, actor: actorOf(auth, context), decision, ...submission.value }));
  } catch (error) {
    return handleDomainError(error, submission);
  }
  const message =
    decision === "approve"
      ? `${app.name} ${app.version} is approved and on your list of available apps. ${app.partnerName} was told.`
      : `${app.name} ${app.version} was withdrawn. ${app.partnerName} was told.`;
  return redirectWithToast(back, { kind: "success", message });
}

type Row = Awaited<ReturnType<typeof loader>>["rows"][number];
const column = createColumnHelper<Row>();

function appColumns(format: Format, canReview: boolean) {
  const columns = [
    column.accessor("name", {
      header: "App",
      cell: ({ row: { original: a } }) => (
        <>
          <strong>{a.name}</strong> <span className="muted">version {a.version}</span>
          <div className="small lob-description">{a.description}</div>
          <div className="small">
            <a href={a.downloadUrl} rel="noopener noreferrer nofollow" className="lob-url">
              {a.downloadUrl}
            </a>
          </div>
        </>
      ),
    }),
    column.accessor("partnerName", { header: "Partner" }),
    column.accessor("createdAt", {
      id: "submitted",
      header: "Submitted",
      cell: ({ row: { original: a } }) => (
        <>
          {format.date(a.createdAt)}
          {a.submittedByName ? <div className="muted small">by {a.submittedByName}</div> : null}
        </>
      ),
    }),
    column.accessor("status", {
      header: "Status",
      cell: ({ row: { original: a } }) => (
        <>
          <Badge tone={LOB_APP_STATUS_TONES[a.status]}>{LOB_APP_STATUS_LABELS[a.status]}</Badge>
          {a.reviewedAt ? (
            <div className="muted small">
              {a.status === "withdrawn" && a.withdrawnByPartner ? `By ${a.partnerName}` : a.reviewedByName ? `By ${a.reviewedByName}` : null}, {format.date(a.reviewedAt)}
            </div>
          ) : null}
          {a.reason ? <div className="small">Reason: {a.reason}</div> : null}
        </>
      ),
    }),
  ];
  if (canReview) {
    columns.push(
      column.display({
        id: "review",
        header: () => <span className="visually-hidden">Review</span>,
        cell: ({ row: { original: a } }) => <ReviewButtons app={a} />,
      }) as never,
    );
  }
  return columns as ColumnDef<Row, unknown>[];
}

/** Approve (a waiting app) and withdraw (a waiting or approved one), each after a dialog that shows what is decided. */
function ReviewButtons({ app }: { app: Row }) {
  if (app.status === "withdrawn") return null;
  const seen = app.status;
  const label = `${app.name} ${app.version}`;
  return (
    <div className="inline-actions">
      {seen === "submitted" ? (
        <ConfirmAction label="Approve" title={`Approve ${label}?`} intent="approve" confirmLabel="Approve app" tone="primary" hidden={{ appId: app.id, seen }}>
          <p>
            {app.name} (version {app.version}) from {app.partnerName} joins your list of available apps.
          </p>
          <p className="small">
            Download: <span className="lob-url">{app.downloadUrl}</span>
          </p>
        </ConfirmAction>
      ) : null}
      <ConfirmAction label="Withdraw" title={`Withdraw ${label}?`} intent="withdraw" confirmLabel="Withdraw app" hidden={{ appId: app.id, seen }}>
        <p>
          {seen === "approved"
            ? `${app.name} leaves your list of available apps. ${app.partnerName} is told.`
            : `${app.name} is not added to your list of available apps. ${app.partnerName} is told.`}
        </p>
        <div className="field">
          <label htmlFor={`reason-${app.id}`}>
            Reason <span className="optional">(optional, shown to {app.partnerName})</span>
          </label>
          <textarea id={`reason-${app.id}`} name="reason" rows={2} maxLength={LOB_APP_LIMITS.reason} />
        </div>
      </ConfirmAction>
    </div>
  );
}

export default function CustomerLobApps() {
  const { rows, next, counts, partners, status, partner, paged, canReview } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const format = useFormat();
  const href = useListHref("/customer/apps");
  const columns = useMemo(() => appColumns(format, canReview), [format, canReview]);
  const all = LOB_APP_STATUSES.reduce((n, s) => n + counts[s], 0);
  const pager = pagerLinks(href, { next, isFirst: !paged });
  return (
    <>
      <PageHeader
        title="Line-of-business apps"
        description={
          <>
            Your private app list: the line-of-business apps your LOB partners developed for your organisation.{" "}
            {canReview
              ? "Review each submission, then approve it (it joins your list of available apps) or withdraw it. You can withdraw an approved app at any time."
              : "Only your global admins approve or withdraw apps."}
          </>
        }
      />
      <ReplyNotice result={result} />
      <FilterLinks
        label="Filter apps by status"
        items={[
          { href: href({ status: null }), label: `All (${all})`, current: !status },
          ...LOB_APP_STATUSES.map((s) => ({ href: href({ status: s }), label: `${LOB_APP_STATUS_LABELS[s]} (${counts[s]})`, current: status === s })),
        ]}
      />
      {partners.length > 1 || partner ? (
        <FilterBar label="Filter apps by partner" autoSubmit submitText="Apply" hidden={{ status }} clearHref={partner ? href({ partner: null }) : null}>
          <FilterSelect name="partner" label="Partner" value={partner} options={partners.map((p) => ({ value: p.id, label: p.name }))} any="Every partner" />
        </FilterBar>
      ) : null}
      <div className="top-gap">
        <DataTable
          caption="Line-of-business apps, newest first"
          columns={columns}
          data={rows}
          getRowId={(r) => r.id}
          sort={{ id: "submitted", dir: "desc" }}
          empty={
            <ListEmpty
              filtered={Boolean(status || partner)}
              matches={["No apps here", "No app matches this filter."]}
              none={["No line-of-business apps yet", "When a line-of-business (LOB) partner submits an app for your organisation, it appears here for review."]}
            />
          }
        />
      </div>
      {hasPages(pager) ? <KeysetPager label="Pages of apps" {...pager} /> : null}
    </>
  );
}
