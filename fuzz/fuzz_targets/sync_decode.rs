//! The sync API's messages as each side decodes them (`kyosai_sync_protocol`).
//!
//! - The central service: request bodies through axum's `Json` extractor (what its
//!   `ApiJson` wraps, crates/central/src/api.rs), then each pushed command's payload as
//!   the command registry reads it (crates/central/src/commands.rs: `record.create`,
//!   `record.update`, `record.transfer`, `approval.submit`, `approval.act`) and the
//!   record bodies the rules look into (parent step, approval state, inspection result).
//! - The app's sync client: answers with `serde_json::from_slice`
//!   (crates/sync-client/src/api.rs), and the record bodies a pull brings.
//!
//! Whatever the bytes, decoding answers with a value or an error — it never panics — and
//! a value decoded re-encodes to what decodes to the same value.
#![no_main]

use axum::Json;
use kyosai_domain::acquisition::AcquisitionForm;
use kyosai_domain::approval as appr;
use kyosai_domain::procurement::document as procurement;
use kyosai_sync_protocol::{
    acquisition, approval, record, ApiError, Change, ConflictList, Hello, LoginRequest,
    PokeRequest, PokeResponse, PullRequest, PullResponse, PushRequest, PushResponse,
    RefreshRequest, ResolveConflict, Session,
};
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A request body as the central service reads it.
fn server_reads<T: DeserializeOwned>(data: &[u8]) -> Option<T> {
    Json::<T>::from_bytes(data).ok().map(|Json(v)| v)
}

/// An answer as the app's sync client reads it.
fn client_reads<T: DeserializeOwned>(data: &[u8]) -> Option<T> {
    serde_json::from_slice(data).ok()
}

/// Re-encodes `v`; for types without floating point, the encoding decodes to `v` again.
fn encodes<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(v: &T, exact: bool) {
    let bytes = match serde_json::to_vec(v) {
        Ok(bytes) => bytes,
        Err(e) => panic!("a decoded value does not encode: {e}"),
    };
    if exact {
        let back: T = match serde_json::from_slice(&bytes) {
            Ok(back) => back,
            Err(e) => panic!("an encoded value does not decode: {e}"),
        };
        assert_eq!(&back, v);
    }
}

/// What the server's rules and the app read from a record body.
fn read_body(kind: &str, body: &serde_json::Value) {
    let _ = procurement::parent_of(body);
    let _ = procurement::inspection_passed(body);
    let _ = appr::state_of(body);
    let _ = appr::document_amount(body);
    if kind == "acquisition" {
        let _ = AcquisitionForm::deserialize(body);
    }
}

fn check<T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug>(
    v: Option<T>,
    exact: bool,
) -> Option<T> {
    if let Some(v) = &v {
        encodes(v, exact);
    }
    v
}

fuzz_target!(|data: &[u8]| {
    // The central service.
    check(server_reads::<LoginRequest>(data), true);
    check(server_reads::<RefreshRequest>(data), true);
    check(server_reads::<PullRequest>(data), true);
    check(server_reads::<PokeRequest>(data), true);
    check(server_reads::<ResolveConflict>(data), true);
    check(server_reads::<approval::NewAbsence>(data), true);
    if let Some(push) = check(server_reads::<PushRequest>(data), false) {
        for c in &push.commands {
            let p = &c.payload;
            if let Ok(create) = record::Create::deserialize(p) {
                read_body(&create.kind, &create.body);
            }
            if let Ok(update) = record::Update::deserialize(p) {
                read_body("", &update.body);
            }
            let _ = record::Transfer::deserialize(p);
            let _ = approval::Submit::deserialize(p);
            if let Ok(action) = appr::Action::deserialize(p) {
                encodes(&action, true);
            }
        }
    }

    // The app's sync client.
    check(client_reads::<Hello>(data), true);
    check(client_reads::<Session>(data), true);
    check(client_reads::<PushResponse>(data), true);
    check(client_reads::<PokeResponse>(data), true);
    check(client_reads::<ConflictList>(data), false);
    check(client_reads::<ApiError>(data), true);
    check(client_reads::<approval::Directory>(data), true);
    check(client_reads::<approval::AbsenceInfo>(data), true);
    check(client_reads::<acquisition::ReviewResult>(data), true);
    if let Some(pull) = check(client_reads::<PullResponse>(data), false) {
        for change in &pull.changes {
            if let Change::Upsert { record } = change {
                read_body(&record.kind, &record.body);
            }
        }
    }
});
