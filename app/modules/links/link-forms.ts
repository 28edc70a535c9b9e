import { z } from "zod";
import { text } from "~/utils/input";

/**
 * Licence counts typed per product ("licences.<productId>" fields). Conform coerces numbers only
 * where the schema names them, not inside a record, so the text is turned into a number here;
 * an empty field means "not offered".
 */
const count = z.preprocess(
  (v) => (v === "" || v === undefined || v === null ? undefined : Number(v)),
  z.number({ invalid_type_error: "Enter a whole number." }).int("Enter a whole number.").min(1, "At least 1.").max(1_000_000, "Too many.").optional(),
);
export const licenceCounts = z.record(text().max(100), count).optional();
