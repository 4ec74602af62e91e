//! motcua-store: persistence over SQLite (default) and PostgreSQL with one set of queries.
//!
//! Queries are written once and compiled for each pool by the [`on_db!`] and [`on_tx!`] macros;
//! only types both drivers implement cross the boundary (i64, String, bool, bytes). Instants are
//! stored as i64 UTC microseconds. Every state change goes through [`Store::write`] together
//! with its events (see [`events`]), so state and log never disagree.

pub mod batch;
pub mod calendar;
pub mod catalog;
pub mod catalog_index;
pub mod db;
pub mod decisions;
pub mod dossiers;
pub mod error;
pub mod events;
pub mod files;
mod heads;
pub mod identity;
pub mod memo;
pub mod outbox;
pub mod payments;
pub mod time;

pub use db::{Db, DbKind, Store, Tx};
pub use error::StoreError;
