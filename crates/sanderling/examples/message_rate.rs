//! Message rate and bulk throughput on loopback: small messages (100 B)
//! and large ones (64 KiB) through one reliable ordered channel, paced by
//! `send_wait` on a 1 MiB low threshold. Run it with `--release`:
//!
//! `cargo run --release -p sanderling --example message_rate`

mod common;

use std::time::Instant;

use common::within;
use sanderling::{Bytes, DataChannelInit};

/// What one run moved.
#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) messages: usize,
    pub(crate) bytes: usize,
    pub(crate) seconds: f64,
}

pub(crate) async fn run(size: usize, messages: usize) -> Report {
    let (a, mut b) = common::pair().await;
    let ch =
        a.pc.create_data_channel("rate", DataChannelInit::default())
            .expect("channel");
    ch.set_buffered_amount_low_threshold(1 << 20);
    let remote = b.next_channel().await;
    within("open", ch.opened()).await.expect("open");
    let receiver = tokio::spawn(async move {
        let mut n = 0;
        let mut bytes = 0;
        while n < messages {
            let m = within("a message", remote.recv()).await.expect("message");
            bytes += m.len();
            n += 1;
        }
        (n, bytes)
    });
    let payload = Bytes::from(vec![0x42; size]);
    let started = Instant::now();
    for _ in 0..messages {
        within("room", ch.send_wait(payload.clone()))
            .await
            .expect("send");
    }
    let (n, bytes) = within("the receiver", receiver).await.expect("receiver");
    let seconds = started.elapsed().as_secs_f64();
    a.pc.close();
    b.pc.close();
    Report {
        messages: n,
        bytes,
        seconds,
    }
}

#[allow(dead_code)]
#[tokio::main]
async fn main() {
    let small = run(100, 200_000).await;
    println!(
        "{} messages of 100 B in {:.2} s: {:.0} msg/s",
        small.messages,
        small.seconds,
        small.messages as f64 / small.seconds
    );
    let large = run(64 << 10, 2048).await;
    println!(
        "{} messages of 64 KiB ({} MiB) in {:.2} s: {:.1} MB/s",
        large.messages,
        large.bytes >> 20,
        large.seconds,
        large.bytes as f64 / large.seconds / 1e6
    );
}
