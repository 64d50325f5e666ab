//! `vigie`: the one binary. Each role is a subcommand; errors become a message and exit code 1
//! here, at the edge, and nowhere else.

mod accounts;
mod cli;
mod commands;
mod filter;
mod geography;
mod inputs;
mod kobo;
mod locate;
mod month;
mod sealed;
mod serve;
mod verify;

use std::process::ExitCode;

use clap::Parser;

/// jemalloc rather than glibc's allocator. glibc gives each busy thread an arena of its own and
/// hands little of it back: a server answering dashboards, lists and an import on a 1 M store
/// held 550 MB at its peak with glibc, 390 MB with jemalloc, and answered faster
/// (`scripts/bench-serve.sh`; ARCHITECTURE.md, "Memory").
#[cfg(unix)]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // A reader that closed the pipe (`vigie tables | head`) wanted no more: end quietly.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // A signed-off month is said in the reader's language (`LANG`), as the server says it.
            let locked = e.chain().find_map(|cause| match cause.downcast_ref::<vigie_store::StoreError>() {
                Some(vigie_store::StoreError::Locked(lock)) => Some(lock),
                _ => match cause.downcast_ref::<vigie_server::publish::PublishError>() {
                    Some(vigie_server::publish::PublishError::Store(vigie_store::StoreError::Locked(lock))) => {
                        Some(lock)
                    }
                    _ => None,
                },
            });
            if let Some(lock) = locked {
                let lang = std::env::var("LANG")
                    .ok()
                    .and_then(|l| vigie_report::Lang::parse(l.get(..2).unwrap_or_default()))
                    .unwrap_or_default();
                eprintln!("error: {}", vigie_server::locked_message(lang, lock));
                return ExitCode::from(1);
            }
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Whether writing failed because the reading end of standard output was closed.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    let broken = |e: &std::io::Error| e.kind() == std::io::ErrorKind::BrokenPipe;
    error.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(broken)
            || cause
                .downcast_ref::<csv::Error>()
                .is_some_and(|e| matches!(e.kind(), csv::ErrorKind::Io(io) if broken(io)))
            || cause
                .downcast_ref::<serde_json::Error>()
                .is_some_and(|e| e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}
