import { sql } from "drizzle-orm";
import { rowsOf } from "../../db/client";
import { withSystem } from "../../app/utils/db.server";

/** The text of the newest queued mail to an address ("" when there is none). */
export async function lastMailTo(email: string) {
  const [row] = await withSystem(async (tx) =>
    rowsOf<{ text_body: string }>(await tx.execute(sql`select text_body from mail_outbox where ${email} = any("to") order by id desc limit 1`)),
  );
  return row?.text_body ?? "";
}
