//! A target's trajectory as a picture (`tracker chart`): pure drawing code,
//! from a report row and the target's observations to SVG text or PNG
//! bytes. Nothing here touches the ledger, the terminal or a file.
//!
//! What is drawn:
//! - the observations over time, at their period end; for a cumulative
//!   target the running total (each point is the total the status method
//!   sees on that day, so it carries the combined qualifier);
//! - the qualifier as the marker: filled circle for an exact figure, open
//!   circle for "more than"/"at least" (a lower bound), open square for
//!   "less than"/"at most" (an upper bound), diamond for "about"/"nearly";
//! - the target value (a horizontal line) and the deadline (a vertical one);
//! - for cumulative targets the expected linear path from zero at the
//!   window start to the target at the deadline;
//! - for level targets the base (the earliest figure);
//! - a title with the id and the status, as `report` computes it, and the
//!   status explanation underneath.
//!
//! Text in a PNG needs a font: DejaVu Sans is compiled in
//! (assets/fonts, with its licence), so charts render the same on a machine
//! without fontconfig. Bitmaps are drawn at twice the size and scaled down,
//! for smooth lines and even letter spacing. SVG asks for DejaVu Sans (or
//! Verdana, or any sans-serif) and leaves the font to the viewer.

use crate::model::{Kind, Observation, Qualifier, Status, TargetDef};
use crate::numfmt::{NumberStyle, human, human_quantity};
use crate::report::ReportRow;
use chrono::{Datelike, Duration, NaiveDate};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::FontStyle;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rust_decimal::Decimal;
use rust_decimal::prelude::{FromPrimitive, ToPrimitive};
use std::fmt;
use std::path::Path;
use std::sync::Once;

/// Picture size in pixels (SVG user units).
pub const WIDTH: u32 = 960;
pub const HEIGHT: u32 = 540;

/// The observation colour: line and markers.
pub const OBSERVED: RGBColor = RGBColor(0x1f, 0x5f, 0xa8);
const TARGET: RGBColor = RGBColor(0xb0, 0x30, 0x30);
const PATH: RGBColor = RGBColor(0x70, 0x70, 0x70);
const BASE: RGBColor = RGBColor(0x2e, 0x7d, 0x32);
const MUTED: RGBColor = RGBColor(0x60, 0x60, 0x60);
const GRID: RGBColor = RGBColor(0xe4, 0xe4, 0xe4);
/// Marker radius of an observation (SVG user units); nothing else is drawn
/// at this size. A diamond reaches 2 further.
pub const MARKER_RADIUS: u32 = 5;
/// The same markers in the legend, smaller.
const LEGEND_RADIUS: u32 = 4;

static FONT: &[u8] = include_bytes!("../assets/fonts/DejaVuSans.ttf");
/// DejaVu Sans where the viewer has it, else a font of similar width.
const FAMILY: &str = "DejaVu Sans, Verdana, sans-serif";

/// The picture formats, from the output file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Svg,
    Png,
}

impl ImageFormat {
    pub fn from_path(path: &Path) -> Option<ImageFormat> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "svg" => Some(ImageFormat::Svg),
            "png" => Some(ImageFormat::Png),
            _ => None,
        }
    }
}

/// Drawing failed (a bug or a font problem, never the user's input).
#[derive(Debug)]
pub struct ChartError(String);

impl fmt::Display for ChartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot draw the chart: {}", self.0)
    }
}

impl std::error::Error for ChartError {}

fn fail(e: impl fmt::Display) -> ChartError {
    ChartError(e.to_string())
}

/// One point of the series: a period end and the value there.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChartPoint {
    pub date: NaiveDate,
    pub value: f64,
    pub qualifier: Qualifier,
    /// The value as people read it, e.g. `>800 bn`.
    pub label_value: Decimal,
}

/// Everything a chart shows, computed once; [`render_svg`] and
/// [`render_png`] only draw it.
#[derive(Debug, Clone)]
pub struct ChartData {
    pub id: String,
    pub title: String,
    pub kind: Kind,
    pub unit: String,
    pub status: Status,
    pub stale: bool,
    pub as_of: NaiveDate,
    pub explanation: String,
    pub points: Vec<ChartPoint>,
    /// Target value with its comparator as people read it (`>3 tn CNY`).
    pub target: Option<(f64, String)>,
    pub window_start: Option<NaiveDate>,
    pub deadline: Option<NaiveDate>,
    /// Level targets: the earliest figure.
    pub base: Option<ChartPoint>,
    /// When the pledge was made: the left edge when nothing earlier is drawn.
    pub statement_date: NaiveDate,
    pub numbers: NumberStyle,
}

impl ChartData {
    /// The chart of `row` (as `report` computed it) from the target's
    /// current observations, evaluated at the row's as-of date.
    pub fn new(row: &ReportRow, observations: &[Observation], numbers: NumberStyle) -> ChartData {
        let def = &row.def;
        let a = &row.assessment;
        let target = def.target_value.map(|value| {
            (
                to_f64(value),
                crate::render::table::target_value_text(row, numbers),
            )
        });
        let base = if def.kind == Kind::Level {
            a.base.map(|p| ChartPoint {
                date: p.date,
                value: to_f64(p.quantity.value),
                qualifier: p.quantity.qualifier,
                label_value: p.quantity.value,
            })
        } else {
            None
        };
        ChartData {
            id: def.id.clone(),
            title: def.title.clone(),
            kind: def.kind,
            unit: def.unit.clone(),
            status: a.status,
            stale: a.stale,
            as_of: row.as_of,
            explanation: a.explanation.clone(),
            points: series(def, observations, row.as_of),
            target,
            window_start: def.window_start,
            deadline: def.deadline,
            base,
            statement_date: def.provenance.statement_date,
            numbers,
        }
    }

    /// `value` at human scale, with `%` but without other units (the axis
    /// names the unit once).
    fn number(&self, value: Decimal, qualifier: Qualifier) -> String {
        let unit = if self.unit == "%" { "%" } else { "" };
        human_quantity(
            &crate::model::Quantity { value, qualifier },
            unit,
            self.numbers,
        )
    }

    fn axis_number(&self, value: f64) -> String {
        let unit = if self.unit == "%" { "%" } else { "" };
        match Decimal::from_f64(value) {
            Some(d) => human(d.round_sf(3).unwrap_or(d), unit, self.numbers),
            None => format!("{value}"),
        }
    }
}

/// The points to draw: each observation at its period end (level and
/// direction), or the running total at each period end (cumulative), as
/// the status method would see it on that day. Nothing after `as_of`.
pub fn series(def: &TargetDef, observations: &[Observation], as_of: NaiveDate) -> Vec<ChartPoint> {
    let mut used: Vec<&Observation> = observations
        .iter()
        .filter(|o| o.period.end <= as_of)
        .collect();
    used.sort_by_key(|o| (o.period.end, o.id));
    match def.kind {
        Kind::Level | Kind::Direction => used
            .iter()
            .map(|o| ChartPoint {
                date: o.period.end,
                value: to_f64(o.quantity.value),
                qualifier: o.quantity.qualifier,
                label_value: o.quantity.value,
            })
            .collect(),
        Kind::Cumulative => {
            let mut ends: Vec<NaiveDate> = used.iter().map(|o| o.period.end).collect();
            ends.dedup();
            ends.into_iter()
                .filter_map(|end| {
                    let total = crate::status::assess(def, observations, end).latest?;
                    (total.date == end).then(|| ChartPoint {
                        date: end,
                        value: to_f64(total.quantity.value),
                        qualifier: total.quantity.qualifier,
                        label_value: total.quantity.value,
                    })
                })
                .collect()
        }
    }
}

fn to_f64(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// The colour of a status in a picture, by meaning (as in tables).
pub fn status_rgb(status: Status) -> RGBColor {
    match status {
        Status::Achieved | Status::OnTrack => RGBColor(0x2e, 0x7d, 0x32),
        Status::AtRisk => RGBColor(0xb2, 0x6a, 0x00),
        Status::OffTrack | Status::Missed | Status::MovingAway => RGBColor(0xc6, 0x28, 0x28),
        Status::InsufficientData | Status::NoData => RGBColor(0x75, 0x75, 0x75),
    }
}

/// Which marker a qualifier gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// Exact: filled circle.
    Exact,
    /// More than / at least: open circle.
    LowerBound,
    /// Less than / at most: open square.
    UpperBound,
    /// About / nearly: diamond.
    Approximate,
}

impl Marker {
    pub fn of(qualifier: Qualifier) -> Marker {
        match qualifier {
            Qualifier::Exact => Marker::Exact,
            Qualifier::MoreThan | Qualifier::AtLeast => Marker::LowerBound,
            Qualifier::LessThan | Qualifier::AtMost => Marker::UpperBound,
            Qualifier::About | Qualifier::Nearly => Marker::Approximate,
        }
    }

    fn legend(self) -> &'static str {
        match self {
            Marker::Exact => "exact",
            Marker::LowerBound => "more than / at least",
            Marker::UpperBound => "less than / at most",
            Marker::Approximate => "about / nearly",
        }
    }
}

fn register_font() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // The bundled file is a valid font; a failure would show as a
        // drawing error naming the font.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

/// The chart as an SVG document.
pub fn render_svg(data: &ChartData) -> Result<String, ChartError> {
    register_font();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, data, 1)?;
        root.present().map_err(fail)?;
    }
    Ok(out)
}

/// Bitmaps are drawn at this multiple of the size and scaled down: smooth
/// lines and even letter spacing at the final size.
const SUPERSAMPLE: u32 = 2;

/// The chart as PNG bytes (8-bit RGB, [`WIDTH`] × [`HEIGHT`]).
pub fn render_png(data: &ChartData) -> Result<Vec<u8>, ChartError> {
    register_font();
    let (w, h) = (WIDTH * SUPERSAMPLE, HEIGHT * SUPERSAMPLE);
    let mut large = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut large, (w, h)).into_drawing_area();
        draw(&root, data, SUPERSAMPLE as i32)?;
        root.present().map_err(fail)?;
    }
    let pixels = downsample(&large, w as usize, SUPERSAMPLE as usize);
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(fail)?;
        writer.write_image_data(&pixels).map_err(fail)?;
        writer.finish().map_err(fail)?;
    }
    Ok(out)
}

/// Averages `factor` × `factor` blocks of an RGB image `width` pixels wide.
fn downsample(rgb: &[u8], width: usize, factor: usize) -> Vec<u8> {
    let height = rgb.len() / 3 / width;
    let (w, h) = (width / factor, height / factor);
    let mut out = vec![0u8; w * h * 3];
    let n = (factor * factor) as u32;
    for y in 0..h {
        for x in 0..w {
            for c in 0..3 {
                let mut sum = 0u32;
                for dy in 0..factor {
                    let row = (y * factor + dy) * width;
                    for dx in 0..factor {
                        sum += u32::from(rgb[(row + x * factor + dx) * 3 + c]);
                    }
                }
                out[(y * w + x) * 3 + c] = ((sum + n / 2) / n) as u8;
            }
        }
    }
    out
}

fn font(size: f64) -> TextStyle<'static> {
    (FAMILY, size).into_font().color(&BLACK)
}

/// The x range: from the window start (or the statement, or the first
/// figure) to the deadline (or as-of, or the last figure), padded.
fn x_range(data: &ChartData) -> (NaiveDate, NaiveDate) {
    let mut dates: Vec<NaiveDate> = data.points.iter().map(|p| p.date).collect();
    dates.extend(data.window_start);
    dates.extend(data.deadline);
    dates.push(data.as_of);
    if data.window_start.is_none() {
        dates.push(data.statement_date);
    }
    let lo = dates.iter().min().copied().unwrap_or(data.as_of);
    let hi = dates.iter().max().copied().unwrap_or(data.as_of);
    let span = (hi - lo).num_days().max(60);
    let pad = Duration::days(span / 25 + 1);
    (lo - pad, hi + pad)
}

/// The y range: every value, the target and the base, padded. Zero is
/// included for cumulative targets (the path starts there) and whenever
/// the values are not far from it; a level that moves between 74% and 80%
/// gets an axis that shows the movement.
fn y_range(data: &ChartData) -> (f64, f64) {
    let mut values: Vec<f64> = data.points.iter().map(|p| p.value).collect();
    values.extend(data.target.as_ref().map(|t| t.0));
    values.extend(data.base.map(|b| b.value));
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if values.is_empty() {
        return (0.0, 1.0);
    }
    let zero_based = data.kind == Kind::Cumulative || lo <= 0.0 || lo < hi * 0.5;
    let (lo, hi) = if zero_based {
        (lo.min(0.0), hi.max(0.0))
    } else {
        (lo, hi)
    };
    let spread = if hi > lo { hi - lo } else { hi.abs().max(1.0) };
    let pad = spread * 0.12;
    let bottom = if zero_based && lo >= 0.0 {
        lo
    } else {
        lo - pad
    };
    (bottom, hi + pad)
}

/// Whether there is any value to scale the y axis to.
fn y_range_known(data: &ChartData) -> bool {
    !data.points.is_empty() || data.target.is_some()
}

/// Tick dates on calendar boundaries: years for long ranges, quarters or
/// months for short ones; and how to label them.
fn date_ticks(x0: NaiveDate, x1: NaiveDate) -> (Vec<NaiveDate>, &'static str) {
    let months = (x1.year() - x0.year()) * 12 + x1.month() as i32 - x0.month() as i32;
    let (step, format) = match months {
        m if m > 8 * 12 => (24, "%Y"),
        m if m > 30 => (12, "%Y"),
        m if m > 10 => (3, "%Y-%m"),
        _ => (1, "%Y-%m"),
    };
    let mut ticks = Vec::new();
    let mut year = x0.year();
    let mut month = 1;
    while let Some(d) = NaiveDate::from_ymd_opt(year, month, 1) {
        if d > x1 {
            break;
        }
        let index = (year * 12 + month as i32 - 1) as u32;
        if d >= x0 && index.is_multiple_of(step) {
            ticks.push(d);
        }
        month += 1;
        if month > 12 {
            month = 1;
            year += 1;
        }
    }
    (ticks, format)
}

/// Where a value label goes relative to its marker.
#[derive(Clone, Copy)]
enum LabelPlace {
    Above,
    Below,
    Left,
    Right,
}

/// How a legend entry is drawn.
#[derive(Clone, Copy)]
enum Sample {
    Line(RGBColor),
    Dashed(RGBColor),
    Marker(Marker),
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    k: i32,
) -> Result<(), ChartError> {
    let px = |v: i32| v * k;
    let pt = |size: f64| size * f64::from(k);
    root.fill(&WHITE).map_err(fail)?;
    let height = root.dim_in_pixel().1 as i32;
    let (header, rest) = root.split_vertically(px(66));
    let (plot, footer) = rest.split_vertically(height - px(66) - px(62));

    // Title: id and status, coloured by meaning; the target's title below.
    let status = if data.stale {
        format!("{} (stale)", data.status)
    } else {
        data.status.to_string()
    };
    // The status sits at the right, so no text width has to be guessed
    // (SVG viewers pick their own font).
    let title_font = font(pt(22.0));
    let right = root.dim_in_pixel().0 as i32 - px(24);
    header
        .draw(&Text::new(
            data.id.clone(),
            (px(16), px(10)),
            title_font.clone(),
        ))
        .map_err(fail)?;
    header
        .draw(&Text::new(
            format!("{status} as of {}", data.as_of),
            (right, px(10)),
            title_font
                .color(&status_rgb(data.status))
                .pos(Pos::new(HPos::Right, VPos::Top)),
        ))
        .map_err(fail)?;
    header
        .draw(&Text::new(
            crate::render::table::shorten(&data.title, 110),
            (px(16), px(41)),
            font(pt(15.0)).color(&MUTED),
        ))
        .map_err(fail)?;

    let (x0, x1) = x_range(data);
    let (y0, y1) = y_range(data);
    let (ticks, tick_format) = date_ticks(x0, x1);
    let x_labels = |d: &NaiveDate| d.format(tick_format).to_string();
    let y_labels = |v: &f64| data.axis_number(*v);
    let mut chart = ChartBuilder::on(&plot)
        .margin_left(px(16))
        .margin_right(px(24))
        .margin_top(px(8))
        .margin_bottom(px(4))
        .x_label_area_size(px(30))
        .y_label_area_size(px(72))
        .build_cartesian_2d((x0..x1).with_key_points(ticks), y0..y1)
        .map_err(fail)?;
    let unit_desc = match data.unit.as_str() {
        "%" => String::new(),
        unit => unit.to_string(),
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID.stroke_width(k as u32))
        .axis_style(MUTED.stroke_width(k as u32))
        .set_all_tick_mark_size(px(4))
        .y_labels(if y_range_known(data) { 7 } else { 0 })
        .x_label_formatter(&x_labels)
        .y_label_formatter(&y_labels)
        .y_desc(unit_desc)
        .label_style(font(pt(13.0)))
        .axis_desc_style(font(pt(13.0)).color(&MUTED))
        .draw()
        .map_err(fail)?;

    // A label at the top of a vertical line: left of it, or right of it
    // near the left edge.
    let flag = |date: NaiveDate, text: String, color: &'static RGBColor| {
        let at = (date - x0).num_days() as f64 / (x1 - x0).num_days().max(1) as f64;
        let (dx, h) = if at > 0.3 {
            (-px(4), HPos::Right)
        } else {
            (px(4), HPos::Left)
        };
        EmptyElement::at((date, y1))
            + Text::new(
                text,
                (dx, 0),
                font(pt(12.0)).color(color).pos(Pos::new(h, VPos::Top)),
            )
    };
    // As-of: a faint vertical line, so "now" shows against the deadline.
    if data.as_of > x0 && data.as_of < x1 {
        chart
            .draw_series(DashedLineSeries::new(
                [(data.as_of, y0), (data.as_of, y1)],
                px(3),
                px(4),
                ShapeStyle::from(&PATH.mix(0.6)).stroke_width(k as u32),
            ))
            .map_err(fail)?;
        chart
            .draw_series(std::iter::once(flag(
                data.as_of,
                format!("as of {}", data.as_of),
                &MUTED,
            )))
            .map_err(fail)?;
    }
    if let Some(deadline) = data.deadline {
        chart
            .draw_series(DashedLineSeries::new(
                [(deadline, y0), (deadline, y1)],
                px(4),
                px(4),
                ShapeStyle::from(&TARGET.mix(0.8)).stroke_width(k as u32),
            ))
            .map_err(fail)?;
        chart
            .draw_series(std::iter::once(flag(
                deadline,
                format!("deadline {deadline}"),
                &TARGET,
            )))
            .map_err(fail)?;
    }

    let mut legend: Vec<(Sample, String)> = Vec::new();
    // The expected linear path (cumulative): zero at the window start, the
    // target at the deadline.
    if data.kind == Kind::Cumulative
        && let (Some(start), Some(deadline), Some((target, _))) =
            (data.window_start, data.deadline, data.target.as_ref())
    {
        chart
            .draw_series(DashedLineSeries::new(
                [(start, 0.0), (deadline, *target)],
                px(7),
                px(5),
                ShapeStyle::from(&PATH).stroke_width(px(2) as u32),
            ))
            .map_err(fail)?;
        legend.push((Sample::Dashed(PATH), "expected linear path".to_string()));
    }
    if let Some((target, text)) = &data.target {
        let from = data.window_start.unwrap_or(x0).max(x0);
        chart
            .draw_series(LineSeries::new(
                [(from, *target), (x1, *target)],
                TARGET.stroke_width(px(2) as u32),
            ))
            .map_err(fail)?;
        legend.push((Sample::Line(TARGET), format!("target {text}")));
    }
    if let Some(base) = data.base {
        chart
            .draw_series(DashedLineSeries::new(
                [(base.date, base.value), (x1, base.value)],
                px(2),
                px(4),
                BASE.stroke_width(px(2) as u32),
            ))
            .map_err(fail)?;
        legend.push((
            Sample::Dashed(BASE),
            format!(
                "base {} ({})",
                data.number(base.label_value, base.qualifier),
                base.date
            ),
        ));
    }

    // The observations: a line through them, a marker per point.
    if data.points.is_empty() {
        let middle = x0 + Duration::days((x1 - x0).num_days() / 2);
        chart
            .draw_series(std::iter::once(Text::new(
                format!("no figures on or before {}", data.as_of),
                (middle, (y0 + y1) / 2.0),
                font(pt(16.0))
                    .color(&MUTED)
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            )))
            .map_err(fail)?;
    } else {
        chart
            .draw_series(LineSeries::new(
                data.points.iter().map(|p| (p.date, p.value)),
                OBSERVED.stroke_width(px(2) as u32),
            ))
            .map_err(fail)?;
        legend.insert(
            0,
            (
                Sample::Line(OBSERVED),
                if data.kind == Kind::Cumulative {
                    "observed (running total)".to_string()
                } else {
                    "observed".to_string()
                },
            ),
        );
        for p in &data.points {
            with_marker!(
                Marker::of(p.qualifier),
                (p.date, p.value),
                MARKER_RADIUS,
                k,
                |e| chart.draw_series(std::iter::once(e)).map(|_| ())
            )
            .map_err(fail)?;
        }
        if data.points.len() <= 12 {
            // Each value where the line is not: the first to the left of
            // its marker, the last to the right (unless at an edge), the
            // others above a local high and below a local low.
            let n = data.points.len();
            let span = (x1 - x0).num_days().max(1) as f64;
            let places: Vec<LabelPlace> = (0..n)
                .map(|i| {
                    let here = data.points[i].value;
                    let at = (data.points[i].date - x0).num_days() as f64 / span;
                    if n > 1 && i == 0 && at > 0.1 {
                        return LabelPlace::Left;
                    }
                    if n > 1 && i == n - 1 && at < 0.85 {
                        return LabelPlace::Right;
                    }
                    let neighbours: Vec<f64> = [i.checked_sub(1), Some(i + 1)]
                        .into_iter()
                        .flatten()
                        .filter_map(|j| data.points.get(j).map(|p| p.value))
                        .collect();
                    if neighbours.iter().sum::<f64>() <= here * neighbours.len() as f64 {
                        LabelPlace::Above
                    } else {
                        LabelPlace::Below
                    }
                })
                .collect();
            chart
                .draw_series(data.points.iter().zip(places).map(|(p, place)| {
                    let gap = px(MARKER_RADIUS as i32 + 5);
                    let (offset, anchor) = match place {
                        LabelPlace::Above => ((0, -gap), Pos::new(HPos::Center, VPos::Bottom)),
                        LabelPlace::Below => ((0, gap), Pos::new(HPos::Center, VPos::Top)),
                        LabelPlace::Left => ((-gap, 0), Pos::new(HPos::Right, VPos::Center)),
                        LabelPlace::Right => ((gap, 0), Pos::new(HPos::Left, VPos::Center)),
                    };
                    EmptyElement::at((p.date, p.value))
                        + Text::new(
                            data.number(p.label_value, p.qualifier),
                            offset,
                            font(pt(12.0)).color(&OBSERVED).pos(anchor),
                        )
                }))
                .map_err(fail)?;
        }
    }
    let mut kinds: Vec<Marker> = data
        .points
        .iter()
        .map(|p| Marker::of(p.qualifier))
        .collect();
    kinds.sort_by_key(|m| *m as u8);
    kinds.dedup();
    if kinds.iter().any(|m| *m != Marker::Exact) {
        legend.extend(
            kinds
                .into_iter()
                .map(|m| (Sample::Marker(m), m.legend().to_string())),
        );
    }

    // Footer: the legend, then the status explanation.
    let label_font = font(pt(12.5));
    let (mut x, mut y) = (px(16), px(10));
    let right = root.dim_in_pixel().0 as i32 - px(16);
    for (sample, text) in legend {
        let (text_width, _) = root.estimate_text_size(&text, &label_font).map_err(fail)?;
        let width = px(30) + text_width as i32;
        if x + width > right && x > px(16) {
            x = px(16);
            y += px(18);
        }
        match sample {
            Sample::Line(color) => footer.draw(&PathElement::new(
                vec![(x, y), (x + px(22), y)],
                color.stroke_width(px(2) as u32),
            )),
            Sample::Dashed(color) => footer.draw(&DashedPathElement::new(
                vec![(x, y), (x + px(22), y)],
                px(5),
                px(3),
                color.stroke_width(px(2) as u32),
            )),
            Sample::Marker(m) => {
                with_marker!(m, (x + px(11), y), LEGEND_RADIUS, k, |e| footer.draw(&e))
            }
        }
        .map_err(fail)?;
        footer
            .draw(&Text::new(
                text,
                (x + px(28), y),
                label_font.clone().pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(fail)?;
        x += width + px(22);
    }
    let explanation = textwrap::wrap(&data.explanation, 150);
    for (i, line) in explanation.iter().take(2).enumerate() {
        footer
            .draw(&Text::new(
                line.to_string(),
                (px(16), y + px(14) + px(16) * i as i32),
                font(pt(12.0)).color(&MUTED),
            ))
            .map_err(fail)?;
    }
    Ok(())
}

/// Runs `$body` with `$e` bound to the marker of one figure at `$at`
/// (radius `$radius` at scale `$k`):
/// filled circle (exact), open circle (lower bound), open square (upper
/// bound) or diamond (about, nearly). A macro because each shape is its own
/// element type.
macro_rules! with_marker {
    ($kind:expr, $at:expr, $radius:expr, $k:expr, |$e:ident| $body:expr) => {{
        let r = $radius as i32 * $k;
        let open = ShapeStyle::from(&OBSERVED).stroke_width((2 * $k) as u32);
        match $kind {
            Marker::Exact => {
                let $e = EmptyElement::at($at) + Circle::new((0, 0), r, OBSERVED.filled());
                $body
            }
            Marker::LowerBound => {
                let $e = EmptyElement::at($at)
                    + Circle::new((0, 0), r, WHITE.filled())
                    + Circle::new((0, 0), r, open);
                $body
            }
            Marker::UpperBound => {
                let $e = EmptyElement::at($at)
                    + Rectangle::new([(-r, -r), (r, r)], WHITE.filled())
                    + Rectangle::new([(-r, -r), (r, r)], open);
                $body
            }
            Marker::Approximate => {
                let d = r + 2 * $k;
                let $e = EmptyElement::at($at)
                    + Polygon::new(vec![(0, -d), (d, 0), (0, d), (-d, 0)], OBSERVED.filled());
                $body
            }
        }
    }};
}
use with_marker;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_from_extension() {
        assert_eq!(
            ImageFormat::from_path(Path::new("a/b.SVG")),
            Some(ImageFormat::Svg)
        );
        assert_eq!(
            ImageFormat::from_path(Path::new("b.png")),
            Some(ImageFormat::Png)
        );
        assert_eq!(ImageFormat::from_path(Path::new("b.jpg")), None);
        assert_eq!(ImageFormat::from_path(Path::new("b")), None);
    }

    #[test]
    fn markers_by_qualifier() {
        assert_eq!(Marker::of(Qualifier::Exact), Marker::Exact);
        assert_eq!(Marker::of(Qualifier::MoreThan), Marker::LowerBound);
        assert_eq!(Marker::of(Qualifier::AtLeast), Marker::LowerBound);
        assert_eq!(Marker::of(Qualifier::AtMost), Marker::UpperBound);
        assert_eq!(Marker::of(Qualifier::About), Marker::Approximate);
        assert_eq!(Marker::of(Qualifier::Nearly), Marker::Approximate);
    }

    #[test]
    fn the_bundled_font_parses() {
        register_font();
        let size = SVGBackend::with_string(&mut String::new(), (10, 10))
            .into_drawing_area()
            .estimate_text_size("tracker", &font(20.0));
        assert!(size.is_ok_and(|(w, _)| w > 20));
    }
}
