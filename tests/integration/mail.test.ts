import { SMTPServer } from "smtp-server";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { rowsOf } from "../../db/client";
import { getDatabase, withSystem, withTenant } from "../../app/utils/db.server";
import { deliverPendingMail, enqueueMail, resetMailTransport } from "../../app/modules/platform/mail.server";
import { enqueueJob } from "../../app/modules/platform/jobs.server";
import { config } from "../../app/utils/config.server";
import { createPartner, uniq } from "../support/factories";
import { runJobs } from "../support/jobs";
import { installTestDatabase } from "../support/db";

const received: { to: string[]; data: string }[] = [];
let connections = 0;
let server: SMTPServer;
// Before any module reads the configuration.
const port = vi.hoisted(() => {
  const p = 20000 + Math.floor(Math.random() * 20000);
  process.env.SMTP_URL = `smtp://127.0.0.1:${p}`;
  return p;
});

installTestDatabase();

beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    disableReverseLookup: true,
    onConnect(_session, callback) {
      connections++;
      callback();
    },
    onData(stream, session, callback) {
      let data = "";
      stream.on("data", (c: Buffer) => (data += c.toString()));
      stream.on("end", () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
});
afterAll(async () => {
  resetMailTransport();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("mail", () => {
  it("is queued in the change's transaction: a rolled-back change sends nothing", async () => {
    const p = await createPartner(["global_admin"]);
    const ctx = { orgId: p.orgId, userId: p.users.global_admin!.id };
    await expect(
      withTenant(ctx, async (tx) => {
        await enqueueMail(tx, { orgId: p.orgId, to: ["rolled-back@x.test"], subject: "never", text: "never" });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    await withTenant(ctx, (tx) => enqueueMail(tx, { orgId: p.orgId, to: ["kept@x.test"], subject: "Hello over SMTP", text: "Body text" }));
    const { db } = await getDatabase();
    while ((await deliverPendingMail(db)) > 0);
    const mine = received.filter((m) => m.to.includes("kept@x.test"));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.data).toContain("Subject: Hello over SMTP");
    expect(received.some((m) => m.to.includes("rolled-back@x.test"))).toBe(false);
    const [row] = await withSystem(async (tx) => rowsOf<{ sent: boolean }>(await tx.execute(sql`select sent_at is not null as sent from mail_outbox where 'kept@x.test' = any("to")`)));
    expect(row!.sent).toBe(true);
  });

  it("delivers a batch over one pooled connection, not one connection per message", async () => {
    const { db } = await getDatabase();
    // Other files' mail may be pending on a shared database: deliver it first.
    while ((await deliverPendingMail(db, 100)) > 0);
    const p = await createPartner(["global_admin"]);
    await withTenant({ orgId: p.orgId, userId: null }, async (tx) => {
      for (let i = 0; i < 5; i++) await enqueueMail(tx, { orgId: p.orgId, to: [`batch-${i}@x.test`], subject: `Batch ${i}`, text: "t" });
    });
    resetMailTransport();
    const before = connections;
    await deliverPendingMail(db, 100);
    expect(received.filter((m) => m.to.some((t) => t.startsWith("batch-")))).toHaveLength(5);
    expect(connections - before).toBe(1);
  });

  it("retries later with backoff when the SMTP server is down", async () => {
    const p = await createPartner(["global_admin"]);
    await withTenant({ orgId: p.orgId, userId: null }, (tx) => enqueueMail(tx, { orgId: p.orgId, to: ["later@x.test"], subject: "s", text: "t" }));
    resetMailTransport();
    const { config } = await import("../../app/utils/config.server");
    const original = config().SMTP_URL;
    (config() as { SMTP_URL?: string }).SMTP_URL = "smtp://127.0.0.1:1"; // nothing listens there
    try {
      const { db } = await getDatabase();
      await deliverPendingMail(db);
    } finally {
      (config() as { SMTP_URL?: string }).SMTP_URL = original;
      resetMailTransport();
    }
    const [row] = await withSystem(async (tx) =>
      rowsOf<{ attempts: number; later: boolean; err: string | null }>(
        await tx.execute(sql`select attempts, next_attempt_at > now() as later, last_error as err from mail_outbox where 'later@x.test' = any("to")`),
      ),
    );
    expect(row!.attempts).toBe(1);
    expect(row!.later).toBe(true);
    expect(row!.err).toBeTruthy();
  });

  it("blanks the body of mail sent longer ago than MAIL_BODY_RETENTION_DAYS in the hourly sweep; newer and unsent mail keep theirs", async () => {
    const days = config().MAIL_BODY_RETENTION_DAYS;
    expect(days).toBe(7);
    const tag = uniq();
    const link = (n: string) => `http://localhost:3000/reset-password/${tag}-${n}`;
    const mails = { old: days + 1, recent: days - 1, unsent: null } as const;
    await withSystem(async (tx) => {
      for (const [name, sentDaysAgo] of Object.entries(mails)) {
        await enqueueMail(tx, { orgId: null, to: [`${name}-${tag}@x.test`], subject: `Reset ${name}`, text: `Open ${link(name)}`, html: `<a href="${link(name)}">Reset</a>` });
        const ago = sentDaysAgo === null ? days + 3 : sentDaysAgo;
        await tx.execute(sql`update mail_outbox set created_at = now() - make_interval(days => ${ago}), next_attempt_at = now() + interval '1 day',
            sent_at = ${sentDaysAgo === null ? null : sql`now() - make_interval(days => ${sentDaysAgo})`}
          where ${`${name}-${tag}@x.test`} = any("to")`);
      }
      await enqueueJob(tx, { kind: "maintenance.sweep" });
    });
    await runJobs(["maintenance.sweep"]);
    const rows = await withSystem(async (tx) =>
      rowsOf<{ to: string[]; subject: string; text_body: string; html_body: string | null; sent: boolean }>(
        await tx.execute(sql`select "to", subject, text_body, html_body, sent_at is not null as sent from mail_outbox where "to"[1] like ${`%-${tag}@x.test`} order by subject`),
      ),
    );
    const byName = Object.fromEntries(rows.map((r) => [r.to[0]!.split("-")[0]!, r]));
    // The old sent mail: no link left, the record of the mail stays.
    expect(byName.old).toMatchObject({ subject: "Reset old", text_body: "", html_body: null, sent: true });
    expect(JSON.stringify(byName.old)).not.toContain(tag + "-old");
    expect(byName.recent!.text_body).toBe(`Open ${link("recent")}`);
    expect(byName.recent!.html_body).toContain(link("recent"));
    expect(byName.unsent!.text_body).toBe(`Open ${link("unsent")}`);
  });
});
