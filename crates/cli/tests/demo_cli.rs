//! `sanderling demo` runs end to end from the binary: two peers over UDP on
//! 127.0.0.1, chat echoed, unordered messages counted, a file whose hash
//! matches on both sides.

use std::process::Command;

#[test]
fn demo_shows_every_channel_working() {
    let out = Command::new(env!("CARGO_BIN_EXE_sanderling"))
        .args(["demo", "--size", "4", "--messages", "200"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    for line in [
        "connected   alice 127.0.0.1:",
        r#"chat        bob   received "hello bob""#,
        r#"chat        alice received "echo: hello bob""#,
        r#"chat        alice received "echo: how are the packets?""#,
        "messages arrived",
        "file        alice sent demo.bin (4.0 MiB)",
        "file        hashes equal",
    ] {
        assert!(stdout.contains(line), "{line:?} missing from:\n{stdout}");
    }
    let hash = |label: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(label))
            .unwrap_or_else(|| panic!("{label} in {stdout}"))
            .trim()
            .to_owned()
    };
    let sent = hash("file        sha-256 sent");
    assert_eq!(sent.len(), 64);
    assert_eq!(sent, hash("file        sha-256 received"));
}
