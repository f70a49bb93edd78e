-- tracker ledger schema, migration 2: a covering index for reports.
--
-- Applied after schema.sql (migration 1) by src/storage/migrate.rs; never
-- edited once released.
--
-- `report`, `list` and `check` stream every current observation in
-- (target, period end, id) order and read only the columns below. With all
-- of them in the index, SQLite walks one b-tree in order and never looks a
-- row up in the table: on a ledger of 1,000,000 observations that is about
-- a third of a report's time. It has the same leading columns as
-- observations_by_target, which it replaces, so every query that used that
-- index (one target's observations, the overlap and duplicate checks) uses
-- this one. A ledger grows by about a ninth (docs/performance.md).
DROP INDEX observations_by_target;
CREATE INDEX observations_by_target_covering
    ON observations (target_id, period_end, id, period_start, value, qualifier);
