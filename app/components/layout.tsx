import type { ReactNode } from "react";

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

export function Badge({ tone = "neutral", children }: { tone?: "neutral" | "good" | "warn" | "bad" | "info"; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

// Formatters are built once: constructing Intl formatters per call dominated list rendering.
const DATE_TIME = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const DATE = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });

export function formatDateTime(value: string | Date | null | undefined) {
  if (!value) return "—";
  return `${DATE_TIME.format(typeof value === "string" ? new Date(value) : value)} UTC`;
}

export function formatDate(value: string | Date | null | undefined) {
  if (!value) return "—";
  return DATE.format(typeof value === "string" ? new Date(value) : value);
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

/** Money in minor units, e.g. 1250 EUR → "€12.50". */
export function formatMoney(cents: number, currency: string) {
  return new Intl.NumberFormat("en-GB", { style: "currency", currency }).format(cents / 100);
}
