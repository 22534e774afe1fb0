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

#[test]
fn unreachable_signalling_peer() {
    // Nobody listens: the answerer retries for a while, then says so.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = sanderling(&[
        "chat",
        "--role",
        "answer",
        "--signaling",
        "tcp-socket",
        "--signaling-port",
        &port.to_string(),
    ]);
    let line = one_line_error_after_progress(&out);
    assert!(line.contains("cannot reach the signalling peer"), "{line}");
    assert!(line.contains(&format!("127.0.0.1:{port}")), "{line}");
    assert!(line.contains("connection refused"), "{line}");
}

#[test]
fn signalling_port_in_use() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let out = sanderling(&[
        "chat",
        "--role",
        "offer",
        "--signaling",
        "tcp-socket",
        "--signaling-port",
        &port.to_string(),
        "--loopback",
    ]);
    let line = one_line_error_after_progress(&out);
    assert!(line.contains("in use"), "{line}");
    assert!(line.contains("--signaling-port"), "{line}");
}

#[test]
fn file_that_cannot_be_read() {
    let line = one_line_error(
        &sanderling(&["send", "/nonexistent/sanderling-test.bin"]),
        1,
    );
    assert!(
        line.contains("cannot read /nonexistent/sanderling-test.bin"),
        "{line}"
    );
    let line = one_line_error(&sanderling(&["send", "/"]), 1);
    assert!(line.contains("not a regular file"), "{line}");
}

#[test]
fn recv_into_something_that_is_not_a_directory() {
    let line = one_line_error(&sanderling(&["recv", "/dev/null"]), 1);
    assert!(
        line.contains("cannot write into /dev/null: not a directory"),
        "{line}"
    );
}

#[test]
fn chat_without_a_role() {
    let line = one_line_error(&sanderling(&["chat"]), 1);
    assert!(line.contains("--role"), "{line}");
}

/// Commands that got as far as connecting print progress first ("connecting
/// ..."): the error is the last line, and the only one naming sanderling.
fn one_line_error_after_progress(out: &Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("sanderling: "))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert_eq!(stderr.lines().last(), Some(errors[0]), "{stderr}");
    for bad in ["panicked", "backtrace", "RUST_BACKTRACE"] {
        assert!(!stderr.contains(bad), "{stderr}");
    }
    errors[0].to_owned()
}

#[test]
fn serve_port_in_use() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let line = one_line_error(&sanderling(&["serve", "--port", &port.to_string()]), 1);
    assert!(line.contains(&format!("127.0.0.1:{port}")), "{line}");
    assert!(line.contains("in use"), "{line}");
    assert!(line.contains("--port"), "{line}");
}
