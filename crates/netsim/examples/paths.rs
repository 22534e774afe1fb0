//! Sends a steady stream over a few typical paths and prints what each path
//! did to it: a quick look at the simulated network and its speed.
//!
//! ```sh
//! cargo run --release -p sanderling-netsim --example paths
//! ```

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sanderling_netsim::traffic::{ConstantRateSource, Sink};
use sanderling_netsim::{GilbertElliott, LinkConfig, Sim};

fn profiles() -> Vec<(&'static str, LinkConfig)> {
    vec![
        (
            "LAN 1 Gbit/s",
            LinkConfig {
                delay: Duration::from_micros(100),
                bandwidth_bps: Some(1_000_000_000),
                queue_bytes: 256 * 1024,
                ..LinkConfig::default()
            },
        ),
        (
            "Wi-Fi, bursty loss",
            LinkConfig {
                delay: Duration::from_millis(3),
                jitter: Duration::from_millis(4),
                burst_loss: Some(GilbertElliott::bursts(0.02, 4.0)),
                duplicate: 0.001,
                bandwidth_bps: Some(50_000_000),
                ..LinkConfig::default()
            },
        ),
        (
            "long path, 1% loss",
            LinkConfig {
                delay: Duration::from_millis(25),
                loss: 0.01,
                bandwidth_bps: Some(100_000_000),
                queue_bytes: 625_000, // one bandwidth-delay product at 50 ms RTT
                ..LinkConfig::default()
            },
        ),
        (
            "mobile, reordering",
            LinkConfig {
                delay: Duration::from_millis(40),
                jitter: Duration::from_millis(20),
                loss: 0.005,
                reorder: 0.02,
                reorder_delay: Duration::from_millis(15),
                bandwidth_bps: Some(10_000_000),
                queue_bytes: 100_000,
                ..LinkConfig::default()
            },
        ),
    ]
}

fn main() {
    let from: SocketAddr = "10.0.0.1:5000".parse().unwrap();
    let to: SocketAddr = "10.0.0.2:5000".parse().unwrap();
    let offered_bps = 20_000_000;
    let seconds = 10;
    println!(
        "{} s of {} Mbit/s in 1200-byte datagrams over each path (seed 1)\n",
        seconds,
        offered_bps / 1_000_000
    );
    println!(
        "{:<22} {:>8} {:>9} {:>7} {:>6} {:>6} {:>7} {:>9} {:>9} {:>10}",
        "path",
        "sent",
        "delivered",
        "lost",
        "queue",
        "dup",
        "reord",
        "lat min",
        "lat max",
        "goodput"
    );
    let wall = Instant::now();
    let mut simulated = Duration::ZERO;
    for (name, link) in profiles() {
        let mut sim = Sim::new(1);
        let source =
            ConstantRateSource::at_rate(to, 1200, offered_bps, Duration::from_secs(seconds));
        let interval = Duration::from_nanos(1200 * 8 * 1_000_000_000 / offered_bps);
        let a = sim.add_endpoint(from, source);
        let b = sim.add_endpoint(to, Sink::default());
        sim.network_mut().set_link(a, b, link);
        sim.run_for(Duration::from_secs(seconds + 1));
        simulated += sim.elapsed();

        let stats = sim.network().link_stats(a, b);
        let sink = sim.endpoint::<Sink>(b);
        let latencies = sink.arrivals().iter().filter_map(|x| {
            let sent = interval * u32::try_from(x.seq?).ok()?;
            Some((x.at - sim.epoch()).saturating_sub(sent))
        });
        let (min, max) = latencies.fold((Duration::MAX, Duration::ZERO), |(lo, hi), l| {
            (lo.min(l), hi.max(l))
        });
        let goodput = sink.bytes() as f64 * 8.0 / seconds as f64 / 1e6;
        println!(
            "{:<22} {:>8} {:>9} {:>7} {:>6} {:>6} {:>7} {:>7.1}ms {:>7.1}ms {:>5.1}Mbit/s",
            name,
            stats.sent,
            stats.delivered,
            stats.dropped_loss + stats.dropped_burst,
            stats.dropped_queue,
            stats.duplicated,
            stats.reordered,
            min.as_secs_f64() * 1e3,
            max.as_secs_f64() * 1e3,
            goodput,
        );
    }
    println!(
        "\n{:.0} s simulated in {:.2} s of wall time",
        simulated.as_secs_f64(),
        wall.elapsed().as_secs_f64()
    );
}
