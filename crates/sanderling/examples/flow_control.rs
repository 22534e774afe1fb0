//! Flow control: bufferedAmountLowThreshold 1 KiB; bufferedAmount rises
//! after a burst of sends and the bufferedamountlow event fires as it
//! drains; then 64 MiB move paced by `send_wait`, the buffered amount never
//! above the threshold plus one chunk, and the process's peak memory grows
//! by far less than what moved.
//!
//! `cargo run -p sanderling --example flow_control`

mod common;

use common::within;
use sanderling::{Bytes, DataChannelEvent, DataChannelInit, Message};

pub(crate) const THRESHOLD: usize = 1024;
pub(crate) const CHUNK: usize = 16 << 10;
pub(crate) const TOTAL: usize = 64 << 20;
const BURST: usize = 8;

/// What both sides saw.
#[derive(Debug)]
pub(crate) struct Report {
    /// `buffered_amount()` right after a burst of sends.
    pub(crate) buffered_after_burst: usize,
    /// `buffered_amount()` once the bufferedamountlow event arrived.
    pub(crate) buffered_at_low_event: usize,
    /// bufferedamountlow events seen by the sender.
    pub(crate) low_events: usize,
    /// The highest `buffered_amount()` seen after a paced send.
    pub(crate) max_buffered_paced: usize,
    pub(crate) sent_bytes: usize,
    pub(crate) received_bytes: usize,
    /// Growth of the process's peak resident memory during the transfer
    /// (Linux; `None` elsewhere).
    pub(crate) peak_memory_growth: Option<usize>,
    pub(crate) seconds: f64,
}

/// The process's peak resident set (VmHWM), in bytes.
fn peak_rss() -> Option<usize> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

pub(crate) async fn run() -> Report {
    let (a, mut b) = common::pair().await;
    let bulk =
        a.pc.create_data_channel("bulk", DataChannelInit::default())
            .expect("create bulk");
    bulk.set_buffered_amount_low_threshold(THRESHOLD);
    let remote = b.next_channel().await;
    let mut events = bulk.events();
    within("bulk open", async {
        loop {
            match events.recv().await {
                Some(DataChannelEvent::Open) => break,
                Some(_) => {}
                None => panic!("closed before open"),
            }
        }
    })
    .await;
    let expected = TOTAL + BURST * CHUNK;
    let receiver = tokio::spawn(async move {
        let mut bytes = 0;
        while bytes < expected {
            match within("a chunk", remote.recv()).await {
                Some(Message::Binary(b)) => bytes += b.len(),
                other => panic!("unexpected {other:?}"),
            }
        }
        (bytes, remote)
    });
    let chunk = Bytes::from(vec![0x5a; CHUNK]);
    // A burst: the buffered amount rises, then drains with an event.
    for _ in 0..BURST {
        bulk.send(chunk.clone()).expect("send");
    }
    let buffered_after_burst = bulk.buffered_amount();
    // The event may also fire between two sends of the burst if the driver
    // drained the first at once; wait for the one that ends the drain.
    let mut low_events = 0;
    let buffered_at_low_event = within("bufferedamountlow", async {
        loop {
            match events.recv().await {
                Some(DataChannelEvent::BufferedAmountLow) => {
                    low_events += 1;
                    let now = bulk.buffered_amount();
                    if now <= THRESHOLD {
                        break now;
                    }
                }
                Some(_) => {}
                None => panic!("closed before bufferedamountlow"),
            }
        }
    })
    .await;
    // Count the events of the paced part as they come.
    let counter = tokio::spawn(async move {
        let mut n = 0;
        while let Some(e) = events.recv().await {
            if e == DataChannelEvent::BufferedAmountLow {
                n += 1;
            }
        }
        n
    });
    let before = peak_rss();
    let started = std::time::Instant::now();
    let mut max_buffered_paced = 0;
    let mut sent = 0;
    while sent < TOTAL {
        within("room to send", bulk.send_wait(chunk.clone()))
            .await
            .expect("send_wait");
        sent += CHUNK;
        max_buffered_paced = max_buffered_paced.max(bulk.buffered_amount());
    }
    let (received_bytes, _remote) = within("the receiver", receiver).await.expect("receiver");
    let seconds = started.elapsed().as_secs_f64();
    let peak_memory_growth = peak_rss().zip(before).map(|(after, before)| after - before);
    a.pc.close();
    low_events += within("the event counter", counter).await.expect("counter");
    b.pc.close();
    Report {
        buffered_after_burst,
        buffered_at_low_event,
        low_events,
        max_buffered_paced,
        sent_bytes: sent + BURST * CHUNK,
        received_bytes,
        peak_memory_growth,
        seconds,
    }
}

#[allow(dead_code)]
#[tokio::main]
async fn main() {
    let r = run().await;
    println!(
        "threshold {THRESHOLD} B; buffered after a burst of {BURST} x {CHUNK} B: {} B; at the low event: {} B",
        r.buffered_after_burst, r.buffered_at_low_event
    );
    println!(
        "paced: {} B sent, {} B received in {:.2} s, highest buffered amount {} B, {} bufferedamountlow events",
        r.sent_bytes, r.received_bytes, r.seconds, r.max_buffered_paced, r.low_events
    );
    if let Some(g) = r.peak_memory_growth {
        println!("peak memory grew by {:.1} MiB", g as f64 / (1 << 20) as f64);
    }
}
