//! `kyosai-central`: run and administer the central sync service.
//!
//! Output for people goes to stdout (lists) and stderr (progress, errors). Exit status:
//! 0 done, 1 refused or failed (the message says why and what to do), 2 wrong usage.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{BufRead as _, IsTerminal as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use kyosai_central::certs;
use kyosai_central::config::Config;
use kyosai_central::demo;
use kyosai_central::demo_year;
use kyosai_central::storage::{NewUser, Storage};
use kyosai_sync_protocol::Role;
use uuid::Uuid;

#[derive(Debug, Parser)]
#[command(
    name = "kyosai-central",
    version,
    about = "共済デスク 中央同期サービス（起動と管理）",
    long_about = "共済デスクの中央同期サービス。`serve` で起動し、その他のコマンドで所属所・ユーザー・端末を管理します。\n設定ファイルの例: crates/central/config.example.toml"
)]
struct Cli {
    /// 設定ファイル（TOML）。環境変数 KYOSAI_CENTRAL_CONFIG でも指定できます。
    #[arg(long, short, global = true, env = "KYOSAI_CENTRAL_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// サービスを起動します（Ctrl-C / SIGTERM で停止）。
    Serve,
    /// データベースを作成し、スキーマを最新にします。
    Init,
    /// 開発用: DIR に設定・開発用証明書・デモデータを用意して起動します。
    Dev {
        /// 作業フォルダ（設定 central.toml、certs/、data/ を置きます）
        #[arg(long, default_value = "target/kyosai-central-dev")]
        dir: PathBuf,
        /// 待ち受けアドレス
        #[arg(long, default_value = "127.0.0.1:8443")]
        listen: SocketAddr,
    },
    /// 所属所の管理
    #[command(subcommand)]
    Office(OfficeCommand),
    /// ユーザーの管理
    #[command(subcommand)]
    User(UserCommand),
    /// 端末の管理
    #[command(subcommand)]
    Device(DeviceCommand),
    /// デモ用の所属所・ユーザー（各ロール1名、パスワード kyosai-demo）・レコードを登録します。デモ専用。
    DemoData,
    /// 業務の見える化のデモ用に、1年分の業務（資格取得届・起案・調達・AI-OCR 約3,000件と作業時間）を生成して登録します。デモ専用。2回目以降は何もしません。
    DemoYear {
        /// 最終日（YYYY-MM-DD）。省略時は昨日（日本時間）
        #[arg(long, value_parser = parse_day)]
        until: Option<chrono::NaiveDate>,
        /// 乱数の種（同じ種と最終日なら同じデータ）
        #[arg(long, default_value_t = demo_year::DEFAULT_SEED)]
        seed: u64,
    },
    /// 開発・テスト用の CA とサーバー証明書を作ります（本番では使わないでください）。
    DevCert {
        /// 出力先フォルダ（ca.pem, server.pem, server.key）
        #[arg(long)]
        out: PathBuf,
        /// 証明書に入れるホスト名または IP アドレス（複数可）
        #[arg(long = "host", required = true)]
        hosts: Vec<String>,
    },
    /// 変更履歴の世代（epoch）の管理
    #[command(subcommand)]
    Epoch(EpochCommand),
    /// 基幹システムへの登録ファイル（登録済みの資格取得届）
    #[command(subcommand)]
    Registrations(RegistrationsCommand),
    /// 監査ログ（改ざん検知つき）の検証・書き出し
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// 監査ログ全体のハッシュの連鎖を検証します。改ざん（書き換え・削除・挿入・並べ替え）があれば、その位置を示して終了コード 1 で終わります。
    Verify {
        /// 以前に控えた先頭（`audit head` の出力 SEQ:HASH）。ログがそこまで続き、同じハッシュであることも確かめます。
        #[arg(long, value_name = "SEQ:HASH")]
        anchor: Option<String>,
    },
    /// 監査ログ全体を JSON Lines で FILE に書き出します（`kyosai audit verify` でも検証できます）。書き出し自体も記録されます。
    Export {
        /// 書き出し先のファイル
        file: PathBuf,
    },
    /// 監査ログの現在の先頭（SEQ:HASH）を表示します。別の場所に控えておくと、後で `audit verify --anchor` で末尾の削除や作り直しも検知できます。
    Head,
}

#[derive(Debug, Subcommand)]
enum RegistrationsCommand {
    /// 前回から新たに登録された届を一つのファイルにまとめ、DIR に書き出します（各届は一度だけ）。
    Export {
        #[arg(long)]
        out: PathBuf,
    },
    /// 作成済みの登録ファイルの一覧
    List,
    /// 作成済みの登録ファイルを、作成時と同じ内容で DIR に書き出します。
    Get {
        #[arg(long)]
        id: uuid::Uuid,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
enum OfficeCommand {
    /// 所属所を登録します（既にあれば名称を更新）。
    Add {
        /// 所属所番号（例: 1203）
        #[arg(long)]
        code: String,
        /// 所属所名（例: 新宿区役所）
        #[arg(long)]
        name: String,
    },
    /// 所属所の一覧
    List,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
#[value(rename_all = "snake_case")]
enum RoleArg {
    OfficeClerk,
    OfficeHead,
    SecretariatReviewer,
    Approver,
    ItAdmin,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::OfficeClerk => Role::OfficeClerk,
            RoleArg::OfficeHead => Role::OfficeHead,
            RoleArg::SecretariatReviewer => Role::SecretariatReviewer,
            RoleArg::Approver => Role::Approver,
            RoleArg::ItAdmin => Role::ItAdmin,
        }
    }
}

#[derive(Debug, Args)]
struct PasswordInput {
    /// パスワードを標準入力の1行目から読みます（端末でなければ指定がなくてもそうします）。
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// ユーザーを登録します。パスワードは端末で入力するか標準入力から渡します（コマンドラインには書けません）。
    Add {
        #[arg(long)]
        id: String,
        /// 表示名（例: 佐藤 花子）
        #[arg(long)]
        name: String,
        /// ロール（複数可）
        #[arg(long = "role", value_enum, required = true)]
        roles: Vec<RoleArg>,
        /// 所属所番号（所属所担当者・所属所長のみ。事務局・決裁権者・IT管理者は指定しない）
        #[arg(long)]
        office: Option<String>,
        #[command(flatten)]
        password: PasswordInput,
    },
    /// パスワードを変更します（ロックも解除します）。
    SetPassword {
        #[arg(long)]
        id: String,
        #[command(flatten)]
        password: PasswordInput,
    },
    /// サインイン失敗によるロックを解除します。
    Unlock {
        #[arg(long)]
        id: String,
    },
    /// 利用を停止します（そのユーザーのサインインと同期はすべて拒否されます）。
    Disable {
        #[arg(long)]
        id: String,
    },
    /// 利用停止を解除します。
    Enable {
        #[arg(long)]
        id: String,
    },
    /// ロールと所属所を置き換えます。
    Roles {
        #[arg(long)]
        id: String,
        /// ロール（複数可）
        #[arg(long = "role", value_enum, required = true)]
        roles: Vec<RoleArg>,
        /// 所属所番号（所属所担当者・所属所長のみ）
        #[arg(long)]
        office: Option<String>,
    },
    /// 職位（専決規程の決裁者: 課長・経理課長・部長・事務局長・理事長）を設定します。指定しなければ職位をなくします。
    Positions {
        #[arg(long)]
        id: String,
        /// 職位（複数可）
        #[arg(long = "position", value_enum)]
        positions: Vec<PositionArg>,
    },
    /// ユーザーの一覧
    List,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum PositionArg {
    /// 課長
    Kacho,
    /// 経理課長
    KeiriKacho,
    /// 部長
    Bucho,
    /// 事務局長
    Jimukyokucho,
    /// 理事長
    Rijicho,
}

impl From<PositionArg> for kyosai_domain::approval::Position {
    fn from(p: PositionArg) -> Self {
        use kyosai_domain::approval::Position as P;
        match p {
            PositionArg::Kacho => P::Kacho,
            PositionArg::KeiriKacho => P::KeiriKacho,
            PositionArg::Bucho => P::Bucho,
            PositionArg::Jimukyokucho => P::Jimukyokucho,
            PositionArg::Rijicho => P::Rijicho,
        }
    }
}

#[derive(Debug, Subcommand)]
enum DeviceCommand {
    /// 登録済み端末の一覧
    List,
    /// 端末の利用を停止し、その端末のサインインをすべて無効にします。
    Revoke {
        /// 端末ID（`device list` の最初の列）
        #[arg(long)]
        device: Uuid,
        /// このユーザーの登録だけを停止する（省略時はその端末の全ユーザー）
        #[arg(long)]
        user: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum EpochCommand {
    /// 世代を新しくします。バックアップから復元した後に実行すると、各端末は次の同期で全件を取り直します。
    Rotate,
    /// 現在の世代を表示します。
    Show,
}

/// A failure to report: the message is for IT staff.
struct Failure(String);

impl<E: std::fmt::Display> From<E> for Failure {
    fn from(e: E) -> Self {
        Failure(e.to_string())
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("起動できません: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(message)) => {
            eprintln!("kyosai-central: {message}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

fn load_config(path: Option<&Path>) -> Result<Config, Failure> {
    let path = path.ok_or_else(|| {
        Failure("設定ファイルを --config FILE（または KYOSAI_CENTRAL_CONFIG）で指定してください。例は crates/central/config.example.toml にあります。".into())
    })?;
    Ok(Config::load(path)?)
}

/// The database, with what the command changes recorded in the audit log as done by
/// `cli:` and the operating-system account.
async fn open_storage(config: &Config) -> Result<Storage, Failure> {
    Ok(Storage::open(&config.storage_spec()?)
        .await?
        .operated_by(&kyosai_central::audit::cli_operator()))
}

async fn run(cli: Cli) -> Result<(), Failure> {
    let config_path = cli.config.as_deref();
    match cli.command {
        Command::Serve => {
            let config = load_config(config_path)?;
            let server = kyosai_central::serve(config).await?;
            eprintln!(
                "kyosai-central: {} で待ち受けています（Ctrl-C で停止）",
                server.base_url()
            );
            server.run_until_signal().await;
        }
        Command::Init => {
            let config = load_config(config_path)?;
            let storage = open_storage(&config).await?;
            let epoch = storage.epoch().await?;
            eprintln!(
                "データベースを用意しました（{}、世代 {epoch}）。",
                storage.backend_name()
            );
        }
        Command::Dev { dir, listen } => dev(&dir, listen).await?,
        Command::Office(cmd) => {
            let storage = open_storage(&load_config(config_path)?).await?;
            match cmd {
                OfficeCommand::Add { code, name } => {
                    let (code, name) = (code.trim(), name.trim());
                    if code.is_empty() || name.is_empty() {
                        return Err(Failure("所属所番号と名称を指定してください".into()));
                    }
                    storage.upsert_office(code, name).await?;
                    eprintln!("所属所 {code} {name} を登録しました。");
                }
                OfficeCommand::List => {
                    for o in storage.offices().await? {
                        println!("{}\t{}", o.code, o.name);
                    }
                }
            }
        }
        Command::User(cmd) => {
            let config = load_config(config_path)?;
            let storage = open_storage(&config).await?;
            user_command(&config, &storage, cmd).await?;
        }
        Command::Device(cmd) => {
            let storage = open_storage(&load_config(config_path)?).await?;
            match cmd {
                DeviceCommand::List => {
                    println!("端末ID\tユーザー\t端末名\t登録日時\t状態");
                    for d in storage.devices().await? {
                        let state = match d.revoked_at {
                            Some(t) => format!("停止 {}", t.format("%Y-%m-%d %H:%M UTC")),
                            None => "利用中".to_string(),
                        };
                        println!(
                            "{}\t{}\t{}\t{}\t{}",
                            d.device_id,
                            d.user_id,
                            d.name,
                            d.enrolled_at.format("%Y-%m-%d %H:%M UTC"),
                            state
                        );
                    }
                }
                DeviceCommand::Revoke { device, user } => {
                    let n = storage
                        .revoke_device(device, user.as_deref(), chrono::Utc::now())
                        .await?;
                    if n == 0 {
                        return Err(Failure(format!(
                            "端末 {device} の利用中の登録は見つかりませんでした（`device list` で確かめてください）"
                        )));
                    }
                    eprintln!("端末 {device} の登録 {n} 件を停止し、サインインを無効にしました。");
                }
            }
        }
        Command::DemoData => {
            let config = load_config(config_path)?;
            let storage = open_storage(&config).await?;
            load_demo(&config, &storage).await?;
        }
        Command::DemoYear { until, seed } => {
            let config = load_config(config_path)?;
            let storage = open_storage(&config).await?;
            load_demo(&config, &storage).await?;
            load_demo_year(&config, &storage, until, seed).await?;
        }
        Command::DevCert { out, hosts } => {
            let made = certs::generate(&hosts)?;
            let paths = certs::write(&out, &made)?;
            eprintln!(
                "開発用の証明書を作りました（本番では使わないでください）:\n  CA（アプリに信頼させる）: {}\n  サーバー証明書: {}\n  秘密鍵: {}",
                paths.ca.display(),
                paths.server_cert.display(),
                paths.server_key.display()
            );
        }
        Command::Registrations(cmd) => {
            let storage = open_storage(&load_config(config_path)?).await?;
            let write = |out: &std::path::Path, name: &str, content: &str| {
                std::fs::create_dir_all(out)
                    .and_then(|_| std::fs::write(out.join(name), content))
                    .map_err(|e| Failure(format!("{} に書き出せません: {e}", out.display())))
                    .map(|_| out.join(name))
            };
            match cmd {
                RegistrationsCommand::Export { out } => {
                    let now = chrono::SubsecRound::trunc_subsecs(chrono::Utc::now(), 6);
                    let made = storage
                        .create_registration_batch(
                            &kyosai_central::audit::cli_operator(),
                            now,
                            Box::new(move |records| {
                                kyosai_central::acquisition::render_registrations(records, now)
                            }),
                        )
                        .await?;
                    match made {
                        Some((batch, content)) => {
                            let path = write(&out, &batch.file_name, &content)?;
                            println!("{}", path.display());
                            eprintln!(
                                "登録ファイルを作りました: {} 件（{}）",
                                batch.record_count, batch.id
                            );
                        }
                        None => eprintln!("前回から新たに登録された届はありません。"),
                    }
                }
                RegistrationsCommand::List => {
                    println!("ID\t作成日時\t作成者\t件数\tファイル名");
                    for b in storage.registration_batches().await? {
                        println!(
                            "{}\t{}\t{}\t{}\t{}",
                            b.id,
                            b.created_at.format("%Y-%m-%d %H:%M UTC"),
                            b.created_by,
                            b.record_count,
                            b.file_name
                        );
                    }
                }
                RegistrationsCommand::Get { id, out } => {
                    let Some((batch, content)) = storage.registration_batch_file(id).await? else {
                        return Err(Failure(format!(
                            "登録ファイル {id} はありません（`registrations list` で確かめてください）"
                        )));
                    };
                    println!("{}", write(&out, &batch.file_name, &content)?.display());
                    storage
                        .audit_append(kyosai_central::audit::registration(
                            &kyosai_central::audit::cli_operator(),
                            "download",
                            &batch,
                            chrono::Utc::now(),
                        ))
                        .await?;
                }
            }
        }
        Command::Audit(cmd) => {
            let storage = open_storage(&load_config(config_path)?).await?;
            audit_command(&storage, cmd).await?;
        }
        Command::Epoch(cmd) => {
            let storage = open_storage(&load_config(config_path)?).await?;
            match cmd {
                EpochCommand::Rotate => {
                    let epoch = storage.rotate_epoch().await?;
                    eprintln!("世代を {epoch} にしました。各端末は次の同期で全件を取り直します。");
                }
                EpochCommand::Show => println!("{}", storage.epoch().await?),
            }
        }
    }
    Ok(())
}

async fn audit_command(storage: &Storage, cmd: AuditCommand) -> Result<(), Failure> {
    use kyosai_audit::Head;
    match cmd {
        AuditCommand::Verify { anchor } => {
            let anchor = match anchor.as_deref() {
                Some(text) => Some(Head::parse(text).ok_or_else(|| {
                    Failure(format!(
                        "--anchor は `audit head` の出力（SEQ:HASH、例 42:ab12…）で指定してください: {text}"
                    ))
                })?),
                None => None,
            };
            match storage.audit_verify(anchor.as_ref()).await? {
                Ok(summary) => {
                    let head = summary
                        .head
                        .map_or_else(|| "（空）".to_string(), |h| h.to_string());
                    println!("{head}");
                    eprintln!(
                        "監査ログは正常です: {} 件、先頭 {head}{}",
                        summary.count,
                        if anchor.is_some() {
                            "（控えた先頭と一致）"
                        } else {
                            ""
                        }
                    );
                }
                Err(b) => {
                    return Err(Failure(format!(
                        "{}（{}）。データベースが直接変更された可能性があります。ログを保全し、セキュリティ担当者に連絡してください。",
                        b.message(),
                        b.code()
                    )))
                }
            }
        }
        AuditCommand::Export { file } => {
            let rows = storage
                .audit_export(kyosai_audit::NewEntry::now(
                    kyosai_central::audit::cli_operator(),
                    kyosai_audit::actions::EXPORT_AUDIT,
                ))
                .await?;
            let mut out = String::new();
            for r in &rows {
                out.push_str(&kyosai_audit::to_line(&r.entry));
                out.push('\n');
            }
            std::fs::write(&file, out)
                .map_err(|e| Failure(format!("{} に書き出せません: {e}", file.display())))?;
            let head = rows
                .last()
                .map_or_else(String::new, |r| r.entry.head().to_string());
            println!("{head}");
            eprintln!(
                "監査ログ {} 件を {} に書き出しました（先頭 {head}）。",
                rows.len(),
                file.display()
            );
        }
        AuditCommand::Head => match storage.audit_head().await? {
            Some(h) => println!("{h}"),
            None => eprintln!("監査ログはまだ空です。"),
        },
    }
    Ok(())
}

/// Refuses IT combined with a business role, and an office role without an office.
fn check_roles(roles: &[Role], office: Option<&str>) -> Result<(), Failure> {
    if roles.contains(&Role::ItAdmin) && roles.iter().any(|r| *r != Role::ItAdmin) {
        return Err(Failure(
            "IT管理者は他のロールと兼ねられません（職務の分離: IT管理者は業務記録を扱いません）。業務も行う方には別のユーザーIDを登録してください".into(),
        ));
    }
    let office_role = roles
        .iter()
        .any(|r| matches!(r, Role::OfficeClerk | Role::OfficeHead));
    if office_role && office.is_none() {
        return Err(Failure(
            "所属所担当者・所属所長には --office（所属所番号）を指定してください".into(),
        ));
    }
    Ok(())
}

async fn user_command(config: &Config, storage: &Storage, cmd: UserCommand) -> Result<(), Failure> {
    match cmd {
        UserCommand::Add {
            id,
            name,
            roles,
            office,
            password,
        } => {
            let id = id.trim().to_string();
            if id.is_empty() || id.chars().count() > 64 || id.chars().any(char::is_whitespace) {
                return Err(Failure(
                    "ユーザーIDは空白を含まない64文字以内にしてください".into(),
                ));
            }
            let roles: Vec<Role> = roles.into_iter().map(Role::from).collect();
            check_roles(&roles, office.as_deref())?;
            let password = read_new_password(password.password_stdin)?;
            let hash = hash(config, password).await?;
            storage
                .add_user(NewUser {
                    id: id.clone(),
                    display_name: name.trim().to_string(),
                    password_hash: hash,
                    roles,
                    office_code: office,
                })
                .await?;
            eprintln!("ユーザー {id} を登録しました。");
        }
        UserCommand::SetPassword { id, password } => {
            let password = read_new_password(password.password_stdin)?;
            let hash = hash(config, password).await?;
            if !storage.set_password(&id, &hash).await? {
                return Err(Failure(format!("ユーザー「{id}」は登録されていません")));
            }
            eprintln!("ユーザー {id} のパスワードを変更しました。");
        }
        UserCommand::Disable { id } => {
            if !storage.set_disabled(&id, true).await? {
                return Err(Failure(format!("ユーザー「{id}」は登録されていません")));
            }
            eprintln!("ユーザー {id} の利用を停止しました。");
        }
        UserCommand::Enable { id } => {
            if !storage.set_disabled(&id, false).await? {
                return Err(Failure(format!("ユーザー「{id}」は登録されていません")));
            }
            eprintln!("ユーザー {id} の利用停止を解除しました。");
        }
        UserCommand::Roles { id, roles, office } => {
            let roles: Vec<Role> = roles.into_iter().map(Role::from).collect();
            check_roles(&roles, office.as_deref())?;
            storage.set_roles(&id, &roles, office.as_deref()).await?;
            let names: Vec<&str> = roles.iter().map(|r| r.name_ja()).collect();
            eprintln!(
                "ユーザー {id} のロールを「{}」にしました。",
                names.join("・")
            );
        }
        UserCommand::Unlock { id } => {
            if !storage.unlock_user(&id).await? {
                return Err(Failure(format!("ユーザー「{id}」は登録されていません")));
            }
            eprintln!("ユーザー {id} のロックを解除しました。");
        }
        UserCommand::Positions { id, positions } => {
            let positions: Vec<kyosai_domain::approval::Position> =
                positions.into_iter().map(Into::into).collect();
            if !storage.set_positions(&id, &positions).await? {
                return Err(Failure(format!("ユーザー「{id}」は登録されていません")));
            }
            let names: Vec<&str> = positions.iter().map(|p| p.name_ja()).collect();
            if names.is_empty() {
                eprintln!("ユーザー {id} の職位をなくしました。");
            } else {
                eprintln!("ユーザー {id} の職位を「{}」にしました。", names.join("・"));
            }
        }
        UserCommand::List => {
            println!("ユーザーID\t表示名\tロール\t所属所\t状態");
            let now = chrono::Utc::now();
            for u in storage.users().await? {
                let roles: Vec<&str> = u.roles.iter().map(|r| r.name_ja()).collect();
                let state = if u.disabled {
                    "利用停止".to_string()
                } else if let Some(t) = u.locked_until.filter(|t| *t > now) {
                    format!("ロック中（{} まで）", t.format("%Y-%m-%d %H:%M UTC"))
                } else {
                    "利用中".to_string()
                };
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    u.id,
                    u.display_name,
                    roles.join("・"),
                    u.office_code.as_deref().unwrap_or("-"),
                    state
                );
            }
        }
    }
    Ok(())
}

async fn hash(config: &Config, password: String) -> Result<String, Failure> {
    let argon2 = config.auth.argon2;
    let hashed = tokio::task::spawn_blocking(move || {
        kyosai_central::auth::hash_password(&argon2, &password)
    })
    .await?;
    Ok(hashed?)
}

/// Reads a new password from the terminal (twice, without echo) or from the first line
/// of standard input. Never from the command line, where `ps` and shell history see it.
fn read_new_password(from_stdin: bool) -> Result<String, Failure> {
    let password = if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    } else {
        let first = rpassword::prompt_password("パスワード: ")?;
        let second = rpassword::prompt_password("パスワード（確認）: ")?;
        if first != second {
            return Err(Failure("2回入力したパスワードが一致しません".into()));
        }
        first
    };
    kyosai_central::auth::check_new_password(&password).map_err(Failure)?;
    Ok(password)
}

async fn load_demo(config: &Config, storage: &Storage) -> Result<(), Failure> {
    let summary = demo::load(storage, &config.auth.argon2).await?;
    eprintln!(
        "デモデータ: 所属所 {} 件、ユーザー {} 人・レコード {} 件を追加しました（既にあるものはそのまま）。",
        summary.offices, summary.users_added, summary.records_added
    );
    eprintln!(
        "デモ用ユーザー（パスワードはすべて {}、デモ専用）:",
        demo::DEMO_PASSWORD
    );
    for u in demo::DEMO_USERS {
        eprintln!(
            "  {:<12} {}（{}{}）",
            u.id,
            u.name,
            u.role.name_ja(),
            u.office.map(|o| format!("・{o}")).unwrap_or_default()
        );
    }
    Ok(())
}

fn parse_day(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("日付は YYYY-MM-DD の形で指定してください（受け取った値: {s}）"))
}

/// Yesterday in Japan time.
fn yesterday_jst() -> chrono::NaiveDate {
    let today = kyosai_domain::approval::jst(chrono::Utc::now()).date();
    today.pred_opt().unwrap_or(today)
}

async fn load_demo_year(
    config: &Config,
    storage: &Storage,
    until: Option<chrono::NaiveDate>,
    seed: u64,
) -> Result<(), Failure> {
    let until = until.unwrap_or_else(yesterday_jst);
    let started = std::time::Instant::now();
    let s = demo_year::load(storage, &config.auth.argon2, until, seed).await?;
    if !s.loaded {
        eprintln!(
            "1年分のデモデータ（種 {seed}）は登録済みです。何も追加しませんでした。別の年を入れるときは --seed を変えてください。"
        );
        return Ok(());
    }
    let kinds: Vec<String> = s
        .cases_by_kind
        .iter()
        .map(|(k, n)| {
            let label =
                kyosai_domain::flow::Process::of_kind(k).map_or(k.as_str(), |p| p.label_ja());
            format!("{label} {n} 件")
        })
        .collect();
    eprintln!(
        "1年分のデモデータ（{} 〜 {}、種 {seed}）を登録しました: 案件 {} 件（{}）、作業時間の記録 {} 件、レコード計 {} 件（{:.1} 秒）。",
        s.from,
        s.until,
        s.cases_by_kind.values().sum::<usize>(),
        kinds.join("、"),
        s.sessions_added,
        s.records_added,
        started.elapsed().as_secs_f64()
    );
    if s.users_added > 0 {
        for u in demo_year::EXTRA_USERS {
            eprintln!(
                "  追加ユーザー {:<12} {}（{}{}、パスワード {}）",
                u.id,
                u.name,
                u.role.name_ja(),
                u.office.map(|o| format!("・{o}")).unwrap_or_default(),
                demo::DEMO_PASSWORD
            );
        }
    }
    Ok(())
}

/// `dev`: a ready-to-use local service with demo data, for trying the app.
async fn dev(dir: &Path, listen: SocketAddr) -> Result<(), Failure> {
    std::fs::create_dir_all(dir)?;
    let config_path = dir.join("central.toml");
    let cert_dir = dir.join("certs");
    if !cert_dir.join("server.pem").exists() {
        let mut hosts = vec!["127.0.0.1".to_string(), "localhost".to_string()];
        if !listen.ip().is_loopback() && !listen.ip().is_unspecified() {
            hosts.push(listen.ip().to_string());
        }
        certs::write(&cert_dir, &certs::generate(&hosts)?)?;
    }
    if !config_path.exists() {
        let text = format!(
            "# Written by `kyosai-central dev`: development only.\nlisten = \"{listen}\"\nstorage = \"sqlite:data/central.db\"\n\n[tls]\ncert = \"certs/server.pem\"\nkey = \"certs/server.key\"\n"
        );
        std::fs::write(&config_path, text)?;
    }
    let config = load_config(Some(&config_path))?;
    let storage = open_storage(&config).await?;
    load_demo(&config, &storage).await?;
    // 業務の見える化: a year of activity up to yesterday (once per database).
    load_demo_year(&config, &storage, None, demo_year::DEFAULT_SEED).await?;
    drop(storage);
    let server = kyosai_central::serve(config).await?;
    eprintln!(
        "kyosai-central（開発用）: {} で待ち受けています。アプリには CA {} を信頼させてください。Ctrl-C で停止。",
        server.base_url(),
        cert_dir.join("ca.pem").display()
    );
    server.run_until_signal().await;
    Ok(())
}
