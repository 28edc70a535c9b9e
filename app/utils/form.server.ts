/**
 * The one way an action reads its form (eslint forbids `request.formData()` in app/): the body is
 * refused before it is parsed when it is not a form or too large, so neither a JSON body nor a
 * gigabyte reaches a parser (issue 28, ADR 0027). It runs inside the app, so it holds behind
 * server.js and in the tests' request handler alike.
 *
 * - 415 for any content type but application/x-www-form-urlencoded and multipart/form-data;
 * - 413 for a body over REQUEST_BODY_MAX_BYTES (a declared Content-Length is refused unread; an
 *   undeclared length is counted while it streams and reading stops at the limit);
 * - 400 for a multipart body that does not parse (no boundary, truncated, malformed).
 */
import { config } from "./config.server";

export const FORM_CONTENT_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"] as const;

const refuse = (status: 400 | 413 | 415, message: string) => new Response(message, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });

export function formTooLarge(maxBytes: number) {
  const size = maxBytes >= 1_000_000 ? `${Math.floor(maxBytes / 1_000_000)} MB` : `${Math.floor(maxBytes / 1000)} kB`;
  return refuse(413, `The form is too large: at most ${size}.`);
}

/** The request's media type, lower case, without parameters ("" when there is none). */
function mediaType(request: Request) {
  return (request.headers.get("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
}

async function readBody(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = request.headers.get("Content-Length");
  if (declared !== null && (!/^\d+$/.test(declared.trim()) || Number(declared) > maxBytes)) {
    throw /^\d+$/.test(declared.trim()) ? formTooLarge(maxBytes) : refuse(400, "The Content-Length header is not a number.");
  }
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw formTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.byteLength;
  }
  return body;
}

/**
 * The action's form, or a thrown 400/413/415 response. `maxBytes` raises or lowers the limit for
 * one route (a file import with its own cap).
 */
export async function readForm(request: Request, { maxBytes = config().REQUEST_BODY_MAX_BYTES }: { maxBytes?: number } = {}): Promise<FormData> {
  const type = mediaType(request);
  if (!(FORM_CONTENT_TYPES as readonly string[]).includes(type)) {
    throw refuse(415, "Send the form as application/x-www-form-urlencoded or multipart/form-data.");
  }
  const body = await readBody(request, maxBytes);
  if (type === "application/x-www-form-urlencoded") {
    // URLSearchParams reads any bytes (bad escapes and bad UTF-8 become U+FFFD); it never throws.
    const form = new FormData();
    for (const [k, v] of new URLSearchParams(new TextDecoder().decode(body))) form.append(k, v);
    return form;
  }
  try {
    return await new Request(request.url, { method: "POST", headers: { "Content-Type": request.headers.get("Content-Type")! }, body }).formData();
  } catch {
    throw refuse(400, "The form could not be read: the multipart body is malformed.");
  }
}
