//! Demo data (`kyosai-central demo-data`): three offices, one user per role and a few
//! records, so a fresh service is usable at once.
//!
//! Every demo user's password is [`DEMO_PASSWORD`]. **Demo only**: never load this into a
//! database that holds real work. Loading twice changes nothing.

use chrono::{TimeZone, Utc};
use kyosai_domain::approval::{self as appr, Position};
use kyosai_sync_protocol::{Record, Role};
use serde_json::json;
use uuid::Uuid;

use crate::config::Argon2Config;
use crate::storage::{AdminError, NewUser, Storage};

/// The password of every demo user. Public: demo only.
pub const DEMO_PASSWORD: &str = "kyosai-demo";

/// (code, name) of the demo offices.
pub const DEMO_OFFICES: &[(&str, &str)] = &[
    ("0001", "共済組合事務局"),
    ("1101", "東京都総務局"),
    ("1203", "新宿区役所"),
];

/// One demo user.
#[derive(Debug, Clone, Copy)]
pub struct DemoUser {
    pub id: &'static str,
    pub name: &'static str,
    pub role: Role,
    pub office: Option<&'static str>,
    /// Positions in the line of authority (専決規程).
    pub positions: &'static [Position],
}

/// One user per role (and a second clerk of 新宿区役所, since the OCR queue's blind double
/// entry needs two clerks of one office, and a clerk in another office), and the line of
/// authority of the 専決規程: 課長 (the 決裁権者 伊藤), 経理課長, 部長, 事務局長, 理事長.
pub const DEMO_USERS: &[DemoUser] = &[
    DemoUser {
        id: "tanto1203",
        name: "佐藤 花子",
        role: Role::OfficeClerk,
        office: Some("1203"),
        positions: &[],
    },
    DemoUser {
        id: "tanto1203b",
        name: "木村 由美",
        role: Role::OfficeClerk,
        office: Some("1203"),
        positions: &[],
    },
    DemoUser {
        id: "shocho1203",
        name: "鈴木 一郎",
        role: Role::OfficeHead,
        office: Some("1203"),
        positions: &[],
    },
    DemoUser {
        id: "tanto1101",
        name: "高橋 健",
        role: Role::OfficeClerk,
        office: Some("1101"),
        positions: &[],
    },
    DemoUser {
        id: "shinsa",
        name: "田中 美咲",
        role: Role::SecretariatReviewer,
        office: None,
        positions: &[],
    },
    DemoUser {
        id: "kessai",
        name: "伊藤 誠",
        role: Role::Approver,
        office: None,
        positions: &[Position::Kacho],
    },
    DemoUser {
        id: "itadmin",
        name: "渡辺 大輔",
        role: Role::ItAdmin,
        office: None,
        positions: &[],
    },
    DemoUser {
        id: "keiri",
        name: "山本 直子",
        role: Role::Approver,
        office: None,
        positions: &[Position::KeiriKacho],
    },
    DemoUser {
        id: "bucho",
        name: "中島 浩",
        role: Role::Approver,
        office: None,
        positions: &[Position::Bucho],
    },
    DemoUser {
        id: "kyokucho",
        name: "小川 正人",
        role: Role::Approver,
        office: None,
        positions: &[Position::Jimukyokucho],
    },
    DemoUser {
        id: "rijicho",
        name: "松本 和夫",
        role: Role::Approver,
        office: None,
        positions: &[Position::Rijicho],
    },
];

/// What [`load`] added (it skips what is already there).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DemoSummary {
    pub offices: usize,
    pub users_added: usize,
    pub records_added: usize,
}

fn demo_records() -> Vec<Record> {
    let at = |m: u32, d: u32, h: u32| {
        Utc.with_ymd_and_hms(2026, m, d, h, 0, 0)
            .single()
            .unwrap_or_else(Utc::now)
    };
    let record = |n: u128,
                  kind: &str,
                  office: &str,
                  title: &str,
                  body: serde_json::Value,
                  by: &str,
                  when| Record {
        id: Uuid::from_u128(0x6b79_6f73_6169_0000_0000_0000_0000_0000 + n),
        kind: kind.to_string(),
        office_code: office.to_string(),
        version: 1,
        state: "draft".to_string(),
        title: title.to_string(),
        body,
        created_by: by.to_string(),
        updated_by: by.to_string(),
        created_at: when,
        updated_at: when,
    };
    vec![
        record(
            1,
            "acquisition",
            "1203",
            "組合員資格取得届　山田 太郎",
            json!({
                "member_name": "山田 太郎",
                "member_kana": "ヤマダ タロウ",
                "birth_date": "1998-07-14",
                "acquired_on": "2026-04-01",
                "department": "区民部 戸籍住民課",
                "employment": "常勤"
            }),
            "tanto1203",
            at(4, 2, 0),
        ),
        record(
            2,
            "acquisition",
            "1203",
            "組合員資格取得届　小林 さくら",
            json!({
                "member_name": "小林 さくら",
                "member_kana": "コバヤシ サクラ",
                "birth_date": "2001-11-03",
                "acquired_on": "2026-04-01",
                "department": "福祉部 保護課",
                "employment": "常勤"
            }),
            "tanto1203",
            at(4, 2, 1),
        ),
        record(
            3,
            "acquisition",
            "1101",
            "組合員資格取得届　中村 翔",
            json!({
                "member_name": "中村 翔",
                "member_kana": "ナカムラ ショウ",
                "birth_date": "1995-02-20",
                "acquired_on": "2026-05-01",
                "department": "総務部 文書課",
                "employment": "常勤"
            }),
            "tanto1101",
            at(5, 7, 0),
        ),
        record(
            4,
            "note",
            "0001",
            "令和8年度 資格取得届の審査日程",
            json!({
                "text": "4月採用分の資格取得届は4月15日までに審査します。差し戻しは所属所の担当者に連絡します。"
            }),
            "shinsa",
            at(3, 25, 0),
        ),
    ]
}

/// Two 起案文書 of 新宿区役所 under approval: one waiting for the office head, one
/// approved by him and waiting for the 課長. Their approval state is made by the same
/// engine that decides on push.
fn demo_proposals() -> Vec<Record> {
    let directory: Vec<appr::ApprovalActor> = DEMO_USERS
        .iter()
        .map(|u| appr::ApprovalActor {
            user_id: u.id.to_string(),
            roles: vec![crate::model::domain_role(u.role)],
            positions: u.positions.to_vec(),
            office_code: u.office.map(str::to_string),
        })
        .collect();
    let who = |id: &str| directory.iter().find(|u| u.user_id == id).cloned();
    let table = appr::DecisionTable::builtin();
    let mut out = Vec::new();
    let items: [(u128, &str, &str, i64, bool, u32); 2] = [
        (
            11,
            "会議室用プロジェクターの購入",
            "第2会議室のプロジェクターが故障したため、同等品を購入します。見積書3社分を添付します。",
            480_000,
            false,
            9,
        ),
        (
            12,
            "窓口案内表示の更新",
            "区民課窓口の案内表示を多言語対応のものに更新します。",
            1_200_000,
            true,
            10,
        ),
    ];
    for (n, title, text, amount, head_approved, hour) in items {
        let at = Utc
            .with_ymd_and_hms(2026, 11, 20, hour, 0, 0)
            .single()
            .unwrap_or_else(Utc::now);
        let body = json!({ "text": text, "amount": amount });
        let hash = appr::content_hash("proposal", title, &body);
        let ctx = |now| appr::Context {
            now,
            today: appr::jst(now).date(),
            kind: "proposal",
            office_code: "1203",
            content_hash: &hash,
            amount_yen: amount,
            absences: &[],
            directory: &directory,
            table,
        };
        let (Some(drafter), Some(head)) = (who("tanto1203"), who("shocho1203")) else {
            continue;
        };
        let Ok(mut state) = appr::submit(None, &drafter, appr::Flags::default(), None, &ctx(at))
        else {
            continue;
        };
        let mut updated = at;
        if head_approved {
            updated = at + chrono::Duration::hours(2);
            let action = appr::Action::Approve {
                seen_hash: hash.clone(),
                comment: Some("内容を確認しました。".to_string()),
            };
            if let Ok(next) = appr::apply(&state, &head, &action, &ctx(updated)) {
                state = next;
            }
        }
        let mut body = body;
        if let (Some(map), Ok(v)) = (body.as_object_mut(), serde_json::to_value(&state)) {
            map.insert(appr::BODY_KEY.to_string(), v);
        }
        out.push(Record {
            id: Uuid::from_u128(0x6b79_6f73_6169_0000_0000_0000_0000_0000 + n),
            kind: "proposal".to_string(),
            office_code: "1203".to_string(),
            version: 1,
            state: state.status.record_state().to_string(),
            title: title.to_string(),
            body,
            created_by: "tanto1203".to_string(),
            updated_by: if head_approved {
                "shocho1203"
            } else {
                "tanto1203"
            }
            .to_string(),
            created_at: at,
            updated_at: updated,
        });
    }
    out
}

/// Procurement masters of `office` for `fiscal_year`, created by `by`: three budget lines,
/// three vendors (a 株式会社, a 有限会社 and a sole trader paid to ゆうちょ) and the
/// paying account (振込依頼人). Used by the demo data and by end-to-end tests.
pub fn procurement_masters(office: &str, fiscal_year: i32, by: &str) -> Vec<Record> {
    use kyosai_domain::procurement::steps::BudgetLine;
    use kyosai_domain::procurement::vendor::{Contact, Vendor, VendorAccount};
    let base: u128 = 0x6b79_6f73_6169_0001_0000_0000_0000_0000
        + u128::from(office.parse::<u16>().unwrap_or(0)) * 1_000;
    let at = Utc::now();
    let record = |n: u128, kind: &str, title: &str, body: serde_json::Value| Record {
        id: Uuid::from_u128(base + n),
        kind: kind.to_string(),
        office_code: office.to_string(),
        version: 1,
        state: "draft".to_string(),
        title: title.to_string(),
        body,
        created_by: by.to_string(),
        updated_by: by.to_string(),
        created_at: at,
        updated_at: at,
    };
    let mut out = Vec::new();
    for (n, code, name, allocated) in [
        (1, "01-02-03", "事務費 備品購入費", 3_000_000_i64),
        (2, "01-02-04", "事務費 消耗品費", 1_200_000),
        (3, "01-03-01", "事務費 委託料", 8_000_000),
    ] {
        let line = BudgetLine {
            fiscal_year,
            code: code.to_string(),
            name: name.to_string(),
            allocated,
        };
        out.push(record(
            n,
            "budget",
            &format!("{code} {name}"),
            serde_json::to_value(&line).unwrap_or_default(),
        ));
    }
    let vendors = [
        (
            11,
            "株式会社ヤマダ事務機",
            "カブシキガイシャ ヤマダジムキ",
            Some("7000012050002"),
            ("0005", "001", "1234567", "カ）ヤマダジムキ"),
            (
                "山田 一郎",
                "03-1234-5678",
                "160-0023",
                "東京都新宿区西新宿一丁目1番1号",
            ),
        ),
        (
            12,
            "有限会社サトウ商会",
            "ユウゲンガイシャ サトウショウカイ",
            Some("4011001098993"),
            ("0009", "001", "7654321", "ユ）サトウシヨウカイ"),
            (
                "佐藤 次郎",
                "03-2345-6789",
                "101-0051",
                "東京都千代田区神田神保町一丁目2番",
            ),
        ),
        (
            13,
            "田中印刷",
            "タナカ インサツ",
            None,
            ("9900", "018", "1234567", "タナカ タロウ"),
            (
                "田中 太郎",
                "03-3456-7890",
                "169-0075",
                "東京都新宿区高田馬場二丁目3番",
            ),
        ),
    ];
    for (
        n,
        name,
        kana,
        corporate,
        (bank, branch, account, holder),
        (person, phone, postal, address),
    ) in vendors
    {
        let v = Vendor {
            name: name.to_string(),
            name_kana: kana.to_string(),
            corporate_number: corporate.map(str::to_string),
            invoice_registration: corporate.map(|c| format!("T{c}")),
            account: Some(VendorAccount {
                bank_code: bank.to_string(),
                branch_code: branch.to_string(),
                deposit_type: 1,
                account_number: account.to_string(),
                holder_kana: holder.to_string(),
            }),
            contact: Contact {
                person: person.to_string(),
                phone: phone.to_string(),
                email: String::new(),
                postal_code: postal.to_string(),
                address: address.to_string(),
            },
        };
        out.push(record(
            n,
            "vendor",
            name,
            serde_json::to_value(&v).unwrap_or_default(),
        ));
    }
    out.push(record(
        21,
        "payer",
        "振込依頼人",
        json!({
            "code": "1234567890",
            "nameKana": "ﾄｳｷﾖｳﾄｼﾖｸｲﾝｷﾖｳｻｲｸﾐｱｲ",
            "bankCode": "0001",
            "branchCode": "004",
            "depositType": "1",
            "accountNumber": "1111111"
        }),
    ));
    out
}

/// Loads the demo offices, users and records, skipping what exists.
pub async fn load(storage: &Storage, argon2: &Argon2Config) -> Result<DemoSummary, AdminError> {
    let mut summary = DemoSummary::default();
    for (code, name) in DEMO_OFFICES {
        storage.upsert_office(code, name).await?;
        summary.offices += 1;
    }
    let existing: Vec<String> = storage.users().await?.into_iter().map(|u| u.id).collect();
    let config = *argon2;
    let hash =
        tokio::task::spawn_blocking(move || crate::auth::hash_password(&config, DEMO_PASSWORD))
            .await
            .map_err(|e| crate::storage::StorageError::Internal(e.to_string()))?
            .map_err(crate::storage::StorageError::Internal)?;
    for u in DEMO_USERS {
        if existing.iter().any(|id| id == u.id) {
            continue;
        }
        storage
            .add_user(NewUser {
                id: u.id.to_string(),
                display_name: u.name.to_string(),
                password_hash: hash.clone(),
                roles: vec![u.role],
                office_code: u.office.map(str::to_string),
            })
            .await?;
        if !u.positions.is_empty() {
            storage.set_positions(u.id, u.positions).await?;
        }
        summary.users_added += 1;
    }
    let fiscal_year = kyosai_domain::fiscal::fiscal_year(appr::jst(Utc::now()).date());
    let masters = procurement_masters("1203", fiscal_year, "tanto1203");
    for r in demo_records()
        .into_iter()
        .chain(demo_proposals())
        .chain(masters)
    {
        if storage.import_record(&r).await? {
            summary.records_added += 1;
        }
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use kyosai_domain::procurement::banks::BankMaster;
    use kyosai_domain::procurement::steps::BudgetLine;
    use kyosai_domain::procurement::vendor::{check_vendor, Vendor};
    use kyosai_domain::procurement::zengin::{build_sogo_furikomi, LineEnding, Requester};

    #[test]
    fn the_procurement_masters_pass_the_checks_the_app_runs() {
        let records = procurement_masters("1203", 2026, "tanto1203");
        let mut ids: Vec<Uuid> = records.iter().map(|r| r.id).collect();
        ids.dedup();
        assert_eq!(ids.len(), records.len());
        assert_ne!(
            procurement_masters("1101", 2026, "x")[0].id,
            records[0].id,
            "ids differ by office"
        );
        let vendors: Vec<&Record> = records.iter().filter(|r| r.kind == "vendor").collect();
        assert_eq!(vendors.len(), 3);
        for r in vendors {
            let v: Vendor = serde_json::from_value(r.body.clone()).unwrap();
            let findings = check_vendor(&v, BankMaster::builtin());
            assert!(
                findings.iter().all(|f| !f.is_error()),
                "{}: {findings:?}",
                r.title
            );
        }
        for r in records.iter().filter(|r| r.kind == "budget") {
            let b: BudgetLine = serde_json::from_value(r.body.clone()).unwrap();
            assert_eq!(b.fiscal_year, 2026);
            assert!(b.allocated > 0);
        }
        let payer = records.iter().find(|r| r.kind == "payer").unwrap();
        let text = |k: &str| payer.body[k].as_str().unwrap().to_string();
        let req = Requester {
            code: text("code"),
            name_kana: text("nameKana"),
            bank_code: text("bankCode"),
            bank_name_kana: String::new(),
            branch_code: text("branchCode"),
            branch_name_kana: String::new(),
            deposit_type: text("depositType").parse().unwrap(),
            account_number: text("accountNumber"),
        };
        let date = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        // Without transfers the builder refuses the file, but says nothing of the header.
        let errors = build_sogo_furikomi(&req, date, &[], BankMaster::builtin(), LineEnding::CrLf)
            .expect_err("no transfers");
        assert!(
            errors.iter().all(|e| !e.field.starts_with("requester")),
            "{errors:?}"
        );
    }
}
