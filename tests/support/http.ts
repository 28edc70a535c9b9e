/**
 * Drives the built app (build/index.js, from `npm run build`) through Remix's request handler,
 * as the HTTP server does, with a cookie jar per simulated browser.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createRequestHandler, type ServerBuild } from "@remix-run/node";
import { sql } from "drizzle-orm";
import { totpCode } from "../../app/modules/auth/mfa.server";
import { withSystem } from "../../app/utils/db.server";
import { PASSWORD, TOTP_SECRET } from "./factories";

let buildPromise: Promise<ServerBuild> | undefined;
export function loadBuild(): Promise<ServerBuild> {
  buildPromise ??= import(pathToFileURL(path.resolve("build/index.js")).href) as Promise<ServerBuild>;
  return buildPromise;
}

export const APP = "http://localhost:3999";

type FrontDoor = {
  screenRequest: (
    request: { method: string; pathname: string; header: (name: string) => string | null },
    appUrl: string,
  ) => { ok: true } | { ok: false; status: number; message: string };
};

/**
 * One request as the HTTP server answers it: server.js's screening (the build's own function, as
 * server.js calls it: the Origin check, methods on data URLs), then Remix's request handler.
 */
export async function serve(request: Request, clientIp: string): Promise<Response> {
  const build = await loadBuild();
  const app = build.entry.module as unknown as FrontDoor;
  const verdict = app.screenRequest({ method: request.method, pathname: new URL(request.url).pathname, header: (name) => request.headers.get(name) }, APP);
  if (!verdict.ok) return new Response(verdict.message, { status: verdict.status });
  return createRequestHandler(build, "production")(request, { clientIp });
}

export class Browser {
  cookies = new Map<string, string>();
  constructor(public ip = `10.0.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`) {}

  async fetch(pathname: string, init: { method?: string; form?: Record<string, string | string[]>; multipart?: FormData; headers?: Record<string, string> } = {}) {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set("Cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    let body: URLSearchParams | FormData | undefined;
    if (init.multipart) {
      body = init.multipart;
      headers.set("Origin", APP);
      headers.set("X-Forwarded-Host", new URL(APP).host);
    } else if (init.form) {
      body = new URLSearchParams();
      for (const [k, v] of Object.entries(init.form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
      headers.set("Content-Type", "application/x-www-form-urlencoded");
      headers.set("Origin", APP);
      headers.set("X-Forwarded-Host", new URL(APP).host);
    }
    const response = await serve(new Request(`${APP}${pathname}`, { method: init.method ?? (body ? "POST" : "GET"), headers, body }), this.ip);
    for (const c of response.headers.getSetCookie()) {
      const [pair, ...attrs] = c.split(";");
      const [name, ...rest] = pair!.split("=");
      const value = rest.join("=");
      if (!value || attrs.some((a) => /max-age=0/i.test(a.trim()) || /expires=Thu, 01 Jan 1970/i.test(a.trim()))) this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value);
    }
    return response;
  }

  async html(pathname: string) {
    const res = await this.fetch(pathname);
    // React separates adjacent text nodes with comments; drop them so assertions read like the page.
    const text = (await res.text()).replaceAll("<!-- -->", "");
    return { status: res.status, text, location: res.headers.get("Location") };
  }

  /**
   * Signs in with the password and, when the account has a second factor (every partner's staff
   * do), the authenticator code of TOTP_SECRET. A code is accepted once per 30-second step, and
   * tests sign the same person in more often: the fixture's record of the last step is cleared first.
   */
  async signIn(email: string, password = PASSWORD, { totpSecret = TOTP_SECRET }: { totpSecret?: string } = {}) {
    const res = await this.fetch("/signin", { form: { email, password } });
    if (res.status !== 302) throw new Error(`sign-in of ${email} failed: ${res.status}`);
    if (res.headers.get("Location") !== "/signin/verify") return res;
    const verified = await this.secondFactor(email, totpSecret);
    if (verified.status !== 302) throw new Error(`second factor of ${email} failed: ${verified.status}`);
    return verified;
  }

  /** The sign-in's second step (/signin/verify) with the current code of TOTP_SECRET (see signIn). */
  async secondFactor(email: string, totpSecret = TOTP_SECRET) {
    await withSystem((tx) => tx.execute(sql`update user_factors set totp_last_step = null where kind = 'totp' and user_id = (select id from users where email = ${email.toLowerCase()})`));
    return this.fetch("/signin/verify", { form: { intent: "code", code: totpCode(totpSecret) } });
  }

  /**
   * Sets up an authenticator app through the security page as a person would: starts, reads the
   * manual key off the page, confirms with its current code. Returns the secret and the recovery
   * codes the page showed once.
   */
  async enrolTotp(password = PASSWORD): Promise<{ secret: string; recoveryCodes: string[] }> {
    const started = await this.fetch("/account/security", { form: { intent: "totp-start", password } });
    if (started.status !== 302) throw new Error(`setting up an authenticator app did not start: ${started.status} ${await started.text()}`);
    const page = await this.html("/account/security");
    const key = page.text.match(/<code class="manual-key">([A-Z2-7 ]+)<\/code>/)?.[1];
    if (!key) throw new Error("the security page shows no manual key");
    const secret = key.replace(/ /g, "");
    const confirmed = await this.fetch("/account/security", { form: { intent: "totp-confirm", code: totpCode(secret) } });
    const text = (await confirmed.text()).replaceAll("<!-- -->", "");
    if (confirmed.status !== 200) throw new Error(`confirming the authenticator app failed: ${confirmed.status} ${text.slice(0, 300)}`);
    return { secret, recoveryCodes: [...text.matchAll(/<code>([a-z2-9]{5}-[a-z2-9]{5})<\/code>/g)].map((m) => m[1]!) };
  }
}

export async function signedIn(email: string) {
  const b = new Browser();
  await b.signIn(email);
  return b;
}
