#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::ids::yucho_to_zengin;
use crate::procurement::banks::Bank;
use proptest::prelude::*;

/// JIS X 0201 bytes of a test literal, written independently of the module's encoder:
/// ASCII as it is, half-width katakana U+FF61..U+FF9F to 0xA1..0xDF.
fn jis(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            ' '..='}' => c as u8,
            '\u{FF61}'..='\u{FF9F}' => (c as u32 - 0xFF61 + 0xA1) as u8,
            _ => panic!("not in the test alphabet: {c}"),
        })
        .collect()
}

fn sp(n: usize) -> String {
    " ".repeat(n)
}

fn master() -> &'static BankMaster {
    BankMaster::builtin()
}

fn requester() -> Requester {
    Requester {
        code: "1234567890".to_owned(),
        name_kana: "トウキョウトショクインキョウサイクミアイ".to_owned(),
        bank_code: "0001".to_owned(),
        bank_name_kana: String::new(),
        branch_code: "001".to_owned(),
        branch_name_kana: String::new(),
        deposit_type: 1,
        account_number: "1234567".to_owned(),
    }
}

/// A ゆうちょ account from its passbook 記号・番号, and a 株式会社 paid with EDI情報.
fn two_transfers() -> Vec<Transfer> {
    let yucho = yucho_to_zengin("10180", "12345671").unwrap();
    vec![
        Transfer {
            bank_code: yucho.bank_code.as_str().to_owned(),
            branch_code: yucho.branch_code.as_str().to_owned(),
            deposit_type: yucho.deposit_type.code(),
            account_number: yucho.account_number.as_str().to_owned(),
            payee_kana: "やまだ　たろう".to_owned(),
            amount: 55_000,
            customer_code1: "PO20260001".to_owned(),
            customer_code2: String::new(),
            edi: None,
            reference: "PO-2026-0001".to_owned(),
        },
        Transfer {
            bank_code: "0005".to_owned(),
            branch_code: "001".to_owned(),
            deposit_type: 2,
            account_number: "7654321".to_owned(),
            payee_kana: "カブシキガイシャ　ヤマダショウジ".to_owned(),
            amount: 1_234_567,
            customer_code1: String::new(),
            customer_code2: String::new(),
            edi: Some("INV-2026-0042".to_owned()),
            reference: "PO-2026-0002".to_owned(),
        },
    ]
}

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
}

fn expected_records() -> [String; 5] {
    let header = [
        "1",          // データ区分
        "21",         // 種別コード 総合振込
        "0",          // コード区分 JIS
        "1234567890", // 振込依頼人コード N10
        "ﾄｳｷﾖｳﾄｼﾖｸｲﾝｷﾖｳｻｲｸﾐｱｲ",
        &sp(20), // 振込依頼人名 C40 (20 + 20)
        "1130",  // 振込指定日 MMDD
        "0001",  // 仕向銀行番号
        "ﾐｽﾞﾎ",
        &sp(11), // 仕向銀行名 C15 (4 + 11)
        "001",   // 仕向支店番号
        "ﾄｳｷﾖｳ",
        &sp(10),   // 仕向支店名 C15 (5 + 10)
        "1",       // 預金種目 普通
        "1234567", // 口座番号
        &sp(17),   // ダミー
    ]
    .concat();
    let yucho = [
        "2",    // データ区分
        "9900", // 被仕向銀行番号 ゆうちょ
        "ﾕｳﾁﾖ",
        &sp(11), // 被仕向銀行名 (4 + 11)
        "018",   // 被仕向支店番号 (記号 10180 → 〇一八)
        "ｾﾞﾛｲﾁﾊﾁ",
        &sp(8),    // 被仕向支店名 (7 + 8)
        "0000",    // 手形交換所番号
        "1",       // 預金種目 普通 (記号 1xxxx)
        "1234567", // 口座番号 (番号 12345671 without the last 1)
        "ﾔﾏﾀﾞ ﾀﾛｳ",
        &sp(22),      // 受取人名 C30 (8 + 22)
        "0000055000", // 振込金額 N10
        "0",          // 新規コード
        "PO20260001", // 顧客コード1 C10
        &sp(10),      // 顧客コード2 C10
        "7",          // 振込指定区分 テレ振込
        " ",          // 識別表示
        &sp(7),       // ダミー
    ]
    .concat();
    let kabushiki = [
        "2",    // データ区分
        "0005", // 被仕向銀行番号
        "ﾐﾂﾋﾞｼﾕ-ｴﾌｼﾞｴｲ",
        &sp(2), // 被仕向銀行名 (13 + 2)
        "001",  // 被仕向支店番号 本店
        "ﾎﾝﾃﾝ",
        &sp(11),   // 被仕向支店名 (4 + 11)
        "0000",    // 手形交換所番号
        "2",       // 預金種目 当座
        "7654321", // 口座番号
        "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ",
        &sp(19),      // 受取人名: カブシキガイシャ → ｶ) at the start (11 + 19)
        "0001234567", // 振込金額
        "0",          // 新規コード
        "INV-2026-0042",
        &sp(7), // EDI情報 C20 (13 + 7)
        "7",    // 振込指定区分
        "Y",    // 識別表示: EDI
        &sp(7), // ダミー
    ]
    .concat();
    let trailer = [
        "8",            // データ区分
        "000002",       // 合計件数 N6
        "000001289567", // 合計金額 N12 = 55,000 + 1,234,567
        &sp(101),       // ダミー
    ]
    .concat();
    let end = ["9", &sp(119)].concat();
    [header, yucho, kabushiki, trailer, end]
}

#[test]
fn records_byte_by_byte_with_crlf() {
    let file = build_sogo_furikomi(
        &requester(),
        date(),
        &two_transfers(),
        master(),
        LineEnding::CrLf,
    )
    .unwrap();
    let expected = expected_records();
    for (i, r) in expected.iter().enumerate() {
        assert_eq!(jis(r).len(), 120, "expected record {} is 120 bytes", i + 1);
    }
    assert_eq!(file.bytes.len(), 5 * 122);
    for (i, line) in file.bytes.chunks(122).enumerate() {
        assert_eq!(&line[120..], b"\r\n", "line {}", i + 1);
        assert_eq!(line[..120], jis(&expected[i])[..], "record {}", i + 1);
    }
    assert_eq!(file.count, 2);
    assert_eq!(file.total, 1_289_567);
    assert_eq!(file.file_name_suggestion, "sogo-furikomi-20261130.txt");
}

#[test]
fn records_back_to_back_without_line_endings() {
    let file = build_sogo_furikomi(
        &requester(),
        date(),
        &two_transfers(),
        master(),
        LineEnding::None,
    )
    .unwrap();
    let expected: Vec<u8> = expected_records().iter().flat_map(|r| jis(r)).collect();
    assert_eq!(file.bytes.len(), 600);
    assert_eq!(file.bytes, expected);
    assert!(!file.bytes.contains(&b'\r') && !file.bytes.contains(&b'\n'));
}

#[test]
fn the_file_reads_back() {
    for eol in [LineEnding::CrLf, LineEnding::None] {
        let file =
            build_sogo_furikomi(&requester(), date(), &two_transfers(), master(), eol).unwrap();
        let parsed = parse_sogo_furikomi(&file.bytes).unwrap();
        assert_eq!(parsed.line_ending, eol);
        assert_eq!(parsed.count, 2);
        assert_eq!(parsed.total, 1_289_567);
        let h = &parsed.header;
        assert_eq!(h.kind_code, "21");
        assert_eq!(h.requester_code, "1234567890");
        assert_eq!(h.requester_name, "ﾄｳｷﾖｳﾄｼﾖｸｲﾝｷﾖｳｻｲｸﾐｱｲ");
        assert_eq!(h.transfer_mmdd, "1130");
        assert_eq!(
            (h.bank_code.as_str(), h.bank_name.as_str()),
            ("0001", "ﾐｽﾞﾎ")
        );
        assert_eq!(
            (h.branch_code.as_str(), h.branch_name.as_str()),
            ("001", "ﾄｳｷﾖｳ")
        );
        assert_eq!((h.deposit_type, h.account_number.as_str()), (1, "1234567"));
        let [a, b] = parsed.transfers.as_slice() else {
            panic!("two transfers");
        };
        assert_eq!(a.payee_name, "ﾔﾏﾀﾞ ﾀﾛｳ");
        assert_eq!(a.customer_code1, "PO20260001");
        assert_eq!(a.edi, None);
        assert_eq!(a.transfer_kind, 7);
        assert_eq!(a.clearing_house, "0000");
        assert_eq!(b.payee_name, "ｶ)ﾔﾏﾀﾞｼﾖｳｼﾞ");
        assert_eq!(b.edi.as_deref(), Some("INV-2026-0042"));
        assert_eq!(b.customer_code1, "");
        assert_eq!(b.amount, 1_234_567);
        assert_eq!(b.deposit_type, 2);
    }
}

#[test]
fn payee_names_are_normalised() {
    for (input, expected) in [
        // small kana become large, hiragana katakana
        ("きょうさい　はなこ", "ｷﾖｳｻｲ ﾊﾅｺ"),
        ("ｷｮｳｻｲ ﾊﾅｺ", "ｷﾖｳｻｲ ﾊﾅｺ"),
        ("チョッキ", "ﾁﾖﾂｷ"),
        ("ヴァイオリン", "ｳﾞｱｲｵﾘﾝ"),
        ("ケンヶ", "ｹﾝｹ"),
        // 長音 and dashes
        ("コーヒー", "ｺ-ﾋ-"),
        ("ｺｰﾋｰ", "ｺ-ﾋ-"),
        ("サトウ－ハナコ", "ｻﾄｳ-ﾊﾅｺ"),
        ("サトウ—ハナコ", "ｻﾄｳ-ﾊﾅｺ"),
        // dakuten and handakuten as separate characters, however they were typed
        ("ガギグゲゴ　パピプペポ", "ｶﾞｷﾞｸﾞｹﾞｺﾞ ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ"),
        ("ｶﾞｽ", "ｶﾞｽ"),
        ("カ\u{3099}ス", "ｶﾞｽ"),
        ("カ゛ス", "ｶﾞｽ"),
        // 株式会社 and friends by position
        ("株式会社ヤマダ", "ｶ)ﾔﾏﾀﾞ"),
        ("株式会社　ヤマダ", "ｶ)ﾔﾏﾀﾞ"),
        ("ヤマダ株式会社", "ﾔﾏﾀﾞ(ｶ"),
        ("ヤマダ 株式会社", "ﾔﾏﾀﾞ(ｶ"),
        ("ヤマダ株式会社トウキョウシテン", "ﾔﾏﾀﾞ(ｶ)ﾄｳｷﾖｳｼﾃﾝ"),
        ("カブシキガイシャ ヤマダ", "ｶ)ﾔﾏﾀﾞ"),
        ("かぶしきがいしゃやまだ", "ｶ)ﾔﾏﾀﾞ"),
        ("ｶﾌﾞｼｷｶﾞｲｼｬﾔﾏﾀﾞ", "ｶ)ﾔﾏﾀﾞ"),
        ("ヤマダ　カブシキカイシャ", "ﾔﾏﾀﾞ(ｶ"),
        ("㈱ヤマダ", "ｶ)ﾔﾏﾀﾞ"),
        ("ヤマダ（株）", "ﾔﾏﾀﾞ(ｶ"),
        ("有限会社ヤマダ", "ﾕ)ﾔﾏﾀﾞ"),
        ("ヤマダ　ユウゲンガイシャ", "ﾔﾏﾀﾞ(ﾕ"),
        ("合同会社ヤマダ", "ﾄﾞ)ﾔﾏﾀﾞ"),
        ("ヤマダ合名会社", "ﾔﾏﾀﾞ(ﾒ"),
        ("ヤマダ合資会社", "ﾔﾏﾀﾞ(ｼ"),
        ("医療法人社団ヤマダカイ", "ｲ)ﾔﾏﾀﾞｶｲ"),
        ("イリョウホウジン　ヤマダカイ", "ｲ)ﾔﾏﾀﾞｶｲ"),
        ("一般社団法人トウキョウキョウカイ", "ｼﾔ)ﾄｳｷﾖｳｷﾖｳｶｲ"),
        ("公益財団法人トウキョウザイダン", "ｻﾞｲ)ﾄｳｷﾖｳｻﾞｲﾀﾞﾝ"),
        ("社会福祉法人ヤマダフクシカイ", "ﾌｸ)ﾔﾏﾀﾞﾌｸｼｶｲ"),
        ("特定非営利活動法人ヤマダ", "ﾄｸﾋ)ﾔﾏﾀﾞ"),
        ("ＮＰＯ法人ヤマダ", "ﾄｸﾋ)ﾔﾏﾀﾞ"),
        // clerk-typed abbreviations stay
        ("カ）ヤマダ", "ｶ)ﾔﾏﾀﾞ"),
        ("（ド）ヤマダ", "(ﾄﾞ)ﾔﾏﾀﾞ"),
        // lower case, full-width ASCII
        ("abc ｼｮｳｼﾞ", "ABC ｼﾖｳｼﾞ"),
        ("ｊｒ　ひがし", "JR ﾋｶﾞｼ"),
        // spaces, symbols
        ("  ヤマダ　　タロウ  ", "ﾔﾏﾀﾞ ﾀﾛｳ"),
        ("ヤマダ・タロウ", "ﾔﾏﾀﾞ.ﾀﾛｳ"),
        ("「ヤマダ」１２３／４．５，￥", "｢ﾔﾏﾀﾞ｣123/4.5,¥"),
        ("", ""),
    ] {
        assert_eq!(
            normalize_payee_name(input).as_deref(),
            Ok(expected),
            "{input}"
        );
    }
}

#[test]
fn refused_characters_are_named_with_their_position() {
    let e = normalize_payee_name("ヤマダ商事").unwrap_err();
    assert_eq!((e.ch, e.position, e.code), ('商', 4, "zengin.name_char"));
    assert_eq!(
        e.message,
        "受取人名に使えない文字「商」があります（4文字目）。全銀の振込データでは半角カナ・英大文字・数字・一部の記号だけが使えます。"
    );
    // The character as typed, counted in the input.
    let e = normalize_payee_name("ｶ)ヤマダ＆コ").unwrap_err();
    assert_eq!((e.ch, e.position), ('＆', 6));
    let e = normalize_payee_name("株式会社ヤマダ商店").unwrap_err();
    assert_eq!((e.ch, e.position), ('商', 8));
    let e = normalize_payee_name("ヤマダ。").unwrap_err();
    assert_eq!((e.ch, e.position), ('。', 4));
    let e = normalize_payee_name("ﾔﾏﾀﾞ･ﾀﾛｳ~").unwrap_err();
    assert_eq!((e.ch, e.position), ('~', 9));
    let e = normalize_payee_name("ヤマダ＊").unwrap_err();
    assert_eq!(e.ch, '＊');
    assert_eq!(
        normalize_kana_name("東京都", "振込依頼人名", 40)
            .unwrap_err()
            .message,
        "振込依頼人名に使えない文字「東」があります（1文字目）。全銀の振込データでは半角カナ・英大文字・数字・一部の記号だけが使えます。"
    );
}

#[test]
fn long_names_are_refused_not_cut() {
    // ヤマダ is 4 bytes half-width (ﾔﾏﾀﾞ).
    let fits = format!("{}ヤマ", "ヤマダ".repeat(7));
    assert_eq!(normalize_payee_name(&fits).unwrap().len(), 30 * 3); // 30 chars, 3 bytes each in UTF-8
    assert_eq!(normalize_payee_name(&fits).unwrap().chars().count(), 30);
    let e = normalize_payee_name(&"ヤマダ".repeat(11)).unwrap_err();
    assert_eq!(e.code, "zengin.name_too_long");
    // Byte 31 is the ﾀ of the 8th ダ, the 24th character typed.
    assert_eq!((e.ch, e.position), ('ダ', 24));
    assert!(e.message.contains("半角30文字まで"), "{}", e.message);
    assert!(e.message.contains("変換後44文字"), "{}", e.message);
}

#[test]
fn every_safe_character_encodes() {
    let safe: Vec<char> = ('\u{20}'..='\u{7E}')
        .chain(['¥'])
        .chain('\u{FF61}'..='\u{FF9F}')
        .filter(|c| is_zengin_char(*c))
        .collect();
    for c in &safe {
        let b = encode_char(*c).unwrap();
        assert_eq!(decode_byte(b), Some(*c), "{c}");
    }
    assert!(is_zengin_char('ｦ') && is_zengin_char('ﾞ') && is_zengin_char('ﾟ'));
    for c in [
        'a', 'ｧ', 'ｯ', 'ｰ', '｡', '､', '･', '&', '\\', '~', '_', 'ア', '漢',
    ] {
        assert!(!is_zengin_char(c), "{c}");
    }
}

fn codes(errors: &[ZenginError]) -> Vec<(Option<usize>, &str, &str)> {
    errors
        .iter()
        .map(|e| (e.row, e.field.as_str(), e.code))
        .collect()
}

#[test]
fn every_rejected_row_is_reported() {
    let mut t = two_transfers();
    let good = t[1].clone();
    t[0].bank_code = "0002".to_owned(); // no such bank
    t[1].payee_kana = "ヤマダ商事".to_owned();
    t[1].amount = 0;
    t.push(good.clone()); // row 3 is fine
    t.push(Transfer {
        customer_code1: "ABC".to_owned(),
        reference: "PO-2026-0004".to_owned(),
        ..good.clone()
    });
    t.push(Transfer {
        bank_code: "9900".to_owned(),
        branch_code: "018".to_owned(),
        deposit_type: 2,
        account_number: "12345678".to_owned(),
        payee_kana: String::new(),
        amount: 10_000_000_000,
        ..good
    });
    let errors =
        build_sogo_furikomi(&requester(), date(), &t, master(), LineEnding::CrLf).unwrap_err();
    assert_eq!(
        codes(&errors),
        [
            (Some(1), "bankCode", "bank.unknown"),
            (Some(2), "payeeKana", "zengin.name_char"),
            (Some(2), "amount", "zengin.amount_range"),
            (Some(4), "edi", "zengin.edi_with_customer_codes"),
            (Some(5), "accountNumber", "account_number.format"),
            (Some(5), "depositType", "bank.yucho_deposit_type"),
            (Some(5), "payeeKana", "zengin.payee_empty"),
            (Some(5), "amount", "zengin.amount_range"),
        ]
    );
    assert_eq!(errors[0].reference, "PO-2026-0001");
    assert_eq!(errors[3].reference, "PO-2026-0004");
    assert!(errors[1].message.contains("「商」"));
}

#[test]
fn header_errors() {
    let req = Requester {
        code: "12345ABCDE".to_owned(),
        name_kana: String::new(),
        bank_code: "0002".to_owned(),
        deposit_type: 4,
        account_number: "x".to_owned(),
        ..requester()
    };
    let errors = build_sogo_furikomi(&req, date(), &two_transfers(), master(), LineEnding::CrLf)
        .unwrap_err();
    assert_eq!(
        codes(&errors),
        [
            (None, "requester.code", "zengin.requester_code"),
            (None, "requester.nameKana", "zengin.requester_name_empty"),
            (
                None,
                "requester.depositType",
                "zengin.requester_deposit_type"
            ),
            (None, "requester.accountNumber", "account_number.format"),
            (None, "requester.bankCode", "bank.unknown"),
        ]
    );
    // Names given for a bank the master does not know are used as given.
    let req = Requester {
        code: "１２３".to_owned(),
        bank_code: "0002".to_owned(),
        bank_name_kana: "テストギンコウ".to_owned(),
        branch_name_kana: "ホンテン".to_owned(),
        ..requester()
    };
    let file =
        build_sogo_furikomi(&req, date(), &two_transfers(), master(), LineEnding::None).unwrap();
    let parsed = parse_sogo_furikomi(&file.bytes).unwrap();
    assert_eq!(parsed.header.requester_code, "0000000123");
    assert_eq!(parsed.header.bank_name, "ﾃｽﾄｷﾞﾝｺｳ");
    assert_eq!(parsed.header.branch_name, "ﾎﾝﾃﾝ");
}

#[test]
fn file_limits() {
    assert_eq!(
        codes(&limit_errors(0, 0)),
        [(None, "transfers", "zengin.no_transfers")]
    );
    assert!(limit_errors(MAX_COUNT, MAX_TOTAL).is_empty());
    assert_eq!(
        codes(&limit_errors(MAX_COUNT + 1, MAX_TOTAL + 1)),
        [
            (None, "transfers", "zengin.too_many"),
            (None, "transfers", "zengin.total_too_large"),
        ]
    );
    let errors =
        build_sogo_furikomi(&requester(), date(), &[], master(), LineEnding::CrLf).unwrap_err();
    assert_eq!(codes(&errors), [(None, "transfers", "zengin.no_transfers")]);
    // 101 transfers of the largest amount exceed the 12-digit total.
    let big = Transfer {
        amount: MAX_AMOUNT,
        ..two_transfers().remove(1)
    };
    let errors = build_sogo_furikomi(
        &requester(),
        date(),
        &vec![big; 101],
        master(),
        LineEnding::CrLf,
    )
    .unwrap_err();
    assert_eq!(
        codes(&errors),
        [(None, "transfers", "zengin.total_too_large")]
    );
}

#[test]
fn bank_names_longer_than_15_bytes_are_cut() {
    let m = BankMaster::from_tsv(
        "test",
        "code\tname\tkana\n0001\tテスト\tﾃｽﾄｷﾞﾝｺｳﾃｽﾄｷﾞﾝｺｳﾃｽﾄ\n",
        "bank\tbranch\tname\tkana\n0001\t001\t本店\tﾎﾝﾃﾝ\n",
    )
    .unwrap();
    let t = Transfer {
        bank_code: "0001".to_owned(),
        branch_code: "001".to_owned(),
        ..two_transfers().remove(1)
    };
    let file = build_sogo_furikomi(&requester(), date(), &[t], &m, LineEnding::None).unwrap();
    let parsed = parse_sogo_furikomi(&file.bytes).unwrap();
    assert_eq!(parsed.transfers[0].bank_name, "ﾃｽﾄｷﾞﾝｺｳﾃｽﾄｷﾞﾝｺ");
    assert_eq!(parsed.header.bank_name, "ﾃｽﾄｷﾞﾝｺｳﾃｽﾄｷﾞﾝｺ");
}

#[test]
fn error_json_is_pinned() {
    let mut t = two_transfers();
    t[1].payee_kana = "ヤマダ商事".to_owned();
    let errors =
        build_sogo_furikomi(&requester(), date(), &t, master(), LineEnding::CrLf).unwrap_err();
    assert_eq!(
        serde_json::to_value(&errors[0]).unwrap(),
        serde_json::json!({
            "row": 2,
            "reference": "PO-2026-0002",
            "field": "payeeKana",
            "code": "zengin.name_char",
            "message": "受取人名に使えない文字「商」があります（4文字目）。全銀の振込データでは半角カナ・英大文字・数字・一部の記号だけが使えます。"
        })
    );
}

fn good_file(eol: LineEnding) -> Vec<u8> {
    build_sogo_furikomi(&requester(), date(), &two_transfers(), master(), eol)
        .unwrap()
        .bytes
}

#[test]
fn broken_files_are_refused() {
    let parse_code = |b: &[u8]| parse_sogo_furikomi(b).unwrap_err().code;
    // Trailer total changed: last digit of 合計金額 (column 19 of record 4).
    let mut b = good_file(LineEnding::CrLf);
    b[3 * 122 + 18] = b'8';
    let e = parse_sogo_furikomi(&b).unwrap_err();
    assert_eq!((e.code, e.row), ("zengin.parse_total_mismatch", Some(4)));
    assert!(e.message.contains("1289568円"), "{}", e.message);
    // Trailer count changed.
    let mut b = good_file(LineEnding::None);
    b[3 * 120 + 6] = b'3';
    assert_eq!(parse_code(&b), "zengin.parse_count_mismatch");
    // Cut short.
    let b = good_file(LineEnding::None);
    assert_eq!(parse_code(&b[..599]), "zengin.parse_length");
    // LF instead of CR LF.
    let b: Vec<u8> = good_file(LineEnding::CrLf)
        .into_iter()
        .filter(|&c| c != b'\r')
        .collect();
    assert_eq!(parse_code(&b), "zengin.parse_byte");
    // Not 総合振込.
    let mut b = good_file(LineEnding::None);
    b[1..3].copy_from_slice(b"11");
    assert_eq!(parse_code(&b), "zengin.parse_kind");
    // Records out of order: the trailer where a data record was.
    let mut b = good_file(LineEnding::None);
    b[120] = b'8';
    assert_eq!(parse_code(&b), "zengin.parse_digits");
    let mut b = good_file(LineEnding::None);
    b.drain(480..600); // no end record
    assert_eq!(parse_code(&b), "zengin.parse_order");
    // Something after the end record.
    let mut b = good_file(LineEnding::None);
    let again = b[..120].to_vec();
    b.extend(again);
    assert_eq!(parse_code(&b), "zengin.parse_after_end");
    // A letter in an amount.
    let mut b = good_file(LineEnding::None);
    b[120 + 85] = b'A';
    let e = parse_sogo_furikomi(&b).unwrap_err();
    assert_eq!((e.code, e.row), ("zengin.parse_digits", Some(2)));
    // A missing CR LF in the middle.
    let mut b = good_file(LineEnding::CrLf);
    b.drain(242..244);
    let e = parse_sogo_furikomi(&b).unwrap_err();
    assert_eq!((e.code, e.row), ("zengin.parse_line_ending", Some(2)));
}

#[test]
fn tolerated_endings() {
    // Without CR LF after the end record, and with an EOF byte.
    let mut b = good_file(LineEnding::CrLf);
    b.truncate(b.len() - 2);
    assert_eq!(
        parse_sogo_furikomi(&b).unwrap().line_ending,
        LineEnding::CrLf
    );
    let mut b = good_file(LineEnding::None);
    b.push(0x1A);
    assert_eq!(parse_sogo_furikomi(&b).unwrap().count, 2);
}

// ---------------------------------------------------------------------------------------
// Round trip

/// (bank, branch) pairs that the master has, a few from each kind of institution.
fn account_strategy() -> impl Strategy<Value = (String, String, u8, String)> {
    let banks: Vec<&'static Bank> = master()
        .banks()
        .iter()
        .filter(|b| !master().branches_of(&b.code).is_empty())
        .collect();
    (
        prop::sample::select(banks),
        any::<prop::sample::Index>(),
        prop::sample::select(vec![1u8, 2, 4, 9]),
        0u32..10_000_000,
    )
        .prop_map(|(bank, branch, deposit, account)| {
            let branches = master().branches_of(&bank.code);
            let branch = &branches[branch.index(branches.len())];
            let deposit = if bank.code == "9900" {
                if branch.code.ends_with('8') {
                    1
                } else {
                    2
                }
            } else {
                deposit
            };
            (
                bank.code.clone(),
                branch.code.clone(),
                deposit,
                account.to_string(),
            )
        })
}

fn payee_strategy() -> impl Strategy<Value = String> {
    let alphabet: Vec<char> = "アイウエオカガキギクサザシジタダチツテトナハバパピフブプマミヤユヨラワンャュョッァーあいうがぱABCXYZabcxyz0123456789"
        .chars()
        .collect();
    let word = proptest::collection::vec(prop::sample::select(alphabet), 1..=4)
        .prop_map(|v| v.into_iter().collect::<String>());
    proptest::collection::vec(word, 1..=3).prop_map(|w| w.join("　"))
}

fn transfer_strategy() -> impl Strategy<Value = Transfer> {
    (
        account_strategy(),
        payee_strategy(),
        1i64..=MAX_AMOUNT,
        "[A-Z0-9]{0,10}",
        "[A-Z0-9]{0,10}",
        proptest::option::of("[A-Z0-9][A-Z0-9 ./-]{0,18}[A-Z0-9]"),
        "[A-Z]{2}-[0-9]{4}",
    )
        .prop_map(
            |((bank, branch, deposit, account), payee, amount, c1, c2, edi, reference)| {
                let (c1, c2) = if edi.is_some() {
                    (String::new(), String::new())
                } else {
                    (c1, c2)
                };
                Transfer {
                    bank_code: bank,
                    branch_code: branch,
                    deposit_type: deposit,
                    account_number: account,
                    payee_kana: payee,
                    amount,
                    customer_code1: c1,
                    customer_code2: c2,
                    edi,
                    reference,
                }
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn build_then_parse_round_trips(
        transfers in proptest::collection::vec(transfer_strategy(), 1..12),
        crlf in any::<bool>(),
        day in 0u32..365,
    ) {
        let eol = if crlf { LineEnding::CrLf } else { LineEnding::None };
        let date = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(u64::from(day));
        let file = build_sogo_furikomi(&requester(), date, &transfers, master(), eol).unwrap();
        let line = if crlf { 122 } else { 120 };
        prop_assert_eq!(file.bytes.len(), (transfers.len() + 3) * line);
        for rec in file.bytes.chunks(line) {
            prop_assert_eq!(rec.len(), line);
            prop_assert!(rec[..120].iter().all(|&b| decode_byte(b).is_some()));
            if crlf {
                prop_assert_eq!(&rec[120..], b"\r\n");
            }
        }
        let parsed = parse_sogo_furikomi(&file.bytes).unwrap();
        prop_assert_eq!(parsed.line_ending, eol);
        prop_assert_eq!(parsed.header.transfer_mmdd, date.format("%m%d").to_string());
        prop_assert_eq!(parsed.count as usize, transfers.len());
        prop_assert_eq!(parsed.total, transfers.iter().map(|t| t.amount).sum::<i64>());
        prop_assert_eq!(file.total, parsed.total);
        for (t, p) in transfers.iter().zip(&parsed.transfers) {
            prop_assert_eq!(&p.bank_code, &t.bank_code);
            prop_assert_eq!(&p.branch_code, &t.branch_code);
            prop_assert_eq!(&p.bank_name, &master().bank(&t.bank_code).unwrap().kana);
            prop_assert_eq!(p.deposit_type, t.deposit_type);
            prop_assert_eq!(p.account_number.parse::<u32>().unwrap().to_string(), t.account_number.clone());
            prop_assert_eq!(p.account_number.len(), 7);
            prop_assert_eq!(&p.payee_name, &normalize_payee_name(&t.payee_kana).unwrap());
            prop_assert_eq!(p.amount, t.amount);
            prop_assert_eq!(&p.customer_code1, &t.customer_code1);
            prop_assert_eq!(&p.customer_code2, &t.customer_code2);
            prop_assert_eq!(
                p.edi.clone(),
                t.edi.as_deref().map(|e| normalize_code_text(e, "EDI情報", EDI_MAX).unwrap())
            );
        }
    }

    /// Whatever is typed, a name either converts to the safe set within 30 bytes or is
    /// refused naming a character of the input.
    #[test]
    fn names_convert_or_name_the_culprit(input in "\\PC{0,40}") {
        match normalize_payee_name(&input) {
            Ok(name) => {
                prop_assert!(name.chars().all(is_zengin_char));
                prop_assert!(name.chars().count() <= 30);
                prop_assert_eq!(normalize_payee_name(&name), Ok(name.clone()));
            }
            Err(e) => {
                prop_assert_eq!(input.chars().nth(e.position - 1), Some(e.ch));
            }
        }
    }
}
