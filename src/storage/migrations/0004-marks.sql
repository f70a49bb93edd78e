-- tracker ledger schema, migration 3: marks for `tracker changes --mark`.
--
-- Applied after 0002 by src/storage/migrate.rs; never edited once released.
--
-- A nightly job asks "what changed since my last run?" (`changes --since
-- last`). The answer must survive the job's machine and need no state file,
-- so the time of each run is kept in the ledger. Like everything else in the
-- ledger the marks are append-only: a run adds a row, the latest row wins,
-- and the earlier ones stay as a log of when changes were reported.
CREATE TABLE marks (
    id           INTEGER PRIMARY KEY,
    -- The knowledge time the run reported up to (its --until): the next
    -- `--since last` starts exactly there, so nothing falls in a gap.
    marked_until TEXT NOT NULL CHECK (length(marked_until) = 24 AND marked_until GLOB '????-??-??T??:??:??.???Z'),
    recorded_at  TEXT NOT NULL,
    recorded_by  TEXT NOT NULL CHECK (length(recorded_by) BETWEEN 1 AND 200)
) STRICT;

CREATE TRIGGER marks_no_update BEFORE UPDATE ON marks
BEGIN
    SELECT RAISE(ABORT, 'marks are append-only: add a new mark instead');
END;
CREATE TRIGGER marks_no_delete BEFORE DELETE ON marks
BEGIN
    SELECT RAISE(ABORT, 'marks are append-only: add a new mark instead');
END;
