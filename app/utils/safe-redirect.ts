/**
 * The one check of a redirect target taken from a request (`redirectTo` after sign-in): only a
 * path of this origin is followed, anything else falls back to the caller's default (the home).
 *
 * Browsers strip TAB, CR and LF from URLs and read "\" as "/", so "/\t/evil.example" or
 * "/\\evil.example" become "//evil.example", another host. The targets this app makes itself
 * (requireAuth, the shared-link page) are paths with percent-encoded queries, so printable ASCII
 * is all a real one holds: control characters, spaces, Unicode (spaces, format characters such as
 * U+200B or U+FEFF, bidi controls), backslashes and encoded slashes or backslashes are refused.
 */
const MAX_LENGTH = 2048;

export type RedirectRefusal =
  | "not-a-string"
  | "empty"
  | "too-long"
  | "not-a-path"
  | "protocol-relative"
  | "control-character"
  | "backslash"
  | "encoded-slash-or-backslash"
  | "encoded-control-character"
  | "unicode-space-or-format"
  | "non-ascii"
  | "other-origin";

/** Why a redirect target is refused, or null when it is a same-origin path. */
export function redirectRefusal(to: unknown): RedirectRefusal | null {
  if (typeof to !== "string") return "not-a-string";
  if (to.length === 0) return "empty";
  if (to.length > MAX_LENGTH) return "too-long";
  // Checked before the shape: "/\t/x" must be refused as what it is, wherever it sits.
  if (/\p{Cc}/u.test(to)) return "control-character"; // C0 (NUL … US, TAB, CR, LF), DEL, C1
  if (to.includes("\\")) return "backslash";
  if (/%(2f|5c)/i.test(to)) return "encoded-slash-or-backslash";
  if (/%(0[0-9a-f]|1[0-9a-f]|7f)/i.test(to)) return "encoded-control-character";
  if (/[\p{Z}\p{Cf}]/u.test(to)) return "unicode-space-or-format";
  if (/[^\x21-\x7E]/.test(to)) return "non-ascii";
  if (!to.startsWith("/")) return "not-a-path";
  if (to.startsWith("//")) return "protocol-relative";
  // What a browser would make of it, resolved against some origin, must stay on that origin.
  const base = "http://redirect-check.invalid";
  let resolved: URL;
  try {
    resolved = new URL(to, base);
  } catch {
    return "other-origin";
  }
  if (resolved.origin !== base) return "other-origin";
  return null;
}

/** `to` when it is a same-origin path (see redirectRefusal), otherwise `fallback`. */
export function safeRedirect(to: FormDataEntryValue | string | null | undefined, fallback: string): string {
  return redirectRefusal(to) === null ? (to as string) : fallback;
}
