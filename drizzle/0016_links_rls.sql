-- Shared links belong to their partner. Resolving a code from the public page is a cross-tenant
-- path (link redemption, ADR 0002) and runs in the system context.
ALTER TABLE links ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE links FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY links_own ON links FOR ALL TO partnerdesk_app USING (partner_org_id = app_org_id()) WITH CHECK (partner_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT, INSERT ON links TO partnerdesk_app;
--> statement-breakpoint
GRANT UPDATE (revoked_at) ON links TO partnerdesk_app;
--> statement-breakpoint
ALTER TABLE link_items ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE link_items FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY link_items_own ON link_items FOR ALL TO partnerdesk_app USING (partner_org_id = app_org_id()) WITH CHECK (partner_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT, INSERT ON link_items TO partnerdesk_app;
