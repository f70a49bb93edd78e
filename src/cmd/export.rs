//! `tracker export`: the whole ledger out, for backup, hand-over or audit.
//! JSON holds everything (definition history and the full trail, with
//! times and authors) and `tracker import` restores it; CSV holds the
//! current observations in the layout `tracker import` reads.

use crate::cli::{ExportArgs, ExportFormat, Format};
use crate::config::Config;
use crate::error::{CliError, CliResult, ExitCode};
use crate::export::csv::neutralise;
use crate::model::Provenance;
use crate::period::format_period;
use crate::storage::{Access, TargetVersion};
use crate::transfer::{CSV_COLUMNS, EXPORT_KIND, ExportDoc, ExportEntry, ExportVersion};
use crate::value::format_plain;

pub fn run(config: &Config, args: &ExportArgs) -> CliResult<ExitCode> {
    let format = match (args.format, &args.output) {
        (Some(format), _) => format,
        (None, Some(path)) if crate::export::format_from_extension(path) == Some(Format::Csv) => {
            ExportFormat::Csv
        }
        (None, _) => ExportFormat::Json,
    };
    let ledger = super::open_ledger(config, Access::ReadOnly)?;
    let bytes = match format {
        ExportFormat::Json => {
            let doc = ExportDoc {
                kind: EXPORT_KIND.to_string(),
                format: 1,
                targets: ledger
                    .target_versions(None)?
                    .iter()
                    .map(version_to_export)
                    .collect(),
                entries: ledger
                    .entries(None)?
                    .iter()
                    .map(ExportEntry::from_entry)
                    .collect(),
            };
            let mut out = serde_json::to_vec_pretty(&doc)
                .map_err(|e| CliError::runtime(format!("cannot write JSON: {e}")))?;
            out.push(b'\n');
            out
        }
        ExportFormat::Csv => current_observations_csv(&ledger)?,
    };
    match &args.output {
        Some(path) => crate::output::to_file(path, &bytes, Some(&config.ledger.path))?,
        None => crate::output::to_stdout(&bytes)?,
    }
    Ok(ExitCode::Success)
}

fn current_observations_csv(ledger: &crate::storage::Ledger) -> CliResult<Vec<u8>> {
    let mut writer = ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let fail = |e: ::csv::Error| CliError::runtime(format!("cannot write CSV: {e}"));
    writer.write_record(CSV_COLUMNS).map_err(fail)?;
    let current: std::collections::HashSet<i64> = {
        let mut ids = std::collections::HashSet::new();
        ledger.for_each_target(None, |_, observations| {
            ids.extend(observations.iter().map(|o| o.id));
            Ok(())
        })?;
        ids
    };
    for e in ledger.entries(None)? {
        let (Some(q), Some(p)) = (e.quantity, e.period) else {
            continue;
        };
        if !current.contains(&e.id) {
            continue;
        }
        writer
            .write_record([
                neutralise(&e.target_id),
                format_plain(q.value),
                q.qualifier.as_str().to_string(),
                format_period(&p),
                String::new(),
                neutralise(&e.source),
                e.url.as_deref().map(neutralise).unwrap_or_default(),
                e.note.as_deref().map(neutralise).unwrap_or_default(),
                neutralise(&e.recorded_by),
            ])
            .map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| CliError::runtime(format!("cannot write CSV: {e}")))
}

fn version_to_export(v: &TargetVersion) -> ExportVersion {
    let d = &v.def;
    ExportVersion {
        id: d.id.clone(),
        version: v.version,
        title: d.title.clone(),
        kind: d.kind.as_str().into(),
        metric: d.metric.clone(),
        unit: d.unit.clone(),
        direction: d.direction.as_str().into(),
        comparator: d.comparator.map(|c| c.as_str().into()),
        target: d.target_value.map(format_plain),
        window_start: d.window_start.map(|x| x.to_string()),
        deadline: d.deadline.map(|x| x.to_string()),
        limit: d.limit.map(format_plain),
        rate: d.is_rate,
        cadence: d.cadence.as_str().into(),
        quote: d.provenance.quote.clone(),
        speaker: d.provenance.speaker.clone(),
        speaker_role: d.provenance.speaker_role.clone(),
        statement_date: d.provenance.statement_date.to_string(),
        source_title: d.provenance.source_title.clone(),
        source_url: d.provenance.source_url.clone(),
        interpretation: d.interpretation.clone(),
        recorded_at: v.recorded_at.clone(),
        recorded_by: v.recorded_by.clone(),
        reason: v.reason.clone(),
    }
}

/// The inverse of the export, checking every field's grammar.
pub fn version_from_export(v: &ExportVersion) -> Result<TargetVersion, String> {
    let date =
        |s: &str| crate::period::parse_date(s).map_err(|e| format!("target `{}`: {e}", v.id));
    let opt_date = |s: &Option<String>| s.as_deref().map(date).transpose();
    let number = |s: &Option<String>| {
        s.as_deref()
            .map(|n| {
                n.parse()
                    .map_err(|_| format!("target `{}`: `{n}` is not a number", v.id))
            })
            .transpose()
    };
    let def = crate::model::TargetDef {
        id: v.id.clone(),
        title: v.title.clone(),
        kind: v.kind.parse()?,
        metric: v.metric.clone(),
        unit: v.unit.clone(),
        direction: v.direction.parse()?,
        comparator: v.comparator.as_deref().map(str::parse).transpose()?,
        target_value: number(&v.target)?,
        window_start: opt_date(&v.window_start)?,
        deadline: opt_date(&v.deadline)?,
        limit: number(&v.limit)?,
        is_rate: v.rate,
        cadence: v.cadence.parse()?,
        provenance: Provenance {
            quote: v.quote.clone(),
            speaker: v.speaker.clone(),
            speaker_role: v.speaker_role.clone(),
            statement_date: date(&v.statement_date)?,
            source_title: v.source_title.clone(),
            source_url: v.source_url.clone(),
        },
        interpretation: v.interpretation.clone(),
    };
    Ok(TargetVersion {
        def,
        version: v.version,
        recorded_at: v.recorded_at.clone(),
        recorded_by: v.recorded_by.clone(),
        reason: v.reason.clone(),
    })
}
