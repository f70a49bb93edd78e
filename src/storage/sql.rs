//! SQL text shared by several queries: which entries are current, the
//! column lists the row decoders expect.

/// SQL predicate: `o` is visible at known_at (`?2`) and not superseded by
/// an entry visible then. Retractions themselves are filtered by callers.
pub(super) const CURRENT: &str = "(?2 IS NULL OR o.recorded_at <= ?2)
    AND o.action <> 'retract'
    AND NOT EXISTS (SELECT 1 FROM observations s
                    WHERE s.supersedes = o.id AND (?2 IS NULL OR s.recorded_at <= ?2))";

/// [`CURRENT`] as of now (no known_at), without the parameter, so that a
/// query using it reads only columns of the covering index
/// (observations_by_target_covering). `o.value IS NOT NULL` is
/// `o.action <> 'retract'`: the schema gives a value to every record and
/// correction and none to a retraction.
pub(super) const CURRENT_NOW: &str = "o.value IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM observations s WHERE s.supersedes = o.id)";

pub(super) const ENTRY_COLUMNS: &str =
    "id, target_id, action, value, qualifier, period_start, period_end,
    source, url, note, recorded_by, recorded_at, supersedes, reason";

pub(super) const TARGET_COLUMN_COUNT: usize = 20;

pub(super) const TARGET_COLUMNS: &str =
    "v.target_id, v.title, v.kind, v.metric, v.unit, v.direction,
    v.comparator, v.target_value, v.window_start, v.deadline, v.limit_value, v.is_rate,
    v.cadence, v.quote, v.speaker, v.speaker_role, v.statement_date, v.source_title,
    v.source_url, v.interpretation";

/// [`CURRENT_NOW`] written out, for a statement made once: `min(o.id)`
/// rather than `ORDER BY o.id LIMIT 1`, which would build a temporary
/// b-tree on every run (SQLite returns the other columns of the row with
/// the minimum; no row gives one row of NULLs).
pub(super) const OVERLAPPING_SQL: &str =
    "SELECT min(o.id), o.period_start, o.period_end FROM observations o
     WHERE o.target_id = ?1 AND o.value IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM observations s WHERE s.supersedes = o.id)
       AND o.period_start <= ?3 AND o.period_end >= ?2 AND o.id IS NOT ?4";
