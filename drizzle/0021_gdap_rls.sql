-- GDAP relationships: the partner's and the customer's. The partner creates requests; the
-- customer's global admin approves, declines or removes roles. An open request (no customer yet)
-- is bound to a customer only through its approval code (system context, ADR 0010).
ALTER TABLE admin_relationships ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE admin_relationships FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY admin_relationships_select ON admin_relationships FOR SELECT TO partnerdesk_app
  USING (partner_org_id = app_org_id() OR customer_org_id = app_org_id());
--> statement-breakpoint
CREATE POLICY admin_relationships_insert ON admin_relationships FOR INSERT TO partnerdesk_app
  WITH CHECK (partner_org_id = app_org_id());
--> statement-breakpoint
CREATE POLICY admin_relationships_update ON admin_relationships FOR UPDATE TO partnerdesk_app
  USING (partner_org_id = app_org_id() OR customer_org_id = app_org_id())
  WITH CHECK (partner_org_id = app_org_id() OR customer_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT, INSERT ON admin_relationships TO partnerdesk_app;
--> statement-breakpoint
GRANT UPDATE (status, approved_at, approved_by_user_id, ends_at, ended_at, end_reason) ON admin_relationships TO partnerdesk_app;
