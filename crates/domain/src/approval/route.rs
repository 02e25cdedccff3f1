//! Approval routes and the effective-dated decision table that chooses them.
//!
//! A route is an ordered list of [`Step`]s (回議: one after another). A step with more than
//! one slot is a 合議 step: every slot must approve, in any order, before the route moves
//! on. A slot is filled by a role (所属所長 of the document's own office, 事務局審査担当,
//! 決裁者) or a position (課長, 経理課長, 部長, 事務局長, 理事長).
//!
//! The route is chosen from a [`RouteTable`] by document kind, amount in yen and the
//! [`Flags`] 重要 / 異例 / 先例, and frozen into the document at submission: a later table
//! applies only to documents submitted on or after its `from` day.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::ApprovalError;
use crate::acquisition::workflow::Role;

/// A post in the secretariat's line of authority (専決規程).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    /// 課長 (the section head of the drafting section).
    Kacho,
    /// 経理課長 (合議 on spending).
    KeiriKacho,
    /// 部長.
    Bucho,
    /// 事務局長.
    Jimukyokucho,
    /// 理事長.
    Rijicho,
}

impl Position {
    /// Every position.
    pub const ALL: [Position; 5] = [
        Position::Kacho,
        Position::KeiriKacho,
        Position::Bucho,
        Position::Jimukyokucho,
        Position::Rijicho,
    ];

    /// 「課長」 …
    pub fn name_ja(self) -> &'static str {
        match self {
            Position::Kacho => "課長",
            Position::KeiriKacho => "経理課長",
            Position::Bucho => "部長",
            Position::Jimukyokucho => "事務局長",
            Position::Rijicho => "理事長",
        }
    }

    /// The position named by its snake_case id (`"kacho"`), as the admin CLI takes it.
    pub fn from_id(id: &str) -> Option<Position> {
        Position::ALL.into_iter().find(|p| p.id() == id)
    }

    /// The snake_case id (`"kacho"`).
    pub fn id(self) -> &'static str {
        match self {
            Position::Kacho => "kacho",
            Position::KeiriKacho => "keiri_kacho",
            Position::Bucho => "bucho",
            Position::Jimukyokucho => "jimukyokucho",
            Position::Rijicho => "rijicho",
        }
    }
}

/// Who may fill one slot of a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Approver {
    /// A role. [`Role::OfficeHead`] means the head of the document's own office.
    Role(Role),
    /// A position.
    Position(Position),
}

impl Approver {
    /// 「所属所長」「部長」 …
    pub fn name_ja(self) -> &'static str {
        match self {
            Approver::Role(r) => r.name_ja(),
            Approver::Position(p) => p.name_ja(),
        }
    }
}

/// One step of a route: every slot must approve (one slot: 回議; several: 合議).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// The slots, in the order the 決裁欄 prints them.
    pub slots: Vec<Approver>,
}

impl Step {
    /// A serial step of one slot.
    pub fn one(a: Approver) -> Step {
        Step { slots: vec![a] }
    }

    /// Whether this is a 合議 step (several slots, any order).
    pub fn is_consultation(&self) -> bool {
        self.slots.len() > 1
    }

    /// 「課長」 or 「合議（経理課長・事務局審査担当）」.
    pub fn label_ja(&self) -> String {
        if self.is_consultation() {
            let names: Vec<&str> = self.slots.iter().map(|s| s.name_ja()).collect();
            format!("合議（{}）", names.join("・"))
        } else {
            self.slots
                .first()
                .map(|s| s.name_ja())
                .unwrap_or("")
                .to_string()
        }
    }
}

/// 重要 / 異例 / 先例: flags that force escalation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Flags {
    /// 重要: the highest band of the kind, whatever the amount.
    #[serde(default)]
    pub important: bool,
    /// 異例: one band higher.
    #[serde(default)]
    pub unusual: bool,
    /// 先例 (sets a precedent): one band higher.
    #[serde(default)]
    pub precedent: bool,
}

impl Flags {
    /// 「重要・異例」, or `""` when no flag is set.
    pub fn label_ja(self) -> String {
        let mut v = Vec::new();
        if self.important {
            v.push("重要");
        }
        if self.unusual {
            v.push("異例");
        }
        if self.precedent {
            v.push("先例");
        }
        v.join("・")
    }
}

/// Amounts from `from_yen` (inclusive) up to the next band's `from_yen` (exclusive) take
/// this route.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Band {
    /// The lowest amount of the band, in yen.
    pub from_yen: i64,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// The bands of one document kind, lowest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct KindRoutes {
    /// The record kind (`"contract"`, `"acquisition"`, …).
    pub kind: String,
    /// 「契約」 …
    pub name_ja: String,
    /// Bands sorted by `from_yen`, the first from 0.
    pub bands: Vec<Band>,
}

/// One version of the decision table (専決規程), in force from `from`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteTable {
    /// Stable id of this version, frozen into each route chosen from it.
    pub id: String,
    /// The first day documents submitted are routed by this version.
    pub from: NaiveDate,
    /// 要確認: the values are defaults, not the association's confirmed 専決規程.
    #[serde(default)]
    pub unconfirmed: bool,
    /// The kinds this version routes.
    pub kinds: Vec<KindRoutes>,
}

/// Every version of the decision table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DecisionTable {
    /// The versions; each applies from its `from` until the next one's.
    pub versions: Vec<RouteTable>,
}

/// A route as chosen and frozen into a document at submission.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FrozenRoute {
    /// The id of the table version it was chosen from.
    pub table_id: String,
    /// The band's index in that version (0 = lowest).
    pub band: usize,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

impl FrozenRoute {
    /// How many slots the route has in all (the 「m人中」 of 「n人目 / m人中」).
    pub fn slot_count(&self) -> usize {
        self.steps.iter().map(|s| s.slots.len()).sum()
    }
}

impl RouteTable {
    /// The routes of `kind`, or `None` when this version does not route it.
    pub fn kind(&self, kind: &str) -> Option<&KindRoutes> {
        self.kinds.iter().find(|k| k.kind == kind)
    }

    /// The band index an amount falls in, before flags.
    pub fn band_for_amount(routes: &KindRoutes, amount_yen: i64) -> usize {
        routes
            .bands
            .iter()
            .rposition(|b| b.from_yen <= amount_yen)
            .unwrap_or(0)
    }

    /// The route for a document of `kind` with `amount_yen` and `flags`.
    pub fn route(
        &self,
        kind: &str,
        amount_yen: i64,
        flags: Flags,
    ) -> Result<FrozenRoute, ApprovalError> {
        if amount_yen < 0 {
            return Err(ApprovalError::NegativeAmount);
        }
        let routes = self.kind(kind).ok_or_else(|| ApprovalError::NoRoute {
            kind: kind.to_string(),
        })?;
        let last = routes.bands.len().saturating_sub(1);
        let mut band = Self::band_for_amount(routes, amount_yen);
        if flags.unusual || flags.precedent {
            band = (band + 1).min(last);
        }
        if flags.important {
            band = last;
        }
        let steps = routes
            .bands
            .get(band)
            .map(|b| b.steps.clone())
            .ok_or_else(|| ApprovalError::NoRoute {
                kind: kind.to_string(),
            })?;
        Ok(FrozenRoute {
            table_id: self.id.clone(),
            band,
            steps,
        })
    }

    /// Checks the version is usable: every kind has bands, the first from 0, strictly
    /// increasing, each with at least one step of at least one slot, and no slot twice in
    /// one route.
    pub fn validate(&self) -> Result<(), String> {
        for k in &self.kinds {
            let Some(first) = k.bands.first() else {
                return Err(format!("{}: 金額帯がありません", k.kind));
            };
            if first.from_yen != 0 {
                return Err(format!("{}: 最初の金額帯は0円からにしてください", k.kind));
            }
            for w in k.bands.windows(2) {
                if w[1].from_yen <= w[0].from_yen {
                    return Err(format!("{}: 金額帯が昇順ではありません", k.kind));
                }
            }
            for b in &k.bands {
                if b.steps.is_empty() || b.steps.iter().any(|s| s.slots.is_empty()) {
                    return Err(format!("{}: 空の段階があります", k.kind));
                }
                let mut seen = std::collections::HashSet::new();
                for s in b.steps.iter().flat_map(|s| &s.slots) {
                    if !seen.insert(*s) {
                        return Err(format!(
                            "{}: 同じ決裁者（{}）が一つの経路に二度あります",
                            k.kind,
                            s.name_ja()
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

impl DecisionTable {
    /// The version in force on `date` (the latest `from` not after it).
    pub fn at(&self, date: NaiveDate) -> Option<&RouteTable> {
        self.versions
            .iter()
            .filter(|v| v.from <= date)
            .max_by_key(|v| v.from)
    }

    /// The version with this id (a frozen route names it).
    pub fn by_id(&self, id: &str) -> Option<&RouteTable> {
        self.versions.iter().find(|v| v.id == id)
    }

    /// The route for a document submitted on `date`.
    pub fn route(
        &self,
        date: NaiveDate,
        kind: &str,
        amount_yen: i64,
        flags: Flags,
    ) -> Result<FrozenRoute, ApprovalError> {
        let table = self.at(date).ok_or(ApprovalError::NoTable)?;
        table.route(kind, amount_yen, flags)
    }

    /// The table shipped with the app: the 専決規程 as the association's draft has it
    /// (要確認 until confirmed).
    pub fn builtin() -> &'static DecisionTable {
        static TABLE: std::sync::OnceLock<DecisionTable> = std::sync::OnceLock::new();
        TABLE.get_or_init(builtin_table)
    }
}

fn pos(p: Position) -> Approver {
    Approver::Position(p)
}

fn role(r: Role) -> Approver {
    Approver::Role(r)
}

/// Bands for spending documents: under 1,000,000 yen 課長専決; under 5,000,000 部長;
/// under 30,000,000 事務局長 with 経理課長 and 事務局審査担当 in 合議; from 30,000,000 理事長.
fn spending(kind: &str, name_ja: &str) -> KindRoutes {
    use Position::*;
    let consult = Step {
        slots: vec![pos(KeiriKacho), role(Role::SecretariatReviewer)],
    };
    KindRoutes {
        kind: kind.to_string(),
        name_ja: name_ja.to_string(),
        bands: vec![
            Band {
                from_yen: 0,
                steps: vec![Step::one(pos(Kacho))],
            },
            Band {
                from_yen: 1_000_000,
                steps: vec![Step::one(pos(Kacho)), Step::one(pos(Bucho))],
            },
            Band {
                from_yen: 5_000_000,
                steps: vec![
                    Step::one(pos(Kacho)),
                    consult.clone(),
                    Step::one(pos(Bucho)),
                    Step::one(pos(Jimukyokucho)),
                ],
            },
            Band {
                from_yen: 30_000_000,
                steps: vec![
                    Step::one(pos(Kacho)),
                    consult,
                    Step::one(pos(Bucho)),
                    Step::one(pos(Jimukyokucho)),
                    Step::one(pos(Rijicho)),
                ],
            },
        ],
    }
}

/// 一般起案 (伺い文書) from an office: the office head, then by amount the 決裁者 (under
/// 1,000,000 yen), 課長 and 部長 (under 5,000,000), or the secretariat's full line with
/// 合議 (from 5,000,000).
fn proposal() -> KindRoutes {
    use Position::*;
    let head = Step::one(role(Role::OfficeHead));
    KindRoutes {
        kind: "proposal".to_string(),
        name_ja: "起案文書".to_string(),
        bands: vec![
            Band {
                from_yen: 0,
                steps: vec![head.clone(), Step::one(role(Role::Approver))],
            },
            Band {
                from_yen: 1_000_000,
                steps: vec![head.clone(), Step::one(pos(Kacho)), Step::one(pos(Bucho))],
            },
            Band {
                from_yen: 5_000_000,
                steps: vec![
                    head,
                    Step::one(pos(Kacho)),
                    Step {
                        slots: vec![pos(KeiriKacho), role(Role::SecretariatReviewer)],
                    },
                    Step::one(pos(Bucho)),
                    Step::one(pos(Jimukyokucho)),
                ],
            },
        ],
    }
}

fn builtin_table() -> DecisionTable {
    let acquisition = KindRoutes {
        kind: "acquisition".to_string(),
        name_ja: "組合員資格取得届".to_string(),
        bands: vec![
            Band {
                from_yen: 0,
                steps: vec![
                    Step::one(role(Role::OfficeHead)),
                    Step::one(role(Role::SecretariatReviewer)),
                    Step::one(role(Role::Approver)),
                ],
            },
            // 重要 / 異例 / 先例: the 課長 as well.
            Band {
                from_yen: 1,
                steps: vec![
                    Step::one(role(Role::OfficeHead)),
                    Step::one(role(Role::SecretariatReviewer)),
                    Step::one(role(Role::Approver)),
                    Step::one(pos(Position::Kacho)),
                ],
            },
        ],
    };
    DecisionTable {
        versions: vec![RouteTable {
            id: "senketsu-2024-04-01".to_string(),
            from: NaiveDate::from_ymd_opt(2024, 4, 1).unwrap_or_default(),
            unconfirmed: true,
            kinds: vec![
                acquisition,
                proposal(),
                spending("procurement", "調達依頼"),
                spending("contract", "契約"),
                spending("inspection", "検収"),
                spending("payment_order", "支出命令"),
            ],
        }],
    }
}
