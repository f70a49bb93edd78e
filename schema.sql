-- tracker ledger schema, version 1.
--
-- This file is migration 1, embedded in the binary and applied by the
-- migrator in src/storage/migrate.rs. Once released it is never edited:
-- later changes are new migrations appended after it.
--
-- Principles the database enforces by itself, so that not even a hand edit
-- with sqlite3 can break them:
--   * every table is STRICT and every column constrained to its grammar;
--   * numbers are exact decimals stored as canonical TEXT, never REAL;
--   * target definitions and observations are append-only (triggers abort
--     UPDATE and DELETE); a correction or retraction is a new row that names
--     the row it supersedes, and a row can be superseded only once.

CREATE TABLE targets (
    id          TEXT NOT NULL PRIMARY KEY
                CHECK (length(id) BETWEEN 1 AND 64
                       AND id NOT GLOB '*[^a-z0-9-]*'
                       AND id NOT GLOB '-*' AND id NOT GLOB '*-'
                       AND id NOT GLOB '*--*'),
    created_at  TEXT NOT NULL
) STRICT;

-- One row per version of a target's definition; the highest version recorded
-- at or before a point in time is the definition in force then.
CREATE TABLE target_versions (
    target_id       TEXT NOT NULL REFERENCES targets(id),
    version         INTEGER NOT NULL CHECK (version >= 1),
    title           TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    kind            TEXT NOT NULL CHECK (kind IN ('cumulative', 'level', 'direction')),
    metric          TEXT NOT NULL CHECK (length(metric) BETWEEN 1 AND 500),
    unit            TEXT NOT NULL CHECK (length(unit) BETWEEN 1 AND 40),
    direction       TEXT NOT NULL CHECK (direction IN ('up', 'down')),
    comparator      TEXT CHECK (comparator IN ('>', '>=', '=', '<=', '<')),
    target_value    TEXT CHECK (target_value IS NULL OR target_value GLOB '[0-9-]*'),
    window_start    TEXT CHECK (window_start IS NULL OR date(window_start) IS window_start),
    deadline        TEXT CHECK (deadline IS NULL OR date(deadline) IS deadline),
    limit_value     TEXT CHECK (limit_value IS NULL OR limit_value GLOB '[0-9-]*'),
    is_rate         INTEGER NOT NULL CHECK (is_rate IN (0, 1)),
    cadence         TEXT NOT NULL CHECK (cadence IN ('monthly', 'quarterly', 'half-yearly', 'yearly')),
    quote           TEXT NOT NULL CHECK (length(quote) BETWEEN 1 AND 4000),
    speaker         TEXT NOT NULL CHECK (length(speaker) BETWEEN 1 AND 500),
    speaker_role    TEXT NOT NULL CHECK (length(speaker_role) BETWEEN 1 AND 500),
    statement_date  TEXT NOT NULL CHECK (date(statement_date) IS statement_date),
    source_title    TEXT NOT NULL CHECK (length(source_title) BETWEEN 1 AND 500),
    source_url      TEXT CHECK (source_url IS NULL OR length(source_url) BETWEEN 1 AND 500),
    interpretation  TEXT NOT NULL CHECK (length(interpretation) BETWEEN 1 AND 4000),
    recorded_at     TEXT NOT NULL,
    recorded_by     TEXT NOT NULL CHECK (length(recorded_by) BETWEEN 1 AND 200),
    reason          TEXT CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 500),
    PRIMARY KEY (target_id, version),
    CHECK ((comparator IS NULL) = (target_value IS NULL)),
    CHECK ((kind = 'direction') = (comparator IS NULL)),
    CHECK (kind <> 'cumulative'
           OR (window_start IS NOT NULL AND deadline IS NOT NULL AND window_start <= deadline)),
    CHECK (version = 1 OR reason IS NOT NULL)
) STRICT;

-- The append-only trail of observations. `record` adds a value; `correct`
-- adds a replacement for the row named in `supersedes`; `retract` withdraws
-- the row named in `supersedes` and carries no value.
CREATE TABLE observations (
    id            INTEGER PRIMARY KEY,
    target_id     TEXT NOT NULL REFERENCES targets(id),
    action        TEXT NOT NULL CHECK (action IN ('record', 'correct', 'retract')),
    value         TEXT CHECK (value IS NULL OR value GLOB '[0-9-]*'),
    qualifier     TEXT CHECK (qualifier IN ('exact', 'more-than', 'at-least', 'less-than',
                                            'at-most', 'about', 'nearly')),
    period_start  TEXT CHECK (period_start IS NULL OR date(period_start) IS period_start),
    period_end    TEXT CHECK (period_end IS NULL OR date(period_end) IS period_end),
    source        TEXT NOT NULL CHECK (length(source) BETWEEN 1 AND 500),
    url           TEXT CHECK (url IS NULL OR length(url) BETWEEN 1 AND 500),
    note          TEXT CHECK (note IS NULL OR length(note) BETWEEN 1 AND 2000),
    recorded_by   TEXT NOT NULL CHECK (length(recorded_by) BETWEEN 1 AND 200),
    recorded_at   TEXT NOT NULL,
    supersedes    INTEGER REFERENCES observations(id),
    reason        TEXT CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 500),
    CHECK ((action = 'retract') = (value IS NULL)),
    CHECK ((value IS NULL) = (qualifier IS NULL)
           AND (value IS NULL) = (period_start IS NULL)
           AND (value IS NULL) = (period_end IS NULL)),
    CHECK (period_start <= period_end),
    CHECK ((action = 'record') = (supersedes IS NULL)),
    CHECK ((action = 'record') = (reason IS NULL))
) STRICT;

-- Reports read every current observation of a target in period order.
CREATE INDEX observations_by_target ON observations (target_id, period_end, id);
-- A row can be superseded (corrected or retracted) at most once.
CREATE UNIQUE INDEX observations_superseded_once ON observations (supersedes)
    WHERE supersedes IS NOT NULL;

CREATE TRIGGER observations_no_update BEFORE UPDATE ON observations
BEGIN
    SELECT RAISE(ABORT, 'observations are append-only: record a correction instead');
END;
CREATE TRIGGER observations_no_delete BEFORE DELETE ON observations
BEGIN
    SELECT RAISE(ABORT, 'observations are append-only: record a retraction instead');
END;
CREATE TRIGGER observations_supersede_rules BEFORE INSERT ON observations
WHEN NEW.supersedes IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a retraction cannot be superseded')
    WHERE (SELECT action FROM observations WHERE id = NEW.supersedes) = 'retract';
    SELECT RAISE(ABORT, 'a correction must belong to the same target as what it supersedes')
    WHERE (SELECT target_id FROM observations WHERE id = NEW.supersedes) IS NOT NEW.target_id;
END;
CREATE TRIGGER target_versions_no_update BEFORE UPDATE ON target_versions
BEGIN
    SELECT RAISE(ABORT, 'target definitions are append-only: amend the target instead');
END;
CREATE TRIGGER target_versions_no_delete BEFORE DELETE ON target_versions
BEGIN
    SELECT RAISE(ABORT, 'target definitions are append-only: amend the target instead');
END;
CREATE TRIGGER targets_no_delete BEFORE DELETE ON targets
BEGIN
    SELECT RAISE(ABORT, 'targets are never deleted');
END;
