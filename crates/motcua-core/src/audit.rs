//! Tamper-evident event log rules (nhật ký sự kiện): the SHA-256 hash chain of DESIGN.md §4.
//!
//! Each event's hash covers the previous hash of its aggregate and every stored field, so that
//! editing, reordering or deleting an event inside a chain changes every hash after it.

use sha2::{Digest, Sha256};

/// The hash that starts every aggregate's chain.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of an event that the hash covers, exactly as stored.
#[derive(Debug, Clone, Copy)]
pub struct EventFields<'a> {
    pub aggregate_type: &'a str,
    pub aggregate_id: &'a str,
    pub seq: i64,
    pub kind: &'a str,
    pub actor_id: &'a str,
    pub actor_role: &'a str,
    pub actor_unit: &'a str,
    /// UTC microseconds since the Unix epoch.
    pub occurred_at_us: i64,
    /// The JSON payload text as stored.
    pub payload: &'a str,
}

/// `hash = SHA-256(prev_hash ‖ each field, length-prefixed)`, hex encoded.
///
/// Length prefixes make the encoding unambiguous: no two different field lists hash the same
/// byte string.
pub fn event_hash(prev_hash: &str, e: &EventFields<'_>) -> String {
    let mut h = Sha256::new();
    let mut put = |s: &[u8]| {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s);
    };
    put(prev_hash.as_bytes());
    put(e.aggregate_type.as_bytes());
    put(e.aggregate_id.as_bytes());
    put(&e.seq.to_be_bytes());
    put(e.kind.as_bytes());
    put(e.actor_id.as_bytes());
    put(e.actor_role.as_bytes());
    put(e.actor_unit.as_bytes());
    put(&e.occurred_at_us.to_be_bytes());
    put(e.payload.as_bytes());
    hex::encode(h.finalize())
}

/// Rolling digest used for the global checkpoint: `SHA-256(previous digest ‖ event hash)`.
pub fn checkpoint_digest(prev_digest: &str, event_hash: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev_digest.as_bytes());
    h.update(event_hash.as_bytes());
    hex::encode(h.finalize())
}

/// A stored event as the verifier sees it.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub id: i64,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub seq: i64,
    pub kind: String,
    pub actor_id: String,
    pub actor_role: String,
    pub actor_unit: String,
    pub occurred_at_us: i64,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

impl StoredEvent {
    pub fn fields(&self) -> EventFields<'_> {
        EventFields {
            aggregate_type: &self.aggregate_type,
            aggregate_id: &self.aggregate_id,
            seq: self.seq,
            kind: &self.kind,
            actor_id: &self.actor_id,
            actor_role: &self.actor_role,
            actor_unit: &self.actor_unit,
            occurred_at_us: self.occurred_at_us,
            payload: &self.payload,
        }
    }
}

/// What is wrong with a chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainBreak {
    #[error("event {id} ({aggregate}#{seq}): sequence gap, expected {expected}")]
    SequenceGap {
        id: i64,
        aggregate: String,
        seq: i64,
        expected: i64,
    },
    #[error("event {id} ({aggregate}#{seq}): prev_hash does not match the previous event")]
    PrevHashMismatch { id: i64, aggregate: String, seq: i64 },
    #[error("event {id} ({aggregate}#{seq}): stored hash does not match its content")]
    HashMismatch { id: i64, aggregate: String, seq: i64 },
}

impl ChainBreak {
    pub fn event_id(&self) -> i64 {
        match self {
            ChainBreak::SequenceGap { id, .. }
            | ChainBreak::PrevHashMismatch { id, .. }
            | ChainBreak::HashMismatch { id, .. } => *id,
        }
    }
}

/// Verify one aggregate's events, given in sequence order. Returns the first break.
pub fn verify_chain(events: &[StoredEvent]) -> Result<(), ChainBreak> {
    let mut prev = GENESIS_HASH.to_owned();
    for (i, e) in events.iter().enumerate() {
        let aggregate = format!("{}:{}", e.aggregate_type, e.aggregate_id);
        let expected = i as i64 + 1;
        if e.seq != expected {
            return Err(ChainBreak::SequenceGap {
                id: e.id,
                aggregate,
                seq: e.seq,
                expected,
            });
        }
        if e.prev_hash != prev {
            return Err(ChainBreak::PrevHashMismatch {
                id: e.id,
                aggregate,
                seq: e.seq,
            });
        }
        if event_hash(&e.prev_hash, &e.fields()) != e.hash {
            return Err(ChainBreak::HashMismatch {
                id: e.id,
                aggregate,
                seq: e.seq,
            });
        }
        prev = e.hash.clone();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn chain(payloads: &[String]) -> Vec<StoredEvent> {
        let mut prev = GENESIS_HASH.to_owned();
        let mut out = Vec::new();
        for (i, p) in payloads.iter().enumerate() {
            let mut e = StoredEvent {
                id: i as i64 + 10,
                aggregate_type: "unit".into(),
                aggregate_id: "u1".into(),
                seq: i as i64 + 1,
                kind: "unit.renamed".into(),
                actor_id: "a".into(),
                actor_role: "admin".into(),
                actor_unit: "".into(),
                occurred_at_us: 1_700_000_000_000_000 + i as i64,
                payload: p.clone(),
                prev_hash: prev.clone(),
                hash: String::new(),
            };
            e.hash = event_hash(&prev, &e.fields());
            prev = e.hash.clone();
            out.push(e);
        }
        out
    }

    proptest! {
        #[test]
        fn intact_chains_verify(payloads in proptest::collection::vec(".{0,20}", 0..8)) {
            prop_assert!(verify_chain(&chain(&payloads)).is_ok());
        }

        #[test]
        fn any_payload_edit_is_caught(payloads in proptest::collection::vec(".{0,20}", 1..8), idx in 0usize..8, extra in ".{1,5}") {
            let mut c = chain(&payloads);
            let i = idx % c.len();
            c[i].payload.push_str(&extra);
            let err = verify_chain(&c).unwrap_err();
            prop_assert_eq!(err.event_id(), c[i].id);
        }
    }

    #[test]
    fn deleting_a_middle_event_is_a_gap() {
        let mut c = chain(&["a".into(), "b".into(), "c".into()]);
        c.remove(1);
        assert!(matches!(verify_chain(&c), Err(ChainBreak::SequenceGap { .. })));
    }
}
