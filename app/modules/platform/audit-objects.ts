/**
 * How an audit entry names its object, and where it links: a link only when the name was found
 * among this organisation's own records (listAuditEntries looks it up), so every link opens.
 * Shared by the page and the CSV export (browser-safe).
 */
export interface AuditObjectRef {
  objectType: string | null;
  objectId: string | null;
  objectName: string | null;
}

const TYPE_LABELS: Record<string, string> = {
  admin_relationship: "Admin relationship",
  admin_relationship_list: "Admin relationships list",
  audit_log: "Audit log",
  bulk_operation: "Bulk operation",
  customer_agreement: "Customer agreement",
  customer_list: "Customer list",
  customer_selection: "Customer selection",
  lead: "Lead",
  link: "Link",
  link_redemption: "Link redemption",
  lob_app: "Line-of-business app",
  organisation: "Organisation",
  partner_listing: "Directory listing",
  product_key_import: "Product key import",
  relationship: "Relationship",
  service_request: "Service request",
  staff_group: "Staff group",
  subscription: "Subscription",
  user: "User",
};

/** "Admin relationship Contoso helpdesk", or the type and id when the name is not this organisation's to show. */
export function auditObjectLabel(e: AuditObjectRef): string {
  if (!e.objectType) return "";
  const type = TYPE_LABELS[e.objectType] ?? e.objectType;
  if (e.objectName) return e.objectType === "link" ? `${e.objectName.charAt(0).toUpperCase()}${e.objectName.slice(1)} link` : `${type} ${e.objectName}`;
  return e.objectId ? `${type} ${e.objectId}` : type;
}

export function auditObjectHref(e: AuditObjectRef): string | null {
  if (!e.objectName || !e.objectId) return null;
  switch (e.objectType) {
    case "admin_relationship":
      return `/partner/relationships/${e.objectId}`;
    case "lead":
      return `/partner/leads/${e.objectId}`;
    case "staff_group":
      return "/partner/staff/groups";
    case "user":
      return `/partner/staff/${e.objectId}`;
    case "organisation":
      return `/partner/customers/${e.objectId}`;
    case "link":
      return `/partner/links/${e.objectId}`;
    default:
      return null;
  }
}
