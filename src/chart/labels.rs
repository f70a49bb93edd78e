//! Where a text label goes so that it does not sit on a line: the value of
//! a figure next to its marker, "deadline …" next to its line. Pure
//! geometry in backend pixels (y grows downwards), so it is tested without
//! drawing anything.

use plotters::style::text_anchor::{HPos, Pos, VPos};

/// Where a label goes relative to its anchor point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Above,
    Below,
    Left,
    Right,
    AboveRight,
    BelowRight,
    AboveLeft,
    BelowLeft,
}

/// Every place, in the order tried after the preferred ones.
pub const ALL: [Place; 8] = [
    Place::Above,
    Place::Below,
    Place::Right,
    Place::Left,
    Place::AboveRight,
    Place::BelowRight,
    Place::AboveLeft,
    Place::BelowLeft,
];

/// An axis-aligned box in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

/// A straight piece of a drawn line, in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Segment {
    pub from: (f64, f64),
    pub to: (f64, f64),
}

impl Segment {
    pub fn new(from: (i32, i32), to: (i32, i32)) -> Segment {
        Segment {
            from: (f64::from(from.0), f64::from(from.1)),
            to: (f64::from(to.0), f64::from(to.1)),
        }
    }
}

impl Place {
    /// The text's offset from the anchor and which of its corners or edges
    /// sits there, `gap` pixels away from the anchor.
    pub fn offset(self, gap: i32) -> ((i32, i32), Pos) {
        let side = gap / 2;
        match self {
            Place::Above => ((0, -gap), Pos::new(HPos::Center, VPos::Bottom)),
            Place::Below => ((0, gap), Pos::new(HPos::Center, VPos::Top)),
            Place::Left => ((-gap, 0), Pos::new(HPos::Right, VPos::Center)),
            Place::Right => ((gap, 0), Pos::new(HPos::Left, VPos::Center)),
            Place::AboveRight => ((side, -gap), Pos::new(HPos::Left, VPos::Bottom)),
            Place::BelowRight => ((side, gap), Pos::new(HPos::Left, VPos::Top)),
            Place::AboveLeft => ((-side, -gap), Pos::new(HPos::Right, VPos::Bottom)),
            Place::BelowLeft => ((-side, gap), Pos::new(HPos::Right, VPos::Top)),
        }
    }

    /// The box a text of `size` covers when placed here at `anchor`.
    pub fn rect(self, anchor: (i32, i32), size: (u32, u32), gap: i32) -> Rect {
        let ((dx, dy), pos) = self.offset(gap);
        let (w, h) = (f64::from(size.0), f64::from(size.1));
        let (x, y) = (f64::from(anchor.0 + dx), f64::from(anchor.1 + dy));
        let left = match pos.h_pos {
            HPos::Left => x,
            HPos::Center => x - w / 2.0,
            HPos::Right => x - w,
        };
        let top = match pos.v_pos {
            VPos::Top => y,
            VPos::Center => y - h / 2.0,
            VPos::Bottom => y - h,
        };
        Rect {
            left,
            top,
            right: left + w,
            bottom: top + h,
        }
    }
}

impl Rect {
    fn contains(&self, (x, y): (f64, f64)) -> bool {
        x >= self.left && x <= self.right && y >= self.top && y <= self.bottom
    }

    /// Whether the segment passes through the box (Liang–Barsky clipping).
    pub fn crosses(&self, s: &Segment) -> bool {
        if self.contains(s.from) || self.contains(s.to) {
            return true;
        }
        let (dx, dy) = (s.to.0 - s.from.0, s.to.1 - s.from.1);
        let (mut t0, mut t1) = (0.0_f64, 1.0_f64);
        for (p, q) in [
            (-dx, s.from.0 - self.left),
            (dx, self.right - s.from.0),
            (-dy, s.from.1 - self.top),
            (dy, self.bottom - s.from.1),
        ] {
            if p == 0.0 {
                if q < 0.0 {
                    return false;
                }
            } else {
                let t = q / p;
                if p < 0.0 {
                    t0 = t0.max(t);
                } else {
                    t1 = t1.min(t);
                }
            }
        }
        t0 <= t1
    }

    /// The four sides, so a placed label is an obstacle for the next.
    pub fn edges(&self) -> [Segment; 4] {
        let corners = [
            (self.left, self.top),
            (self.right, self.top),
            (self.right, self.bottom),
            (self.left, self.bottom),
        ];
        std::array::from_fn(|i| Segment {
            from: corners[i],
            to: corners[(i + 1) % 4],
        })
    }

    /// Whether the box lies inside `area`.
    fn inside(&self, area: &Rect) -> bool {
        self.left >= area.left
            && self.right <= area.right
            && self.top >= area.top
            && self.bottom <= area.bottom
    }
}

/// The first of `preferred`, then of [`ALL`], where a text of `size` at
/// `anchor` stays inside `area` and crosses none of `lines`; the first
/// preferred place when every place crosses something.
pub fn choose(
    anchor: (i32, i32),
    size: (u32, u32),
    gap: i32,
    preferred: &[Place],
    lines: &[Segment],
    area: &Rect,
) -> Place {
    let free = |place: &Place| {
        let rect = place.rect(anchor, size, gap);
        rect.inside(area) && !lines.iter().any(|line| rect.crosses(line))
    };
    preferred
        .iter()
        .chain(ALL.iter())
        .copied()
        .find(free)
        .or_else(|| preferred.first().copied())
        .unwrap_or(Place::Above)
}

#[cfg(test)]
mod tests {
    use super::*;

    const AREA: Rect = Rect {
        left: 0.0,
        top: 0.0,
        right: 1000.0,
        bottom: 1000.0,
    };

    #[test]
    fn a_box_knows_which_segments_cross_it() {
        let rect = Place::Above.rect((100, 100), (40, 10), 5);
        assert_eq!(
            rect,
            Rect {
                left: 80.0,
                top: 85.0,
                right: 120.0,
                bottom: 95.0
            }
        );
        let vertical = Segment::new((100, 0), (100, 1000));
        let beside = Segment::new((130, 0), (130, 1000));
        let diagonal = Segment::new((70, 80), (130, 100));
        assert!(rect.crosses(&vertical));
        assert!(!rect.crosses(&beside));
        assert!(rect.crosses(&diagonal));
    }

    #[test]
    fn a_label_moves_off_a_vertical_line_through_its_point() {
        // A figure on the deadline line: above it the label would sit on
        // the line; above-right it does not.
        let deadline = Segment::new((100, 0), (100, 1000));
        let place = choose((100, 500), (40, 12), 8, &[Place::Above], &[deadline], &AREA);
        assert_ne!(place, Place::Above);
        let rect = place.rect((100, 500), (40, 12), 8);
        assert!(!rect.crosses(&deadline));
    }

    #[test]
    fn a_label_moves_off_a_horizontal_line_through_its_point() {
        // A base line starting at the point: to the right the label would
        // sit on it.
        let base = Segment::new((100, 500), (900, 500));
        let place = choose((100, 500), (40, 12), 8, &[Place::Right], &[base], &AREA);
        assert!(!place.rect((100, 500), (40, 12), 8).crosses(&base));
    }

    #[test]
    fn a_placed_label_is_avoided_by_the_next() {
        let first = Place::Above.rect((100, 500), (40, 12), 8);
        let place = choose(
            (110, 500),
            (40, 12),
            8,
            &[Place::Above],
            &first.edges(),
            &AREA,
        );
        assert!(
            !place
                .rect((110, 500), (40, 12), 8)
                .crosses(&first.edges()[0])
        );
        assert_ne!(place, Place::Above);
    }

    #[test]
    fn the_preferred_place_wins_when_it_is_free_and_inside() {
        let far = Segment::new((900, 0), (900, 1000));
        assert_eq!(
            choose((100, 500), (40, 12), 8, &[Place::Left], &[far], &AREA),
            Place::Left
        );
        // Off the area's edge is not free.
        assert_ne!(
            choose((10, 500), (40, 12), 8, &[Place::Left], &[], &AREA),
            Place::Left
        );
    }
}
