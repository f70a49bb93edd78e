//! `tracker chart ID -o FILE.svg|FILE.png`: the target's trajectory as a
//! picture. The status in the title comes from the same rows as `report`.

use super::open_ledger;
use crate::chart::{ChartData, ImageFormat, render_png, render_svg};
use crate::cli::ChartArgs;
use crate::config::Config;
use crate::error::{CliError, CliResult, ErrorKind, ExitCode};
use crate::render::safe;
use crate::report::{Selection, build_rows};
use crate::storage::Access;
use std::path::Path;

pub fn run(config: &Config, args: &ChartArgs) -> CliResult<ExitCode> {
    // Checked before anything is read, so a typo costs nothing.
    let format = image_format(&args.output)?;
    let as_of = config.as_of(args.as_of.as_deref())?;
    let ledger = open_ledger(config, Access::ReadOnly)?;
    let def = ledger.target(&args.id, None)?;
    let selection = Selection {
        ids: vec![def.id.clone()],
        ..Selection::default()
    };
    let row = safe::rows(&build_rows(&ledger, &selection, as_of, None)?)
        .into_iter()
        .next()
        .ok_or_else(|| CliError::runtime(format!("no report row for `{}`", def.id)))?;
    let observations = ledger.current_observations(&def.id, None)?;
    let data = ChartData::new(&row, &observations, config.numbers);
    let bytes = match format {
        ImageFormat::Svg => render_svg(&data).map(String::into_bytes),
        ImageFormat::Png => render_png(&data),
    }
    .map_err(|e| CliError::new(ErrorKind::Runtime, e))?;
    crate::output::to_file(&args.output, &bytes)?;
    if args.output != Path::new("-") {
        println!(
            "wrote {}: {} {} as of {as_of}, {} point{}",
            args.output.display(),
            def.id,
            row.status(),
            data.points.len(),
            if data.points.len() == 1 { "" } else { "s" }
        );
    }
    Ok(ExitCode::Success)
}

/// SVG or PNG from the file name; anything else is a usage error.
fn image_format(path: &Path) -> CliResult<ImageFormat> {
    if path == Path::new("-") {
        return Err(CliError::input(
            "-o - cannot tell SVG from PNG; give a file name ending in .svg or .png",
        ));
    }
    ImageFormat::from_path(path).ok_or_else(|| {
        CliError::input(format!(
            "cannot draw {}: the chart format comes from the extension, .svg or .png",
            path.display()
        ))
        .with_hint(format!(
            "e.g. `tracker chart ID -o {}`",
            path.with_extension("svg").display()
        ))
    })
}
