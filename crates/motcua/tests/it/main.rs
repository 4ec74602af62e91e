//! The one integration-test binary (each extra binary re-links the whole server; STACK.md).
//!
//! Store tests run on SQLite and, when `MOTCUA_TEST_POSTGRES_URL` is set, on PostgreSQL too (each
//! test in its own schema). HTTP tests drive the real router. Browser tests drive headless
//! Chromium through chromedriver when it is installed.

mod browser;
mod browser_journey;
mod calendar;
mod catalog;
mod catalog_io;
mod cli;
mod decisions;
mod dossiers_api;
mod dossiers_pages;
mod dossiers_store;
mod http;
mod mail;
mod store;
mod support;
