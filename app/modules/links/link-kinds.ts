/** Names of the kinds of shared link, for pages on both sides. */
export type LinkKind = "trial" | "offer" | "reseller";

export const LINK_KIND_LABELS: Record<LinkKind, string> = {
  trial: "Trial invitation",
  offer: "Purchase offer",
  reseller: "Reseller invitation",
};
