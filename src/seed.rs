//! The seed every new ledger starts from: the quantitative pledges and
//! figures of the SASAC press briefing of 26 July 2024, as a target file.
//!
//! It is embedded so `tracker list` works on a fresh machine with nothing
//! else installed, and it goes through the same parser and import path as
//! `tracker target import`, so the seed can never hold what a user's target
//! file could not.

/// File name shown in error messages and notices.
pub const SEED_NAME: &str = "fixtures/sasac-2024-07-26.toml";

/// The seed target file.
pub const SEED: &str = include_str!("../fixtures/sasac-2024-07-26.toml");

/// Who the ledger says recorded the seed.
pub const SEED_RECORDER: &str = "tracker-seed";
