-- Roles for a shared tracker ledger in PostgreSQL (README, "A shared
-- ledger"). Run once per database as a superuser (or a role with
-- CREATEROLE), e.g. `psql -d ledger -f roles.sql`, BEFORE `tracker init`,
-- then run `tracker init` as a member of tracker_owner. Re-running is
-- harmless.
--
--   tracker_owner   owns the tables: runs `tracker init` and the migrations
--                   a newer tracker brings, and may restore an export with
--                   its original authors. Keep its members few.
--   tracker_writer  records, corrects, retracts, imports, adds targets:
--                   SELECT and INSERT only. It can never UPDATE or DELETE
--                   (no rights), and the append-only triggers would refuse
--                   it even then.
--   tracker_reader  reports, lists, exports, cron jobs: SELECT only.
--
-- The three are group roles (NOLOGIN); people and jobs log in as their own
-- roles, made members:
--   CREATE ROLE alice LOGIN PASSWORD '...' IN ROLE tracker_writer;
--   CREATE ROLE nightly LOGIN PASSWORD '...' IN ROLE tracker_reader;
--   CREATE ROLE ledger_admin LOGIN PASSWORD '...' IN ROLE tracker_owner;
-- The trail records the login role (`session_user`): alice, not
-- tracker_writer and not a name alice's client claims.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tracker_owner') THEN
        CREATE ROLE tracker_owner NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tracker_writer') THEN
        CREATE ROLE tracker_writer NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tracker_reader') THEN
        CREATE ROLE tracker_reader NOLOGIN;
    END IF;
END
$$;

-- The ledger lives in its own schema, owned by tracker_owner; every member
-- finds it first on its search path.
CREATE SCHEMA IF NOT EXISTS tracker AUTHORIZATION tracker_owner;
GRANT USAGE ON SCHEMA tracker TO tracker_reader, tracker_writer;
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET search_path = tracker, public', current_database());
END
$$;

-- `tracker init` run by a member of tracker_owner creates the tables as
-- tracker_owner (SET ROLE), so every owner member may migrate them later.

-- Rights on the tables tracker_owner creates, now and in later migrations.
ALTER DEFAULT PRIVILEGES FOR ROLE tracker_owner IN SCHEMA tracker
    GRANT SELECT ON TABLES TO tracker_reader, tracker_writer;
ALTER DEFAULT PRIVILEGES FOR ROLE tracker_owner IN SCHEMA tracker
    GRANT INSERT ON TABLES TO tracker_writer;
-- pg_dump reads each sequence's position: a reader (or writer) may take
-- the documented backup. Identity columns need no rights on them to insert.
ALTER DEFAULT PRIVILEGES FOR ROLE tracker_owner IN SCHEMA tracker
    GRANT SELECT ON SEQUENCES TO tracker_reader, tracker_writer;
-- For a ledger set up before this file was run.
DO $$
BEGIN
    IF to_regclass('tracker.observations') IS NOT NULL THEN
        GRANT SELECT ON ALL TABLES IN SCHEMA tracker TO tracker_reader, tracker_writer;
        GRANT SELECT ON ALL SEQUENCES IN SCHEMA tracker TO tracker_reader, tracker_writer;
        GRANT INSERT ON ALL TABLES IN SCHEMA tracker TO tracker_writer;
        REVOKE INSERT ON tracker.schema_version FROM tracker_writer;
    END IF;
END
$$;
