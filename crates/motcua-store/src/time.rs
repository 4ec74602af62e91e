//! Instants as stored: i64 microseconds since the Unix epoch, UTC.

use chrono::{DateTime, Utc};

pub fn to_us(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub fn from_us(us: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(us).unwrap_or_default()
}
