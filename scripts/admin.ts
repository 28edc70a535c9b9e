// The platform operator's tool: creates partner organisations and grants their capabilities.
// Every command is audited (operator.* actions). Partners cannot do any of this themselves.
//   npm run admin -- create-partner --name "Contoso" --admin-email a@contoso.example --admin-name "Ann" [--email --website --phone]
//   npm run admin -- set-capability --partner-id 4100001 --capability advisor|dap --enabled true|false
//   npm run admin -- list-partners
//   npm run admin -- reset-factors --email person@example.com   (lost every second factor and recovery code; audited, mailed)
//   npm run admin -- totp-code <base32 secret>   (the code an authenticator app shows now: the demo's)
import os from "node:os";
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import { z } from "zod";
import { closeDatabase, getDatabase, withSystem } from "../app/utils/db.server";
import { createPartner, setCapability } from "../app/modules/organisations/organisations.server";
import { inviteStaff } from "../app/modules/staff/staff.server";
import { DomainError } from "../app/utils/errors";
import { organisations } from "../db/schema";

const operator = `${os.userInfo().username}@${os.hostname()} (cli)`;
const [command, ...rest] = process.argv.slice(2);
const { values } = parseArgs({
  args: rest,
  allowPositionals: true,
  options: {
    name: { type: "string" },
    email: { type: "string" },
    website: { type: "string" },
    phone: { type: "string" },
    "admin-email": { type: "string" },
    "admin-name": { type: "string" },
    "partner-id": { type: "string" },
    capability: { type: "string" },
    enabled: { type: "string" },
  },
});

const createPartnerArgs = z.object({
  name: z.string().trim().min(2, "--name is required"),
  email: z.string().email().optional(),
  website: z.string().url().optional(),
  phone: z.string().optional(),
  "admin-email": z.string().email("--admin-email must be an email address"),
  "admin-name": z.string().trim().min(1, "--admin-name is required"),
});
const setCapabilityArgs = z.object({
  "partner-id": z.coerce.number().int().positive(),
  capability: z.enum(["advisor", "dap"]),
  enabled: z.enum(["true", "false"]).transform((v) => v === "true"),
});

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

if (command === "totp-code") {
  const secret = rest[0];
  if (!secret) fail("usage: npm run admin -- totp-code <base32 secret>");
  const { totpCode } = await import("../app/modules/auth/mfa.server");
  console.log(totpCode(secret.replace(/\s/g, "").toUpperCase()));
  process.exit(0);
}

try {
  await getDatabase();
  if (command === "create-partner") {
    const a = createPartnerArgs.safeParse(values);
    if (!a.success) fail(a.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("\n"));
    const org = await withSystem(async (tx) => {
      const created = await createPartner(tx, { name: a.data.name, email: a.data.email, website: a.data.website, phone: a.data.phone, operator });
      // The first global admin is invited in the new organisation's context.
      await tx.execute(sql`select set_config('app.org_id', ${created.id}, true)`);
      await inviteStaff(tx, {
        orgId: created.id,
        actor: { userId: null, orgId: created.id },
        email: a.data["admin-email"].toLowerCase(),
        displayName: a.data["admin-name"],
        roles: ["global_admin"],
      });
      return created;
    });
    console.log(`created partner "${a.data.name}" with Partner ID ${org.partnerNumber}; activation link mailed to ${a.data["admin-email"]}`);
  } else if (command === "set-capability") {
    const a = setCapabilityArgs.safeParse(values);
    if (!a.success) fail(a.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("\n"));
    const org = await withSystem((tx) =>
      setCapability(tx, { partnerNumber: a.data["partner-id"], capability: a.data.capability, enabled: a.data.enabled, operator }),
    );
    console.log(`${org.name}: ${a.data.capability} = ${a.data.enabled}`);
  } else if (command === "reset-factors") {
    const email = z.string().email("--email must be an email address").safeParse(values.email);
    if (!email.success) fail(email.error.issues[0]!.message);
    const { resetSecondFactors } = await import("../app/modules/auth/mfa.server");
    await withSystem((tx) => resetSecondFactors(tx, { email: email.data, operator }));
    console.log(`${email.data}: second factors and recovery codes removed, signed out everywhere; they set up a new one at their next sign-in`);
  } else if (command === "list-partners") {
    const rows = await withSystem((tx) =>
      tx.select({ id: organisations.partnerNumber, name: organisations.name, advisor: organisations.isAuthorisedAdvisor, dap: organisations.isDapCertified })
        .from(organisations).where(sql`kind = 'partner'`).orderBy(organisations.partnerNumber),
    );
    console.table(rows);
  } else {
    fail("usage: npm run admin -- create-partner|set-capability|list-partners|reset-factors|totp-code [options]");
  }
} catch (error) {
  if (error instanceof DomainError) fail(error.message);
  throw error;
} finally {
  await closeDatabase();
}
