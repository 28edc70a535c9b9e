import { PassThrough } from "node:stream";
import type { AppLoadContext, EntryContext } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { renderToPipeableStream } from "react-dom/server";
import { NonceContext } from "~/components/nonce";
import { logger } from "~/utils/logger.server";
import { redactTokens } from "~/utils/redact-url";

// Exposed to server.js through the build (build.entry.module), so the server and the app
// share one set of module instances (one database, one worker).
export { boot } from "./boot.server";
export { checkOrigin, screenRequest } from "~/utils/origin.server";
export { config } from "~/utils/config.server";
export { securityHeaders } from "~/utils/security-headers.server";
export { logger, serializeError } from "~/utils/logger.server";
export { startWorker } from "~/scheduled.server";
export { closeDatabase } from "~/utils/db.server";
export { redactTokens } from "~/utils/redact-url";

const ABORT_DELAY = 5_000;

export function handleError(error: unknown, { request }: { request: Request }) {
  if (request.signal.aborted) return;
  logger.error({ err: error, url: redactTokens(request.url) }, "unhandled error");
}

/**
 * Renders the whole document before answering (no page streams deferred data), and sends it
 * as one body: many small socket writes cost more than the buffering.
 */
export default function handleRequest(
  request: Request,
  responseStatusCode: number,
  responseHeaders: Headers,
  remixContext: EntryContext,
  loadContext: AppLoadContext,
) {
  // The response's Content-Security-Policy nonce (server.js); absent when no HTTP server is in
  // front (the HTTP-level tests drive the request handler directly).
  const nonce = (loadContext as { cspNonce?: string }).cspNonce;
  return new Promise<Response>((resolve, reject) => {
    let failed = false;
    // Cleared when the document is complete: a pending timer would keep the whole render (its
    // tree and output) reachable for ABORT_DELAY after the response, hundreds of them under load.
    const timer = setTimeout(() => abort(), ABORT_DELAY);
    const chunks: Buffer[] = [];
    const sink = new PassThrough();
    sink.on("data", (chunk: Buffer) => chunks.push(chunk));
    sink.on("end", () => {
      clearTimeout(timer);
      // Security headers (CSP, nosniff, framing, referrer, caching) come from server.js for
      // every response alike (app/utils/security-headers.server.ts).
      responseHeaders.set("Content-Type", "text/html; charset=utf-8");
      resolve(new Response(Buffer.concat(chunks), { headers: responseHeaders, status: failed ? 500 : responseStatusCode }));
    });
    const { pipe, abort } = renderToPipeableStream(
      <NonceContext.Provider value={nonce}>
        <RemixServer context={remixContext} url={request.url} abortDelay={ABORT_DELAY} nonce={nonce} />
      </NonceContext.Provider>,
      {
        nonce,
        onAllReady() {
          pipe(sink);
        },
        onShellError(error: unknown) {
          clearTimeout(timer);
          reject(error);
        },
        onError(error: unknown) {
          failed = true;
          logger.error({ err: error }, "render error");
        },
      },
    );
  });
}
