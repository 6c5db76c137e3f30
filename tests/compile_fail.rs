//! Compile-time guarantees (`docs/architecture.md`, "Borrowing is sound"):
//! every `ui-tests/*.rs` must fail to compile with exactly the error pinned
//! in its `.stderr`, and every `ui-tests/pass/*.rs` must compile and run.
//!
//! Compiler messages change between releases, so the `.stderr` files are pinned
//! to the stable toolchain; on nightly, beta or a dev build the suite is skipped
//! (with a message saying so). Regenerate with
//! `TRYBUILD=overwrite cargo test --test compile_fail`, then read every diff.
//!
//! The pass cases spawn threads, so they need the `std` feature's global
//! backend; without it the suite is skipped too.

use std::process::Command;

/// The reason to skip on this toolchain, or `None` if it is a stable release.
fn non_stable_toolchain() -> Option<String> {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let output = match Command::new(&rustc).arg("-vV").output() {
        Ok(output) if output.status.success() => output,
        Ok(output) => return Some(format!("`{rustc:?} -vV` failed: {}", output.status)),
        Err(e) => return Some(format!("cannot run `{rustc:?} -vV`: {e}")),
    };
    let text = String::from_utf8_lossy(&output.stdout);
    let release = text
        .lines()
        .find_map(|line| line.strip_prefix("release: "))
        .unwrap_or("<unknown>");
    let unstable = ["nightly", "beta", "dev"]
        .iter()
        .any(|tag| release.contains(tag));
    (unstable || release == "<unknown>")
        .then(|| format!("rustc release {release} is not a stable release"))
}

#[test]
#[cfg_attr(miri, ignore = "trybuild runs the compiler, which Miri cannot")]
fn ui_cases_fail_or_pass_as_pinned() {
    if cfg!(not(feature = "std")) {
        eprintln!(
            "skipping the compile-fail suite: the pass cases need the `std` feature's backend"
        );
        return;
    }
    if let Some(reason) = non_stable_toolchain() {
        eprintln!(
            "skipping the compile-fail suite: {reason}; the .stderr files are pinned to stable"
        );
        return;
    }
    let t = trybuild::TestCases::new();
    t.compile_fail("ui-tests/*.rs");
    t.pass("ui-tests/pass/*.rs");
}
