//! The verifier: walks a chain and says where and how it is broken.
//!
//! An intact chain has, for every entry in order: a `hash` equal to the hash of its own
//! content, `seq` one more than the entry before (1 for the first), and `prev_hash` equal
//! to the entry before's `hash` ([`GENESIS_HASH`](crate::GENESIS_HASH) for the first).
//! With a [`Head`] kept elsewhere, the chain must also reach that entry and hold that very
//! hash there — the only way to notice a cut-off tail or a chain rewritten and re-hashed
//! from scratch.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::canonical;
use crate::entry::{Entry, Head, GENESIS_HASH};

/// What an intact chain holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// How many entries.
    pub count: u64,
    /// The last entry as a checkpoint; `None` for an empty log.
    pub head: Option<Head>,
}

/// Where a chain is broken: the first problem found, walking from the start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Break {
    /// The 0-based position in the list given to [`verify`] (the line number − 1 of an
    /// export).
    pub position: usize,
    /// The `seq` written in the entry at that position, if there is one.
    pub seq: Option<u64>,
    /// What is wrong.
    pub kind: BreakKind,
}

/// The kinds of break, each with a stable [`code`](BreakKind::code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BreakKind {
    /// The entry's content does not give its `hash`: a field (or the hash) was changed.
    Edited,
    /// Entries `first..=last` are missing before this one.
    Missing {
        /// The first missing `seq`.
        first: u64,
        /// The last missing `seq`.
        last: u64,
    },
    /// An entry with this `seq` came earlier already (or `seq` is 0): one was added.
    Inserted,
    /// Entries are out of order: `expected` was due here and comes later.
    Reordered {
        /// The `seq` due at this position.
        expected: u64,
    },
    /// The entry is intact on its own but does not link to the one before: the one before
    /// was replaced, or this one was put in.
    Unlinked,
    /// The log ends at `count` entries, before the checkpoint's `anchor_seq`.
    Truncated {
        /// The checkpoint's `seq`.
        anchor_seq: u64,
        /// How many entries there are (the seq of the last one).
        count: u64,
    },
    /// The entry at the checkpoint's `seq` has another hash: the chain was rewritten.
    HeadMismatch {
        /// The checkpoint's `seq`.
        anchor_seq: u64,
    },
}

impl BreakKind {
    /// A stable code, e.g. `"audit.edited"`.
    pub fn code(&self) -> &'static str {
        match self {
            BreakKind::Edited => "audit.edited",
            BreakKind::Missing { .. } => "audit.missing",
            BreakKind::Inserted => "audit.inserted",
            BreakKind::Reordered { .. } => "audit.reordered",
            BreakKind::Unlinked => "audit.unlinked",
            BreakKind::Truncated { .. } => "audit.truncated",
            BreakKind::HeadMismatch { .. } => "audit.head_mismatch",
        }
    }
}

impl Break {
    /// The stable code of the kind.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// What is wrong, in Japanese, with the position and `seq`.
    pub fn message(&self) -> String {
        let line = self.position + 1;
        let seq = self
            .seq
            .map_or_else(String::new, |s| format!("（seq {s}）"));
        match &self.kind {
            BreakKind::Edited => format!(
                "監査ログの{line}件目{seq}が書き換えられています（内容とハッシュが一致しません）。"
            ),
            BreakKind::Missing { first, last } if first == last => format!(
                "監査ログの{line}件目{seq}の前で seq {first} の記録が削除されています。"
            ),
            BreakKind::Missing { first, last } => format!(
                "監査ログの{line}件目{seq}の前で seq {first}〜{last} の記録が削除されています。"
            ),
            BreakKind::Inserted => format!(
                "監査ログの{line}件目{seq}は後から差し込まれた記録です（同じ seq の記録が前にあります）。"
            ),
            BreakKind::Reordered { expected } => format!(
                "監査ログの{line}件目{seq}で順序が入れ替えられています（ここには seq {expected} が来るはずです）。"
            ),
            BreakKind::Unlinked => format!(
                "監査ログの{line}件目{seq}が直前の記録とつながっていません（直前の記録が差し替えられたか、この記録が差し込まれています）。"
            ),
            BreakKind::Truncated { anchor_seq, count } => format!(
                "監査ログが{count}件で終わっていますが、確認済みの記録は seq {anchor_seq} まであります（末尾が削除されています）。"
            ),
            BreakKind::HeadMismatch { anchor_seq } => format!(
                "監査ログの seq {anchor_seq} が確認済みの記録と一致しません（ログ全体が作り直されています）。"
            ),
        }
    }
}

impl std::fmt::Display for Break {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

/// Checks `entries` (the whole log, in stored order) and, when given, that the chain
/// reaches the checkpoint `anchor` with the same hash.
///
/// Returns the first break found, walking from the start.
pub fn verify(entries: &[Entry], anchor: Option<&Head>) -> Result<Summary, Break> {
    verify_after(None, entries, anchor)
}

/// Checks `entries` as the continuation of a chain already verified up to `start` (its last
/// entry's checkpoint; `None` for the start of the log): the first entry must have seq
/// `start.seq + 1` and link to `start.hash`. This is [`verify`] for the entries appended
/// since the last check, without hashing the whole log again.
///
/// `anchor` is checked as with [`verify`] when it lies in `start..`; an anchor before
/// `start` was covered when `start` was verified and is not looked at again.
/// [`Break::position`] counts from the first entry of `entries`; `count` in
/// [`BreakKind::Truncated`] is the seq of the last entry (the size of the whole log), and
/// [`Summary::count`] is how many entries were checked.
pub fn verify_after(
    start: Option<&Head>,
    entries: &[Entry],
    anchor: Option<&Head>,
) -> Result<Summary, Break> {
    let start_seq = start.map_or(0, |h| h.seq);
    // Where each seq comes last, to tell a reordering from a deletion.
    let last_position: HashMap<u64, usize> = entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.seq, i))
        .collect();
    let mut seen: HashSet<u64> = HashSet::with_capacity(entries.len());
    let mut prev_hash: &str = start.map_or(GENESIS_HASH, |h| h.hash.as_str());

    for (expected, (position, entry)) in (start_seq + 1..).zip(entries.iter().enumerate()) {
        let broken = |kind| Break {
            position,
            seq: Some(entry.seq),
            kind,
        };
        if !canonical::is_canonical_at(&entry.at)
            || !canonical::is_hash(&entry.hash)
            || !canonical::is_hash(&entry.prev_hash)
            || entry.computed_hash() != entry.hash
        {
            return Err(broken(BreakKind::Edited));
        }
        if entry.seq != expected {
            let kind = if entry.seq <= start_seq || seen.contains(&entry.seq) {
                BreakKind::Inserted
            } else if last_position.get(&expected).is_some_and(|&p| p > position)
                || entry.seq < expected
            {
                BreakKind::Reordered { expected }
            } else {
                BreakKind::Missing {
                    first: expected,
                    last: entry.seq - 1,
                }
            };
            return Err(broken(kind));
        }
        if entry.prev_hash != prev_hash {
            return Err(broken(BreakKind::Unlinked));
        }
        seen.insert(entry.seq);
        prev_hash = &entry.hash;
    }

    let last_seq = start_seq + entries.len() as u64;
    if let Some(anchor) = anchor {
        if anchor.seq > last_seq {
            return Err(Break {
                position: entries.len(),
                seq: None,
                kind: BreakKind::Truncated {
                    anchor_seq: anchor.seq,
                    count: last_seq,
                },
            });
        }
        let at_anchor = if anchor.seq == 0 {
            None
        } else if anchor.seq == start_seq {
            start.map(|h| (0, h.hash.as_str()))
        } else if anchor.seq > start_seq {
            // The chain is intact, so the entry with seq n sits at position n − start − 1.
            let position = (anchor.seq - start_seq - 1) as usize;
            entries.get(position).map(|e| (position, e.hash.as_str()))
        } else {
            None
        };
        if let Some((position, hash)) = at_anchor {
            if hash != anchor.hash {
                return Err(Break {
                    position,
                    seq: Some(anchor.seq),
                    kind: BreakKind::HeadMismatch {
                        anchor_seq: anchor.seq,
                    },
                });
            }
        }
    }
    Ok(Summary {
        count: entries.len() as u64,
        head: entries.last().map(Entry::head).or_else(|| start.cloned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{actions, next, NewEntry};

    fn chain(n: usize) -> Vec<Entry> {
        chain_by("tanto1203", n)
    }

    fn chain_by(actor: &str, n: usize) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        for i in 0..n {
            let e = next(
                out.last(),
                NewEntry::now(actor, actions::RECORD_UPDATE).target(format!("r{i}")),
            );
            out.push(e);
        }
        out
    }

    #[test]
    fn an_intact_chain_and_the_empty_log_pass() {
        let c = chain(5);
        let s = verify(&c, Some(&c[2].head())).unwrap_or_else(|b| panic!("{b}"));
        assert_eq!(s.count, 5);
        assert_eq!(s.head, Some(c[4].head()));
        assert_eq!(
            verify(&[], None),
            Ok(Summary {
                count: 0,
                head: None
            })
        );
    }

    #[test]
    fn a_segment_continues_from_its_checkpoint() {
        let c = chain(6);
        let start = c[2].head();
        let s = verify_after(Some(&start), &c[3..], Some(&c[5].head()));
        assert_eq!(s.map(|s| (s.count, s.head)), Ok((3, Some(c[5].head()))));
        assert_eq!(
            verify_after(Some(&start), &[], Some(&start)).map(|s| s.head),
            Ok(Some(start.clone()))
        );
        // Starting elsewhere, or replaying the checkpoint's own entry, breaks.
        assert_eq!(
            verify_after(Some(&start), &c[4..], None).map_err(|b| b.kind),
            Err(BreakKind::Missing { first: 4, last: 4 })
        );
        assert_eq!(
            verify_after(Some(&start), &c[2..], None).map_err(|b| b.kind),
            Err(BreakKind::Inserted)
        );
        let other = chain_by("kacho0101", 6);
        assert_eq!(
            verify_after(Some(&other[2].head()), &c[3..], None).map_err(|b| b.kind),
            Err(BreakKind::Unlinked)
        );
        assert_eq!(
            verify_after(Some(&start), &c[3..5], Some(&c[5].head())).map_err(|b| b.kind),
            Err(BreakKind::Truncated {
                anchor_seq: 6,
                count: 5
            })
        );
        assert_eq!(
            verify_after(Some(&start), &c[3..], Some(&other[4].head())).map_err(|b| b.kind),
            Err(BreakKind::HeadMismatch { anchor_seq: 5 })
        );
    }

    #[test]
    fn each_kind_is_named() {
        let c = chain(5);
        let mut edited = c.clone();
        edited[1].actor = "kacho".into();
        assert_eq!(
            verify(&edited, None).map_err(|b| b.kind),
            Err(BreakKind::Edited)
        );

        let mut deleted = c.clone();
        deleted.remove(2);
        let b = verify(&deleted, None).err();
        assert_eq!(
            b.as_ref().map(|b| &b.kind),
            Some(&BreakKind::Missing { first: 3, last: 3 })
        );
        assert_eq!(
            b.map(|b| b.message()).unwrap_or_default(),
            "監査ログの3件目（seq 4）の前で seq 3 の記録が削除されています。"
        );

        let mut swapped = c.clone();
        swapped.swap(1, 2);
        assert_eq!(
            verify(&swapped, None).map_err(|b| b.kind),
            Err(BreakKind::Reordered { expected: 2 })
        );

        let mut duplicated = c.clone();
        duplicated.insert(3, c[1].clone());
        assert_eq!(
            verify(&duplicated, None).map_err(|b| b.kind),
            Err(BreakKind::Inserted)
        );

        let t = verify(&c[..3], Some(&c[4].head())).err();
        assert_eq!(
            t.as_ref().map(|b| &b.kind),
            Some(&BreakKind::Truncated {
                anchor_seq: 5,
                count: 3
            })
        );
        assert_eq!(t.map(|b| b.code()), Some("audit.truncated"));

        let other = chain_by("kacho0101", 5);
        assert_eq!(
            verify(&other, Some(&c[3].head())).map_err(|b| b.kind),
            Err(BreakKind::HeadMismatch { anchor_seq: 4 })
        );
    }
}
