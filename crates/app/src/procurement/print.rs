//! 印刷 of the procurement steps: 契約書 / 請書, 検査調書 and 支出命令書
//! (`kyosai_print::procurement`), with the 決裁欄 and the 「未決裁」 watermark until
//! decided. The 調達依頼 itself prints as any document under approval.

use chrono::{DateTime, Utc};
use kyosai_domain::approval as ap;
use kyosai_domain::procurement::banks::BankMaster;
use kyosai_domain::procurement::calendar::HolidayTable;
use kyosai_domain::procurement::document as doc;
use kyosai_domain::procurement::steps::{
    ContractBody, InspectionBody, PaymentOrderBody, RequestBody,
};
use kyosai_print::procurement::{
    contract_doc, inspection_doc, payment_order_doc, Printing, Record,
};
use kyosai_print::PrintDoc;
use kyosai_store::sync::LocalRecord;
use kyosai_store::Store;
use kyosai_sync_protocol::UserInfo;
use uuid::Uuid;

use crate::approvals::People;
use crate::AppError;

fn body<T: for<'de> serde::Deserialize<'de> + Default>(r: &LocalRecord) -> T {
    serde_json::from_value(r.body.clone()).unwrap_or_default()
}

fn parent(store: &mut Store, r: &LocalRecord) -> Result<Option<LocalRecord>, AppError> {
    match doc::parent_of(&r.body).and_then(|p| Uuid::parse_str(p).ok()) {
        Some(id) => Ok(store.sync().record(id)?),
        None => Ok(None),
    }
}

fn missing() -> AppError {
    AppError::new(
        "print.parent_missing",
        "元の文書（調達依頼・契約・検査）がこのPCにありません。同期してからもう一度印刷してください。",
    )
}

/// The printout of a contract, inspection or payment order; `None` for other kinds.
pub fn print_doc(
    store: &mut Store,
    me: Option<&UserInfo>,
    r: &LocalRecord,
    now: DateTime<Utc>,
) -> Result<Option<PrintDoc>, AppError> {
    if !matches!(
        r.kind.as_str(),
        doc::KIND_CONTRACT | doc::KIND_INSPECTION | doc::KIND_PAYMENT_ORDER
    ) {
        return Ok(None);
    }
    let people = People::load(store, me)?;
    let name_of = |u: &str| people.name(u);
    let state = r.server.as_ref().and_then(|s| ap::state_of(&s.body));
    let local = ap::jst(now);
    let printing = Printing {
        approval: state.as_ref(),
        name_of: &name_of,
        printed_at: format!(
            "{} {}",
            kyosai_domain::wareki::format_with_seireki(local.date()),
            local.format("%H:%M")
        ),
    };
    let id = r.id.to_string();
    let out = match r.kind.as_str() {
        doc::KIND_CONTRACT => {
            let request = parent(store, r)?.ok_or_else(missing)?;
            let c: ContractBody = body(r);
            contract_doc(
                Record {
                    id: &id,
                    title: &r.title,
                    body: &c,
                },
                &body::<RequestBody>(&request),
                &[],
                &printing,
            )
        }
        doc::KIND_INSPECTION => {
            let contract = parent(store, r)?.ok_or_else(missing)?;
            let i: InspectionBody = body(r);
            let c: ContractBody = body(&contract);
            let cid = contract.id.to_string();
            inspection_doc(
                Record {
                    id: &id,
                    title: &r.title,
                    body: &i,
                },
                Record {
                    id: &cid,
                    title: &contract.title,
                    body: &c,
                },
                &printing,
            )
        }
        _ => {
            let inspection = parent(store, r)?.ok_or_else(missing)?;
            let contract = parent(store, &inspection)?.ok_or_else(missing)?;
            let request = parent(store, &contract)?.ok_or_else(missing)?;
            let o: PaymentOrderBody = body(r);
            let c: ContractBody = body(&contract);
            let cid = contract.id.to_string();
            payment_order_doc(
                Record {
                    id: &id,
                    title: &r.title,
                    body: &o,
                },
                Record {
                    id: &cid,
                    title: &contract.title,
                    body: &c,
                },
                &body::<RequestBody>(&request),
                &body::<InspectionBody>(&inspection),
                HolidayTable::builtin(),
                BankMaster::builtin(),
                &printing,
            )
        }
    };
    Ok(Some(out))
}
