//! The commit `vigie --version` names: the checkout's `HEAD`, or `VIGIE_COMMIT` when set (a
//! release built from an archive without `.git`).

use std::process::Command;

fn main() {
    let commit = std::env::var("VIGIE_COMMIT").ok().filter(|c| !c.is_empty()).or_else(|| {
        let out = Command::new("git").args(["rev-parse", "--short=12", "HEAD"]).output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    });
    println!("cargo:rustc-env=VIGIE_COMMIT={}", commit.unwrap_or_else(|| "unknown commit".into()));
    println!("cargo:rerun-if-env-changed=VIGIE_COMMIT");
    // A new commit or a checkout changes HEAD (or the branch it points to).
    for path in ["../../.git/HEAD", "../../.git/refs/heads"] {
        println!("cargo:rerun-if-changed={path}");
    }
}
