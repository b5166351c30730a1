-- Records about people are read by where the people live now (followPersons and
-- followHouseholdInSweeps keep them so from now on): those of people and households that moved
-- before, still at the old grid, are put where they live, and open work goes to that grid's worker
-- (its grid, when it has none). Work kept elsewhere by design (a positive case at the district) is
-- not of these types and stays.
UPDATE "rechecks" r SET "org_path" = p."org_path"
FROM "persons" p WHERE p."id" = r."person_id" AND p."merged_into" IS NULL AND r."org_path" <> p."org_path";--> statement-breakpoint
UPDATE "test_exemptions" e SET "org_path" = p."org_path"
FROM "persons" p WHERE p."id" = e."person_id" AND p."merged_into" IS NULL AND e."org_path" <> p."org_path";--> statement-breakpoint
UPDATE "sweep_households" sh SET "org_path" = h."org_path"
FROM "households" h WHERE h."id" = sh."household_id" AND sh."org_path" <> h."org_path";--> statement-breakpoint
WITH moved AS (
  SELECT w."id", p."org_path", p."org_unit_id", w."state",
         (SELECT g."user_id" FROM "role_grants" g JOIN "users" u ON u."id" = g."user_id"
          WHERE g."role_code" = 'grid_worker' AND u."active" AND g."org_unit_id" = p."org_unit_id"
          ORDER BY u."username" LIMIT 1) AS "worker"
  FROM "work_items" w JOIN "persons" p ON p."id"::text = w."subject_id"
  WHERE w."subject_entity" = 'person' AND w."type" IN ('recheck', 'resample')
    AND p."merged_into" IS NULL AND w."org_path" <> p."org_path")
UPDATE "work_items" w SET
  "org_path" = m."org_path",
  "assignee_user_id" = CASE WHEN m."state" IN ('open', 'overdue') THEN m."worker" ELSE w."assignee_user_id" END,
  "assignee_org_unit_id" = CASE WHEN m."state" IN ('open', 'overdue')
                                THEN CASE WHEN m."worker" IS NULL THEN m."org_unit_id" END
                                ELSE w."assignee_org_unit_id" END,
  "updated_at" = now()
FROM moved m WHERE w."id" = m."id";
