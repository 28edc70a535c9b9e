-- Search pages inside the SECURITY DEFINER function: with ORDER BY … LIMIT on the owner's side the
-- planner can walk the sort index and filter (broad terms) or use the trigram index and sort
-- (selective terms), instead of reading every match. The total is exact up to a cap and an
-- estimate beyond (the planner's row estimate), so a broad term no longer reads every match.
CREATE FUNCTION pd_customer_search_condition(p_partner uuid, p_term text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN length(p_term) >= 3 THEN
    format('partner_org_id = %L AND search_text LIKE %L', p_partner, '%' || pd_like_escape(p_term) || '%')
  ELSE
    format('partner_org_id = %L AND (sort_name LIKE %L OR primary_domain LIKE %L)', p_partner, pd_like_escape(p_term) || '%', pd_like_escape(p_term) || '%')
  END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION pd_customer_search_sql(p_partner uuid, p_term text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT 'SELECT * FROM partner_customers WHERE ' || pd_customer_search_condition(p_partner, p_term)
$$;
--> statement-breakpoint
CREATE FUNCTION pd_customer_search_where(p_partner uuid, p_term text, p_type text, p_country text, p_agreement text)
RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE v text := pd_customer_search_condition(p_partner, p_term);
BEGIN
  IF p_type IS NOT NULL THEN
    v := v || CASE p_type WHEN 'reseller' THEN ' AND is_reseller' WHEN 'advisor' THEN ' AND is_advisor'
                          WHEN 'dap' THEN ' AND is_dap' WHEN 'gdap' THEN ' AND is_gdap' END;
    IF v IS NULL THEN RAISE EXCEPTION 'unknown relationship type %', p_type; END IF;
  END IF;
  IF p_country IS NOT NULL THEN v := v || format(' AND country = %L', p_country); END IF;
  IF p_agreement IS NOT NULL THEN v := v || format(' AND agreement_status = %L', p_agreement); END IF;
  RETURN v;
END $$;
--> statement-breakpoint
CREATE FUNCTION pd_search_partner_customers_page(p_term text, p_type text, p_country text, p_agreement text,
    p_sort text, p_ascending boolean, p_cursor_value text, p_cursor_id uuid, p_limit integer)
RETURNS SETOF partner_customers
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_partner uuid := app_org_id();
  v_col text := CASE p_sort WHEN 'name' THEN 'sort_name' WHEN 'domain' THEN 'primary_domain' WHEN 'country' THEN 'country'
                            WHEN 'types' THEN 'relationship_types' WHEN 'agreement' THEN 'agreement_status'
                            WHEN 'created' THEN 'customer_created_at' END;
  v_dir text := CASE WHEN p_ascending THEN 'ASC' ELSE 'DESC' END;
  v_sql text;
BEGIN
  IF v_partner IS NULL OR p_term IS NULL OR length(p_term) = 0 THEN RETURN; END IF;
  IF v_col IS NULL THEN RAISE EXCEPTION 'unknown sort %', p_sort; END IF;
  v_sql := 'SELECT * FROM partner_customers WHERE ' || pd_customer_search_where(v_partner, lower(p_term), p_type, p_country, p_agreement);
  IF p_cursor_id IS NOT NULL THEN
    v_sql := v_sql || format(' AND (%I, customer_org_id) %s (%s, %L::uuid)', v_col, CASE WHEN p_ascending THEN '>' ELSE '<' END,
      CASE WHEN v_col = 'customer_created_at' THEN format('(%L::timestamp AT TIME ZONE ''UTC'')', p_cursor_value) ELSE format('%L::text', p_cursor_value) END,
      p_cursor_id);
  END IF;
  v_sql := v_sql || format(' ORDER BY %I %s, customer_org_id %s LIMIT %s', v_col, v_dir, v_dir, greatest(1, least(p_limit, 1001)));
  RETURN QUERY EXECUTE v_sql;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_search_partner_customers_page(text, text, text, text, text, boolean, text, uuid, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_search_partner_customers_page(text, text, text, text, text, boolean, text, uuid, integer) TO partnerdesk_app;
--> statement-breakpoint
CREATE FUNCTION pd_count_partner_customer_matches(p_term text, p_type text, p_country text, p_agreement text, p_cap integer)
RETURNS TABLE (n integer, exact boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_partner uuid := app_org_id();
  v_sql text;
  v_n integer;
  v_plan json;
BEGIN
  IF v_partner IS NULL OR p_term IS NULL OR length(p_term) = 0 THEN RETURN QUERY SELECT 0, true; RETURN; END IF;
  v_sql := 'SELECT 1 FROM partner_customers WHERE ' || pd_customer_search_where(v_partner, lower(p_term), p_type, p_country, p_agreement);
  EXECUTE format('SELECT count(*)::int FROM (%s LIMIT %s) capped', v_sql, p_cap + 1) INTO v_n;
  IF v_n <= p_cap THEN RETURN QUERY SELECT v_n, true; RETURN; END IF;
  EXECUTE 'EXPLAIN (FORMAT JSON) ' || v_sql INTO v_plan;
  RETURN QUERY SELECT greatest((v_plan -> 0 -> 'Plan' ->> 'Plan Rows')::numeric::int, p_cap + 1), false;
END $$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION pd_count_partner_customer_matches(text, text, text, text, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION pd_count_partner_customer_matches(text, text, text, text, integer) TO partnerdesk_app;
