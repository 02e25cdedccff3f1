//! AI-OCR correction queue: the **edit lease** a clerk takes on a scanned document
//! (a synced record of kind [`KIND`]) before correcting it, so that two clerks never
//! correct the same document at once.
//!
//! `POST /sync/v1/ocr/{id}/lease` with a [`LeaseRequest`] answers the [`Lease`] as it is
//! after the action. A lease lasts [`LEASE_SECONDS`] from its last acquire or renew; the
//! app renews it while the document is open and releases it when the clerk leaves.
//! Refusals are 409 with [`codes::LEASE_HELD`] (someone else holds it; the message names
//! them and until when) or [`codes::LEASE_LOST`] (a renew after the lease ended or passed
//! to someone else).
//!
//! Unlike the other protocol types, these are camelCase on the wire: the correction
//! screen reads them as they come.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The record kind of a scanned document in the correction queue.
pub const KIND: &str = "ocr_document";

/// How long a lease lasts after an acquire or renew, in seconds (the server's
/// configuration may shorten it; its answer's `expiresAt` is what counts).
pub const LEASE_SECONDS: i64 = 300;

/// Error codes of the lease endpoint.
pub mod codes {
    /// Acquire: someone else holds an unexpired lease on the document.
    pub const LEASE_HELD: &str = "ocr.lease_held";
    /// Renew: the caller no longer holds the lease (it expired, was released, or the
    /// server restarted); the document must be opened again.
    pub const LEASE_LOST: &str = "ocr.lease_lost";
}

/// What to do with the lease.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum LeaseAction {
    /// Take the lease: granted when free, expired or already the caller's.
    Acquire,
    /// Extend the caller's unexpired lease.
    Renew,
    /// Give the caller's lease up (a no-op when the caller holds none).
    Release,
}

/// `POST /sync/v1/ocr/{id}/lease`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeaseRequest {
    pub action: LeaseAction,
}

/// A document's lease as it stands after the request.
///
/// A free document (never leased, released, or its lease expired) has an empty
/// `holderId` and `holderName` and `expiresAt` = the server's time of the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Lease {
    pub document_id: Uuid,
    /// The user id of the holder (empty when free).
    pub holder_id: String,
    /// The holder's name as people read it, e.g. 「佐藤 花子」 (empty when free).
    pub holder_name: String,
    /// When the lease ends unless renewed (server clock).
    pub expires_at: DateTime<Utc>,
    /// Whether the caller holds it.
    pub held_by_me: bool,
}

impl Lease {
    /// Whether nobody holds the document.
    pub fn is_free(&self) -> bool {
        self.holder_id.is_empty()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// The wire shape is part of the protocol: pin it.
    #[test]
    fn lease_json_is_pinned() {
        for (action, text) in [
            (LeaseAction::Acquire, r#"{"action":"acquire"}"#),
            (LeaseAction::Renew, r#"{"action":"renew"}"#),
            (LeaseAction::Release, r#"{"action":"release"}"#),
        ] {
            let req = LeaseRequest { action };
            assert_eq!(serde_json::to_string(&req).unwrap(), text);
            assert_eq!(serde_json::from_str::<LeaseRequest>(text).unwrap(), req);
        }
        assert!(serde_json::from_str::<LeaseRequest>(r#"{"action":"steal"}"#).is_err());
        let lease = Lease {
            document_id: Uuid::nil(),
            holder_id: "tanto1203".into(),
            holder_name: "佐藤 花子".into(),
            expires_at: DateTime::from_timestamp(1_775_000_000, 0).unwrap(),
            held_by_me: true,
        };
        let json = serde_json::to_string(&lease).unwrap();
        assert_eq!(
            json,
            r#"{"documentId":"00000000-0000-0000-0000-000000000000","holderId":"tanto1203","holderName":"佐藤 花子","expiresAt":"2026-03-31T23:33:20Z","heldByMe":true}"#
        );
        assert_eq!(serde_json::from_str::<Lease>(&json).unwrap(), lease);
        assert!(!lease.is_free());
        assert_eq!(codes::LEASE_HELD, "ocr.lease_held");
        assert_eq!(codes::LEASE_LOST, "ocr.lease_lost");
    }
}
