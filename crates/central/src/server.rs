//! Starting and stopping the service: TLS, the accept loop, graceful shutdown.
//!
//! [`serve`] is the one start-up path: the `serve` command, `dev` and the test server
//! all go through it.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use rustls_pki_types::pem::PemObject as _;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Semaphore};
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::rustls;
use tokio_rustls::TlsAcceptor;
use tower::ServiceExt as _;

use crate::api::{self, AppState, Faults};
use crate::config::{Config, ConfigError, Transport};
use crate::storage::{Storage, StorageError};

const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How long `serve` waits for requests in flight when asked to stop.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(10);
const CONCURRENT_PASSWORD_CHECKS: usize = 4;

/// Why the service could not start. Messages are for IT staff.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("データベースを開けません: {0}")]
    Storage(#[from] StorageError),
    #[error("HTTPS の証明書または秘密鍵を読めません（{path}）: {message}")]
    Tls { path: String, message: String },
    #[error("{addr} で待ち受けできません（他のプログラムが使っていないか、権限を確かめてください）: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("パスワードの準備に失敗しました: {0}")]
    Internal(String),
}

/// A running service. Dropping it stops the service abruptly; prefer [`Self::shutdown`].
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    https: bool,
    stop: watch::Sender<Option<Duration>>,
    task: Option<JoinHandle<()>>,
}

impl RunningServer {
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `https://127.0.0.1:8443` (or `http://` on a loopback development setup).
    pub fn base_url(&self) -> String {
        format!(
            "{}://{}",
            if self.https { "https" } else { "http" },
            self.addr
        )
    }

    /// Stops accepting, lets requests in flight finish for up to `grace`, then drops the
    /// remaining connections. Returns when the port is free again.
    pub async fn shutdown(mut self, grace: Duration) {
        let _ = self.stop.send(Some(grace));
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Serves until Ctrl-C or SIGTERM, then shuts down gracefully.
    pub async fn run_until_signal(self) {
        wait_for_signal().await;
        tracing::info!("stopping");
        self.shutdown(DEFAULT_GRACE).await;
        tracing::info!("stopped");
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if self.task.is_some() {
            let _ = self.stop.send(Some(Duration::ZERO));
        }
    }
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Loads the certificate chain and key into a TLS acceptor (TLS 1.2 and 1.3, h2 and
/// HTTP/1.1 by ALPN).
pub fn tls_acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, ServeError> {
    let tls_err = |path: &Path, message: String| ServeError::Tls {
        path: path.display().to_string(),
        message,
    };
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|e| tls_err(cert, e.to_string()))?
        .collect::<Result<_, _>>()
        .map_err(|e| tls_err(cert, e.to_string()))?;
    if certs.is_empty() {
        return Err(tls_err(
            cert,
            "証明書（BEGIN CERTIFICATE）がありません".into(),
        ));
    }
    let key = PrivateKeyDer::from_pem_file(key).map_err(|e| tls_err(key, e.to_string()))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_err(cert, e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| tls_err(cert, e.to_string()))?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Starts the service described by `config`: checks it, opens (and migrates) the
/// database, binds the port and serves in the background.
pub async fn serve(config: Config) -> Result<RunningServer, ServeError> {
    serve_with_faults(config, Arc::new(Faults::default())).await
}

/// [`serve`], with test faults wired in.
pub(crate) async fn serve_with_faults(
    config: Config,
    faults: Arc<Faults>,
) -> Result<RunningServer, ServeError> {
    let transport = config.validate()?;
    let tls = match &transport {
        Transport::Https { cert, key } => Some(tls_acceptor(cert, key)?),
        Transport::PlainLoopback => {
            tracing::warn!(listen = %config.listen, "serving plain HTTP on loopback (development only)");
            None
        }
    };
    let storage = Storage::open(&config.storage_spec()?).await?;
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|source| ServeError::Bind {
            addr: config.listen,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| ServeError::Bind {
        addr: config.listen,
        source,
    })?;
    let newest = storage.newest_change().await?;
    // The settings in force from now on: configuration changes show between two starts.
    storage
        .audit_append(crate::audit::service_started(&config, tls.is_some()))
        .await?;
    let argon2 = config.auth.argon2;
    let dummy_hash = tokio::task::spawn_blocking(move || {
        crate::auth::hash_password(&argon2, "kyosai-central: no such user")
    })
    .await
    .map_err(|e| ServeError::Internal(e.to_string()))?
    .map_err(ServeError::Internal)?;

    let (stop, stop_rx) = watch::channel(None);
    let (changes, _) = watch::channel(newest);
    let https = tls.is_some();
    let backend = storage.backend_name();
    let state = Arc::new(AppState {
        storage,
        config: Arc::new(config),
        changes,
        shutdown: stop_rx.clone(),
        hashing: Semaphore::new(CONCURRENT_PASSWORD_CHECKS),
        dummy_hash,
        faults,
        leases: Default::default(),
    });
    let app = api::router(state);
    let task = tokio::spawn(accept_loop(listener, tls, app, stop_rx));
    tracing::info!(%addr, https, storage = backend, "kyosai-central listening");
    Ok(RunningServer {
        addr,
        https,
        stop,
        task: Some(task),
    })
}

async fn accept_loop(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    app: Router,
    mut stop: watch::Receiver<Option<Duration>>,
) {
    let mut connections = JoinSet::new();
    let grace = loop {
        tokio::select! {
            changed = stop.changed() => {
                let grace = if changed.is_ok() { *stop.borrow() } else { Some(Duration::ZERO) };
                if let Some(grace) = grace {
                    break grace;
                }
            }
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    connections.spawn(serve_connection(stream, peer, tls.clone(), app.clone(), stop.clone()));
                }
                Err(e) => {
                    // Usually too many open files: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    };
    drop(listener);
    if !grace.is_zero() {
        let _ = tokio::time::timeout(grace, async {
            while connections.join_next().await.is_some() {}
        })
        .await;
    }
    connections.abort_all();
    while connections.join_next().await.is_some() {}
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    tls: Option<TlsAcceptor>,
    app: Router,
    stop: watch::Receiver<Option<Duration>>,
) {
    match tls {
        Some(acceptor) => {
            match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
                Ok(Ok(tls_stream)) => drive(TokioIo::new(tls_stream), peer, app, stop).await,
                Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                Err(_) => tracing::debug!(%peer, "TLS handshake timed out"),
            }
        }
        None => drive(TokioIo::new(stream), peer, app, stop).await,
    }
}

async fn drive<I>(
    io: TokioIo<I>,
    peer: SocketAddr,
    app: Router,
    mut stop: watch::Receiver<Option<Duration>>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = app.map_request(move |mut req: axum::http::Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        req
    });
    let service = TowerToHyperService::new(service);
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(Duration::from_secs(30));
    builder.http2().timer(TokioTimer::new());
    let connection = builder.serve_connection(io, service);
    tokio::pin!(connection);
    tokio::select! {
        result = connection.as_mut() => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        }
        _ = stop.changed() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}
