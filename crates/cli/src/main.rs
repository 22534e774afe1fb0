//! The `sanderling` command.
//!
//! * `sanderling bench [--json] [flags]` — the loopback data-channel
//!   benchmark the shared harness (`../shared/bench/run.py`) runs beside the
//!   other stacks: two whole peers in one process over real UDP sockets on
//!   127.0.0.1.
// `heap` alone holds unsafe code (the counting allocator), proven sound there.
#![deny(unsafe_code)]

mod bench;
mod bench_many;
mod heap;
mod usage;

#[global_allocator]
static ALLOCATOR: heap::Counting = heap::Counting;

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
                "usage: sanderling bench [--json] [flags]\n\n{}",
                bench::USAGE
            );
        }
        Some(other) => {
            eprintln!("unknown command {other:?}; try `sanderling --help`");
            std::process::exit(2);
        }
    }
}
