//! `sanderling chat` between two processes over TCP signalling, and with
//! aiortc's datachannel-cli (our stand-in in tests/aiortc/, on aiortc from
//! PyPI) in both roles.

mod common;

use std::process::Command;

use common::{Proc, Stream, aiortc_python, free_port};

fn chat(role: &str, port: u16, extra: &[&str]) -> Proc {
    let port = port.to_string();
    let mut args = vec![
        "chat",
        "--role",
        role,
        "--signaling",
        "tcp-socket",
        "--signaling-host",
        "127.0.0.1",
        "--signaling-port",
        &port,
    ];
    args.extend_from_slice(extra);
    let mut p = Proc::sanderling(&args);
    p.name = format!("sanderling chat ({role})");
    p
}

fn datachannel_cli(role: &str, port: u16) -> Proc {
    let mut cmd = Command::new(aiortc_python());
    cmd.arg(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/aiortc/datachannel_cli.py"
    ))
    .args([
        role,
        "--signaling",
        "tcp-socket",
        "--signaling-host",
        "127.0.0.1",
        "--signaling-port",
        &port.to_string(),
    ]);
    Proc::spawn(&format!("aiortc datachannel-cli ({role})"), cmd)
}

#[test]
fn two_chats_exchange_lines_over_tcp_signalling() {
    let port = free_port();
    let mut answer = chat("answer", port, &["--loopback"]);
    let mut offer = chat("offer", port, &["--loopback"]);
    offer.wait_for(Stream::Err, "connected");
    answer.wait_for(Stream::Err, "connected");
    offer.write_line("hello from the offerer");
    answer.write_line("and hello from the answerer");
    answer.wait_for(Stream::Out, "hello from the offerer");
    offer.wait_for(Stream::Out, "and hello from the answerer");
    offer.write_line("ping 7");
    offer.wait_for(Stream::Out, "pong 7");
    // Ctrl-D on one side: it says bye, the other side leaves too.
    offer.close_stdin();
    assert!(offer.wait().success(), "{}", offer.transcript());
    answer.wait_for(Stream::Err, "the peer");
    assert!(answer.wait().success(), "{}", answer.transcript());
}

#[test]
fn answers_aiortc_datachannel_cli_pings() {
    let python = aiortc_python();
    assert!(python.exists());
    let port = free_port();
    // aiortc offers (listens); we answer (connect, retrying until it does).
    let mut aiortc = datachannel_cli("offer", port);
    // Python is slow to import aiortc on a busy machine: start connecting
    // once it is about to listen, well within our 10 s of retries.
    aiortc.wait_for(Stream::Out, "channel(chat) - created by local party");
    let mut ours = chat("answer", port, &[]);
    ours.wait_for(Stream::Out, "ping ");
    aiortc.wait_for(Stream::Out, "channel(chat) < pong ");
    aiortc.wait_for(Stream::Out, " RTT ");
    ours.write_line("hello aiortc");
    aiortc.wait_for(Stream::Out, "channel(chat) < hello aiortc");
    ours.close_stdin();
    assert!(ours.wait().success(), "{}", ours.transcript());
    aiortc.wait_for(Stream::Out, "Exiting");
}

#[test]
fn pings_aiortc_datachannel_cli() {
    let port = free_port();
    // We offer (listen); aiortc answers, replying pong to our ping.
    let mut ours = chat("offer", port, &[]);
    let mut aiortc = datachannel_cli("answer", port);
    ours.wait_for(Stream::Err, "connected");
    aiortc.wait_for(Stream::Out, "channel(chat) - created by remote party");
    ours.write_line("ping 12345");
    aiortc.wait_for(Stream::Out, "channel(chat) < ping 12345");
    ours.wait_for(Stream::Out, "pong 12345");
    ours.close_stdin();
    assert!(ours.wait().success(), "{}", ours.transcript());
    aiortc.wait_for(Stream::Out, "Exiting");
}

#[test]
fn copy_and_paste_signalling() {
    // The person carrying each printed line to the other terminal is this
    // test.
    let mut offer = Proc::sanderling(&["chat", "--role", "offer", "--loopback"]);
    offer.name = "sanderling chat (offer)".into();
    let mut answer = Proc::sanderling(&["chat", "--role", "answer", "--loopback"]);
    answer.name = "sanderling chat (answer)".into();
    let offer_line = offer.wait_for(Stream::Out, r#""type":"offer""#);
    answer.wait_for(
        Stream::Out,
        "-- Please enter a message from remote party --",
    );
    answer.write_line(&offer_line);
    let answer_line = answer.wait_for(Stream::Out, r#""type":"answer""#);
    offer.wait_for(
        Stream::Out,
        "-- Please enter a message from remote party --",
    );
    offer.write_line(&answer_line);
    offer.wait_for(Stream::Err, "connected");
    answer.wait_for(Stream::Err, "connected");
    offer.write_line("pasted and connected");
    answer.wait_for(Stream::Out, "pasted and connected");
    answer.write_line("likewise");
    offer.wait_for(Stream::Out, "likewise");
    offer.close_stdin();
    answer.close_stdin();
    assert!(offer.wait().success(), "{}", offer.transcript());
    assert!(answer.wait().success(), "{}", answer.transcript());
}
