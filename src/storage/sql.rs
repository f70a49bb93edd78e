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

pub(super) const TARGET_COLUMN_COUNT: usize = 21;

pub(super) const TARGET_COLUMNS: &str =
    "v.target_id, v.title, v.kind, v.metric, v.unit, v.direction,
    v.comparator, v.target_value, v.window_start, v.deadline, v.limit_value, v.is_rate,
    v.cadence, v.quote, v.speaker, v.speaker_role, v.statement_date, v.source_title,
    v.source_url, v.interpretation, v.base_period";

/// The entries of a target (?1) below an id (?4) whose period may overlap
/// ?2..?3, with their action and whether something supersedes them: the
/// candidates [`crate::domain::trail::first_overlap`] decides among.
/// Retractions carry no period and never match.
pub(super) const OVERLAP_CANDIDATES_SQL: &str =
    "SELECT o.id, o.action, o.period_start, o.period_end,
            EXISTS (SELECT 1 FROM observations s WHERE s.supersedes = o.id)
     FROM observations o
     WHERE o.target_id = ?1 AND o.period_start <= ?3 AND o.period_end >= ?2 AND o.id < ?4";
