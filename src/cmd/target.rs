//! `tracker target import|add`: define targets.
//!
//! Both go through the target-file parser: `add` turns its flags into a
//! one-target file, so a target typed on the command line is validated by
//! exactly the rules a file or the seed is.

use super::open_ledger;
use crate::cli::{TargetAddArgs, TargetAmendArgs};
use crate::config::Config;
use crate::error::{CliError, CliResult, ExitCode};
use crate::model::TargetDef;
use crate::sniff::InputKind;
use crate::storage::{Access, ImportSummary};
use crate::targets_file::{TargetFile, parse_target_file};
use crate::value::format_plain;
use std::path::Path;

pub fn import(config: &Config, file: &Path) -> CliResult<ExitCode> {
    let bytes = std::fs::read(file)
        .map_err(|e| CliError::input(format!("cannot read {}: {e}", file.display())))?;
    for other in [InputKind::ObservationCsv, InputKind::ExportJson] {
        super::refuse_other_kind(file, &bytes, other)?;
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        CliError::input(format!(
            "{} is not valid UTF-8 (first bad byte at offset {})",
            file.display(),
            e.utf8_error().valid_up_to()
        ))
    })?;
    let parsed = parse_target_file(&text, &file.display().to_string())?;
    let summary = store(config, &parsed)?;
    report(&summary);
    Ok(ExitCode::Success)
}

pub fn add(config: &Config, args: &TargetAddArgs) -> CliResult<ExitCode> {
    let text = to_target_file(args);
    let parsed = parse_target_file(&text, "command line")?;
    let summary = store(config, &parsed)?;
    report(&summary);
    Ok(ExitCode::Success)
}

fn store(config: &Config, parsed: &TargetFile) -> CliResult<ImportSummary> {
    let mut ledger = open_ledger(config, Access::ReadWrite)?;
    Ok(ledger.import_targets(&parsed.targets, &config.recorder(None), config.now)?)
}

fn report(summary: &ImportSummary) {
    if summary.added.is_empty() {
        println!(
            "nothing changed: all {} target(s) already in the ledger with the same definition",
            summary.unchanged.len()
        );
    } else {
        const LISTED: usize = 10;
        let mut names = summary.added[..summary.added.len().min(LISTED)].join(", ");
        if summary.added.len() > LISTED {
            names.push_str(&format!(", and {} more", summary.added.len() - LISTED));
        }
        println!(
            "added {} target(s) ({names}) with {} observation(s); {} unchanged",
            summary.added.len(),
            summary.observations,
            summary.unchanged.len()
        );
    }
}

/// The flags of `target add` as a one-target file.
fn to_target_file(args: &TargetAddArgs) -> String {
    let mut target = toml::Table::new();
    let mut put = |key: &str, value: Option<&str>| {
        if let Some(value) = value {
            target.insert(key.to_string(), toml::Value::String(value.to_string()));
        }
    };
    put("id", Some(&args.id));
    put("title", Some(&args.title));
    put("kind", Some(&args.kind));
    put("metric", Some(&args.metric));
    put("unit", Some(&args.unit));
    put("direction", Some(&args.direction));
    put("target", args.target.as_deref());
    put("window_start", args.window_start.as_deref());
    put("deadline", args.deadline.as_deref());
    put("limit", args.limit.as_deref());
    put("cadence", Some(&args.cadence));
    put("quote", Some(&args.quote));
    put("speaker", Some(&args.speaker));
    put("speaker_role", Some(&args.speaker_role));
    put("interpretation", args.interpretation.as_deref());
    if args.rate {
        target.insert("rate".to_string(), toml::Value::Boolean(true));
    }
    one_target_file(
        target,
        &args.source_title,
        &args.statement_date,
        args.source_url.as_deref(),
    )
}

/// A target file holding one `[[target]]` and its `[source]`.
fn one_target_file(target: toml::Table, title: &str, date: &str, url: Option<&str>) -> String {
    let mut source = toml::Table::new();
    source.insert("title".into(), toml::Value::String(title.into()));
    source.insert("date".into(), toml::Value::String(date.into()));
    if let Some(url) = url {
        source.insert("url".into(), toml::Value::String(url.into()));
    }
    let mut file = toml::Table::new();
    file.insert("format".into(), toml::Value::Integer(1));
    file.insert("source".into(), toml::Value::Table(source));
    file.insert(
        "target".into(),
        toml::Value::Array(vec![toml::Value::Table(target)]),
    );
    file.to_string()
}

/// A definition as a `[[target]]` table, for amending through the parser.
fn def_to_table(def: &TargetDef) -> toml::Table {
    let mut t = toml::Table::new();
    let mut put = |key: &str, value: Option<String>| {
        if let Some(value) = value {
            t.insert(key.to_string(), toml::Value::String(value));
        }
    };
    put("id", Some(def.id.clone()));
    put("title", Some(def.title.clone()));
    put("kind", Some(def.kind.to_string()));
    put("metric", Some(def.metric.clone()));
    put("unit", Some(def.unit.clone()));
    put("direction", Some(def.direction.to_string()));
    put(
        "target",
        def.comparator.zip(def.target_value).map(|(c, v)| match c {
            crate::model::Comparator::Equal => format_plain(v),
            c => format!("{c} {}", format_plain(v)),
        }),
    );
    put("window_start", def.window_start.map(|d| d.to_string()));
    put("deadline", def.deadline.map(|d| d.to_string()));
    put("limit", def.limit.map(format_plain));
    put("cadence", Some(def.cadence.to_string()));
    put("quote", Some(def.provenance.quote.clone()));
    put("speaker", Some(def.provenance.speaker.clone()));
    put("speaker_role", Some(def.provenance.speaker_role.clone()));
    put("interpretation", Some(def.interpretation.clone()));
    if def.is_rate {
        t.insert("rate".into(), toml::Value::Boolean(true));
    }
    t
}

pub fn amend(config: &Config, args: &TargetAmendArgs) -> CliResult<ExitCode> {
    let reason = crate::text::REASON.check(&args.reason)?;
    let mut ledger = open_ledger(config, Access::ReadWrite)?;
    let current = ledger.target(&args.id, None)?;
    let mut table = def_to_table(&current);
    let changes = [
        ("title", &args.title),
        ("metric", &args.metric),
        ("direction", &args.direction),
        ("target", &args.target),
        ("window_start", &args.window_start),
        ("deadline", &args.deadline),
        ("cadence", &args.cadence),
        ("interpretation", &args.interpretation),
    ];
    for (key, value) in changes {
        if let Some(value) = value {
            table.insert(key.to_string(), toml::Value::String(value.clone()));
        }
    }
    let p = &current.provenance;
    let text = one_target_file(
        table,
        &p.source_title,
        &p.statement_date.to_string(),
        p.source_url.as_deref(),
    );
    let parsed = parse_target_file(&text, "the amended definition")?;
    let Some(amended) = parsed.targets.into_iter().next().map(|t| t.def) else {
        return Err(CliError::runtime("amended definition vanished"));
    };
    if amended == current {
        return Err(CliError::input(format!(
            "the amendment leaves `{}` unchanged; give at least one changed field",
            current.id
        )));
    }
    let version = ledger.amend_target(&amended, &reason, &config.recorder(None), config.now)?;
    println!("amended {} (definition version {version})", amended.id);
    Ok(ExitCode::Success)
}
