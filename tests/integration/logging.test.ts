/**
 * Failed queries are logged without their bound parameters or the rows they carried (issue 28
 * item 4, ADR 0027): drizzle puts the parameters in its error's message ("params: …"), PGlite and
 * postgres.js attach them as fields, and PostgreSQL's `detail` quotes the failing row, password
 * hash included. The log line keeps what an operator needs: the message, the SQL with
 * placeholders, the error code.
 */
import { sql } from "drizzle-orm";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { hashPassword } from "../../app/modules/auth/crypto.server";
import { withSystem } from "../../app/utils/db.server";
import { loggerOptions, safeErrorMessage, serializeError } from "../../app/utils/logger.server";
import { uniq } from "../support/factories";
import { installTestDatabase } from "../support/db";

installTestDatabase();

/** The app's logger options writing to memory. */
function capture() {
  const lines: string[] = [];
  const log = pino({ ...loggerOptions, level: "info" }, { write: (line: string) => lines.push(line) });
  return { log, text: () => lines.join("") };
}

async function failing(work: Parameters<typeof withSystem>[0]): Promise<unknown> {
  try {
    await withSystem(work);
  } catch (error) {
    return error;
  }
  throw new Error("the statement did not fail");
}

describe("failed-query logs", () => {
  it("hold neither the bound parameters nor the value PostgreSQL quotes back", async () => {
    const secret = `secret-${uniq()}-parameter`;
    const error = await failing((tx) => tx.execute(sql`select ${secret}::int as n`));
    // Unredacted, pino's own serializer would write the secret: the test is about something real.
    expect(JSON.stringify(pino.stdSerializers.err(error as Error))).toContain(secret);
    const { log, text } = capture();
    log.error({ err: error, url: "/partner/profile" }, "unhandled error");
    expect(text()).not.toContain(secret);
    const line = JSON.parse(text()) as { err: { message: string; cause?: { code?: string } } };
    expect(line.err.message).toContain("select $1::int as n");
    expect(line.err.message).toContain("params: [redacted]");
    expect(JSON.stringify(line.err)).toContain("22P02"); // invalid_text_representation, still there
    expect(safeErrorMessage(error)).not.toContain(secret);
    // server.js hands the same serializer to pino-http, which runs pino's own one first.
    const wrapped = pino.stdSerializers.wrapErrorSerializer(serializeError as (e: pino.SerializedError) => pino.SerializedError);
    expect(JSON.stringify(wrapped(error as Error))).not.toContain(secret);
  });

  it("hold no password hash from a failing row", async () => {
    const hash = await hashPassword(`Correct-${uniq()}-horse`);
    const email = `${uniq()}@logging.test`;
    // display_name is NOT NULL: PostgreSQL's detail would be "Failing row contains (…, <hash>, …)".
    const error = await failing((tx) => tx.execute(sql`insert into users (email, display_name, password_hash) values (${email}, null, ${hash})`));
    const { log, text } = capture();
    log.error({ err: error }, "unhandled error");
    log.warn({ error }, "job failed");
    expect(text()).not.toContain(hash);
    expect(text()).not.toContain(hash.slice(-20));
    expect(text()).not.toContain(email);
    expect(text()).toContain("23502"); // not_null_violation
  });

  it("hold no mailed link's token, in the error or in the URL handleError logs", async () => {
    const token = `tok${uniq()}${uniq()}`;
    const { log, text } = capture();
    const { redactTokens } = await import("../../app/utils/redact-url");
    log.error({ err: new Error(`No route matches URL "/activate/${token}/x"`), url: redactTokens(`http://localhost/reset-password/${token}`) }, "unhandled error");
    expect(text()).not.toContain(token);
    expect(text()).toContain("/activate/[redacted]/x");
    expect(text()).toContain("/reset-password/[redacted]");
  });

  it("keep an error without values as it was", () => {
    const { log, text } = capture();
    log.error({ err: new Error("the worker pass failed") }, "worker pass failed");
    expect(text()).toContain("the worker pass failed");
  });
});
