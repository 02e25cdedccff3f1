//! `kyosai grade --pay YEN [--on DATE]`: both 標準報酬 grades of a 報酬月額.

use chrono::NaiveDate;
use kyosai_domain::grades::{health_grade, pension_grade};
use serde_json::json;

use crate::{error_json, Output};

pub fn grade(pay: i64, on: NaiveDate) -> Output {
    let health = match health_grade(pay, on) {
        Ok(g) => g,
        Err(e) => {
            return Output {
                json: error_json(e.code(), &e.to_string()),
                valid: false,
            }
        }
    };
    // The pension table may not exist on very old dates: report that beside the health grade.
    let pension = match pension_grade(pay, on) {
        Ok(g) => json!({ "grade": g.grade, "standardMonthly": g.standard_monthly }),
        Err(e) => json!({ "error": { "code": e.code(), "message": e.to_string() } }),
    };
    Output {
        json: json!({
            "pay": pay,
            "on": on.format("%Y-%m-%d").to_string(),
            "health": { "grade": health.grade, "standardMonthly": health.standard_monthly },
            "pension": pension,
        }),
        valid: true,
    }
}
