-- The unfiltered customer list shows an exact total without counting: a per-partner counter kept
-- by a trigger on the read model (and recomputed by the bulk rebuild).
ALTER TABLE partner_customer_counts ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE partner_customer_counts FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY partner_customer_counts_own ON partner_customer_counts FOR SELECT TO partnerdesk_app USING (partner_org_id = app_org_id());
--> statement-breakpoint
GRANT SELECT ON partner_customer_counts TO partnerdesk_app;
--> statement-breakpoint
CREATE FUNCTION pd_partner_customers_counted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO partner_customer_counts AS c (partner_org_id, customers) VALUES (NEW.partner_org_id, 1)
      ON CONFLICT (partner_org_id) DO UPDATE SET customers = c.customers + 1;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE partner_customer_counts SET customers = customers - 1 WHERE partner_org_id = OLD.partner_org_id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER partner_customers_count AFTER INSERT OR DELETE ON partner_customers
  FOR EACH ROW EXECUTE FUNCTION pd_partner_customers_counted();
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
  WHERE r.status <> 'ended'
  GROUP BY r.partner_org_id, o.id;
  DELETE FROM partner_customer_counts;
  INSERT INTO partner_customer_counts (partner_org_id, customers)
  SELECT partner_org_id, count(*) FROM partner_customers GROUP BY partner_org_id;
$$;
--> statement-breakpoint
-- Counts for rows that already exist.
INSERT INTO partner_customer_counts (partner_org_id, customers)
SELECT partner_org_id, count(*) FROM partner_customers GROUP BY partner_org_id
ON CONFLICT (partner_org_id) DO UPDATE SET customers = excluded.customers;
