import { useRouteLoaderData } from "@remix-run/react";
import { DEFAULT_FORMAT, formatFor, type Format, type FormatSettings } from "~/utils/format";

/**
 * The formatting functions bound to this request's locale and time zone, which the root loader
 * sends (the same on the server render and in the browser, so hydration finds the same text).
 * Outside the root's data (an error page when the root loader failed) the defaults.
 */
export function useFormat(): Format {
  // The root loader sends `{ format: FormatSettings }` (typed here, not imported from root: no arrow back up).
  const settings = (useRouteLoaderData("root") as { format?: FormatSettings } | undefined)?.format;
  return formatFor(settings ?? DEFAULT_FORMAT);
}

/*
 * The same as components, for table cells declared at module level (a column's cell function is
 * not a place for a hook).
 */
type DateValue = string | Date | null | undefined;

export function FormattedDate({ value }: { value: DateValue }) {
  return <>{useFormat().date(value)}</>;
}

export function FormattedDateTime({ value }: { value: DateValue }) {
  return <>{useFormat().dateTime(value)}</>;
}

export function FormattedMoney({ cents, currency }: { cents: number; currency: string }) {
  return <>{useFormat().money(cents, currency)}</>;
}

export function CountryName({ code }: { code: string }) {
  return <>{useFormat().country(code)}</>;
}
