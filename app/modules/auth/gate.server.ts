/**
 * The one permission gate. Every loader and action opens the same way (ADR 0032):
 *
 *   const auth = await requirePermission({ request, context }, "customers:view", { kind: "partner" });
 *   return withTenantReads(tenantOf(auth), (tx) => listCustomers(tx, { partnerId: auth.org.id, query }));
 *
 * (withTenant in actions). A missing session redirects to sign-in, a missing permission answers
 * 403, and objects of other tenants answer 404 from the domain modules (they are invisible under
 * RLS anyway). requireAuth alone is for pages every signed-in person may open.
 *
 * An action then reads its form (`readForm`) and, with several intents, hands `IntentArgs` to a
 * small named function per intent that parses its own schema (ADR 0032).
 */
import { redirect, type AppLoadContext } from "@remix-run/node";
import { loadAuth, type AuthContext } from "~/modules/auth/session.server";
import { homeFor } from "~/modules/auth/navigation";
import type { OrgKind, Permission } from "~/modules/auth/permissions";
import type { Actor } from "~/modules/platform/audit.server";
import type { SignedInTenant } from "../../utils/db.server";
import { config } from "~/utils/config.server";

export type { AuthContext };

/** What an action hands to the named function of one intent, after the gate and `readForm`. */
export type IntentArgs = { auth: AuthContext; formData: FormData; context: AppLoadContext };

/** What the gate needs of a loader's or action's arguments: the request, and its load context (one session lookup per request). */
export type RequestArgs = { request: Request; context: AppLoadContext };

export async function requireAuth({ request, context }: RequestArgs): Promise<AuthContext> {
  const auth = await loadAuth(request, context);
  if (!auth) {
    const url = new URL(request.url);
    const redirectTo = `${url.pathname}${url.search}`;
    throw redirect(`/signin?redirectTo=${encodeURIComponent(redirectTo)}`);
  }
  enforceGates(request, auth);
  return auth;
}

export interface Gate {
  kind: "password" | "mfa-enrol" | "mfa" | "agreement";
  to: string;
  allow: string[];
  message: string;
  /** The gate's page sends the person back to where they were going (`redirectTo`). */
  returns?: boolean;
}

/**
 * What a signed-in person must do before anything else, if anything: replace a temporary password
 * (an admin's reset); in an organisation that requires a second factor (every partner; a customer
 * whose global admin turned it on, ADR 0042), set one up or, in a session that has not used it
 * yet, confirm it; then — a customer's global admin — accept the current customer agreement.
 * `allow` are the pages that do it; sign-out and switching organisation stay open too.
 */
export function gateOf(auth: AuthContext): Gate | null {
  if (auth.user.mustChangePassword) {
    return { kind: "password", to: "/account?required=1", allow: ["/account"], message: "Choose a new password first: your password was set by an administrator." };
  }
  // In an organisation that requires a second factor, a person without one (never set up, or just
  // removed to replace it) sets one up before anything else.
  if (auth.org.requireMfa && !auth.user.hasSecondFactor) {
    return {
      kind: "mfa-enrol",
      to: "/account/security?required=1",
      allow: ["/account/security", "/account/sessions", "/webauthn"],
      message: `Set up a second factor first: ${auth.org.name} requires one for every sign-in.`,
    };
  }
  // A person who has a second factor uses it in every session (one signed in before it was set up,
  // or without it by another path, confirms it first), whatever the organisation requires.
  if (auth.user.hasSecondFactor && !auth.mfaAt) {
    return { kind: "mfa", to: "/account/verify", allow: ["/account/verify", "/webauthn"], message: "Confirm it's you with your second factor first.", returns: true };
  }
  if (auth.org.agreementPending && auth.permissions.includes("agreement:accept")) {
    return { kind: "agreement", to: "/customer/agreement", allow: ["/customer/agreement", "/account"], message: "Accept the current customer agreement first." };
  }
  return null;
}

const ALWAYS_OPEN = ["/signout", "/switch-organisation"];

/** The page a request is for: a single-fetch data request (`/x.data`, `/_root.data`) counts as its page. */
export function pagePathOf(request: Request): string {
  let path = new URL(request.url).pathname;
  if (path.endsWith(".data")) path = path.slice(0, -".data".length);
  if (path === "/_root") path = "/";
  return path.length > 1 ? path.replace(/\/+$/, "") : path;
}

/**
 * The gates hold on every request that passes requireAuth — every route's loader and action,
 * documents and `.data` requests alike, not only the layout: a page load is sent to the gate's
 * page, anything else (an action, a fetch) is refused with 403. The gate's own pages (compared
 * exactly, so nothing else matches them) stay open. Routes that read the session without
 * requireAuth apply it themselves (the public link page).
 */
export function enforceGates(request: Request, auth: AuthContext, { alsoAllow = [] }: { alsoAllow?: string[] } = {}) {
  const gate = gateOf(auth);
  if (!gate) return;
  const path = pagePathOf(request);
  if (gate.allow.includes(path) || ALWAYS_OPEN.includes(path) || alsoAllow.includes(path)) return;
  if (request.method === "GET" || request.method === "HEAD") throw redirect(gate.returns ? `${gate.to}?redirectTo=${encodeURIComponent(hereOf(request))}` : gate.to);
  throw new Response(gate.message, { status: 403, statusText: "Forbidden" });
}

/** The page a request is for with its query (a `.data` request's page), to come back to. */
function hereOf(request: Request) {
  const url = new URL(request.url);
  url.searchParams.delete("_data");
  url.searchParams.delete("index");
  const search = url.searchParams.toString();
  return `${pagePathOf(request)}${search ? `?${search}` : ""}`;
}

/** The sensitive actions that ask for a fresh second factor (the verify page names them). */
export const STEP_UP_REASONS = {
  "admin-relationship": "request delegated admin rights in a customer",
  "staff-access": "change someone's roles or groups",
  "customer-password": "reset someone's password",
  "sign-in-settings": "change your organisation's sign-in settings",
  "api-clients": "create or change API credentials",
  "recovery-codes": "make new recovery codes",
  "add-factor": "add another second factor",
  "remove-factor": "remove a second factor",
} as const;
export type StepUpReason = keyof typeof STEP_UP_REASONS;

/** The session completed a second factor less than MFA_STEP_UP_SECONDS ago. */
export const recentSecondFactor = (auth: AuthContext) => auth.mfaAt !== null && Date.now() - auth.mfaAt.getTime() < config().MFA_STEP_UP_SECONDS * 1000;

/**
 * Step-up: a sensitive action asks for a fresh second factor when the session's last one is older
 * than MFA_STEP_UP_SECONDS (10 minutes). The person is sent to confirm it and comes back to the
 * page to do it again; a person with no second factor is sent to set one up.
 */
export function requireRecentSecondFactor(request: Request, auth: AuthContext, reason: StepUpReason, { unlessNoFactor = false }: { unlessNoFactor?: boolean } = {}) {
  // A customer's own admin without a second factor (their organisation does not require one) is
  // not made to set one up for everyday work (`unlessNoFactor`); partner staff always have one.
  if (unlessNoFactor && !auth.user.hasSecondFactor) return;
  if (recentSecondFactor(auth)) return;
  const back = encodeURIComponent(hereOf(request));
  if (!auth.user.hasSecondFactor) throw redirect(`/account/security?stepUp=${reason}&redirectTo=${back}`);
  throw redirect(`/account/verify?stepUp=${reason}&redirectTo=${back}`);
}

export async function requirePermission(
  { request, context }: RequestArgs,
  permission: Permission,
  { kind }: { kind?: OrgKind } = {},
): Promise<AuthContext> {
  const auth = await requireAuth({ request, context });
  // A partner page opened in a customer organisation (or the reverse) leads home.
  if (kind && auth.org.kind !== kind) throw redirect(homeFor(auth.org.kind));
  assertPermission(auth, permission);
  return auth;
}

/** The 403 of requirePermission, for an intent that needs more than the action's own permission. */
export function assertPermission(auth: AuthContext, permission: Permission) {
  if (!auth.permissions.includes(permission)) {
    throw new Response("You do not have permission to do this.", { status: 403, statusText: "Forbidden" });
  }
}

export const tenantOf = (auth: AuthContext): SignedInTenant => ({ orgId: auth.org.id, userId: auth.user.id });

export function clientIp(context: AppLoadContext): string {
  return (context as { clientIp?: string }).clientIp ?? "unknown";
}

export const actorOf = (auth: AuthContext, context: AppLoadContext): Actor => ({
  userId: auth.user.id,
  name: auth.user.displayName,
  orgId: auth.org.id,
  ip: clientIp(context),
});

/** Only same-origin paths are followed after sign-in (the one check: ./safe-redirect). */
export { safeRedirect } from "../../utils/safe-redirect";
