CREATE TABLE "households" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_unit_id" uuid NOT NULL,
	"org_path" text NOT NULL,
	"address" text NOT NULL,
	"district_code" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "key_group_classes" (
	"code" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"testing_frequency" text,
	"effective_from" date NOT NULL,
	"effective_to" date,
	"sort_order" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "permission_seeds" (
	"permission" text PRIMARY KEY NOT NULL,
	"seeded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "person_key_groups" (
	"person_id" uuid NOT NULL,
	"class_code" text NOT NULL,
	"source" text NOT NULL,
	"since" date NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "person_key_groups_person_id_class_code_pk" PRIMARY KEY("person_id","class_code")
);
--> statement-breakpoint
CREATE TABLE "person_statuses" (
	"id" uuid PRIMARY KEY NOT NULL,
	"person_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"value" text NOT NULL,
	"observed_at" timestamp with time zone NOT NULL,
	"valid_until" timestamp with time zone,
	"source" text NOT NULL,
	"recorded_by" uuid,
	"district_code" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "persons" (
	"id" uuid PRIMARY KEY NOT NULL,
	"org_unit_id" uuid NOT NULL,
	"org_path" text NOT NULL,
	"household_id" uuid,
	"name" text NOT NULL,
	"name_pinyin" text NOT NULL,
	"name_initials" text NOT NULL,
	"document_type" text DEFAULT 'id_card' NOT NULL,
	"id_enc" text NOT NULL,
	"id_hash" text NOT NULL,
	"id_last4" text NOT NULL,
	"birth_date" date,
	"sex" text,
	"phone_enc" text,
	"phone_hash" text,
	"phone_last4" text,
	"address" text NOT NULL,
	"residence_status" text NOT NULL,
	"synthetic" boolean DEFAULT false NOT NULL,
	"merged_into" uuid,
	"district_code" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "households" ADD CONSTRAINT "households_org_unit_id_org_units_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "person_key_groups" ADD CONSTRAINT "person_key_groups_person_id_persons_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."persons"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "person_key_groups" ADD CONSTRAINT "person_key_groups_class_code_key_group_classes_code_fk" FOREIGN KEY ("class_code") REFERENCES "public"."key_group_classes"("code") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "person_statuses" ADD CONSTRAINT "person_statuses_person_id_persons_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."persons"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "persons" ADD CONSTRAINT "persons_org_unit_id_org_units_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "persons" ADD CONSTRAINT "persons_household_id_households_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."households"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "households_org_path_idx" ON "households" USING btree ("org_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "person_key_groups_class_idx" ON "person_key_groups" USING btree ("class_code");--> statement-breakpoint
CREATE INDEX "person_statuses_person_idx" ON "person_statuses" USING btree ("person_id","kind","observed_at");--> statement-breakpoint
CREATE UNIQUE INDEX "persons_id_hash_key" ON "persons" USING btree ("id_hash") WHERE merged_into is null;--> statement-breakpoint
CREATE INDEX "persons_org_path_idx" ON "persons" USING btree ("org_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "persons_name_idx" ON "persons" USING btree ("name" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "persons_pinyin_idx" ON "persons" USING btree ("name_pinyin" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "persons_initials_idx" ON "persons" USING btree ("name_initials" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "persons_id_last4_idx" ON "persons" USING btree ("id_last4");--> statement-breakpoint
CREATE INDEX "persons_phone_last4_idx" ON "persons" USING btree ("phone_last4");--> statement-breakpoint
CREATE INDEX "persons_phone_hash_idx" ON "persons" USING btree ("phone_hash");--> statement-breakpoint
CREATE INDEX "persons_household_idx" ON "persons" USING btree ("household_id");--> statement-breakpoint
-- The permissions of the first release were handed to the default roles by creating them.
INSERT INTO "permission_seeds" ("permission") VALUES ('org.read'), ('org.write'), ('user.read'), ('user.write'), ('role.write'), ('audit.read'), ('personal.unmask'), ('personal.export'), ('work-item.read'), ('work-item.assign') ON CONFLICT DO NOTHING;
