CREATE TABLE "product_key_imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"partner_org_id" uuid NOT NULL,
	"file_name" text,
	"accepted" integer NOT NULL,
	"refused" integer NOT NULL,
	"report" jsonb NOT NULL,
	"created_by_user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "product_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"partner_org_id" uuid NOT NULL,
	"key_hash" text NOT NULL,
	"last_group" text NOT NULL,
	"product_id" text NOT NULL,
	"licences" integer NOT NULL,
	"status" text DEFAULT 'available' NOT NULL,
	"import_id" uuid,
	"imported_by_user_id" uuid,
	"imported_at" timestamp with time zone DEFAULT now() NOT NULL,
	"used_at" timestamp with time zone,
	"used_by_user_id" uuid,
	"customer_org_id" uuid,
	"subscription_id" uuid,
	CONSTRAINT "product_keys_licences" CHECK (licences >= 1),
	CONSTRAINT "product_keys_last_group" CHECK (last_group ~ '^[A-Z0-9]{5}$'),
	CONSTRAINT "product_keys_used" CHECK ((status = 'available' and used_at is null) or (status = 'used' and used_at is not null))
);
--> statement-breakpoint
ALTER TABLE "product_key_imports" ADD CONSTRAINT "product_key_imports_partner_org_id_organisations_id_fk" FOREIGN KEY ("partner_org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_key_imports" ADD CONSTRAINT "product_key_imports_created_by_user_id_users_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_keys" ADD CONSTRAINT "product_keys_partner_org_id_organisations_id_fk" FOREIGN KEY ("partner_org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_keys" ADD CONSTRAINT "product_keys_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_keys" ADD CONSTRAINT "product_keys_imported_by_user_id_users_id_fk" FOREIGN KEY ("imported_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_keys" ADD CONSTRAINT "product_keys_used_by_user_id_users_id_fk" FOREIGN KEY ("used_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_keys" ADD CONSTRAINT "product_keys_customer_org_id_organisations_id_fk" FOREIGN KEY ("customer_org_id") REFERENCES "public"."organisations"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "product_keys" ADD CONSTRAINT "product_keys_subscription_id_subscriptions_id_fk" FOREIGN KEY ("subscription_id") REFERENCES "public"."subscriptions"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "product_key_imports_partner_idx" ON "product_key_imports" USING btree ("partner_org_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "product_keys_key_hash_key" ON "product_keys" USING btree ("key_hash");--> statement-breakpoint
CREATE INDEX "product_keys_partner_idx" ON "product_keys" USING btree ("partner_org_id","imported_at","id");--> statement-breakpoint
CREATE INDEX "product_keys_partner_status_idx" ON "product_keys" USING btree ("partner_org_id","status","imported_at");