-- Search returns whole partner_customers rows (found through the trigram or prefix index, with
-- the tenant filter applied inside), so the list sorts, pages and counts them without a second
-- lookup per match. The prefix form becomes one OR (a BitmapOr of the two prefix indexes).
CREATE OR REPLACE FUNCTION pd_customer_search_sql(p_partner uuid, p_term text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN length(p_term) >= 3 THEN
    format('SELECT * FROM partner_customers WHERE partner_org_id = %L AND search_text LIKE %L',
           p_partner, '%' || pd_like_escape(p_term) || '%')
  ELSE
    format('SELECT * FROM partner_customers WHERE partner_org_id = %L AND (sort_name LIKE %L OR primary_domain LIKE %L)',
           p_partner, pd_like_escape(p_term) || '%', pd_like_escape(p_term) || '%')
  END
$$;
--> statement-breakpoint
DROP FUNCTION pd_search_partner_customers(text);
--> statement-breakpoint
CREATE FUNCTION pd_search_partner_customers(p_term text) RETURNS SETOF partner_customers
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE v_partner uuid := app_org_id();
BEGIN
  IF v_partner IS NULL OR p_term IS NULL OR length(p_term) = 0 THEN RETURN; END IF;
  RETURN QUERY EXECUTE pd_customer_search_sql(v_partner, lower(p_term));
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_search_partner_customers(text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_search_partner_customers(text) TO partnerdesk_app;
