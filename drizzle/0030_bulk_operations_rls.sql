-- Bulk operations and their items: the partner's own rows.
ALTER TABLE bulk_operations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE bulk_operations FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY bulk_operations_own ON bulk_operations FOR ALL TO partnerdesk_app USING (partner_org_id = app_org_id()) WITH CHECK (partner_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT, INSERT ON bulk_operations TO partnerdesk_app;
--> statement-breakpoint
GRANT UPDATE (total, succeeded, failed, status, finished_at) ON bulk_operations TO partnerdesk_app;
--> statement-breakpoint
ALTER TABLE bulk_operation_items ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE bulk_operation_items FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY bulk_operation_items_own ON bulk_operation_items FOR ALL TO partnerdesk_app USING (partner_org_id = app_org_id()) WITH CHECK (partner_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT, INSERT ON bulk_operation_items TO partnerdesk_app;
--> statement-breakpoint
GRANT UPDATE (status, message, result_id, done_at) ON bulk_operation_items TO partnerdesk_app;
