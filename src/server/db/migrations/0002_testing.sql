CREATE TABLE "collection_points" (
	"id" uuid PRIMARY KEY NOT NULL,
	"round_id" uuid NOT NULL,
	"name" text NOT NULL,
	"org_unit_id" uuid NOT NULL,
	"org_path" text NOT NULL,
	"place" text,
	"hours" text,
	"kind" text DEFAULT 'fixed' NOT NULL,
	"sampler_user_ids" uuid[] DEFAULT '{}' NOT NULL,
	"district_code" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lab_handovers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"round_id" uuid NOT NULL,
	"lab_name" text NOT NULL,
	"tube_count" integer NOT NULL,
	"org_path" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lab_result_imports" (
	"id" uuid PRIMARY KEY NOT NULL,
	"file_name" text NOT NULL,
	"row_count" integer NOT NULL,
	"applied" integer NOT NULL,
	"positives" integer NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "rechecks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"round_id" uuid NOT NULL,
	"tube_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"work_item_id" uuid,
	"org_path" text NOT NULL,
	"state" text DEFAULT 'open' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"closed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "round_grid_counts" (
	"round_id" uuid NOT NULL,
	"org_path" text NOT NULL,
	"sampled" integer DEFAULT 0 NOT NULL,
	"sampled_away" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "round_grid_counts_round_id_org_path_pk" PRIMARY KEY("round_id","org_path")
);
--> statement-breakpoint
CREATE TABLE "sweep_households" (
	"sweep_id" uuid NOT NULL,
	"household_id" uuid NOT NULL,
	"org_path" text NOT NULL,
	"outcome" text,
	"note" text,
	"visited_by" uuid,
	"visited_at" timestamp with time zone,
	CONSTRAINT "sweep_households_sweep_id_household_id_pk" PRIMARY KEY("sweep_id","household_id")
);
--> statement-breakpoint
CREATE TABLE "sweeps" (
	"id" uuid PRIMARY KEY NOT NULL,
	"round_id" uuid NOT NULL,
	"point_id" uuid NOT NULL,
	"org_unit_id" uuid NOT NULL,
	"org_path" text NOT NULL,
	"name" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "test_exemptions" (
	"round_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"note" text,
	"org_path" text NOT NULL,
	"recorded_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "test_exemptions_round_id_person_id_pk" PRIMARY KEY("round_id","person_id")
);
--> statement-breakpoint
CREATE TABLE "test_rounds" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"org_unit_id" uuid NOT NULL,
	"org_path" text NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date NOT NULL,
	"default_mode" text NOT NULL,
	"single_tube_key_groups" text[] DEFAULT '{}' NOT NULL,
	"district_code" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tube_members" (
	"round_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"tube_id" uuid NOT NULL,
	"sampler_id" uuid,
	"scanned_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tube_members_round_id_person_id_pk" PRIMARY KEY("round_id","person_id")
);
--> statement-breakpoint
CREATE TABLE "tubes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"round_id" uuid NOT NULL,
	"point_id" uuid NOT NULL,
	"org_path" text NOT NULL,
	"mode" text NOT NULL,
	"capacity" integer NOT NULL,
	"household_id" uuid,
	"member_count" integer DEFAULT 0 NOT NULL,
	"state" text DEFAULT 'opened' NOT NULL,
	"opened_by" uuid,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sealed_at" timestamp with time zone,
	"handover_id" uuid,
	"sent_at" timestamp with time zone,
	"received_at" timestamp with time zone,
	"result" text,
	"ct" text,
	"tested_at" timestamp with time zone,
	"result_import_id" uuid,
	"district_code" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "collection_points" ADD CONSTRAINT "collection_points_round_id_test_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."test_rounds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "collection_points" ADD CONSTRAINT "collection_points_org_unit_id_org_units_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lab_handovers" ADD CONSTRAINT "lab_handovers_round_id_test_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."test_rounds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rechecks" ADD CONSTRAINT "rechecks_tube_id_tubes_id_fk" FOREIGN KEY ("tube_id") REFERENCES "public"."tubes"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rechecks" ADD CONSTRAINT "rechecks_person_id_persons_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."persons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "rechecks" ADD CONSTRAINT "rechecks_work_item_id_work_items_id_fk" FOREIGN KEY ("work_item_id") REFERENCES "public"."work_items"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sweep_households" ADD CONSTRAINT "sweep_households_sweep_id_sweeps_id_fk" FOREIGN KEY ("sweep_id") REFERENCES "public"."sweeps"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sweep_households" ADD CONSTRAINT "sweep_households_household_id_households_id_fk" FOREIGN KEY ("household_id") REFERENCES "public"."households"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sweeps" ADD CONSTRAINT "sweeps_round_id_test_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."test_rounds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sweeps" ADD CONSTRAINT "sweeps_point_id_collection_points_id_fk" FOREIGN KEY ("point_id") REFERENCES "public"."collection_points"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sweeps" ADD CONSTRAINT "sweeps_org_unit_id_org_units_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "test_exemptions" ADD CONSTRAINT "test_exemptions_round_id_test_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."test_rounds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "test_exemptions" ADD CONSTRAINT "test_exemptions_person_id_persons_id_fk" FOREIGN KEY ("person_id") REFERENCES "public"."persons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "test_rounds" ADD CONSTRAINT "test_rounds_org_unit_id_org_units_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tubes" ADD CONSTRAINT "tubes_round_id_test_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."test_rounds"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tubes" ADD CONSTRAINT "tubes_point_id_collection_points_id_fk" FOREIGN KEY ("point_id") REFERENCES "public"."collection_points"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tubes" ADD CONSTRAINT "tubes_handover_id_lab_handovers_id_fk" FOREIGN KEY ("handover_id") REFERENCES "public"."lab_handovers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tubes" ADD CONSTRAINT "tubes_result_import_id_lab_result_imports_id_fk" FOREIGN KEY ("result_import_id") REFERENCES "public"."lab_result_imports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "collection_points_round_idx" ON "collection_points" USING btree ("round_id");--> statement-breakpoint
CREATE UNIQUE INDEX "collection_points_name_key" ON "collection_points" USING btree ("round_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "rechecks_tube_person_key" ON "rechecks" USING btree ("tube_id","person_id");--> statement-breakpoint
CREATE INDEX "rechecks_person_idx" ON "rechecks" USING btree ("person_id","state");--> statement-breakpoint
CREATE INDEX "rechecks_round_idx" ON "rechecks" USING btree ("round_id","state");--> statement-breakpoint
CREATE INDEX "test_rounds_org_path_idx" ON "test_rounds" USING btree ("org_path" text_pattern_ops);--> statement-breakpoint
CREATE INDEX "tube_members_tube_idx" ON "tube_members" USING btree ("tube_id");--> statement-breakpoint
CREATE INDEX "tube_members_person_idx" ON "tube_members" USING btree ("person_id","scanned_at");--> statement-breakpoint
CREATE UNIQUE INDEX "tubes_code_key" ON "tubes" USING btree ("code");--> statement-breakpoint
CREATE INDEX "tubes_round_idx" ON "tubes" USING btree ("round_id","state");--> statement-breakpoint
CREATE INDEX "tubes_positive_idx" ON "tubes" USING btree ("round_id") WHERE result = 'positive';--> statement-breakpoint
CREATE INDEX "persons_coverage_idx" ON "persons" USING btree ("org_path","residence_status") WHERE merged_into is null;