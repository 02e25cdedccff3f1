//! 資格取得届 benchmark (issue #5): check 10,000 notifications (target < 0.3 s) and render
//! 1,000 printouts with their 決裁欄 (target < 20 s, each < 150 KB). Reported, never
//! asserted; run by `scripts/bench-acquisition`. Usage:
//!
//! ```text
//! kyosai-bench-acquisition [--records 10000] [--pdfs 1000] [--json PATH]
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Instant;

use chrono::{Duration, NaiveDate};
use kyosai_domain::acquisition::{
    check, AcquisitionForm, AcquisitionReason, CheckContext, Dependant, MemberType, MyNumberText,
    PensionPeriod, PensionScheme, Sex,
};
use kyosai_domain::dependants::Relationship;
use kyosai_print::{documents, render, Fonts};

/// A small deterministic generator (xorshift), so every run checks the same forms.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// 個人番号 with a valid check digit from 11 digits.
fn my_number(rng: &mut Rng) -> String {
    let mut d: Vec<u32> = (0..11).map(|_| rng.below(10) as u32).collect();
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &x)| {
            let n = i as u32 + 1;
            x * if n <= 6 { n + 1 } else { n - 5 }
        })
        .sum();
    let r = sum % 11;
    d.push(if r <= 1 { 0 } else { 11 - r });
    d.iter()
        .map(|x| char::from_digit(*x, 10).unwrap_or('0'))
        .collect()
}

const FAMILY: [(&str, &str); 6] = [
    ("山田", "ヤマダ"),
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("渡辺", "ワタナベ"),
];
const GIVEN: [(&str, &str); 5] = [
    ("太郎", "タロウ"),
    ("花子", "ハナコ"),
    ("健", "ケン"),
    ("美咲", "ミサキ"),
    ("翔", "ショウ"),
];

fn form(rng: &mut Rng, acquired: NaiveDate) -> AcquisitionForm {
    let (f, fk) = FAMILY[rng.below(6) as usize];
    let (g, gk) = GIVEN[rng.below(5) as usize];
    let birth =
        acquired - Duration::days(365 * (18 + rng.below(45) as i64) + rng.below(365) as i64);
    let mut form = AcquisitionForm::default();
    form.office.code = Some(format!("{}", 1100 + rng.below(200)));
    form.office.name = Some("東京都総務局".into());
    form.member.name = Some(format!("{f}　{g}"));
    form.member.name_kana = Some(format!("{fk}　{gk}"));
    form.member.birth_date = Some(birth);
    form.member.sex = Some(if rng.below(2) == 0 {
        Sex::Male
    } else {
        Sex::Female
    });
    form.member.postal_code = Some("163-8001".into());
    form.member.address = Some("東京都新宿区西新宿二丁目8番1号".into());
    form.member.my_number = Some(MyNumberText::new(my_number(rng)));
    form.member.basic_pension_number = Some(format!(
        "{:04}-{:06}",
        rng.below(10_000),
        rng.below(1_000_000)
    ));
    form.acquisition.acquired_on = Some(acquired);
    form.acquisition.reason = Some(AcquisitionReason::NewHire);
    form.acquisition.member_type = Some(MemberType::General);
    form.employment.job_title = Some("主事".into());
    form.remuneration.salary = Some(140_000 + 1_000 * rng.below(300) as i64);
    form.remuneration.commuting_allowance = Some(rng.below(30_000) as i64);
    form.pension_history.push(PensionPeriod {
        kind: Some(PensionScheme::NationalPension),
        kind_detail: None,
        acquired_on: birth.checked_add_signed(Duration::days(365 * 20)),
        lost_on: Some(acquired),
    });
    for i in 0..rng.below(3) {
        form.dependants.push(Dependant {
            name: Some(format!("{f}　子{i}")),
            name_kana: Some(format!("{fk}　コ")),
            relationship: Some(Relationship::Child),
            birth_date: acquired.checked_sub_signed(Duration::days(365 * (1 + i as i64 * 3))),
            lives_together: Some(true),
            annual_income: Some(0),
            ..Dependant::default()
        });
    }
    form
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let records = arg("--records", 10_000);
    let pdfs = arg("--pdfs", 1_000);
    let json_path = std::env::args().skip_while(|a| a != "--json").nth(1);
    let acquired = NaiveDate::from_ymd_opt(2026, 4, 1).unwrap_or_default();
    let ctx = CheckContext {
        today: acquired + Duration::days(2),
        received_on: None,
    };
    let mut rng = Rng(0x6b79_6f73_6169);
    let forms: Vec<AcquisitionForm> = (0..records).map(|_| form(&mut rng, acquired)).collect();

    // Warm-up (rule tables, allocator), not counted.
    let _ = check(&forms[0], &ctx);
    let t = Instant::now();
    let mut findings = 0usize;
    for f in &forms {
        findings += check(f, &ctx).len();
    }
    let check_secs = t.elapsed().as_secs_f64();

    let fonts = match Fonts::find() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let names = |u: &str| u.to_string();
    let t = Instant::now();
    let doc0 = documents::acquisition_doc("warm", &forms[0], None, &names, "印刷".into());
    let _ = render(&doc0, &fonts);
    let first_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut sizes = Vec::with_capacity(pdfs);
    for (i, f) in forms.iter().cycle().take(pdfs).enumerate() {
        let doc = documents::acquisition_doc(
            &format!("6b796f73-{i:04}"),
            f,
            None,
            &names,
            "印刷 令和8年4月3日".into(),
        );
        sizes.push(render(&doc, &fonts).len());
    }
    let pdf_secs = t.elapsed().as_secs_f64();
    let max = sizes.iter().copied().max().unwrap_or(0);
    let avg = sizes.iter().sum::<usize>() / sizes.len().max(1);

    let pass = |ok: bool| if ok { "PASS" } else { "MISS" };
    println!(
        "資格取得届 benchmark ({} cores)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "check {records} notifications: {check_secs:.3} s ({:.1} µs each, {findings} findings) — target < 0.3 s: {}",
        check_secs * 1e6 / records as f64,
        pass(check_secs < 0.3)
    );
    println!(
        "render {pdfs} printouts: {pdf_secs:.2} s ({:.1} ms each; first, with font parsing: {:.0} ms) — target < 20 s: {}",
        pdf_secs * 1e3 / pdfs as f64,
        first_secs * 1e3,
        pass(pdf_secs < 20.0)
    );
    println!(
        "printout size: max {:.1} KB, average {:.1} KB — target < 150 KB each: {}",
        max as f64 / 1024.0,
        avg as f64 / 1024.0,
        pass(max < 150 * 1024)
    );
    if let Some(path) = json_path {
        let json = serde_json::json!({
            "records": records, "check_secs": check_secs, "findings": findings,
            "pdfs": pdfs, "pdf_secs": pdf_secs, "pdf_first_secs": first_secs,
            "pdf_max_bytes": max, "pdf_avg_bytes": avg,
        });
        if let Err(e) = std::fs::write(&path, json.to_string()) {
            eprintln!("cannot write {path}: {e}");
        }
    }
}
