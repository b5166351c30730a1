CREATE TABLE "labs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"org_unit_id" uuid NOT NULL,
	"org_path" text NOT NULL,
	"member_user_ids" uuid[] DEFAULT '{}' NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"district_code" text NOT NULL,
	"created_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "lab_handovers" ADD COLUMN "lab_id" uuid;--> statement-breakpoint
ALTER TABLE "tubes" ADD COLUMN "lab_id" uuid;--> statement-breakpoint
ALTER TABLE "labs" ADD CONSTRAINT "labs_org_unit_id_org_units_id_fk" FOREIGN KEY ("org_unit_id") REFERENCES "public"."org_units"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "labs_name_key" ON "labs" USING btree ("district_code","name");--> statement-breakpoint
CREATE INDEX "labs_members_idx" ON "labs" USING gin ("member_user_ids");--> statement-breakpoint
ALTER TABLE "lab_handovers" ADD CONSTRAINT "lab_handovers_lab_id_labs_id_fk" FOREIGN KEY ("lab_id") REFERENCES "public"."labs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tubes" ADD CONSTRAINT "tubes_lab_id_labs_id_fk" FOREIGN KEY ("lab_id") REFERENCES "public"."labs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Hand-overs made before labs were records named their lab in free text: each name becomes a lab
-- serving its whole district (its root unit), with no team, and the hand-overs and their tubes
-- point to it.
INSERT INTO "labs" ("id", "name", "org_unit_id", "org_path", "district_code")
SELECT gen_random_uuid(), named.lab_name, root.id, root.path, named.district_code
FROM (
  SELECT DISTINCT h.lab_name, r.district_code
  FROM "lab_handovers" h JOIN "test_rounds" r ON r.id = h.round_id
) named
JOIN LATERAL (
  SELECT o.id, o.path FROM "org_units" o
  WHERE o.district_code = named.district_code AND o.parent_id IS NULL
  ORDER BY o.path LIMIT 1
) root ON true;--> statement-breakpoint
UPDATE "lab_handovers" h SET "lab_id" = l.id
FROM "test_rounds" r, "labs" l
WHERE r.id = h.round_id AND l.district_code = r.district_code AND l.name = h.lab_name;--> statement-breakpoint
UPDATE "tubes" t SET "lab_id" = h.lab_id FROM "lab_handovers" h WHERE h.id = t.handover_id;
