import { parseWithZod } from "@conform-to/zod";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DomainError, RateLimited } from "./errors";
import { handleDomainError } from "./http.server";

const form = (entries: Record<string, string>) => {
  const formData = new FormData();
  for (const [name, value] of Object.entries(entries)) formData.append(name, value);
  return formData;
};
const submissionOf = (entries: Record<string, string>) =>
  parseWithZod(form(entries), { schema: z.object({ name: z.string(), customerDomain: z.string().optional(), password: z.string().optional() }) });

/** What the response says: a thrown Response's status, body and headers. */
async function thrown(run: () => unknown) {
  try {
    run();
  } catch (answer) {
    if (!(answer instanceof Response)) throw answer;
    return { status: answer.status, text: await answer.text(), retryAfter: answer.headers.get("Retry-After") };
  }
  throw new Error("nothing was thrown");
}

describe("handleDomainError, the one mapper from domain errors to responses", () => {
  it("with a submission: the message on its field, with the error's status", () => {
    const answer = handleDomainError(new DomainError(409, "A group named x exists.", "name"), submissionOf({ name: "x" }));
    expect(answer.init?.status).toBe(409);
    expect(answer.data.error).toEqual({ name: ["A group named x exists."] });
    expect(answer.data.initialValue).toMatchObject({ name: "x" });
  });

  it("renames a domain field to the form's, keeps a field-less message as a form error, and hides passwords", () => {
    const renamed = handleDomainError(new DomainError(404, "None of your customers has this domain.", "customer"), submissionOf({ name: "x" }), { fields: { customer: "customerDomain" } });
    expect(renamed.data.error).toEqual({ customerDomain: ["None of your customers has this domain."] });
    const formError = handleDomainError(new DomainError(403, "Not yours."), submissionOf({ name: "x", password: "secret-secret" }), { hideFields: ["password"] });
    expect(formError.init?.status).toBe(403);
    expect(formError.data.error).toEqual({ "": ["Not yours."] });
    expect(JSON.stringify(formError.data)).not.toContain("secret-secret");
  });

  it("a rate limit answers 429 with Retry-After, on the form and without one", async () => {
    const limited = new RateLimited("Too many just now.", 120);
    const answer = handleDomainError(limited, submissionOf({ name: "x" }));
    expect(answer.init?.status).toBe(429);
    expect(new Headers(answer.init?.headers).get("Retry-After")).toBe("120");
    expect(await thrown(() => handleDomainError(limited))).toEqual({ status: 429, text: "Too many just now.", retryAfter: "120" });
  });

  it("without a submission (loaders, forms without fields): a thrown Response with the status and the message", async () => {
    expect(await thrown(() => handleDomainError(new DomainError(404, "No such customer.")))).toEqual({ status: 404, text: "No such customer.", retryAfter: null });
    await expect(Promise.reject(new DomainError(410, "The link has expired.")).catch(handleDomainError)).rejects.toBeInstanceOf(Response);
  });

  it("goneIsPage: a field-less 404 or 410 is the page's answer even with a submission; a field keeps it on the form", async () => {
    expect(await thrown(() => handleDomainError(new DomainError(410, "Revoked."), submissionOf({ name: "x" }), { goneIsPage: true }))).toMatchObject({ status: 410, text: "Revoked." });
    expect(handleDomainError(new DomainError(404, "No such product.", "name"), submissionOf({ name: "x" }), { goneIsPage: true }).init?.status).toBe(404);
  });

  it("anything but a DomainError is rethrown as it is", () => {
    const fault = new Error("connection lost");
    expect(() => handleDomainError(fault, submissionOf({ name: "x" }))).toThrow(fault);
    expect(() => handleDomainError(fault)).toThrow(fault);
  });
});
