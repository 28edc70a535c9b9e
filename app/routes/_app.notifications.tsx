import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { parseWithZod } from "@conform-to/zod";
import { z } from "zod";
import { forwardFields, hasPages, listState, pagerLinks } from "~/utils/list";
import { KeysetPager } from "~/components/data-table";
import { SubmitButton } from "~/components/forms";
import { ListEmpty, useListHref } from "~/components/list";
import { PageHeader } from "~/components/layout";
import { dismissNotifications, listNotifications, markNotificationsRead } from "~/modules/platform/notifications.server";
import { requirePermission, tenantOf, type IntentArgs } from "~/modules/auth/gate.server";
import { withTenant, withTenantReads } from "~/utils/db.server";
import { redirectWithToast, unknownIntent } from "~/utils/http.server";
import { readForm } from "~/utils/form.server";
import { useFormat } from "~/components/format";

export const meta: MetaFunction = () => [{ title: "Notifications · Partnerdesk" }];

const notificationList = listState({ filters: {}, paging: forwardFields });

export async function loader({ request, context }: LoaderFunctionArgs) {
  const auth = await requirePermission({ request, context }, "notifications:view");
  const { after } = notificationList.read(new URL(request.url).searchParams);
  const page = await withTenantReads(tenantOf(auth), (tx) => listNotifications(tx, { orgId: auth.org.id, userId: auth.user.id, after }));
  return { ...page, paged: Boolean(after) };
}

/** One notification by id, or without one every (unread) notification of the person. */
const notificationSchema = z.object({ id: z.string().uuid().optional() });

export async function action({ request, context }: ActionFunctionArgs) {
  const auth = await requirePermission({ request, context }, "notifications:view");
  const formData = await readForm(request);
  const args = { auth, formData, context };
  // No intent: the older forms' "mark as read" (one by id, or all).
  switch (formData.get("intent") ?? "read") {
    case "read":
      return readAction(args);
    case "dismiss":
      return dismissAction(args);
    case "dismiss-all":
      return dismissAllAction(args);
    default:
      return unknownIntent();
  }
}

/** The notification the form names: the page's buttons carry no field a person types, so a bad id is a bad request. */
function notificationOf(formData: FormData) {
  const submission = parseWithZod(formData, { schema: notificationSchema });
  if (submission.status !== "success") throw new Response("Unknown notification.", { status: 400 });
  return submission.value.id;
}

async function readAction({ auth, formData }: IntentArgs) {
  const id = notificationOf(formData);
  const n = await withTenant(tenantOf(auth), (tx) => markNotificationsRead(tx, { orgId: auth.org.id, userId: auth.user.id, id }));
  if (id && n === 0) throw new Response("No such unread notification.", { status: 404 });
  return redirectWithToast("/notifications", { kind: "success", message: id ? "Marked as read." : `${n} marked as read.` });
}

async function dismissAction({ auth, formData }: IntentArgs) {
  const id = notificationOf(formData);
  if (!id) throw new Response("Unknown notification.", { status: 400 });
  const n = await withTenant(tenantOf(auth), (tx) => dismissNotifications(tx, { orgId: auth.org.id, userId: auth.user.id, id }));
  if (n === 0) throw new Response("No such notification.", { status: 404 });
  return redirectWithToast("/notifications", { kind: "success", message: "Notification cleared." });
}

async function dismissAllAction({ auth }: IntentArgs) {
  const n = await withTenant(tenantOf(auth), (tx) => dismissNotifications(tx, { orgId: auth.org.id, userId: auth.user.id }));
  return redirectWithToast("/notifications", { kind: "success", message: `${n} notification${n === 1 ? "" : "s"} cleared.` });
}

export default function Notifications() {
  const { items, next, paged } = useLoaderData<typeof loader>();
  const format = useFormat();
  const pager = pagerLinks(useListHref("/notifications"), { next, isFirst: !paged });
  return (
    <>
      <PageHeader
        title="Notifications"
        actions={
          items.length > 0 ? (
            <div className="button-row">
              {items.some((n) => !n.readAt) ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="read" />
                  <SubmitButton className="button" pendingText="Marking…">
                    Mark all as read
                  </SubmitButton>
                </Form>
              ) : null}
              <Form method="post">
                <input type="hidden" name="intent" value="dismiss-all" />
                <SubmitButton className="button" pendingText="Clearing…">
                  Clear all
                </SubmitButton>
              </Form>
            </div>
          ) : null
        }
      />
      {items.length === 0 ? (
        <ListEmpty none={["No notifications", "When something needs your attention, it appears here and on the bell."]} />
      ) : (
        <ul className="notification-list">
          {items.map((n) => (
            <li key={n.id} className={n.readAt ? "read" : "unread"}>
              <div>
                <p className="notification-title">
                  {n.readAt ? null : <span className="visually-hidden">Unread: </span>}
                  {n.link ? <Link to={n.link}>{n.title}</Link> : n.title}
                </p>
                {n.body ? <p>{n.body}</p> : null}
                {n.link ? (
                  <p>
                    <Link to={n.link}>Open</Link>
                  </p>
                ) : null}
                <p className="muted small">{format.dateTime(n.createdAt)}</p>
              </div>
              <div className="button-row">
                {n.readAt ? null : (
                  <Form method="post">
                    <input type="hidden" name="intent" value="read" />
                    <input type="hidden" name="id" value={n.id} />
                    <button type="submit" className="button small">
                      Mark as read
                    </button>
                  </Form>
                )}
                <Form method="post">
                  <input type="hidden" name="intent" value="dismiss" />
                  <input type="hidden" name="id" value={n.id} />
                  <button type="submit" className="button small" aria-label={`Clear: ${n.title}`}>
                    Clear
                  </button>
                </Form>
              </div>
            </li>
          ))}
        </ul>
      )}
      {hasPages(pager) ? <KeysetPager label="More notifications" {...pager} /> : null}
    </>
  );
}
