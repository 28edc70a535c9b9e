import type { ReactNode } from "react";
import { html } from "~/utils/html";

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {description ? <p className="lead">{description}</p> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </header>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state" role="status">
      <h2>{title}</h2>
      {children}
    </div>
  );
}

type Tone = "neutral" | "good" | "warn" | "bad" | "info";

export function Badge({ tone = "neutral", children }: { tone?: Tone; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

/** The same badge as HTML text, for a table body rendered as HTML. */
export function badgeHtml(tone: Tone, text: string) {
  return html`<span class="badge badge-${tone}">${text}</span>`;
}

// Dates are formatted by hand, in UTC, as en-GB's medium style writes them ("5 Sept 2026",
// "5 Sept 2026, 07:03 UTC"): Intl formatting cost more than the rest of a table row, and the
// server's and the browser's ICU data can differ, which would break hydration.
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec"];
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

function toDate(value: string | Date) {
  const d = typeof value === "string" ? new Date(value) : value;
  return Number.isNaN(d.getTime()) ? null : d;
}

export function formatDateTime(value: string | Date | null | undefined) {
  const d = value ? toDate(value) : null;
  if (!d) return "—";
  return `${formatDate(d)}, ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())} UTC`;
}

/** A UTC timestamp as the database and the API write it: "2026-09-05T07:03:00Z" (fraction optional). */
const ISO_UTC = /^([1-9]\d{3})-(0[1-9]|1[0-2])-(0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?Z$/;

export function formatDate(value: string | Date | null | undefined) {
  // A UTC timestamp's date is its first ten characters: read them without parsing a Date (a list
  // page formats one per row). Only days 1–28 and a time of day in range, which no month can
  // overflow; anything else takes the Date path (which rolls "2026-02-30" over into March).
  const iso = typeof value === "string" ? ISO_UTC.exec(value) : null;
  if (iso) return `${Number(iso[3])} ${MONTHS[Number(iso[2]) - 1]} ${iso[1]}`;
  const d = value ? toDate(value) : null;
  if (!d) return "—";
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
}

const SUBSCRIPTION_STATUS = {
  trial: { tone: "info", label: "Trial" },
  active: { tone: "good", label: "Active" },
  expired: { tone: "neutral", label: "Expired" },
  cancelled: { tone: "neutral", label: "Cancelled" },
} as const;

export function SubscriptionStatus({ status }: { status: keyof typeof SUBSCRIPTION_STATUS }) {
  const s = SUBSCRIPTION_STATUS[status];
  return <Badge tone={s.tone}>{s.label}</Badge>;
}

// One formatter per currency: building an Intl.NumberFormat costs far more than formatting with
// one, and a subscriptions page formats a value on every row.
const moneyFormats = new Map<string, Intl.NumberFormat>();

/** Money in minor units, e.g. 1250 EUR → "€12.50". */
export function formatMoney(cents: number, currency: string) {
  let format = moneyFormats.get(currency);
  if (!format) {
    format = new Intl.NumberFormat("en-GB", { style: "currency", currency });
    moneyFormats.set(currency, format);
  }
  return format.format(cents / 100);
}
