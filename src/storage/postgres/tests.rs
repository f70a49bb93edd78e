//! Tests against a real server: see the bottom of this file.
