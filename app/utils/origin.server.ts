/**
 * CSRF defence for every mutation: a non-GET request must come from our own origin. Browsers
 * send Origin on every POST; Referer is the fallback. SameSite=Lax cookies are the second layer.
 */
export function isSafeMethod(method: string) {
  return method === "GET" || method === "HEAD" || method === "OPTIONS";
}

export function checkOrigin(
  { method, origin, referer }: { method: string; origin?: string | null; referer?: string | null },
  appUrl: string,
): { ok: true } | { ok: false; reason: string } {
  if (isSafeMethod(method.toUpperCase())) return { ok: true };
  const expected = new URL(appUrl).origin;
  let actual: string | null = origin && origin !== "null" ? origin : null;
  if (!actual && referer) {
    try {
      actual = new URL(referer).origin;
    } catch {
      actual = null;
    }
  }
  if (!actual) return { ok: false, reason: "missing Origin header" };
  if (actual !== expected) return { ok: false, reason: `cross-origin request from ${actual}` };
  return { ok: true };
}
