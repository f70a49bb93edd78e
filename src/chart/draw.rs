//! Drawing a [`ChartData`] on any plotters backend, one job per function:
//! the header, the axes, the reference lines (as-of, deadline, expected
//! path, target, base), the observations, their value labels, and the
//! footer (legend and explanation). Labels are placed where they cross no
//! drawn line ([`super::labels`]).

use super::labels::{self, Place, Rect, Segment};
use super::{
    BASE, ChartData, ChartError, GRID, LEGEND_RADIUS, MARKER_RADIUS, MUTED, Marker, OBSERVED, PATH,
    TARGET, date_ticks, fail, status_rgb, x_range, y_range, y_range_known,
};
use crate::model::Kind;
use chrono::{Duration, NaiveDate};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

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

/// How a legend entry is drawn.
#[derive(Clone, Copy)]
enum Sample {
    Line(RGBColor),
    Dashed(RGBColor),
    Marker(Marker),
}

type Legend = Vec<(Sample, String)>;
type Chart<'a, DB> = ChartContext<
    'a,
    DB,
    Cartesian2d<
        plotters::coord::combinators::WithKeyPoints<plotters::coord::types::RangedDate<NaiveDate>>,
        RangedCoordf64,
    >,
>;

/// Sizes at the drawing's scale `k` (2 for a supersampled bitmap), and the
/// chart's font family.
#[derive(Clone, Copy)]
struct Scale {
    k: i32,
    family: &'static str,
}

impl Scale {
    fn px(self, v: i32) -> i32 {
        v * self.k
    }

    fn stroke(self, v: i32) -> u32 {
        (v * self.k) as u32
    }

    fn font(self, size: f64) -> TextStyle<'static> {
        (self.family, size * f64::from(self.k))
            .into_font()
            .color(&BLACK)
    }
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    k: i32,
) -> Result<(), ChartError> {
    let s = Scale {
        k,
        family: data.family(),
    };
    root.fill(&WHITE).map_err(fail)?;
    let height = root.dim_in_pixel().1 as i32;
    let (header, rest) = root.split_vertically(s.px(66));
    let (plot, footer) = rest.split_vertically(height - s.px(66) - s.px(62));
    draw_header(&header, data, s)?;
    let mut chart = axes(&plot, data, s)?;
    let mut legend = Legend::new();
    let mut lines = reference_lines(&mut chart, data, s, &mut legend)?;
    lines.extend(observations(&mut chart, data, s, &mut legend)?);
    // Each label placed joins the obstacles, so labels avoid each other too.
    flags(&mut chart, data, s, &mut lines)?;
    value_labels(&mut chart, data, s, &mut lines)?;
    draw_footer(root, &footer, data, s, legend)
}

/// Id and status (coloured by meaning) on top; the target's title below.
fn draw_header<DB: DrawingBackend>(
    header: &DrawingArea<DB, Shift>,
    data: &ChartData,
    s: Scale,
) -> Result<(), ChartError> {
    let status = if data.stale {
        format!("{} (stale)", data.status)
    } else {
        data.status.to_string()
    };
    // The status sits at the right, so no text width has to be guessed
    // (SVG viewers pick their own font).
    let title_font = s.font(22.0);
    let right = header.dim_in_pixel().0 as i32 - s.px(24);
    header
        .draw(&Text::new(
            data.id.clone(),
            (s.px(16), s.px(10)),
            title_font.clone(),
        ))
        .map_err(fail)?;
    header
        .draw(&Text::new(
            format!("{status} as of {}", data.as_of),
            (right, s.px(10)),
            title_font
                .color(&status_rgb(data.status))
                .pos(Pos::new(HPos::Right, VPos::Top)),
        ))
        .map_err(fail)?;
    header
        .draw(&Text::new(
            crate::render::table::shorten(&data.title, 110),
            (s.px(16), s.px(41)),
            s.font(15.0).color(&MUTED),
        ))
        .map_err(fail)?;
    Ok(())
}

/// The coordinate system with its mesh and axis labels.
fn axes<'a, DB: DrawingBackend>(
    plot: &'a DrawingArea<DB, Shift>,
    data: &ChartData,
    s: Scale,
) -> Result<Chart<'a, DB>, ChartError> {
    let (x0, x1) = x_range(data);
    let (y0, y1) = y_range(data);
    let (ticks, tick_format) = date_ticks(x0, x1);
    let x_labels = |d: &NaiveDate| d.format(tick_format).to_string();
    let y_labels = |v: &f64| data.axis_number(*v);
    let mut chart = ChartBuilder::on(plot)
        .margin_left(s.px(16))
        .margin_right(s.px(24))
        .margin_top(s.px(8))
        .margin_bottom(s.px(4))
        .x_label_area_size(s.px(30))
        .y_label_area_size(s.px(72))
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
        .bold_line_style(GRID.stroke_width(s.stroke(1)))
        .axis_style(MUTED.stroke_width(s.stroke(1)))
        .set_all_tick_mark_size(s.px(4))
        .y_labels(if y_range_known(data) { 7 } else { 0 })
        .x_label_formatter(&x_labels)
        .y_label_formatter(&y_labels)
        .y_desc(unit_desc)
        .label_style(s.font(13.0))
        .axis_desc_style(s.font(13.0).color(&MUTED))
        .draw()
        .map_err(fail)?;
    Ok(chart)
}

/// The chart's y range as drawn.
fn y_span<DB: DrawingBackend>(chart: &Chart<'_, DB>) -> (f64, f64) {
    let range = chart.y_range();
    (range.start, range.end)
}

/// As-of and deadline (vertical), the expected path, the target and the
/// base; returns them as pixel segments for label placement.
fn reference_lines<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    data: &ChartData,
    s: Scale,
    legend: &mut Legend,
) -> Result<Vec<Segment>, ChartError> {
    let (x0, x1) = x_range(data);
    let (y0, y1) = y_span(chart);
    let mut drawn: Vec<[(NaiveDate, f64); 2]> = Vec::new();
    let mut solid = None;
    let mut dashed = |chart: &mut Chart<'_, DB>,
                      ends: [(NaiveDate, f64); 2],
                      dash: (i32, i32),
                      style: ShapeStyle|
     -> Result<(), ChartError> {
        chart
            .draw_series(DashedLineSeries::new(
                ends,
                s.px(dash.0),
                s.px(dash.1),
                style,
            ))
            .map_err(fail)?;
        drawn.push(ends);
        Ok(())
    };
    // As-of: a faint vertical line, so "now" shows against the deadline.
    if data.as_of > x0 && data.as_of < x1 {
        let style = ShapeStyle::from(&PATH.mix(0.6)).stroke_width(s.stroke(1));
        dashed(chart, [(data.as_of, y0), (data.as_of, y1)], (3, 4), style)?;
    }
    if let Some(deadline) = data.deadline {
        let style = ShapeStyle::from(&TARGET.mix(0.8)).stroke_width(s.stroke(1));
        dashed(chart, [(deadline, y0), (deadline, y1)], (4, 4), style)?;
    }
    // The expected linear path (cumulative): zero at the window start, the
    // target at the deadline.
    if data.kind == Kind::Cumulative
        && let (Some(start), Some(deadline), Some((target, _))) =
            (data.window_start, data.deadline, data.target.as_ref())
    {
        let style = ShapeStyle::from(&PATH).stroke_width(s.stroke(2));
        dashed(chart, [(start, 0.0), (deadline, *target)], (7, 5), style)?;
        legend.push((Sample::Dashed(PATH), "expected linear path".to_string()));
    }
    if let Some((target, text)) = &data.target {
        let from = data.window_start.unwrap_or(x0).max(x0);
        let ends = [(from, *target), (x1, *target)];
        chart
            .draw_series(LineSeries::new(ends, TARGET.stroke_width(s.stroke(2))))
            .map_err(fail)?;
        solid = Some(ends);
        legend.push((Sample::Line(TARGET), format!("target {text}")));
    }
    if let Some(base) = data.base {
        let style = BASE.stroke_width(s.stroke(2));
        dashed(
            chart,
            [(base.date, base.value), (x1, base.value)],
            (2, 4),
            style,
        )?;
        legend.push((
            Sample::Dashed(BASE),
            format!(
                "base {} ({})",
                data.number(base.label_value, base.qualifier),
                base.date
            ),
        ));
    }
    drawn.extend(solid);
    Ok(drawn
        .iter()
        .map(|[a, b]| Segment::new(chart.backend_coord(a), chart.backend_coord(b)))
        .collect())
}

/// The observations: a line through them and a marker per point (or a
/// note that there are none); returns the line's pixel segments.
fn observations<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    data: &ChartData,
    s: Scale,
    legend: &mut Legend,
) -> Result<Vec<Segment>, ChartError> {
    if data.points.is_empty() {
        let (x0, x1) = x_range(data);
        let (y0, y1) = y_span(chart);
        let middle = x0 + Duration::days((x1 - x0).num_days() / 2);
        chart
            .draw_series(std::iter::once(Text::new(
                format!("no figures on or before {}", data.as_of),
                (middle, (y0 + y1) / 2.0),
                s.font(16.0)
                    .color(&MUTED)
                    .pos(Pos::new(HPos::Center, VPos::Center)),
            )))
            .map_err(fail)?;
        return Ok(Vec::new());
    }
    chart
        .draw_series(LineSeries::new(
            data.points.iter().map(|p| (p.date, p.value)),
            OBSERVED.stroke_width(s.stroke(2)),
        ))
        .map_err(fail)?;
    let what = if data.kind == Kind::Cumulative {
        "observed (running total)"
    } else {
        "observed"
    };
    legend.insert(0, (Sample::Line(OBSERVED), what.to_string()));
    for p in &data.points {
        with_marker!(
            Marker::of(p.qualifier),
            (p.date, p.value),
            MARKER_RADIUS,
            s.k,
            |e| chart.draw_series(std::iter::once(e)).map(|_| ())
        )
        .map_err(fail)?;
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
    let pixels: Vec<(i32, i32)> = data
        .points
        .iter()
        .map(|p| chart.backend_coord(&(p.date, p.value)))
        .collect();
    Ok(pixels
        .windows(2)
        .map(|w| Segment::new(w[0], w[1]))
        .collect())
}

/// The plot area in backend pixels: labels stay inside it.
fn plot_rect<DB: DrawingBackend>(chart: &Chart<'_, DB>) -> Rect {
    let (xs, ys) = chart.plotting_area().get_pixel_range();
    Rect {
        left: f64::from(xs.start),
        top: f64::from(ys.start),
        right: f64::from(xs.end),
        bottom: f64::from(ys.end),
    }
}

/// "as of …" and "deadline …" at the top of their lines, beside them and
/// off every other line.
fn flags<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    data: &ChartData,
    s: Scale,
    lines: &mut Vec<Segment>,
) -> Result<(), ChartError> {
    let (x0, x1) = x_range(data);
    let y1 = y_span(chart).1;
    let mut flags = Vec::new();
    if data.as_of > x0 && data.as_of < x1 {
        flags.push((data.as_of, format!("as of {}", data.as_of), MUTED));
    }
    if let Some(deadline) = data.deadline {
        flags.push((deadline, format!("deadline {deadline}"), TARGET));
    }
    let area = plot_rect(chart);
    for (date, text, color) in flags {
        let style = s.font(12.0).color(&color);
        let size = chart
            .plotting_area()
            .estimate_text_size(&text, &style)
            .map_err(fail)?;
        let anchor = chart.backend_coord(&(date, y1));
        let place = labels::choose(
            anchor,
            size,
            s.px(4),
            &[Place::BelowLeft, Place::BelowRight],
            lines,
            &area,
        );
        lines.extend(place.rect(anchor, size, s.px(4)).edges());
        let (offset, pos) = place.offset(s.px(4));
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((date, y1)) + Text::new(text, offset, style.pos(pos)),
            ))
            .map_err(fail)?;
    }
    Ok(())
}

/// Each figure's value beside its marker (up to 12 figures), where no line
/// runs: by preference the first to the left, the last to the right, the
/// others above a local high and below a local low.
fn value_labels<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    data: &ChartData,
    s: Scale,
    lines: &mut Vec<Segment>,
) -> Result<(), ChartError> {
    let n = data.points.len();
    if n == 0 || n > 12 {
        return Ok(());
    }
    let area = plot_rect(chart);
    let gap = s.px(MARKER_RADIUS as i32 + 5);
    for i in 0..n {
        let p = data.points[i];
        let neighbours: Vec<f64> = [i.checked_sub(1), Some(i + 1)]
            .into_iter()
            .flatten()
            .filter_map(|j| data.points.get(j).map(|p| p.value))
            .collect();
        let high = neighbours.iter().sum::<f64>() <= p.value * neighbours.len() as f64;
        let preferred = match (n > 1 && i == 0, n > 1 && i == n - 1, high) {
            (true, _, _) => [Place::Left, Place::AboveLeft],
            (_, true, _) => [Place::Right, Place::AboveRight],
            (_, _, true) => [Place::Above, Place::AboveRight],
            _ => [Place::Below, Place::BelowRight],
        };
        let text = data.number(p.label_value, p.qualifier);
        let style = s.font(12.0).color(&OBSERVED);
        let size = chart
            .plotting_area()
            .estimate_text_size(&text, &style)
            .map_err(fail)?;
        let anchor = chart.backend_coord(&(p.date, p.value));
        let place = labels::choose(anchor, size, gap, &preferred, lines, &area);
        lines.extend(place.rect(anchor, size, gap).edges());
        let (offset, pos) = place.offset(gap);
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((p.date, p.value)) + Text::new(text, offset, style.pos(pos)),
            ))
            .map_err(fail)?;
    }
    Ok(())
}

/// The legend, wrapped to the width, then the status explanation.
fn draw_footer<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    footer: &DrawingArea<DB, Shift>,
    data: &ChartData,
    s: Scale,
    legend: Legend,
) -> Result<(), ChartError> {
    let label_font = s.font(12.5);
    let (mut x, mut y) = (s.px(16), s.px(10));
    let right = root.dim_in_pixel().0 as i32 - s.px(16);
    for (sample, text) in legend {
        let (text_width, _) = root.estimate_text_size(&text, &label_font).map_err(fail)?;
        let width = s.px(30) + text_width as i32;
        if x + width > right && x > s.px(16) {
            x = s.px(16);
            y += s.px(18);
        }
        let line = vec![(x, y), (x + s.px(22), y)];
        match sample {
            Sample::Line(color) => {
                footer.draw(&PathElement::new(line, color.stroke_width(s.stroke(2))))
            }
            Sample::Dashed(color) => footer.draw(&DashedPathElement::new(
                line,
                s.px(5),
                s.px(3),
                color.stroke_width(s.stroke(2)),
            )),
            Sample::Marker(m) => {
                with_marker!(m, (x + s.px(11), y), LEGEND_RADIUS, s.k, |e| footer
                    .draw(&e))
            }
        }
        .map_err(fail)?;
        footer
            .draw(&Text::new(
                text,
                (x + s.px(28), y),
                label_font.clone().pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(fail)?;
        x += width + s.px(22);
    }
    let explanation = textwrap::wrap(&data.explanation, 150);
    for (i, line) in explanation.iter().take(2).enumerate() {
        footer
            .draw(&Text::new(
                line.to_string(),
                (s.px(16), y + s.px(14) + s.px(16) * i as i32),
                s.font(12.0).color(&MUTED),
            ))
            .map_err(fail)?;
    }
    Ok(())
}
