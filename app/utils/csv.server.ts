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

/**
 * A CSV download streamed from batches of rows (each batch read as the client takes the previous
 * one, so memory stays flat): a byte-order mark and the header first, so spreadsheet programs read
 * UTF-8 names correctly; `record` turns a row into its cells. Closing the download early stops the
 * batches.
 */
export function csvDownload<Row>({
  filename,
  header,
  batches,
  record,
}: {
  filename: string;
  header: readonly string[];
  batches: AsyncGenerator<readonly Row[], unknown, unknown>;
  record: (row: Row) => readonly CsvCell[];
}): Response {
  const encoder = new TextEncoder();
  let headerSent = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode("\uFEFF" + toCsv([header])));
        return;
      }
      const { value, done } = await batches.next();
      if (done) return controller.close();
      if (value.length > 0) controller.enqueue(encoder.encode(toCsv(value.map(record))));
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
  return new Response(stream, {
    headers: { "Content-Type": "text/csv; charset=utf-8", "Content-Disposition": `attachment; filename="${filename}"`, "Cache-Control": "no-store" },
  });
}
