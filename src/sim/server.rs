//! Binding and serving a simulator router on loopback.

use std::net::SocketAddr;
use tokio::task::JoinHandle;

/// Everything that can go wrong when opening or serving a simulator.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("simulator state file {path} is not valid: {message}; move it away to start with an empty cloud")]
    CorruptState { path: String, message: String },
    #[error("simulator inventory {path} is not valid: {message}")]
    BadInventory { path: String, message: String },
    #[error(
        "simulator address {0} is not a loopback address; the simulators only listen on loopback"
    )]
    NotLoopback(SocketAddr),
    #[error("simulator state {0} is in use by another simulator (a `skyform sim` process or an embedded one); stop it or use another state directory")]
    InUse(String),
    #[error("simulator server stopped: {0}")]
    Server(String),
}

/// Binds `addr` (port 0 picks a free port) and serves `router` on the current
/// tokio runtime. Returns the bound address and the serving task.
///
/// Only loopback addresses are accepted: a simulator is a test double and must
/// never be reachable from another machine.
pub async fn serve(
    router: axum::Router,
    addr: SocketAddr,
) -> Result<(SocketAddr, JoinHandle<()>), SimError> {
    if !addr.ip().is_loopback() {
        return Err(SimError::NotLoopback(addr));
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| SimError::Io {
            context: format!("bind simulator on {addr}"),
            source: e,
        })?;
    let bound = listener.local_addr().map_err(|e| SimError::Io {
        context: "read the simulator's bound address".to_string(),
        source: e,
    })?;
    let handle = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            eprintln!("simulator on {bound} stopped: {e}");
        }
    });
    Ok((bound, handle))
}

/// Prints one line on stdout and flushes it at once: `skyform sim` announces each bound
/// address this way, and a caller that asked for port 0 reads the line to learn the port.
pub fn announce(line: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// Waits for a serving task: it ends only when its server stopped (having said why on
/// stderr), or panicked, which is the error returned.
pub async fn wait(handle: JoinHandle<()>) -> Result<(), SimError> {
    handle.await.map_err(|e| SimError::Server(e.to_string()))
}

/// Serves `router` on a free loopback port from a thread and runtime of its own (an
/// embedded simulator must outlive the caller's runtime and not compete with its tasks);
/// returns once the port is bound.
pub fn serve_on_own_thread(name: &str, router: axum::Router) -> Result<SocketAddr, SimError> {
    let (tx, rx) = std::sync::mpsc::channel::<Result<SocketAddr, SimError>>();
    std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    let _ = tx.send(Err(SimError::Io {
                        context: "start the embedded simulator's runtime".into(),
                        source: e,
                    }));
                    return;
                }
            };
            runtime.block_on(async move {
                let addr = SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, 0));
                match serve(router, addr).await {
                    Ok((bound, handle)) => {
                        let _ = tx.send(Ok(bound));
                        let _ = handle.await;
                    }
                    Err(e) => {
                        let _ = tx.send(Err(e));
                    }
                }
            });
        })
        .map_err(|e| SimError::Io {
            context: "start the embedded simulator's thread".into(),
            source: e,
        })?;
    rx.recv()
        .map_err(|_| SimError::Server("the embedded simulator stopped while starting".into()))?
}
