/**
 * Configuration, read once from the environment through zod. A bad value stops start-up
 * with a message naming the variable; production refuses the development defaults.
 */
import path from "node:path";
import { z } from "zod";

export const DEV_SESSION_SECRET = "dev-only-session-secret-change-me-0123456789";
/** Development signing key for shared-link codes ("kid:secret"; production must set its own). */
export const DEV_LINK_SIGNING_KEYS = "dev1:dev-only-link-signing-key-change-me-0123456789";
/** Development pepper of the product-key hash (production must set its own). */
export const DEV_PRODUCT_KEY_PEPPER = "dev-only-product-key-pepper-change-me-0123456789";

const int = (fallback: number, min = 0) =>
  z.coerce.number({ invalid_type_error: "must be a whole number" }).int("must be a whole number").min(min).default(fallback);

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
      .optional(),
    DATABASE_POOL_MAX: int(10, 1),
    /** HTTP worker processes (PostgreSQL only); 1 = no cluster. */
    WEB_CONCURRENCY: int(1, 1),
    DATA_DIR: z.string().min(1).default(path.resolve("data")),
    SESSION_SECRET: z.string().min(32, "must be at least 32 characters").default(DEV_SESSION_SECRET),
    SESSION_TTL_HOURS: int(12, 1),
    /**
     * Keys that sign shared-link codes: "kid:secret" pairs, comma-separated. The first signs new
     * codes; all verify, so a key can be rotated without breaking published links.
     */
    LINK_SIGNING_KEYS: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,16}:[^,:]{32,}(,[A-Za-z0-9_-]{1,16}:[^,:]{32,})*$/, "must be kid:secret pairs (secret at least 32 characters), comma-separated")
      .default(DEV_LINK_SIGNING_KEYS),
    /**
     * The secret of the keyed hash that stores product keys (HMAC-SHA-256): without it a leaked
     * table is useless. Changing it makes every stored key unfindable; set it once.
     */
    PRODUCT_KEY_PEPPER: z.string().min(32, "must be at least 32 characters").default(DEV_PRODUCT_KEY_PEPPER),
    APP_URL: z.string().url().optional(),
    PORT: int(3000, 1),
    /** Where the server listens; unset: 127.0.0.1 (this machine only) except in production, 0.0.0.0. */
    HOST: z.string().min(1).optional(),
    /** "1" when a reverse proxy sets X-Forwarded-For (the client IP for throttling and audit). */
    TRUST_PROXY: z.enum(["0", "1"]).default("0"),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
      .optional(),
    MAIL_FROM: z.string().min(3).default("Partnerdesk <no-reply@partnerdesk.localhost>"),
    /**
     * The largest request body a form action reads (bytes): a larger one is refused with 413 before
     * it is parsed. File imports keep their own cap (product keys: 1 MB of CSV).
     */
    REQUEST_BODY_MAX_BYTES: int(1_048_576, 1024),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    /** Failed sign-ins per account from one IP (or one browser the account signed in from before). */
    LOGIN_MAX_FAILURES_PER_ACCOUNT: int(5, 1),
    LOGIN_MAX_FAILURES_PER_IP: int(50, 1),
    /** Failed sign-ins per account from browsers it never signed in from, over all IPs (ADR 0029). */
    LOGIN_MAX_FAILURES_PER_ACCOUNT_WIDE: int(100, 1),
    LOGIN_THROTTLE_WINDOW_SECONDS: int(900, 1),
    /** Wrong second-factor codes per person in LOGIN_THROTTLE_WINDOW_SECONDS, wherever typed (ADR 0042). */
    MFA_MAX_FAILURES: int(10, 1),
    /** Wrong second-factor codes per person a day at sign-in from browsers the account has not signed in from. */
    MFA_MAX_FAILURES_PER_DAY: int(30, 1),
    /** Sensitive actions ask for a fresh second factor when the session's last one is older than this (ADR 0042). */
    MFA_STEP_UP_SECONDS: int(600, 30),
    /** Password-reset requests per client IP and per address, each per hour. */
    PASSWORD_RESET_MAX_PER_IP_PER_HOUR: int(10, 1),
    PASSWORD_RESET_MAX_PER_EMAIL_PER_HOUR: int(3, 1),
    /** Mails a partner may send by sharing its links, per hour (all its staff together). */
    LINK_SHARE_MAX_PER_PARTNER_PER_HOUR: int(200, 1),
    INVITATIONS_MAX_PER_ORG_PER_HOUR: int(50, 1),
    ARGON2_MEMORY_KIB: int(19456, 1024),
    ARGON2_ITERATIONS: int(2, 1),
    JOB_POLL_MS: int(1000, 50),
    /** Comma-separated job kinds this process runs (e.g. dedicated bulk workers); unset: every kind. */
    JOB_KINDS: z
      .string()
      .regex(/^[a-z0-9_.]+(,[a-z0-9_.]+)*$/, "must be job kinds separated by commas, e.g. notify,bulk.gdap")
      .optional(),
    /**
     * "auto" seeds the demo organisations (accounts with a published password) into an empty
     * database at start. Only when asked for (npm run demo / dev set it); production refuses it.
     */
    SEED_DEMO: z.enum(["auto", "never"]).default("never"),
    /** The public contact form: requests per IP per hour, per email address per day, partners per request. */
    CONTACT_MAX_PER_IP_PER_HOUR: int(5, 1),
    CONTACT_MAX_PER_EMAIL_PER_DAY: int(3, 1),
    CONTACT_MAX_PARTNERS: int(5, 1),
    /** Lost leads are deleted this many days after they were marked lost. */
    LEAD_RETENTION_DAYS: int(180, 1),
    /** Sent mail keeps its body (with the links it carried) this many days; then it is blanked. */
    MAIL_BODY_RETENTION_DAYS: int(7, 1),
  })
  .transform((env) => ({
    ...env,
    APP_URL: (env.APP_URL ?? `http://localhost:${env.PORT}`).replace(/\/$/, ""),
    // A development server (dev secrets, the mail outbox, perhaps demo accounts) stays on this machine.
    HOST: env.HOST ?? (env.NODE_ENV === "production" ? "0.0.0.0" : "127.0.0.1"),
  }))
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== "production") return;
    if (env.SESSION_SECRET === DEV_SESSION_SECRET) {
      ctx.addIssue({ code: "custom", path: ["SESSION_SECRET"], message: "must be set to your own secret in production" });
    }
    if (env.LINK_SIGNING_KEYS.includes(DEV_LINK_SIGNING_KEYS)) {
      ctx.addIssue({ code: "custom", path: ["LINK_SIGNING_KEYS"], message: "must be set to your own keys in production" });
    }
    if (env.PRODUCT_KEY_PEPPER === DEV_PRODUCT_KEY_PEPPER) {
      ctx.addIssue({ code: "custom", path: ["PRODUCT_KEY_PEPPER"], message: "must be set to your own secret in production" });
    }
    if (env.SEED_DEMO === "auto") {
      ctx.addIssue({
        code: "custom",
        path: ["SEED_DEMO"],
        message: "auto is refused in production: the demo accounts share a published password (use never, the default; for a demo run npm run demo without NODE_ENV=production)",
      });
    }
  });

export type Config = z.infer<typeof schema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

export function parseConfig(source: Record<string, string | undefined>): Config {
  // Empty strings count as unset, as in most .env tooling.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(config)"}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return result.data;
}

let cached: Config | undefined;
export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
