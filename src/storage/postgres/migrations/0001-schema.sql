-- tracker ledger schema for PostgreSQL, version 1.
--
-- Applied by src/storage/postgres/migrate.rs inside one transaction, under
-- an advisory lock, by `tracker init` or the first write of a newer build;
-- never edited once released: a change is a new file after this one.
--
-- It holds what schema.sql and the SQLite migrations 2-4 hold, in native
-- types: exact `numeric` (never float), `date`, `timestamptz` at the
-- ledger clock's millisecond precision, identity ids. Every constraint of
-- the SQLite schema is here too, and so is the append-only rule: triggers
-- refuse UPDATE and DELETE on the trail, whoever connects, and the author
-- of every row is the database role that inserted it (`session_user`), not
-- a name the client claims. Target ids sort bytewise (COLLATE "C"), as in
-- SQLite, whatever the database's collation: reports list targets in the
-- same order from either backend.

CREATE TABLE schema_version (
    version     integer     NOT NULL PRIMARY KEY CHECK (version >= 1),
    applied_at  timestamptz NOT NULL DEFAULT now(),
    applied_by  text        NOT NULL DEFAULT session_user
);

CREATE TABLE targets (
    id          text COLLATE "C" NOT NULL PRIMARY KEY
                CHECK (length(id) BETWEEN 1 AND 64
                       AND id ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    created_at  timestamptz(3) NOT NULL
);

CREATE TABLE target_versions (
    target_id       text COLLATE "C" NOT NULL REFERENCES targets(id),
    version         integer NOT NULL CHECK (version >= 1),
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    kind            text NOT NULL CHECK (kind IN ('cumulative', 'level', 'direction')),
    metric          text NOT NULL CHECK (length(metric) BETWEEN 1 AND 500),
    unit            text NOT NULL CHECK (length(unit) BETWEEN 1 AND 40),
    direction       text NOT NULL CHECK (direction IN ('up', 'down')),
    comparator      text CHECK (comparator IN ('>', '>=', '=', '<=', '<')),
    target_value    numeric CHECK (target_value IS NULL OR target_value NOT IN ('NaN', 'Infinity', '-Infinity')),
    window_start    date,
    deadline        date,
    limit_value     numeric CHECK (limit_value IS NULL OR limit_value NOT IN ('NaN', 'Infinity', '-Infinity')),
    is_rate         boolean NOT NULL,
    cadence         text NOT NULL CHECK (cadence IN ('monthly', 'quarterly', 'half-yearly', 'yearly')),
    quote           text NOT NULL CHECK (length(quote) BETWEEN 1 AND 4000),
    speaker         text NOT NULL CHECK (length(speaker) BETWEEN 1 AND 500),
    speaker_role    text NOT NULL CHECK (length(speaker_role) BETWEEN 1 AND 500),
    statement_date  date NOT NULL,
    source_title    text NOT NULL CHECK (length(source_title) BETWEEN 1 AND 500),
    source_url      text CHECK (source_url IS NULL OR length(source_url) BETWEEN 1 AND 500),
    interpretation  text NOT NULL CHECK (length(interpretation) BETWEEN 1 AND 4000),
    -- The period trends are measured from (SQLite migration 3); NULL:
    -- chosen from the pledge.
    base_start      date,
    base_end        date,
    recorded_at     timestamptz(3) NOT NULL,
    recorded_by     text NOT NULL DEFAULT session_user CHECK (length(recorded_by) BETWEEN 1 AND 200),
    reason          text CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 500),
    PRIMARY KEY (target_id, version),
    CHECK ((comparator IS NULL) = (target_value IS NULL)),
    CHECK ((kind = 'direction') = (comparator IS NULL)),
    CHECK (kind <> 'cumulative'
           OR (window_start IS NOT NULL AND deadline IS NOT NULL AND window_start <= deadline)),
    CHECK (version = 1 OR reason IS NOT NULL),
    CHECK ((base_start IS NULL) = (base_end IS NULL) AND base_start <= base_end)
);

CREATE TABLE observations (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    target_id     text COLLATE "C" NOT NULL REFERENCES targets(id),
    action        text NOT NULL CHECK (action IN ('record', 'correct', 'retract')),
    value         numeric CHECK (value IS NULL OR value NOT IN ('NaN', 'Infinity', '-Infinity')),
    qualifier     text CHECK (qualifier IN ('exact', 'more-than', 'at-least', 'less-than',
                                            'at-most', 'about', 'nearly')),
    period_start  date,
    period_end    date,
    source        text NOT NULL CHECK (length(source) BETWEEN 1 AND 500),
    url           text CHECK (url IS NULL OR length(url) BETWEEN 1 AND 500),
    note          text CHECK (note IS NULL OR length(note) BETWEEN 1 AND 2000),
    recorded_by   text NOT NULL DEFAULT session_user CHECK (length(recorded_by) BETWEEN 1 AND 200),
    recorded_at   timestamptz(3) NOT NULL,
    supersedes    bigint REFERENCES observations(id),
    reason        text CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 500),
    CHECK ((action = 'retract') = (value IS NULL)),
    CHECK ((value IS NULL) = (qualifier IS NULL)
           AND (value IS NULL) = (period_start IS NULL)
           AND (value IS NULL) = (period_end IS NULL)),
    CHECK (period_start <= period_end),
    CHECK ((action = 'record') = (supersedes IS NULL)),
    CHECK ((action = 'record') = (reason IS NULL))
);

-- Reports read every current observation of a target in period order; the
-- INCLUDE columns let them do so from the index alone.
CREATE INDEX observations_by_target ON observations (target_id, period_end, id)
    INCLUDE (period_start, value, qualifier);
-- A row can be superseded (corrected or retracted) at most once.
CREATE UNIQUE INDEX observations_superseded_once ON observations (supersedes)
    WHERE supersedes IS NOT NULL;
-- `changes` reads windows of knowledge time.
CREATE INDEX observations_by_time ON observations (recorded_at);

-- Marks of `tracker changes --mark` (SQLite migrations 4 and 5): the
-- unnamed mark is the name ''.
CREATE TABLE marks (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text COLLATE "C" NOT NULL DEFAULT ''
                  CHECK (name = '' OR (length(name) <= 64 AND name ~ '^[a-z0-9]+(-[a-z0-9]+)*$')),
    marked_until  timestamptz(3) NOT NULL,
    recorded_at   timestamptz(3) NOT NULL,
    recorded_by   text NOT NULL DEFAULT session_user CHECK (length(recorded_by) BETWEEN 1 AND 200)
);
CREATE INDEX marks_by_name ON marks (name, id);

-- The trail is append-only, whoever connects: a role with UPDATE or DELETE
-- rights (or a table owner who granted them to itself) is still refused.
CREATE FUNCTION tracker_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION USING
        ERRCODE = 'integrity_constraint_violation',
        MESSAGE = TG_ARGV[0];
END
$$;

CREATE TRIGGER observations_no_update BEFORE UPDATE ON observations
    FOR EACH ROW EXECUTE FUNCTION tracker_append_only('observations are append-only: record a correction instead');
CREATE TRIGGER observations_no_delete BEFORE DELETE ON observations
    FOR EACH ROW EXECUTE FUNCTION tracker_append_only('observations are append-only: record a retraction instead');
CREATE TRIGGER observations_no_truncate BEFORE TRUNCATE ON observations
    FOR EACH STATEMENT EXECUTE FUNCTION tracker_append_only('observations are append-only: record a retraction instead');
CREATE TRIGGER target_versions_no_update BEFORE UPDATE ON target_versions
    FOR EACH ROW EXECUTE FUNCTION tracker_append_only('target definitions are append-only: amend the target instead');
CREATE TRIGGER target_versions_no_delete BEFORE DELETE ON target_versions
    FOR EACH ROW EXECUTE FUNCTION tracker_append_only('target definitions are append-only: amend the target instead');
CREATE TRIGGER target_versions_no_truncate BEFORE TRUNCATE ON target_versions
    FOR EACH STATEMENT EXECUTE FUNCTION tracker_append_only('target definitions are append-only: amend the target instead');
CREATE TRIGGER targets_no_delete BEFORE DELETE ON targets
    FOR EACH ROW EXECUTE FUNCTION tracker_append_only('targets are never deleted');
CREATE TRIGGER targets_no_truncate BEFORE TRUNCATE ON targets
    FOR EACH STATEMENT EXECUTE FUNCTION tracker_append_only('targets are never deleted');
CREATE TRIGGER marks_no_update BEFORE UPDATE ON marks
    FOR EACH ROW EXECUTE FUNCTION tracker_append_only('marks are append-only: add a new mark instead');
CREATE TRIGGER marks_no_delete BEFORE DELETE ON marks
    FOR EACH ROW EXECUTE FUNCTION tracker_append_only('marks are append-only: add a new mark instead');

-- A correction or retraction supersedes a non-retraction of its own target.
CREATE FUNCTION tracker_supersede_rules() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_action text;
    old_target text;
BEGIN
    IF NEW.supersedes IS NOT NULL THEN
        SELECT action, target_id INTO old_action, old_target
            FROM observations WHERE id = NEW.supersedes;
        IF old_action = 'retract' THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = 'a retraction cannot be superseded';
        END IF;
        IF old_target IS DISTINCT FROM NEW.target_id THEN
            RAISE EXCEPTION USING ERRCODE = 'check_violation',
                MESSAGE = 'a correction must belong to the same target as what it supersedes';
        END IF;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER observations_supersede_rules BEFORE INSERT ON observations
    FOR EACH ROW WHEN (NEW.supersedes IS NOT NULL) EXECUTE FUNCTION tracker_supersede_rules();

-- Who recorded a row is the authenticated role, set here and not by the
-- client. The one exception: a restore of an export keeps the original
-- authors, which only a member of the role owning the table may do, and
-- only when it asks for it in its transaction (`SET LOCAL
-- tracker.keep_authors = 'on'`, as `tracker import` of a JSON export does).
-- The trigger runs only for a row naming someone else (a bulk import
-- names `session_user` itself and pays nothing per row).
CREATE FUNCTION tracker_recorded_by() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('tracker.keep_authors', true), '') = 'on'
       AND pg_has_role(session_user,
                       (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN
        RETURN NEW;
    END IF;
    NEW.recorded_by := session_user;
    RETURN NEW;
END
$$;
CREATE TRIGGER observations_recorded_by BEFORE INSERT ON observations
    FOR EACH ROW WHEN (NEW.recorded_by IS DISTINCT FROM session_user)
    EXECUTE FUNCTION tracker_recorded_by();
CREATE TRIGGER target_versions_recorded_by BEFORE INSERT ON target_versions
    FOR EACH ROW WHEN (NEW.recorded_by IS DISTINCT FROM session_user)
    EXECUTE FUNCTION tracker_recorded_by();
CREATE TRIGGER marks_recorded_by BEFORE INSERT ON marks
    FOR EACH ROW WHEN (NEW.recorded_by IS DISTINCT FROM session_user)
    EXECUTE FUNCTION tracker_recorded_by();

-- Writers may insert into every table (roles.sql) but this one: a version
-- row is the migrator's alone.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tracker_writer') THEN
        REVOKE INSERT ON schema_version FROM tracker_writer;
    END IF;
END
$$;
