/**
 * Every CSV the app sends goes through here. Spreadsheet programs run a cell that starts with
 * = + - @ (and, after a TAB or CR, what follows) as a formula: `=HYPERLINK(...)` in a customer's
 * name would become a link, or worse, in the partner's spreadsheet. As OWASP's "CSV Injection"
 * advises, such a cell gets a leading single quote, which spreadsheets show as text and hide;
 * quotes, separators and line breaks inside cells are quoted by csv-stringify as RFC 4180 says.
 */
import { stringify } from "csv-stringify/sync";

const FORMULA_START = /^[=+\-@\t\r]/;

/** The cell as text a spreadsheet will not evaluate. */
export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

export type CsvCell = string | number | boolean | null | undefined;

/** Rows as CSV text (each line ended by \n), formulas neutralised in every text cell. */
export function toCsv(rows: readonly (readonly CsvCell[])[]): string {
  return stringify(rows as CsvCell[][], { cast: { string: neutraliseFormula } });
}
