import type { AppLoadContext } from "@remix-run/node";
/**
 * Database-backed sessions. The cookie holds a random 256-bit id (signed with
 * SESSION_SECRET); the database holds only its SHA-256. A new session is created at every
 * sign-in; its id changes again at every other change of privilege (second factor completed,
 * step-up, organisation switch: `rotateSession`); sign-out deletes it; it expires after
 * SESSION_TTL_HOURS. A session remembers when it last completed a second factor (`mfaAt`).
 */
import { createCookie } from "@remix-run/node";
import { and, asc, eq, sql } from "drizzle-orm";
import { memberships, organisations, sessions } from "../../../db/schema";
import { rowsOf } from "../../../db/client";
import { permissionsFor, type OrgKind, type Permission } from "./permissions";
import { config } from "~/utils/config.server";
import { withSystem, type Tx } from "~/utils/db.server";
import { randomToken, sha256 } from "./crypto.server";

export const SESSION_COOKIE = "__pd_session";

function sessionCookie() {
  const c = config();
  return createCookie(SESSION_COOKIE, {
    httpOnly: true,
    sameSite: "lax",
    secure: c.NODE_ENV === "production" && c.APP_URL.startsWith("https:"),
    path: "/",
    secrets: [c.SESSION_SECRET],
    maxAge: c.SESSION_TTL_HOURS * 3600,
  });
}

export interface OrgSummary {
  id: string;
  name: string;
  kind: OrgKind;
  partnerNumber: number | null;
  roles: string[];
  /** A customer that has not accepted the current customer agreement. */
  agreementPending: boolean;
  /** The organisation requires a second factor of its members (always, for a partner). */
  requireMfa: boolean;
}

export interface AuthContext {
  sessionIdHash: string;
  /** mustChangePassword: signed in with a temporary password an admin set; must choose a new one first. */
  user: { id: string; email: string; displayName: string; mustChangePassword: boolean; hasSecondFactor: boolean };
  /** When this session last completed a second factor (sign-in, enrolment, step-up), or null. */
  mfaAt: Date | null;
  org: OrgSummary;
  roles: string[];
  permissions: Permission[];
  /** Every organisation the user is an active member of, for the switcher. */
  orgs: OrgSummary[];
  /** The user's unread notifications in the active organisation (for the bell). */
  unread: number;
}

export async function readSessionId(request: Request): Promise<string | null> {
  const value = await sessionCookie().parse(request.headers.get("Cookie"));
  return typeof value === "string" && value.length >= 32 ? value : null;
}

/** Active memberships of a user, oldest first (system context: spans organisations). */
export async function activeOrgsOf(tx: Tx, userId: string): Promise<OrgSummary[]> {
  const rows = await tx
    .select({
      id: organisations.id,
      name: organisations.name,
      kind: organisations.kind,
      partnerNumber: organisations.partnerNumber,
      roles: memberships.roles,
      agreementPending: sql<boolean>`(${organisations.kind} = 'customer' and ${organisations.agreementVersion} is distinct from pd_current_agreement_version())`,
      requireMfa: sql<boolean>`(${organisations.kind} = 'partner' or ${organisations.requireMfa})`,
    })
    .from(memberships)
    .innerJoin(organisations, eq(organisations.id, memberships.orgId))
    .where(and(eq(memberships.userId, userId), eq(memberships.status, "active")))
    .orderBy(asc(memberships.createdAt), asc(organisations.name));
  return rows;
}

/** Creates a session and returns the Set-Cookie header value; `mfa`: the sign-in completed a second factor. */
export async function createSession(
  tx: Tx,
  { userId, orgId, ip, userAgent, mfa = false }: { userId: string; orgId: string; ip: string; userAgent: string | null; mfa?: boolean },
): Promise<string> {
  const id = randomToken();
  await tx.insert(sessions).values({
    idHash: sha256(id),
    userId,
    orgId,
    ip,
    userAgent: userAgent?.slice(0, 300) ?? null,
    expiresAt: sql`now() + make_interval(hours => ${config().SESSION_TTL_HOURS})`,
    mfaAt: mfa ? sql`now()` : null,
  });
  return sessionCookie().serialize(id);
}

/**
 * Gives the session a new id (a change of privilege: second factor completed, step-up, another
 * organisation) and returns the Set-Cookie header value; `mfa` also records a second factor now.
 * The old id stops working at once. Null when the session is gone.
 */
export async function rotateSession(tx: Tx, { sessionIdHash, userId, mfa = false }: { sessionIdHash: string; userId: string; mfa?: boolean }): Promise<string | null> {
  const id = randomToken();
  const rotated = await tx
    .update(sessions)
    .set({ idHash: sha256(id), lastSeenAt: sql`now()`, ...(mfa ? { mfaAt: sql`now()` } : {}) })
    .where(and(eq(sessions.idHash, sessionIdHash), eq(sessions.userId, userId), sql`${sessions.expiresAt} > now()`))
    .returning({ idHash: sessions.idHash });
  return rotated.length ? sessionCookie().serialize(id) : null;
}

export async function destroySessionCookie(): Promise<string> {
  return sessionCookie().serialize("", { maxAge: 0 });
}

export async function deleteSession(tx: Tx, sessionId: string) {
  await tx.delete(sessions).where(eq(sessions.idHash, sha256(sessionId)));
}

export async function deleteSessionsOfUser(tx: Tx, userId: string) {
  await tx.delete(sessions).where(eq(sessions.userId, userId));
}

/** The bell counts unread notifications up to this many; beyond, it shows "99+". */
export const UNREAD_CAP = 100;

/**
 * The session lookups of the requests in flight, one per request: the loaders of one GET (root,
 * layout, page) run together and share it. The key is the request's load context — the one object
 * Remix hands every loader of a request (each loader gets its own copy of the Request) — so the
 * entry goes with the request. Only GET and HEAD: an action looks the session up itself, and the
 * loaders that run after an action in the same document request run after it has finished, so
 * the lookup they share sees what the action changed (a switched organisation, a sign-out).
 */
const lookups = new WeakMap<object, Promise<AuthContext | null>>();

/**
 * The signed-in user and active organisation, or null (session lookup: system context, ADR 0002).
 * Once per request (see `lookups`): a page's layout and the page itself decide on the same
 * session, as it was when the request's loaders began.
 */
export function loadAuth(request: Request, context: AppLoadContext): Promise<AuthContext | null> {
  if (request.method !== "GET" && request.method !== "HEAD") return lookUpSession(request, context);
  let lookup = lookups.get(context);
  if (!lookup) {
    lookup = lookUpSession(request, context);
    lookups.set(context, lookup);
  }
  return lookup;
}

/** Sessions an action gave a new id in this request (by load context; see continueWithRotatedSession). */
const rotatedIds = new WeakMap<object, string>();

/**
 * An action that gave the session a new id and answers with data (not a redirect): in a request
 * without JavaScript the page's loaders run in the same request, with the old cookie; they read
 * the session under its new id instead.
 */
export async function continueWithRotatedSession(context: AppLoadContext, setCookie: string) {
  const id = (await sessionCookie().parse(setCookie.split(";")[0]!)) as unknown;
  if (typeof id === "string") rotatedIds.set(context, id);
}

async function lookUpSession(request: Request, context: AppLoadContext): Promise<AuthContext | null> {
  const id = rotatedIds.get(context) ?? (await readSessionId(request));
  if (!id) return null;
  const idHash = sha256(id);
  return authFrom(await withSystem((tx) => sessionRow(tx, idHash)), idHash);
}

interface SessionRow {
  user_id: string;
  email: string;
  display_name: string;
  must_change: boolean;
  has_factor: boolean;
  mfa_at: Date | string | null;
  org_id: string | null;
  orgs: OrgSummary[] | string | null;
  unread: number;
}

async function sessionRow(db: Tx, idHash: string): Promise<SessionRow | undefined> {
  // One query: the session, its user, every organisation the user is an active member of, and
  // the user's unread count (ADR 0002: the session lookup reads only the signed-in user's own rows).
  // It also notes when the session was last used, at most every few minutes (the sessions page).
  const [row] = rowsOf<SessionRow>(
    await db.execute(sql`
      with seen as (
        update sessions set last_seen_at = now()
         where id_hash = ${idHash} and expires_at > now() and last_seen_at < now() - interval '5 minutes'
        returning id_hash)
      select u.id as user_id, u.email, u.display_name, u.password_must_change as must_change, s.org_id, s.mfa_at,
        exists (select 1 from user_factors f where f.user_id = u.id and f.confirmed_at is not null) as has_factor,
        (select json_agg(json_build_object('id', o.id, 'name', o.name, 'kind', o.kind, 'partnerNumber', o.partner_number, 'roles', m.roles,
                'agreementPending', (o.kind = 'customer' and o.agreement_version is distinct from pd_current_agreement_version()),
                'requireMfa', (o.kind = 'partner' or o.require_mfa))
                order by m.created_at, o.name)
           from memberships m join organisations o on o.id = m.org_id
          where m.user_id = u.id and m.status = 'active'
            and (m.sessions_not_before is null or m.sessions_not_before < s.created_at)) as orgs,
        -- The bell's count: the signed-in user's own unread notifications in the session's organisation,
        -- counted up to UNREAD_CAP (the bell shows "99+"): every page reads it, and a user who never
        -- reads them must not make every page slower (6,000 unread cost about 1 ms a page).
        (select count(*)::int from (select 1 from notifications n where n.org_id = s.org_id and n.user_id = u.id and n.read_at is null limit ${UNREAD_CAP}) capped) as unread
      from sessions s join users u on u.id = s.user_id
      where s.id_hash = ${idHash} and s.expires_at > now()`),
  );
  return row;
}

function authFrom(row: SessionRow | undefined, idHash: string): AuthContext | null {
  if (!row) return null;
  const orgs: OrgSummary[] = (typeof row.orgs === "string" ? JSON.parse(row.orgs) : row.orgs) ?? [];
  // A deactivated or removed membership ends access at once, whatever the session says.
  const org = orgs.find((o) => o.id === row.org_id);
  if (!org) return null;
  return {
    sessionIdHash: idHash,
    user: { id: row.user_id, email: row.email, displayName: row.display_name, mustChangePassword: Boolean(row.must_change), hasSecondFactor: Boolean(row.has_factor) },
    mfaAt: row.mfa_at ? new Date(row.mfa_at) : null,
    org,
    roles: org.roles,
    permissions: [...permissionsFor(org.kind, org.roles)],
    orgs,
    unread: Number(row.unread ?? 0),
  };
}

/**
 * Switches the session's active organisation (the user must be an active member) under a new
 * session id; returns the organisation and the Set-Cookie header value.
 */
export async function switchOrganisation(tx: Tx, { sessionIdHash, userId, orgId }: { sessionIdHash: string; userId: string; orgId: string }) {
  const orgs = await activeOrgsOf(tx, userId);
  const target = orgs.find((o) => o.id === orgId);
  if (!target) return null;
  // Not back into an organisation whose admin ended this person's sessions after this one began.
  const [barred] = await tx
    .select({ orgId: memberships.orgId })
    .from(memberships)
    .innerJoin(sessions, eq(sessions.idHash, sessionIdHash))
    .where(and(eq(memberships.orgId, orgId), eq(memberships.userId, userId), sql`${memberships.sessionsNotBefore} >= ${sessions.createdAt}`));
  if (barred) return null;
  await tx.update(sessions).set({ orgId }).where(and(eq(sessions.idHash, sessionIdHash), eq(sessions.userId, userId)));
  const setCookie = await rotateSession(tx, { sessionIdHash, userId });
  return setCookie ? { org: target, setCookie } : null;
}

// ---- A person's sessions (the sessions page) ----

export interface SessionInfo {
  /** The stored hash of the session id (never the id): what the page names a session by. */
  idHash: string;
  orgName: string | null;
  ip: string | null;
  userAgent: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  current: boolean;
}

/** The person's live sessions, the most recently used first (system context: the person's own rows). */
export async function listSessions(tx: Tx, { userId, currentIdHash }: { userId: string; currentIdHash: string }): Promise<SessionInfo[]> {
  const rows = await tx
    .select({ idHash: sessions.idHash, orgName: organisations.name, ip: sessions.ip, userAgent: sessions.userAgent, createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt })
    .from(sessions)
    .leftJoin(organisations, eq(organisations.id, sessions.orgId))
    .where(and(eq(sessions.userId, userId), sql`${sessions.expiresAt} > now()`))
    .orderBy(sql`${sessions.lastSeenAt} desc`, sql`${sessions.createdAt} desc`);
  return rows.map((r) => ({ ...r, current: r.idHash === currentIdHash }));
}

/** Ends one of the person's own sessions; false when it is not theirs or already gone. */
export async function endOwnSession(tx: Tx, { userId, idHash }: { userId: string; idHash: string }): Promise<boolean> {
  const ended = await tx.delete(sessions).where(and(eq(sessions.userId, userId), eq(sessions.idHash, idHash))).returning({ idHash: sessions.idHash });
  return ended.length > 0;
}

/** Ends every session of the person but this one; returns how many ended. */
export async function endOtherSessions(tx: Tx, { userId, keepIdHash }: { userId: string; keepIdHash: string }): Promise<number> {
  const ended = await tx
    .delete(sessions)
    .where(and(eq(sessions.userId, userId), sql`${sessions.idHash} <> ${keepIdHash}`))
    .returning({ idHash: sessions.idHash });
  return ended.length;
}

export async function purgeExpiredSessions(tx: Tx) {
  await tx.delete(sessions).where(sql`${sessions.expiresAt} < now()`);
}
