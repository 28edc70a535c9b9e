-- Licences and service requests belong to the customer; partner staff reach them only inside the
-- customer's context (pd_act_in_customer, ADR 0010).
ALTER TABLE licence_assignments ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE licence_assignments FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY licence_assignments_own ON licence_assignments FOR ALL TO partnerdesk_app USING (customer_org_id = app_org_id()) WITH CHECK (customer_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON licence_assignments TO partnerdesk_app;
--> statement-breakpoint
ALTER TABLE service_requests ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE service_requests FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY service_requests_own ON service_requests FOR ALL TO partnerdesk_app USING (customer_org_id = app_org_id()) WITH CHECK (customer_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT, INSERT ON service_requests TO partnerdesk_app;
--> statement-breakpoint
GRANT UPDATE (status, closed_at) ON service_requests TO partnerdesk_app;
--> statement-breakpoint
ALTER TABLE service_request_comments ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE service_request_comments FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY service_request_comments_own ON service_request_comments FOR ALL TO partnerdesk_app USING (customer_org_id = app_org_id()) WITH CHECK (customer_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT, INSERT ON service_request_comments TO partnerdesk_app;
