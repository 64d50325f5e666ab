//! What the benchmarks share: running the real `vigie` binary.

use std::path::Path;
use std::process::Command;

/// Runs `vigie` in `dir` and returns its standard output; a failure stops the benchmark.
pub fn run(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_vigie")).current_dir(dir).args(args).output().expect("vigie runs");
    assert!(out.status.success(), "vigie {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}
