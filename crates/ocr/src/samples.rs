//! The sample-form generator: realistic filled 資格取得届 and 請求書 scans with their
//! ground truth, deterministic from a seed.
//!
//! Each document is drawn from its [`Template`] the way the printed form looks (registration
//! marks, ruled boxes, shaded label cells, fixed text), filled with plausible Japanese data
//! (names with readings, Tokyo addresses, valid 個人番号 and 登録番号, 和暦 dates, amounts
//! whose tax and totals add up, real bank and branch codes from the 全銀 master), in one of
//! three typefaces; fields the template marks handwritten use a handwriting-like font with
//! jitter. The page is then scanned: paper tone, noise and specks, a seal (印) in grey, a
//! small rotation (±2.5°), shift and scale, sometimes 200 dpi instead of 300, and JPEG
//! artefacts. The same seed gives the same bytes.
//!
//! Fonts come from Debian packages (`fonts-morisawa-bizud-gothic`, `fonts-ipaexfont-mincho`,
//! `fonts-noto-cjk`, `fonts-klee`), installed by `scripts/lib.sh`; [`Fonts::system`] says
//! which package is missing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
use chrono::{Datelike, NaiveDate};
use image::{GrayImage, Luma};
use serde::{Deserialize, Serialize};

use crate::error::OcrError;
use crate::raster::{blend, fill_rect, line, rect_outline, sample_bilinear};
use crate::template::{self, FieldSpec, Template};
use kyosai_domain::ids::{corporate_number_check_digit, my_number_check_digit};
use kyosai_domain::procurement::banks::BankMaster;
use kyosai_domain::wareki;

// ---------------------------------------------------------------------------------------
// Random numbers: SplitMix64, so that a seed gives the same documents on every platform and
// with every version of every crate.

/// A small deterministic random number generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Uniform in `[lo, hi)`.
    pub fn range_f(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * self.unit()
    }

    /// Uniform integer in `[lo, hi]`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = (hi - lo + 1).max(1) as u64;
        lo + (self.next_u64() % span) as i64
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f32) -> bool {
        self.unit() < p
    }

    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = (self.next_u64() % items.len().max(1) as u64) as usize;
        &items[i.min(items.len().saturating_sub(1))]
    }

    /// Approximately normal (sum of uniforms), mean 0, standard deviation 1.
    pub fn normal(&mut self) -> f32 {
        (0..4).map(|_| self.unit()).sum::<f32>() * 1.732 - 3.464
    }
}

// ---------------------------------------------------------------------------------------
// Fonts

/// The typefaces the generator uses.
#[derive(Debug)]
pub struct Fonts {
    /// The form's printing: BIZ UDGothic.
    pub form: FontVec,
    /// Typed values, one per document: IPAex Mincho, Noto Sans CJK JP, BIZ UDGothic.
    pub typed: Vec<(String, FontVec)>,
    /// Handwriting-like: Klee One (Fontworks, OFL).
    pub hand: FontVec,
}

const BIZUD: (&str, &str) = (
    "/usr/share/fonts/truetype/bizud-gothic/BIZUDGothic-Regular.ttf",
    "fonts-morisawa-bizud-gothic",
);
const IPAEX_MINCHO: (&str, &str) = (
    "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",
    "fonts-ipaexfont-mincho",
);
const NOTO_SANS: (&str, &str) = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "fonts-noto-cjk",
);
const KLEE: (&str, &str) = (
    "/usr/share/fonts/truetype/klee/KleeOne-SemiBold.ttf",
    "fonts-klee",
);

fn load_font(path: &str, package: &str) -> Result<FontVec, OcrError> {
    let bytes = std::fs::read(path).map_err(|e| OcrError::Io {
        path: format!("{path}（Debian パッケージ {package}）"),
        source: e,
    })?;
    FontVec::try_from_vec_and_index(bytes, 0).map_err(|_| OcrError::Image {
        detail: format!("フォント {path} を読み込めません"),
    })
}

impl Fonts {
    /// The Debian fonts the generator needs; an error names the missing package.
    pub fn system() -> Result<Fonts, OcrError> {
        Ok(Fonts {
            form: load_font(BIZUD.0, BIZUD.1)?,
            typed: vec![
                (
                    "IPAexMincho".into(),
                    load_font(IPAEX_MINCHO.0, IPAEX_MINCHO.1)?,
                ),
                ("NotoSansCJKjp".into(), load_font(NOTO_SANS.0, NOTO_SANS.1)?),
                ("BIZUDGothic".into(), load_font(BIZUD.0, BIZUD.1)?),
            ],
            hand: load_font(KLEE.0, KLEE.1)?,
        })
    }
}

/// Text width in pixels at `px` em size.
fn text_width(font: &FontVec, text: &str, px: f32) -> f32 {
    let scaled = font.as_scaled(PxScale::from(px));
    text.chars()
        .map(|c| scaled.h_advance(font.glyph_id(c)))
        .sum()
}

/// Draws `text` with its em box's top at `top` (pixels); returns the advance.
#[allow(clippy::too_many_arguments)]
fn draw_text(
    img: &mut GrayImage,
    font: &FontVec,
    text: &str,
    x: f32,
    top: f32,
    px: f32,
    ink: u8,
    jitter: Option<(&mut Rng, f32)>,
) -> f32 {
    let mut jitter = jitter;
    let mut caret = x;
    for c in text.chars() {
        let (mut size, mut dy, mut dx) = (px, 0.0, 0.0);
        if let Some((rng, amount)) = jitter.as_mut() {
            size *= 1.0 + rng.range_f(-0.08, 0.08) * *amount;
            dy = rng.normal() * 0.04 * px * *amount;
            dx = rng.normal() * 0.03 * px * *amount;
        }
        let scaled = font.as_scaled(PxScale::from(size));
        let id = font.glyph_id(c);
        // Centre the em box vertically the same way for every font: baseline at 0.88 em.
        let glyph = id.with_scale_and_position(
            PxScale::from(size),
            ab_glyph::point(caret + dx, top + dy + 0.88 * px),
        );
        if let Some(outlined) = font.outline_glyph(glyph) {
            let b = outlined.px_bounds();
            outlined.draw(|gx, gy, cov| {
                blend(
                    img,
                    b.min.x as i64 + i64::from(gx),
                    b.min.y as i64 + i64::from(gy),
                    ink,
                    cov,
                );
            });
        }
        caret += scaled.h_advance(id);
    }
    caret - x
}

// ---------------------------------------------------------------------------------------
// Ground truth

/// What was written in one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruthField {
    /// The text as printed on the page (「215,400」, 「平成2年5月3日」); empty when blank.
    pub printed: String,
    /// The value the reader should produce after its checks (「215400」, 「1990-05-03」).
    pub value: String,
}

/// The ground truth of one generated document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroundTruth {
    /// Document id (`acq-007`).
    pub document_id: String,
    /// Template id.
    pub template_id: String,
    /// Field id → what was written.
    pub fields: BTreeMap<String, TruthField>,
    /// How the page was scanned (for the record; not needed to read it).
    pub scan: ScanParams,
}

/// How a generated page was degraded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScanParams {
    /// Typeface of the typed values.
    pub font: String,
    /// Rotation, degrees (positive: clockwise).
    pub rotation_deg: f32,
    /// Shift, millimetres.
    pub shift_mm: [f32; 2],
    /// Scale of the paper on the scan (1 = exact).
    pub scale: f32,
    /// Scan resolution.
    pub dpi: u32,
    /// JPEG quality of the stored scan.
    pub jpeg_quality: u8,
    /// Standard deviation of the grey noise.
    pub noise: f32,
}

impl Eq for ScanParams {}

// ---------------------------------------------------------------------------------------
// Data

const SURNAMES: &[(&str, &str)] = &[
    ("佐藤", "サトウ"),
    ("鈴木", "スズキ"),
    ("高橋", "タカハシ"),
    ("田中", "タナカ"),
    ("伊藤", "イトウ"),
    ("渡辺", "ワタナベ"),
    ("山本", "ヤマモト"),
    ("中村", "ナカムラ"),
    ("小林", "コバヤシ"),
    ("加藤", "カトウ"),
    ("吉田", "ヨシダ"),
    ("山田", "ヤマダ"),
    ("佐々木", "ササキ"),
    ("松本", "マツモト"),
    ("井上", "イノウエ"),
    ("木村", "キムラ"),
    ("清水", "シミズ"),
    ("山口", "ヤマグチ"),
    ("森", "モリ"),
    ("池田", "イケダ"),
    ("橋本", "ハシモト"),
    ("石川", "イシカワ"),
    ("前田", "マエダ"),
    ("藤田", "フジタ"),
    ("岡田", "オカダ"),
    ("長谷川", "ハセガワ"),
    ("村上", "ムラカミ"),
    ("近藤", "コンドウ"),
];

const GIVEN_MALE: &[(&str, &str)] = &[
    ("太郎", "タロウ"),
    ("健一", "ケンイチ"),
    ("大輔", "ダイスケ"),
    ("翔太", "ショウタ"),
    ("拓也", "タクヤ"),
    ("直樹", "ナオキ"),
    ("和也", "カズヤ"),
    ("誠", "マコト"),
    ("浩二", "コウジ"),
    ("悠真", "ユウマ"),
    ("蓮", "レン"),
    ("隆", "タカシ"),
];

const GIVEN_FEMALE: &[(&str, &str)] = &[
    ("花子", "ハナコ"),
    ("美咲", "ミサキ"),
    ("陽子", "ヨウコ"),
    ("結衣", "ユイ"),
    ("愛", "アイ"),
    ("恵美", "エミ"),
    ("真由美", "マユミ"),
    ("優子", "ユウコ"),
    ("千尋", "チヒロ"),
    ("彩", "アヤ"),
    ("奈々", "ナナ"),
    ("智子", "トモコ"),
];

/// (区市, 郵便番号の上3桁, 町名).
const PLACES: &[(&str, &str, &str)] = &[
    ("新宿区", "160", "西新宿"),
    ("新宿区", "162", "神楽坂"),
    ("世田谷区", "154", "太子堂"),
    ("世田谷区", "157", "成城"),
    ("杉並区", "166", "高円寺南"),
    ("練馬区", "176", "豊玉北"),
    ("板橋区", "173", "板橋"),
    ("江東区", "135", "豊洲"),
    ("大田区", "144", "蒲田"),
    ("足立区", "120", "千住"),
    ("八王子市", "192", "元本郷町"),
    ("町田市", "194", "森野"),
    ("立川市", "190", "曙町"),
    ("府中市", "183", "宮西町"),
];

const OFFICES: &[(&str, &str)] = &[
    ("13010001", "総務局総務部"),
    ("13010214", "財務局経理部"),
    ("13020035", "主税局税制部"),
    ("13030102", "福祉局生活福祉部"),
    ("13040077", "建設局道路管理部"),
    ("13050020", "港湾局総務部"),
    ("13060311", "都市整備局市街地整備部"),
    ("13070046", "環境局総務部"),
    ("13080109", "産業労働局商工部"),
    ("13090013", "教育庁総務部"),
];

const JOB_TITLES: &[&str] = &[
    "主事",
    "主任",
    "技師",
    "係長",
    "課長代理",
    "保健師",
    "保育士",
    "事務員",
];

const REASONS: &[&str] = &[
    "newHire",
    "newHire",
    "newHire",
    "transferFromOtherMutualAid",
    "fromNationalMutualAid",
    "other",
];

const COMPANY_STEMS: &[(&str, &str)] = &[
    ("山田商事", "ヤマダショウジ"),
    ("東都文具", "トウトブング"),
    ("日本事務機", "ニホンジムキ"),
    ("新宿印刷", "シンジュクインサツ"),
    ("多摩システム", "タマシステム"),
    ("城南設備", "ジョウナンセツビ"),
    ("丸の内清掃", "マルノウチセイソウ"),
    ("武蔵野電機", "ムサシノデンキ"),
    ("隅田川物産", "スミダガワブツサン"),
    ("青葉給食", "アオバキュウショク"),
];

const ITEMS_STANDARD: &[(&str, i64)] = &[
    ("コピー用紙Ａ４", 3_800),
    ("トナーカートリッジ", 18_500),
    ("庁舎清掃業務", 120_000),
    ("保守点検作業", 45_000),
    ("封筒印刷", 24_000),
    ("ファイル（青）", 380),
];

const ITEMS_REDUCED: &[(&str, i64)] = &[
    ("弁当（会議用）", 980),
    ("ペットボトル茶", 150),
    ("菓子詰合せ", 2_400),
];

/// Banks whose branches the generator draws from (codes of the 全銀 master).
const BANKS: &[&str] = &[
    "0001", "0005", "0009", "0010", "0017", "0310", "1341", "1344", "1349",
];

fn yen_text(amount: i64) -> String {
    let digits = amount.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn random_digits(rng: &mut Rng, n: usize) -> String {
    (0..n)
        .map(|_| char::from(b'0' + rng.range(0, 9) as u8))
        .collect()
}

fn my_number(rng: &mut Rng) -> String {
    loop {
        let body = random_digits(rng, 11);
        if let Some(c) = my_number_check_digit(&body) {
            return format!("{body}{c}");
        }
    }
}

fn registration_number(rng: &mut Rng) -> String {
    loop {
        let mut base = random_digits(rng, 12);
        // 法人番号 of companies start with a registry office code; any digits are valid.
        if base.starts_with('0') {
            base.replace_range(0..1, "1");
        }
        if let Some(c) = corporate_number_check_digit(&base) {
            return format!("T{c}{base}");
        }
    }
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn wareki_text(d: NaiveDate) -> String {
    wareki::from_seireki(d)
        .map(|w| wareki::format_wareki(&w))
        .unwrap_or_default()
}

fn field(printed: impl Into<String>, value: impl Into<String>) -> TruthField {
    TruthField {
        printed: printed.into(),
        value: value.into(),
    }
}

fn acquisition_values(rng: &mut Rng) -> BTreeMap<String, TruthField> {
    let mut f = BTreeMap::new();
    let (code, office) = *rng.pick(OFFICES);
    f.insert("office.code".into(), field(code, code));
    f.insert("office.name".into(), field(office, office));
    let male = rng.chance(0.5);
    let (sn, sk) = *rng.pick(SURNAMES);
    let (gn, gk) = *rng.pick(if male { GIVEN_MALE } else { GIVEN_FEMALE });
    let name = format!("{sn}\u{3000}{gn}");
    let kana = format!("{sk}\u{3000}{gk}");
    f.insert("member.name".into(), field(&name, &name));
    f.insert("member.nameKana".into(), field(&kana, &kana));
    f.insert(
        "member.sex".into(),
        field(
            if male { "男" } else { "女" },
            if male { "male" } else { "female" },
        ),
    );
    let acquired = date(2025, *rng.pick(&[4u32, 4, 4, 5, 6, 7]), 1);
    let age = rng.range(18, 60) as i32;
    let birth = date(
        acquired.year() - age - 1,
        rng.range(1, 12) as u32,
        rng.range(1, 28) as u32,
    );
    f.insert(
        "member.birthDate".into(),
        field(wareki_text(birth), birth.format("%Y-%m-%d").to_string()),
    );
    f.insert(
        "acquisition.acquiredOn".into(),
        field(
            wareki_text(acquired),
            acquired.format("%Y-%m-%d").to_string(),
        ),
    );
    let certified = acquired + chrono::Duration::days(rng.range(1, 12));
    f.insert(
        "office.certifiedOn".into(),
        field(
            wareki_text(certified),
            certified.format("%Y-%m-%d").to_string(),
        ),
    );
    let (ward, zip3, town) = *rng.pick(PLACES);
    let postal = format!("{zip3}-{}", random_digits(rng, 4));
    f.insert("member.postalCode".into(), field(&postal, &postal));
    let chome = *rng.pick(&["一", "二", "三", "四", "五"]);
    let address = format!(
        "東京都{ward}{town}{chome}丁目{}番{}号",
        rng.range(1, 30),
        rng.range(1, 25)
    );
    f.insert("member.address".into(), field(&address, &address));
    let mn = my_number(rng);
    let mn_printed = if rng.chance(0.5) {
        format!("{} {} {}", &mn[..4], &mn[4..8], &mn[8..])
    } else {
        mn.clone()
    };
    f.insert("member.myNumber".into(), field(mn_printed, &mn));
    let pension = format!("{}-{}", random_digits(rng, 4), random_digits(rng, 6));
    f.insert(
        "member.basicPensionNumber".into(),
        field(&pension, &pension),
    );
    let reason = *rng.pick(REASONS);
    f.insert("acquisition.reason".into(), field(reason, reason));
    let title = *rng.pick(JOB_TITLES);
    f.insert("employment.jobTitle".into(), field(title, title));
    let class = rng.range(1, 5);
    let step = rng.range(1, 93);
    f.insert(
        "employment.salaryClass".into(),
        field(class.to_string(), class.to_string()),
    );
    f.insert(
        "employment.salaryStep".into(),
        field(step.to_string(), step.to_string()),
    );
    let salary = rng.range(1_800, 4_600) * 100;
    f.insert(
        "remuneration.salary".into(),
        field(yen_text(salary), salary.to_string()),
    );
    if rng.chance(0.8) {
        let commuting = rng.range(20, 550) * 50;
        f.insert(
            "remuneration.commutingAllowance".into(),
            field(yen_text(commuting), commuting.to_string()),
        );
    } else {
        f.insert("remuneration.commutingAllowance".into(), field("", ""));
    }
    f
}

/// One printed line of an invoice's 内訳 (drawn, not read).
#[derive(Debug, Clone)]
struct ItemLine {
    name: String,
    quantity: i64,
    unit: i64,
    reduced: bool,
}

fn invoice_values(rng: &mut Rng) -> (BTreeMap<String, TruthField>, Vec<ItemLine>) {
    let mut f = BTreeMap::new();
    let (stem, stem_kana) = *rng.pick(COMPANY_STEMS);
    let seller = if rng.chance(0.7) {
        format!("株式会社{stem}")
    } else {
        format!("{stem}株式会社")
    };
    // 口座名義 in katakana; the marks of the company type (カ）) are left out.
    let account_name = stem_kana.to_owned();
    f.insert("sellerName".into(), field(&seller, &seller));
    let reg = registration_number(rng);
    f.insert("sellerRegistration".into(), field(&reg, &reg));
    let issue = date(2025, rng.range(4, 9) as u32, rng.range(1, 28) as u32);
    f.insert(
        "issueDate".into(),
        field(wareki_text(issue), issue.format("%Y-%m-%d").to_string()),
    );
    let number = format!(
        "{}-{}{:02}-{:04}",
        rng.pick(&["INV", "SEI", "NO"]),
        issue.format("%y%m"),
        issue.day(),
        rng.range(1, 9999)
    );
    f.insert("number".into(), field(&number, &number));

    let mut items = Vec::new();
    for _ in 0..rng.range(1, 4) {
        let (name, unit) = *rng.pick(ITEMS_STANDARD);
        items.push(ItemLine {
            name: name.into(),
            quantity: rng.range(1, 20),
            unit,
            reduced: false,
        });
    }
    if rng.chance(0.4) {
        for _ in 0..rng.range(1, 2) {
            let (name, unit) = *rng.pick(ITEMS_REDUCED);
            items.push(ItemLine {
                name: name.into(),
                quantity: rng.range(5, 40),
                unit,
                reduced: true,
            });
        }
    }
    let taxable = |reduced: bool| -> i64 {
        items
            .iter()
            .filter(|i| i.reduced == reduced)
            .map(|i| i.quantity * i.unit)
            .sum()
    };
    let (s_taxable, r_taxable) = (taxable(false), taxable(true));
    // Tax rounded once per rate (切捨て), as a qualified invoice must.
    let (s_tax, r_tax) = (s_taxable / 10, r_taxable * 8 / 100);
    let yen = |v: i64| field(yen_text(v), v.to_string());
    f.insert("statedTotals.standard.taxable".into(), yen(s_taxable));
    f.insert("statedTotals.standard.tax".into(), yen(s_tax));
    if r_taxable > 0 {
        f.insert("statedTotals.reduced.taxable".into(), yen(r_taxable));
        f.insert("statedTotals.reduced.tax".into(), yen(r_tax));
    } else {
        f.insert("statedTotals.reduced.taxable".into(), field("", ""));
        f.insert("statedTotals.reduced.tax".into(), field("", ""));
    }
    f.insert("statedTaxTotal".into(), yen(s_tax + r_tax));
    f.insert(
        "statedPayable".into(),
        yen(s_taxable + s_tax + r_taxable + r_tax),
    );

    let master = BankMaster::builtin();
    let bank_code = *rng.pick(BANKS);
    let (bank_name, branch) = match master.bank(bank_code) {
        Some(b) => {
            let branches = master.branches_of(bank_code);
            let usable: Vec<_> = branches
                .iter()
                .filter(|br| br.name.chars().count() <= 6)
                .collect();
            let branch = if usable.is_empty() {
                None
            } else {
                Some((*rng.pick(&usable)).clone())
            };
            (b.name.clone(), branch)
        }
        None => (String::new(), None),
    };
    // The master shortens 信用金庫 to 信金 and leaves 銀行 out; invoices write them out.
    let bank_printed = match bank_name.strip_suffix("信金") {
        Some(stem) => format!("{stem}信用金庫"),
        None => format!("{bank_name}銀行"),
    };
    f.insert(
        "payeeAccount.bankName".into(),
        field(&bank_printed, &bank_printed),
    );
    f.insert("payeeAccount.bankCode".into(), field(bank_code, bank_code));
    let (branch_code, branch_printed) = match &branch {
        Some(b) => (b.code.clone(), format!("{}支店", b.name)),
        None => (String::new(), String::new()),
    };
    f.insert(
        "payeeAccount.branchName".into(),
        field(&branch_printed, &branch_printed),
    );
    f.insert(
        "payeeAccount.branchCode".into(),
        field(&branch_code, &branch_code),
    );
    let deposit = if rng.chance(0.8) { "1" } else { "2" };
    f.insert("payeeAccount.depositType".into(), field(deposit, deposit));
    let account = random_digits(rng, 7);
    f.insert(
        "payeeAccount.accountNumber".into(),
        field(&account, &account),
    );
    f.insert(
        "payeeAccount.name".into(),
        field(&account_name, &account_name),
    );
    (f, items)
}

// ---------------------------------------------------------------------------------------
// Drawing

/// Pixels per millimetre of the clean rendering (300 dpi).
const RENDER_PX_PER_MM: f32 = 300.0 / 25.4;

struct Page<'a> {
    img: GrayImage,
    ppm: f32,
    fonts: &'a Fonts,
}

impl Page<'_> {
    fn px(&self, mm: f32) -> f32 {
        mm * self.ppm
    }

    fn text(&mut self, text: &str, x: f32, y: f32, size: f32, ink: u8) {
        let (x, y, size) = (self.px(x), self.px(y), self.px(size));
        draw_text(&mut self.img, &self.fonts.form, text, x, y, size, ink, None);
    }

    fn rect(&mut self, r: [f32; 4], t: f32, ink: u8) {
        let (x, y, w, h, t) = (
            self.px(r[0]),
            self.px(r[1]),
            self.px(r[2]),
            self.px(r[3]),
            self.px(t),
        );
        rect_outline(&mut self.img, x, y, w, h, t, ink);
    }

    fn fill(&mut self, r: [f32; 4], ink: u8) {
        let (x, y, w, h) = (self.px(r[0]), self.px(r[1]), self.px(r[2]), self.px(r[3]));
        fill_rect(&mut self.img, x, y, w, h, ink);
    }
}

fn draw_form(page: &mut Page<'_>, t: &Template) {
    for m in &t.marks {
        page.fill([m.x - m.size / 2.0, m.y - m.size / 2.0, m.size, m.size], 0);
    }
    for p in &t.printed {
        page.text(&p.text, p.x, p.y, p.size, 30);
    }
    for f in &t.fields {
        if let Some(lb) = f.label_box {
            page.fill(lb, 232);
            page.rect(lb, 0.25, 70);
            let size = (lb[3] * 0.32).clamp(2.8, 3.6);
            let fits = (lb[2] - 2.0) / f.label.chars().count().max(1) as f32;
            page.text(
                &f.label,
                lb[0] + 1.5,
                lb[1] + (lb[3] - size) / 2.0,
                size.min(fits),
                30,
            );
        }
        page.rect(f.rect, 0.3, 60);
        for o in &f.options {
            page.rect(o.rect, 0.3, 40);
            page.text(
                &o.label,
                o.rect[0] + o.rect[2] + 1.2,
                o.rect[1] + (o.rect[3] - 3.5) / 2.0,
                3.5,
                30,
            );
        }
    }
}

fn draw_value(
    page: &mut Page<'_>,
    spec: &FieldSpec,
    value: &TruthField,
    font: &FontVec,
    rng: &mut Rng,
) {
    if value.printed.is_empty() {
        return;
    }
    if spec.kind.is_mark() {
        for o in &spec.options {
            if o.value == value.value {
                tick(page, o.rect, rng);
            }
        }
        return;
    }
    let r = spec.rect;
    let fonts = page.fonts;
    let (font, ink) = if spec.handwritten {
        (&fonts.hand, rng.range(25, 70) as u8)
    } else {
        (font, rng.range(0, 35) as u8)
    };
    let mut size = page.px(r[3] * rng.range_f(0.50, 0.60));
    let avail = page.px(r[2] - 4.0);
    let w = text_width(font, &value.printed, size);
    if w > avail {
        size *= avail / w;
    }
    let x = page.px(r[0] + rng.range_f(1.5, 3.0));
    let top = page.px(r[1]) + (page.px(r[3]) - size) / 2.0 + page.px(rng.range_f(-0.4, 0.4));
    let jitter = if spec.handwritten {
        Some((rng, 1.0))
    } else {
        None
    };
    draw_text(
        &mut page.img,
        font,
        &value.printed,
        x,
        top,
        size,
        ink,
        jitter,
    );
}

/// A handwritten tick (レ) in a check box.
fn tick(page: &mut Page<'_>, r: [f32; 4], rng: &mut Rng) {
    let (jx, jy) = (rng.range_f(-0.08, 0.08), rng.range_f(-0.08, 0.08));
    let p = |page: &Page<'_>, fx: f32, fy: f32| {
        (
            page.px(r[0] + r[2] * (fx + jx)),
            page.px(r[1] + r[3] * (fy + jy)),
        )
    };
    let a = p(page, 0.15, 0.45);
    let b = p(page, 0.42, 0.85);
    let c = p(page, 0.95, 0.05);
    let t = page.px(rng.range_f(0.45, 0.7));
    let ink = rng.range(10, 60) as u8;
    line(&mut page.img, a, b, t, ink);
    line(&mut page.img, b, c, t, ink);
}

/// A seal (印) in grey: a ring with a name inside, as a red stamp looks on a grey scan.
fn seal(page: &mut Page<'_>, cx: f32, cy: f32, text: &str, square: bool) {
    let (x, y, r, t) = (page.px(cx), page.px(cy), page.px(7.5), page.px(0.6));
    let ink = 150;
    if square {
        rect_outline(&mut page.img, x - r, y - r, 2.0 * r, 2.0 * r, t, ink);
    } else {
        let steps = 180;
        for i in 0..steps {
            let a0 = i as f32 / steps as f32 * std::f32::consts::TAU;
            let a1 = (i + 1) as f32 / steps as f32 * std::f32::consts::TAU;
            line(
                &mut page.img,
                (x + r * a0.cos(), y + r * a0.sin()),
                (x + r * a1.cos(), y + r * a1.sin()),
                t,
                ink,
            );
        }
    }
    let chars: Vec<char> = text.chars().take(4).collect();
    let size = page.px(4.2);
    for (i, c) in chars.iter().enumerate() {
        let col = (i / 2) as f32;
        let row = (i % 2) as f32;
        let fonts = page.fonts;
        draw_text(
            &mut page.img,
            &fonts.form,
            &c.to_string(),
            x + size * (0.05 - col),
            y - size + row * size,
            size,
            ink,
            None,
        );
    }
}

fn draw_items(page: &mut Page<'_>, items: &[ItemLine], font: &FontVec) {
    let (x0, y0) = (20.0, 158.0);
    page.text("内訳", x0, y0 - 5.5, 3.5, 30);
    let cols = [0.0, 78.0, 98.0, 123.0, 152.0];
    let header = ["品名", "数量", "単価", "金額", "税率"];
    page.rect([x0, y0, 170.0, 7.0], 0.25, 70);
    for (c, h) in cols.iter().zip(header) {
        page.text(h, x0 + c + 1.5, y0 + 1.8, 3.2, 30);
    }
    for (i, it) in items.iter().enumerate() {
        let y = y0 + 7.0 + i as f32 * 7.0;
        page.rect([x0, y, 170.0, 7.0], 0.2, 90);
        let cells = [
            it.name.clone(),
            it.quantity.to_string(),
            yen_text(it.unit),
            yen_text(it.quantity * it.unit),
            if it.reduced { "8%※" } else { "10%" }.to_owned(),
        ];
        for (c, text) in cols.iter().zip(cells) {
            let (px_x, px_y, size) = (page.px(x0 + c + 1.5), page.px(y + 1.6), page.px(3.4));
            draw_text(&mut page.img, font, &text, px_x, px_y, size, 25, None);
        }
    }
}

/// Scans a clean page: paper tone, noise, specks, rotation, shift, scale, resolution.
fn scan(clean: &GrayImage, params: &ScanParams, rng: &mut Rng) -> GrayImage {
    let ppm_out = params.dpi as f32 / 25.4;
    let (w_mm, h_mm) = (
        clean.width() as f32 / RENDER_PX_PER_MM,
        clean.height() as f32 / RENDER_PX_PER_MM,
    );
    let (w, h) = (
        (w_mm * ppm_out).round() as u32,
        (h_mm * ppm_out).round() as u32,
    );
    let theta = params.rotation_deg.to_radians();
    let (sin, cos) = theta.sin_cos();
    let (cx, cy) = (w_mm / 2.0, h_mm / 2.0);
    let paper = rng.range_f(232.0, 250.0);
    let mut out = GrayImage::new(w, h);
    for y in 0..h {
        for x in 0..w {
            // Output pixel → paper millimetres (inverse of: scale, rotate about the
            // centre, shift) → clean pixels.
            let (ox, oy) = (
                (x as f32 + 0.5) / ppm_out - cx - params.shift_mm[0],
                (y as f32 + 0.5) / ppm_out - cy - params.shift_mm[1],
            );
            let (ox, oy) = (ox / params.scale, oy / params.scale);
            let (mx, my) = (cos * ox + sin * oy + cx, -sin * ox + cos * oy + cy);
            let v = f32::from(sample_bilinear(
                clean,
                mx * RENDER_PX_PER_MM,
                my * RENDER_PX_PER_MM,
            ));
            // Ink stays ink, paper takes the paper tone.
            let tone = v / 255.0 * paper;
            out.put_pixel(x, y, Luma([tone.clamp(0.0, 255.0) as u8]));
        }
    }
    // Grey noise.
    for p in out.pixels_mut() {
        let n = rng.normal() * params.noise;
        p.0[0] = (f32::from(p.0[0]) + n).round().clamp(0.0, 255.0) as u8;
    }
    // Specks of dust.
    let specks = rng.range(150, 600);
    for _ in 0..specks {
        let (x, y) = (
            rng.range(0, i64::from(w) - 1),
            rng.range(0, i64::from(h) - 1),
        );
        let r = rng.range_f(0.6, 1.8);
        let ink = rng.range(40, 140) as u8;
        line(
            &mut out,
            (x as f32, y as f32),
            (x as f32 + 0.1, y as f32),
            r,
            ink,
        );
    }
    out
}

// ---------------------------------------------------------------------------------------
// Documents

/// The masters the generator draws from, as the app would have them from the central
/// service: 所属所 (番号 and 名称) and 職名.
pub fn reference_data() -> crate::checks::ReferenceData {
    crate::checks::ReferenceData {
        allowed: [(
            "employment.jobTitle".to_owned(),
            JOB_TITLES.iter().map(|t| (*t).to_owned()).collect(),
        )]
        .into_iter()
        .collect(),
        pairs: vec![crate::checks::ReferencePair {
            fields: ["office.code".into(), "office.name".into()],
            values: OFFICES
                .iter()
                .map(|(c, n)| ((*c).to_owned(), (*n).to_owned()))
                .collect(),
        }],
    }
}

/// One generated document.
#[derive(Debug, Clone)]
pub struct SampleDocument {
    /// The ground truth.
    pub truth: GroundTruth,
    /// The scanned pages, as stored (JPEG bytes).
    pub jpeg_pages: Vec<Vec<u8>>,
}

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct SampleOptions {
    /// The seed: the same seed gives the same documents.
    pub seed: u64,
    /// Number of 資格取得届.
    pub acquisitions: usize,
    /// Number of 請求書.
    pub invoices: usize,
}

impl Default for SampleOptions {
    fn default() -> Self {
        SampleOptions {
            seed: 2025,
            acquisitions: 24,
            invoices: 16,
        }
    }
}

/// Generates one document: its template, kind index (for the seed) and fonts.
pub fn generate_document(
    t: &Template,
    id: &str,
    seed: u64,
    fonts: &Fonts,
) -> Result<SampleDocument, OcrError> {
    let mut rng = Rng::new(seed);
    let (values, items) = match t.kind {
        template::DocumentKind::Acquisition => (acquisition_values(&mut rng), Vec::new()),
        template::DocumentKind::Invoice => invoice_values(&mut rng),
    };
    let font_index = (rng.next_u64() % fonts.typed.len() as u64) as usize;
    let (font_name, font) = fonts
        .typed
        .get(font_index)
        .map(|(n, f)| (n.clone(), f))
        .unwrap_or(("BIZUDGothic".into(), &fonts.form));
    let params = ScanParams {
        font: font_name,
        rotation_deg: rng.range_f(-2.5, 2.5),
        shift_mm: [rng.range_f(-2.5, 2.5), rng.range_f(-2.5, 2.5)],
        scale: rng.range_f(0.99, 1.01),
        dpi: if rng.chance(0.2) { 200 } else { 300 },
        jpeg_quality: rng.range(55, 90) as u8,
        noise: rng.range_f(2.0, 6.0),
    };
    let (w, h) = (
        (t.page.width * RENDER_PX_PER_MM).round() as u32,
        (t.page.height * RENDER_PX_PER_MM).round() as u32,
    );
    let mut jpeg_pages = Vec::new();
    for page_no in 1..=t.page.pages {
        let mut page = Page {
            img: GrayImage::from_pixel(w, h, Luma([255])),
            ppm: RENDER_PX_PER_MM,
            fonts,
        };
        draw_form(&mut page, t);
        for spec in t.fields.iter().filter(|f| f.page == page_no) {
            if let Some(v) = values.get(&spec.id) {
                draw_value(&mut page, spec, v, font, &mut rng);
            }
        }
        match t.kind {
            template::DocumentKind::Acquisition => seal(&mut page, 160.0, 253.0, "所属所長", false),
            template::DocumentKind::Invoice => {
                draw_items(&mut page, &items, font);
                let stem: String = values
                    .get("sellerName")
                    .map(|v| v.printed.replace("株式会社", ""))
                    .unwrap_or_default();
                seal(&mut page, 172.0, 80.0, &stem, true);
            }
        }
        let scanned = scan(&page.img, &params, &mut rng);
        jpeg_pages.push(encode_jpeg(&scanned, params.jpeg_quality)?);
    }
    Ok(SampleDocument {
        truth: GroundTruth {
            document_id: id.to_owned(),
            template_id: t.id.clone(),
            fields: values,
            scan: params,
        },
        jpeg_pages,
    })
}

/// Generates the sample set: `acquisitions` 資格取得届 (`acq-001` …) and `invoices`
/// 請求書 (`inv-001` …), each from its own seed derived from `seed`.
pub fn generate(opts: &SampleOptions, fonts: &Fonts) -> Result<Vec<SampleDocument>, OcrError> {
    let acq = template::builtin_by_id("shikaku-shutoku-todoke")?;
    let inv = template::builtin_by_id("seikyusho")?;
    let mut out = Vec::new();
    for i in 0..opts.acquisitions {
        let id = format!("acq-{:03}", i + 1);
        out.push(generate_document(
            &acq,
            &id,
            doc_seed(opts.seed, &id),
            fonts,
        )?);
    }
    for i in 0..opts.invoices {
        let id = format!("inv-{:03}", i + 1);
        out.push(generate_document(
            &inv,
            &id,
            doc_seed(opts.seed, &id),
            fonts,
        )?);
    }
    Ok(out)
}

fn doc_seed(seed: u64, id: &str) -> u64 {
    let mut r = Rng::new(seed);
    let mut h = r.next_u64();
    for b in id.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01B3);
    }
    h
}

/// JPEG bytes of a grey page.
pub fn encode_jpeg(img: &GrayImage, quality: u8) -> Result<Vec<u8>, OcrError> {
    let mut out = Vec::new();
    let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    img.write_with_encoder(enc).map_err(|e| OcrError::Image {
        detail: e.to_string(),
    })?;
    Ok(out)
}

/// A multi-page TIFF (8-bit grey, Deflate) of the given pages, as a sheet-fed scanner
/// writes a stack.
pub fn encode_multipage_tiff(pages: &[GrayImage]) -> Result<Vec<u8>, OcrError> {
    use tiff::encoder::{colortype, compression::DeflateLevel, Compression, TiffEncoder};
    let err = |e: tiff::TiffError| OcrError::Image {
        detail: e.to_string(),
    };
    let mut cursor = std::io::Cursor::new(Vec::new());
    {
        let mut enc = TiffEncoder::new(&mut cursor)
            .map_err(err)?
            .with_compression(Compression::Deflate(DeflateLevel::Balanced));
        for p in pages {
            enc.write_image::<colortype::Gray8>(p.width(), p.height(), p.as_raw())
                .map_err(err)?;
        }
    }
    Ok(cursor.into_inner())
}

/// A PDF whose pages are the given JPEG scans (one image per A4 page), as a scanner's
/// "scan to PDF" writes it.
pub fn encode_scan_pdf(jpegs: &[Vec<u8>]) -> Result<Vec<u8>, OcrError> {
    let mut out: Vec<u8> = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets: Vec<usize> = Vec::new();
    let n = jpegs.len();
    // Objects: 1 catalog, 2 pages, then per page: page, content, image.
    let page_id = |i: usize| 3 + 3 * i;
    let obj = |out: &mut Vec<u8>, offsets: &mut Vec<usize>, body: &[u8]| {
        offsets.push(out.len());
        out.extend_from_slice(body);
    };
    obj(
        &mut out,
        &mut offsets,
        b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n",
    );
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", page_id(i))).collect();
    obj(
        &mut out,
        &mut offsets,
        format!(
            "2 0 obj\n<< /Type /Pages /Kids [{}] /Count {n} >>\nendobj\n",
            kids.join(" ")
        )
        .as_bytes(),
    );
    for (i, jpeg) in jpegs.iter().enumerate() {
        let img =
            image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg).map_err(|e| {
                OcrError::Image {
                    detail: e.to_string(),
                }
            })?;
        let (w, h) = (img.width(), img.height());
        // A4 in points.
        let (pw, ph) = (595.28, 841.89);
        let content = format!("q {pw} 0 0 {ph} 0 0 cm /Im0 Do Q\n");
        let (p, c, im) = (page_id(i), page_id(i) + 1, page_id(i) + 2);
        obj(
            &mut out,
            &mut offsets,
            format!(
                "{p} 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw} {ph}] /Resources << /XObject << /Im0 {im} 0 R >> >> /Contents {c} 0 R >>\nendobj\n"
            )
            .as_bytes(),
        );
        obj(
            &mut out,
            &mut offsets,
            format!(
                "{c} 0 obj\n<< /Length {} >>\nstream\n{content}endstream\nendobj\n",
                content.len()
            )
            .as_bytes(),
        );
        let mut body = format!(
            "{im} 0 obj\n<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length {} >>\nstream\n",
            jpeg.len()
        )
        .into_bytes();
        body.extend_from_slice(jpeg);
        body.extend_from_slice(b"\nendstream\nendobj\n");
        obj(&mut out, &mut offsets, &body);
    }
    let xref = out.len();
    let count = offsets.len() + 1;
    out.extend_from_slice(format!("xref\n0 {count}\n0000000000 65535 f \n").as_bytes());
    for o in &offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {count} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    Ok(out)
}

/// One file of a written sample set, as `manifest.json` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestEntry {
    /// The file, relative to the manifest.
    pub file: String,
    /// Template id of every document in the file.
    pub template_id: String,
    /// The documents in the file, in page order (one page each).
    pub documents: Vec<String>,
}

/// The manifest of a written sample set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The seed the set was generated from.
    pub seed: u64,
    /// The files.
    pub files: Vec<ManifestEntry>,
    /// Ground truth per document id.
    pub truth: BTreeMap<String, GroundTruth>,
}

/// Writes a sample set to `dir`: one JPEG per document, the first three 資格取得届 again
/// as one multi-page TIFF (`batch-acquisition.tif`) and the first three 請求書 as one PDF
/// (`batch-invoice.pdf`), and `manifest.json` with the ground truth.
pub fn write_set(
    dir: &Path,
    seed: u64,
    docs: &[SampleDocument],
) -> Result<(Manifest, Vec<PathBuf>), OcrError> {
    std::fs::create_dir_all(dir).map_err(|e| OcrError::io(dir, e))?;
    let mut files = Vec::new();
    let mut written = Vec::new();
    let mut write = |name: &str, bytes: &[u8]| -> Result<(), OcrError> {
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|e| OcrError::io(&path, e))?;
        written.push(path);
        Ok(())
    };
    for d in docs {
        for (i, page) in d.jpeg_pages.iter().enumerate() {
            let name = if d.jpeg_pages.len() == 1 {
                format!("{}.jpg", d.truth.document_id)
            } else {
                format!("{}-p{}.jpg", d.truth.document_id, i + 1)
            };
            write(&name, page)?;
            files.push(ManifestEntry {
                file: name,
                template_id: d.truth.template_id.clone(),
                documents: vec![d.truth.document_id.clone()],
            });
        }
    }
    let acq: Vec<&SampleDocument> = docs
        .iter()
        .filter(|d| d.truth.template_id == "shikaku-shutoku-todoke")
        .take(3)
        .collect();
    if !acq.is_empty() {
        let pages: Vec<GrayImage> = acq
            .iter()
            .flat_map(|d| d.jpeg_pages.iter())
            .map(|j| {
                image::load_from_memory(j)
                    .map(|i| i.to_luma8())
                    .map_err(|e| OcrError::Image {
                        detail: e.to_string(),
                    })
            })
            .collect::<Result<_, _>>()?;
        write("batch-acquisition.tif", &encode_multipage_tiff(&pages)?)?;
        files.push(ManifestEntry {
            file: "batch-acquisition.tif".into(),
            template_id: "shikaku-shutoku-todoke".into(),
            documents: acq.iter().map(|d| d.truth.document_id.clone()).collect(),
        });
    }
    let inv: Vec<&SampleDocument> = docs
        .iter()
        .filter(|d| d.truth.template_id == "seikyusho")
        .take(3)
        .collect();
    if !inv.is_empty() {
        let jpegs: Vec<Vec<u8>> = inv
            .iter()
            .flat_map(|d| d.jpeg_pages.iter().cloned())
            .collect();
        write("batch-invoice.pdf", &encode_scan_pdf(&jpegs)?)?;
        files.push(ManifestEntry {
            file: "batch-invoice.pdf".into(),
            template_id: "seikyusho".into(),
            documents: inv.iter().map(|d| d.truth.document_id.clone()).collect(),
        });
    }
    let manifest = Manifest {
        seed,
        files,
        truth: docs
            .iter()
            .map(|d| (d.truth.document_id.clone(), d.truth.clone()))
            .collect(),
    };
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| OcrError::Image {
        detail: e.to_string(),
    })?;
    write("manifest.json", &json)?;
    Ok((manifest, written))
}
