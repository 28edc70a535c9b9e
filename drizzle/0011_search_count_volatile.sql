-- The estimate beyond the cap runs EXPLAIN, which only a VOLATILE function may do.
ALTER FUNCTION pd_count_partner_customer_matches(text, text, text, text, integer) VOLATILE;
