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
                        eprintln!("backup: wrote {}", path.display());
                        status.last_file = Some(name);
                        status.last_success = Some(now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
                        status.last_error = None;
                    }
                    Err(e) => {
                        eprintln!("backup failed: {e:#}");
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
        if let Some(backups) = options.backups {
            schedule(url.clone(), Arc::clone(&state), backups)?;
        }
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
