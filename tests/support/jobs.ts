/**
 * Runs due jobs of the given kinds in this test process, with the app's job handlers registered.
 * Only the kinds a test asks for: other test files share the PostgreSQL database and their jobs.
 */
import { runDueJobs } from "../../app/modules/platform/jobs.server";
import { registerScheduledWork } from "../../app/scheduled.server";
import { getDatabase } from "../../app/utils/db.server";

let registered = false;

export async function runJobs(kinds: string[]) {
  if (!registered) {
    registerScheduledWork();
    registered = true;
  }
  const { db } = await getDatabase();
  return runDueJobs(db, { kinds });
}
