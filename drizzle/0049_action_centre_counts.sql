ALTER TABLE "admin_relationships" ADD COLUMN "group_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "admin_relationships_partner_ends_idx" ON "admin_relationships" USING btree ("partner_org_id","ends_at") WHERE status = 'active';--> statement-breakpoint
CREATE INDEX "admin_relationships_partner_unassigned_idx" ON "admin_relationships" USING btree ("partner_org_id","created_at","id") WHERE status = 'active' and group_count = 0;--> statement-breakpoint
CREATE INDEX "partner_subscriptions_trial_ends_idx" ON "partner_subscriptions" USING btree ("partner_org_id","ends_at") WHERE status = 'trial';--> statement-breakpoint
-- Issue 30: the partner overview counts active GDAP relationships that no staff group holds roles
-- in. A count kept on the relationship (and a partial index on it) answers that in index order,
-- instead of testing every active relationship of the partner against its assignments.
CREATE FUNCTION pd_gdap_assignments_counted() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE admin_relationships SET group_count = group_count + 1 WHERE id = NEW.admin_relationship_id;
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE admin_relationships SET group_count = greatest(group_count - 1, 0) WHERE id = OLD.admin_relationship_id;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER gdap_assignments_count AFTER INSERT OR DELETE ON gdap_assignments
  FOR EACH ROW EXECUTE FUNCTION pd_gdap_assignments_counted();
--> statement-breakpoint
UPDATE admin_relationships ar SET group_count = (SELECT count(*) FROM gdap_assignments g WHERE g.admin_relationship_id = ar.id)
 WHERE EXISTS (SELECT 1 FROM gdap_assignments g WHERE g.admin_relationship_id = ar.id);
