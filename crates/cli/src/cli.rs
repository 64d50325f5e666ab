//! The command line, as clap types. Usage errors exit with code 2 (clap's), failures with 1.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Vigie: protection monitoring information system.
///
/// Imports protection monitoring data (violations, flash alerts, risk-index answers), stores it
/// in an embedded SQLite database (or PostgreSQL), and computes the monthly report's figures.
#[derive(Debug, Parser)]
#[command(name = "vigie", version, max_term_width = 100)]
pub struct Cli {
    /// Database URL: `sqlite://FILE` or `postgres://USER@HOST/DB` [default: sqlite://vigie.db]
    #[arg(long, global = true, env = "VIGIE_DB", value_name = "URL")]
    pub db: Option<String>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Import exchange-format CSV files, all or nothing.
    ///
    /// Every row of every file is checked against DATA-FORMATS.md; if any is invalid, nothing is
    /// written and every error is listed with its file, line, column and value. Re-importing
    /// identical rows changes nothing; a known id with new content is an update, recorded in the
    /// audit log.
    Import {
        /// What the files hold.
        kind: ImportKind,
        /// CSV files (UTF-8, `,` or `;` separated).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Validate and count what would change, then write nothing.
        #[arg(long)]
        dry_run: bool,
        /// List at most this many errors, then count the rest.
        #[arg(long, default_value_t = vigie_import::DEFAULT_MAX_ERRORS, value_name = "N")]
        max_errors: usize,
        /// Print elapsed time, rows per second and peak memory at the end.
        #[arg(long)]
        stats: bool,
    },
    /// Write deterministic sample data in the exchange formats.
    ///
    /// By default the 2021 violations reproduce the yearly tables of the seed monthly report
    /// (6 033 violations); `--violations N` scales the year to N violations.
    Generate {
        /// Folder to write violations.csv, alerts.csv and risk_answers.csv into.
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        #[arg(long, default_value_t = 2021)]
        year: i32,
        /// Same seed, same files.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Number of violations in the year.
        #[arg(long, value_name = "N")]
        violations: Option<u64>,
    },
    /// Run Vigie's main job on sample data: generate, import, summarise.
    ///
    /// Writes into DIR the sample files and, unless `--db` is given, the database `vigie.db`.
    Demo {
        #[arg(long, default_value = "vigie-demo", value_name = "DIR")]
        out: PathBuf,
    },
    /// Show what the database holds.
    Status,
    /// Show the newest entries of the append-only audit log.
    Audit {
        #[arg(long, default_value_t = 20, value_name = "N")]
        limit: u32,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ImportKind {
    /// violations.csv: one row per violation.
    Violations,
    /// alerts.csv: flash alerts.
    Alerts,
    /// risk_answers.csv: risk-index key-informant answers.
    Risk,
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
