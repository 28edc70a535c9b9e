/**
 * HTML text built from templates, for the few places that render many rows as one string (the
 * data table's body, ADR 0020). `html` escapes every interpolated value (text and quoted
 * attribute values alike: & < > " ') unless the value is itself `Html`, so markup nests and data
 * never becomes markup. The escaping is escape-html's (Express's; the same five characters React
 * escapes).
 */
import escapeHtml from "escape-html";

/** Markup that is safe to insert as it is: only `html` (and `Html.raw` for constants) make it. */
export class Html {
  private constructor(readonly value: string) {}
  /** A constant written in code. Never pass it data. */
  static raw(value: string) {
    return new Html(value);
  }
  static from(strings: TemplateStringsArray, values: readonly HtmlValue[]) {
    let out = strings[0]!;
    for (let i = 0; i < values.length; i++) out += htmlText(values[i]) + strings[i + 1]!;
    return new Html(out);
  }
  toString() {
    return this.value;
  }
}

/** What a template takes: text (escaped), numbers, markup, and nothing (null, undefined, false). */
export type HtmlValue = string | number | Html | null | undefined | false;

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  return Html.from(strings, values);
}

/** A value as HTML text: markup as it is, anything else escaped, nothing as the empty string. */
export function htmlText(value: HtmlValue): string {
  if (value instanceof Html) return value.value;
  if (value === null || value === undefined || value === false) return "";
  return escapeHtml(String(value));
}
