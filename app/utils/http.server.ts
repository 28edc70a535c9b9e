import { json, redirect } from "@remix-run/node";
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

/**
 * Turns a DomainError into the form's error reply with the error's status; anything else is
 * rethrown to the error boundary. `fields` renames a domain field to the form's field;
 * `hideFields` are not sent back (passwords).
 */
export function replyWithDomainError(
  submission: { reply: (options?: { formErrors?: string[]; fieldErrors?: Record<string, string[]>; hideFields?: string[] }) => SubmissionResult },
  error: unknown,
  { fields = {}, hideFields }: { fields?: Record<string, string>; hideFields?: string[] } = {},
) {
  if (!(error instanceof DomainError)) throw error;
  const reply = error.field
    ? submission.reply({ fieldErrors: { [fields[error.field] ?? error.field]: [error.message] }, hideFields })
    : submission.reply({ formErrors: [error.message], hideFields });
  return json(reply, { status: error.status, headers: retryAfterOf(error) });
}

/** A rate limit's Retry-After header (none for other refusals). */
const retryAfterOf = (error: DomainError): Record<string, string> | undefined =>
  error instanceof RateLimited ? { "Retry-After": String(error.retryAfter) } : undefined;

/** Throws a DomainError as an HTTP response (for loaders and for actions without a form). */
export async function orThrowResponse<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof DomainError) throw new Response(error.message, { status: error.status, headers: retryAfterOf(error) });
    throw error;
  }
}

/** A route's id parameter as a UUID, or a 404 with the message (a malformed id is just not found). */
export function uuidParam(value: string | undefined, notFound: string): string {
  const parsed = z.string().uuid().safeParse(value);
  if (!parsed.success) throw new Response(notFound, { status: 404 });
  return parsed.data;
}
