//! Test helpers: an HTTPS client that trusts the test CA, and the fixture offices and users.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use chrono::{Duration, NaiveDate, Utc};
use kyosai_central::testing::{TestBackend, TestServer};
use kyosai_domain::acquisition::{
    self as acq, Acknowledgement, AcquisitionForm, AcquisitionReason, AcquisitionSection,
    Appointment, EmploymentSection, MemberSection, MemberType, MyNumberText, OfficeSection,
    PensionPeriod, PensionScheme, Sex,
};
use kyosai_domain::approval as appr;
use kyosai_domain::remuneration::RemunerationInput;
use kyosai_sync_protocol::{
    ApiError, CommandEnvelope, DeviceInfo, LoginRequest, PullRequest, PullResponse, PushRequest,
    PushResponse, Role, Session, HEADER_APP_VERSION, HEADER_PROTOCOL, PROTOCOL_VERSION,
};
use reqwest::StatusCode;
use serde::Serialize;
use serde_json::{json, Value};
use uuid::Uuid;

pub const PASSWORD: &str = "kyosai-test-pass";

/// Fixture users: (id, name, role, office).
pub const CLERK_A: &str = "tanto1203";
pub const CLERK_A2: &str = "tanto1203b";
pub const HEAD_A: &str = "shocho1203";
pub const CLERK_B: &str = "tanto1101";
pub const REVIEWER: &str = "shinsa";
pub const APPROVER: &str = "kessai";
pub const IT: &str = "itadmin";

pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
}

pub struct Reply {
    pub status: StatusCode,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
    pub fn error(&self) -> ApiError {
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("not an ApiError ({e}): {}", self.text))
    }
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> T {
        assert!(self.status.is_success(), "{}: {}", self.status, self.text);
        serde_json::from_str(&self.text)
            .unwrap_or_else(|e| panic!("unexpected body ({e}): {}", self.text))
    }
    /// Asserts an error answer with this status and code.
    pub fn assert_error(&self, status: StatusCode, code: &str) -> ApiError {
        assert_eq!(self.status, status, "{}", self.text);
        let e = self.error();
        assert_eq!(e.code, code, "{}", self.text);
        assert!(!e.message.is_empty());
        e
    }
}

/// A signed-in user on one device.
#[derive(Clone)]
pub struct User {
    pub session: Session,
    pub device_id: Uuid,
    pub client_id: Uuid,
}

impl User {
    pub fn token(&self) -> &str {
        &self.session.access_token
    }
}

impl Api {
    pub fn new(server: &TestServer) -> Api {
        let ca = reqwest::Certificate::from_pem(server.ca_pem.as_bytes()).unwrap();
        let http = reqwest::Client::builder()
            .add_root_certificate(ca)
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .unwrap();
        Api {
            http,
            base: server.base_url.clone(),
        }
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Reply {
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        Reply { status, text }
    }

    fn with_headers(
        &self,
        req: reqwest::RequestBuilder,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let req = req
            .header(HEADER_PROTOCOL, PROTOCOL_VERSION.to_string())
            .header(HEADER_APP_VERSION, "0.1.0");
        match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    pub async fn post<T: Serialize + ?Sized>(
        &self,
        path: &str,
        token: Option<&str>,
        body: &T,
    ) -> Reply {
        let req = self.http.post(format!("{}{path}", self.base)).json(body);
        self.send(self.with_headers(req, token)).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let req = self.http.get(format!("{}{path}", self.base));
        self.send(self.with_headers(req, token)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        let req = self.http.delete(format!("{}{path}", self.base));
        self.send(self.with_headers(req, token)).await
    }

    pub async fn login_reply(&self, user: &str, password: &str, device_id: Uuid) -> Reply {
        self.post(
            "/auth/v1/login",
            None,
            &LoginRequest {
                user_id: user.into(),
                password: password.into(),
                device: DeviceInfo {
                    device_id,
                    name: format!("PC-{user}"),
                },
            },
        )
        .await
    }

    pub async fn login(&self, user: &str) -> User {
        let device_id = Uuid::new_v4();
        let session: Session = self.login_reply(user, PASSWORD, device_id).await.parse();
        User {
            session,
            device_id,
            client_id: Uuid::new_v4(),
        }
    }

    pub async fn push_reply(&self, user: &User, commands: &[CommandEnvelope]) -> Reply {
        self.post(
            "/sync/v1/push",
            Some(user.token()),
            &PushRequest {
                client_id: user.client_id,
                commands: commands.to_vec(),
                audit_head: None,
            },
        )
        .await
    }

    pub async fn push(&self, user: &User, commands: &[CommandEnvelope]) -> PushResponse {
        self.push_reply(user, commands).await.parse()
    }

    pub async fn pull(&self, user: &User, cursor: Option<&str>, limit: u32) -> PullResponse {
        self.post(
            "/sync/v1/pull",
            Some(user.token()),
            &PullRequest {
                cursor: cursor.map(str::to_string),
                limit,
            },
        )
        .await
        .parse()
    }

    /// Pulls every page; returns the changes and the final cursor.
    pub async fn pull_all(
        &self,
        user: &User,
        cursor: Option<&str>,
    ) -> (Vec<kyosai_sync_protocol::Change>, String) {
        let mut cursor = cursor.map(str::to_string);
        let mut changes = Vec::new();
        loop {
            let page = self.pull(user, cursor.as_deref(), 1000).await;
            changes.extend(page.changes);
            cursor = Some(page.cursor);
            if !page.has_more {
                break;
            }
        }
        (changes, cursor.unwrap_or_default())
    }
}

pub fn command(
    seq: u64,
    name: &str,
    record_id: Uuid,
    base: Option<i64>,
    payload: Value,
) -> CommandEnvelope {
    CommandEnvelope {
        seq,
        name: name.into(),
        version: 1,
        record_id,
        base_version: base,
        payload,
        issued_at: Utc::now(),
    }
}

pub fn create(seq: u64, record_id: Uuid, office: &str, title: &str) -> CommandEnvelope {
    command(
        seq,
        "record.create",
        record_id,
        None,
        json!({
            "kind": "acquisition",
            "office_code": office,
            "title": title,
            "body": {"member_name": "山田 太郎", "member_kana": "ヤマダ タロウ", "acquired_on": "2026-04-01"}
        }),
    )
}

pub fn update(seq: u64, record_id: Uuid, base: i64, title: &str) -> CommandEnvelope {
    command(
        seq,
        "record.update",
        record_id,
        Some(base),
        json!({"title": title, "body": {"member_name": "山田 太郎", "note": title}}),
    )
}

pub fn transfer(seq: u64, record_id: Uuid, base: i64, office: &str) -> CommandEnvelope {
    command(
        seq,
        "record.transfer",
        record_id,
        Some(base),
        json!({"office_code": office}),
    )
}

/// A server with three offices and the fixture users.
pub async fn setup(backend: TestBackend) -> (TestServer, Api) {
    setup_with(backend, |_| {}).await
}

pub async fn setup_with(
    backend: TestBackend,
    tweak: impl FnOnce(&mut kyosai_central::Config),
) -> (TestServer, Api) {
    // RUST_LOG=kyosai_central=debug shows the server's log of a failing test.
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .try_init();
    let server = TestServer::start_with(backend, tweak).await;
    server.add_office("1203", "新宿区役所").await;
    server.add_office("1101", "東京都総務局").await;
    server.add_office("0001", "共済組合事務局").await;
    let users: &[(&str, &str, Role, Option<&str>)] = &[
        (CLERK_A, "佐藤 花子", Role::OfficeClerk, Some("1203")),
        (CLERK_A2, "木村 陽子", Role::OfficeClerk, Some("1203")),
        (HEAD_A, "鈴木 一郎", Role::OfficeHead, Some("1203")),
        (CLERK_B, "高橋 健", Role::OfficeClerk, Some("1101")),
        (REVIEWER, "田中 美咲", Role::SecretariatReviewer, None),
        (APPROVER, "伊藤 誠", Role::Approver, None),
        (IT, "渡辺 大輔", Role::ItAdmin, None),
    ];
    for (id, name, role, office) in users {
        server.add_user(id, name, &[*role], *office, PASSWORD).await;
    }
    let api = Api::new(&server);
    (server, api)
}

/// The record ids a list of changes upserts, and the ones it revokes.
pub fn split(changes: &[kyosai_sync_protocol::Change]) -> (Vec<Uuid>, Vec<Uuid>) {
    let mut up = Vec::new();
    let mut revoked = Vec::new();
    for c in changes {
        match c {
            kyosai_sync_protocol::Change::Upsert { record } => up.push(record.id),
            kyosai_sync_protocol::Change::Revoke { record_id } => revoked.push(*record_id),
        }
    }
    (up, revoked)
}

pub fn today() -> NaiveDate {
    appr::jst(Utc::now()).date()
}

/// 資格取得届: a new hire acquired yesterday (Japan time), complete and correct.
pub fn new_hire(name: &str, kana: &str, pension: &str, my_number: &str) -> AcquisitionForm {
    let acquired = today() - Duration::days(1);
    AcquisitionForm {
        office: OfficeSection {
            code: Some("1203".into()),
            name: Some("新宿区役所".into()),
            certified_on: Some(today()),
            received_on: None,
        },
        member: MemberSection {
            name: Some(name.into()),
            name_kana: Some(kana.into()),
            birth_date: NaiveDate::from_ymd_opt(2002, 6, 15),
            sex: Some(Sex::Male),
            postal_code: Some("160-8484".into()),
            address: Some("東京都新宿区歌舞伎町一丁目4番1号".into()),
            my_number: Some(MyNumberText::new(my_number)),
            basic_pension_number: Some(pension.into()),
        },
        acquisition: AcquisitionSection {
            acquired_on: Some(acquired),
            reason: Some(AcquisitionReason::NewHire),
            reason_detail: None,
            member_type: Some(MemberType::General),
            appointment: Some(Appointment::Regular),
            term_start: None,
            term_end: None,
            late_reason: None,
        },
        employment: EmploymentSection {
            job_title: Some("主事".into()),
            salary_table: Some("行政職給料表（一）".into()),
            salary_class: Some(1),
            salary_step: Some(25),
        },
        remuneration: RemunerationInput {
            salary: Some(143_700),
            commuting_allowance: Some(14_000),
            ..Default::default()
        },
        pension_history: vec![PensionPeriod {
            kind: Some(PensionScheme::NationalPension),
            kind_detail: None,
            acquired_on: NaiveDate::from_ymd_opt(2022, 6, 14),
            lost_on: Some(acquired),
        }],
        dependants: Vec::new(),
        acknowledgements: Vec::new(),
    }
}

/// Every warning of the server's check acknowledged on the form.
pub fn acknowledge_all(form: &mut AcquisitionForm) {
    let ctx = acq::CheckContext {
        today: today(),
        received_on: None,
    };
    for f in acq::check_for_submission(form, &ctx) {
        if !f.is_error() {
            form.acknowledgements.push(Acknowledgement::of(&f));
        }
    }
}

pub fn acquisition_title(form: &AcquisitionForm) -> String {
    format!(
        "組合員資格取得届　{}",
        form.member.name.clone().unwrap_or_default()
    )
}

/// `both_backends!(a, b)` runs each `async fn a(backend: TestBackend)` of the file as two
/// tests, `sqlite::a` and `postgres::a` (the latter skipped with `KYOSAI_SKIP_PG=1`). The
/// file imports `kyosai_central::testing::postgres_skipped`.
#[allow(unused_macros)]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(kyosai_central::testing::TestBackend::Sqlite).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if super::postgres_skipped(stringify!($name)) {
                        return;
                    }
                    super::$name(kyosai_central::testing::TestBackend::Postgres).await;
                }
            )*
        }
    };
}
#[allow(unused_imports)]
pub(crate) use both_backends;

/// What a pushed command came to: `"applied"`, or the code of its conflict or rejection.
pub fn outcome_code(o: &kyosai_sync_protocol::Outcome) -> String {
    use kyosai_sync_protocol::Outcome;
    match o {
        Outcome::Applied { .. } => "applied".into(),
        Outcome::Conflict { code, .. } | Outcome::Rejected { code, .. } => code.clone(),
    }
}

/// Pushes one command at a time, each user's commands numbered 1, 2, … as the app's
/// outbox numbers them.
pub struct Pusher<'a> {
    pub api: &'a Api,
    seqs: std::collections::HashMap<Uuid, u64>,
}

impl<'a> Pusher<'a> {
    pub fn new(api: &'a Api) -> Pusher<'a> {
        Pusher {
            api,
            seqs: Default::default(),
        }
    }

    /// The user's next seq.
    pub fn next_seq(&mut self, user: &User) -> u64 {
        let n = self.seqs.entry(user.client_id).or_insert(0);
        *n += 1;
        *n
    }

    /// Pushes `make(seq)` as `user`; the outcome's code ([`outcome_code`]).
    pub async fn send(&mut self, user: &User, make: impl FnOnce(u64) -> CommandEnvelope) -> String {
        let seq = self.next_seq(user);
        let r = self.api.push(user, &[make(seq)]).await;
        assert_eq!(r.results.len(), 1);
        outcome_code(&r.results[0].outcome)
    }

    /// Like [`Pusher::send`], for a fixture step that must be applied.
    pub async fn must(&mut self, user: &User, make: impl FnOnce(u64) -> CommandEnvelope) {
        let seq = self.next_seq(user);
        let cmd = make(seq);
        let what = format!("{} on {}", cmd.name, cmd.record_id);
        let r = self.api.push(user, &[cmd]).await;
        assert_eq!(
            outcome_code(&r.results[0].outcome),
            "applied",
            "{what} by {}: {:?}",
            user.session.user.user_id,
            r.results[0].outcome
        );
    }
}

/// `work.time@1` on `record_id`, as the app's outbox sends it.
pub fn work_time(seq: u64, record_id: Uuid, payload: Value) -> CommandEnvelope {
    command(
        seq,
        kyosai_sync_protocol::work::TIME,
        record_id,
        None,
        payload,
    )
}

/// A `work.time@1` payload (seconds as given, so that out-of-range values can be sent).
pub fn work_session(
    id: Uuid,
    step: &str,
    started_at: chrono::DateTime<Utc>,
    seconds: i64,
) -> Value {
    json!({
        "sessionId": id,
        "step": step,
        "startedAt": started_at,
        "activeSeconds": seconds,
    })
}

impl Api {
    /// Pushes `record.create` (seq `seq`) of a 資格取得届 draft of `office` as `user`; the
    /// new case's id.
    pub async fn new_case(&self, user: &User, seq: u64, office: &str, title: &str) -> Uuid {
        let id = Uuid::new_v4();
        let r = self.push(user, &[create(seq, id, office, title)]).await;
        assert!(
            matches!(
                r.results[0].outcome,
                kyosai_sync_protocol::Outcome::Applied { version: 1, .. }
            ),
            "{:?}",
            r.results[0].outcome
        );
        id
    }
}
