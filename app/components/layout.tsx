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

type Tone = "neutral" | "good" | "warn" | "bad" | "info";

export function Badge({ tone = "neutral", children }: { tone?: Tone; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
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

/**
 * A table outside the list kit that may be wider than a phone: it scrolls sideways in its own
 * region (named, and focusable so the keyboard can scroll it), never the page.
 */
export function TableRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="table-wrap" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
