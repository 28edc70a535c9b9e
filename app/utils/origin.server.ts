/**
 * CSRF defence for every mutation: a non-GET request must come from our own origin. Browsers
 * send Origin on every POST; Referer is the fallback only when there is no Origin header at all.
 * SameSite=Lax cookies are the second layer.
 *
 * It answers every request with a verdict and never throws: an Origin that is present but is not
 * exactly ours — `null` (sandboxed frames, some privacy redirects) or anything unparsable — is
 * refused, even with a same-origin Referer; and so is a request whose Host (or X-Forwarded-Host)
 * differs from its Origin, which Remix's own check would otherwise answer with a thrown error, a
 * 500 (issue 28, ADR 0027).
 */
export function isSafeMethod(method: string) {
  return method === "GET" || method === "HEAD" || method === "OPTIONS";
}

export function checkOrigin(
  { method, origin, referer, host }: { method: string; origin?: string | null; referer?: string | null; host?: string | null },
  appUrl: string,
): { ok: true } | { ok: false; reason: string } {
  if (isSafeMethod(method.toUpperCase())) return { ok: true };
  const expected = new URL(appUrl).origin;
  if (origin !== undefined && origin !== null) {
    if (origin !== expected) return { ok: false, reason: origin === "null" ? "opaque Origin (null)" : "cross-origin request" };
    // Remix compares the Origin's host with X-Forwarded-Host (else Host) and throws when they differ.
    // No host at all, Remix throws too: `host: null` (given, absent) is refused like a different one.
    if (host !== undefined && host !== new URL(expected).host) return { ok: false, reason: "Host does not match Origin" };
    return { ok: true };
  }
  if (!referer) return { ok: false, reason: "missing Origin header" };
  let actual: string | null = null;
  try {
    actual = new URL(referer).origin;
  } catch {
    actual = null;
  }
  if (actual !== expected) return { ok: false, reason: actual ? "cross-origin request" : "unreadable Referer" };
  return { ok: true };
}

/**
 * The host Remix's own check compares the Origin with: the first X-Forwarded-Host, else Host
 * (null when neither is sent). Pass it as `host` to checkOrigin.
 */
export function forwardedHost(get: (name: string) => string | null | undefined): string | null {
  return get("x-forwarded-host")?.split(",")[0]?.trim() || get("host") || null;
}

/**
 * What server.js asks of every request before Remix sees it (the tests' request handler asks the
 * same, tests/support/http.ts): a refusal as status and message, or ok. Never throws.
 * - Mutations pass checkOrigin (403).
 * - Single-fetch data URLs (`/page.data`) are read with GET and written with POST: Remix would run
 *   any other method (HEAD, OPTIONS, PUT…) as an action of the data route and fail with a 500, so
 *   they are answered 405 here.
 */
export function screenRequest(
  { method, pathname, header }: { method: string; pathname: string; header: (name: string) => string | null | undefined },
  appUrl: string,
): { ok: true } | { ok: false; status: 403 | 405; message: string; reason: string } {
  const m = method.toUpperCase();
  if (pathname.endsWith(".data") && m !== "GET" && m !== "POST") {
    return { ok: false, status: 405, reason: `${m} on a data URL`, message: "Method Not Allowed: data URLs answer GET and POST." };
  }
  const verdict = checkOrigin({ method: m, origin: header("origin") ?? null, referer: header("referer") ?? null, host: forwardedHost(header) }, appUrl);
  if (!verdict.ok) return { ok: false, status: 403, reason: verdict.reason, message: `Forbidden: ${verdict.reason}. Mutations must come from ${new URL(appUrl).origin}.` };
  return { ok: true };
}
