//! The one colour map of statuses, by meaning: done or on track green, at
//! risk amber, off track or failed red, no verdict grey; final verdicts
//! (achieved, missed, moving away) emphasised. Terminal tables, `show` and
//! charts all read it here, so a status never has two colours.

use crate::model::Status;

/// What a status means to a reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Caution,
    Bad,
    Neutral,
}

/// The tone of a status, and whether it is a final verdict (emphasised).
pub fn tone(status: Status) -> (Tone, bool) {
    match status {
        Status::Achieved => (Tone::Good, true),
        Status::OnTrack => (Tone::Good, false),
        Status::AtRisk => (Tone::Caution, false),
        Status::OffTrack => (Tone::Bad, false),
        Status::Missed | Status::MovingAway => (Tone::Bad, true),
        Status::AwaitingData | Status::InsufficientData | Status::NoData => (Tone::Neutral, false),
    }
}

impl Tone {
    /// The terminal colour (one of the 16 basic SGR colours, so every
    /// terminal theme maps it), bold when `emphatic`.
    pub fn sgr(self, emphatic: bool) -> &'static str {
        match (self, emphatic) {
            (Tone::Good, false) => "32",
            (Tone::Good, true) => "1;32",
            (Tone::Caution, false) => "33",
            (Tone::Caution, true) => "1;33",
            (Tone::Bad, false) => "31",
            (Tone::Bad, true) => "1;31",
            (Tone::Neutral, _) => "90",
        }
    }

    /// The colour in pictures: dark enough to read on white.
    pub fn rgb(self) -> (u8, u8, u8) {
        match self {
            Tone::Good => (0x2e, 0x7d, 0x32),
            Tone::Caution => (0xb2, 0x6a, 0x00),
            Tone::Bad => (0xc6, 0x28, 0x28),
            Tone::Neutral => (0x75, 0x75, 0x75),
        }
    }
}

/// The terminal colour of a status.
pub fn status_sgr(status: Status) -> &'static str {
    let (tone, emphatic) = tone(status);
    tone.sgr(emphatic)
}

/// The picture colour of a status.
pub fn status_rgb(status: Status) -> (u8, u8, u8) {
    tone(status).0.rgb()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_coloured_by_meaning() {
        assert_eq!(status_sgr(Status::OnTrack), "32");
        assert_eq!(status_sgr(Status::Achieved), "1;32");
        assert_eq!(status_sgr(Status::AtRisk), "33");
        assert_eq!(status_sgr(Status::Missed), "1;31");
        assert_eq!(status_sgr(Status::NoData), "90");
        assert_eq!(status_rgb(Status::OffTrack), status_rgb(Status::Missed));
        assert_eq!(status_rgb(Status::Achieved), status_rgb(Status::OnTrack));
        assert_ne!(status_rgb(Status::AtRisk), status_rgb(Status::OnTrack));
    }
}
