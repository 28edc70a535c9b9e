-- The search condition builder calls format(), which is STABLE, so declared IMMUTABLE it could not
-- be inlined: every call from the search functions ran it through the SQL-function executor, its
-- body parsed and planned again in each transaction (about 0.05 ms of every search page on the
-- benchmark machine). Declared STABLE, as its body is, it is inlined into the caller's expression.
ALTER FUNCTION pd_customer_search_condition(uuid, text) STABLE;
--> statement-breakpoint
ALTER FUNCTION pd_customer_search_sql(uuid, text) STABLE;
--> statement-breakpoint
-- pd_customer_search_where (plpgsql) calls it and format() too: STABLE as well, honestly labelled.
ALTER FUNCTION pd_customer_search_where(uuid, text, text, text, text) STABLE;
