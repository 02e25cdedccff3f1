//! The benchmark's organisation and records: offices, users, and `record.create@1`
//! commands with realistic Japanese content (about 400 bytes of JSON each).

use chrono::Utc;
use kyosai_sync_protocol::{record, CommandEnvelope};
use serde_json::{json, Value};
use uuid::Uuid;

/// Every benchmark user's password (throwaway test servers only).
pub const PASSWORD: &str = "kyosai-bench-pass";
/// The record kind the benchmark creates (the app's notes).
pub const KIND: &str = "note";

/// 所属所 (number, name). The push and load phases use the first ones; the pull phase
/// seeds several so the reviewer's pull crosses offices.
pub const OFFICES: [(&str, &str); 10] = [
    ("1203", "新宿区役所"),
    ("1101", "千代田区役所"),
    ("1102", "中央区役所"),
    ("1103", "港区役所"),
    ("1105", "文京区役所"),
    ("1106", "台東区役所"),
    ("1107", "墨田区役所"),
    ("1108", "江東区役所"),
    ("1109", "品川区役所"),
    ("1110", "目黒区役所"),
];

const SURNAMES: [&str; 10] = [
    "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤",
];
const GIVEN_NAMES: [&str; 10] = [
    "太郎", "花子", "一郎", "美咲", "健太", "陽子", "翔", "由美", "大輔", "恵",
];

/// A display name for the `i`-th benchmark user.
pub fn person(i: usize) -> String {
    format!(
        "{} {}",
        SURNAMES[i % SURNAMES.len()],
        GIVEN_NAMES[(i / SURNAMES.len()) % GIVEN_NAMES.len()]
    )
}

/// Title and body of the `i`-th note of an office.
pub fn note(i: usize, office: &str) -> (String, Value) {
    let name = person(i);
    let title = format!("資格取得届 {name}（{i:06}）");
    let body = json!({
        "text": "新規採用職員の資格取得届。扶養認定の添付書類（住民票の写し・所得証明書）を確認済み。給与担当より提出。",
        "member_no": format!("{office}-{i:06}"),
        "name": name,
        "acquired_on": "2026-04-01",
        "dependants": i % 3,
    });
    (title, body)
}

/// The `record.create@1` command for the `i`-th note, as the app's outbox would send it.
pub fn create_command(seq: u64, i: usize, office: &str) -> CommandEnvelope {
    let (title, body) = note(i, office);
    let payload = serde_json::to_value(record::Create {
        kind: KIND.to_string(),
        office_code: office.to_string(),
        title,
        body,
    })
    .unwrap_or(Value::Null);
    CommandEnvelope {
        seq,
        name: record::CREATE.to_string(),
        version: 1,
        record_id: Uuid::new_v4(),
        base_version: None,
        payload,
        issued_at: Utc::now(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_is_a_valid_create_of_a_few_hundred_bytes() {
        let c = create_command(7, 12, "1203");
        assert_eq!(c.seq, 7);
        assert_eq!(c.name, "record.create");
        let p: Result<record::Create, _> = serde_json::from_value(c.payload.clone());
        assert!(p.is_ok_and(|p| p.office_code == "1203" && p.kind == KIND));
        let bytes = serde_json::to_vec(&c).map(|v| v.len()).unwrap_or(0);
        assert!((300..1000).contains(&bytes), "{bytes} bytes");
    }
}
