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
//! without fontconfig. DejaVu has no Chinese characters, so a chart with
//! Chinese numbers (3万亿, 8000亿) or a Chinese title uses a subset of Noto
//! Sans CJK SC instead (assets/fonts/make-cjk-subset.sh says how it is
//! made; a test checks it covers everything the number formatter prints).
//! Bitmaps are drawn at twice the size and scaled down, for smooth lines
//! and even letter spacing. SVG names the same families (with fallbacks)
//! and leaves the font to the viewer.

mod draw;
mod labels;

use crate::model::{Kind, Observation, Qualifier, Status, TargetDef};
use crate::numfmt::{NumberStyle, human, human_quantity};
use crate::report::ReportRow;
use chrono::{Datelike, Duration, NaiveDate};
use plotters::prelude::*;
use plotters::style::FontStyle;
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

static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// DejaVu Sans where the viewer has it, else a font of similar width.
const FAMILY: &str = "DejaVu Sans, Verdana, sans-serif";
/// Noto Sans CJK SC, cut to the characters tracker prints (Latin included).
static CJK_FONT: &[u8] = include_bytes!("../../assets/fonts/NotoSansSC-subset.otf");
const CJK_FAMILY: &str = "Noto Sans SC, Noto Sans CJK SC, sans-serif";

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

    /// The font family of the whole chart: the CJK one when Chinese
    /// numbers or Chinese text will be drawn, so no label shows boxes.
    fn family(&self) -> &'static str {
        let chinese = self.numbers == NumberStyle::Chinese
            || needs_cjk(&self.title)
            || needs_cjk(&self.id)
            || needs_cjk(&self.unit);
        if chinese { CJK_FAMILY } else { FAMILY }
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

/// The colour of a status in a picture ([`crate::palette`]).
pub fn status_rgb(status: Status) -> RGBColor {
    let (r, g, b) = crate::palette::status_rgb(status);
    RGBColor(r, g, b)
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
        let _ = plotters::style::register_font(CJK_FAMILY, FontStyle::Normal, CJK_FONT);
    });
}

/// The chart as an SVG document.
pub fn render_svg(data: &ChartData) -> Result<String, ChartError> {
    register_font();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (WIDTH, HEIGHT)).into_drawing_area();
        draw::draw(&root, data, 1)?;
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
        draw::draw(&root, data, SUPERSAMPLE as i32)?;
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

/// Whether `text` has a character DejaVu Sans lacks (CJK and beyond).
fn needs_cjk(text: &str) -> bool {
    text.chars().any(|c| u32::from(c) >= 0x2E80)
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
    fn the_bundled_fonts_parse() {
        register_font();
        for family in [FAMILY, CJK_FAMILY] {
            let size = SVGBackend::with_string(&mut String::new(), (10, 10))
                .into_drawing_area()
                .estimate_text_size(
                    "tracker 3万亿",
                    &TextStyle::from((family, 20.0).into_font()),
                );
            assert!(size.is_ok_and(|(w, _)| w > 20), "{family}");
        }
    }

    /// Every character of `text` has a glyph in `font` (its cmap).
    fn uncovered(font: &[u8], text: &str) -> Vec<char> {
        use ab_glyph::Font;
        let font = ab_glyph::FontRef::try_from_slice(font).expect("font parses");
        text.chars()
            .filter(|c| !c.is_whitespace() && font.glyph_id(*c).0 == 0)
            .collect()
    }

    #[test]
    fn the_chart_font_covers_every_number_the_formatter_prints() {
        let qualifiers = [
            Qualifier::Exact,
            Qualifier::MoreThan,
            Qualifier::AtLeast,
            Qualifier::LessThan,
            Qualifier::AtMost,
            Qualifier::About,
            Qualifier::Nearly,
        ];
        let mut checked = 0;
        for style in [NumberStyle::Western, NumberStyle::Chinese] {
            let font = if style == NumberStyle::Chinese {
                CJK_FONT
            } else {
                FONT
            };
            for exponent in -3..16 {
                for mantissa in ["1", "2.5", "-7.25", "9.99"] {
                    let value: Decimal =
                        format!("{mantissa}e{exponent}").parse().unwrap_or_default();
                    for unit in ["", "%", "CNY", "people"] {
                        for qualifier in qualifiers {
                            let text = human_quantity(
                                &crate::model::Quantity { value, qualifier },
                                unit,
                                style,
                            );
                            assert!(
                                uncovered(font, &text).is_empty(),
                                "{style:?} {text:?} lacks {:?}",
                                uncovered(font, &text)
                            );
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert!(checked > 1000);
        // And the fixed words of a chart, in either font.
        let words = "as of deadline expected linear path target base observed (running total) \
                     more than / at least less than / at most about / nearly exact stale \
                     no figures on or before 0123456789-–…≥≤~%";
        assert!(uncovered(FONT, words).is_empty());
        assert!(
            uncovered(CJK_FONT, words).is_empty(),
            "{:?}",
            uncovered(CJK_FONT, words)
        );
        // Common characters of a Chinese title (synthetic text).
        let title = "中央企业大规模设备更新投资，未来五年累计超过三万亿元；国有资本经营预算";
        assert!(
            uncovered(CJK_FONT, title).is_empty(),
            "{:?}",
            uncovered(CJK_FONT, title)
        );
        // The Chinese glyphs have outlines: drawn, they are strokes, not
        // empty boxes.
        use ab_glyph::Font;
        let cjk = ab_glyph::FontRef::try_from_slice(CJK_FONT).unwrap();
        for c in "万亿超近约".chars() {
            let glyph = cjk.glyph_id(c).with_scale(40.0);
            let outlined = cjk.outline_glyph(glyph).expect("an outline");
            let mut inked = 0;
            outlined.draw(|_, _, coverage| inked += usize::from(coverage > 0.5));
            assert!(inked > 100, "{c} draws {inked} pixels");
        }
    }
}
