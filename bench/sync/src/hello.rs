//! The floor: an axum hello-world on the same TLS setup as the central service — the
//! service's own `tls_acceptor` (rustls, aws-lc-rs, TLS 1.2/1.3, ALPN h2 + http/1.1), the
//! same rcgen development certificates, a loopback listener with `TCP_NODELAY`, and
//! hyper-util's auto (HTTP/1.1 + HTTP/2) connection builder — answering `POST /hello`
//! with a small JSON. No authentication, no storage, no middleware: what a push costs
//! beyond this is the service's own work.

use std::net::SocketAddr;
use std::path::Path;

use axum::routing::post;
use axum::{Json, Router};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

/// The running hello-world. [`HelloServer::stop`] ends it and every connection.
#[derive(Debug)]
pub struct HelloServer {
    pub addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl HelloServer {
    /// Listens on 127.0.0.1 (a free port) with this certificate and key.
    pub async fn start(cert: &Path, key: &Path) -> Result<HelloServer, String> {
        let acceptor = kyosai_central::tls_acceptor(cert, key).map_err(|e| e.to_string())?;
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .map_err(|e| format!("hello-world: bind: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("hello-world: {e}"))?;
        let app = Router::new().route("/hello", post(hello));
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, acceptor, app, stop_rx));
        Ok(HelloServer { addr, stop, task })
    }

    pub fn base_url(&self) -> String {
        format!("https://127.0.0.1:{}", self.addr.port())
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Reads the JSON body (the same push request the central service gets) and answers a
/// small JSON.
async fn hello(Json(body): Json<Value>) -> Json<Value> {
    let commands = body
        .get("commands")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    Json(json!({ "hello": "共済デスク", "commands": commands }))
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: TlsAcceptor,
    app: Router,
    mut stop: watch::Receiver<bool>,
) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            accepted = listener.accept() => {
                if let Ok((stream, _peer)) = accepted {
                    let _ = stream.set_nodelay(true);
                    connections.spawn(serve(stream, acceptor.clone(), app.clone()));
                }
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    connections.abort_all();
    while connections.join_next().await.is_some() {}
}

async fn serve(stream: TcpStream, acceptor: TlsAcceptor, app: Router) {
    let Ok(tls) = acceptor.accept(stream).await else {
        return;
    };
    let service = TowerToHyperService::new(app);
    let _ = auto::Builder::new(TokioExecutor::new())
        .serve_connection(TokioIo::new(tls), service)
        .await;
}
