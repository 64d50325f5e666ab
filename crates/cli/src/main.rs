//! `vigie`: the one binary. Each role is a subcommand; errors become a message and exit code 1
//! here, at the edge, and nowhere else.

mod cli;
mod commands;
mod filter;
mod inputs;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}
