//! Throughput of SCTP implementations, in process, packets passed directly.
//!
//! ```sh
//! cargo run --release -p sanderling-sctp-interop --example sctp_bench
//! cargo run --release -p sanderling-sctp-interop --example sctp_bench -- \
//!     --impl dcsctp,sctp-proto --bulk-mib 256 --small-count 1000000 --budget-secs 3 --cross
//! ```
//!
//! For each implementation, an association with itself: (a) bulk, 64 KiB
//! messages on one ordered reliable stream, in MB/s from first send to last
//! delivery; (b) small, 100-byte messages, in messages/s. Each run stops
//! queueing at its size limit or its time budget, whichever comes first,
//! and keeps at most `--max-queued-kib` queued at the sender. The table
//! gives each implementation's ratio to the fastest of the others.

use std::process::ExitCode;
use std::time::Duration;

use sanderling_sctp_interop::PeerConfig;
use sanderling_sctp_interop::bench::{self, Clock, Implementation, Outcome, Workload};

struct Args {
    implementations: Vec<Implementation>,
    bulk_size: usize,
    bulk_bytes: u64,
    small_size: usize,
    small_count: u64,
    budget: Duration,
    max_queued: usize,
    bulk: bool,
    small: bool,
    cross: bool,
}

const USAGE: &str = "\
usage: sctp_bench [options]
  --impl A,B,...        implementations to run (default: all)
  --bulk-size BYTES     bulk message size (default 65536)
  --bulk-mib N          bulk data per run in MiB (default 256)
  --small-size BYTES    small message size (default 100)
  --small-count N       small messages per run (default 1000000)
  --budget-secs S       time budget per run in seconds (default 3)
  --max-queued-kib N    sender queue bound in KiB (default 1024)
  --only bulk|small     run one workload only
  --cross               also run every sender/receiver mix of implementations";

fn parse() -> Result<Args, String> {
    let all = bench::implementations();
    let mut args = Args {
        implementations: all.clone(),
        bulk_size: 64 * 1024,
        bulk_bytes: 256 << 20,
        small_size: 100,
        small_count: 1_000_000,
        budget: Duration::from_secs(3),
        max_queued: 1 << 20,
        bulk: true,
        small: true,
        cross: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        let number = |v: String| v.parse::<u64>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--impl" => {
                args.implementations = value()?
                    .split(',')
                    .map(|name| {
                        all.iter()
                            .find(|i| i.name == name)
                            .copied()
                            .ok_or(format!("unknown implementation {name}"))
                    })
                    .collect::<Result<_, _>>()?;
            }
            "--bulk-size" => args.bulk_size = number(value()?)? as usize,
            "--bulk-mib" => args.bulk_bytes = number(value()?)? << 20,
            "--small-size" => args.small_size = number(value()?)? as usize,
            "--small-count" => args.small_count = number(value()?)?,
            "--budget-secs" => {
                let s: f64 = value()?.parse().map_err(|e| format!("{flag}: {e}"))?;
                args.budget = Duration::from_secs_f64(s);
            }
            "--max-queued-kib" => args.max_queued = number(value()?)? as usize * 1024,
            "--only" => match value()?.as_str() {
                "bulk" => args.small = false,
                "small" => args.bulk = false,
                other => return Err(format!("--only bulk|small, not {other}")),
            },
            "--cross" => args.cross = true,
            "--help" | "-h" => return Err(String::new()),
            other => return Err(format!("unknown option {other}")),
        }
    }
    if args.bulk_size < 8 || args.small_size < 8 {
        return Err("message sizes must be at least 8 bytes (a sequence number)".into());
    }
    Ok(args)
}

/// One row of the table: a sender/receiver combination and its results.
struct Row {
    label: String,
    bulk: Option<Result<Outcome, String>>,
    small: Option<Result<Outcome, String>>,
}

fn measure(args: &Args, sender: &Implementation, receiver: &Implementation) -> Row {
    let config = PeerConfig {
        max_message_size: args.bulk_size.max(args.small_size).max(256 * 1024),
        ..PeerConfig::default()
    };
    let run = |size: usize, count: u64| {
        let mut a = (sender.make)(&config);
        let mut b = (receiver.make)(&config);
        let workload = Workload {
            message_size: size,
            max_messages: count,
            time_budget: args.budget,
            max_queued: args.max_queued,
            stream: 1,
        };
        bench::run(a.as_mut(), b.as_mut(), &workload, Clock::Real)
    };
    let label = if sender.name == receiver.name {
        sender.name.to_string()
    } else {
        format!("{} -> {}", sender.name, receiver.name)
    };
    eprint!("{label}: ");
    let bulk = args.bulk.then(|| {
        let count = args.bulk_bytes.div_ceil(args.bulk_size as u64);
        let r = run(args.bulk_size, count);
        eprint!("bulk {} ", describe(&r));
        r
    });
    let small = args.small.then(|| {
        let r = run(args.small_size, args.small_count);
        eprint!("small {} ", describe(&r));
        r
    });
    eprintln!();
    Row { label, bulk, small }
}

fn describe(r: &Result<Outcome, String>) -> String {
    match r {
        Ok(o) => format!(
            "[{} msgs, {:.1} MB in {:.2} s, {} packets]",
            o.messages,
            o.bytes as f64 / 1e6,
            o.elapsed.as_secs_f64(),
            o.packets
        ),
        Err(e) => format!("[failed: {e}]"),
    }
}

/// `value` divided by the best of the other rows' values.
fn ratio(values: &[Option<f64>], i: usize) -> String {
    let best_other = values
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != i)
        .filter_map(|(_, v)| *v)
        .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
    match (values[i], best_other) {
        (Some(v), Some(b)) if b > 0.0 => format!("{:.2}x", v / b),
        _ => "-".into(),
    }
}

fn print_table(title: &str, args: &Args, rows: &[Row]) {
    let mbps: Vec<Option<f64>> = rows
        .iter()
        .map(|r| {
            r.bulk
                .as_ref()?
                .as_ref()
                .ok()
                .map(Outcome::megabytes_per_second)
        })
        .collect();
    let msgs: Vec<Option<f64>> = rows
        .iter()
        .map(|r| {
            r.small
                .as_ref()?
                .as_ref()
                .ok()
                .map(Outcome::messages_per_second)
        })
        .collect();
    let bulk_head = format!("MB/s ({} KiB)", args.bulk_size / 1024);
    let small_head = format!("msg/s ({} B)", args.small_size);
    println!("\n{title}");
    println!(
        "{:<28} {:>16} {:>8} {:>16} {:>8}",
        "implementation", bulk_head, "vs best", small_head, "vs best"
    );
    let show = |v: Option<f64>, ran: bool, digits: usize| match (v, ran) {
        (Some(v), _) => format!("{v:.digits$}"),
        (None, true) => "failed".into(),
        (None, false) => "-".into(),
    };
    for (i, row) in rows.iter().enumerate() {
        println!(
            "{:<28} {:>16} {:>8} {:>16} {:>8}",
            row.label,
            show(mbps[i], row.bulk.is_some(), 1),
            ratio(&mbps, i),
            show(msgs[i], row.small.is_some(), 0),
            ratio(&msgs, i),
        );
    }
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(a) => a,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("{e}");
            }
            eprintln!("{USAGE}");
            return if e.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            };
        }
    };
    println!(
        "in-process, no loss, no delay; bulk: {} MiB or {:?}; small: {} messages or {:?}; \
         sender queue <= {} KiB",
        args.bulk_bytes >> 20,
        args.budget,
        args.small_count,
        args.budget,
        args.max_queued / 1024
    );
    let rows: Vec<Row> = args
        .implementations
        .iter()
        .map(|i| measure(&args, i, i))
        .collect();
    print_table("each implementation with itself", &args, &rows);
    let mut failed = rows
        .iter()
        .any(|r| matches!(r.bulk, Some(Err(_))) || matches!(r.small, Some(Err(_))));
    if args.cross {
        let mut cross = Vec::new();
        for s in &args.implementations {
            for r in &args.implementations {
                if s.name != r.name {
                    cross.push(measure(&args, s, r));
                }
            }
        }
        print_table("sender -> receiver", &args, &cross);
        failed |= cross
            .iter()
            .any(|r| matches!(r.bulk, Some(Err(_))) || matches!(r.small, Some(Err(_))));
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
