-- Link redemption: subscriptions (customer and partner of record), redemptions and visits (the
-- partner's tracking). Redemption itself is a named cross-tenant path in the system context
-- (ADR 0009); the app role only reads these rows, and a customer changes its own subscriptions.
ALTER TABLE subscriptions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE subscriptions FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY subscriptions_select ON subscriptions FOR SELECT TO partnerdesk_app
  USING (customer_org_id = app_org_id() OR advisor_partner_org_id = app_org_id());
--> statement-breakpoint
CREATE POLICY subscriptions_update ON subscriptions FOR UPDATE TO partnerdesk_app
  USING (customer_org_id = app_org_id()) WITH CHECK (customer_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT ON subscriptions TO partnerdesk_app;
--> statement-breakpoint
GRANT UPDATE (licences, status, ends_at, converted_at, ended_at) ON subscriptions TO partnerdesk_app;
--> statement-breakpoint
ALTER TABLE link_redemptions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE link_redemptions FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY link_redemptions_select ON link_redemptions FOR SELECT TO partnerdesk_app
  USING (partner_org_id = app_org_id() OR customer_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT ON link_redemptions TO partnerdesk_app;
--> statement-breakpoint
ALTER TABLE link_visits ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE link_visits FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY link_visits_select ON link_visits FOR SELECT TO partnerdesk_app USING (partner_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT ON link_visits TO partnerdesk_app;
--> statement-breakpoint
-- A requested admin relationship (waiting for the customer's global admin) is not yet one of the
-- partner's live relationship types in its customer list.
CREATE OR REPLACE FUNCTION pd_refresh_partner_customer(p_partner uuid, p_customer uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE v_types text[];
BEGIN
  SELECT array_agg(DISTINCT type ORDER BY type) INTO v_types FROM relationships
   WHERE partner_org_id = p_partner AND customer_org_id = p_customer AND status IN ('pending', 'active');
  IF v_types IS NULL THEN
    DELETE FROM partner_customers WHERE partner_org_id = p_partner AND customer_org_id = p_customer;
    RETURN;
  END IF;
  INSERT INTO partner_customers AS pc (partner_org_id, customer_org_id, name, sort_name, primary_domain, country,
      relationship_types, is_reseller, is_advisor, is_dap, is_gdap, agreement_status, search_text, customer_created_at)
  SELECT p_partner, o.id, o.name, lower(o.name), o.primary_domain, coalesce(o.country, ''),
      array_to_string(v_types, ','), 'reseller' = ANY (v_types), 'advisor' = ANY (v_types), 'dap' = ANY (v_types), 'gdap' = ANY (v_types),
      CASE WHEN o.agreement_version IS NOT NULL AND o.agreement_version = pd_current_agreement_version() THEN 'accepted' ELSE 'pending' END,
      lower(o.name || ' ' || o.primary_domain), o.created_at
  FROM organisations o WHERE o.id = p_customer
  ON CONFLICT (partner_org_id, customer_org_id) DO UPDATE SET
    relationship_types = excluded.relationship_types, is_reseller = excluded.is_reseller, is_advisor = excluded.is_advisor,
    is_dap = excluded.is_dap, is_gdap = excluded.is_gdap, agreement_status = excluded.agreement_status,
    name = excluded.name, sort_name = excluded.sort_name, primary_domain = excluded.primary_domain,
    country = excluded.country, search_text = excluded.search_text;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION pd_rebuild_partner_customers() RETURNS void LANGUAGE sql AS $$
  DELETE FROM partner_customers;
  INSERT INTO partner_customers (partner_org_id, customer_org_id, name, sort_name, primary_domain, country,
      relationship_types, is_reseller, is_advisor, is_dap, is_gdap, agreement_status, search_text, customer_created_at)
  SELECT r.partner_org_id, o.id, o.name, lower(o.name), o.primary_domain, coalesce(o.country, ''),
      string_agg(DISTINCT r.type, ',' ORDER BY r.type), bool_or(r.type = 'reseller'), bool_or(r.type = 'advisor'),
      bool_or(r.type = 'dap'), bool_or(r.type = 'gdap'),
      CASE WHEN o.agreement_version IS NOT NULL AND o.agreement_version = pd_current_agreement_version() THEN 'accepted' ELSE 'pending' END,
      lower(o.name || ' ' || o.primary_domain), o.created_at
  FROM relationships r JOIN organisations o ON o.id = r.customer_org_id
  WHERE r.status IN ('pending', 'active')
  GROUP BY r.partner_org_id, o.id;
  DELETE FROM partner_customer_counts;
  INSERT INTO partner_customer_counts (partner_org_id, customers)
  SELECT partner_org_id, count(*) FROM partner_customers GROUP BY partner_org_id;
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_rebuild_partner_customers() FROM PUBLIC;
