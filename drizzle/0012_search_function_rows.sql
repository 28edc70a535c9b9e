-- Row estimates for the search functions. With the default (1,000 rows each) the list statement
-- was estimated at a million rows, which crossed jit_above_cost and JIT-compiled every search
-- (about 10 ms of CPU per request).
ALTER FUNCTION pd_count_partner_customer_matches(text, text, text, text, integer) ROWS 1;
--> statement-breakpoint
ALTER FUNCTION pd_search_partner_customers_page(text, text, text, text, text, boolean, text, uuid, integer) ROWS 50;
