//! The `motcua` program: configuration, start-up, demo data, benchmarks. `main.rs` only parses
//! the command line; everything here is also used by the integration tests.

pub mod app;
pub mod bench;
pub mod bench_catalog;
pub mod bench_dossiers;
pub mod bench_http;
pub mod calendar_cli;
pub mod catalog_cli;
pub mod config;
pub mod demo;
pub mod demo_catalog;
pub mod demo_dossiers;
pub mod mailer;
