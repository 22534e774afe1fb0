//! What the bench tests share: run `sanderling bench --json` and read a
//! field of its one result line.

use std::process::Command;

pub(crate) fn run(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sanderling"))
        .arg("bench")
        .arg("--json")
        .args(args)
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

pub(crate) fn field<'a>(line: &'a str, key: &str) -> &'a str {
    let start = line
        .find(&format!("\"{key}\":"))
        .unwrap_or_else(|| panic!("{key} in {line}"))
        + key.len()
        + 3;
    let rest = &line[start..];
    &rest[..rest.find([',', '}']).unwrap()]
}
