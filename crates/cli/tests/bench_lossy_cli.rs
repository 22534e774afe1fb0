//! `sanderling bench --mode lossy --json`: the simulated long, lossy path
//! prints one result line with the figures, and every byte arrived intact.
//! (Virtual clock and a seeded network: the run is the same on any machine,
//! so the share of the link may be asserted.)

use std::process::Command;

mod bench_json;

use bench_json::field;

fn run(args: &[&str]) -> String {
    let mut all = vec!["--mode", "lossy"];
    all.extend_from_slice(args);
    bench_json::run(&all)
}

#[test]
fn lossy_mode_reports_goodput_and_checks_every_byte() {
    let line = run(&["--total-bytes", "16777216", "--cc", "bbr"]);
    assert_eq!(field(&line, "mode"), "\"lossy\"");
    assert_eq!(field(&line, "cc"), "\"bbr\"");
    assert_eq!(field(&line, "bytes"), "16777216");
    assert_eq!(field(&line, "intact"), "true");
    assert_eq!(field(&line, "loss"), "0.01");
    assert_eq!(field(&line, "rtt_ms"), "50");
    let share: f64 = field(&line, "link_share").parse().unwrap();
    let goodput: f64 = field(&line, "goodput_mbit").parse().unwrap();
    assert!(share > 0.5, "{line}");
    assert!((goodput / 100.0 - share).abs() < 1e-3, "{line}");
    assert!(field(&line, "virtual_s").parse::<f64>().unwrap() > 1.0);
    assert!(field(&line, "wall_s").parse::<f64>().unwrap() > 0.0);
}

#[test]
fn lossy_mode_takes_the_path_from_flags() {
    let line = run(&[
        "--total-bytes",
        "1048576",
        "--cc",
        "newreno",
        "--loss-percent",
        "0",
        "--rate-mbit",
        "20",
        "--rtt-ms",
        "10",
    ]);
    assert_eq!(field(&line, "cc"), "\"newreno\"");
    assert_eq!(field(&line, "loss"), "0");
    assert_eq!(field(&line, "rate_mbit"), "20");
    assert_eq!(field(&line, "rtt_ms"), "10");
    assert_eq!(field(&line, "intact"), "true");
}

#[test]
fn lossy_mode_refuses_bad_flags() {
    for bad in [
        ["--loss-percent", "100"],
        ["--cc", "cubic"],
        ["--rate-mbit", "x"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_sanderling"))
            .args(["bench", "--mode", "lossy"])
            .args(bad)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
}
