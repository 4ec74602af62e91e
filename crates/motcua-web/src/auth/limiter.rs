//! A small in-memory limiter for sign-in failures and public lookups: at most `max` events per
//! key within a sliding `window`. One process; behind several instances use sticky routing or
//! accept a per-instance limit.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Limiter {
    max: u32,
    window: Duration,
    hits: Mutex<HashMap<String, Vec<Instant>>>,
}

impl Limiter {
    pub fn new(max: u32, window: Duration) -> Self {
        Limiter {
            max,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// True when `key` has used up its allowance.
    pub fn blocked(&self, key: &str, now: Instant) -> bool {
        let mut hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        match hits.get_mut(key) {
            Some(v) => {
                v.retain(|t| now.duration_since(*t) < self.window);
                v.len() as u32 >= self.max
            }
            None => false,
        }
    }

    pub fn record(&self, key: &str, now: Instant) {
        let mut hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        if hits.len() > 100_000 {
            // Bound memory under a flood: forget everything older than the window.
            let w = self.window;
            hits.retain(|_, v| v.iter().any(|t| now.duration_since(*t) < w));
        }
        hits.entry(key.to_owned()).or_default().push(now);
    }

    pub fn clear(&self, key: &str) {
        self.hits.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_max_within_window() {
        let l = Limiter::new(3, Duration::from_secs(60));
        let t = Instant::now();
        for _ in 0..3 {
            assert!(!l.blocked("k", t));
            l.record("k", t);
        }
        assert!(l.blocked("k", t));
        assert!(!l.blocked("other", t));
        assert!(!l.blocked("k", t + Duration::from_secs(61)));
    }
}
