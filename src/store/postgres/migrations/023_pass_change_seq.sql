-- The "serials updated since" tag of the PassKit web service (docs/decisions/0011): a change
-- counter independent of the clock. updated_at stays the pass's Last-Modified, but a change
-- sets it to at least one second after the previous one, so it can lie up to a second in the
-- future, and a later change of another pass can get a smaller updated_at than the tag a
-- device already holds: that change was never listed. change_seq takes the next value of one
-- sequence whenever update_tag changes (and on insert), so every later change compares greater.
CREATE SEQUENCE passes_change_seq AS bigint;
ALTER TABLE passes ADD COLUMN change_seq bigint;
-- Existing passes in the order of their last change (old tags are not comparable with these
-- anyway: a device holding one is sent every serial once).
UPDATE passes p SET change_seq = o.n
FROM (SELECT program_id, customer_id, row_number() OVER (ORDER BY updated_at, serial) AS n FROM passes) o
WHERE p.program_id = o.program_id AND p.customer_id = o.customer_id;
SELECT setval('passes_change_seq', coalesce((SELECT max(change_seq) FROM passes), 0) + 1, false);
ALTER TABLE passes ALTER COLUMN change_seq SET DEFAULT nextval('passes_change_seq');
ALTER TABLE passes ALTER COLUMN change_seq SET NOT NULL;
ALTER SEQUENCE passes_change_seq OWNED BY passes.change_seq;
-- "updated since" looks passes up by serial (unique index) and filters a device's few rows by
-- change_seq, so it needs no index of its own; passes_updated_idx (006) served the old
-- updated_at comparison and nothing else reads it.
DROP INDEX passes_updated_idx;
