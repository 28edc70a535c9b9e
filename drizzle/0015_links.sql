CREATE TABLE "link_items" (
	"link_id" uuid NOT NULL,
	"partner_org_id" uuid NOT NULL,
	"product_id" text NOT NULL,
	"licences" integer NOT NULL,
	CONSTRAINT "link_items_link_id_product_id_pk" PRIMARY KEY("link_id","product_id"),
	CONSTRAINT "link_items_licences" CHECK (licences >= 1)
);
--> statement-breakpoint
CREATE TABLE "links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"partner_org_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"link_id" text NOT NULL,
	"code" text NOT NULL,
	"offer_dap" boolean DEFAULT false NOT NULL,
	"message" text,
	"expires_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	"created_by_user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "links_message_length" CHECK (message is null or length(message) <= 2000)
);
--> statement-breakpoint
ALTER TABLE "link_items" ADD CONSTRAINT "link_items_link_id_links_id_fk" FOREIGN KEY ("link_id") REFERENCES "public"."links"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "link_items" ADD CONSTRAINT "link_items_product_id_products_id_fk" FOREIGN KEY ("product_id") REFERENCES "public"."products"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "links" ADD CONSTRAINT "links_partner_org_id_organisations_id_fk" FOREIGN KEY ("partner_org_id") REFERENCES "public"."organisations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "links" ADD CONSTRAINT "links_created_by_user_id_users_id_fk" FOREIGN KEY ("created_by_user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "links_link_id_key" ON "links" USING btree ("link_id");--> statement-breakpoint
CREATE INDEX "links_partner_idx" ON "links" USING btree ("partner_org_id","created_at");