CREATE TABLE "admin_relationships" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"partner_org_id" uuid NOT NULL,
	"customer_org_id" uuid,
	"display_name" text NOT NULL,
	"duration_days" integer NOT NULL,
	"auto_extend_days" integer DEFAULT 0 NOT NULL,
	"roles" text[] NOT NULL,
	"status" text NOT NULL,
	"approval_code" text NOT NULL,
	"created_by_user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"request_expires_at" timestamp with time zone NOT NULL,
	"approved_at" timestamp with time zone,
	"approved_by_user_id" uuid,
	"ends_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"end_reason" text,
	CONSTRAINT "admin_relationships_name" CHECK (length(display_name) between 1 and 50),
	CONSTRAINT "admin_relationships_duration" CHECK (duration_days between 1 and 730),
	CONSTRAINT "admin_relationships_auto_extend" CHECK (auto_extend_days in (0, 180)),
	CONSTRAINT "admin_relationships_roles" CHECK (cardinality(roles) > 0)
);
--> statement-breakpoint
ALTER TABLE "admin_relationships" ADD CONSTRAINT "admin_relationships_partner_org_id_organisations_id_fk" FOREIGN KEY ("partner_org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admin_relationships" ADD CONSTRAINT "admin_relationships_customer_org_id_organisations_id_fk" FOREIGN KEY ("customer_org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admin_relationships" ADD CONSTRAINT "admin_relationships_created_by_user_id_users_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "admin_relationships" ADD CONSTRAINT "admin_relationships_approved_by_user_id_users_id_fk" FOREIGN KEY ("approved_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "admin_relationships_partner_name_key" ON "admin_relationships" USING btree ("partner_org_id",lower("display_name"));--> statement-breakpoint
CREATE UNIQUE INDEX "admin_relationships_approval_code_key" ON "admin_relationships" USING btree ("approval_code");--> statement-breakpoint
CREATE INDEX "admin_relationships_partner_idx" ON "admin_relationships" USING btree ("partner_org_id","status","created_at");--> statement-breakpoint
CREATE INDEX "admin_relationships_customer_idx" ON "admin_relationships" USING btree ("customer_org_id","status");--> statement-breakpoint
CREATE INDEX "admin_relationships_ends_idx" ON "admin_relationships" USING btree ("ends_at") WHERE status = 'active';