/**
 * What a purchase costs, line by line: each product's licences × its monthly price per licence,
 * and the total per month (one sum per currency when the lines mix currencies). The purchase
 * form's confirmation and the offer page show it, written by the page's formatter.
 */
import type { ReactNode } from "react";
import type { Format } from "~/utils/format";
import { useFormat } from "~/components/format";

export interface PriceLine {
  productId: string;
  name: string;
  /** The licence count, or null while what is entered is not a count (the line then has no price). */
  licences: number | null;
  /** Monthly price per licence in minor units of `currency`. */
  unitCents: number;
  currency: string;
}

/** A licence count as typed: a whole number from 1, or null. */
export function countOf(value: string | number | null | undefined): number | null {
  const n = typeof value === "number" ? value : typeof value === "string" && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  return Number.isSafeInteger(n) && n >= 1 ? n : null;
}

export const lineCents = (line: PriceLine) => (line.licences === null ? null : line.unitCents * line.licences);

/** The total per month, "€187.50" (or "€10.00 + DKK 20.00"); null while a line has no count. */
export function totalOf(lines: readonly PriceLine[], format: Format): string | null {
  const sums = new Map<string, number>();
  for (const line of lines) {
    const cents = lineCents(line);
    if (cents === null) return null;
    sums.set(line.currency, (sums.get(line.currency) ?? 0) + cents);
  }
  return [...sums].map(([currency, cents]) => format.money(cents, currency)).join(" + ");
}

/** One line's price per month, or a dash while its count is not a count. */
export function LinePrice({ line }: { line: PriceLine }) {
  const format = useFormat();
  const cents = lineCents(line);
  return <>{cents === null ? "—" : format.money(cents, line.currency)}</>;
}

/** The lines as a table with their total (the purchase form's confirmation). */
export function PriceLinesTable({ lines, caption }: { lines: readonly PriceLine[]; caption: ReactNode }) {
  const format = useFormat();
  const total = totalOf(lines, format);
  return (
    <table className="table price-lines">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Product</th>
          <th scope="col">Licences</th>
          <th scope="col">Price per licence / month</th>
          <th scope="col">Line price / month</th>
        </tr>
      </thead>
      <tbody>
        {lines.map((line) => (
          <tr key={line.productId}>
            <td>{line.name}</td>
            <td>{line.licences === null ? "—" : format.number(line.licences)}</td>
            <td>{format.money(line.unitCents, line.currency)}</td>
            <td>
              <LinePrice line={line} />
            </td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row" colSpan={3}>
            Total per month
          </th>
          <td>
            <strong>{total ?? "—"}</strong>
          </td>
        </tr>
      </tfoot>
    </table>
  );
}
