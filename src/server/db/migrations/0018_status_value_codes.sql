-- Statuses typed by hand before they were chosen from lists (集中隔离, 绿码…) become the codes
-- the rules know: typed, 集中隔离 was no control state the sampling rule knew, so the person was
-- pooled. Only exact names (spaces trimmed) are mapped; anything else stays as it was typed.
UPDATE "person_statuses" AS s
SET "value" = m."code"
FROM (VALUES
  ('control_state', '临时管控', 'temporary_control'),
  ('control_state', '待转运', 'handed_over'),
  ('control_state', '隔离中', 'quarantined'),
  ('control_state', '集中隔离', 'central_quarantine'),
  ('control_state', '居家隔离', 'home_quarantine'),
  ('control_state', '居家健康监测', 'health_monitoring'),
  ('control_state', '解除管控', 'released'),
  ('control_state', '解除隔离', 'released'),
  ('health_code', '绿码', 'green'),
  ('health_code', '黄码', 'yellow'),
  ('health_code', '红码', 'red'),
  ('test_result', '阴性', 'negative'),
  ('test_result', '阳性', 'positive'),
  ('test_result', '无效', 'invalid'),
  ('trip_star', '带星', 'star'),
  ('trip_star', '不带星', 'no_star')
) AS m("kind", "name", "code")
WHERE s."kind" = m."kind" AND btrim(s."value") = m."name";
