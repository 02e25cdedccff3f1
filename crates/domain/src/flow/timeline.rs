//! A case's passes through its steps, read from the server-owned approval history.

use chrono::{DateTime, Utc};

use super::types::STEP_DRAFT;
use crate::approval::{ActKind, ApprovalState};

/// One pass of a case through one step: from when the case reached it to when it left it
/// (`None` while it is still there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pass {
    /// [`STEP_DRAFT`] or the route step's label.
    pub step: String,
    /// The route step's index (`None` for drafting).
    pub route_index: Option<usize>,
    pub start: DateTime<Utc>,
    pub end: Option<DateTime<Utc>>,
}

/// A case's passes in time order and when it was decided (決裁済み / 却下).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Timeline {
    pub passes: Vec<Pass>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl Timeline {
    /// The pass the case is at now, if it is not finished.
    pub fn open(&self) -> Option<&Pass> {
        self.passes.last().filter(|p| p.end.is_none())
    }
}

enum Pos {
    Draft,
    Step(usize),
    Done,
}

struct Walk<'a> {
    state: &'a ApprovalState,
    passes: Vec<Pass>,
    pos: Pos,
    since: DateTime<Utc>,
    /// Slots filled per step in the current round.
    filled: Vec<usize>,
    finished_at: Option<DateTime<Utc>>,
}

impl Walk<'_> {
    fn label(&self, i: usize) -> String {
        self.state
            .route
            .steps
            .get(i)
            .map(|s| s.label_ja())
            .unwrap_or_else(|| format!("第{}段階", i + 1))
    }

    fn slots(&self, i: usize) -> usize {
        self.state.route.steps.get(i).map_or(1, |s| s.slots.len())
    }

    /// Ends the pass at the current position.
    fn leave(&mut self, at: DateTime<Utc>) {
        let (step, route_index) = match self.pos {
            Pos::Draft => (STEP_DRAFT.to_string(), None),
            Pos::Step(i) => (self.label(i), Some(i)),
            Pos::Done => return,
        };
        self.passes.push(Pass {
            step,
            route_index,
            start: self.since,
            end: Some(at),
        });
        self.since = at;
    }

    fn start_round(&mut self, at: DateTime<Utc>) {
        self.pos = Pos::Step(0);
        self.since = at;
        self.filled = vec![0; self.state.route.steps.len()];
        self.advance(at);
    }

    /// Leaves every complete step from the current one on (a 合議 step completes at its
    /// last slot's approval); the route done is the decision.
    fn advance(&mut self, at: DateTime<Utc>) {
        let n = self.state.route.steps.len();
        while let Pos::Step(i) = self.pos {
            if i >= n {
                self.pos = Pos::Done;
                self.finished_at = Some(at);
                break;
            }
            if self.filled.get(i).copied().unwrap_or(0) < self.slots(i) {
                break;
            }
            self.leave(at);
            self.pos = Pos::Step(i + 1);
        }
    }

    fn fill(&mut self, i: usize) {
        if let Some(f) = self.filled.get_mut(i) {
            *f += 1;
        }
    }
}

/// The passes of a case created at `created_at` with this approval state (drafting from
/// creation to the first 提出, and from a 差戻し / 取下げ to the next).
pub fn timeline(created_at: DateTime<Utc>, approval: Option<&ApprovalState>) -> Timeline {
    let Some(state) = approval else {
        return Timeline {
            passes: vec![Pass {
                step: STEP_DRAFT.to_string(),
                route_index: None,
                start: created_at,
                end: None,
            }],
            finished_at: None,
        };
    };
    let mut w = Walk {
        state,
        passes: Vec::new(),
        pos: Pos::Draft,
        since: created_at,
        filled: Vec::new(),
        finished_at: None,
    };
    for act in &state.history {
        let at = act.at;
        match act.kind {
            ActKind::Submit | ActKind::Reset => {
                w.leave(at);
                w.start_round(at);
            }
            ActKind::Approve | ActKind::Delegate => {
                if let Pos::Step(cur) = w.pos {
                    w.fill(act.step.unwrap_or(cur));
                    w.advance(at);
                }
            }
            ActKind::PullUp => {
                if let Pos::Step(cur) = w.pos {
                    let target = act.step.unwrap_or(cur).max(cur);
                    // The current step is left now; the steps passed over (引上げ) had
                    // nobody at them and get no pass of their own.
                    if target > cur {
                        w.leave(at);
                        for i in cur..target {
                            let full = w.slots(i);
                            if let Some(f) = w.filled.get_mut(i) {
                                *f = full;
                            }
                        }
                        w.pos = Pos::Step(target);
                    }
                    w.fill(target);
                    w.advance(at);
                }
            }
            ActKind::Return | ActKind::Withdraw => {
                if let Pos::Step(_) = w.pos {
                    w.leave(at);
                    w.pos = Pos::Draft;
                }
            }
            ActKind::Reject => {
                if let Pos::Step(_) = w.pos {
                    w.leave(at);
                    w.pos = Pos::Done;
                    w.finished_at = Some(at);
                }
            }
            ActKind::PostRead => {}
        }
    }
    match w.pos {
        Pos::Draft => w.passes.push(Pass {
            step: STEP_DRAFT.to_string(),
            route_index: None,
            start: w.since,
            end: None,
        }),
        Pos::Step(i) => {
            let step = w.label(i);
            w.passes.push(Pass {
                step,
                route_index: Some(i),
                start: w.since,
                end: None,
            });
        }
        Pos::Done => {}
    }
    // The engine's own decision time wins if the walk and the state disagree.
    let finished_at = if state.status.is_decided() {
        state.decided_at.or(w.finished_at)
    } else {
        None
    };
    Timeline {
        passes: w.passes,
        finished_at,
    }
}
