-- Staff groups, their members and their GDAP role assignments: the partner's own rows.
ALTER TABLE staff_groups ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE staff_groups FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY staff_groups_own ON staff_groups FOR ALL TO partnerdesk_app USING (partner_org_id = app_org_id()) WITH CHECK (partner_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON staff_groups TO partnerdesk_app;
--> statement-breakpoint
ALTER TABLE staff_group_members ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE staff_group_members FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY staff_group_members_own ON staff_group_members FOR ALL TO partnerdesk_app USING (partner_org_id = app_org_id()) WITH CHECK (partner_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON staff_group_members TO partnerdesk_app;
--> statement-breakpoint
ALTER TABLE gdap_assignments ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE gdap_assignments FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY gdap_assignments_own ON gdap_assignments FOR ALL TO partnerdesk_app USING (partner_org_id = app_org_id()) WITH CHECK (partner_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON gdap_assignments TO partnerdesk_app;
