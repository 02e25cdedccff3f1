//! 印刷: a document under approval as an A4 PDF with its 決裁欄, and the 「未決裁」
//! watermark while it is undecided (`kyosai-print`).

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use kyosai_audit::{actions, NewEntry};
use kyosai_domain::approval as ap;
use kyosai_domain::wareki;
use kyosai_print::{approval_block, render, Fonts, PrintDoc};
use kyosai_store::Store;
use kyosai_sync_client::SharedStore;
use kyosai_sync_protocol::UserInfo;

use crate::approvals::{kind_name, load_doc, parse_id, People};
use crate::sync::with_store;
use crate::AppError;

fn when_ja(at: DateTime<Utc>) -> String {
    let local = ap::jst(at);
    let date = wareki::format_with_seireki(local.date());
    format!("{date} {}", local.format("%H:%M"))
}

/// The printout of document `id` as this PC has it.
pub fn print_doc_of(
    store: &mut Store,
    me: Option<&UserInfo>,
    id: &str,
    now: DateTime<Utc>,
) -> Result<PrintDoc, AppError> {
    let id = parse_id(id)?;
    if let Some(r) = store.sync().record(id)? {
        if let Some(doc) = crate::procurement::print::print_doc(store, me, &r, now)? {
            return Ok(doc);
        }
    }
    let (_, doc) = load_doc(store, id)?;
    let people = People::load(store, me)?;
    let name_of = |u: &str| people.name(u);
    let s = &doc.state;
    let mut fields = vec![
        ("件名".to_string(), doc.title.clone()),
        ("所属所".to_string(), doc.office_code.clone()),
        ("起案者".to_string(), name_of(&s.drafter)),
        ("起案日".to_string(), when_ja(s.submitted_at)),
    ];
    if doc.amount != 0 || doc.kind == "proposal" {
        fields.push(("金額".to_string(), format!("{} 円", ap::yen(doc.amount))));
    }
    let flags = s.flags.label_ja();
    if !flags.is_empty() {
        fields.push(("区分".to_string(), flags));
    }
    let mut status = s.status.label_ja().to_string();
    if s.status == ap::Status::InProgress {
        if let Some(step) = s.route.steps.get(s.current_step) {
            let first = s.ordinal(s.current_step, 0);
            status = format!(
                "{status}（{}人目 / {}人中 {} の決裁待ち）",
                first,
                s.route.slot_count(),
                step.label_ja()
            );
        }
    }
    if let Some(at) = s.decided_at {
        status = format!("{status}（{}）", when_ja(at));
    }
    fields.push(("状態".to_string(), status));
    let text = doc
        .body
        .get("text")
        .and_then(|t| t.as_str())
        .unwrap_or_default()
        .to_string();
    let printed_by = me
        .map(|m| format!(" {}", m.display_name))
        .unwrap_or_default();
    Ok(PrintDoc {
        heading: kind_name(&doc.kind, Some(&s.route.table_id)),
        reference: Some(format!("文書ID {}", doc.id)),
        fields,
        body_label: Some("内容".to_string()),
        body: text,
        approval: approval_block(s, &name_of),
        decided: s.status.is_decided(),
        printed_at: format!("印刷 {}{printed_by}", when_ja(now)),
    })
}

/// 「起案文書_窓口案内表示の更新_20261126_153000.pdf」: characters a file name cannot
/// hold become 「_」; the title is cut at 40 characters.
pub fn pdf_file_name(heading: &str, title: &str, now: DateTime<Utc>) -> String {
    let clean: String = title
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c => c,
        })
        .take(40)
        .collect();
    let clean = clean.trim().trim_matches('.');
    format!(
        "{heading}_{}_{}.pdf",
        if clean.is_empty() { "無題" } else { clean },
        ap::jst(now).format("%Y%m%d_%H%M%S")
    )
}

/// Renders document `id` and writes the PDF into `dir` (the download folder); returns
/// the file's path.
pub async fn approval_pdf(
    store: &SharedStore,
    me: Option<UserInfo>,
    id: String,
    dir: PathBuf,
) -> Result<String, AppError> {
    let now = Utc::now();
    let actor = me.as_ref().map(|m| m.user_id.clone()).unwrap_or_default();
    let entry = NewEntry::now(actor, actions::EXPORT_PDF)
        .target(id.clone())
        .detail(serde_json::json!({ "what": "approval" }))
        .at(now);
    let doc = with_store(store, move |s| print_doc_of(s, me.as_ref(), &id, now)).await?;
    let path = dir.join(pdf_file_name(
        &doc.heading,
        doc.fields.first().map_or("", |f| f.1.as_str()),
        now,
    ));
    let path = tokio::task::spawn_blocking(move || {
        let fonts = Fonts::find().map_err(|e| AppError::new(e.code(), e.to_string()))?;
        let bytes = render(&doc, &fonts);
        std::fs::create_dir_all(&dir)
            .and_then(|_| std::fs::write(&path, bytes))
            .map_err(|e| {
                AppError::new(
                    "print.write",
                    format!("PDFを保存できませんでした（{e}）。ダウンロードフォルダの空き容量と権限を確認してください。"),
                )
            })?;
        Ok::<_, AppError>(path)
    })
    .await
    .map_err(|e| AppError::internal("pdf task", &e))??;
    crate::audit::record_export(store, entry, path.clone()).await?;
    Ok(path.display().to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn file_names_are_safe_and_dated_in_japan_time() {
        let now = Utc.with_ymd_and_hms(2026, 11, 26, 6, 30, 0).unwrap();
        assert_eq!(
            pdf_file_name("起案文書", "窓口案内表示の更新", now),
            "起案文書_窓口案内表示の更新_20261126_153000.pdf"
        );
        assert_eq!(
            pdf_file_name("起案文書", "a/b:c*?\"<>|\n", now),
            "起案文書_a_b_c_______20261126_153000.pdf"
        );
        assert_eq!(
            pdf_file_name("起案文書", " .. ", now),
            "起案文書_無題_20261126_153000.pdf"
        );
    }
}
