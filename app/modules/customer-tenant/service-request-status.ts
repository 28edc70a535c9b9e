/** A service request's statuses and their labels: for the pages (browser and server) and the module. */
export const SERVICE_REQUEST_STATUSES = ["open", "closed"] as const;
export type ServiceRequestStatus = (typeof SERVICE_REQUEST_STATUSES)[number];
export const SERVICE_REQUEST_STATUS_LABELS: Record<ServiceRequestStatus, string> = { open: "Open", closed: "Closed" };
