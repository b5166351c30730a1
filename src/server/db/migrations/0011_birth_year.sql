-- Only a birth year is kept in clear (ages, sorting): a full birth date beside a masked ID number
-- (region and last four, in every list, export and audit entry) was the whole number in clear.
-- The date is read from the sealed number when it is needed. 0012 drops the date.
ALTER TABLE "persons" ADD COLUMN "birth_year" smallint;--> statement-breakpoint
UPDATE "persons" SET "birth_year" = extract(year from "birth_date")::smallint WHERE "birth_date" IS NOT NULL;
