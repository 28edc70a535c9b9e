/**
 * The one way an action reads its form (eslint forbids `request.formData()` in app/): the body is
 * refused before it is parsed when it is not a form or too large, so neither a JSON body nor a
 * gigabyte reaches a parser (issue 28, ADR 0027). It runs inside the app, so it holds behind
 * server.js and in the tests' request handler alike.
 *
 * - 415 for any content type but application/x-www-form-urlencoded and multipart/form-data;
 * - 413 for a body over REQUEST_BODY_MAX_BYTES: a declared Content-Length or the bytes counted
 *   while it streams, never parsed nor kept (the rest is read and dropped, up to 8 times the
 *   limit, so that the client receives the 413 rather than a reset connection);
 * - 400 for a multipart body that does not parse (no boundary, truncated, malformed).
 */
import { config } from "./config.server";

export const FORM_CONTENT_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"] as const;

const refuse = (status: 400 | 413 | 415, message: string) => new Response(message, { status, headers: { "Content-Type": "text/plain; charset=utf-8" } });

export function formTooLarge(maxBytes: number) {
  const size = maxBytes >= 1_000_000 ? `${Math.floor(maxBytes / 1_000_000)} MB` : `${Math.floor(maxBytes / 1000)} kB`;
  const response = refuse(413, `The form is too large: at most ${size}.`);
  // The client may still be sending: it should not send the next request on this connection.
  response.headers.set("Connection", "close");
  return response;
}

/** The request's media type, lower case, without parameters ("" when there is none). */
function mediaType(request: Request) {
  return (request.headers.get("Content-Type") ?? "").split(";")[0]!.trim().toLowerCase();
}

/**
 * A body over the limit is read on without being kept, up to this many times the limit, so that
 * the client (still sending) receives the 413 rather than a reset connection; a larger one is cut.
 */
const DRAIN_FACTOR = 8;

/** Reads the rest of a refused body without keeping it (up to DRAIN_FACTOR × the limit), then throws `answer`. */
async function discardThenThrow(reader: ReadableStreamDefaultReader<Uint8Array> | null, maxBytes: number, seen: number, answer: Response): Promise<never> {
  let read = seen;
  while (reader && read <= maxBytes * DRAIN_FACTOR) {
    const { done, value } = await reader.read().catch(() => ({ done: true as const, value: undefined }));
    if (done) throw answer;
    read += value.byteLength;
  }
  await reader?.cancel().catch(() => {});
  throw answer;
}

async function readBody(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const declared = request.headers.get("Content-Length")?.trim() ?? null;
  if (declared !== null && !/^\d+$/.test(declared)) throw refuse(400, "The Content-Length header is not a number.");
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  if (declared !== null && Number(declared) > maxBytes) {
    // Refused unparsed; drained only when it is not absurdly large.
    return discardThenThrow(Number(declared) <= maxBytes * DRAIN_FACTOR ? reader : (await reader.cancel().catch(() => {}), null), maxBytes, 0, formTooLarge(maxBytes));
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) return discardThenThrow(reader, maxBytes, total, formTooLarge(maxBytes));
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
    const answer = refuse(415, "Send the form as application/x-www-form-urlencoded or multipart/form-data.");
    return discardThenThrow(request.body?.getReader() ?? null, maxBytes, 0, answer);
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
