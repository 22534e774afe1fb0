//! Errors a person can act on: one line on stderr that says what is wrong,
//! a non-zero exit, no panic or backtrace.

use std::process::{Command, Output};

fn sanderling(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sanderling"))
        .args(args)
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("runs")
}

/// The one line of stderr, after checking the exit code and the shape.
fn one_line_error(out: &Output, code: i32) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line expected:\n{stderr}");
    assert!(lines[0].starts_with("sanderling: "), "{stderr}");
    for bad in ["panicked", "backtrace", "RUST_BACKTRACE"] {
        assert!(!stderr.contains(bad), "{stderr}");
    }
    lines[0].to_owned()
}

#[test]
fn unknown_command() {
    let line = one_line_error(&sanderling(&["frobnicate"]), 2);
    assert!(line.contains("frobnicate"), "{line}");
}

#[test]
fn unknown_flag() {
    let line = one_line_error(&sanderling(&["demo", "--frobnicate"]), 2);
    assert!(line.contains("--frobnicate"), "{line}");
    assert!(line.contains("--help"), "{line}");
}

#[test]
fn bad_flag_value() {
    let line = one_line_error(&sanderling(&["demo", "--size", "lots"]), 2);
    assert!(line.contains("lots"), "{line}");
}

#[test]
fn help_is_not_an_error() {
    let out = sanderling(&["--help"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for command in ["demo", "bench"] {
        assert!(text.contains(command), "{text}");
    }
}
