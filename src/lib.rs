//! `tracker`: a ledger of government pledges and whether they happen.
//!
//! The binary (`src/main.rs`) is a thin shell around [`cmd::run`]. The
//! library exists so that benchmarks, fuzz targets and the synthetic ledger
//! generator exercise exactly the code the binary runs.

pub mod aggregate;
pub mod changes;
pub mod chart;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod domain;
pub mod error;
pub mod interchange;
pub mod model;
pub mod numfmt;
pub mod output;
pub mod palette;
pub mod period;
pub mod render;
pub mod report;
pub mod seed;
pub mod sniff;
pub mod status;
pub mod storage;
pub mod targets_file;
pub mod value;
