/**
 * The one permission gate. Routes call requireAuth / requirePermission first; a missing
 * session redirects to sign-in, a missing permission answers 403, and objects of other
 * tenants answer 404 from the domain modules (they are invisible under RLS anyway).
 */
import { redirect, type AppLoadContext } from "@remix-run/node";
import { loadAuth, type AuthContext } from "~/modules/auth/session.server";
import { homeFor } from "~/modules/auth/auth.server";
import type { OrgKind, Permission } from "~/modules/permissions";
import type { Actor } from "~/modules/audit.server";
import type { TenantContext } from "./db.server";

export type { AuthContext };

export async function requireAuth(request: Request): Promise<AuthContext> {
  const auth = await loadAuth(request);
  if (!auth) {
    const url = new URL(request.url);
    const redirectTo = `${url.pathname}${url.search}`;
    throw redirect(`/signin?redirectTo=${encodeURIComponent(redirectTo)}`);
  }
  return auth;
}

export async function requirePermission(
  request: Request,
  permission: Permission,
  { kind }: { kind?: OrgKind } = {},
): Promise<AuthContext> {
  const auth = await requireAuth(request);
  // A partner page opened in a customer organisation (or the reverse) leads home.
  if (kind && auth.org.kind !== kind) throw redirect(homeFor(auth.org.kind));
  if (!auth.permissions.includes(permission)) {
    throw new Response("You do not have permission to do this.", { status: 403, statusText: "Forbidden" });
  }
  return auth;
}

export const tenantOf = (auth: AuthContext): TenantContext => ({ orgId: auth.org.id, userId: auth.user.id });

export function clientIp(context: AppLoadContext): string {
  return (context as { clientIp?: string }).clientIp ?? "unknown";
}

export const actorOf = (auth: AuthContext, context: AppLoadContext): Actor => ({
  userId: auth.user.id,
  name: auth.user.displayName,
  orgId: auth.org.id,
  ip: clientIp(context),
});

/** Only same-site paths are followed after sign-in. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback: string) {
  if (!to || typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\")) return fallback;
  return to;
}
