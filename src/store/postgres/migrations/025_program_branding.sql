-- Program-wide branding (issue 11, docs/decisions/0025-program-branding.md): the program's own
-- pass design, and program artwork stored as the artwork of a reserved owner `*program` in the
-- artwork tables (tier ids are `tier_<hex>`, so the owner can never be a tier's id).

CREATE TABLE program_pass_designs (
  program_id text PRIMARY KEY REFERENCES programs (id),
  design jsonb NOT NULL,
  updated_at timestamptz NOT NULL
);

-- The artwork tables' owner is a tier or the program: their references to tiers become
-- references to the program (the routes check that a tier exists; tiers are only ever
-- soft-deleted, so the old references never removed anything either).
ALTER TABLE artwork_slots DROP CONSTRAINT IF EXISTS artwork_slots_program_id_tier_id_fkey;
ALTER TABLE artwork_slots ADD CONSTRAINT artwork_slots_program_fkey
  FOREIGN KEY (program_id) REFERENCES programs (id);
ALTER TABLE artwork_previews DROP CONSTRAINT IF EXISTS artwork_previews_program_id_tier_id_fkey;
ALTER TABLE artwork_previews ADD CONSTRAINT artwork_previews_program_fkey
  FOREIGN KEY (program_id) REFERENCES programs (id);
ALTER TABLE artwork_slot_generations DROP CONSTRAINT IF EXISTS artwork_slot_generations_program_id_tier_id_fkey;
ALTER TABLE artwork_slot_generations ADD CONSTRAINT artwork_slot_generations_program_fkey
  FOREIGN KEY (program_id) REFERENCES programs (id);
