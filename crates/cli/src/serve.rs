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
    /// Scheduled backups, if any.
    pub backups: Option<Backups>,
    /// HTTPS served directly, if asked.
    pub tls: Option<Tls>,
    /// Where `GET /metrics` is also served without sign-in.
    pub metrics_addr: Option<SocketAddr>,
    pub log_format: LogFormat,
}

/// `--tls-cert`, `--tls-key` and `--redirect-http`.
pub struct Tls {
    pub cert: std::path::PathBuf,
    pub key: std::path::PathBuf,
    pub redirect_http: Option<SocketAddr>,
}

/// How the log is written (`--log-format`).
#[derive(Clone, Copy, Debug, Default, clap::ValueEnum)]
pub enum LogFormat {
    /// Lines for a person: time, level, message and fields.
    #[default]
    Text,
    /// One JSON object a line, for a log collector.
    Json,
}

/// The log on standard error, at level INFO: a line for each request and each event.
fn start_log(format: LogFormat) {
    let log = tracing_subscriber::fmt().with_writer(std::io::stderr).with_target(false);
    // Set once per process; a second server in the same process (tests) keeps the first.
    let _ = match format {
        LogFormat::Text => log.with_ansi(false).try_init(),
        LogFormat::Json => log.json().flatten_event(true).try_init(),
    };
}

/// Backups written while serving (`--backup-dir`).
pub struct Backups {
    pub dir: std::path::PathBuf,
    pub every: std::time::Duration,
    pub keep: usize,
    pub seal: crate::sealed::SealArgs,
}

/// `24h`, `30m`, `90s`, `1d`: a duration for `--backup-every`.
pub fn parse_every(text: &str) -> Result<std::time::Duration, String> {
    let bad = || format!("`{text}`: a number and s, m, h or d (24h) was expected");
    let (number, unit) = text.trim().split_at(text.trim().len().saturating_sub(1));
    let n: u64 = number.parse().map_err(|_| bad())?;
    let seconds = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(bad()),
    };
    if seconds == 0 {
        return Err(bad());
    }
    Ok(std::time::Duration::from_secs(seconds))
}

/// Writes a backup now and then every `backups.every`, on a thread of its own with its own
/// connection (a backup is one consistent snapshot: writers go on), keeping the newest
/// `backups.keep`; each outcome in `state.backups` (the health check) and on standard error.
fn schedule(url: DbUrl, state: Arc<vigie_server::AppState>, backups: Backups) -> Result<()> {
    std::fs::create_dir_all(&backups.dir)
        .with_context(|| format!("cannot create the backup folder {}", backups.dir.display()))?;
    let every = format!("{}s", backups.every.as_secs());
    let status = vigie_server::BackupStatus { dir: backups.dir.display().to_string(), every, ..Default::default() };
    *state.backups.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some(status);
    let sealed = !backups.seal.recipient.is_empty();
    std::thread::spawn(move || {
        loop {
            let now = chrono::Utc::now();
            let name = format!("vigie-{}.vbk{}", now.format("%Y%m%dT%H%M%S%.3fZ"), if sealed { ".age" } else { "" });
            let path = backups.dir.join(&name);
            let written = vigie_store::open(&url).map_err(anyhow::Error::from).and_then(|store| {
                backups.seal.write(&path, |out| {
                    vigie_store::portable::backup(store.as_ref(), out)?;
                    Ok(())
                })
            });
            let written = written.and_then(|()| rotate(&backups.dir, backups.keep));
            let mut kept = state.backups.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(status) = kept.as_mut() {
                match written {
                    Ok(()) => {
                        tracing::info!(file = %path.display(), "backup written");
                        status.last_file = Some(name);
                        status.last_success = Some(now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
                        status.last_error = None;
                    }
                    Err(e) => {
                        tracing::error!(error = format!("{e:#}"), "backup failed");
                        status.last_error = Some(format!("{e:#}"));
                    }
                }
            }
            drop(kept);
            std::thread::sleep(backups.every);
        }
    });
    Ok(())
}

/// Removes all but the newest `keep` backups of `dir` (their names sort by time).
fn rotate(dir: &std::path::Path, keep: usize) -> Result<()> {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with("vigie-") && (name.ends_with(".vbk") || name.ends_with(".vbk.age"))
        })
        .collect();
    files.sort();
    for old in &files[..files.len().saturating_sub(keep)] {
        std::fs::remove_file(old).with_context(|| format!("cannot remove {}", old.display()))?;
    }
    Ok(())
}

pub fn run(url: DbUrl, catalog: Catalog, addr: SocketAddr, options: Options) -> Result<()> {
    start_log(options.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the server")?;
    runtime.block_on(async {
        let mut state = vigie_server::AppState::open(url.clone(), catalog)?;
        state.secure_cookies = options.secure_cookies || options.tls.is_some();
        state.hsts = options.tls.is_some();
        state.trusted_proxies = options.trusted_proxies;
        state.min_count = options.min_count;
        if let Some(rules) = options.signal_rules {
            state.set_signal_rules(rules);
        }
        let state = Arc::new(state);
        if let Some(backups) = options.backups {
            schedule(url.clone(), Arc::clone(&state), backups)?;
        }
        let listener = std::net::TcpListener::bind(addr).with_context(|| format!("cannot listen on {addr}"))?;
        listener.set_nonblocking(true).context("the listening socket")?;
        let local = listener.local_addr().context("the address listened on")?;
        let stop = shutdown()?;
        let Some(tls) = options.tls else {
            println!("Vigie serves {url} on http://{local}/ (Ctrl-C to stop)");
            also_serve_metrics(options.metrics_addr, &state).await?;
            let listener = tokio::net::TcpListener::from_std(listener).context("the listening socket")?;
            vigie_server::serve(listener, state, stop).await.context("serving")?;
            return stopped();
        };
        let config =
            vigie_server::https::RustlsConfig::from_pem_file(&tls.cert, &tls.key).await.with_context(|| {
                format!("cannot read the certificate {} and its key {}", tls.cert.display(), tls.key.display())
            })?;
        reload_on_hangup(config.clone(), tls.cert, tls.key)?;
        println!("Vigie serves {url} on https://{local}/ (Ctrl-C to stop)");
        if let Some(plain) = tls.redirect_http {
            let listener =
                tokio::net::TcpListener::bind(plain).await.with_context(|| format!("cannot listen on {plain}"))?;
            println!("HTTP on http://{}/ redirects to HTTPS", listener.local_addr().context("the address")?);
            let redirect = vigie_server::https::redirect_to_https(local.port());
            tokio::spawn(async move { axum::serve(listener, redirect).await });
        }
        also_serve_metrics(options.metrics_addr, &state).await?;
        vigie_server::https::serve_tls(listener, config, state, stop).await.context("serving")?;
        stopped()
    })
}

/// Said when the server has stopped, if anyone still reads: it stops cleanly either way.
fn stopped() -> Result<()> {
    let _ = writeln!(std::io::stdout(), "stopped");
    Ok(())
}

/// `GET /metrics` on an address of its own, if one is given (`--metrics-addr`).
async fn also_serve_metrics(addr: Option<SocketAddr>, state: &Arc<vigie_server::AppState>) -> Result<()> {
    let Some(addr) = addr else { return Ok(()) };
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
    println!("Metrics on http://{}/metrics", listener.local_addr().context("the address")?);
    let metrics = vigie_server::metrics_router(Arc::clone(state));
    tokio::spawn(async move { axum::serve(listener, metrics).await });
    Ok(())
}

/// Reads the certificate and key again on each SIGHUP; a file that cannot be read leaves the
/// certificate in use as it was, and says why.
fn reload_on_hangup(
    config: vigie_server::https::RustlsConfig,
    cert: std::path::PathBuf,
    key: std::path::PathBuf,
) -> Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut hangups = signal(SignalKind::hangup()).context("listening for SIGHUP")?;
        tokio::spawn(async move {
            while hangups.recv().await.is_some() {
                match config.reload_from_pem_file(&cert, &key).await {
                    Ok(()) => tracing::info!(cert = %cert.display(), "certificate reloaded"),
                    Err(e) => tracing::error!(
                        cert = %cert.display(),
                        key = %key.display(),
                        error = %e,
                        "certificate not reloaded: the previous one is still served"
                    ),
                }
            }
        });
    }
    #[cfg(not(unix))]
    let _ = (config, cert, key);
    Ok(())
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
