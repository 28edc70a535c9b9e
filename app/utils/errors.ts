/** A rule a domain function refuses to break; routes turn it into the matching HTTP status. */
export class DomainError extends Error {
  constructor(
    public status: 400 | 403 | 404 | 409 | 410 | 429,
    message: string,
    /** The form field the message belongs to, when there is one. */
    public field?: string,
  ) {
    super(message);
  }
}

/** A rate limit refused the request: 429, with the seconds after which it may be tried again (Retry-After). */
export class RateLimited extends DomainError {
  constructor(
    message: string,
    public retryAfter: number,
  ) {
    super(429, message);
  }
}

/** The PostgreSQL error code behind a driver error (drizzle wraps it in `cause`), if any. */
export function pgErrorCode(error: unknown): string | undefined {
  return (((error as Error)?.cause ?? error) as { code?: string } | undefined)?.code;
}

/** For a unique violation, the constraint and message text (to tell which key); otherwise null. */
export function uniqueViolation(error: unknown): string | null {
  const cause = ((error as Error)?.cause ?? error) as { code?: string; constraint_name?: string; constraint?: string; message?: string };
  return cause?.code === "23505" ? `${cause.constraint_name ?? cause.constraint ?? ""} ${cause.message ?? ""}` : null;
}
