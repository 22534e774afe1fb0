//! Binary transfer: 5 MiB of random bytes in 64 KiB chunks; the SHA-256 of
//! what arrived equals the SHA-256 of what was sent.
//!
//! `cargo run -p sanderling --example binary_transfer`

mod common;

use aws_lc_rs::digest::{Context, SHA256};
use common::within;
use rand::RngExt;
use sanderling::{Bytes, DataChannelInit, Message};

pub(crate) const TOTAL: usize = 5 << 20;
const CHUNK: usize = 64 << 10;

/// What both sides saw.
#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) sent_bytes: usize,
    pub(crate) received_bytes: usize,
    pub(crate) received_messages: usize,
    pub(crate) sent_sha256: Vec<u8>,
    pub(crate) received_sha256: Vec<u8>,
    pub(crate) seconds: f64,
}

pub(crate) async fn run() -> Report {
    let (a, mut b) = common::pair().await;
    let file =
        a.pc.create_data_channel("file", DataChannelInit::default())
            .expect("create file");
    file.set_buffered_amount_low_threshold(256 << 10);
    let remote = b.next_channel().await;
    within("file open", file.opened()).await.expect("open");
    let mut data = vec![0u8; TOTAL];
    rand::rng().fill(&mut data[..]);
    let data = Bytes::from(data);
    let mut sent = Context::new(&SHA256);
    sent.update(&data);
    let started = std::time::Instant::now();
    let receiver = tokio::spawn(async move {
        let mut hash = Context::new(&SHA256);
        let (mut bytes, mut messages) = (0, 0);
        while bytes < TOTAL {
            match within("a chunk", remote.recv()).await {
                Some(Message::Binary(b)) => {
                    hash.update(&b);
                    bytes += b.len();
                    messages += 1;
                }
                other => panic!("unexpected {other:?}"),
            }
        }
        (bytes, messages, hash.finish().as_ref().to_vec())
    });
    for offset in (0..TOTAL).step_by(CHUNK) {
        let chunk = data.slice(offset..(offset + CHUNK).min(TOTAL));
        within("room to send", file.send_wait(chunk))
            .await
            .expect("send");
    }
    let (received_bytes, received_messages, received_sha256) = within("the receiver", receiver)
        .await
        .expect("receiver task");
    let report = Report {
        sent_bytes: TOTAL,
        received_bytes,
        received_messages,
        sent_sha256: sent.finish().as_ref().to_vec(),
        received_sha256,
        seconds: started.elapsed().as_secs_f64(),
    };
    a.pc.close();
    b.pc.close();
    report
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[allow(dead_code)]
#[tokio::main]
async fn main() {
    let r = run().await;
    println!(
        "sent {} bytes, received {} bytes in {} messages in {:.2} s",
        r.sent_bytes, r.received_bytes, r.received_messages, r.seconds
    );
    println!("sha-256 sent:     {}", hex(&r.sent_sha256));
    println!("sha-256 received: {}", hex(&r.received_sha256));
}
