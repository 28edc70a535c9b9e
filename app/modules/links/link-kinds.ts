/** Names of the kinds of shared link, for pages on both sides. */
export type LinkKind = "trial" | "offer" | "reseller";

export const LINK_KIND_LABELS: Record<LinkKind, string> = {
  trial: "Trial invitation",
  offer: "Purchase offer",
  reseller: "Reseller invitation",
};

/** At most this many addresses per "send by email". */
export const MAX_SHARE_RECIPIENTS = 50;
