-- tracker ledger schema, migration 5: named marks for `tracker changes`.
--
-- Applied after 0004 by src/storage/migrate.rs; never edited once released.
--
-- Two cron jobs that both ran `changes --since last --mark` moved one
-- shared mark, so each saw only what the other had not reported yet. A
-- mark now has a name (`--mark nightly`, read back by `--since
-- last:nightly`); the unnamed mark every ledger already holds is the name
-- '', so existing rows and jobs keep their meaning. Names follow the
-- target-id grammar: lower-case letters and digits in groups joined by
-- single '-', at most 64 characters.
ALTER TABLE marks ADD COLUMN name TEXT NOT NULL DEFAULT ''
    CHECK (name = '' OR (length(name) <= 64 AND name GLOB '[a-z0-9]*'
        AND name NOT GLOB '*[^a-z0-9-]*' AND name NOT GLOB '*--*' AND name NOT GLOB '*-'));

-- The latest mark of one name, without scanning the log.
CREATE INDEX marks_by_name ON marks (name, id);
