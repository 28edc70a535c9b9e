/** The product catalogue: read-only for the app, seeded and changed by migrations. */
import { asc, eq } from "drizzle-orm";
import { products } from "../../../db/schema";
import type { Tx } from "~/utils/db.server";
import { DomainError } from "../../utils/errors";
import { formatNumber } from "~/utils/format";

export async function listProducts(tx: Tx, { trialsOnly = false }: { trialsOnly?: boolean } = {}) {
  const rows = await tx.select().from(products).where(eq(products.active, true)).orderBy(asc(products.name));
  return trialsOnly ? rows.filter((p) => p.hasTrial) : rows;
}

/** A licence count a customer may buy of a product, or a field error naming the limits. */
export async function checkLicenceCount(tx: Tx, { productId, licences }: { productId: string; licences: number }) {
  const [product] = await tx.select().from(products).where(eq(products.id, productId));
  if (!product || !product.active) throw new DomainError(404, "No such product.");
  if (!Number.isInteger(licences) || licences < product.minLicences || licences > product.maxLicences) {
    throw new DomainError(400, `${product.name} is sold in ${product.minLicences} to ${formatNumber(product.maxLicences)} licences.`, "licences");
  }
  return product;
}
