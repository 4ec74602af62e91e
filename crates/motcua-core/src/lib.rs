//! motcua-core: the pure rules of motcua.
//!
//! Nothing here performs I/O or reads the clock: time is always a parameter. Modules follow the
//! domain (`identity`, `audit`, `calendar`, …) so one feature lives in one folder.

pub mod audit;
pub mod calendar;
pub mod catalog;
pub mod dossiers;
pub mod identity;
