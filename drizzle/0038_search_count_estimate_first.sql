-- The search total asks the planner first. A broad term of a large partner ('bake' among 100,000
-- customers: about 4,000 matches) cost a capped count of 1,001 matches through the trigram index
-- (the bitmap over the partner's rows and the trigrams, then 1,001 heap rechecks: about 3.5 ms of
-- database CPU per page) only to be shown as "about N" anyway. When the planner's estimate is more
-- than twice the cap, that estimate is the answer; otherwise the capped count decides, as before,
-- and exact totals up to the cap stay exact (ADR 0007).
CREATE OR REPLACE FUNCTION pd_count_partner_customer_matches(p_term text, p_type text, p_country text, p_agreement text, p_cap integer)
 RETURNS TABLE(n integer, exact boolean)
 LANGUAGE plpgsql
 VOLATILE SECURITY DEFINER ROWS 1
 SET search_path TO 'public', 'pg_temp'
AS $function$
DECLARE
  v_partner uuid := app_org_id();
  v_sql text;
  v_n integer;
  v_plan json;
  v_estimate integer;
BEGIN
  IF v_partner IS NULL OR p_term IS NULL OR length(p_term) = 0 THEN RETURN QUERY SELECT 0, true; RETURN; END IF;
  v_sql := 'SELECT 1 FROM partner_customers WHERE ' || pd_customer_search_where(v_partner, lower(p_term), p_type, p_country, p_agreement);
  EXECUTE 'EXPLAIN (FORMAT JSON) ' || v_sql INTO v_plan;
  v_estimate := (v_plan -> 0 -> 'Plan' ->> 'Plan Rows')::numeric::int;
  IF v_estimate > 2 * p_cap THEN RETURN QUERY SELECT v_estimate, false; RETURN; END IF;
  EXECUTE format('SELECT count(*)::int FROM (%s LIMIT %s) capped', v_sql, p_cap + 1) INTO v_n;
  IF v_n <= p_cap THEN RETURN QUERY SELECT v_n, true; RETURN; END IF;
  RETURN QUERY SELECT greatest(v_estimate, p_cap + 1), false;
END $function$;
