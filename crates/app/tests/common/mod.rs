//! One person at one PC for the app's cross-process tests: a store file of their own,
//! signed in to the real central service (TLS on 127.0.0.1), the approval directory cached.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use chrono::Utc;
use kyosai_app::approvals::{self, ActKindDto, ActRequest};
use kyosai_central::testing::TestServer;
use kyosai_store::Store;
use kyosai_sync_client::{
    sync_once, Api, Auth, ClientConfig, EngineOptions, MemorySecretStore, SharedStore,
};
use kyosai_sync_protocol::UserInfo;
use uuid::Uuid;

pub const PASSWORD: &str = "kyosai-test-pass";

/// One person at one PC: a store file of their own, signed in.
pub struct Pc {
    pub store: SharedStore,
    pub auth: Auth,
    pub me: UserInfo,
    _dir: tempfile::TempDir,
}

impl Pc {
    pub async fn sign_in(server: &TestServer, user: &str) -> Pc {
        let dir = tempfile::tempdir().unwrap();
        let store: SharedStore = Arc::new(Mutex::new(
            Store::open(&dir.path().join("kyosai.sqlite3")).unwrap(),
        ));
        let mut config = ClientConfig::new(server.base_url.clone(), "0.1.0");
        config.root_ca_pem_path = Some(server.ca_pem_path().to_path_buf());
        let auth = Auth::new(
            Api::new(config).unwrap(),
            Arc::new(MemorySecretStore::new()),
            "default",
            format!("PC-{user}"),
        );
        auth.sign_in(&store, user, PASSWORD).await.unwrap();
        let me = auth.user_info().unwrap();
        let token = auth.access_token().await.unwrap();
        let directory = auth.api().directory(&token).await.unwrap();
        let pc = Pc {
            store,
            auth,
            me,
            _dir: dir,
        };
        pc.with(|s| approvals::remember_me(s, &pc.me)).unwrap();
        pc.with(|s| approvals::save_directory(s, &directory))
            .unwrap();
        pc
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut Store) -> T) -> T {
        f(&mut self.store.lock().unwrap())
    }

    pub async fn sync(&self) {
        sync_once(&self.store, &self.auth, &EngineOptions::default())
            .await
            .unwrap();
    }

    /// The 課長 approves `id` as he sees it.
    pub async fn approve(&self, id: &str) {
        self.sync().await;
        let now = Utc::now();
        let detail = self
            .with(|s| approvals::detail_of(s, &self.me, Uuid::parse_str(id).unwrap(), now))
            .unwrap();
        let req = ActRequest {
            id: id.to_string(),
            kind: ActKindDto::Approve,
            reason: None,
            comment: None,
            for_user: None,
            seen_hash: detail.seen_hash,
        };
        self.with(|s| approvals::act_on(s, &self.me, &req, now))
            .unwrap();
        self.sync().await;
    }
}
