//! `sanderling bench --json` prints the line the shared harness reads, for
//! every mode, over real UDP on 127.0.0.1. (Figures are not asserted: this
//! machine is shared; only that the work was done and reported.)

use std::process::Command;

mod bench_json;

use bench_json::{field, run};

#[test]
fn bulk_moves_every_byte_and_reports_it() {
    let line = run(&[
        "--mode",
        "bulk",
        "--total-bytes",
        "4194304",
        "--msg-size",
        "16384",
        "--timeout-s",
        "60",
    ]);
    assert_eq!(field(&line, "kind"), "\"result\"");
    assert_eq!(field(&line, "bytes"), "4194304");
    assert_eq!(field(&line, "messages"), "256");
    assert!(field(&line, "mb_per_s").parse::<f64>().unwrap() > 0.0);
    // The peak heap is counted: at least one runtime thread's 512 KiB
    // receive scratch, and not beyond reason next to the resident size.
    let peak: u64 = field(&line, "peak_heap_kb").parse().unwrap();
    let rss: u64 = field(&line, "maxrss_kb").parse().unwrap();
    assert!(
        peak >= 512 && peak < 10 * rss,
        "peak {peak} KiB, rss {rss} KiB"
    );
}

#[test]
fn small_messages_all_arrive() {
    let line = run(&[
        "--mode",
        "small",
        "--messages",
        "5000",
        "--small-size",
        "100",
        "--timeout-s",
        "60",
    ]);
    assert_eq!(field(&line, "bytes"), "500000");
    assert!(field(&line, "msgs_per_s").parse::<f64>().unwrap() > 0.0);
}

#[test]
fn setup_counts_connections() {
    let line = run(&["--mode", "setup", "--count", "3", "--timeout-s", "60"]);
    assert_eq!(field(&line, "count"), "3");
    assert!(line.contains("\"setup_ms\":["));
    // SNAP by default; `--snap off` runs the SCTP handshake.
    assert_eq!(field(&line, "snap"), "3");
    let line = run(&["--mode", "setup", "--count", "2", "--snap", "off"]);
    assert_eq!(field(&line, "count"), "2");
    assert_eq!(field(&line, "snap"), "0");
}

#[test]
fn bad_flags_are_refused() {
    let out = Command::new(env!("CARGO_BIN_EXE_sanderling"))
        .args(["bench", "--mode", "nope"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn many_connections_open_at_once_and_report_their_heap() {
    let line = run(&["--mode", "many", "--pairs", "20", "--idle-s", "0"]);
    assert_eq!(field(&line, "mode"), "\"many\"");
    assert_eq!(field(&line, "pairs"), "20");
    let heap: usize = field(&line, "heap_per_connection_bytes").parse().unwrap();
    // Something is held per connection, and not the megabytes a
    // per-connection receive buffer would cost.
    assert!(heap > 1000 && heap < 1 << 20, "{heap}");
}

#[test]
fn the_readable_table_shows_buffers_and_windows() {
    let out = Command::new(env!("CARGO_BIN_EXE_sanderling"))
        .args([
            "bench",
            "--mode",
            "bulk",
            "--total-bytes",
            "1048576",
            "--timeout-s",
            "60",
        ])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.starts_with("bulk: 64 messages of 16384 bytes"),
        "{stdout}"
    );
    let row = |name: &str| {
        stdout
            .lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("no {name:?} row in:\n{stdout}"))
            .to_owned()
    };
    let sockets = row("UDP socket buffers");
    assert!(
        sockets.contains("asked 4096 KiB each; granted receive "),
        "{sockets}"
    );
    // The granted sizes are whatever the kernel gave, but never nothing.
    assert!(!sockets.contains("receive 0 KiB"), "{sockets}");
    assert!(row("SCTP in flight").contains("receive window"));
    assert!(row("channel pacing").contains("pause at 1024 KiB"));
}
