import { describe, expect, it } from "vitest";
import { isLoopbackAddress, servedToLocalDeveloper } from "./dev-only.server";

describe("development-only pages", () => {
  it("knows the loopback addresses as Node reports a peer", () => {
    for (const ip of ["127.0.0.1", "127.1.2.3", "::1", "0:0:0:0:0:0:0:1", "::ffff:127.0.0.1"]) expect(isLoopbackAddress(ip), ip).toBe(true);
    for (const ip of ["10.0.0.1", "192.168.1.10", "203.0.113.9", "::ffff:10.0.0.1", "::2", "fe80::1", "0.0.0.0", "::", "localhost", "unknown", "", null, undefined, "127.0.0.1.evil"]) {
      expect(isLoopbackAddress(ip), String(ip)).toBe(false);
    }
  });

  it("answers only in development, to a loopback client, not through a proxy", () => {
    const none = new Headers();
    expect(servedToLocalDeveloper("development", "127.0.0.1", none)).toBe(true);
    expect(servedToLocalDeveloper("development", "::1", none)).toBe(true);
    expect(servedToLocalDeveloper("production", "127.0.0.1", none)).toBe(false);
    expect(servedToLocalDeveloper("test", "127.0.0.1", none)).toBe(false);
    expect(servedToLocalDeveloper("development", "192.168.1.10", none)).toBe(false);
    expect(servedToLocalDeveloper("development", "unknown", none)).toBe(false);
    // A local reverse proxy makes every visitor look local; a forwarded request is refused.
    expect(servedToLocalDeveloper("development", "127.0.0.1", new Headers({ "X-Forwarded-For": "203.0.113.9" }))).toBe(false);
    expect(servedToLocalDeveloper("development", "127.0.0.1", new Headers({ Forwarded: "for=203.0.113.9" }))).toBe(false);
    expect(servedToLocalDeveloper("development", "127.0.0.1", new Headers({ "X-Real-IP": "203.0.113.9" }))).toBe(false);
  });
});
