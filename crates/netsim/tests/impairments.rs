//! Each impairment, measured: the simulated network does what its config says.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sanderling_netsim::traffic::{Arrival, ConstantRateSource, Echo, Sink};
use sanderling_netsim::{Endpoint, GilbertElliott, LinkConfig, NodeId, Sim, Transmit};

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// A source at 10.0.0.1 sending to a sink at 10.0.0.2 over `link`.
fn pair(seed: u64, source: ConstantRateSource, link: LinkConfig) -> (Sim, NodeId, NodeId) {
    let mut sim = Sim::new(seed);
    let a = sim.add_endpoint(addr("10.0.0.1:1000"), source);
    let b = sim.add_endpoint(addr("10.0.0.2:2000"), Sink::default());
    sim.network_mut().set_link(a, b, link);
    (sim, a, b)
}

fn run_to_completion(sim: &mut Sim) {
    sim.run_for(Duration::from_secs(3600));
}

fn arrivals(sim: &Sim, sink: NodeId) -> Vec<Arrival> {
    sim.endpoint::<Sink>(sink).arrivals().to_vec()
}

/// Offset from the start of the run, so runs with different epochs compare.
fn offsets(sim: &Sim, arrivals: &[Arrival]) -> Vec<(Duration, Option<u64>)> {
    arrivals
        .iter()
        .map(|a| (a.at - sim.epoch(), a.seq))
        .collect()
}

/// `observed` is within `sigmas` standard deviations of a binomial(n, p) mean.
fn assert_binomial(observed: u64, n: u64, p: f64, sigmas: f64, what: &str) {
    let mean = n as f64 * p;
    let sd = (n as f64 * p * (1.0 - p)).sqrt();
    let dev = (observed as f64 - mean).abs();
    assert!(
        dev <= sigmas * sd,
        "{what}: observed {observed}, expected {mean:.0} ± {:.0}",
        sigmas * sd
    );
}

const TARGET: &str = "10.0.0.2:2000";

#[test]
fn random_loss_rate_is_as_configured() {
    let n = 100_000;
    let source = ConstantRateSource::new(addr(TARGET), 100, n, Duration::from_micros(10));
    let link = LinkConfig {
        loss: 0.10,
        ..LinkConfig::default()
    };
    let (mut sim, a, b) = pair(1, source, link);
    run_to_completion(&mut sim);
    let stats = sim.network().link_stats(a, b);
    let received = arrivals(&sim, b).len() as u64;
    assert_eq!(stats.sent, n);
    assert_eq!(stats.delivered, received);
    assert_eq!(stats.dropped_loss + received, n);
    assert_eq!(stats.dropped(), stats.dropped_loss);
    // 10% of 100k is 10,000 with a standard deviation of ~95.
    assert_binomial(stats.dropped_loss, n, 0.10, 5.0, "random loss");
}

#[test]
fn delay_is_applied_exactly() {
    let delay = Duration::from_micros(25_123);
    let interval = Duration::from_millis(3);
    let source = ConstantRateSource::new(addr(TARGET), 200, 50, interval);
    let (mut sim, _, b) = pair(2, source, LinkConfig::with_delay(delay));
    run_to_completion(&mut sim);
    let got = arrivals(&sim, b);
    assert_eq!(got.len(), 50);
    for (i, a) in got.iter().enumerate() {
        assert_eq!(a.seq, Some(i as u64));
        assert_eq!(a.at - sim.epoch(), delay + interval * i as u32);
    }
}

#[test]
fn jitter_spreads_arrivals_but_keeps_order() {
    let delay = Duration::from_millis(20);
    let jitter = Duration::from_millis(10);
    let interval = Duration::from_millis(50);
    let n = 2_000u64;
    let source = ConstantRateSource::new(addr(TARGET), 100, n, interval);
    let link = LinkConfig {
        delay,
        jitter,
        ..LinkConfig::default()
    };
    let (mut sim, _, b) = pair(3, source, link);
    run_to_completion(&mut sim);
    let got = arrivals(&sim, b);
    assert_eq!(got.len() as u64, n);
    let mut extra_sum = Duration::ZERO;
    let (mut min, mut max) = (Duration::MAX, Duration::ZERO);
    for (i, a) in got.iter().enumerate() {
        assert_eq!(a.seq, Some(i as u64), "jitter must not reorder");
        let sent_at = interval * i as u32;
        let extra = (a.at - sim.epoch()) - sent_at - delay;
        assert!(extra <= jitter);
        extra_sum += extra;
        min = min.min(extra);
        max = max.max(extra);
    }
    // Uniform over 0..=10 ms: mean 5 ms, and the whole range is used.
    let mean = extra_sum / n as u32;
    assert!(
        mean > Duration::from_micros(4_700) && mean < Duration::from_micros(5_300),
        "mean jitter {mean:?}"
    );
    assert!(min < Duration::from_micros(100) && max > Duration::from_micros(9_900));
}

#[test]
fn jitter_never_lets_a_later_datagram_overtake() {
    // Gaps much smaller than the jitter: the FIFO floor must hold.
    let source = ConstantRateSource::new(addr(TARGET), 100, 5_000, Duration::from_micros(100));
    let link = LinkConfig {
        delay: Duration::from_millis(5),
        jitter: Duration::from_millis(20),
        ..LinkConfig::default()
    };
    let (mut sim, _, b) = pair(4, source, link);
    run_to_completion(&mut sim);
    let seqs: Vec<u64> = arrivals(&sim, b).iter().map(|a| a.seq.unwrap()).collect();
    assert_eq!(seqs, (0..5_000).collect::<Vec<_>>());
}

#[test]
fn bandwidth_limit_carries_its_rate() {
    let rate = 10_000_000; // 10 Mbit/s
    let size = 1_200;
    // Offer twice the link rate for 10 s; the queue drops the excess.
    let source = ConstantRateSource::at_rate(addr(TARGET), size, 2 * rate, Duration::from_secs(10));
    let link = LinkConfig {
        bandwidth_bps: Some(rate),
        queue_bytes: 60_000,
        delay: Duration::from_millis(10),
        ..LinkConfig::default()
    };
    let (mut sim, a, b) = pair(5, source, link);
    run_to_completion(&mut sim);
    let got = arrivals(&sim, b);
    let stats = sim.network().link_stats(a, b);
    assert!(stats.dropped_queue > 0, "an overloaded link must drop");
    assert_eq!(stats.delivered + stats.dropped_queue, stats.sent);
    // Throughput between the first and last arrival, counting the bytes that
    // arrived after the first one.
    let first = got.first().unwrap().at;
    let last = got.last().unwrap().at;
    let bits = (got.len() as u64 - 1) * size as u64 * 8;
    let measured = bits as f64 / (last - first).as_secs_f64();
    let error = (measured - rate as f64).abs() / rate as f64;
    assert!(error < 0.01, "measured {measured:.0} bit/s, link is {rate}");
    // Drop-tail: the queue never holds more than configured, so no datagram
    // waits longer than draining a full queue takes.
    assert!(stats.max_queue_bytes <= 60_000);
    let max_wait = Duration::from_secs_f64(60_000.0 * 8.0 / rate as f64);
    let interval = Duration::from_nanos(size as u64 * 8_000_000_000 / (2 * rate));
    for a in &got {
        let sent_at = interval * a.seq.unwrap() as u32;
        let latency = (a.at - sim.epoch()) - sent_at;
        assert!(latency <= Duration::from_millis(10) + max_wait + Duration::from_micros(1));
    }
}

#[test]
fn bandwidth_limit_below_capacity_drops_nothing() {
    let rate = 10_000_000;
    let source = ConstantRateSource::at_rate(addr(TARGET), 1_000, rate / 2, Duration::from_secs(5));
    let link = LinkConfig {
        bandwidth_bps: Some(rate),
        queue_bytes: 3_000,
        ..LinkConfig::default()
    };
    let (mut sim, a, b) = pair(6, source, link);
    run_to_completion(&mut sim);
    let stats = sim.network().link_stats(a, b);
    assert_eq!(stats.dropped(), 0);
    assert_eq!(arrivals(&sim, b).len() as u64, stats.sent);
    // Each datagram waits only for its own serialisation: 1000 B at 10 Mbit/s.
    assert_eq!(stats.max_queue_bytes, 1_000);
}

#[test]
fn reordering_happens_at_the_configured_rate() {
    let n = 50_000u64;
    let source = ConstantRateSource::new(addr(TARGET), 100, n, Duration::from_micros(500));
    let link = LinkConfig {
        delay: Duration::from_millis(10),
        reorder: 0.05,
        reorder_delay: Duration::from_millis(3),
        ..LinkConfig::default()
    };
    let (mut sim, a, b) = pair(7, source, link);
    run_to_completion(&mut sim);
    let got = arrivals(&sim, b);
    assert_eq!(got.len() as u64, n, "reordering must not lose anything");
    // A datagram is late when one with a higher sequence number came first.
    let mut highest = None;
    let mut late = 0u64;
    for a in &got {
        let seq = a.seq.unwrap();
        if highest.is_some_and(|h| h > seq) {
            late += 1;
        }
        highest = highest.max(Some(seq));
    }
    let stats = sim.network().link_stats(a, b);
    // Every held-back datagram is overtaken, except at the very end of the
    // run where nothing follows it within the hold-back time.
    assert!(late <= stats.reordered && late + 6 >= stats.reordered);
    assert_binomial(late, n, 0.05, 5.0, "reordering");
}

#[test]
fn duplication_happens_at_the_configured_rate() {
    let n = 50_000u64;
    let source = ConstantRateSource::new(addr(TARGET), 100, n, Duration::from_micros(100));
    let link = LinkConfig {
        duplicate: 0.03,
        ..LinkConfig::default()
    };
    let (mut sim, a, b) = pair(8, source, link);
    run_to_completion(&mut sim);
    let got = arrivals(&sim, b);
    let mut seen = vec![0u32; n as usize];
    for a in &got {
        seen[a.seq.unwrap() as usize] += 1;
    }
    assert!(seen.iter().all(|&c| c == 1 || c == 2));
    let dups = seen.iter().filter(|&&c| c == 2).count() as u64;
    let stats = sim.network().link_stats(a, b);
    assert_eq!(dups, stats.duplicated);
    assert_eq!(stats.delivered, n + dups);
    assert_binomial(dups, n, 0.03, 5.0, "duplication");
}

#[test]
fn burst_loss_has_the_configured_rate_and_burst_length() {
    let n = 200_000u64;
    let ge = GilbertElliott::bursts(0.05, 8.0);
    let source = ConstantRateSource::new(addr(TARGET), 100, n, Duration::from_micros(10));
    let link = LinkConfig {
        burst_loss: Some(ge),
        ..LinkConfig::default()
    };
    let (mut sim, a, b) = pair(9, source, link);
    run_to_completion(&mut sim);
    let mut received = vec![false; n as usize];
    for a in arrivals(&sim, b) {
        received[a.seq.unwrap() as usize] = true;
    }
    let lost = received.iter().filter(|r| !**r).count() as u64;
    let mut bursts = 0u64;
    let mut in_burst = false;
    for r in &received {
        if !r && !in_burst {
            bursts += 1;
        }
        in_burst = !r;
    }
    let stats = sim.network().link_stats(a, b);
    assert_eq!(stats.dropped_burst, lost);
    assert_eq!(stats.dropped_loss, 0);
    let rate = lost as f64 / n as f64;
    assert!((rate - 0.05).abs() < 0.01, "burst loss rate {rate}");
    let mean_burst = lost as f64 / bursts as f64;
    assert!(
        (mean_burst - 8.0).abs() < 1.0,
        "mean burst length {mean_burst}"
    );
    // Independent 5% loss would make bursts of ~1.05: these are real bursts.
}

#[test]
fn oversized_datagrams_are_dropped_and_counted() {
    let mut sim = Sim::new(10);
    let a = sim.add_endpoint(
        addr("10.0.0.1:1000"),
        ConstantRateSource::new(addr(TARGET), 1_201, 10, Duration::from_millis(1)),
    );
    let c = sim.add_endpoint(
        addr("10.0.0.3:1000"),
        ConstantRateSource::new(addr(TARGET), 1_200, 10, Duration::from_millis(1)),
    );
    let b = sim.add_endpoint(addr(TARGET), Sink::default());
    let link = LinkConfig {
        mtu: 1_200,
        ..LinkConfig::default()
    };
    sim.network_mut().set_link(a, b, link.clone());
    sim.network_mut().set_link(c, b, link);
    run_to_completion(&mut sim);
    assert_eq!(sim.network().link_stats(a, b).dropped_mtu, 10);
    assert_eq!(sim.network().link_stats(c, b).dropped_mtu, 0);
    let got = arrivals(&sim, b);
    assert_eq!(got.len(), 10);
    assert!(got.iter().all(|x| x.source == addr("10.0.0.3:1000")));
}

fn lossy_run(seed: u64) -> Vec<(Duration, Option<u64>)> {
    let source = ConstantRateSource::new(addr(TARGET), 300, 5_000, Duration::from_micros(200));
    let link = LinkConfig {
        delay: Duration::from_millis(15),
        jitter: Duration::from_millis(4),
        loss: 0.02,
        burst_loss: Some(GilbertElliott::bursts(0.02, 3.0)),
        duplicate: 0.01,
        reorder: 0.02,
        bandwidth_bps: Some(16_000_000),
        queue_bytes: 20_000,
        ..LinkConfig::default()
    };
    let (mut sim, _, b) = pair(seed, source, link);
    run_to_completion(&mut sim);
    let got = arrivals(&sim, b);
    offsets(&sim, &got)
}

#[test]
fn one_seed_replays_exactly_and_two_seeds_differ() {
    let first = lossy_run(42);
    let again = lossy_run(42);
    let other = lossy_run(43);
    assert!(first.len() > 4_000);
    assert_eq!(first, again);
    assert_ne!(first, other);
}

#[test]
fn a_simulated_minute_runs_without_sleeping() {
    // One datagram per millisecond for a minute: 60,000 arrivals, and the
    // clock reads exactly one minute (plus the link delay) when it is over.
    let source = ConstantRateSource::new(addr(TARGET), 64, 60_000, Duration::from_millis(1));
    let (mut sim, _, b) = pair(
        11,
        source,
        LinkConfig::with_delay(Duration::from_millis(30)),
    );
    sim.run_for(Duration::from_secs(60) + Duration::from_millis(30));
    assert_eq!(
        sim.elapsed(),
        Duration::from_secs(60) + Duration::from_millis(30)
    );
    assert_eq!(arrivals(&sim, b).len(), 60_000);
}

#[test]
fn links_are_per_direction_and_unknown_addresses_are_counted() {
    let mut sim = Sim::new(12);
    let src = sim.add_endpoint(
        addr("10.0.0.1:1000"),
        ConstantRateSource::new(addr("10.0.0.2:2000"), 100, 20, Duration::from_millis(10)),
    );
    let echo = sim.add_endpoint(addr("10.0.0.2:2000"), Echo::default());
    let stray = sim.add_endpoint(
        addr("10.0.0.3:1000"),
        ConstantRateSource::new(addr("192.0.2.9:9"), 100, 3, Duration::ZERO),
    );
    sim.network_mut()
        .set_link(src, echo, LinkConfig::with_delay(Duration::from_millis(7)));
    sim.network_mut()
        .set_link(echo, src, LinkConfig::with_delay(Duration::from_millis(11)));
    run_to_completion(&mut sim);
    assert_eq!(sim.network().link_stats(src, echo).delivered, 20);
    assert_eq!(sim.network().link_stats(echo, src).delivered, 20);
    assert_eq!(sim.network().unroutable(), 3);
    assert_eq!(sim.network().link_stats(stray, echo).sent, 0);
    assert_eq!(
        *sim.network().link_config(echo, src),
        LinkConfig::with_delay(Duration::from_millis(11))
    );
}

/// An endpoint that pings an echo every 100 ms, driven by its timer, and
/// measures round trips.
struct Pinger {
    target: SocketAddr,
    want_send: bool,
    next_ping: Option<Instant>,
    sent_at: Vec<Instant>,
    rtts: Vec<Duration>,
    timer_fired_at: Vec<Instant>,
}

impl Pinger {
    fn new(target: SocketAddr) -> Self {
        Self {
            target,
            want_send: true,
            next_ping: None,
            sent_at: Vec::new(),
            rtts: Vec::new(),
            timer_fired_at: Vec::new(),
        }
    }
}

impl Endpoint for Pinger {
    fn handle_datagram(&mut self, now: Instant, d: sanderling_netsim::Datagram) {
        let seq = u64::from_be_bytes(d.payload[..8].try_into().unwrap());
        self.rtts.push(now - self.sent_at[seq as usize]);
    }
    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        if !self.want_send {
            return None;
        }
        self.want_send = false;
        let seq = self.sent_at.len() as u64;
        self.sent_at.push(now);
        self.next_ping = (self.sent_at.len() < 5).then(|| now + Duration::from_millis(100));
        Some(Transmit {
            destination: self.target,
            source: None,
            payload: bytes::Bytes::copy_from_slice(&seq.to_be_bytes()),
        })
    }
    fn poll_timeout(&mut self) -> Option<Instant> {
        self.next_ping
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.timer_fired_at.push(now);
        self.next_ping = None;
        self.want_send = true;
    }
}

#[test]
fn timers_fire_at_their_instant_and_round_trips_add_up() {
    let mut sim = Sim::new(13);
    let p = sim.add_endpoint(addr("10.0.0.1:1000"), Pinger::new(addr("10.0.0.2:2000")));
    let e = sim.add_endpoint(addr("10.0.0.2:2000"), Echo::default());
    sim.network_mut()
        .set_link(p, e, LinkConfig::with_delay(Duration::from_millis(13)));
    sim.network_mut()
        .set_link(e, p, LinkConfig::with_delay(Duration::from_millis(17)));
    let done = sim.run_until(Duration::from_secs(10), |s| {
        s.endpoint::<Pinger>(p).rtts.len() == 5
    });
    assert!(done);
    let pinger = sim.endpoint::<Pinger>(p);
    assert_eq!(pinger.rtts, vec![Duration::from_millis(30); 5]);
    let fired: Vec<Duration> = pinger
        .timer_fired_at
        .iter()
        .map(|t| *t - sim.epoch())
        .collect();
    let expected: Vec<Duration> = (1..5).map(|i| Duration::from_millis(100 * i)).collect();
    assert_eq!(fired, expected);
    // run_until stops as soon as the condition holds: right at the 5th echo.
    assert_eq!(sim.elapsed(), Duration::from_millis(430));
}
