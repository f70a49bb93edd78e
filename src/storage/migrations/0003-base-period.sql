-- tracker ledger schema, migration 3: the base period of a target.
--
-- Applied after 0002 by src/storage/migrate.rs; never edited once released.
--
-- Trends are measured from a base figure chosen from the pledge
-- (docs/methodology.md, "The pledge's start and the base"); a target may fix
-- that figure's period instead (`base_period`). Stored per definition
-- version, as `YYYY-MM-DD..YYYY-MM-DD`; NULL (every existing version) means
-- "chosen from the pledge", which is what those versions meant.
ALTER TABLE target_versions ADD COLUMN base_period TEXT
    CHECK (base_period IS NULL OR base_period GLOB
        '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]..[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]');
