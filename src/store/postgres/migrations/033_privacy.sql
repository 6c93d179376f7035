-- Privacy operations (docs/decisions/0043): when a customer's personal data was erased, and the
-- one function that erases it from the JSON copies Tierpass keeps (stored responses, webhook
-- event data).

ALTER TABLE customers ADD COLUMN redacted_at timestamptz;

-- An object with its personal keys erased: email and name become null, tags an empty list; any
-- other value is returned as it is. Only keys already present are touched.
CREATE FUNCTION tierpass_redact_person(j jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN jsonb_typeof(j) = 'object' THEN
    j || coalesce(
      (SELECT jsonb_object_agg(k, CASE k WHEN 'tags' THEN '[]'::jsonb ELSE 'null'::jsonb END)
       FROM jsonb_object_keys(j) AS k WHERE k IN ('email', 'name', 'tags')),
      '{}'::jsonb)
  ELSE j END
$$;
