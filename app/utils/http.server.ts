import { data, redirect, type HeadersFunction } from "@remix-run/node";
import { createCookie } from "@remix-run/node";
import type { SubmissionResult } from "@conform-to/react";
import { z } from "zod";
import { DomainError, RateLimited } from "~/utils/errors";
import { config } from "./config.server";

/** Flash message shown once after a redirect. */
export interface Toast {
  kind: "success" | "error" | "info";
  message: string;
}

function toastCookie() {
  return createCookie("__pd_toast", {
    httpOnly: true,
    sameSite: "lax",
    path: "/",
    secure: config().NODE_ENV === "production" && config().APP_URL.startsWith("https:"),
    secrets: [config().SESSION_SECRET],
    maxAge: 60,
  });
}

export async function redirectWithToast(to: string, toast: Toast, init: ResponseInit = {}) {
  const headers = new Headers(init.headers);
  headers.append("Set-Cookie", await toastCookie().serialize(toast));
  return redirect(to, { ...init, headers });
}

export async function readToast(request: Request): Promise<{ toast: Toast | null; setCookie: string | null }> {
  const toast = (await toastCookie().parse(request.headers.get("Cookie"))) as Toast | null;
  if (!toast) return { toast: null, setCookie: null };
  return { toast, setCookie: await toastCookie().serialize("", { maxAge: 0 }) };
}

type ReplyOptions = { formErrors?: string[]; fieldErrors?: Record<string, string[]>; hideFields?: string[] };

/**
 * The one mapper from domain errors to responses (ADR 0032). Every loader and action that calls
 * the domain ends in it: `catch (error) { return handleDomainError(error, submission) }` in an
 * action with a conform submission, `.catch(handleDomainError)` (or `handleDomainError(error)` in
 * a catch) everywhere else. A DomainError becomes
 *
 * - with a submission: the conform reply with the message on its field (`fields` renames a domain
 *   field to the form's; none: a form error), the error's status, Retry-After for a rate limit;
 *   `hideFields` are not sent back (passwords); with `goneIsPage`, a 404 or 410 without a field (the
 *   page's own object is gone, e.g. a shared link revoked while it was read) is thrown as below;
 * - without one: a thrown Response with the status and the message (and Retry-After).
 *
 * Anything else is rethrown, to the error boundary.
 */
export function handleDomainError(
  error: unknown,
  submission: { reply: (options?: ReplyOptions) => SubmissionResult },
  options?: { fields?: Record<string, string>; hideFields?: string[]; goneIsPage?: boolean },
): ReturnType<typeof data<SubmissionResult>>;
// Last, so that `.catch(handleDomainError)` takes this one.
export function handleDomainError(error: unknown): never;
export function handleDomainError(
  error: unknown,
  submission?: { reply: (options?: ReplyOptions) => SubmissionResult },
  { fields = {}, hideFields, goneIsPage = false }: { fields?: Record<string, string>; hideFields?: string[]; goneIsPage?: boolean } = {},
) {
  if (!(error instanceof DomainError)) throw error;
  const headers = error instanceof RateLimited ? { "Retry-After": String(error.retryAfter) } : undefined;
  const gone = goneIsPage && (error.status === 404 || error.status === 410) && !error.field;
  if (!submission || gone) throw new Response(error.message, { status: error.status, headers });
  const reply = error.field
    ? submission.reply({ fieldErrors: { [fields[error.field] ?? error.field]: [error.message] }, hideFields })
    : submission.reply({ formErrors: [error.message], hideFields });
  return data(reply, { status: error.status, headers });
}

/** A route's `headers`: a refused action's Retry-After (rate limits, throttled sign-in) reaches the document response too. */
export const retryAfterHeaders: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

/** A multi-intent action's answer to an intent it does not have: 400 (thrown). */
export function unknownIntent(): never {
  throw new Response("This form's intent is not one this page knows.", { status: 400, headers: { "Content-Type": "text/plain; charset=utf-8" } });
}

/** A route's id parameter as a UUID, or a 404 with the message (a malformed id is just not found). */
export function uuidParam(value: string | undefined, notFound: string): string {
  const parsed = z.string().uuid().safeParse(value);
  if (!parsed.success) throw new Response(notFound, { status: 404 });
  return parsed.data;
}
