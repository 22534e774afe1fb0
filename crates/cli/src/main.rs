//! The `sanderling` command.
//!
//! * `sanderling bench [--json] [flags]` — the loopback data-channel
//!   benchmark the shared harness (`../shared/bench/run.py`) runs beside the
//!   other stacks: two whole peers in one process over real UDP sockets on
//!   127.0.0.1.
#![forbid(unsafe_code)]

mod bench;
mod bench_lossy;
mod usage;

fn main() {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        Some("bench") => {
            let rest: Vec<String> = args.collect();
            match bench::Args::parse(&rest) {
                Ok(a) => std::process::exit(bench::run(&a)),
                Err(e) => {
                    eprintln!("{e}\n{}", bench::USAGE);
                    std::process::exit(2);
                }
            }
        }
        Some("-h" | "--help") | None => {
            println!(
                "usage: sanderling bench [--json] [flags]\n\n{}\n{}",
                bench::USAGE,
                bench_lossy::USAGE
            );
        }
        Some(other) => {
            eprintln!("unknown command {other:?}; try `sanderling --help`");
            std::process::exit(2);
        }
    }
}
