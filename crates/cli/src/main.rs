//! `kyosai`: the command line of Kyosai Desk, for IT staff and RPA robots.
//!
//! Every command writes one JSON document to standard output. Exit status: 0 when the
//! input was valid, 1 when it was read but is wrong (the JSON then holds the findings or an
//! `error` object with a stable `code` and a Japanese `message`), 2 when the input could
//! not be read at all or the command line is wrong. The same rules as the desktop app
//! apply: they come from `kyosai-domain`.

mod dates;

use std::process::ExitCode;

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
}

/// What a command produced: the JSON to print and whether the input was valid.
#[derive(Debug)]
pub struct Output {
    pub json: serde_json::Value,
    pub valid: bool,
}

fn main() -> ExitCode {
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

/// `{"error": {"code", "message"}}`
pub fn error_json(code: &str, message: &str) -> serde_json::Value {
    serde_json::json!({ "error": { "code": code, "message": message } })
}
