//! The `sanderling` command.
//!
//! * `sanderling demo` — two peers in this process over real UDP on
//!   127.0.0.1: a chat, an unordered channel, a file transfer with its
//!   throughput and SHA-256 check.
//! * `sanderling chat` / `send FILE` / `recv` — peer to peer with another
//!   process (or aiortc's `datachannel-cli`), signalled in aiortc's format
//!   over the terminal, TCP or a Unix socket.
//! * `sanderling serve` — an HTTP page whose JavaScript opens a data
//!   channel to this process (echo, chat, file drop).
//! * `sanderling bench [--json] [flags]` — the loopback data-channel
//!   benchmark the shared harness (`../shared/bench/run.py`) runs beside the
//!   other stacks.
//!
//! Failures print one line on stderr and exit non-zero (1; 2 for bad
//! flags); nothing panics on purpose, and a panic prints one line too.
// `heap` alone holds unsafe code (the counting allocator), proven sound there.
#![deny(unsafe_code)]

mod bench;
mod bench_lossy;
mod bench_many;
mod chat;
mod demo;
mod fail;
mod files;
mod heap;
mod progress;
mod serve;
mod session;
mod signaling_args;
mod transfer;
mod usage;

use clap::{Parser, Subcommand};

#[global_allocator]
static ALLOCATOR: heap::Counting = heap::Counting;

use crate::fail::Fail;

#[derive(Debug, Parser)]
#[command(
    name = "sanderling",
    version,
    about = "WebRTC data channels from the command line"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Two peers in this process over UDP on 127.0.0.1: chat, an unordered
    /// channel and a file transfer with its SHA-256 check.
    Demo(demo::Args),
    /// Chat with another peer: lines from stdin go out, lines received are
    /// printed (and "ping X" is answered "pong X", as aiortc's
    /// datachannel-cli expects).
    Chat(chat::Args),
    /// Send a file to a peer running `sanderling recv`.
    Send(files::SendArgs),
    /// Receive a file from a peer running `sanderling send`.
    Recv(files::RecvArgs),
    /// An HTTP page whose JavaScript opens a data channel to this process:
    /// echo, chat and a file drop with the SHA-256 checked here.
    Serve(serve::Args),
    /// The loopback benchmark of the shared harness (`sanderling bench
    /// --help` lists its flags).
    #[command(disable_help_flag = true)]
    Bench {
        /// The harness's flags, passed on as they are.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() {
    // A bug should still read as one line, not a backtrace.
    std::panic::set_hook(Box::new(|info| {
        eprintln!("sanderling: internal error: {info}");
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => fail::clap_error(e),
    };
    let code = match cli.command {
        Command::Bench { args } => bench_main(&args),
        Command::Demo(a) => run(demo::run(a)),
        Command::Chat(a) => run(chat::run(a)),
        Command::Send(a) => run(files::send(a)),
        Command::Recv(a) => run(files::recv(a)),
        Command::Serve(a) => run(serve::run(a)),
    };
    std::process::exit(code);
}

fn bench_main(args: &[String]) -> i32 {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!(
            "usage: sanderling bench [--json] [flags]\n\n{}\n{}",
            bench::USAGE,
            bench_lossy::USAGE
        );
        return 0;
    }
    match bench::Args::parse(args) {
        Ok(a) => bench::run(&a),
        Err(e) => {
            eprintln!("sanderling bench: {e}\n{}", bench::USAGE);
            2
        }
    }
}

/// Runs a command on a fresh tokio runtime; its error becomes one line.
fn run(f: impl std::future::Future<Output = Result<(), Fail>>) -> i32 {
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("sanderling: cannot start the async runtime: {e}");
            return 1;
        }
    };
    let result = rt.block_on(f);
    // Drivers and signalling tasks may still be winding down: don't wait.
    rt.shutdown_background();
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("sanderling: {e}");
            1
        }
    }
}
