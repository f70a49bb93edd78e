//! End-to-end tests of the real `tracker` binary: one test binary, one
//! module per concern. Every test runs in its own temporary folder with a
//! cleared environment and a fixed clock (`TRACKER_NOW`), so results never
//! depend on the machine, the date or the user running them.

mod backend;
mod common;
mod test_bad_input;
mod test_changes;
mod test_chart;
mod test_concurrency;
mod test_config;
mod test_copy;
mod test_crash;
mod test_cron;
mod test_errors;
mod test_html;
mod test_import;
mod test_init;
mod test_list_show;
mod test_method;
mod test_output;
mod test_postgres;
mod test_readme;
mod test_record;
mod test_reference;
mod test_report;
mod test_rules;
mod test_seed;
mod test_shell;
mod test_storage_errors;
mod test_tables;
mod test_target;
mod test_trail;
