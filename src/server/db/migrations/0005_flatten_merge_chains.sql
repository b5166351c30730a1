-- A record merged into one that was itself merged later pointed at a retired record: its person
-- code reached the retired record, not the live person. Merges now repoint earlier duplicates;
-- chains made before are flattened here, whatever their length.
WITH RECURSIVE chain AS (
  SELECT id, merged_into AS target FROM persons WHERE merged_into IS NOT NULL
  UNION
  SELECT c.id, p.merged_into FROM chain c JOIN persons p ON p.id = c.target WHERE p.merged_into IS NOT NULL
), last AS (
  SELECT DISTINCT ON (c.id) c.id, c.target FROM chain c
  JOIN persons p ON p.id = c.target WHERE p.merged_into IS NULL
)
UPDATE persons SET merged_into = last.target FROM last WHERE persons.id = last.id AND persons.merged_into <> last.target;
