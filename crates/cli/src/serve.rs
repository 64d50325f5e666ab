//! `vigie serve`: the server on a runtime of its own, until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::sync::Arc;

use std::io::Write;

use anyhow::{Context, Result};
use vigie_core::Catalog;
use vigie_store::DbUrl;

/// What `vigie serve`'s flags set.
#[derive(Default)]
pub struct Options {
    pub secure_cookies: bool,
    pub trusted_proxies: Vec<vigie_server::Cidr>,
    pub min_count: vigie_core::aggregate::MinCount,
    /// A cluster's own early-warning rules (the embedded ones otherwise).
    pub signal_rules: Option<vigie_core::aggregate::SignalRules>,
}

pub fn run(url: DbUrl, catalog: Catalog, addr: SocketAddr, options: Options) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the server")?;
    runtime.block_on(async {
        let mut state = vigie_server::AppState::open(url.clone(), catalog)?;
        state.secure_cookies = options.secure_cookies;
        state.trusted_proxies = options.trusted_proxies;
        state.min_count = options.min_count;
        if let Some(rules) = options.signal_rules {
            state.set_signal_rules(rules);
        }
        let state = Arc::new(state);
        let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
        let local = listener.local_addr().context("the address listened on")?;
        let stop = shutdown()?;
        println!("Vigie serves {url} on http://{local}/ (Ctrl-C to stop)");
        vigie_server::serve(listener, state, stop).await.context("serving")?;
        // Said if anyone still reads: the server stops cleanly either way.
        let _ = writeln!(std::io::stdout(), "stopped");
        Ok(())
    })
}

/// A future that completes on Ctrl-C or SIGTERM. The handlers are installed here, before the
/// server says where it listens: a future that installed them when first polled left a moment
/// where SIGTERM still killed the process outright (seen in CI: a kill right after the first
/// answer ended the process with signal 15 instead of a clean stop).
fn shutdown() -> Result<impl Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).context("listening for SIGTERM")?;
    #[cfg(unix)]
    let mut interrupt =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()).context("listening for Ctrl-C")?;
    Ok(async move {
        #[cfg(unix)]
        tokio::select! {
            _ = terminate.recv() => {}
            _ = interrupt.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    })
}
