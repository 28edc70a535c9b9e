/**
 * What an entry of the partner activity log says, in words: the customer's Partner activity page
 * and a partner's details page show the same entries.
 */
export function describeActivity(action: string, details: Record<string, unknown> | null) {
  const email = typeof details?.email === "string" ? details.email : null;
  switch (action) {
    case "tenant_user.password_reset":
      return `Reset the password of ${email ?? "a user"}`;
    case "tenant_user.created":
      return `Added the user ${email ?? ""}`.trim();
    case "gdap.requested":
      return "Asked for admin roles";
    case "gdap.roles_assigned":
      return "Assigned admin roles to a staff group";
    case "dap.requested":
      return "Asked for delegated administration";
    case "customer.created":
      return "Created your organisation";
    case "licence.assigned":
      return "Assigned a licence";
    case "licence.removed":
      return "Removed a licence";
    case "service_request.opened":
      return `Opened the service request “${String(details?.title ?? "")}”`;
    case "service_request.commented":
      return `Commented on “${String(details?.title ?? "")}”`;
    case "service_request.closed":
      return `Closed the service request “${String(details?.title ?? "")}”`;
    case "gdap.termination_requested":
      return "Ended its admin roles";
    case "gdap.withdrawn":
      return "Withdrew a request for admin roles";
    default:
      return action;
  }
}

