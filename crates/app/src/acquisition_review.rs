//! Reviewing a 組合員資格取得届 on its route (所属所長 証明 → 事務局審査担当 審査 → 決裁者
//! 登録): the read-only form with the approval route, history and what I may do now; the
//! central service's automated review (online only, for the secretariat and 決裁権者);
//! the actions (through [`crate::approvals::act_on`]: the domain engine decides, the
//! server decides again); and the printouts — the notification for the file, the
//! 審査結果通知, and a batch of notifications into one folder.
//!
//! Not here: the clerk's editing (`acquisitions`), the approval rules
//! (`kyosai_domain::approval`), the PDF layout (`kyosai_print::documents`).
//!
//! Files are written so that nothing half-written is ever seen: each PDF goes to a
//! `.partial` file renamed when complete, and a batch is built in a hidden staging folder
//! that becomes the visible folder only when every file is in it (cancel removes it).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use kyosai_domain::approval as ap;
use kyosai_domain::wareki;
use kyosai_print::documents::{acquisition_doc, review_notice, NoticeItem};
use kyosai_print::{render, Fonts, PrintDoc};
use kyosai_store::Store;
use kyosai_sync_client::{ErrorKind, SharedStore, SyncError};
use kyosai_sync_protocol::acquisition::ReviewResult;
use kyosai_sync_protocol::UserInfo;
use serde::Serialize;
use uuid::Uuid;

use crate::acquisitions::{form_of, get_on, record_of, AcquisitionView, KIND};
use crate::approvals::{self, parse_id, ActKindDto, ActRequest, ApprovalDetail, People};
use crate::findings::SeverityDto;
use crate::printing::pdf_file_name;
use crate::sync::{time_text, with_store};
use crate::AppError;

// ---------------------------------------------------------------------------------------
// The review screen

/// A 資格取得届 as an approver opens it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AcquisitionReviewView {
    /// The form as the clerk entered it (個人番号 masked).
    pub view: AcquisitionView,
    /// Route, history and my possible actions; `None` while it was never submitted.
    pub approval: Option<ApprovalDetail>,
    /// `certify`, `review` or `register`: the step waiting now, if any.
    pub step: Option<String>,
    /// 「証明する」「審査済みにする」「登録する」 when I may approve now.
    pub approve_label: Option<String>,
    pub can_approve: bool,
    pub can_return: bool,
}

/// 所属所長 「証明する」, 事務局審査担当 「審査済みにする」, 決裁者 「登録する」.
pub fn approve_label_for(stage: &str) -> Option<&'static str> {
    match stage {
        "certify" => Some("証明する"),
        "review" => Some("審査済みにする"),
        "register" => Some("登録する"),
        _ => None,
    }
}

fn wrong_kind() -> AppError {
    AppError::new(
        "acquisition.not_found",
        "この資格取得届が見つかりません。一覧から開き直してください。",
    )
}

/// The record id of a screen's text (for the shell's call to the central service).
pub fn record_id(id: &str) -> Result<Uuid, AppError> {
    parse_id(id)
}

/// The review screen of notification `id`.
pub fn review_of(
    store: &mut Store,
    me: &UserInfo,
    id: &str,
    now: DateTime<Utc>,
) -> Result<AcquisitionReviewView, AppError> {
    let uuid = parse_id(id)?;
    let r = record_of(store, uuid)?;
    let view = get_on(store, id, now)?;
    let submitted = r
        .server
        .as_ref()
        .and_then(|s| ap::state_of(&s.body))
        .is_some();
    let approval = if submitted {
        Some(approvals::detail_of(store, me, uuid, now)?)
    } else {
        None
    };
    let stage = view.item.stage.as_str();
    let step = matches!(stage, "certify" | "review" | "register").then(|| stage.to_string());
    let can = |a: &str| {
        approval
            .as_ref()
            .is_some_and(|d| d.actions.iter().any(|x| x == a))
    };
    let can_approve = can("approve") || can("delegate");
    let can_return = can("return");
    Ok(AcquisitionReviewView {
        approve_label: if can_approve {
            approve_label_for(stage).map(str::to_string)
        } else {
            None
        },
        step,
        can_approve,
        can_return,
        approval,
        view,
    })
}

/// [`review_of`] on the shared store.
pub async fn review(
    store: &SharedStore,
    me: UserInfo,
    id: String,
) -> Result<AcquisitionReviewView, AppError> {
    with_store(store, move |s| review_of(s, &me, &id, Utc::now())).await
}

/// 証明 / 審査 / 登録 (`approve`, or `delegate` for an absent approver) or 差戻し (a reason
/// is required) on a 資格取得届; the approval engine checks it on the copy shown and
/// `approval.act@1` is queued. Returns the screen as it now stands.
pub fn act_on(
    store: &mut Store,
    me: &UserInfo,
    req: &ActRequest,
    now: DateTime<Utc>,
) -> Result<AcquisitionReviewView, AppError> {
    let uuid = parse_id(&req.id)?;
    if record_of(store, uuid)?.kind != KIND {
        return Err(wrong_kind());
    }
    if req.kind == ActKindDto::Return
        && req
            .reason
            .as_deref()
            .map(str::trim)
            .unwrap_or("")
            .is_empty()
    {
        return Err(AppError::new(
            "approval.reason_required",
            "差戻しの理由を入力してください。何を直せばよいかが所属所に伝わるように書いてください。",
        ));
    }
    approvals::act_on(store, me, req, now)?;
    review_of(store, me, &req.id, now)
}

/// [`act_on`] on the shared store.
pub async fn act(
    store: &SharedStore,
    me: UserInfo,
    req: ActRequest,
) -> Result<AcquisitionReviewView, AppError> {
    with_store(store, move |s| act_on(s, &me, &req, Utc::now())).await
}

// ---------------------------------------------------------------------------------------
// The automated review (from the central service)

/// One result of the automated review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AutoFindingDto {
    pub code: String,
    pub severity: SeverityDto,
    /// The form field (`member.basicPensionNumber`), for the link to it.
    pub field: String,
    pub message: String,
    pub related_record_id: Option<String>,
    /// The other case's title, when this PC has it.
    pub related_title: Option<String>,
}

/// What the screen shows at the top.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AutoReviewView {
    /// `ok`, `offline`, `forbidden`, `unavailable`.
    pub state: String,
    /// Why there are no results, and what to do.
    pub message: Option<String>,
    pub checked_at: Option<String>,
    pub findings: Vec<AutoFindingDto>,
    pub errors: u32,
    pub warnings: u32,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The server's answer (or why there is none) as the screen shows it.
pub fn auto_review_of(
    store: &mut Store,
    result: Result<ReviewResult, SyncError>,
) -> Result<AutoReviewView, AppError> {
    let empty = |state: &str, message: String| AutoReviewView {
        state: state.to_string(),
        message: Some(message),
        checked_at: None,
        findings: Vec::new(),
        errors: 0,
        warnings: 0,
    };
    let r = match result {
        Ok(r) => r,
        Err(e) if e.is_offline() || e.kind == ErrorKind::Config || e.is_retryable() => {
            return Ok(empty(
                "offline",
                "中央サービスに接続できないため、自動審査の結果を表示できません。様式の確認と決裁の操作はこのまま行えます。オンラインに戻ったら「自動審査を再取得」を押してください。".to_string(),
            ))
        }
        Err(e) if e.status == Some(403) => return Ok(empty("forbidden", e.message)),
        Err(e) => {
            tracing::info!(code = %e.code, "automated review unavailable");
            return Ok(empty(
                "unavailable",
                format!("自動審査の結果を取得できませんでした（{}）", e.message),
            ));
        }
    };
    let mut findings = Vec::with_capacity(r.findings.len());
    for f in r.findings {
        let related_title = match f.related_record_id {
            Some(other) => store.sync().record(other)?.map(|x| x.title),
            None => None,
        };
        findings.push(AutoFindingDto {
            severity: if f.severity == "error" {
                SeverityDto::Error
            } else {
                SeverityDto::Warning
            },
            code: f.code,
            field: f.field,
            message: f.message,
            related_record_id: f.related_record_id.map(|u| u.to_string()),
            related_title,
        });
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == SeverityDto::Error)
        .count();
    Ok(AutoReviewView {
        state: "ok".to_string(),
        message: None,
        checked_at: Some(time_text(r.checked_at)),
        errors: count(errors),
        warnings: count(findings.len() - errors),
        findings,
    })
}

/// [`auto_review_of`] on the shared store.
pub async fn auto_review(
    store: &SharedStore,
    result: Result<ReviewResult, SyncError>,
) -> Result<AutoReviewView, AppError> {
    with_store(store, move |s| auto_review_of(s, result)).await
}

// ---------------------------------------------------------------------------------------
// Printouts

fn when_ja(at: DateTime<Utc>) -> String {
    let local = ap::jst(at);
    format!(
        "{} {}",
        wareki::format_with_seireki(local.date()),
        local.format("%H:%M")
    )
}

fn printed_at(me: Option<&UserInfo>, now: DateTime<Utc>) -> String {
    let by = me
        .map(|m| format!(" {}", m.display_name))
        .unwrap_or_default();
    format!("印刷 {}{by}", when_ja(now))
}

/// The notification as printed for the file, with its 決裁欄 (「未決裁」 until 登録).
pub fn acquisition_print_doc(
    store: &mut Store,
    me: Option<&UserInfo>,
    id: &str,
    now: DateTime<Utc>,
) -> Result<PrintDoc, AppError> {
    let uuid = parse_id(id)?;
    let r = record_of(store, uuid)?;
    let form = form_of(&r);
    let state = r.server.as_ref().and_then(|s| ap::state_of(&s.body));
    let people = People::load(store, me)?;
    let name_of = |u: &str| people.name(u);
    Ok(acquisition_doc(
        &r.id.to_string(),
        &form,
        state.as_ref(),
        &name_of,
        printed_at(me, now),
    ))
}

/// The 審査結果通知: the server's findings when `review` is given; the result line
/// carries the 差戻し reason. Without findings (offline, or not permitted to see them)
/// the notice says so rather than claim nothing was found.
pub fn notice_print_doc(
    store: &mut Store,
    me: Option<&UserInfo>,
    id: &str,
    review: Option<&ReviewResult>,
    now: DateTime<Utc>,
) -> Result<PrintDoc, AppError> {
    let uuid = parse_id(id)?;
    let r = record_of(store, uuid)?;
    let form = form_of(&r);
    let state = r.server.as_ref().and_then(|s| ap::state_of(&s.body));
    let items: Vec<NoticeItem> = review
        .map(|rv| {
            rv.findings
                .iter()
                .map(|f| NoticeItem {
                    severity_ja: if f.severity == "error" {
                        "誤り"
                    } else {
                        "確認"
                    }
                    .to_string(),
                    message: f.message.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let mut doc = review_notice(
        &r.id.to_string(),
        &form,
        state.as_ref(),
        &items,
        printed_at(me, now),
    );
    if review.is_none() {
        doc.body = "自動審査の結果は中央サービスから取得できなかったため、記載していません。\n"
            .to_string();
    }
    Ok(doc)
}

fn write_error(e: &std::io::Error) -> AppError {
    AppError::new(
        "print.write",
        format!("PDFを保存できませんでした（{e}）。ダウンロードフォルダの空き容量と権限を確認してください。"),
    )
}

/// Writes `bytes` to `path` through `path.partial` and a rename, so a reader never sees
/// a half-written file.
pub fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), AppError> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let result = std::fs::write(&partial, bytes).and_then(|_| std::fs::rename(&partial, path));
    if let Err(e) = result {
        let _ = std::fs::remove_file(&partial);
        return Err(write_error(&e));
    }
    Ok(())
}

fn fonts() -> Result<std::borrow::Cow<'static, Fonts>, AppError> {
    Fonts::find().map_err(|e| AppError::new(e.code(), e.to_string()))
}

/// Renders `doc` and writes it as `dir/name`; returns the path.
async fn render_to(doc: PrintDoc, dir: PathBuf, name: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let fonts = fonts()?;
        let bytes = render(&doc, &fonts);
        std::fs::create_dir_all(&dir).map_err(|e| write_error(&e))?;
        let path = dir.join(name);
        write_whole(&path, &bytes)?;
        Ok(path.display().to_string())
    })
    .await
    .map_err(|e| AppError::internal("pdf task", &e))?
}

/// The audit log entry of a PDF of record `id`. The file name holds the member's name, so
/// the entry names the record only.
fn pdf_entry(
    me: Option<&UserInfo>,
    id: &str,
    what: &str,
    now: DateTime<Utc>,
) -> kyosai_audit::NewEntry {
    kyosai_audit::NewEntry::now(
        me.map(|m| m.user_id.clone()).unwrap_or_default(),
        kyosai_audit::actions::EXPORT_PDF,
    )
    .target(id)
    .detail(serde_json::json!({ "what": what }))
    .at(now)
}

fn member_of(store: &mut Store, id: &str) -> Result<String, AppError> {
    let r = record_of(store, parse_id(id)?)?;
    Ok(form_of(&r)
        .member
        .name
        .unwrap_or_else(|| "氏名未入力".to_string()))
}

/// 「印刷用PDFを保存」: writes the notification to `dir`; returns the path.
pub async fn acquisition_pdf(
    store: &SharedStore,
    me: Option<UserInfo>,
    id: String,
    dir: PathBuf,
) -> Result<String, AppError> {
    let now = Utc::now();
    let entry = pdf_entry(me.as_ref(), &id, "acquisition", now);
    let (doc, name) = with_store(store, move |s| {
        let doc = acquisition_print_doc(s, me.as_ref(), &id, now)?;
        Ok((doc, member_of(s, &id)?))
    })
    .await?;
    let file = pdf_file_name(&doc.heading, &name, now);
    let path = render_to(doc, dir, file).await?;
    crate::audit::record_export(store, entry, PathBuf::from(&path)).await?;
    Ok(path)
}

/// 「審査結果通知を保存」: writes the notice to `dir`; returns the path.
pub async fn notice_pdf(
    store: &SharedStore,
    me: Option<UserInfo>,
    id: String,
    review: Option<ReviewResult>,
    dir: PathBuf,
) -> Result<String, AppError> {
    let now = Utc::now();
    let entry = pdf_entry(me.as_ref(), &id, "acquisition_notice", now);
    let (doc, name) = with_store(store, move |s| {
        let doc = notice_print_doc(s, me.as_ref(), &id, review.as_ref(), now)?;
        Ok((doc, member_of(s, &id)?))
    })
    .await?;
    let file = pdf_file_name(&doc.heading, &name, now);
    let path = render_to(doc, dir, file).await?;
    crate::audit::record_export(store, entry, PathBuf::from(&path)).await?;
    Ok(path)
}

// ---------------------------------------------------------------------------------------
// Batch printing: one hidden staging folder per batch, shown only when complete

const STAGING_PREFIX: &str = ".kyosai-print-";
const STAGING_SUFFIX: &str = ".partial";

fn bad_batch() -> AppError {
    AppError::new(
        "print.batch_missing",
        "一括印刷の作業フォルダが見つかりません。もう一度「選択した届をPDFに保存」からやり直してください。",
    )
}

fn staging_dir(downloads: &Path, batch: &str) -> Result<PathBuf, AppError> {
    let id = Uuid::parse_str(batch).map_err(|_| bad_batch())?;
    Ok(downloads.join(format!("{STAGING_PREFIX}{id}{STAGING_SUFFIX}")))
}

/// Starts a batch: creates its staging folder; returns the batch id.
pub fn batch_begin(downloads: &Path) -> Result<String, AppError> {
    let id = Uuid::new_v4().to_string();
    std::fs::create_dir_all(staging_dir(downloads, &id)?).map_err(|e| write_error(&e))?;
    tracing::info!(batch = %id, "print batch started");
    Ok(id)
}

/// 「組合員資格取得届_山田　太郎_1a2b3c4d.pdf」: the id's start keeps two namesakes apart.
pub fn batch_file_name(member: &str, record_id: &str) -> String {
    let short: String = record_id.chars().take(8).collect();
    let base = pdf_file_name("組合員資格取得届", member, Utc::now());
    // Drop the time stamp `pdf_file_name` adds: the folder carries it.
    let stem = base
        .rsplitn(3, '_')
        .nth(2)
        .unwrap_or("組合員資格取得届")
        .to_string();
    format!("{stem}_{short}.pdf")
}

/// Renders one notification into the batch's staging folder; returns the file name.
pub async fn batch_add(
    store: &SharedStore,
    me: Option<UserInfo>,
    downloads: PathBuf,
    batch: String,
    id: String,
) -> Result<String, AppError> {
    let dir = staging_dir(&downloads, &batch)?;
    if !dir.is_dir() {
        return Err(bad_batch());
    }
    let now = Utc::now();
    let entry = pdf_entry(me.as_ref(), &id, "acquisition_batch", now);
    let (doc, name) = with_store(store, move |s| {
        let doc = acquisition_print_doc(s, me.as_ref(), &id, now)?;
        Ok((doc, batch_file_name(&member_of(s, &id)?, &id)))
    })
    .await?;
    let path = render_to(doc, dir, name.clone()).await?;
    crate::audit::record_export(store, entry, PathBuf::from(path)).await?;
    Ok(name)
}

/// Makes the batch visible as 「資格取得届_一括印刷_20261126_153000」 (「_2」… when the
/// name is taken); returns the folder's path.
pub fn batch_finish(downloads: &Path, batch: &str, now: DateTime<Utc>) -> Result<String, AppError> {
    let staging = staging_dir(downloads, batch)?;
    if !staging.is_dir() {
        return Err(bad_batch());
    }
    let stem = format!(
        "資格取得届_一括印刷_{}",
        ap::jst(now).format("%Y%m%d_%H%M%S")
    );
    let mut target = downloads.join(&stem);
    let mut n = 2;
    while target.exists() {
        target = downloads.join(format!("{stem}_{n}"));
        n += 1;
    }
    std::fs::rename(&staging, &target).map_err(|e| write_error(&e))?;
    tracing::info!(batch = %batch, "print batch finished");
    Ok(target.display().to_string())
}

/// 中止: removes the staging folder and everything in it. Nothing of the batch remains.
pub fn batch_cancel(downloads: &Path, batch: &str) -> Result<(), AppError> {
    let staging = staging_dir(downloads, batch)?;
    match std::fs::remove_dir_all(&staging) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(write_error(&e)),
    }
    tracing::info!(batch = %batch, "print batch cancelled");
    Ok(())
}

#[cfg(test)]
mod tests;
