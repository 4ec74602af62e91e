//! The public catalog search kept in memory (issue 4, items 4 and 9).
//!
//! Scoring every version in force on every request means reading the whole catalog from the
//! database each time; at 10,000 procedures that is far too slow. Instead a snapshot of the
//! versions in force on a day — the columns a search result shows plus the folded text — is
//! built once, with an inverted index ([`SearchIndex`]), and reused while the catalog's
//! generation (a counter the database bumps on every change to `procedure_versions`, whichever
//! process made it) and the day stay the same.
//!
//! The generation is read again only when this process has written something since the last
//! look ([`Store::write_count`]) or when [`CatalogIndex::recheck`] has passed (default one
//! second: the longest a change made by *another* server process stays unseen). A search in a
//! quiet moment touches no database at all.
//!
//! Hits and their order are the same as [`crate::catalog::search`] on either database: the same
//! filters, the same [`Query::score`], ties by name in byte order.

use crate::catalog::{ListFilter, in_force_all};
use crate::db::{Db, Store};
use crate::error::StoreError;
use crate::on_db;
use chrono::NaiveDate;
use motcua_core::catalog::{Query, Score, SearchIndex};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What a search result shows of a version in force.
#[derive(Debug, Clone)]
pub struct IndexedVersion {
    pub procedure_id: String,
    pub national_code: Option<String>,
    pub applied_code: Option<String>,
    pub name: String,
    pub field: String,
    pub level: String,
    pub agency: String,
    /// Channel codes offered, e.g. `1 2 3`.
    pub channels: String,
    pub number: i64,
    pub effective_from: Option<String>,
}

impl IndexedVersion {
    fn passes(&self, f: &ListFilter) -> bool {
        (f.field.is_empty() || self.field == f.field)
            && (f.agency.is_empty() || self.agency == f.agency)
            && (f.level.is_empty() || self.level == f.level)
            && (f.channel.is_empty() || self.channels.split_whitespace().any(|c| c == f.channel))
    }
}

/// The catalog in force on one day, at one generation.
#[derive(Debug)]
pub struct Snapshot {
    generation: i64,
    day: NaiveDate,
    /// Sorted by name (byte order).
    versions: Vec<IndexedVersion>,
    index: SearchIndex,
    /// Hits of recent searches on this snapshot (citizens ask the same few things over and
    /// over); dropped with the snapshot, emptied when full.
    recent: Mutex<HashMap<String, Arc<Vec<Hit>>>>,
}

type Hit = (u32, Option<Score>);

/// Searches remembered per snapshot.
const RECENT_SEARCHES: usize = 1024;

impl Snapshot {
    /// Versions in force.
    pub fn len(&self) -> usize {
        self.versions.len()
    }

    /// Whether nothing is in force.
    pub fn is_empty(&self) -> bool {
        self.versions.is_empty()
    }

    /// The hits of a query, best first, computed (not remembered).
    pub fn matches(&self, query: &Query, f: &ListFilter) -> Vec<(u32, Option<Score>)> {
        if query.is_empty() {
            (0..self.versions.len() as u32)
                .filter(|i| self.versions[*i as usize].passes(f))
                .map(|i| (i, None))
                .collect()
        } else {
            let mut hits: Vec<Hit> = self
                .index
                .matches(query)
                .into_iter()
                .filter(|(i, _)| self.versions[*i as usize].passes(f))
                .map(|(i, score)| (i, Some(score)))
                .collect();
            // Candidates come in name order, so a stable sort keeps ties by name.
            hits.sort_by_key(|h| std::cmp::Reverse(h.1));
            hits
        }
    }
}

/// The hits of one search: positions in a snapshot, best first.
#[derive(Debug)]
pub struct Results {
    snapshot: Arc<Snapshot>,
    hits: Arc<Vec<Hit>>,
}

impl Results {
    /// Number of hits.
    pub fn total(&self) -> usize {
        self.hits.len()
    }

    /// Hits `skip..skip + take`, best first.
    pub fn page(&self, skip: usize, take: usize) -> impl Iterator<Item = (&IndexedVersion, Option<Score>)> {
        self.hits
            .iter()
            .skip(skip)
            .take(take)
            .map(|(i, s)| (&self.snapshot.versions[*i as usize], *s))
    }
}

/// The snapshot in use and when the database last confirmed it.
struct Current {
    snapshot: Arc<Snapshot>,
    /// [`Store::write_count`] at that confirmation.
    writes: u64,
    at: Instant,
}

/// The in-memory search of one server (one per process, shared by every request).
pub struct CatalogIndex {
    current: Mutex<Option<Current>>,
    /// Held while a snapshot is built, so a burst of requests after a change builds it once.
    building: tokio::sync::Mutex<()>,
    /// How long a confirmed snapshot is used without asking the database, when this process
    /// wrote nothing meanwhile.
    pub recheck: Duration,
}

impl Default for CatalogIndex {
    fn default() -> Self {
        Self {
            current: Mutex::new(None),
            building: tokio::sync::Mutex::new(()),
            recheck: Duration::from_secs(1),
        }
    }
}

impl CatalogIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Search the versions in force on `day` (every filter, then [`Query::score`]); an empty
    /// query lists by name. Any query text is accepted.
    pub async fn search(&self, store: &Store, day: NaiveDate, q: &str, f: &ListFilter) -> Result<Results, StoreError> {
        let snapshot = self.snapshot(store, day).await?;
        let query = Query::new(q);
        let key = format!(
            "{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
            query.words().collect::<Vec<_>>().join(" "),
            f.field,
            f.agency,
            f.level,
            f.channel
        );
        let cached = snapshot
            .recent
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .cloned();
        if let Some(hits) = cached {
            return Ok(Results { snapshot, hits });
        }
        let hits = Arc::new(snapshot.matches(&query, f));
        {
            let mut recent = snapshot.recent.lock().unwrap_or_else(|p| p.into_inner());
            if recent.len() >= RECENT_SEARCHES {
                recent.clear();
            }
            recent.insert(key, hits.clone());
        }
        Ok(Results { snapshot, hits })
    }

    /// The snapshot for `day` at the database's current generation, built if needed.
    pub async fn snapshot(&self, store: &Store, day: NaiveDate) -> Result<Arc<Snapshot>, StoreError> {
        let writes = store.write_count();
        {
            let current = self.current.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(c) = current.as_ref()
                && c.snapshot.day == day
                && c.writes == writes
                && c.at.elapsed() < self.recheck
            {
                return Ok(c.snapshot.clone());
            }
        }
        let generation = current_generation(store.db()).await?;
        if let Some(s) = self.confirm(generation, day, writes) {
            return Ok(s);
        }
        let _building = self.building.lock().await;
        let writes = store.write_count();
        let generation = current_generation(store.db()).await?;
        if let Some(s) = self.confirm(generation, day, writes) {
            return Ok(s);
        }
        let snapshot = Arc::new(build(store.db(), day, generation).await?);
        *self.current.lock().unwrap_or_else(|p| p.into_inner()) = Some(Current {
            snapshot: snapshot.clone(),
            writes,
            at: Instant::now(),
        });
        Ok(snapshot)
    }

    /// The snapshot in use if it is for `day` at `generation`, marked as confirmed now.
    fn confirm(&self, generation: i64, day: NaiveDate, writes: u64) -> Option<Arc<Snapshot>> {
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        let c = current
            .as_mut()
            .filter(|c| c.snapshot.generation == generation && c.snapshot.day == day)?;
        // Never move the confirmation backwards (a slower request may confirm an older count).
        if writes >= c.writes {
            c.writes = writes;
            c.at = Instant::now();
        }
        Some(c.snapshot.clone())
    }
}

/// The catalog's generation: bumped by the database on every change to procedure versions.
pub async fn current_generation(db: &Db) -> Result<i64, StoreError> {
    let n: i64 = on_db!(db, |p| sqlx::query_scalar(
        "SELECT n FROM catalog_generation WHERE id = 1"
    )
    .fetch_one(p)
    .await)?;
    Ok(n)
}

async fn build(db: &Db, day: NaiveDate, generation: i64) -> Result<Snapshot, StoreError> {
    let rows = in_force_all(db, day, &ListFilter::default()).await?;
    let versions: Vec<(IndexedVersion, String)> = rows
        .into_iter()
        .map(|v| {
            let doc: serde_json::Value = serde_json::from_str(&v.document).unwrap_or_default();
            let version = IndexedVersion {
                procedure_id: v.procedure_id,
                national_code: doc["national_code"].as_str().map(str::to_owned),
                applied_code: doc["applied_code"].as_str().map(str::to_owned),
                name: v.name,
                field: v.field,
                level: v.level,
                agency: v.agency,
                channels: v.channels,
                number: v.number,
                effective_from: v.effective_from,
            };
            (version, v.search_text)
        })
        .collect();
    let mut versions: Vec<(IndexedVersion, String)> = versions;
    versions.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    let index = SearchIndex::build(versions.iter().map(|v| v.1.as_str()));
    let versions = versions.into_iter().map(|v| v.0).collect();
    Ok(Snapshot {
        generation,
        day,
        versions,
        index,
        recent: Mutex::new(HashMap::new()),
    })
}
