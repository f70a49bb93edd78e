//! Interchange formats: files other programs (and other tracker ledgers)
//! read and write. Unlike `render/` (reports for people and machines,
//! one direction), each format here is read back by `import`, so writer and
//! reader sit side by side.

pub mod csv;
pub mod json;
