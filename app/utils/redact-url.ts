/**
 * Mailed single-use links carry a live credential in their path: `/activate/<token>`,
 * `/reset-password/<token>`, `/confirm-email/<token>`. The database keeps only their hashes, so
 * logs must not keep them either: request-log lines (server.js), error lines (entry.server.tsx)
 * and error messages (logger.server.ts) pass URLs and messages through `redactTokens`, which
 * replaces the token segment, also where a link travels URL-encoded (`?redirectTo=%2Factivate%2F…`).
 */
const TOKEN_SEGMENT = /((?:\/|%2F|%252F)(?:activate|reset-password|confirm-email)(?:\/|%2F|%252F))[^/?#&.%\s"'<>\\]+/gi;

export const REDACTED = "[redacted]";

export function redactTokens(text: string): string {
  return text.replace(TOKEN_SEGMENT, `$1${REDACTED}`);
}
