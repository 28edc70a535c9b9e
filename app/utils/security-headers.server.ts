/**
 * Security headers on every response the HTTP server sends (ADR 0028): pages, `.data`, CSV,
 * /healthz, static files, refusals and 404s. server.js mounts these first, before anything can
 * answer. helmet writes the headers; this module only chooses them.
 *
 * - Content-Security-Policy with a fresh nonce per request (res.locals.cspNonce, passed through the
 *   load context to <RemixServer>, <Scripts>, <ScrollRestoration> and <LiveReload>): no inline
 *   script runs without it, none from another origin, no inline event handler, no style attribute
 *   or inline <style> ('unsafe-inline' is in neither script-src nor style-src), and no framing.
 * - Strict-Transport-Security only when APP_URL is https (over http a browser ignores it, and a
 *   development server on http must not pin localhost to https).
 * - Cache-Control: no-store on every response that does not set its own caching: documents,
 *   `.data`, resource routes, health and refusals. Static files (public/, /build/) and Remix's route
 *   manifest keep theirs; they hold no one's data.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import helmet from "helmet";

type Middleware = (req: IncomingMessage, res: ServerResponse & { locals?: Record<string, unknown> }, next: (err?: unknown) => void) => void;

export interface SecurityHeaderOptions {
  /** The public origin; https turns on HSTS and upgrade-insecure-requests. */
  appUrl: string;
  /**
   * `remix dev`'s origin (REMIX_DEV_ORIGIN) when the page connects to its live-reload socket:
   * its ws:// origin is added to connect-src. Unset outside `npm run dev`.
   */
  liveReloadOrigin?: string;
}

/** A fresh 128-bit nonce for one response. */
export const newNonce = () => randomBytes(16).toString("base64");

const nonceOf = (res: ServerResponse) => (res as ServerResponse & { locals?: { cspNonce?: string } }).locals?.cspNonce ?? "";

/** The CSP directives (exported for the tests and the ADR). */
export function cspDirectives({ appUrl, liveReloadOrigin }: SecurityHeaderOptions) {
  const https = appUrl.startsWith("https://");
  const connect = ["'self'"];
  if (liveReloadOrigin) {
    const dev = new URL(liveReloadOrigin);
    connect.push(`${dev.protocol === "https:" ? "wss" : "ws"}://${dev.host}`);
  }
  return {
    "default-src": ["'self'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
    "script-src": ["'self'", (_req: IncomingMessage, res: ServerResponse) => `'nonce-${nonceOf(res)}'`],
    "script-src-attr": ["'none'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": connect,
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "frame-src": ["'none'"],
    "worker-src": ["'none'"],
    "manifest-src": ["'self'"],
    ...(https ? { "upgrade-insecure-requests": [] } : {}),
  };
}

/**
 * The middlewares, in order: a nonce for this response, helmet's headers, and the no-store
 * default (applied when the headers are written, so whatever answers later may still set its own).
 */
export function securityHeaders(options: SecurityHeaderOptions): Middleware[] {
  const https = options.appUrl.startsWith("https://");
  const nonce: Middleware = (_req, res, next) => {
    res.locals ??= {};
    res.locals.cspNonce = newNonce();
    next();
  };
  const headers = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: cspDirectives(options) },
    // Only over https; a year, this host only (its parent domain's other hosts are not ours to pin).
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: false } : false,
    // The Origin check (server.js) needs the browser's Origin on same-origin form posts, which
    // "no-referrer" would turn into "null"; cross-origin requests get the origin only.
    referrerPolicy: { policy: "strict-origin-when-cross-origin" },
    xFrameOptions: { action: "deny" },
    crossOriginOpenerPolicy: { policy: "same-origin" },
    crossOriginResourcePolicy: { policy: "same-origin" },
  }) as Middleware;
  const noStoreByDefault: Middleware = (_req, res, next) => {
    const writeHead = res.writeHead;
    res.writeHead = function (this: ServerResponse, ...args: Parameters<typeof writeHead>) {
      if (!this.hasHeader("Cache-Control")) this.setHeader("Cache-Control", "no-store");
      return writeHead.apply(this, args);
    } as typeof writeHead;
    next();
  };
  return [nonce, headers, noStoreByDefault];
}
