//! Checks of 年金加入期間 (earlier pension memberships).

use chrono::NaiveDate;

use super::{codes, Run};

pub(super) fn check_history(run: &mut Run<'_>) {
    let birth = run.birth();
    let acquired = run.acquired_on();
    // Periods with both dates in the right order, for the overlap check: [取得日, 喪失日).
    let mut complete: Vec<(usize, NaiveDate, NaiveDate)> = Vec::new();
    for (i, period) in run.form.pension_history.iter().enumerate() {
        let field = |name: &str| format!("pensionHistory[{i}].{name}");
        if let (Some(from), Some(lost)) = (period.acquired_on, period.lost_on) {
            if lost < from {
                run.error(
                    field("lostOn"),
                    codes::PENSION_HISTORY_LOST_BEFORE_ACQUIRED,
                    "喪失日が取得日より前になっています。取得日と喪失日を確認してください。",
                );
            } else {
                complete.push((i, from, lost));
            }
        }
        if let (Some(from), Some(birth)) = (period.acquired_on, birth) {
            if from < birth {
                run.error(
                    field("acquiredOn"),
                    codes::PENSION_HISTORY_BEFORE_BIRTH,
                    "取得日が生年月日より前になっています。取得日を確認してください。",
                );
            }
        }
        if let Some(acquired) = acquired {
            // 喪失日 is the first day outside the scheme, so it may equal this 資格取得年月日.
            let (name, runs_past) = match (period.acquired_on, period.lost_on) {
                (_, Some(lost)) => ("lostOn", lost > acquired),
                (Some(from), None) => ("acquiredOn", from >= acquired),
                (None, None) => ("lostOn", false),
            };
            if runs_past {
                run.warning(
                    field(name),
                    codes::PENSION_HISTORY_AFTER_ACQUISITION,
                    "この加入期間が今回の資格取得年月日より後まで続いています。取得日・喪失日を確認してください。",
                );
            }
        }
    }
    for (pos, &(j, from_j, lost_j)) in complete.iter().enumerate() {
        let earlier = complete[..pos]
            .iter()
            .find(|&&(_, from_i, lost_i)| from_i < lost_j && from_j < lost_i);
        if let Some(&(i, _, _)) = earlier {
            run.warning(
                format!("pensionHistory[{j}].acquiredOn"),
                codes::PENSION_HISTORY_OVERLAP,
                format!(
                    "{}行目の加入期間と重なっています。取得日・喪失日を確認してください。",
                    i + 1
                ),
            );
        }
    }
}
