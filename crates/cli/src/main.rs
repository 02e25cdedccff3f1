//! `kyosai`: the command line of Kyosai Desk, for IT staff and RPA robots.
//!
//! Every command writes one JSON document to standard output. Exit status: 0 when the
//! input was valid, 1 when it was read but is wrong (the JSON then holds the findings or an
//! `error` object with a stable `code` and a Japanese `message`), 2 when the input could
//! not be read at all or the command line is wrong. The same rules as the desktop app
//! apply: they come from `kyosai-domain`.

mod acquisition;
mod audit;
mod dates;
mod db;
mod grade;
mod logs;
mod ocr;
mod procurement;

use std::process::ExitCode;

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "kyosai",
    version,
    about = "共済デスクのコマンドライン（情報システム担当・RPA向け）",
    long_about = "共済デスクのコマンドライン。結果は標準出力に JSON で出します。\n終了コード: 0 = 正常、1 = 入力に誤り、2 = 入力を読めない・使い方の誤り。"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// 西暦の日付（2024-04-01）を和暦にします。
    Wareki {
        /// YYYY-MM-DD
        date: String,
    },
    /// 和暦（令和6年4月1日、R6.4.1 など）を西暦にします。
    Seireki {
        /// 和暦の日付
        wareki: String,
    },
    /// 報酬月額から短期給付と厚生年金の標準報酬の等級を求めます。
    Grade {
        /// 報酬月額（円）
        #[arg(long, allow_negative_numbers = true)]
        pay: i64,
        /// 適用日（YYYY-MM-DD、省略時は今日）
        #[arg(long)]
        on: Option<NaiveDate>,
    },
    /// 組合員資格取得届
    Acquisition {
        #[command(subcommand)]
        command: AcquisitionCommand,
    },
    /// 請求書（JP PINT の電子インボイス）
    Invoice {
        #[command(subcommand)]
        command: InvoiceCommand,
    },
    /// 全銀 総合振込データ
    Zengin {
        #[command(subcommand)]
        command: ZenginCommand,
    },
    /// ログファイル
    Logs {
        #[command(subcommand)]
        command: LogsCommand,
    },
    /// 監査ログ
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// AI-OCR の取込（スキャナ端末・ホットフォルダ用）
    Ocr {
        #[command(subcommand)]
        command: OcrCommand,
    },
    /// このPCのデータベース（プロファイルごと）のバックアップと復元
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
}

#[derive(Debug, Subcommand)]
enum DbCommand {
    /// プロファイルのデータベースを、共済デスクを使ったままバックアップします（SQLite のオンラインバックアップ）。
    Backup {
        /// プロファイル名
        #[arg(long)]
        profile: String,
        /// データの保存先フォルダ（省略時は KYOSAI_DATA_DIR、なければ共済デスクの既定の場所）
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// バックアップを書き出すファイル（既にあるファイルは上書きしません）
        #[arg(long)]
        out: PathBuf,
        /// パスフレーズを入れた環境変数の名前。付けると別のPCでも復元できるバックアップになります
        #[arg(long)]
        passphrase_env: Option<String>,
    },
    /// バックアップからプロファイルのデータベースを復元します。共済デスクを終了してから実行します。それまでのデータベースは別名で残します。
    Restore {
        /// プロファイル名
        #[arg(long)]
        profile: String,
        /// データの保存先フォルダ（省略時は KYOSAI_DATA_DIR、なければ共済デスクの既定の場所）
        #[arg(long)]
        data_dir: Option<PathBuf>,
        /// バックアップのファイル（同じ名前に .json を付けた説明ファイルが隣に必要です）
        file: PathBuf,
        /// パスフレーズを入れた環境変数の名前（パスフレーズ付きのバックアップのとき）
        #[arg(long)]
        passphrase_env: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum OcrCommand {
    /// スキャンしたファイルをこのPCで読み取り、所属所の修正待ちの受付に送ります。パスワードは環境変数 KYOSAI_PASSWORD から読みます。
    Import {
        /// 中央サービスのURL（例: https://central.kyosai.example:8443）
        #[arg(long)]
        server: String,
        /// 中央サービスの証明書を発行したCAの証明書（PEM）。OSの信頼するCAに加えて信頼します
        #[arg(long)]
        ca: Option<PathBuf>,
        /// 利用者ID（所属所の担当者）
        #[arg(long)]
        user: String,
        /// 帳票の様式（shikaku-shutoku-todoke = 資格取得届、seikyusho = 請求書）
        #[arg(long, default_value = ocr::DEFAULT_TEMPLATE)]
        template: String,
        /// AI-OCRサービスの読取結果（CSV・JSON、docs/ocr-vendor-format.md）。指定すると、このPCでは読み取らず、その結果を確認に回します（画像はスキャンしたファイルから切り出します。スキャンしたファイルは1つだけ）
        #[arg(long)]
        vendor: Option<PathBuf>,
        /// スキャンしたファイル（PDF・JPEG・PNG・TIFF）
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// 書き出した監査ログ（JSON Lines）の改ざん（書き換え・削除・挿入・並べ替え）を調べます。
    Verify {
        /// 監査ログのファイル（.jsonl）
        file: PathBuf,
        /// 別に保管している確認点「番号:ハッシュ」（末尾の削除や作り直しも調べます）
        #[arg(long)]
        anchor: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum LogsCommand {
    /// ログに個人番号（検査用数字の合う12桁）が含まれていないかを調べます。番号そのものは表示しません。
    Scan {
        /// ファイルまたはフォルダ（フォルダは中をすべて）
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum InvoiceCommand {
    /// JP PINT（UBL 2.1）の請求書 XML を読み、内容と点検結果を出します。
    Import {
        /// XML ファイル
        file: PathBuf,
        /// 点検の基準日（YYYY-MM-DD、省略時は今日）
        #[arg(long)]
        today: Option<NaiveDate>,
    },
}

#[derive(Debug, Subcommand)]
enum ZenginCommand {
    /// 振込依頼（JSON）から総合振込データ（120バイト固定長）を作ります。
    Export {
        /// 振込依頼の JSON ファイル（docs/cli.md）
        file: PathBuf,
        /// 書き出すファイル
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum AcquisitionCommand {
    /// 届出（JSON: 1件または配列）を提出前の基準で点検します。
    Check {
        /// JSON ファイル
        file: PathBuf,
        /// 点検の基準日（YYYY-MM-DD、省略時は今日）
        #[arg(long)]
        today: Option<NaiveDate>,
    },
}

/// What a command produced: the JSON to print and whether the input was valid.
#[derive(Debug)]
pub struct Output {
    pub json: serde_json::Value,
    pub valid: bool,
}

fn main() -> ExitCode {
    // Tesseract reads one small field image at a time: its OpenMP threads only fight over
    // the cores (docs/benchmarks.md). Set before any thread starts; IT may override it.
    if std::env::var_os("OMP_THREAD_LIMIT").is_none() {
        std::env::set_var("OMP_THREAD_LIMIT", "1");
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // --help and --version are not errors.
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let out = match cli.command {
        Command::Wareki { date } => dates::wareki(&date),
        Command::Seireki { wareki } => dates::seireki(&wareki),
        Command::Grade { pay, on } => grade::grade(pay, on.unwrap_or_else(today)),
        Command::Acquisition {
            command: AcquisitionCommand::Check { file, today: on },
        } => match acquisition::check(&file, on.unwrap_or_else(today)) {
            Ok(out) => out,
            Err(acquisition::Unreadable(message)) => {
                eprintln!("{message}");
                return ExitCode::from(2);
            }
        },
        Command::Invoice {
            command: InvoiceCommand::Import { file, today: on },
        } => match procurement::invoice_import(&file, on.unwrap_or_else(today)) {
            Ok(out) => out,
            Err(procurement::Unreadable(message)) => {
                eprintln!("{message}");
                return ExitCode::from(2);
            }
        },
        Command::Zengin {
            command: ZenginCommand::Export { file, out },
        } => match procurement::zengin_export(&file, &out) {
            Ok(out) => out,
            Err(procurement::Unreadable(message)) => {
                eprintln!("{message}");
                return ExitCode::from(2);
            }
        },
        Command::Logs {
            command: LogsCommand::Scan { paths },
        } => match logs::scan(&paths) {
            Ok(out) => out,
            Err(logs::Unreadable(message)) => {
                eprintln!("{message}");
                return ExitCode::from(2);
            }
        },
        Command::Audit {
            command: AuditCommand::Verify { file, anchor },
        } => match audit::verify_file(&file, anchor.as_deref()) {
            Ok(out) => out,
            Err(audit::Unreadable(message)) => {
                eprintln!("{message}");
                return ExitCode::from(2);
            }
        },
        Command::Ocr {
            command:
                OcrCommand::Import {
                    server,
                    ca,
                    user,
                    template,
                    vendor,
                    files,
                },
        } => match ocr::import(&ocr::ImportArgs {
            server,
            ca,
            user,
            template,
            vendor,
            files,
        }) {
            Ok(out) => out,
            Err(ocr::Unreadable(message)) => {
                eprintln!("{message}");
                return ExitCode::from(2);
            }
        },
        Command::Db { command } => match run_db(command) {
            Ok(out) => out,
            Err(db::Unreadable(message)) => {
                eprintln!("{message}");
                return ExitCode::from(2);
            }
        },
    };
    #[allow(clippy::print_stdout)]
    {
        println!("{}", out.json);
    }
    if out.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn run_db(command: DbCommand) -> Result<Output, db::Unreadable> {
    match command {
        DbCommand::Backup {
            profile,
            data_dir,
            out,
            passphrase_env,
        } => db::backup(&db::BackupArgs {
            target: db::Target { profile, data_dir },
            out,
            passphrase_env,
        }),
        DbCommand::Restore {
            profile,
            data_dir,
            file,
            passphrase_env,
        } => db::restore(&db::RestoreArgs {
            target: db::Target { profile, data_dir },
            file,
            passphrase_env,
        }),
    }
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// `{"error": {"code", "message"}}`
pub fn error_json(code: &str, message: &str) -> serde_json::Value {
    serde_json::json!({ "error": { "code": code, "message": message } })
}
