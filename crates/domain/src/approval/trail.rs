//! The approval trail report: who did what on a document, when, and how long the
//! document waited for each act — as rows for the screen and as CSV.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::engine::{ActKind, ApprovalState};

/// One act of the trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrailRow {
    pub record_id: String,
    pub title: String,
    pub round: u32,
    /// 「2人目 課長」, or empty for acts not on a step.
    pub step_label: String,
    pub act: ActKind,
    pub act_label: String,
    pub by: String,
    pub on_behalf_of: Option<String>,
    pub at: DateTime<Utc>,
    /// Seconds since the previous act on the document (the time it waited for this one).
    pub waited_secs: i64,
    pub comment: String,
}

/// The rows of one document's trail, oldest first.
pub fn trail(record_id: &str, title: &str, state: &ApprovalState) -> Vec<TrailRow> {
    let mut rows = Vec::with_capacity(state.history.len());
    let mut prev: Option<DateTime<Utc>> = None;
    for act in &state.history {
        let step_label = act
            .step
            .and_then(|i| state.route.steps.get(i).map(|s| (i, s)))
            .filter(|_| act.round == state.round)
            .map(|(i, s)| format!("{}段階目 {}", i + 1, s.label_ja()))
            .or_else(|| act.step.map(|i| format!("{}段階目", i + 1)))
            .unwrap_or_default();
        let waited_secs = prev.map_or(0, |p| (act.at - p).num_seconds().max(0));
        prev = Some(act.at);
        rows.push(TrailRow {
            record_id: record_id.to_string(),
            title: title.to_string(),
            round: act.round,
            step_label,
            act: act.kind,
            act_label: act.kind.label_ja().to_string(),
            by: act.by.clone(),
            on_behalf_of: act.on_behalf_of.clone(),
            at: act.at,
            waited_secs,
            comment: act.comment.clone().unwrap_or_default(),
        });
    }
    rows
}

/// 「1日 3時間 5分」 / 「12分」 / 「30秒」.
pub fn duration_ja(secs: i64) -> String {
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3_600, secs % 3_600 / 60);
    let mut out = String::new();
    if d > 0 {
        out.push_str(&format!("{d}日 "));
    }
    if d > 0 || h > 0 {
        out.push_str(&format!("{h}時間 "));
    }
    if d > 0 || h > 0 || m > 0 {
        out.push_str(&format!("{m}分"));
    } else {
        out.push_str(&format!("{secs}秒"));
    }
    out.trim_end().to_string()
}

fn csv_field(out: &mut String, s: &str) {
    // A leading = + - @ would be read as a formula by spreadsheet software.
    let guarded = s.starts_with(['=', '+', '-', '@']);
    if guarded || s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        if guarded {
            out.push('\'');
        }
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// The rows as CSV (RFC 4180, CRLF line ends, a header row; times in JST as
/// `YYYY-MM-DD HH:MM:SS`). `name_of` turns a user id into the name to print.
pub fn to_csv(rows: &[TrailRow], name_of: &dyn Fn(&str) -> String) -> String {
    let mut out = String::from(
        "文書ID,件名,回,段階,操作,実施者,代決元,日時（日本時間）,待ち時間（秒）,待ち時間,理由・コメント\r\n",
    );
    for r in rows {
        let fields = [
            r.record_id.clone(),
            r.title.clone(),
            r.round.to_string(),
            r.step_label.clone(),
            r.act_label.clone(),
            name_of(&r.by),
            r.on_behalf_of.as_deref().map(name_of).unwrap_or_default(),
            super::jst(r.at).format("%Y-%m-%d %H:%M:%S").to_string(),
            r.waited_secs.to_string(),
            duration_ja(r.waited_secs),
            r.comment.clone(),
        ];
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            csv_field(&mut out, f);
        }
        out.push_str("\r\n");
    }
    out
}
