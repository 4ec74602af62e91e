//! What a process remembers between requests, so that the hot path of a request (a dossier
//! command: who is calling, which units, which calendar) needs no read from the database.
//!
//! Two rules keep it honest:
//! - **Changes made through this process are seen at once.** Every write to identity (users,
//!   roles, units, sessions, API keys) or to the calendar bumps that topic's generation
//!   ([`Store::changed`]); a remembered value read under an older generation is not used.
//! - **Changes made by another process** (several servers on one PostgreSQL database, or a
//!   script writing the SQLite file) are seen after at most [`RECHECK`]: no value is used longer
//!   than that after it was read.
//!
//! Values that never change once written (a published procedure version) are kept without a
//! generation, in a [`Bounded`] map.

use crate::db::Store;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The longest a value read from the database is used without reading it again (the longest a
/// change made by another process stays unseen here).
pub const RECHECK: Duration = Duration::from_secs(1);

/// Kinds of data whose changes remembered values follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Topic {
    /// Units, users, role grants, sessions, API keys.
    Identity,
    /// The national schedule, agency hours and closures.
    Calendar,
    /// Procedures and their versions (drafts, publications, abolitions).
    Catalog,
}

/// What one store (one database) remembers; shared by every clone of the [`Store`].
pub struct Memory {
    pub generations: Generations,
    /// Dossier records as this process last wrote or read them, by id (see
    /// [`crate::dossiers::for_command`]).
    pub dossiers: Bounded<String, std::sync::Arc<crate::dossiers::DossierRecord>>,
    /// Dossier id by code (a code never changes once given).
    pub dossier_codes: Bounded<String, String>,
    /// Published procedure versions by id, parsed (a published version never changes).
    pub versions: Bounded<String, std::sync::Arc<motcua_core::catalog::ProcedureVersion>>,
    /// Users by id (`None`: no such user), see [`crate::identity::user_recent`].
    pub users: Remembered<String, Option<std::sync::Arc<crate::identity::User>>>,
    /// The version of a procedure (by code) in force on a day, see
    /// [`crate::dossiers::receive`].
    pub in_force: Remembered<(String, chrono::NaiveDate), std::sync::Arc<crate::dossiers::Pinned>>,
    /// Every unit, see [`crate::identity::units_recent`].
    pub units: Remembered<(), std::sync::Arc<Vec<crate::identity::Unit>>>,
}

impl Default for Memory {
    fn default() -> Self {
        Memory {
            generations: Generations::default(),
            // A record is a few kilobytes: 8,192 of them stay within tens of megabytes and hold
            // every dossier being worked on at once in a whole province.
            dossiers: Bounded::new(8_192),
            dossier_codes: Bounded::new(65_536),
            versions: Bounded::new(4_096),
            users: Remembered::new(Topic::Identity, 100_000),
            units: Remembered::new(Topic::Identity, 1),
            in_force: Remembered::new(Topic::Catalog, 4_096),
        }
    }
}

/// One counter per topic, bumped after every write to it by this process.
#[derive(Default, Debug)]
pub struct Generations {
    identity: AtomicU64,
    calendar: AtomicU64,
    catalog: AtomicU64,
}

impl Generations {
    fn counter(&self, t: Topic) -> &AtomicU64 {
        match t {
            Topic::Identity => &self.identity,
            Topic::Calendar => &self.calendar,
            Topic::Catalog => &self.catalog,
        }
    }

    pub fn get(&self, t: Topic) -> u64 {
        self.counter(t).load(Ordering::Acquire)
    }

    pub fn bump(&self, t: Topic) {
        self.counter(t).fetch_add(1, Ordering::AcqRel);
    }
}

/// Values by key, each good while its topic's generation is the one it was read under and it
/// is younger than [`RECHECK`]. Bounded: when full it starts afresh.
pub struct Remembered<K, V> {
    topic: Topic,
    limit: usize,
    map: Mutex<HashMap<K, (V, u64, Instant)>>,
}

impl<K: Eq + Hash, V: Clone> Remembered<K, V> {
    pub fn new(topic: Topic, limit: usize) -> Self {
        Remembered {
            topic,
            limit: limit.max(1),
            map: Mutex::new(HashMap::new()),
        }
    }

    /// The generation to read under: take it **before** reading the database, so a write that
    /// lands during the read makes the value stale at once.
    pub fn generation(&self, store: &Store) -> u64 {
        store.generation(self.topic)
    }

    /// The value, if it is still good.
    pub fn get(&self, store: &Store, key: &K) -> Option<V> {
        let now = store.generation(self.topic);
        let map = self.map.lock().ok()?;
        match map.get(key) {
            Some((v, g, at)) if *g == now && at.elapsed() < RECHECK => Some(v.clone()),
            _ => None,
        }
    }

    /// Remember a value read under `generation` (from [`Remembered::generation`]).
    pub fn put(&self, key: K, value: V, generation: u64) {
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= self.limit {
                map.clear();
            }
            map.insert(key, (value, generation, Instant::now()));
        }
    }

    /// Change a remembered value in place (keeping when and under which generation it was
    /// read); nothing happens when it is not remembered.
    pub fn update(&self, key: &K, f: impl FnOnce(&mut V)) {
        if let Ok(mut map) = self.map.lock()
            && let Some((v, _, _)) = map.get_mut(key)
        {
            f(v);
        }
    }

    pub fn forget(&self, key: &K) {
        if let Ok(mut map) = self.map.lock() {
            map.remove(key);
        }
    }
}

/// Values that never change once written, by key; bounded (when full it starts afresh).
pub struct Bounded<K, V> {
    limit: usize,
    map: Mutex<HashMap<K, V>>,
}

impl<K: Eq + Hash, V: Clone> Bounded<K, V> {
    pub fn new(limit: usize) -> Self {
        Bounded {
            limit: limit.max(1),
            map: Mutex::new(HashMap::new()),
        }
    }

    pub fn get(&self, key: &K) -> Option<V> {
        self.map.lock().ok()?.get(key).cloned()
    }

    pub fn put(&self, key: K, value: V) {
        if let Ok(mut map) = self.map.lock() {
            if map.len() >= self.limit {
                map.clear();
            }
            map.insert(key, value);
        }
    }

    /// Keep `value` unless what is there is newer by `newer(existing, value)`.
    pub fn put_unless(&self, key: K, value: V, newer: impl FnOnce(&V, &V) -> bool) {
        if let Ok(mut map) = self.map.lock() {
            if let Some(existing) = map.get(&key)
                && newer(existing, &value)
            {
                return;
            }
            if map.len() >= self.limit {
                map.clear();
            }
            map.insert(key, value);
        }
    }

    pub fn forget(&self, key: &K) {
        if let Ok(mut map) = self.map.lock() {
            map.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_starts_afresh_when_full_and_keeps_newer() {
        let b = Bounded::new(2);
        b.put(1, 10);
        b.put(2, 20);
        b.put(3, 30);
        assert_eq!(b.get(&1), None);
        assert_eq!(b.get(&3), Some(30));
        b.put_unless(3, 5, |old, new| old > new);
        assert_eq!(b.get(&3), Some(30));
        b.put_unless(3, 40, |old, new| old > new);
        assert_eq!(b.get(&3), Some(40));
    }

    #[test]
    fn generations_count_per_topic() {
        let g = Generations::default();
        g.bump(Topic::Identity);
        assert_eq!(g.get(Topic::Identity), 1);
        assert_eq!(g.get(Topic::Calendar), 0);
    }
}
