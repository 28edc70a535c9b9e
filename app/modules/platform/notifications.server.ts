import { and, arrayOverlaps, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { memberships, notifications, users } from "../../../db/schema";
import type { Tx } from "~/utils/db.server";
import { timeCursor } from "~/utils/list";
import { enqueueJob } from "./jobs.server";
import { enqueueMail } from "./mail.server";
import { config } from "~/utils/config.server";

export interface NotificationInput {
  orgId: string;
  userIds: string[];
  kind: string;
  title: string;
  body?: string;
  /** An app path, e.g. /partner/staff. */
  link?: string;
  /** Also send the notification by email. */
  email?: boolean;
}

/** Notifies members of one organisation (in-app, and by email if asked) in the caller's transaction. */
export async function notify(tx: Tx, input: NotificationInput) {
  if (input.userIds.length === 0) return;
  await tx.insert(notifications).values(
    input.userIds.map((userId) => ({
      orgId: input.orgId,
      userId,
      kind: input.kind,
      title: input.title,
      body: input.body ?? null,
      link: input.link ?? null,
    })),
  );
  if (input.email) {
    const recipients = await tx
      .select({ email: users.email })
      .from(users)
      .where(inArray(users.id, input.userIds));
    const url = input.link ? `${config().APP_URL}${input.link}` : config().APP_URL;
    for (const r of recipients) {
      await enqueueMail(tx, {
        orgId: input.orgId,
        to: [r.email],
        subject: input.title,
        text: `${input.body ?? input.title}\n\n${url}\n`,
      });
    }
  }
}

/** Active members of an organisation holding any of the roles. */
export async function memberIdsWithRoles(tx: Tx, { orgId, roles }: { orgId: string; roles: string[] }) {
  const rows = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(
      and(
        eq(memberships.orgId, orgId),
        eq(memberships.status, "active"),
        arrayOverlaps(memberships.roles, roles),
      ),
    );
  return rows.map((r) => r.userId);
}

export const NOTIFICATIONS_PAGE_SIZE = 25;

const createdText = sql<string>`to_char(${notifications.createdAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`;

/** The user's notifications, newest first, keyset-paged on (created_at, id): `after` is the list kit's cursor (a bad one: the first page). */
export async function listNotifications(
  tx: Tx,
  { orgId, userId, after }: { orgId: string; userId: string; after?: string },
) {
  const cursor = timeCursor.decode(after);
  const rows = await tx
    .select({ row: notifications, createdText })
    .from(notifications)
    .where(
      and(
        eq(notifications.orgId, orgId),
        eq(notifications.userId, userId),
        cursor ? sql`(${notifications.createdAt}, ${notifications.id}) < ((${cursor[0]}::timestamp at time zone 'UTC'), ${cursor[1]}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(NOTIFICATIONS_PAGE_SIZE + 1);
  const page = rows.slice(0, NOTIFICATIONS_PAGE_SIZE);
  const last = page[page.length - 1];
  return { items: page.map((r) => r.row), next: rows.length > NOTIFICATIONS_PAGE_SIZE && last ? timeCursor.encode([last.createdText, last.row.id]) : null };
}

/** Marks one (or, without an id, every) unread notification of the user as read. Returns how many. */
export async function markNotificationsRead(
  tx: Tx,
  { orgId, userId, id }: { orgId: string; userId: string; id?: string },
) {
  const rows = await tx
    .update(notifications)
    .set({ readAt: sql`now()` })
    .where(
      and(
        eq(notifications.orgId, orgId),
        eq(notifications.userId, userId),
        isNull(notifications.readAt),
        id ? eq(notifications.id, id) : undefined,
      ),
    )
    .returning({ id: notifications.id });
  return rows.length;
}

/**
 * Dismisses (deletes) one (or, without an id, every) notification of the user in the
 * organisation. Returns how many. RLS admits only the user's own (migration 0048).
 */
export async function dismissNotifications(tx: Tx, { orgId, userId, id }: { orgId: string; userId: string; id?: string }) {
  const rows = await tx
    .delete(notifications)
    .where(and(eq(notifications.orgId, orgId), eq(notifications.userId, userId), id ? eq(notifications.id, id) : undefined))
    .returning({ id: notifications.id });
  return rows.length;
}

/**
 * Notifies the members of another organisation holding some roles, through scheduled work (the
 * "notify" job runs in that organisation's context): for changes made in one tenant's context
 * that the other side must hear of.
 */
export async function notifyLater(
  tx: Tx,
  input: { orgId: string; roles: string[]; kind: string; title: string; body?: string; link?: string; email?: boolean },
) {
  await enqueueJob(tx, { kind: "notify", payload: { ...input, email: input.email ?? true } });
}
