//! One entry of the log, how the next one is made, and its hash.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::canonical;

/// The `prev_hash` of the first entry: 64 zeros.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One entry of the audit log, as stored and exported.
///
/// Made only by [`next`]; `hash` is the SHA-256 of the canonical encoding of every other
/// field (see [`canonical`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The entry's number: 1 for the first, then +1 with no gaps.
    pub seq: u64,
    /// When it happened (UTC, to the microsecond).
    #[serde(with = "at_serde")]
    pub at: DateTime<Utc>,
    /// Who did it: the signed-in user's id (`system` for the service itself).
    pub actor: String,
    /// What was done: one of [`crate::actions`].
    pub action: String,
    /// Which record or object it was done to (a record id, a file name …), if any.
    pub target: Option<String>,
    /// Anything else worth keeping, never personal data (see [`crate::check_detail`]).
    pub detail: Value,
    /// The `hash` of the entry before, or [`GENESIS_HASH`] for the first.
    pub prev_hash: String,
    /// Lowercase hex SHA-256 of this entry's canonical encoding.
    pub hash: String,
}

impl Entry {
    /// This entry as a checkpoint of the chain up to it.
    pub fn head(&self) -> Head {
        Head {
            seq: self.seq,
            hash: self.hash.clone(),
        }
    }

    /// The hash this entry's content gives (equal to `hash` unless the entry was altered).
    pub fn computed_hash(&self) -> String {
        entry_hash(
            self.seq,
            &self.at,
            &self.actor,
            &self.action,
            self.target.as_deref(),
            &self.detail,
            &self.prev_hash,
        )
    }
}

/// What the caller says about an event; [`next`] makes it an [`Entry`].
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// Who did it (the signed-in user's id).
    pub actor: String,
    /// One of [`crate::actions`].
    pub action: String,
    /// The record or object it was done to.
    pub target: Option<String>,
    /// Anything else worth keeping; never personal data.
    pub detail: Value,
}

impl NewEntry {
    /// An event happening now, with no target and an empty detail.
    pub fn now(actor: impl Into<String>, action: &str) -> Self {
        Self {
            at: Utc::now(),
            actor: actor.into(),
            action: action.to_owned(),
            target: None,
            detail: Value::Object(serde_json::Map::new()),
        }
    }

    /// The same event about `target`.
    pub fn target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// The same event with `detail`.
    pub fn detail(mut self, detail: Value) -> Self {
        self.detail = detail;
        self
    }

    /// The same event at `at`.
    pub fn at(mut self, at: DateTime<Utc>) -> Self {
        self.at = at;
        self
    }
}

/// A checkpoint of a chain: the `seq` and `hash` of its last entry, kept apart from the log
/// (on the central service, in a report) so that a cut-off or rewritten log is noticed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Head {
    /// The last entry's number.
    pub seq: u64,
    /// The last entry's hash.
    pub hash: String,
}

impl Head {
    /// Reads `SEQ:HASH` (as [`Head`]'s `Display` writes it).
    pub fn parse(s: &str) -> Option<Head> {
        let (seq, hash) = s.trim().split_once(':')?;
        let seq = seq.parse().ok()?;
        let hash = hash.to_ascii_lowercase();
        canonical::is_hash(&hash).then_some(Head { seq, hash })
    }
}

impl fmt::Display for Head {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

/// The entry that follows `prev` (or the first entry when `prev` is `None`).
///
/// `at` is cut to the microsecond, the precision the hash and the export keep. The caller
/// checks `detail` with [`crate::check_detail`] first (the stores do).
pub fn next(prev: Option<&Entry>, new: NewEntry) -> Entry {
    let seq = prev.map_or(1, |p| p.seq + 1);
    let prev_hash = prev.map_or_else(|| GENESIS_HASH.to_owned(), |p| p.hash.clone());
    let at = canonical::truncate_at(new.at);
    let hash = entry_hash(
        seq,
        &at,
        &new.actor,
        &new.action,
        new.target.as_deref(),
        &new.detail,
        &prev_hash,
    );
    Entry {
        seq,
        at,
        actor: new.actor,
        action: new.action,
        target: new.target,
        detail: new.detail,
        prev_hash,
        hash,
    }
}

/// Lowercase hex SHA-256 of the canonical encoding of these fields
/// ([`canonical::preimage`]).
pub fn entry_hash(
    seq: u64,
    at: &DateTime<Utc>,
    actor: &str,
    action: &str,
    target: Option<&str>,
    detail: &Value,
    prev_hash: &str,
) -> String {
    let p = canonical::preimage(seq, at, actor, action, target, detail, prev_hash);
    canonical::hex(&Sha256::digest(p.as_bytes()))
}

/// `at` as six-fraction-digit RFC 3339 in JSON (any RFC 3339 is read).
mod at_serde {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&crate::canonical::format_at(at))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actions;
    use serde_json::json;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    #[test]
    fn the_first_entry_links_to_zeros_and_the_next_to_it() {
        let first = next(
            None,
            NewEntry::now("tanto1203", actions::AUTH_SIGN_IN).at(at("2026-11-26T09:00:00+09:00")),
        );
        assert_eq!(first.seq, 1);
        assert_eq!(first.prev_hash, GENESIS_HASH);
        assert_eq!(first.hash, first.computed_hash());
        // The documented example, checked against a SHA-256 computed outside this crate
        // (`printf '%s' '<preimage>' | sha256sum`).
        assert_eq!(
            first.hash,
            "12d4655816765cb1f530b24d7d901e6aec4c227109439d7ad0768ef43018abe0"
        );
        let second = next(
            Some(&first),
            NewEntry::now("tanto1203", actions::RECORD_SUBMIT)
                .target("acq-2026-0001")
                .detail(json!({"kind": "acquisition"})),
        );
        assert_eq!(second.seq, 2);
        assert_eq!(second.prev_hash, first.hash);
        assert_ne!(second.hash, first.hash);
    }

    #[test]
    fn next_cuts_at_to_the_microsecond() {
        let e = next(
            None,
            NewEntry::now("a", actions::AUTH_SIGN_IN).at(at("2026-11-26T00:00:00.123456789Z")),
        );
        assert_eq!(
            crate::canonical::format_at(&e.at),
            "2026-11-26T00:00:00.123456Z"
        );
        assert_eq!(e.hash, e.computed_hash());
    }

    #[test]
    fn head_reads_what_it_writes() {
        let h = Head {
            seq: 42,
            hash: "ab".repeat(32),
        };
        assert_eq!(Head::parse(&h.to_string()), Some(h));
        assert_eq!(Head::parse("42"), None);
        assert_eq!(Head::parse("x:abab"), None);
    }
}
