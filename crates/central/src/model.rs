//! The service's own values: who is acting, and what they may see.

use std::sync::Arc;

use kyosai_domain::approval::Position;
use kyosai_sync_protocol::Role;
use uuid::Uuid;

/// The person behind a request, resolved from the access token alone (never from the
/// request's arguments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub user_id: String,
    pub roles: Vec<Role>,
    /// `None` for secretariat, approvers and IT (see [`Actor::scope`] for what each reads).
    pub office_code: Option<String>,
    pub device_id: Uuid,
    /// Positions in the line of authority (課長, 部長, …).
    pub positions: Vec<Position>,
    /// The directory and absences an approval decision needs, loaded by the push handler
    /// for a batch that holds approval commands or record updates.
    pub approval: Option<Arc<ApprovalView>>,
}

/// What the approval engine needs to know besides the document: who holds which role and
/// position, who is away and who stands in for them, and the decision table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalView {
    pub directory: Vec<kyosai_domain::approval::ApprovalActor>,
    pub absences: Vec<kyosai_domain::approval::Absence>,
    pub table: kyosai_domain::approval::DecisionTable,
}

/// The domain's role of the same name.
pub fn domain_role(role: Role) -> kyosai_domain::acquisition::workflow::Role {
    use kyosai_domain::acquisition::workflow::Role as D;
    match role {
        Role::OfficeClerk => D::OfficeClerk,
        Role::OfficeHead => D::OfficeHead,
        Role::SecretariatReviewer => D::SecretariatReviewer,
        Role::Approver => D::Approver,
        Role::ItAdmin => D::ItAdmin,
    }
}

/// Position ids as stored, read back; unknown ids (from a newer server) are skipped.
pub fn positions_from(ids: &[String]) -> Vec<Position> {
    let mut v: Vec<Position> = ids.iter().filter_map(|p| Position::from_id(p)).collect();
    v.sort();
    v.dedup();
    v
}

impl Actor {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// The actor as the approval engine sees them.
    pub fn approval_actor(&self) -> kyosai_domain::approval::ApprovalActor {
        kyosai_domain::approval::ApprovalActor {
            user_id: self.user_id.clone(),
            roles: self.roles.iter().map(|r| domain_role(*r)).collect(),
            positions: self.positions.clone(),
            office_code: self.office_code.clone(),
        }
    }

    /// Whether the actor holds a business role (everything but IT管理者). IT
    /// administers users, devices and configuration; it neither reads nor writes the
    /// association's business records (separation of duties).
    pub fn has_business_role(&self) -> bool {
        self.roles.iter().any(|r| *r != Role::ItAdmin)
    }

    /// What the actor may read. Office staff: their office. Secretariat and approvers
    /// without an office: every office. Anyone else (IT alone, or an office role with no
    /// office, which `user add` refuses but the database could hold): nothing.
    pub fn scope(&self) -> Scope {
        if !self.has_business_role() {
            return Scope::Nothing;
        }
        match &self.office_code {
            Some(code) => Scope::Office(code.clone()),
            None if self.has(Role::SecretariatReviewer) || self.has(Role::Approver) => Scope::All,
            None => Scope::Nothing,
        }
    }

    /// Whether the actor may fill a slot of an approval route (所属所長, 事務局審査担当,
    /// 決裁権者 or a position in the line of authority), and so register an absence.
    pub fn may_hold_approval_slot(&self) -> bool {
        self.has(Role::OfficeHead)
            || self.has(Role::SecretariatReviewer)
            || self.has(Role::Approver)
            || !self.positions.is_empty()
    }
}

/// Which records (and which change-log rows) a user sees.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Secretariat and approvers: every office. Revoke rows are not theirs (a transfer
    /// moves a record between offices they all see).
    All,
    /// A clerk or office head: the change-log rows tagged with their office.
    Office(String),
    /// No business records at all (IT管理者, or a misconfigured account).
    Nothing,
}

impl Scope {
    pub fn sees(&self, office_code: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Office(own) => own == office_code,
            Scope::Nothing => false,
        }
    }

    /// A short tag for cursors: a cursor made for one scope is not valid for another.
    pub fn tag(&self) -> String {
        match self {
            Scope::All => "*".to_string(),
            Scope::Office(code) => format!("o{code}"),
            Scope::Nothing => "-".to_string(),
        }
    }
}

/// The stored spelling of a role (the same as on the wire).
pub fn role_str(role: Role) -> &'static str {
    match role {
        Role::OfficeClerk => "office_clerk",
        Role::OfficeHead => "office_head",
        Role::SecretariatReviewer => "secretariat_reviewer",
        Role::Approver => "approver",
        Role::ItAdmin => "it_admin",
    }
}

pub fn parse_role(s: &str) -> Option<Role> {
    Role::ALL.into_iter().find(|r| role_str(*r) == s)
}

/// What a change-log row says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeOp {
    Upsert,
    Revoke,
}

impl ChangeOp {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeOp::Upsert => "upsert",
            ChangeOp::Revoke => "revoke",
        }
    }

    pub fn parse(s: &str) -> Option<ChangeOp> {
        match s {
            "upsert" => Some(ChangeOp::Upsert),
            "revoke" => Some(ChangeOp::Revoke),
            _ => None,
        }
    }
}

/// Timestamps are kept to the microsecond, as PostgreSQL stores them, so both backends
/// hand back exactly what they were given.
pub fn now() -> chrono::DateTime<chrono::Utc> {
    let now = chrono::Utc::now();
    chrono::DateTime::from_timestamp_micros(now.timestamp_micros()).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_with_the_wire_spelling() {
        for r in Role::ALL {
            assert_eq!(parse_role(role_str(r)), Some(r));
            assert_eq!(
                serde_json::to_value(r).ok(),
                Some(serde_json::Value::String(role_str(r).into()))
            );
        }
    }
}
