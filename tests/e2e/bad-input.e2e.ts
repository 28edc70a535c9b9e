/**
 * Issue 28 item 4 against the real server.js (Express in front of Remix): the body guard, the
 * Origin screen and the data-URL methods answer with a 4xx there too, and nothing is a 500.
 * (The generated test, tests/integration/bad-input.test.ts, drives the same build through the
 * tests' request handler, which calls the same screenRequest.)
 */
import { beforeAll, describe, expect, it } from "vitest";
import { signInOverHttp, setUpApp } from "./support";

const app = await setUpApp({ browser: false, env: { HOST: "127.0.0.1", LOG_LEVEL: "info" } });
const base = app.url;
let cookie = "";

beforeAll(async () => {
  const signedIn = await signInOverHttp(base, "admin@northwind.example");
  expect(signedIn.status).toBe(302);
  cookie = signedIn.cookie;
});

const post = (pathname: string, body: BodyInit, headers: Record<string, string> = {}) =>
  fetch(`${base}${pathname}`, { method: "POST", redirect: "manual", headers: { Origin: base, Cookie: cookie, ...headers }, body, duplex: "half" } as RequestInit);

describe("bad input against server.js", () => {
  it("answers a body that is not a form with 415", async () => {
    expect((await post("/partner/profile", JSON.stringify({ name: "x" }), { "Content-Type": "application/json" })).status).toBe(415);
    expect((await post("/partner/profile", "name=x", { "Content-Type": "text/plain" })).status).toBe(415);
  });

  it("answers a body over 1 MB with 413, declared or streamed, and broken multipart with 400", async () => {
    expect((await post("/partner/profile", `name=${"x".repeat(1_100_000)}`, { "Content-Type": "application/x-www-form-urlencoded" })).status).toBe(413);
    const chunks = Array.from({ length: 20 }, () => new TextEncoder().encode("x".repeat(64 * 1024)));
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    expect((await post("/partner/profile", stream, { "Content-Type": "application/x-www-form-urlencoded" })).status).toBe(413);
    expect((await post("/partner/profile", "--x\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nTrunc", { "Content-Type": "multipart/form-data; boundary=x" })).status).toBe(400);
  });

  it("refuses Origin null with a same-origin Referer, and an odd Origin, with 403", async () => {
    for (const origin of ["null", "::::", "https://evil.example"]) {
      const res = await post("/partner/profile", "name=Null+origin", { Origin: origin, Referer: `${base}/partner/profile`, "Content-Type": "application/x-www-form-urlencoded" });
      expect(res.status, origin).toBe(403);
    }
  });

  it("answers data URLs only for GET and POST", async () => {
    for (const method of ["HEAD", "OPTIONS", "PUT"]) {
      const res = await fetch(`${base}/partner.data`, { method, headers: { Cookie: cookie, Origin: base } });
      expect(res.status, method).toBe(405);
    }
  });

  it("refuses NUL in a field with a field message, reads NUL in a search and crafted cursors as none", async () => {
    const res = await post("/partner/profile", "name=Evil%00Name", { "Content-Type": "application/x-www-form-urlencoded" });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("Remove the control characters");
    const crafted = Buffer.from(JSON.stringify(["2026-13-45T99:99:99.000000", "not-a-uuid"])).toString("base64url");
    for (const url of ["/partner/customers?q=%00", `/partner/relationships?after=${crafted}`, `/partner/subscriptions?before=${crafted}`, "/partner/audit?before=99999999999999999999999"]) {
      expect((await fetch(`${base}${url}`, { headers: { Cookie: cookie } })).status, url).toBe(200);
    }
  });

  it("logged no 500", () => {
    const log = app.server.output();
    expect(log).not.toMatch(/"statusCode":5\d\d/);
    expect(log).not.toContain("unhandled error");
  });
});
