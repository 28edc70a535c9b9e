CREATE TABLE "gdap_assignments" (
	"admin_relationship_id" uuid NOT NULL,
	"group_id" uuid NOT NULL,
	"partner_org_id" uuid NOT NULL,
	"roles" text[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "gdap_assignments_admin_relationship_id_group_id_pk" PRIMARY KEY("admin_relationship_id","group_id"),
	CONSTRAINT "gdap_assignments_roles" CHECK (cardinality(roles) > 0)
);
--> statement-breakpoint
CREATE TABLE "staff_group_members" (
	"group_id" uuid NOT NULL,
	"partner_org_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	CONSTRAINT "staff_group_members_group_id_user_id_pk" PRIMARY KEY("group_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "staff_groups" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"partner_org_id" uuid NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "staff_groups_name" CHECK (length(name) between 1 and 80)
);
--> statement-breakpoint
ALTER TABLE "gdap_assignments" ADD CONSTRAINT "gdap_assignments_admin_relationship_id_admin_relationships_id_fk" FOREIGN KEY ("admin_relationship_id") REFERENCES "public"."admin_relationships"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "gdap_assignments" ADD CONSTRAINT "gdap_assignments_group_id_staff_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."staff_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_group_members" ADD CONSTRAINT "staff_group_members_group_id_staff_groups_id_fk" FOREIGN KEY ("group_id") REFERENCES "public"."staff_groups"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_group_members" ADD CONSTRAINT "staff_group_members_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "staff_groups" ADD CONSTRAINT "staff_groups_partner_org_id_organisations_id_fk" FOREIGN KEY ("partner_org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "gdap_assignments_group_idx" ON "gdap_assignments" USING btree ("partner_org_id","group_id");--> statement-breakpoint
CREATE INDEX "staff_group_members_user_idx" ON "staff_group_members" USING btree ("partner_org_id","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "staff_groups_partner_name_key" ON "staff_groups" USING btree ("partner_org_id",lower("name"));