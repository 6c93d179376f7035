-- Pass authentication tokens at rest (docs/decisions/0021): compared by their SHA-256, never
-- stored for passes made from now on (their token is derived from the server's link secret
-- and the serial, so every rebuild of a pass carries the same token, as Apple requires).
-- Passes issued before this migration carry a random token that cannot be derived: its hash
-- is what authenticates, and the token itself stays in legacy_auth_token only so that their
-- rebuilt passes keep it (Apple: never change the token of an issued pass); the service
-- encrypts it there at start (it holds the key, SQL does not).
ALTER TABLE passes ADD COLUMN auth_token_hash text;
UPDATE passes SET auth_token_hash = encode(sha256(convert_to(auth_token, 'UTF8')), 'hex');
ALTER TABLE passes ALTER COLUMN auth_token_hash SET NOT NULL;
ALTER TABLE passes ALTER COLUMN auth_token DROP NOT NULL;
ALTER TABLE passes RENAME COLUMN auth_token TO legacy_auth_token;
