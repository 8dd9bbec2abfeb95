//! `formfabrik build` as a process: a progress bar when stdout is a terminal (a real
//! pseudo-terminal from util-linux `script`), none in a pipe, where logs and CI read plain lines.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("formfabrik-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn build_args(out: &Path) -> Vec<String> {
    vec![
        "build".into(),
        "--forms".into(),
        repo().join("forms").display().to_string(),
        "--templates".into(),
        repo().join("site-templates").display().to_string(),
        "--out".into(),
        out.display().to_string(),
    ]
}

#[test]
fn build_draws_no_progress_bar_into_a_pipe() {
    let out = out_dir("pipe");
    let run = Command::new(env!("CARGO_BIN_EXE_formfabrik"))
        .args(build_args(&out))
        .output()
        .unwrap();
    let stdout = String::from_utf8(run.stdout).unwrap();
    let stderr = String::from_utf8(run.stderr).unwrap();
    assert!(run.status.success(), "{stdout}{stderr}");
    assert!(stdout.starts_with("built "), "{stdout}");
    for shown in [&stdout, &stderr] {
        assert!(
            !shown.contains(['\u{2588}', '\u{2591}', '\r']),
            "bar drawn into a pipe: {shown:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn build_draws_a_progress_bar_on_a_terminal() {
    let out = out_dir("tty");
    let cmd = std::iter::once(env!("CARGO_BIN_EXE_formfabrik").to_string())
        .chain(build_args(&out))
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(" ");
    // `script` runs the build on a new pseudo-terminal and copies what it shows to stdout.
    let run = Command::new("script")
        .args(["--quiet", "--return", "--command", &cmd, "/dev/null"])
        .output()
        .expect("util-linux `script` (Debian: bsdutils, always installed)");
    let shown = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{shown}");
    let bar = regex::Regex::new(r"[\u{2588}\u{2591}]{40} \d+/(\d+) pages").unwrap();
    let total = bar
        .captures(&shown)
        .unwrap_or_else(|| panic!("no progress bar on the terminal: {shown:?}"))[1]
        .parse::<usize>()
        .unwrap();
    assert!(shown.contains(&format!("built {total} pages ")), "{shown}");
    let _ = std::fs::remove_dir_all(&out);
}
