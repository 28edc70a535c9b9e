-- relationships: visible to both sides; a partner sees the customers it has a live relationship with.
ALTER TABLE relationships ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE relationships FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY relationships_select ON relationships FOR SELECT TO partnerdesk_app
  USING (partner_org_id = app_org_id() OR customer_org_id = app_org_id());
--> statement-breakpoint
CREATE POLICY relationships_insert ON relationships FOR INSERT TO partnerdesk_app
  WITH CHECK (partner_org_id = app_org_id());
--> statement-breakpoint
CREATE POLICY relationships_update ON relationships FOR UPDATE TO partnerdesk_app
  USING (partner_org_id = app_org_id() OR customer_org_id = app_org_id())
  WITH CHECK (partner_org_id = app_org_id() OR customer_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT, INSERT ON relationships TO partnerdesk_app;
--> statement-breakpoint
GRANT UPDATE (status, started_at, ended_at) ON relationships TO partnerdesk_app;
--> statement-breakpoint
DROP POLICY organisations_select ON organisations;
--> statement-breakpoint
CREATE POLICY organisations_select ON organisations FOR SELECT TO partnerdesk_app USING (
  id = app_org_id()
  OR EXISTS (
    SELECT 1 FROM relationships r
    WHERE r.status <> 'ended'
      AND ((r.partner_org_id = app_org_id() AND r.customer_org_id = organisations.id)
        OR (r.customer_org_id = app_org_id() AND r.partner_org_id = organisations.id))
  )
);
