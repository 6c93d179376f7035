-- Per-tier pass artwork (SPEC 7): uploaded sources, rendered PNG variants, cached previews.
-- Rows stay when a tier is soft-deleted (its routes answer 404 then).

CREATE TABLE artwork_slots (
  program_id text NOT NULL,
  tier_id text NOT NULL,
  slot text NOT NULL,
  hash text NOT NULL,
  content_type text NOT NULL,
  width integer NOT NULL,
  height integer NOT NULL,
  source bytea NOT NULL,
  variants jsonb NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (program_id, tier_id, slot),
  FOREIGN KEY (program_id, tier_id) REFERENCES tiers (program_id, id)
);

-- Same bytes uploaded to another tier's slot reuse its rendering.
CREATE INDEX artwork_slots_by_hash ON artwork_slots (program_id, slot, hash);

CREATE TABLE artwork_variants (
  program_id text NOT NULL,
  tier_id text NOT NULL,
  slot text NOT NULL,
  name text NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (program_id, tier_id, slot, name),
  FOREIGN KEY (program_id, tier_id, slot) REFERENCES artwork_slots (program_id, tier_id, slot) ON DELETE CASCADE
);

CREATE TABLE artwork_previews (
  program_id text NOT NULL,
  tier_id text NOT NULL,
  cache_key text NOT NULL,
  data bytea NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (program_id, tier_id),
  FOREIGN KEY (program_id, tier_id) REFERENCES tiers (program_id, id)
);
