//! `sanderling bench --mode many`: `--pairs N` connection pairs at once in
//! this process (each side its own `PeerConnection`, UDP socket and driver
//! task), every one with an open channel: how long until all are open, and
//! the heap each idle connection holds once they are.

use std::time::{Duration, Instant};

use crate::bench::{self, Args, Pair, PeerThread};
use crate::heap;

/// How long the connections settle after the handshakes and after the
/// ping on each pair.
const SETTLE: Duration = Duration::from_millis(300);

pub(crate) async fn run(a: &Args, answerer: &PeerThread) -> Result<(), String> {
    let pairs = a.pairs.max(1);
    let heap_before = heap::live_bytes();
    let rss_before = crate::usage::current_rss_kb();
    let t0 = Instant::now();
    let mut tasks = Vec::with_capacity(pairs);
    for _ in 0..pairs {
        let (pa, pb) = bench::build(a, answerer)?;
        tasks.push(tokio::spawn(bench::connect(pa, pb)));
    }
    let mut open: Vec<Pair> = Vec::with_capacity(pairs);
    for t in tasks {
        open.push(t.await.map_err(|e| e.to_string())??);
    }
    let setup_s = t0.elapsed().as_secs_f64();
    tokio::time::sleep(SETTLE).await;
    // Every pair must still be usable: a message each way.
    for p in &open {
        p.sender.send("ping").map_err(|e| e.to_string())?;
    }
    for p in &open {
        match bench::within("a message on every pair", p.receiver.recv()).await? {
            Some(m) if m.len() == 4 => {}
            other => return Err(format!("unexpected {other:?}")),
        }
    }
    tokio::time::sleep(Duration::from_secs(a.idle_s)).await;
    let heap_idle = heap::live_bytes().saturating_sub(heap_before);
    let rss_idle = crate::usage::current_rss_kb().saturating_sub(rss_before);
    let sides = 2 * pairs;
    let heap_per_side = heap_idle / sides;
    let rss_per_side_kb = rss_idle / sides as u64;
    for p in &open {
        p.a.close();
        p.b.close();
    }
    if a.json {
        println!(
            "{{\"kind\":\"result\",\"peer\":\"sanderling\",\"version\":\"{}\",\"mode\":\"many\",\"tag\":\"{}\",\"pairs\":{pairs},\"setup_all_s\":{setup_s:.3},\"heap_per_connection_bytes\":{heap_per_side},\"rss_per_connection_kb\":{rss_per_side_kb}}}",
            env!("CARGO_PKG_VERSION"),
            a.tag,
        );
    } else {
        println!(
            "many: {pairs} pairs ({sides} connections) open in {setup_s:.2} s; idle heap {:.1} KiB per connection (RSS {rss_per_side_kb} KiB)",
            heap_per_side as f64 / 1024.0
        );
    }
    Ok(())
}
