/**
 * Product keys (ADR 0011): a partner's inventory, imported from CSV with a per-row report, and
 * registration of a key for a customer, which makes the partner the subscription's Partner of
 * Record and may ask for delegated administration in the same step.
 *
 * Runs as the app role in the partner's context. The key is stored as a keyed hash plus its last
 * group; registration marks the partner's own key used with one conditional UPDATE (the row lock
 * makes concurrent registrations of the same key wait, then find it used), and the subscription
 * is written by pd_subscription_from_key, which accepts only a key this partner has just marked
 * used for this customer.
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { CsvError, parse } from "csv-parse/sync";
import { and, count, desc, eq, lt, or, sql } from "drizzle-orm";
import { organisations, partnerCustomers, productKeyImports, productKeys, products } from "../../../db/schema";
import { rowsOf } from "../../../db/client";
import { config } from "~/utils/config.server";
import type { Tx } from "~/utils/db.server";
import { requestDap, requestGdap } from "../delegated-admin/admin-relationships.server";
import { recordAudit, type Actor } from "../platform/audit.server";
import { addCustomer, type NewCustomer } from "../customers/customers.server";
import { DomainError } from "../../utils/errors";
import { notifyLater } from "../platform/notifications.server";
import { getOrganisation } from "../organisations/organisations.server";
import { listProducts } from "../subscriptions/products.server";
import { upsertRelationship } from "../relationships/relationships.server";
import { checkProductKey, generateProductKey, IMPORT_MAX_BYTES, IMPORT_MAX_ROWS } from "./key-format";
import { hasControlCharacters, multilineText } from "~/utils/input";
import { timeCursor } from "~/utils/list";
import { formatNumber } from "~/utils/format";

export const KEYS_PAGE_SIZE = 50;

/** The stored form of a key: HMAC-SHA-256 under PRODUCT_KEY_PEPPER, hex. */
export function hashProductKey(compactKey: string): string {
  return createHmac("sha256", config().PRODUCT_KEY_PEPPER).update(compactKey).digest("hex");
}

export function newProductKey(): string {
  return generateProductKey((n) => randomBytes(n));
}

/** How the inventory shows a key it cannot show: only its last group. */
export const maskedKey = (lastGroup: string) => `•••••-•••••-•••••-•••••-${lastGroup}`;

async function requireAdvisor(tx: Tx, partnerId: string) {
  const org = await getOrganisation(tx, { orgId: partnerId });
  if (org.kind !== "partner" || !org.isAuthorisedAdvisor) {
    throw new DomainError(403, "Only partners authorised as subscription advisors hold product keys and register them for customers.");
  }
  return org;
}

// ---- Import ----

export interface ImportReportRow {
  line: number;
  lastGroup: string | null;
  productId: string | null;
  licences: number | null;
  accepted: boolean;
  message: string;
}

const COLUMN_NAMES = {
  key: ["key", "product key", "product_key", "productkey"],
  product: ["product", "product id", "product_id", "productid", "sku"],
  licences: ["licences", "licenses", "licence count", "license count", "licence_count", "license_count", "quantity", "seats"],
} as const;

function columnIndexes(header: string[]) {
  const names = header.map((h) => h.trim().toLowerCase());
  const find = (aliases: readonly string[]) => names.findIndex((n) => aliases.includes(n));
  const idx = { key: find(COLUMN_NAMES.key), product: find(COLUMN_NAMES.product), licences: find(COLUMN_NAMES.licences) };
  const missing = Object.entries(idx).filter(([, i]) => i < 0).map(([k]) => k);
  if (missing.length) {
    throw new DomainError(400, `The first row must name the columns key, product and licences (missing: ${missing.join(", ")}).`, "file");
  }
  return idx;
}

/**
 * Imports keys from a CSV file (header row: key, product, licences). Every data row gets a line
 * in the report, accepted or refused with the reason; nothing about a refused row is stored but
 * its last group. The report is kept (product_key_imports) and its id returned.
 */
export async function importProductKeys(tx: Tx, { partnerId, actor, fileName, text }: { partnerId: string; actor: Actor; fileName: string | null; text: string }) {
  await requireAdvisor(tx, partnerId);
  if (Buffer.byteLength(text) > IMPORT_MAX_BYTES) throw new DomainError(400, `The file is larger than ${IMPORT_MAX_BYTES / 1_000_000} MB. Split it into smaller files.`, "file");
  // Its cells end in the report (jsonb) and its name in a text column: neither holds NUL (ADR 0027).
  if (!multilineText().safeParse(text).success) throw new DomainError(400, "The file contains control characters (such as NUL); save it as plain CSV text.", "file");
  if (fileName !== null && hasControlCharacters(fileName)) fileName = fileName.replace(/\p{Cc}/gu, "") || null;
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true, info: true }) as unknown as typeof records;
  } catch (error) {
    if (error instanceof CsvError) throw new DomainError(400, `The file is not valid CSV: ${error.message}`, "file");
    throw error;
  }
  if (records.length === 0) throw new DomainError(400, "The file is empty. Its first row names the columns key, product and licences.", "file");
  const idx = columnIndexes(records[0]!.record);
  const rows = records.slice(1);
  if (rows.length === 0) throw new DomainError(400, "The file has no keys after its header row.", "file");
  if (rows.length > IMPORT_MAX_ROWS) throw new DomainError(400, `The file has ${formatNumber(rows.length)} keys; import at most ${formatNumber(IMPORT_MAX_ROWS)} at a time.`, "file");

  const catalogue = await listProducts(tx);
  const byId = new Map(catalogue.map((p) => [p.id.toLowerCase(), p]));
  const byName = new Map(catalogue.map((p) => [p.name.toLowerCase(), p]));
  const report: ImportReportRow[] = [];
  const candidates = new Map<string, { entry: ImportReportRow; hash: string }>();
  const seen = new Map<string, number>();
  for (const { record, info } of rows) {
    const cell = (i: number) => (record[i] ?? "").trim();
    const entry: ImportReportRow = { line: info.lines, lastGroup: null, productId: null, licences: null, accepted: false, message: "" };
    report.push(entry);
    const checked = checkProductKey(cell(idx.key));
    if (!checked.ok) {
      entry.message = cell(idx.key) ? checked.message : "The key is missing.";
      continue;
    }
    entry.lastGroup = checked.lastGroup;
    const product = byId.get(cell(idx.product).toLowerCase()) ?? byName.get(cell(idx.product).toLowerCase());
    if (!product) {
      entry.message = cell(idx.product) ? `Unknown product "${cell(idx.product).slice(0, 80)}". Use a product id or name from the catalogue.` : "The product is missing.";
      continue;
    }
    entry.productId = product.id;
    const licencesText = cell(idx.licences);
    const licences = /^\d{1,7}$/.test(licencesText) ? Number(licencesText) : NaN;
    if (!Number.isInteger(licences) || licences < product.minLicences || licences > product.maxLicences) {
      entry.message = `The licence count must be a whole number from ${product.minLicences} to ${formatNumber(product.maxLicences)} for ${product.name}.`;
      continue;
    }
    entry.licences = licences;
    const earlier = seen.get(checked.key);
    if (earlier !== undefined) {
      entry.message = `The same key is on line ${earlier} of this file.`;
      continue;
    }
    seen.set(checked.key, entry.line);
    candidates.set(hashProductKey(checked.key), { entry, hash: hashProductKey(checked.key) });
  }

  if (candidates.size) {
    const hashes = [...candidates.keys()];
    const own = await tx
      .select({ keyHash: productKeys.keyHash, status: productKeys.status })
      .from(productKeys)
      .where(and(eq(productKeys.partnerOrgId, partnerId), sql`${productKeys.keyHash} = any(string_to_array(${hashes.join(",")}, ','))`));
    for (const o of own) {
      const c = candidates.get(o.keyHash)!;
      c.entry.message = o.status === "used" ? "Already in your inventory, and already registered for a customer." : "Already in your inventory.";
      candidates.delete(o.keyHash);
    }
  }
  const importId = randomUUID();
  const toInsert = [...candidates.values()];
  const inserted = new Set<string>();
  for (let i = 0; i < toInsert.length; i += 500) {
    const batch = toInsert.slice(i, i + 500);
    const rowsIn = await tx
      .insert(productKeys)
      .values(batch.map(({ entry, hash }) => ({ partnerOrgId: partnerId, keyHash: hash, lastGroup: entry.lastGroup!, productId: entry.productId!, licences: entry.licences!, importId, importedByUserId: actor.userId })))
      .onConflictDoNothing({ target: productKeys.keyHash })
      .returning({ keyHash: productKeys.keyHash });
    for (const r of rowsIn) inserted.add(r.keyHash);
  }
  for (const { entry, hash } of toInsert) {
    if (inserted.has(hash)) {
      entry.accepted = true;
      entry.message = `Accepted: ${entry.licences} licences.`;
    } else {
      entry.message = "This key is already held by another partner on Partnerdesk. Check with whoever supplied it.";
    }
  }
  const accepted = report.filter((r) => r.accepted).length;
  const refused = report.length - accepted;
  await tx.insert(productKeyImports).values({ id: importId, partnerOrgId: partnerId, fileName, accepted, refused, report, createdByUserId: actor.userId });
  await recordAudit(tx, { actor, action: "product_keys.imported", objectType: "product_key_import", objectId: importId, details: { fileName, accepted, refused } });
  return { importId, accepted, refused };
}

export async function getImport(tx: Tx, { partnerId, importId }: { partnerId: string; importId: string }) {
  const [row] = await tx
    .select()
    .from(productKeyImports)
    .where(and(eq(productKeyImports.partnerOrgId, partnerId), eq(productKeyImports.id, importId)));
  if (!row) throw new DomainError(404, "No such import.");
  return row;
}

// ---- Inventory ----

export type KeyStatusFilter = "available" | "used";

/** The partner's keys, newest import first, keyset-paged on (imported_at, id). */
export async function listProductKeys(tx: Tx, { partnerId, status, after }: { partnerId: string; status?: KeyStatusFilter; after?: string }) {
  // A real timestamp and uuid (ADR 0027); a crafted cursor reads as none: the first page.
  const cursor = timeCursor.decode(after);
  const rows = await tx
    .select({
      id: productKeys.id,
      lastGroup: productKeys.lastGroup,
      productId: productKeys.productId,
      productName: products.name,
      licences: productKeys.licences,
      status: productKeys.status,
      importedAt: productKeys.importedAt,
      importedAtText: sql<string>`to_char(${productKeys.importedAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US')`,
      usedAt: productKeys.usedAt,
      customerId: productKeys.customerOrgId,
      // The customer's name shows while the partner has a relationship with it (RLS).
      customerName: organisations.name,
    })
    .from(productKeys)
    .innerJoin(products, eq(products.id, productKeys.productId))
    .leftJoin(organisations, eq(organisations.id, productKeys.customerOrgId))
    .where(
      and(
        eq(productKeys.partnerOrgId, partnerId),
        status ? eq(productKeys.status, status) : undefined,
        cursor
          ? or(
              lt(productKeys.importedAt, sql`(${cursor[0]}::timestamp at time zone 'UTC')`),
              and(sql`${productKeys.importedAt} = (${cursor[0]}::timestamp at time zone 'UTC')`, lt(productKeys.id, cursor[1])),
            )
          : undefined,
      ),
    )
    .orderBy(desc(productKeys.importedAt), desc(productKeys.id))
    .limit(KEYS_PAGE_SIZE + 1);
  const page = rows.slice(0, KEYS_PAGE_SIZE);
  const last = page[page.length - 1];
  const counts = await tx
    .select({ status: productKeys.status, n: count() })
    .from(productKeys)
    .where(eq(productKeys.partnerOrgId, partnerId))
    .groupBy(productKeys.status);
  const imports = await tx
    .select({ id: productKeyImports.id, fileName: productKeyImports.fileName, accepted: productKeyImports.accepted, refused: productKeyImports.refused, createdAt: productKeyImports.createdAt })
    .from(productKeyImports)
    .where(eq(productKeyImports.partnerOrgId, partnerId))
    .orderBy(desc(productKeyImports.createdAt))
    .limit(5);
  return {
    keys: page.map(({ importedAtText: _t, ...k }) => ({ ...k, masked: maskedKey(k.lastGroup) })),
    next: rows.length > KEYS_PAGE_SIZE && last ? timeCursor.encode([last.importedAtText, last.id]) : null,
    counts: { available: counts.find((c) => c.status === "available")?.n ?? 0, used: counts.find((c) => c.status === "used")?.n ?? 0 },
    imports,
  };
}

// ---- Registration ----

export type DelegatedAdminChoice = { kind: "none" } | { kind: "dap" } | { kind: "gdap"; displayName: string; roles: string[]; durationDays: number };

/** The GDAP request's fields as the registration form names them. */
const GDAP_FIELDS: Record<string, string> = { displayName: "gdapName", roles: "gdapRoles", durationDays: "gdapDuration" };

export interface RegisterInput {
  key: string;
  /** An existing customer of the partner, or a new customer tenant created in the same step. */
  customer: { existingId: string } | { create: NewCustomer };
  delegated: DelegatedAdminChoice;
}

/**
 * Registers a key for a customer: marks it used, creates the subscription with the key's product
 * and licences and the partner as Partner of Record (with an advisor relationship, pending the
 * customer agreement where it is not yet accepted), and asks for DAP or GDAP if chosen. One
 * transaction: a refusal anywhere leaves the key available and nothing created.
 */
export async function registerProductKey(tx: Tx, { partnerId, actor, input }: { partnerId: string; actor: Actor; input: RegisterInput }) {
  const checked = checkProductKey(input.key);
  if (!checked.ok) throw new DomainError(400, checked.message, "key");
  const partner = await requireAdvisor(tx, partnerId);
  const keyHash = hashProductKey(checked.key);

  // The single-use lock: concurrent registrations of this key wait on the row, then see it used.
  const [key] = await tx
    .update(productKeys)
    .set({ status: "used", usedAt: sql`now()`, usedByUserId: actor.userId })
    .where(and(eq(productKeys.partnerOrgId, partnerId), eq(productKeys.keyHash, keyHash), eq(productKeys.status, "available")))
    .returning({ id: productKeys.id, productId: productKeys.productId, licences: productKeys.licences, lastGroup: productKeys.lastGroup });
  if (!key) {
    const [known] = await tx
      .select({ usedAt: productKeys.usedAt, customerName: organisations.name })
      .from(productKeys)
      .leftJoin(organisations, eq(organisations.id, productKeys.customerOrgId))
      .where(and(eq(productKeys.partnerOrgId, partnerId), eq(productKeys.keyHash, keyHash)));
    if (!known) throw new DomainError(404, "This key is not in your inventory. Import it first, or check that it is the key you were given.", "key");
    throw new DomainError(
      409,
      `This key was already registered${known.customerName ? ` for ${known.customerName}` : ""} on ${known.usedAt!.toISOString().slice(0, 10)}. Each key is used once.`,
      "key",
    );
  }

  let customerId: string;
  let created = false;
  if ("existingId" in input.customer) {
    const [own] = await tx
      .select({ id: partnerCustomers.customerOrgId })
      .from(partnerCustomers)
      .where(and(eq(partnerCustomers.partnerOrgId, partnerId), eq(partnerCustomers.customerOrgId, input.customer.existingId)));
    if (!own) throw new DomainError(404, "None of your customers matches. Pick one from your customer list, or create a new customer.", "customer");
    customerId = own.id;
  } else {
    ({ customerId } = await addCustomer(tx, { partnerId, actor, customer: input.customer.create }));
    created = true;
  }
  const [pc] = await tx
    .select({ name: partnerCustomers.name, agreementStatus: partnerCustomers.agreementStatus })
    .from(partnerCustomers)
    .where(and(eq(partnerCustomers.partnerOrgId, partnerId), eq(partnerCustomers.customerOrgId, customerId)));
  await tx.update(productKeys).set({ customerOrgId: customerId }).where(and(eq(productKeys.partnerOrgId, partnerId), eq(productKeys.id, key.id)));
  await upsertRelationship(tx, { partnerId, customerId, type: "advisor", status: pc?.agreementStatus === "accepted" ? "active" : "pending" });
  const [made] = rowsOf<{ id: string }>(await tx.execute(sql`select pd_subscription_from_key(${key.id}, ${customerId}) as id`));
  const subscriptionId = made!.id;

  let delegated: "none" | "dap" | "gdap" | "dap_already_active" = input.delegated.kind;
  let gdapId: string | null = null;
  if (input.delegated.kind === "dap") {
    try {
      await requestDap(tx, { partnerId, actor, customerId });
    } catch (error) {
      // Already a delegated admin: the registration stands, nothing more to ask for.
      if (!(error instanceof DomainError && error.status === 409)) throw error;
      delegated = "dap_already_active";
    }
  } else if (input.delegated.kind === "gdap") {
    try {
      ({ id: gdapId } = await requestGdap(tx, {
        partnerId,
        actor,
        input: { displayName: input.delegated.displayName, customerId, durationDays: input.delegated.durationDays, autoExtend: false, roles: input.delegated.roles },
      }));
    } catch (error) {
      const field = error instanceof DomainError && error.field ? GDAP_FIELDS[error.field] : undefined;
      if (field) throw new DomainError((error as DomainError).status, (error as DomainError).message, field);
      throw error;
    }
  }

  const [product] = await tx.select({ name: products.name }).from(products).where(eq(products.id, key.productId));
  await recordAudit(tx, {
    actor,
    subjectOrgId: customerId,
    action: "product_key.registered",
    objectType: "subscription",
    objectId: subscriptionId,
    details: { keyId: key.id, lastGroup: key.lastGroup, productId: key.productId, licences: key.licences, newCustomer: created, delegated },
  });
  await notifyLater(tx, {
    orgId: customerId,
    roles: ["global_admin", "billing_admin"],
    kind: "subscription.registered",
    title: `${partner.name} registered ${product?.name ?? key.productId} (${key.licences} licences) for you`,
    body: `${partner.name} (Partner ID ${partner.partnerNumber}) registered a product key for your organisation and is the partner of record on the subscription.`,
    link: "/customer/subscriptions",
  });
  return { subscriptionId, customerId, customerName: pc?.name ?? "", created, productName: product?.name ?? key.productId, licences: key.licences, delegated, gdapId };
}
