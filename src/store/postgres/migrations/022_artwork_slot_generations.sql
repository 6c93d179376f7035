-- A DELETE of an artwork slot wins over an upload still rendering, across processes
-- (docs/decisions/0019): an upload reads its slot's generation before rendering and writes
-- only if it is unchanged; a DELETE bumps it, also when the slot held no artwork. A row per
-- slot ever written or deleted; kept when the artwork is deleted (that is its point).
CREATE TABLE artwork_slot_generations (
  program_id text NOT NULL,
  tier_id text NOT NULL,
  slot text NOT NULL,
  generation integer NOT NULL,
  PRIMARY KEY (program_id, tier_id, slot),
  FOREIGN KEY (program_id, tier_id) REFERENCES tiers (program_id, id)
);
