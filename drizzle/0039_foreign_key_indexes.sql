-- Indexes for the foreign keys whose parent rows the app deletes. A foreign key's ON DELETE
-- action looks its children up by the key's columns alone (as the owner, across every tenant):
-- - deleting a staff group cascades to its GDAP assignments by group_id, which the partner-first
--   index could not serve, so each deletion read the whole table (group ids are unique, so the one
--   column serves the tenant's lookups too);
-- - the daily purge of contact requests older than 30 days sets leads.contact_request_id to null,
--   one lookup per purged request, each a scan of every lead.
-- tests/integration/schema.test.ts keeps the rest of the unindexed foreign keys on a reviewed list.
DROP INDEX "gdap_assignments_group_idx";--> statement-breakpoint
CREATE INDEX "leads_contact_request_idx" ON "leads" USING btree ("contact_request_id") WHERE contact_request_id is not null;--> statement-breakpoint
CREATE INDEX "gdap_assignments_group_idx" ON "gdap_assignments" USING btree ("group_id");
