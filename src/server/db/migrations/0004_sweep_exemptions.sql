ALTER TABLE "test_exemptions" ADD COLUMN "sweep_id" uuid;--> statement-breakpoint
ALTER TABLE "test_exemptions" ADD COLUMN "sweep_household_id" uuid;--> statement-breakpoint
ALTER TABLE "test_exemptions" ADD CONSTRAINT "test_exemptions_sweep_id_sweeps_id_fk" FOREIGN KEY ("sweep_id") REFERENCES "public"."sweeps"("id") ON DELETE no action ON UPDATE no action;