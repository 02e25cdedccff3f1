//! The printouts of the 組合員資格取得届 flow, as [`PrintDoc`]s: the notification as
//! printed for the file (with its 決裁欄: 証明 → 審査 → 登録) and the 審査結果通知 sent back
//! to the office. 個人番号 is printed masked (only its last four digits).

use kyosai_domain::acquisition::{AcquisitionForm, Sex};
use kyosai_domain::approval::{self as ap, ApprovalState, Status};
use kyosai_domain::wareki;

use crate::{approval_block, PrintDoc};

fn date_ja(d: Option<chrono::NaiveDate>) -> String {
    d.map(wareki::format_with_seireki).unwrap_or_default()
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_default()
}

fn masked_my_number(form: &AcquisitionForm) -> String {
    let digits: String = form
        .member
        .my_number
        .as_ref()
        .map(|m| m.expose().chars().filter(char::is_ascii_digit).collect())
        .unwrap_or_default();
    match digits.len() {
        12 => format!("●●●● ●●●● {}", &digits[8..]),
        0 => String::new(),
        _ => "（形式に誤り）".to_string(),
    }
}

/// 「組合員資格取得届」 as printed for the file.
pub fn acquisition_doc(
    record_id: &str,
    form: &AcquisitionForm,
    state: Option<&ApprovalState>,
    name_of: &dyn Fn(&str) -> String,
    printed_at: String,
) -> PrintDoc {
    let m = &form.member;
    let a = &form.acquisition;
    let e = &form.employment;
    let grades = kyosai_domain::acquisition::assess(
        form,
        &kyosai_domain::acquisition::CheckContext {
            today: a
                .acquired_on
                .unwrap_or_else(|| chrono::Utc::now().date_naive()),
            received_on: None,
        },
    )
    .grades;
    let mut fields = vec![
        (
            "所属所".to_string(),
            format!("{} {}", opt(&form.office.code), opt(&form.office.name))
                .trim()
                .to_string(),
        ),
        ("氏名".to_string(), opt(&m.name)),
        ("フリガナ".to_string(), opt(&m.name_kana)),
        ("生年月日".to_string(), date_ja(m.birth_date)),
        (
            "性別".to_string(),
            match m.sex {
                Some(Sex::Male) => "男".to_string(),
                Some(Sex::Female) => "女".to_string(),
                None => String::new(),
            },
        ),
        (
            "住所".to_string(),
            format!("〒{} {}", opt(&m.postal_code), opt(&m.address)),
        ),
        ("個人番号".to_string(), masked_my_number(form)),
        ("基礎年金番号".to_string(), opt(&m.basic_pension_number)),
        ("資格取得年月日".to_string(), date_ja(a.acquired_on)),
        (
            "取得事由".to_string(),
            a.reason
                .map(|r| r.name_ja().to_string())
                .unwrap_or_default(),
        ),
        (
            "組合員種別".to_string(),
            a.member_type
                .map(|t| t.name_ja().to_string())
                .unwrap_or_default(),
        ),
        (
            "職名・給料".to_string(),
            [
                opt(&e.job_title),
                opt(&e.salary_table),
                e.salary_class.map(|c| format!("{c}級")).unwrap_or_default(),
                e.salary_step
                    .map(|s| format!("{s}号給"))
                    .unwrap_or_default(),
            ]
            .iter()
            .filter(|p| !p.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(" "),
        ),
    ];
    if let Some(g) = &grades {
        fields.push((
            "報酬月額・等級".to_string(),
            format!(
                "{} 円 ／ 短期 第{}級 {} 円{}",
                ap::yen(g.monthly),
                g.health.grade,
                ap::yen(g.health.standard_monthly),
                g.pension
                    .map(|p| format!(
                        " ／ 厚生年金 第{}級 {} 円",
                        p.grade,
                        ap::yen(p.standard_monthly)
                    ))
                    .unwrap_or_default()
            ),
        ));
    }
    let mut body = String::new();
    body.push_str("年金加入期間\n");
    if form.pension_history.is_empty() {
        body.push_str("  なし\n");
    }
    for p in &form.pension_history {
        body.push_str(&format!(
            "  {}  {} 〜 {}\n",
            p.kind.map(|k| k.name_ja()).unwrap_or_default(),
            date_ja(p.acquired_on),
            date_ja(p.lost_on)
        ));
    }
    body.push_str("\n被扶養者\n");
    if form.dependants.is_empty() {
        body.push_str("  なし\n");
    }
    for d in &form.dependants {
        body.push_str(&format!(
            "  {}（{}）  {}  {}  年収 {} 円\n",
            opt(&d.name),
            opt(&d.name_kana),
            d.relationship.map(|r| r.name_ja()).unwrap_or_default(),
            date_ja(d.birth_date),
            d.annual_income.map(ap::yen).unwrap_or_default()
        ));
    }
    let mut approval = state
        .map(|s| approval_block(s, name_of))
        .unwrap_or_default();
    // On this form the steps are 証明 / 審査 / 登録.
    for (cell, title) in approval
        .columns
        .iter_mut()
        .skip(1)
        .zip(["証明", "審査", "登録"])
    {
        cell.title = format!("{title}（{}）", cell.title);
    }
    PrintDoc {
        heading: "組合員資格取得届".to_string(),
        reference: Some(format!("文書ID {record_id}")),
        fields,
        body_label: Some("年金加入期間・被扶養者".to_string()),
        body,
        approval,
        decided: state.is_some_and(|s| s.status == Status::Approved),
        printed_at,
    }
}

/// One result of the review, for the 審査結果通知.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeItem {
    /// 「誤り」 or 「確認」.
    pub severity_ja: String,
    pub message: String,
}

/// 「審査結果通知」: what the secretariat found, sent back to the office.
pub fn review_notice(
    record_id: &str,
    form: &AcquisitionForm,
    state: Option<&ApprovalState>,
    items: &[NoticeItem],
    printed_at: String,
) -> PrintDoc {
    let result = match state.map(|s| s.status) {
        Some(Status::Approved) => "登録しました。".to_string(),
        Some(Status::Returned) => {
            let reason = state
                .and_then(|s| {
                    s.history
                        .iter()
                        .rev()
                        .find(|a| a.kind == ap::ActKind::Return)
                })
                .and_then(|a| a.comment.clone())
                .unwrap_or_default();
            format!("差し戻します。理由: {reason}")
        }
        Some(Status::InProgress) => "審査中です。".to_string(),
        Some(other) => other.label_ja().to_string(),
        None => "未提出です。".to_string(),
    };
    let mut body = String::new();
    if items.is_empty() {
        body.push_str("自動審査で指摘はありませんでした。\n");
    }
    for (i, it) in items.iter().enumerate() {
        body.push_str(&format!(
            "{}. 【{}】{}\n",
            i + 1,
            it.severity_ja,
            it.message
        ));
    }
    PrintDoc {
        heading: "審査結果通知".to_string(),
        reference: Some(format!("文書ID {record_id}")),
        fields: vec![
            (
                "宛先".to_string(),
                format!("{} {} 御中", opt(&form.office.code), opt(&form.office.name))
                    .trim()
                    .to_string(),
            ),
            (
                "対象".to_string(),
                format!("組合員資格取得届　{}", opt(&form.member.name)),
            ),
            (
                "資格取得年月日".to_string(),
                date_ja(form.acquisition.acquired_on),
            ),
            ("審査結果".to_string(), result),
        ],
        body_label: Some("審査での指摘".to_string()),
        body,
        approval: Default::default(),
        // A notice is not itself decided: it reports a decision.
        decided: true,
        printed_at,
    }
}
