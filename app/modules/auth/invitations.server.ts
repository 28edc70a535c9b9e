/**
 * Invitations: the one way a person joins an organisation (ADR 0026). An organisation invites an
 * email address with roles; the membership stays `invited` — holding the address and name as the
 * inviter typed them — until the person accepts from the mailed link: a new account chooses its
 * password there, an existing account accepts while signed in as itself. The inviter's answer is
 * the same either way, so inviting never tells whether an address has an account elsewhere.
 * Runs in the inviting organisation's context (RLS lets it insert invitations only).
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { authTokens, memberships, organisations, users } from "../../../db/schema";
import { rowsOf } from "../../../db/client";
import { config } from "~/utils/config.server";
import type { Tx } from "~/utils/db.server";
import { recordAudit, type Actor } from "../platform/audit.server";
import { randomToken, sha256 } from "./crypto.server";
import { DomainError, RateLimited } from "../../utils/errors";
import { enqueueMail } from "../platform/mail.server";

export const INVITATION_DAYS = 7;

/** What an organisation may show of a membership: an invitation as typed, a member as they are. */
export const memberEmail = sql<string>`case when ${memberships.status} = 'invited' then ${memberships.invitedEmail} else ${users.email} end`;
export const memberName = sql<string>`case when ${memberships.status} = 'invited' then ${memberships.invitedName} else ${users.displayName} end`;

export async function inviteMember(
  tx: Tx,
  {
    orgId,
    actor,
    email,
    displayName,
    roles,
    auditAction,
    partnerOrgId,
  }: {
    orgId: string;
    actor: Actor;
    email: string;
    displayName: string;
    roles: string[];
    auditAction: string;
    /** A customer inviting a partner's person (the "partner" relationship type): that partner. */
    partnerOrgId?: string;
  },
) {
  const address = email.trim().toLowerCase();
  // pd_ensure_user is the named cross-tenant function: the address may have an account elsewhere,
  // which the inviting organisation neither sees nor changes.
  const [row] = rowsOf<{ id: string }>(await tx.execute(sql`select pd_ensure_user(${address}, ${displayName}) as id`));
  const userId = row!.id;
  const inserted = await tx
    .insert(memberships)
    .values({ orgId, userId, roles, status: "invited", invitedEmail: address, invitedName: displayName, partnerOrgId: partnerOrgId ?? null })
    .onConflictDoNothing()
    .returning({ userId: memberships.userId });
  if (inserted.length === 0) throw new DomainError(409, "This person is already a member of your organisation or has a pending invitation.", "email");
  await sendInvitation(tx, { orgId, userId, actor });
  await recordAudit(tx, { actor, subjectOrgId: orgId, action: auditAction, objectType: "user", objectId: userId, details: { email: address, displayName, roles, ...(partnerOrgId ? { partnerId: partnerOrgId } : {}) } });
  return { userId, email: address };
}

/** Mails a new invitation link; an earlier link of the same invitation stops working. */
export async function sendInvitation(tx: Tx, { orgId, userId, actor }: { orgId: string; userId: string; actor: Actor }) {
  const [invitation] = await tx
    .select({ email: memberships.invitedEmail, name: memberships.invitedName, status: memberships.status })
    .from(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId)));
  if (!invitation || invitation.status !== "invited" || !invitation.email) throw new DomainError(409, "There is no pending invitation for this person.");
  await takeInvitationQuota(tx);
  await tx
    .update(authTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(authTokens.orgId, orgId), eq(authTokens.userId, userId), eq(authTokens.kind, "activation"), isNull(authTokens.usedAt), isNull(authTokens.revokedAt)));
  const token = randomToken();
  await tx.insert(authTokens).values({
    tokenHash: sha256(token),
    kind: "activation",
    userId,
    orgId,
    expiresAt: sql`now() + make_interval(days => ${INVITATION_DAYS})`,
  });
  const [org] = await tx.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, orgId));
  const [inviter] = actor.userId ? await tx.select({ displayName: users.displayName }).from(users).where(eq(users.id, actor.userId)) : [];
  const orgName = org?.name ?? "an organisation";
  await enqueueMail(tx, {
    orgId,
    to: [invitation.email],
    subject: `You are invited to join ${orgName} on Partnerdesk`,
    text:
      `Hello ${invitation.name ?? ""},\n\n${inviter?.displayName ?? actor.name ?? "An administrator"} invited you to join ${orgName} on Partnerdesk.\n` +
      `Open this link within ${INVITATION_DAYS} days to accept or decline. If you already use Partnerdesk, you sign in with your own account to accept; nobody else can accept for you.\n\n` +
      `${config().APP_URL}/activate/${token}\n\nIf you do not know ${orgName}, ignore this message: nothing changes unless you accept.\n`,
  });
}

export const INVITATION_WINDOW_SECONDS = 3600;

/** Invitation mails count in hourly windows per organisation (INVITATIONS_MAX_PER_ORG_PER_HOUR). */
async function takeInvitationQuota(tx: Tx) {
  const limit = config().INVITATIONS_MAX_PER_ORG_PER_HOUR;
  const [row] = rowsOf<{ retry_after: number }>(
    await tx.execute(sql`select pd_take_org_quota('invitation', 1, ${limit}::int, ${INVITATION_WINDOW_SECONDS}::int) as retry_after`),
  );
  const retryAfter = Number(row?.retry_after ?? 0);
  if (retryAfter > 0) {
    const minutes = Math.ceil(retryAfter / 60);
    throw new RateLimited(`Your organisation can send ${limit} invitations an hour. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`, retryAfter);
  }
}

/** Withdraws a pending invitation: its links stop working and the person is not added. */
export async function revokeInvitation(tx: Tx, { orgId, userId }: { orgId: string; userId: string }) {
  // Tokens first, then the membership: the order in which accepting locks them (no deadlock).
  await tx
    .update(authTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(authTokens.orgId, orgId), eq(authTokens.userId, userId), eq(authTokens.kind, "activation"), isNull(authTokens.usedAt)));
  const deleted = await tx
    .delete(memberships)
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId), eq(memberships.status, "invited")))
    .returning({ email: memberships.invitedEmail });
  if (deleted.length === 0) throw new DomainError(409, "Only a pending invitation can be revoked.");
  return { email: deleted[0]!.email };
}
