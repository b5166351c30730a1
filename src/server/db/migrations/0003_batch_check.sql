-- A batch of field writes (a point's scans) goes to the database as ONE statement, planned by the
-- application from a read just before. This check, called by that statement, aborts it when what
-- was planned no longer holds (another app server changed a tube or sampled the person in
-- between, or a client id was claimed meanwhile): nothing of the batch is written, and the
-- serialization-failure code tells the application to read again and retry.
CREATE FUNCTION gw_batch_holds(holds boolean, what text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
  IF holds IS NOT TRUE THEN
    RAISE EXCEPTION 'batch plan no longer holds: %', what USING ERRCODE = '40001';
  END IF;
  RETURN true;
END
$$;
