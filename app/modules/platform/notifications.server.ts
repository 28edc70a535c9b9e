import { and, arrayOverlaps, desc, eq, inArray, isNull, lt, sql } from "drizzle-orm";
import { memberships, notifications, users } from "../../../db/schema";
import type { Tx } from "~/utils/db.server";
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

export async function listNotifications(
  tx: Tx,
  { orgId, userId, before }: { orgId: string; userId: string; before?: string },
) {
  const rows = await tx
    .select()
    .from(notifications)
    .where(
      and(
        eq(notifications.orgId, orgId),
        eq(notifications.userId, userId),
        before ? lt(notifications.createdAt, new Date(before)) : undefined,
      ),
    )
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(NOTIFICATIONS_PAGE_SIZE + 1);
  return { items: rows.slice(0, NOTIFICATIONS_PAGE_SIZE), hasMore: rows.length > NOTIFICATIONS_PAGE_SIZE };
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
