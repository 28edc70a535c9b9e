CREATE TABLE "lob_apps" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_org_id" uuid NOT NULL,
	"partner_org_id" uuid NOT NULL,
	"partner_name" text NOT NULL,
	"name" text NOT NULL,
	"version" text NOT NULL,
	"description" text NOT NULL,
	"download_url" text NOT NULL,
	"status" text DEFAULT 'submitted' NOT NULL,
	"submitted_by_user_id" uuid,
	"submitted_by_name" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reviewed_at" timestamp with time zone,
	"reviewed_by_user_id" uuid,
	"reviewed_by_name" text,
	"reviewed_by_org_id" uuid,
	"reason" text,
	CONSTRAINT "lob_apps_lengths" CHECK (length(name) between 1 and 100 and length(version) between 1 and 40 and length(description) between 1 and 2000 and length(download_url) <= 2000 and length(partner_name) <= 200 and (reason is null or length(reason) <= 500)),
	CONSTRAINT "lob_apps_https" CHECK (download_url like 'https://%'),
	CONSTRAINT "lob_apps_two_sides" CHECK (customer_org_id <> partner_org_id)
);
--> statement-breakpoint
ALTER TABLE "lob_apps" ADD CONSTRAINT "lob_apps_customer_org_id_organisations_id_fk" FOREIGN KEY ("customer_org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lob_apps" ADD CONSTRAINT "lob_apps_partner_org_id_organisations_id_fk" FOREIGN KEY ("partner_org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "lob_apps_customer_partner_name_version_key" ON "lob_apps" USING btree ("customer_org_id","partner_org_id",lower("name"),lower("version"));--> statement-breakpoint
CREATE INDEX "lob_apps_customer_created_idx" ON "lob_apps" USING btree ("customer_org_id","created_at","id");--> statement-breakpoint
CREATE INDEX "lob_apps_partner_idx" ON "lob_apps" USING btree ("partner_org_id","customer_org_id","created_at");