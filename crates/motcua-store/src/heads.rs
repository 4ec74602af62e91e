//! The SQLite writer's memory of each aggregate's chain head (last sequence number and hash).
//!
//! With one writer per SQLite file, the head of every chain the writer appended to is known
//! without asking the database, which saves one round trip per event on the hot path. The
//! memory follows the transaction: what a unit appends is kept only if the unit succeeds, and
//! what a group appends only if the commit succeeds. If another process appended meanwhile, the
//! insert hits the unique `(aggregate, seq)` key; the entry is forgotten and the head re-read.

use std::cell::RefCell;
use std::collections::HashMap;

type Key = (String, String);
type Head = (i64, String);

#[derive(Default)]
pub(crate) struct HeadCache {
    committed: HashMap<Key, Head>,
    batch: HashMap<Key, Head>,
    unit: HashMap<Key, Head>,
}

/// More heads than this and the committed memory starts afresh (bounded memory).
const MAX_ENTRIES: usize = 200_000;

tokio::task_local! {
    static HEADS: RefCell<HeadCache>;
}

/// Run the writer loop with a head memory (SQLite only).
pub(crate) async fn scope<F: std::future::Future>(f: F) -> F::Output {
    HEADS.scope(RefCell::new(HeadCache::default()), f).await
}

pub(crate) fn get(aggregate_type: &str, aggregate_id: &str) -> Option<Head> {
    HEADS
        .try_with(|h| {
            let h = h.borrow();
            let k = (aggregate_type.to_owned(), aggregate_id.to_owned());
            h.unit
                .get(&k)
                .or_else(|| h.batch.get(&k))
                .or_else(|| h.committed.get(&k))
                .cloned()
        })
        .ok()
        .flatten()
}

pub(crate) fn put(aggregate_type: &str, aggregate_id: &str, seq: i64, hash: &str) {
    let _ = HEADS.try_with(|h| {
        h.borrow_mut().unit.insert(
            (aggregate_type.to_owned(), aggregate_id.to_owned()),
            (seq, hash.to_owned()),
        );
    });
}

pub(crate) fn forget(aggregate_type: &str, aggregate_id: &str) {
    let _ = HEADS.try_with(|h| {
        let mut h = h.borrow_mut();
        let k = (aggregate_type.to_owned(), aggregate_id.to_owned());
        h.unit.remove(&k);
        h.batch.remove(&k);
        h.committed.remove(&k);
    });
}

/// A unit ended: keep its heads for the group if it succeeded.
pub(crate) fn end_unit(ok: bool) {
    let _ = HEADS.try_with(|h| {
        let mut h = h.borrow_mut();
        let unit = std::mem::take(&mut h.unit);
        if ok {
            h.batch.extend(unit);
        }
    });
}

/// The group ended: keep its heads if the commit succeeded.
pub(crate) fn end_group(committed: bool) {
    let _ = HEADS.try_with(|h| {
        let mut h = h.borrow_mut();
        let batch = std::mem::take(&mut h.batch);
        if committed {
            if h.committed.len() + batch.len() > MAX_ENTRIES {
                h.committed.clear();
            }
            h.committed.extend(batch);
        }
    });
}
