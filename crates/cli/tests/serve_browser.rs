//! `sanderling serve` in headless Chromium (Debian's, driven by
//! playwright-core from tests/browser): the page connects by POST /offer,
//! echoes a message, says a chat line, and drops a file whose SHA-256 the
//! server computes; the DOM, the server's output and the bytes' own hash
//! must agree. The page's screenshot is saved as
//! `<target>/cli-artifacts/serve-page.png`.
//!
//! Runs in a network namespace (tests/browser/netns.sh, needs root): the
//! browser will not use 127.0.0.1 for WebRTC.

mod common;

use std::process::Command;

use aws_lc_rs::digest::{SHA256, digest};
use common::{scratch, target_dir};
use serde_json::Value;

#[test]
fn a_browser_uses_echo_chat_and_file_drop() {
    let browser_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser");
    assert!(
        std::path::Path::new(browser_dir)
            .join("node_modules/playwright-core")
            .is_dir(),
        "playwright-core is not installed: run ./scripts/cli-test-deps"
    );
    assert!(
        std::path::Path::new("/usr/bin/chromium").exists(),
        "no /usr/bin/chromium: run ./scripts/cli-test-deps"
    );
    let dir = scratch("serve");
    let data: Vec<u8> = (0..(2 << 20) + 777u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let file = dir.join("dropped.bin");
    std::fs::write(&file, &data).unwrap();
    let expected: String = digest(&SHA256, &data)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let screenshot = target_dir().join("cli-artifacts/serve-page.png");
    let _ = std::fs::remove_file(&screenshot);

    let out = Command::new("bash")
        .arg(format!("{browser_dir}/netns.sh"))
        .arg("node")
        .arg(format!("{browser_dir}/serve_page.mjs"))
        .arg(env!("CARGO_BIN_EXE_sanderling"))
        .arg(&file)
        .arg(&screenshot)
        .output()
        .expect("runs bash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let result: Value = stdout
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .unwrap_or_else(|| panic!("no result line:\n{stdout}\n{stderr}"));
    assert!(
        out.status.success() && result.get("error").is_none(),
        "{result:#}\n{stderr}"
    );
    let field = |k: &str| result[k].as_str().unwrap_or_default().to_owned();
    assert_eq!(field("status"), "connected");
    assert!(field("echo").contains("echoed: hello echo"), "{result:#}");
    assert!(field("chat").contains("peer 1: hello chat"), "{result:#}");
    assert_eq!(field("local_hash"), expected, "{result:#}");
    assert_eq!(field("server_hash"), expected, "{result:#}");
    assert_eq!(field("verdict"), "hashes equal");
    assert_eq!(result["progress"].as_f64(), Some(1.0));
    let server: Vec<&str> = result["server"]
        .as_array()
        .expect("server lines")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        server.iter().any(|l| l.contains("chat peer 1: hello chat")),
        "{server:#?}"
    );
    assert!(
        server.iter().any(|l| l.contains("file dropped.bin")
            && l.contains(&format!("({} bytes)", data.len()))
            && l.contains(&expected)
            && l.contains("matches the page's")),
        "{server:#?}"
    );
    assert!(
        screenshot.is_file(),
        "no screenshot at {}",
        screenshot.display()
    );
}
