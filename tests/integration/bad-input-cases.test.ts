/**
 * Bad input answered with a 4xx, case by case (issue 28 item 4, ADR 0027): the request body
 * guard (413/415/400), control characters refused with a field message, numbers beyond the
 * column's range, crafted cursors, and odd Origins refused by our own check. The generated
 * counterpart is bad-input.test.ts.
 */
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { rowsOf } from "../../db/client";
import { withSystem } from "../../app/utils/db.server";
import { encodeCursor } from "../../app/utils/list";
import { checkOrigin, screenRequest } from "../../app/utils/origin.server";
import { createCustomer, createPartner, PASSWORD, relate, type OrgFixture } from "../support/factories";
import { installTestDatabase } from "../support/db";
import { APP, Browser, serve, signedIn } from "../support/http";

installTestDatabase();

let P: OrgFixture, C: OrgFixture;
let partner: Browser, customer: Browser;
let subscriptionId: string;
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
const UUID = "3f9a1c2e-8b7d-4e6f-a5b4-c3d2e1f0a9b8";

beforeAll(async () => {
  [P, C] = await Promise.all([createPartner(), createCustomer()]);
  await relate(P, C);
  [partner, customer] = await Promise.all([signedIn(P.users.global_admin!.email), signedIn(C.users.global_admin!.email)]);
  subscriptionId = await withSystem(async (tx) =>
    rowsOf<{ id: string }>(await tx.execute(sql`insert into subscriptions (customer_org_id, product_id, licences, status) values (${C.orgId}, 'visio-plan-2', 3, 'active') returning id`))[0]!.id,
  );
});

/** A POST as the browser sends it, with the body and content type given. */
async function post(b: Browser, path: string, body: BodyInit, contentType?: string, extra: Record<string, string> = {}) {
  const headers = new Headers({ Origin: APP, "X-Forwarded-Host": new URL(APP).host, ...extra });
  if (contentType) headers.set("Content-Type", contentType);
  headers.set("Cookie", [...b.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
  const res = await serve(new Request(`${APP}${path}`, { method: "POST", headers, body }), b.ip);
  return { status: res.status, text: (await res.text()).replaceAll("<!-- -->", "") };
}

describe("request bodies", () => {
  it("answers a body that is not a form with 415, before reading it", async () => {
    for (const [type, body] of [
      ["application/json", JSON.stringify({ name: "JSON Partner" })],
      ["text/plain", "name=Text Partner"],
      ["application/xml", "<name>x</name>"],
    ] as const) {
      expect((await post(partner, "/partner/profile", body, type)).status, type).toBe(415);
    }
    expect((await post(partner, "/partner/profile", "name=No type")).status).toBe(415);
    const [org] = await withSystem(async (tx) => rowsOf<{ name: string }>(await tx.execute(sql`select name from organisations where id = ${P.orgId}`)));
    expect(org!.name).toBe(P.name);
  });

  it("answers a malformed multipart body with 400", async () => {
    expect((await post(partner, "/partner/profile", "--x\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nTruncated", "multipart/form-data; boundary=x")).status).toBe(400);
    expect((await post(partner, "/partner/profile", "name=x", "multipart/form-data")).status).toBe(400);
  });

  it("answers a body over the limit (1 MB by default) with 413, a form under it as usual", async () => {
    const big = await post(partner, "/partner/profile", `name=${"x".repeat(1_100_000)}`, "application/x-www-form-urlencoded");
    expect(big.status).toBe(413);
    expect(big.text).toContain("The form is too large");
    const form = new FormData();
    form.append("name", "x".repeat(1_100_000));
    expect((await post(partner, "/partner/profile", form)).status).toBe(413);
    expect((await partner.fetch("/partner/profile", { form: { name: `${P.name} Renamed` } })).status).toBe(302);
  });

  it("lets a product-key import through up to its own cap, and refuses a larger file on the form", async () => {
    const form = new FormData();
    form.append("file", new File([`key,product,licences\n${"x".repeat(1_300_000)}`], "big.csv", { type: "text/csv" }));
    const res = await post(partner, "/partner/product-keys?index", form);
    expect(res.status).toBe(413);
    expect(res.text).toContain("The file is larger than 1 MB");
  });
});

describe("text fields", () => {
  it("refuses NUL and other control characters with a field message, and stores nothing", async () => {
    for (const name of ["Evil\u0000Name", "Bell\u0007", "Esc\u001b[31m", "C1\u0085"]) {
      const res = await partner.fetch("/partner/profile", { form: { name } });
      expect(res.status, JSON.stringify(name)).toBe(400);
      expect((await res.text()).replaceAll("<!-- -->", "")).toContain("Remove the control characters");
    }
    const website = await partner.fetch("/partner/profile", { form: { name: P.name, website: "https://fuzz.example/a\u0000b" } });
    expect(website.status).toBe(400);
    const [org] = await withSystem(async (tx) => rowsOf<{ name: string }>(await tx.execute(sql`select name from organisations where id = ${P.orgId}`)));
    expect(org!.name).not.toMatch(/\p{Cc}/u);
  });

  it("keeps line breaks and tabs in multi-line text, refuses NUL there too", async () => {
    const ok = await partner.fetch(`/partner/customers/${C.orgId}/service-requests`, { form: { intent: "open", title: "Printer", description: "Line one\r\n\tLine two" } });
    expect(ok.status).not.toBe(500);
    const res = await partner.fetch(`/partner/customers/${C.orgId}/service-requests`, { form: { intent: "open", title: "Printer", description: "Line\u0000two" } });
    expect(res.status).toBe(400);
  });

  it("refuses NUL in search terms without failing: the list answers", async () => {
    for (const url of ["/partner/customers?q=a%00b", "/partner/relationships?q=%00", "/partners?q=x%00&city=%00"]) {
      expect((await partner.html(url)).status, url).toBe(200);
    }
  });
});

describe("numbers", () => {
  it("refuses numbers beyond the column's range with a field message", async () => {
    for (const licences of ["99999999999", "2147483648", "1e309", "-2147483649"]) {
      const res = await customer.fetch("/customer/subscriptions", { form: { intent: "licences", id: subscriptionId, licences } });
      expect(res.status, licences).toBe(400);
    }
    const res = await customer.fetch("/customer/subscriptions", { form: { intent: "set-partner", id: subscriptionId, partnerNumber: "99999999999" } });
    expect(res.status).toBe(400);
    const [sub] = await withSystem(async (tx) => rowsOf<{ licences: number }>(await tx.execute(sql`select licences from subscriptions where id = ${subscriptionId}`)));
    expect(sub!.licences).toBe(3);
  });

  it("reads out-of-range page positions as none", async () => {
    for (const url of ["/partner/audit?before=99999999999999999999999", "/partner/audit?after=1e300", "/customer/activity?before=99999999999999999999"]) {
      const b = url.startsWith("/customer") ? customer : partner;
      expect((await b.html(url)).status, url).toBe(200);
    }
  });
});

describe("cursors", () => {
  const crafted = [
    b64(["2026-13-45T99:99:99.000000", UUID]),
    b64(["2026-02-30T12:00:00.000000", UUID]),
    b64(["2026-01-01T00:00:00.000000", "not-a-uuid"]),
    b64(["x\u0000y", UUID]),
    b64([1e300, "a", "b"]),
    b64({ a: 1 }),
    "not-base64!",
    encodeCursor(["2026-01-01T00:00:00.000000", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"]),
    encodeCursor(["a\u0000", UUID]),
  ];
  it("answers a crafted cursor with the first page, on every list that pages by cursor", async () => {
    for (const cursor of crafted) {
      for (const path of ["/partner/customers", "/partner/customers?sort=created", "/partner/subscriptions", "/partner/relationships", "/partner/leads", "/partner/product-keys", "/partners"]) {
        for (const key of ["after", "before"]) {
          const url = `${path}${path.includes("?") ? "&" : "?"}${key}=${encodeURIComponent(cursor)}`;
          expect((await partner.html(url)).status, url).toBe(200);
        }
      }
      for (const url of [`/notifications?before=${encodeURIComponent(cursor)}`, "/notifications?before=5", "/notifications?before=2026-02-30T00:00:00Z", `/partner/customers/export.csv?after=${encodeURIComponent(cursor)}`]) {
        expect((await partner.html(url)).status, url).toBe(200);
      }
    }
  });
});

describe("redirectTo", () => {
  it("signs in with CR/LF, tabs or another host in redirectTo and lands on a same-origin page", async () => {
    for (const redirectTo of ["/partner\r\nSet-Cookie: evil=1", "/\r\nLocation: https://evil.example", "/\t/evil.example", "//evil.example", "/\u0000x"]) {
      const b = new Browser();
      const res = await b.fetch("/signin", { form: { email: P.users.sales_agent!.email, password: PASSWORD, redirectTo } });
      expect(res.status, JSON.stringify(redirectTo)).toBe(302);
      const location = res.headers.get("Location")!;
      expect(location.startsWith("/") && !location.startsWith("//"), location).toBe(true);
      expect(location).not.toMatch(/[\r\n\t\\]/);
      expect(res.headers.get("Set-Cookie")).not.toContain("evil");
    }
  });
});

describe("Origin", () => {
  it("refuses Origin null with a same-origin Referer, and any odd Origin, with 403 from our own check", async () => {
    for (const origin of ["null", "::::", "http://[", "https://evil.example", `${APP}.evil.example`, APP.toUpperCase()]) {
      const res = await post(partner, "/partner/profile", "name=Via+odd+origin", "application/x-www-form-urlencoded", { Origin: origin, Referer: `${APP}/partner/profile` });
      expect(res.status, origin).toBe(403);
    }
    // The same-origin Origin with another Host is what Remix's own check throws on: ours refuses it first.
    const res = await post(partner, "/partner/profile", "name=Via+other+host", "application/x-www-form-urlencoded", { "X-Forwarded-Host": "evil.example" });
    expect(res.status).toBe(403);
    const [org] = await withSystem(async (tx) => rowsOf<{ name: string }>(await tx.execute(sql`select name from organisations where id = ${P.orgId}`)));
    expect(org!.name).not.toMatch(/Via/);
  });

  it("never throws, whatever the headers", () => {
    for (const origin of [null, "null", "", "::::", "http://[", "https://evil.example", APP]) {
      for (const referer of [null, "", "::::", `${APP}/x`, "https://evil.example/"]) {
        expect(() => checkOrigin({ method: "POST", origin, referer, host: "localhost:3999" }, APP)).not.toThrow();
      }
    }
    expect(checkOrigin({ method: "POST", origin: "null", referer: `${APP}/partner` }, APP)).toMatchObject({ ok: false });
    expect(checkOrigin({ method: "POST", origin: null, referer: `${APP}/partner` }, APP)).toEqual({ ok: true });
  });

  it("answers data URLs only for GET and POST", () => {
    for (const method of ["HEAD", "OPTIONS", "PUT", "DELETE", "PATCH"]) {
      expect(screenRequest({ method, pathname: "/partner/customers.data", header: () => null }, APP)).toMatchObject({ ok: false, status: 405 });
    }
    expect(screenRequest({ method: "GET", pathname: "/partner/customers.data", header: () => null }, APP)).toEqual({ ok: true });
  });
});
