import pino from "pino";
import { config } from "./config.server";
import { redactTokens } from "./redact-url";

const g = globalThis as typeof globalThis & { __partnerdesk_logger?: pino.Logger };

/**
 * Fields of database errors that hold the statement's values: bound parameters (drizzle's
 * `params`, postgres.js's `parameters`/`args`, PGlite's `params`) and `detail`, where PostgreSQL
 * puts the failing row ("Failing row contains (…, $argon2id$…)") or the duplicate key's value.
 */
const VALUE_FIELDS = new Set(["params", "parameters", "args", "types", "detail", "queryOptions", "raw"]);

/**
 * A message without the values it quotes: drizzle's "Failed query: …\nparams: …" loses its
 * parameters, and PostgreSQL's messages that quote the offending input (`invalid input syntax for
 * type uuid: "…"`, `value "…" is out of range for type integer`) lose the quoted value.
 */
function redactMessage(message: string): string {
  // Also without the tokens of mailed links (a 404's "No route matches URL …" names the path).
  return redactTokens(message)
    .replace(/\nparams: [\s\S]*?(?=\n\s+at |\ncaused by: |$)/g, "\nparams: [redacted]")
    .replace(/: "(?:[^"\n]|"")*"$/gm, ': "[redacted]"')
    .replace(/\bvalue "(?:[^"\n]|"")*"/g, 'value "[redacted]"');
}

/** An error's message as logs and job rows may hold it: without bound parameters or quoted values. */
export function safeErrorMessage(error: unknown): string {
  if (error && typeof error === "object" && typeof (error as Error).message === "string") return redactMessage((error as Error).message);
  return String(error);
}

/**
 * pino's error serializer with the values taken out (issue 28, ADR 0027): the same shape (type,
 * message, stack, code, constraint…), every error of the `cause` chain redacted the same way. The
 * SQL text stays (it has placeholders, not values). Also given an error pino's own serializer
 * already flattened (pino-http wraps custom serializers that way).
 */
export function serializeError(error: unknown, depth = 0): unknown {
  if (!error || typeof error !== "object" || typeof (error as Error).message !== "string") return error;
  const e = error as Error & Record<string, unknown>;
  const out: Record<string, unknown> = {
    type: typeof e.type === "string" ? e.type : (e.constructor?.name ?? e.name),
    message: redactMessage(e.message),
    stack: typeof e.stack === "string" ? redactMessage(e.stack) : undefined,
  };
  for (const key of Object.keys(e)) {
    if (key === "cause" || key === "message" || key === "stack" || VALUE_FIELDS.has(key) || out[key] !== undefined) continue;
    const value = e[key];
    out[key] = typeof value === "string" ? redactMessage(value) : value && typeof value === "object" && "message" in value ? serializeError(value, depth + 1) : value;
  }
  if (e.cause !== undefined && depth < 5) out.cause = serializeError(e.cause, depth + 1);
  return out;
}

/** The logger's options: also used by tests that check what a log line holds. */
export const loggerOptions: pino.LoggerOptions = {
  level: config().LOG_LEVEL,
  base: { service: "partnerdesk" },
  redact: ["req.headers.cookie", 'res.headers["set-cookie"]', "password", "passwordHash", "password_hash"],
  serializers: { err: serializeError, error: serializeError },
};

/** Structured JSON logs (pino); pipe through pino-pretty to read them in a terminal. */
export const logger: pino.Logger = (g.__partnerdesk_logger ??= pino(loggerOptions));
