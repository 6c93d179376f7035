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

-- A stored API response (order, refund, points event) with its customer's personal keys and its
-- ledger entries' free-text reasons erased.
CREATE FUNCTION tierpass_redact_response(j jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN jsonb_typeof(j) <> 'object' THEN j ELSE
    j
    || CASE WHEN jsonb_typeof(j->'customer') = 'object'
         THEN jsonb_build_object('customer', tierpass_redact_person(j->'customer')) ELSE '{}'::jsonb END
    || CASE WHEN jsonb_typeof(j->'entries') = 'array'
         THEN jsonb_build_object('entries', coalesce(
           (SELECT jsonb_agg(CASE WHEN jsonb_typeof(e) = 'object' AND e ? 'reason'
                                  THEN e || '{"reason": null}'::jsonb ELSE e END ORDER BY n)
            FROM jsonb_array_elements(j->'entries') WITH ORDINALITY AS x(e, n)), '[]'::jsonb))
         ELSE '{}'::jsonb END
  END
$$;

-- Whether a person object (a stored response's customer, an event's data) still holds personal
-- keys, and whether a stored response does (its customer or an entry's reason). Plain
-- expressions: the planner inlines them, so the erasure skips clean rows without building their
-- redacted copy (a replay over 10,000 orders stays cheap).
CREATE FUNCTION tierpass_has_person(j jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(jsonb_typeof(j) = 'object' AND (
    j->>'email' IS NOT NULL OR j->>'name' IS NOT NULL
    OR (jsonb_typeof(j->'tags') = 'array' AND j->'tags' <> '[]'::jsonb)), false)
$$;

CREATE FUNCTION tierpass_response_has_person(j jsonb) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
  SELECT tierpass_has_person(j->'customer') OR coalesce(j @? '$.entries[*].reason ? (@ != null)', false)
$$;

-- A customer's webhook events: the export's pages and the erasure, without scanning the program's.
CREATE INDEX webhook_events_customer_idx ON webhook_events (program_id, customer_id, occurred_at, id);
