//! 契約相手方 (vendors) and 予算配当 (budget lines): master records synced like any
//! other record (kinds `vendor` and `budget`), not approved.

use chrono::{DateTime, Utc};
use kyosai_domain::approval::{self as ap, Status};
use kyosai_domain::ids;
use kyosai_domain::procurement::banks::BankMaster;
use kyosai_domain::procurement::document::{KIND_BUDGET, KIND_REQUEST, KIND_VENDOR};
use kyosai_domain::procurement::steps::{self, BudgetStatus, RequestBody};
use kyosai_domain::procurement::vendor::{self, Contact, Vendor, VendorAccount};
use kyosai_store::sync::LocalRecord;
use kyosai_store::Store;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::forms::{account_form, AccountForm};
use crate::findings::{has_errors, FindingDto};
use crate::input::Reader;
use crate::AppError;

/// A vendor as the form holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct VendorForm {
    pub id: Option<String>,
    pub name: String,
    pub name_kana: String,
    pub corporate_number: String,
    pub invoice_registration: String,
    pub account: AccountForm,
    pub person: String,
    pub phone: String,
    pub email: String,
    pub postal_code: String,
    pub address: String,
}

/// A vendor in the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct VendorView {
    pub id: String,
    pub form: VendorForm,
    /// 「みずほ銀行 本店 普通 1234567」, empty without an account.
    pub account_text: String,
    /// The sync label (未送信 …).
    pub label: Option<String>,
    pub findings: Vec<FindingDto>,
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

/// The form → the domain's vendor (identifiers normalised by the domain's checks).
pub fn vendor_of(f: &VendorForm) -> (Vendor, Vec<kyosai_domain::finding::Finding>) {
    let mut r = Reader::default();
    let a = &f.account;
    let has_account = !(a.bank_code.trim().is_empty()
        && a.branch_code.trim().is_empty()
        && a.account_number.trim().is_empty());
    let account = has_account.then(|| VendorAccount {
        bank_code: a.bank_code.trim().to_string(),
        branch_code: a.branch_code.trim().to_string(),
        deposit_type: r
            .count::<u8>("account.depositType", &a.deposit_type)
            .unwrap_or(0),
        account_number: a.account_number.trim().to_string(),
        holder_kana: a.holder_kana.trim().to_string(),
    });
    let v = Vendor {
        name: f.name.trim().to_string(),
        name_kana: f.name_kana.trim().to_string(),
        corporate_number: opt(&f.corporate_number),
        invoice_registration: opt(&f.invoice_registration),
        account,
        contact: Contact {
            person: f.person.trim().to_string(),
            phone: f.phone.trim().to_string(),
            email: f.email.trim().to_string(),
            postal_code: f.postal_code.trim().to_string(),
            address: f.address.trim().to_string(),
        },
    };
    (v, r.findings)
}

/// The domain's vendor → the form.
pub fn vendor_form(id: Option<String>, v: &Vendor) -> VendorForm {
    VendorForm {
        id,
        name: v.name.clone(),
        name_kana: v.name_kana.clone(),
        corporate_number: v.corporate_number.clone().unwrap_or_default(),
        invoice_registration: v.invoice_registration.clone().unwrap_or_default(),
        account: v.account.as_ref().map(account_form).unwrap_or_default(),
        person: v.contact.person.clone(),
        phone: v.contact.phone.clone(),
        email: v.contact.email.clone(),
        postal_code: v.contact.postal_code.clone(),
        address: v.contact.address.clone(),
    }
}

/// 「みずほ銀行 本店 普通 1234567」.
pub fn account_text(a: &VendorAccount, master: &BankMaster) -> String {
    let bank = master
        .bank(&a.bank_code)
        .map_or_else(|| a.bank_code.clone(), |b| b.name.clone());
    let branch = master
        .branch(&a.bank_code, &a.branch_code)
        .map_or_else(|| a.branch_code.clone(), |b| b.name.clone());
    let kind = ids::DepositType::from_code(a.deposit_type).map_or("", |d| d.name_ja());
    format!("{bank} {branch} {kind} {}", a.account_number)
}

/// All findings of a vendor form.
pub fn check_vendor(f: &VendorForm) -> Vec<FindingDto> {
    let (v, mut findings) = vendor_of(f);
    findings.extend(vendor::check_vendor(&v, BankMaster::builtin()));
    findings.into_iter().map(FindingDto::from).collect()
}

fn vendor_view(r: &LocalRecord) -> VendorView {
    let v: Vendor = serde_json::from_value(r.body.clone()).unwrap_or_default();
    let form = vendor_form(Some(r.id.to_string()), &v);
    VendorView {
        id: r.id.to_string(),
        account_text: v
            .account
            .as_ref()
            .map(|a| account_text(a, BankMaster::builtin()))
            .unwrap_or_default(),
        findings: check_vendor(&form),
        form,
        label: r.label.clone(),
    }
}

/// The vendors this PC has, by kana.
pub fn vendors_of(store: &mut Store) -> Result<Vec<VendorView>, AppError> {
    let mut out: Vec<VendorView> = store
        .sync()
        .list_records(KIND_VENDOR)?
        .iter()
        .map(vendor_view)
        .collect();
    out.sort_by(|a, b| a.form.name_kana.cmp(&b.form.name_kana));
    Ok(out)
}

/// A vendor by record id.
pub fn vendor_by_id(store: &mut Store, id: &str) -> Result<Option<Vendor>, AppError> {
    let Ok(id) = Uuid::parse_str(id) else {
        return Ok(None);
    };
    Ok(store
        .sync()
        .record(id)?
        .filter(|r| r.kind == KIND_VENDOR)
        .and_then(|r| serde_json::from_value(r.body).ok()))
}

/// Saves a vendor (errors block; the record is created in the clerk's office).
pub fn save_vendor_on(
    store: &mut Store,
    f: &VendorForm,
    office_code: Option<&str>,
) -> Result<VendorView, AppError> {
    let findings = check_vendor(f);
    if has_errors(&findings) {
        return Err(AppError::validation(&findings));
    }
    let (v, _) = vendor_of(f);
    let body = serde_json::to_value(&v).map_err(|e| AppError::internal("vendor json", &e))?;
    let id = match f.id.as_deref().filter(|s| !s.is_empty()) {
        Some(id) => {
            let id = crate::approvals::parse_id(id)?;
            store.sync().record_update_local(id, &v.name, &body)?;
            id
        }
        None => {
            let office = office_code.ok_or_else(office_unknown)?;
            store
                .sync()
                .record_create_local(KIND_VENDOR, office, &v.name, &body)?
                .0
        }
    };
    let r = store
        .sync()
        .record(id)?
        .ok_or_else(|| AppError::internal("vendor missing", &id))?;
    Ok(vendor_view(&r))
}

pub(crate) fn office_unknown() -> AppError {
    AppError::new(
        "procurement.office_unknown",
        "所属所が分かりません。サインインするか、「設定」で所属所番号を入力してください。",
    )
}

/// ゆうちょ銀行の記号・番号 → the 全銀 account (for the vendor form's helper).
pub fn yucho_account(kigo: &str, bango: &str) -> Result<AccountForm, AppError> {
    let a =
        ids::yucho_to_zengin(kigo, bango).map_err(|e| AppError::new(e.code(), e.to_string()))?;
    Ok(AccountForm {
        bank_code: a.bank_code.as_str().to_string(),
        branch_code: a.branch_code.as_str().to_string(),
        deposit_type: a.deposit_type.code().to_string(),
        account_number: a.account_number.as_str().to_string(),
        holder_kana: String::new(),
    })
}

/// A bank or branch for the form's lookup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BankChoice {
    pub code: String,
    pub name: String,
    pub kana: String,
}

/// Banks by code, name or kana (at most 20).
pub fn search_banks(query: &str) -> Vec<BankChoice> {
    BankMaster::builtin()
        .search_banks(query, 20)
        .into_iter()
        .map(|b| BankChoice {
            code: b.code.clone(),
            name: b.name.clone(),
            kana: b.kana.clone(),
        })
        .collect()
}

/// Branches of `bank` by code, name or kana (at most 20).
pub fn search_branches(bank: &str, query: &str) -> Vec<BankChoice> {
    BankMaster::builtin()
        .search_branches(bank, query, 20)
        .into_iter()
        .map(|b| BankChoice {
            code: b.code.clone(),
            name: b.name.clone(),
            kana: b.kana.clone(),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// 予算配当

/// The body of a `budget` record.
pub use kyosai_domain::procurement::steps::BudgetLine as Budget;

/// A budget line as the form holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase", default)]
pub struct BudgetForm {
    pub id: Option<String>,
    pub fiscal_year: String,
    pub code: String,
    pub name: String,
    pub allocated: String,
}

/// A budget line with what is committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BudgetView {
    pub id: String,
    pub fiscal_year: u32,
    pub code: String,
    pub name: String,
    pub allocated_text: String,
    pub committed_text: String,
    pub remaining_text: String,
    /// Used, in whole percent.
    pub used_percent: u32,
    pub label: Option<String>,
}

fn budgets(store: &mut Store) -> Result<Vec<(LocalRecord, Budget)>, AppError> {
    Ok(store
        .sync()
        .list_records(KIND_BUDGET)?
        .into_iter()
        .filter_map(|r| {
            let b: Budget = serde_json::from_value(r.body.clone()).ok()?;
            Some((r, b))
        })
        .collect())
}

/// The allocation of `code` in `fiscal_year` and what other requests (not `except`)
/// committed, or `None` when the line is not registered on this PC (the rule is the
/// domain's [`steps::budget_status`], which the central service applies too).
pub fn budget_status(
    store: &mut Store,
    fiscal_year: i32,
    code: &str,
    except: Option<Uuid>,
) -> Result<Option<BudgetStatus>, AppError> {
    let this = RequestBody {
        budget: kyosai_domain::procurement::steps::BudgetRef {
            fiscal_year,
            code: code.to_string(),
            name: String::new(),
        },
        ..RequestBody::default()
    };
    budget_status_of(store, &this, except)
}

/// [`budget_status`] for the request `this` (a 変更起案 is checked without its original).
pub fn budget_status_of(
    store: &mut Store,
    this: &RequestBody,
    except: Option<Uuid>,
) -> Result<Option<BudgetStatus>, AppError> {
    let lines: Vec<Budget> = budgets(store)?.into_iter().map(|(_, b)| b).collect();
    let others: Vec<(String, RequestBody, Option<Status>)> = store
        .sync()
        .list_records(KIND_REQUEST)?
        .iter()
        .filter(|r| Some(r.id) != except)
        .filter_map(|r| {
            let server = r.server.as_ref()?;
            let status = ap::state_of(&server.body).map(|s| s.status);
            let b: RequestBody = serde_json::from_value(server.body.clone()).ok()?;
            Some((r.id.to_string(), b, status))
        })
        .collect();
    Ok(steps::budget_status(
        this,
        &lines,
        others.iter().map(|(id, b, s)| (id.as_str(), b, *s)),
    ))
}

/// The budget lines of a 年度 (all when `None`), by code.
pub fn budgets_of(
    store: &mut Store,
    fiscal_year: Option<i32>,
) -> Result<Vec<BudgetView>, AppError> {
    let mut out = Vec::new();
    for (r, b) in budgets(store)? {
        if fiscal_year.is_some_and(|y| y != b.fiscal_year) {
            continue;
        }
        let s = budget_status(store, b.fiscal_year, &b.code, None)?.unwrap_or(BudgetStatus {
            allocated: b.allocated,
            committed: 0,
        });
        let used = if s.allocated > 0 {
            u32::try_from((s.committed * 100 / s.allocated).clamp(0, 999)).unwrap_or(0)
        } else {
            0
        };
        out.push(BudgetView {
            id: r.id.to_string(),
            fiscal_year: u32::try_from(b.fiscal_year).unwrap_or(0),
            code: b.code.clone(),
            name: b.name.clone(),
            allocated_text: ap::yen(s.allocated),
            committed_text: ap::yen(s.committed),
            remaining_text: ap::yen(s.remaining()),
            used_percent: used,
            label: r.label.clone(),
        });
    }
    out.sort_by(|a, b| (a.fiscal_year, &a.code).cmp(&(b.fiscal_year, &b.code)));
    Ok(out)
}

/// Saves a budget line (one per code and 年度).
pub fn save_budget_on(
    store: &mut Store,
    f: &BudgetForm,
    office_code: Option<&str>,
    _now: DateTime<Utc>,
) -> Result<BudgetView, AppError> {
    let mut r = Reader::default();
    let fiscal_year = r.count::<i32>("fiscalYear", &f.fiscal_year);
    let allocated = r.yen("allocated", &f.allocated);
    let mut findings: Vec<FindingDto> = r.findings.into_iter().map(FindingDto::from).collect();
    if fiscal_year.is_none_or(|y| !(2000..=2100).contains(&y)) {
        findings.push(FindingDto::error(
            "fiscalYear",
            "budget.year",
            "年度を西暦4桁で入力してください（例: 2026）。",
        ));
    }
    if f.code.trim().is_empty() {
        findings.push(FindingDto::error(
            "code",
            "budget.code",
            "予算科目コードを入力してください。",
        ));
    }
    if allocated.is_none_or(|a| a <= 0) {
        findings.push(FindingDto::error(
            "allocated",
            "budget.allocated",
            "配当額を1円以上で入力してください。",
        ));
    }
    let this = f.id.as_deref().and_then(|s| Uuid::parse_str(s).ok());
    let b = Budget {
        fiscal_year: fiscal_year.unwrap_or(0),
        code: f.code.trim().to_string(),
        name: f.name.trim().to_string(),
        allocated: allocated.unwrap_or(0),
    };
    if budgets(store)?
        .iter()
        .any(|(r, o)| Some(r.id) != this && o.fiscal_year == b.fiscal_year && o.code == b.code)
    {
        findings.push(FindingDto::error(
            "code",
            "budget.duplicate",
            format!(
                "{}年度の予算科目「{}」はもう登録されています。一覧から開いて直してください。",
                b.fiscal_year, b.code
            ),
        ));
    }
    if has_errors(&findings) {
        return Err(AppError::validation(&findings));
    }
    let title = format!("{} {}", b.code, b.name);
    let body = serde_json::to_value(&b).map_err(|e| AppError::internal("budget json", &e))?;
    match this {
        Some(id) => {
            store.sync().record_update_local(id, &title, &body)?;
        }
        None => {
            let office = office_code.ok_or_else(office_unknown)?;
            store
                .sync()
                .record_create_local(KIND_BUDGET, office, &title, &body)?;
        }
    }
    budgets_of(store, Some(b.fiscal_year))?
        .into_iter()
        .find(|v| v.code == b.code)
        .ok_or_else(|| AppError::internal("budget missing", &b.code))
}
