//! The tamper corpus of issue #8: a realistic chain of 200 entries, every kind of tampering
//! applied to it one at a time, and the verifier must notice 100% of them.
//!
//! Kinds: every byte of the JSON Lines export flipped (one bit, cycling through the eight
//! bits), every field of every entry changed (with and without its own hash recomputed),
//! every entry deleted, a forged entry inserted before every entry (with a wrong hash, with
//! a correctly recomputed own hash, as a replayed copy), every adjacent pair swapped,
//! entries moved, the tail cut off (with a checkpoint), and the chain rewritten and
//! re-hashed from every position (with a checkpoint).
//!
//! Every case runs the real verifier on the whole tampered log, except the byte flips past
//! line 20, which continue from the checkpoint of the clean entries before the flipped line
//! (see there).
//!
//! What no hash chain can notice, and the corpus therefore leaves out: a well-formed entry
//! appended after the end (anyone who can write the log can append), and a cut-off or
//! re-hashed tail when no checkpoint is kept. The checkpoint (a [`Head`] the central
//! service keeps) is what covers the last two.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use kyosai_audit::{
    actions, entry_hash, next, parse_line, to_line, verify, verify_after, BreakKind, Entry, Head,
    NewEntry,
};
use serde_json::json;

const N: usize = 200;

fn base() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-26T09:00:00.000000+09:00")
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_default()
}

/// A working day at two offices: sign-ins, drafts, submissions, approvals, exports.
fn realistic_chain() -> Vec<Entry> {
    let users = [
        "tanto1203",
        "kacho1201",
        "shinsa0201",
        "kessai0101",
        "it0001",
    ];
    let mut chain: Vec<Entry> = Vec::with_capacity(N);
    for i in 0..N {
        let user = users[(i / 7) % users.len()];
        let record = format!(
            "0192f0c4-1b2a-7cc3-9d0e-{:012x}",
            0x5f1a_2b3c_0000_u64 + (i as u64 / 3)
        );
        let at =
            base() + Duration::seconds(37 * i as i64) + Duration::microseconds((i * 1_234) as i64);
        let new = match i % 12 {
            0 => NewEntry::now(user, actions::AUTH_SIGN_IN)
                .detail(json!({"server": "https://kyosai-central.example.lg.jp", "office": "13104"})),
            1 => NewEntry::now(user, actions::RECORD_CREATE)
                .target(&record)
                .detail(json!({"kind": "acquisition", "title": "組合員資格取得届（新規採用）"})),
            2 => NewEntry::now(user, actions::RECORD_UPDATE)
                .target(&record)
                .detail(json!({"kind": "acquisition", "fields": ["報酬月額", "取得年月日"]})),
            3 => NewEntry::now(user, actions::RECORD_SUBMIT)
                .target(&record)
                .detail(json!({"kind": "procurement.request", "amount": 1_280_000, "flags": {"重要": true, "異例": false}})),
            4 => NewEntry::now(user, actions::RECORD_APPROVE)
                .target(&record)
                .detail(json!({"mode": "承認", "step": 2, "comment": "了解。\n納期に注意してください。"})),
            5 => NewEntry::now(user, actions::RECORD_RETURN)
                .target(&record)
                .detail(json!({"comment": "添付の\"見積書\"が古い版です\\再提出を"})),
            6 => NewEntry::now(user, actions::EXPORT_PDF)
                .target(&record)
                .detail(json!({"file": "決裁書_令和8年度_事務用品購入.pdf", "pages": 3})),
            7 => NewEntry::now(user, actions::EXPORT_ZENGIN)
                .target("振込データ_20261126.txt")
                .detail(json!({"count": 14, "total": 3_456_789, "transferDate": "2026-11-30"})),
            8 => NewEntry::now(user, actions::CONFIG_CHANGE)
                .detail(json!({"key": "idleLockMinutes", "from": 30, "to": 15})),
            9 => NewEntry::now(user, actions::RECORD_WITHDRAW)
                .target(&record)
                .detail(json!({"reason": "金額誤り\t再起案します"})),
            10 => NewEntry::now(user, actions::RECORD_REJECT).target(&record).detail(json!({})),
            _ => NewEntry::now(user, actions::AUTH_SIGN_OUT).detail(json!(null)),
        };
        let e = next(chain.last(), new.at(at));
        chain.push(e);
    }
    chain
}

/// Counts per kind of tampering: (cases, detected).
#[derive(Default)]
struct Tally(BTreeMap<&'static str, (usize, usize)>);

impl Tally {
    fn record(&mut self, kind: &'static str, detected: bool) {
        let t = self.0.entry(kind).or_default();
        t.0 += 1;
        t.1 += usize::from(detected);
    }
}

fn rehash(e: &mut Entry) {
    e.hash = entry_hash(
        e.seq,
        &e.at,
        &e.actor,
        &e.action,
        e.target.as_deref(),
        &e.detail,
        &e.prev_hash,
    );
}

/// Re-links and re-hashes `chain` from `from` on, as a forger who rewrites the rest would.
fn relink_from(chain: &mut [Entry], from: usize) {
    for i in from..chain.len() {
        chain[i].seq = i as u64 + 1;
        chain[i].prev_hash = if i == 0 {
            kyosai_audit::GENESIS_HASH.to_owned()
        } else {
            chain[i - 1].hash.clone()
        };
        rehash(&mut chain[i]);
    }
}

fn broken(entries: &[Entry], anchor: Option<&Head>) -> bool {
    verify(entries, anchor).is_err()
}

/// Every field of one entry changed in a way a person might.
fn field_edits(e: &Entry) -> Vec<(&'static str, Entry)> {
    let mut out = Vec::new();
    let mut push = |name, f: &dyn Fn(&mut Entry)| {
        let mut x = e.clone();
        f(&mut x);
        assert_ne!(&x, e, "{name} changed nothing");
        out.push((name, x));
    };
    push("seq", &|x| x.seq += 1);
    push("at", &|x| x.at += Duration::microseconds(1));
    push("at (an hour earlier)", &|x| x.at -= Duration::hours(1));
    push("actor", &|x| x.actor = "kessai0101x".into());
    push("action", &|x| {
        x.action = if x.action == actions::RECORD_APPROVE {
            actions::RECORD_REJECT.into()
        } else {
            actions::RECORD_APPROVE.into()
        }
    });
    push("target", &|x| {
        x.target = match &x.target {
            Some(_) => None,
            None => Some("0192f0c4-0000-0000-0000-000000000000".into()),
        }
    });
    push("detail (member added)", &|x| {
        x.detail = json!({"was": x.detail.clone(), "amount": 1});
    });
    push("detail (replaced)", &|x| {
        x.detail = if x.detail == json!({}) {
            json!(null)
        } else {
            json!({})
        };
    });
    push("prev_hash", &|x| {
        x.prev_hash = format!("{}0", &x.hash[..63])
    });
    push("hash", &|x| {
        let last = if x.hash.ends_with('0') { '1' } else { '0' };
        x.hash = format!("{}{last}", &x.hash[..63]);
    });
    push("hash (upper case)", &|x| {
        x.hash = x.hash.to_ascii_uppercase()
    });
    push("at (below a microsecond)", &|x| {
        x.at += Duration::nanoseconds(1)
    });
    out
}

#[test]
fn the_verifier_detects_every_tampering_in_the_corpus() {
    let chain = realistic_chain();
    let head = chain[N - 1].head();
    verify(&chain, Some(&head)).unwrap_or_else(|b| panic!("the clean chain is broken: {b}"));
    let lines: Vec<String> = chain.iter().map(to_line).collect();
    for (l, e) in lines.iter().zip(&chain) {
        assert_eq!(parse_line(l).as_ref(), Ok(e));
    }
    let mut tally = Tally::default();

    // 1. Every byte of the export, one bit flipped. The reader refuses a line that is not a
    //    canonical entry; a line that still reads goes to the verifier. For lines past the
    //    first 20 the entries before the flipped one are the clean chain's, already verified
    //    above, so the verifier continues from their checkpoint (`verify_after`, what the
    //    apps do for entries appended since the last check) instead of hashing them again
    //    for each of the ~70 000 flips.
    let mut work = chain.clone();
    for (i, line) in lines.iter().enumerate() {
        for pos in 0..line.len() {
            let mut bytes = line.as_bytes().to_vec();
            bytes[pos] ^= 1 << (pos % 8);
            match String::from_utf8(bytes).ok().map(|s| parse_line(&s)) {
                Some(Ok(entry)) => {
                    work[i] = entry;
                    let result = if i < 20 {
                        verify(&work, None)
                    } else {
                        verify_after(Some(&chain[i - 1].head()), &work[i..], None)
                    };
                    work[i] = chain[i].clone();
                    tally.record(
                        "byte flipped, the line still reads (verifier)",
                        result.is_err(),
                    );
                }
                // Not UTF-8, not an entry, or not canonical: the reader refuses the file.
                _ => tally.record("byte flipped, the line no longer reads (reader)", true),
            }
        }
    }

    // 2. Every field of every entry, as stored (the hash left alone) and with the entry's
    //    own hash recomputed; the last entry's re-hashed edit needs the checkpoint.
    for i in 0..N {
        for (_, edited) in field_edits(&chain[i]) {
            work[i] = edited.clone();
            tally.record("field edited", broken(&work, None));

            let mut rehashed = edited;
            rehash(&mut rehashed);
            if rehashed != chain[i] {
                work[i] = rehashed;
                let anchor = (i == N - 1).then_some(&head);
                tally.record("field edited, own hash recomputed", broken(&work, anchor));
            }
            work[i] = chain[i].clone();
        }
    }
    assert_eq!(work, chain);

    // 3. Every entry deleted (the last one is a cut tail: with the checkpoint).
    for i in 0..N {
        let mut tampered = chain.clone();
        tampered.remove(i);
        let anchor = (i == N - 1).then_some(&head);
        let result = verify(&tampered, anchor);
        if i < N - 1 {
            assert!(
                matches!(result, Err(ref b) if b.kind == BreakKind::Missing { first: i as u64 + 1, last: i as u64 + 1 }),
                "deleting {i}: {result:?}"
            );
        }
        tally.record("entry deleted", result.is_err());
    }

    // 4. A forged entry inserted before each entry.
    for i in 0..N {
        let template = chain[i].clone();
        // a) with a made-up hash;
        let mut forged = template.clone();
        forged.actor = "kessai0101".into();
        forged.action = actions::RECORD_APPROVE.into();
        let mut tampered = chain.clone();
        tampered.insert(i, forged);
        tally.record("forged entry inserted", broken(&tampered, None));

        // b) correct in itself: the seq due there, linked to the entry before, its own hash
        //    recomputed — only the entries after it are not rewritten;
        let prev = i.checked_sub(1).map(|p| &chain[p]);
        let forged = next(
            prev,
            NewEntry::now("kessai0101", actions::RECORD_APPROVE)
                .target(template.target.clone().unwrap_or_default())
                .detail(json!({"mode": "代決"}))
                .at(template.at),
        );
        let mut tampered = chain.clone();
        tampered.insert(i, forged);
        let result = verify(&tampered, None);
        assert!(
            matches!(result, Err(ref b) if b.kind == BreakKind::Inserted && b.position == i + 1),
            "forged before {i}: {result:?}"
        );
        tally.record(
            "forged entry inserted, own hash recomputed",
            result.is_err(),
        );

        // c) a real entry replayed (copied) in front of another.
        for copy in [0, N / 2, N - 1] {
            let mut tampered = chain.clone();
            tampered.insert(i, chain[copy].clone());
            tally.record("entry replayed", broken(&tampered, None));
        }
    }
    // A copy appended at the end.
    let mut tampered = chain.clone();
    tampered.push(chain[N / 2].clone());
    tally.record("entry replayed", broken(&tampered, None));

    // 5. Every adjacent pair swapped.
    for i in 0..N - 1 {
        let mut tampered = chain.clone();
        tampered.swap(i, i + 1);
        let result = verify(&tampered, None);
        assert!(
            matches!(result, Err(ref b) if b.kind == BreakKind::Reordered { expected: i as u64 + 1 }),
            "swapping {i}: {result:?}"
        );
        tally.record("adjacent entries swapped", result.is_err());
    }

    // 6. Entries moved: each entry to a few other places.
    for from in 0..N {
        for to in [0, from.saturating_sub(5), from + 3, from + 40, N - 1] {
            let to = to.min(N - 1);
            if to == from {
                continue;
            }
            let mut tampered = chain.clone();
            let e = tampered.remove(from);
            tampered.insert(to, e);
            tally.record("entry moved", broken(&tampered, None));
        }
    }
    // The whole log reversed.
    let mut reversed = chain.clone();
    reversed.reverse();
    tally.record("entry moved", broken(&reversed, None));

    // 7. The tail cut off, against the checkpoint of the head.
    for keep in 0..N {
        let result = verify(&chain[..keep], Some(&head));
        assert!(
            matches!(result, Err(ref b) if b.kind == BreakKind::Truncated { anchor_seq: N as u64, count: keep as u64 }),
            "keeping {keep}: {result:?}"
        );
        tally.record("tail cut off (checkpoint)", result.is_err());
    }

    // 8. The chain rewritten and re-hashed from each position, against checkpoints: the
    //    head's, and one kept mid-way (only rewrites at or before it can be seen there).
    let mid = chain[N / 2 - 1].head();
    for i in 0..N {
        let mut rewritten = chain.clone();
        rewritten[i].actor = "kessai0101".into();
        rewritten[i].detail = json!({"mode": "承認", "note": "書き換え"});
        relink_from(&mut rewritten, i);
        assert_eq!(verify(&rewritten, None).map(|s| s.count), Ok(N as u64));
        let result = verify(&rewritten, Some(&head));
        assert!(
            matches!(result, Err(ref b) if b.kind == BreakKind::HeadMismatch { anchor_seq: N as u64 }),
            "rewriting from {i}: {result:?}"
        );
        tally.record(
            "chain rewritten and re-hashed (checkpoint)",
            result.is_err(),
        );
        if (i as u64) < mid.seq {
            tally.record(
                "chain rewritten and re-hashed (checkpoint)",
                broken(&rewritten, Some(&mid)),
            );
        }

        // Deleted, then the rest renumbered and re-hashed.
        let mut shortened = chain.clone();
        shortened.remove(i);
        relink_from(&mut shortened, i);
        assert!(verify(&shortened, None).is_ok());
        tally.record(
            "entry deleted, rest re-hashed (checkpoint)",
            broken(&shortened, Some(&head)),
        );
    }

    let mut total = 0;
    let mut detected = 0;
    let mut report = String::new();
    for (kind, (n, d)) in &tally.0 {
        total += n;
        detected += d;
        report.push_str(&format!("  {kind}: {d} / {n}\n"));
    }
    eprintln!("tamper corpus: {detected} of {total} tamperings detected ({N} entries)\n{report}");
    assert!(
        total > 50_000,
        "the corpus is smaller than expected: {total}"
    );
    assert_eq!(detected, total, "undetected tampering:\n{report}");
}
