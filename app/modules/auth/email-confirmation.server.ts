/**
 * Confirming the address of an account signed up from a public link (ADR 0026). Until it is
 * confirmed the account works, but no organisation manages it: nobody can reset its password but
 * the person, so whoever typed someone else's address at sign-up gains no hold over that person's
 * future account. Runs in the system context (sign-up and the public confirmation page).
 */
import { and, eq, isNull, sql } from "drizzle-orm";
import { authTokens, memberships, organisations, users } from "../../../db/schema";
import { config } from "~/utils/config.server";
import type { Tx } from "~/utils/db.server";
import { recordAudit } from "../platform/audit.server";
import { enqueueMail } from "../platform/mail.server";
import { findToken, type TokenState } from "./accounts.server";
import { randomToken, sha256 } from "./crypto.server";

export const CONFIRMATION_DAYS = 7;

export async function sendEmailConfirmation(tx: Tx, { userId, orgId }: { userId: string; orgId: string }) {
  await tx
    .update(authTokens)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(authTokens.userId, userId), eq(authTokens.kind, "email_confirmation"), isNull(authTokens.usedAt), isNull(authTokens.revokedAt)));
  const token = randomToken();
  await tx.insert(authTokens).values({
    tokenHash: sha256(token),
    kind: "email_confirmation",
    userId,
    orgId,
    expiresAt: sql`now() + make_interval(days => ${CONFIRMATION_DAYS})`,
  });
  const [row] = await tx
    .select({ email: users.email, name: users.displayName, orgName: organisations.name })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, orgId))
    .where(eq(users.id, userId));
  await enqueueMail(tx, {
    orgId,
    to: [row!.email],
    subject: "Confirm your email address for Partnerdesk",
    text:
      `Hello ${row!.name},\n\nYou signed up ${row!.orgName} on Partnerdesk with this address. Open this link within ${CONFIRMATION_DAYS} days to confirm it is yours:\n\n` +
      `${config().APP_URL}/confirm-email/${token}\n\nIf you did not sign up, someone used your address: do not confirm. Choose "Forgot password" on the sign-in page to take the account back; until it is confirmed, ${row!.orgName} cannot reset its password.\n`,
  });
}

export async function checkEmailConfirmation(tx: Tx, token: string): Promise<TokenState<{ email: string; orgName: string; confirmed: boolean }>> {
  const t = await findToken(tx, token, "email_confirmation");
  if (!t.ok) return t;
  const [row] = await tx
    .select({ email: users.email, orgName: organisations.name, confirmed: users.emailConfirmed })
    .from(users)
    .innerJoin(organisations, eq(organisations.id, t.value.orgId!))
    .where(eq(users.id, t.value.userId));
  return row ? { ok: true, value: row } : { ok: false, reason: "unknown" };
}

/**
 * The person confirms the address: the account is confirmed, and the organisation they signed up
 * becomes its home if it has none yet and they are still an active member there.
 */
export async function confirmEmail(tx: Tx, { token, ip }: { token: string; ip: string }): Promise<TokenState<{ orgName: string }>> {
  const t = await findToken(tx, token, "email_confirmation", true);
  if (!t.ok) return t;
  const orgId = t.value.orgId!;
  // A link older than the account's password is stale: the password changed hands since it was sent.
  const [user] = await tx.select({ passwordChangedAt: users.passwordChangedAt }).from(users).where(eq(users.id, t.value.userId)).for("update");
  if (!user || (user.passwordChangedAt && user.passwordChangedAt.getTime() > t.value.createdAt.getTime())) return { ok: false, reason: "expired" };
  await tx.update(authTokens).set({ usedAt: sql`now()` }).where(eq(authTokens.tokenHash, t.value.tokenHash));
  await tx
    .update(users)
    .set({
      emailConfirmed: true,
      homeOrgId: sql`coalesce(${users.homeOrgId}, (select ${memberships.orgId} from ${memberships} where ${memberships.userId} = ${users.id} and ${memberships.orgId} = ${orgId} and ${memberships.status} = 'active'))`,
    })
    .where(eq(users.id, t.value.userId));
  await recordAudit(tx, { actor: { userId: t.value.userId, orgId, ip }, subjectOrgId: orgId, action: "auth.email_confirmed", objectType: "user", objectId: t.value.userId });
  const [org] = await tx.select({ name: organisations.name }).from(organisations).where(eq(organisations.id, orgId));
  return { ok: true, value: { orgName: org?.name ?? "" } };
}
