//! `sanderling bench --mode lossy`: one reliable ordered stream between two
//! SCTP associations over a long, lossy path simulated by sanderling-netsim
//! (bandwidth-limited, one-way delay RTT/2, random loss both ways, a
//! drop-tail bottleneck queue of one bandwidth-delay product), on the
//! virtual clock. Reports goodput (payload delivered per virtual second) as
//! a share of the link rate, and fails unless every byte arrived intact and
//! in order.
//!
//! The link carries SCTP packets as they are (no UDP/IP/DTLS overhead), so
//! the best share possible is payload/packet: about 97 % at a 1200-byte MTU.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sanderling_netsim::{Datagram, Endpoint, LinkConfig, Sim, Transmit};
use sanderling_sctp::association::{Association, SendError, SendOptions};
use sanderling_sctp::event::Event;
use sanderling_sctp::options::{CongestionControl, SctpOptions};
use sanderling_sctp::types::{Ppid, StreamId};

pub(crate) const USAGE: &str = "lossy flags: --loss-percent F (1) --rate-mbit F (100) --rtt-ms N (50) \
     --total-bytes N (384 MiB: 32 s at 100 Mbit/s) --msg-size N (16384) --cc newreno|bbr (default: the stack's) --seed N --json";

/// The path and the transfer.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct LossyConfig {
    /// Random loss per datagram, each direction, in percent.
    pub(crate) loss_percent: f64,
    /// Link rate each direction, in Mbit/s.
    pub(crate) rate_mbit: f64,
    /// Round-trip propagation delay.
    pub(crate) rtt_ms: u64,
    /// Payload bytes to move.
    pub(crate) total_bytes: usize,
    /// Size of each message.
    pub(crate) msg_size: usize,
    /// Congestion controller; `None` keeps the association's default
    /// (NewReno).
    pub(crate) congestion: Option<CongestionControl>,
    /// Seed of the network's randomness.
    pub(crate) seed: u64,
}

impl Default for LossyConfig {
    fn default() -> Self {
        Self {
            loss_percent: 1.0,
            rate_mbit: 100.0,
            rtt_ms: 50,
            total_bytes: 384 << 20,
            msg_size: 16 << 10,
            // The controller for long, lossy paths (a connection opts in
            // with `Configuration::congestion_control`); `--cc newreno`
            // shows what the default does there.
            congestion: Some(CongestionControl::Bbr),
            seed: 1,
        }
    }
}

impl LossyConfig {
    /// Reads the flags this mode understands and returns the others;
    /// `--total-bytes` and `--msg-size` are read and passed on too, as the
    /// other modes share them (this mode has its own default size).
    pub(crate) fn parse(argv: &[String]) -> Result<(Self, Vec<String>), String> {
        let mut c = Self::default();
        let mut rest = Vec::new();
        let mut i = 0;
        while i < argv.len() {
            let k = argv[i].as_str();
            let known = matches!(
                k,
                "--loss-percent"
                    | "--rate-mbit"
                    | "--rtt-ms"
                    | "--total-bytes"
                    | "--msg-size"
                    | "--cc"
                    | "--seed"
            );
            let shared = matches!(k, "--total-bytes" | "--msg-size");
            if !known || shared {
                rest.push(argv[i].clone());
                if k != "--json"
                    && let Some(v) = argv.get(i + 1)
                {
                    rest.push(v.clone());
                }
            }
            if !known {
                i += if k == "--json" { 1 } else { 2 };
                continue;
            }
            let v = argv
                .get(i + 1)
                .ok_or_else(|| format!("missing value for {k}"))?;
            let float = || {
                v.parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite() && *x >= 0.0)
                    .ok_or_else(|| format!("bad number for {k}: {v}"))
            };
            let int = || {
                v.parse::<u64>()
                    .map_err(|_| format!("bad number for {k}: {v}"))
            };
            match k {
                "--loss-percent" => c.loss_percent = float()?,
                "--rate-mbit" => c.rate_mbit = float()?,
                "--rtt-ms" => c.rtt_ms = int()?,
                "--total-bytes" => c.total_bytes = int()? as usize,
                "--msg-size" => c.msg_size = int()? as usize,
                "--seed" => c.seed = int()?,
                _ => {
                    c.congestion = Some(match v.as_str() {
                        "newreno" => CongestionControl::NewReno,
                        "bbr" => CongestionControl::Bbr,
                        _ => return Err(format!("unknown congestion controller {v}")),
                    })
                }
            }
            i += 2;
        }
        if c.loss_percent >= 100.0 || c.rate_mbit <= 0.0 {
            return Err("need --loss-percent below 100 and a positive --rate-mbit".into());
        }
        if c.msg_size == 0 || c.msg_size > 256 << 10 || c.total_bytes == 0 {
            return Err("need 1..=262144 for --msg-size and a positive --total-bytes".into());
        }
        Ok((c, rest))
    }
}

/// What one run measured.
#[derive(Clone, Debug)]
pub(crate) struct LossyReport {
    /// Payload bytes delivered in order and verified.
    pub(crate) bytes: usize,
    /// Virtual time from the first message queued to the last delivered.
    pub(crate) virtual_s: f64,
    /// Real time the simulation took.
    pub(crate) wall_s: f64,
    /// Delivered payload in Mbit per virtual second.
    pub(crate) goodput_mbit: f64,
    /// `goodput_mbit` over the link rate.
    pub(crate) link_share: f64,
    /// Whether every message arrived whole and in order.
    pub(crate) intact: bool,
    /// DATA chunks the sender retransmitted.
    pub(crate) retransmissions: u64,
    /// T3-rtx expiries at the sender.
    pub(crate) t3_expirations: u64,
    /// Fast retransmissions found lost and sent again before T3-rtx.
    pub(crate) lost_retransmissions: u64,
    /// Datagrams the data direction dropped at random / at the full queue.
    pub(crate) dropped_loss: u64,
    pub(crate) dropped_queue: u64,
    /// The controller that ran.
    pub(crate) congestion: CongestionControl,
}

/// The content of message `index`: its index, then bytes that follow from
/// it, so a message delivered twice, out of order or altered is caught.
fn fill(index: u64, buf: &mut [u8]) {
    let mut x = index.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    for (i, chunk) in buf.chunks_mut(8).enumerate() {
        let word = if i == 0 {
            index
        } else {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        chunk.copy_from_slice(&word.to_le_bytes()[..chunk.len()]);
    }
}

/// The sender: keeps its association's send buffer full until `total`
/// payload bytes are queued.
struct Sender {
    assoc: Association,
    peer: SocketAddr,
    msg_size: usize,
    remaining: usize,
    next_index: u64,
    connected: bool,
    pending: Option<bytes::Bytes>,
}

impl Sender {
    fn feed(&mut self, now: Instant) {
        if !self.connected {
            return;
        }
        loop {
            let payload = match self.pending.take() {
                Some(p) => p,
                None if self.remaining == 0 => return,
                None => {
                    let len = self.msg_size.min(self.remaining);
                    let mut v = vec![0u8; len];
                    fill(self.next_index, &mut v);
                    bytes::Bytes::from(v)
                }
            };
            let len = payload.len();
            match self.assoc.send(
                now,
                StreamId(1),
                Ppid(53),
                payload.clone(),
                SendOptions::default(),
            ) {
                Ok(()) => {
                    self.remaining -= len;
                    self.next_index += 1;
                }
                Err(SendError::QueueFull) => {
                    self.pending = Some(payload);
                    return;
                }
                Err(e) => panic!("send failed: {e}"),
            }
        }
    }

    fn drain(&mut self) {
        while let Some(e) = self.assoc.poll_event() {
            if matches!(e, Event::Connected) {
                self.connected = true;
            }
        }
    }
}

impl Endpoint for Sender {
    fn handle_datagram(&mut self, now: Instant, datagram: Datagram) {
        self.assoc.handle_input(now, datagram.payload);
        self.drain();
    }

    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        self.feed(now);
        let p = self.assoc.poll_transmit(now);
        self.drain();
        p.map(|payload| Transmit {
            destination: self.peer,
            source: None,
            payload,
        })
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        self.assoc.poll_timeout()
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.assoc.handle_timeout(now);
        self.drain();
    }
}

/// The receiver: checks each message against what message `index` must be.
struct Receiver {
    assoc: Association,
    peer: SocketAddr,
    next_index: u64,
    bytes: usize,
    corrupt: u64,
    last_delivery: Option<Instant>,
    scratch: Vec<u8>,
}

impl Receiver {
    fn drain(&mut self, now: Instant) {
        while let Some(e) = self.assoc.poll_event() {
            if let Event::Message(m) = e {
                self.scratch.resize(m.payload.len(), 0);
                fill(self.next_index, &mut self.scratch);
                if m.payload[..] != self.scratch[..] {
                    self.corrupt += 1;
                }
                self.next_index += 1;
                self.bytes += m.payload.len();
                self.last_delivery = Some(now);
            }
        }
    }
}

impl Endpoint for Receiver {
    fn handle_datagram(&mut self, now: Instant, datagram: Datagram) {
        self.assoc.handle_input(now, datagram.payload);
        self.drain(now);
    }

    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        let p = self.assoc.poll_transmit(now);
        self.drain(now);
        p.map(|payload| Transmit {
            destination: self.peer,
            source: None,
            payload,
        })
    }

    fn poll_timeout(&mut self) -> Option<Instant> {
        self.assoc.poll_timeout()
    }

    fn handle_timeout(&mut self, now: Instant) {
        self.assoc.handle_timeout(now);
        self.drain(now);
    }
}

/// Runs the transfer; `Err` if the path could not carry it within a generous
/// virtual-time bound.
pub(crate) fn measure(c: &LossyConfig) -> Result<LossyReport, String> {
    let wall = Instant::now();
    let mut sim = Sim::new(c.seed);
    let now = sim.now();
    let a_addr: SocketAddr = "10.0.0.1:5000".parse().expect("address");
    let b_addr: SocketAddr = "10.0.0.2:5000".parse().expect("address");
    let options = |seed: u8| {
        let mut o = SctpOptions {
            seed: [seed; 32],
            ..SctpOptions::default()
        };
        if let Some(cc) = c.congestion {
            o.congestion = cc;
        }
        o
    };
    let a_opts = options(1);
    let congestion = a_opts.congestion;
    let sender = Sender {
        assoc: Association::new(now, a_opts).map_err(|e| e.to_string())?,
        peer: b_addr,
        msg_size: c.msg_size,
        remaining: c.total_bytes,
        next_index: 0,
        connected: false,
        pending: None,
    };
    let receiver = Receiver {
        assoc: Association::new(now, options(2)).map_err(|e| e.to_string())?,
        peer: a_addr,
        next_index: 0,
        bytes: 0,
        corrupt: 0,
        last_delivery: None,
        scratch: Vec::new(),
    };
    let a = sim.add_endpoint(a_addr, sender);
    let b = sim.add_endpoint(b_addr, receiver);
    let bps = (c.rate_mbit * 1e6) as u64;
    let rtt = Duration::from_millis(c.rtt_ms);
    // One bandwidth-delay product of queue, at least a few packets.
    let bdp = (bps as f64 / 8.0 * rtt.as_secs_f64()) as usize;
    sim.network_mut().set_path(
        a,
        b,
        LinkConfig {
            delay: rtt / 2,
            loss: c.loss_percent / 100.0,
            bandwidth_bps: Some(bps),
            queue_bytes: bdp.max(16 * 1500),
            ..LinkConfig::default()
        },
    );
    sim.endpoint_mut::<Sender>(a).assoc.connect(now);
    sim.endpoint_mut::<Receiver>(b).assoc.connect(now);
    let up = sim.run_until(Duration::from_secs(30), |s| {
        s.endpoint::<Sender>(a).connected
    });
    if !up {
        return Err("the association did not come up".into());
    }
    let start = sim.now();
    // Generous, so that a collapsing controller is still measured: a
    // hundredth of the link rate, plus a minute.
    let bound = Duration::from_secs_f64(c.total_bytes as f64 * 8.0 / (bps as f64 / 100.0) + 60.0);
    let total = c.total_bytes;
    let trace = std::env::var_os("LOSSY_TRACE").is_some();
    let mut next_trace = sim.now();
    let done = sim.run_until(bound, |s| {
        if trace && s.now() >= next_trace {
            next_trace = s.now() + Duration::from_millis(250);
            eprintln!(
                "{:.2}s rx {} | {}",
                s.now().duration_since(start).as_secs_f64(),
                s.endpoint::<Receiver>(b).bytes,
                s.endpoint::<Sender>(a).assoc.debug_summary()
            );
        }
        s.endpoint::<Receiver>(b).bytes >= total
    });
    let r = sim.endpoint::<Receiver>(b);
    if !done {
        return Err(format!(
            "only {} of {total} bytes arrived within {:.0} virtual seconds",
            r.bytes,
            bound.as_secs_f64()
        ));
    }
    let end = r.last_delivery.unwrap_or(start);
    let virtual_s = end.duration_since(start).as_secs_f64().max(1e-9);
    let goodput_mbit = r.bytes as f64 * 8.0 / virtual_s / 1e6;
    let stats = sim.endpoint::<Sender>(a).assoc.stats();
    let link = sim.network().link_stats(a, b);
    Ok(LossyReport {
        bytes: r.bytes,
        virtual_s,
        wall_s: wall.elapsed().as_secs_f64(),
        goodput_mbit,
        link_share: goodput_mbit / c.rate_mbit,
        intact: r.corrupt == 0 && r.bytes == total,
        retransmissions: stats.data_chunks_retransmitted,
        t3_expirations: stats.t3_expirations,
        lost_retransmissions: stats.lost_retransmissions,
        dropped_loss: link.dropped_loss,
        dropped_queue: link.dropped_queue,
        congestion,
    })
}

/// `sanderling bench --mode lossy`; returns the exit code.
pub(crate) fn run(c: &LossyConfig, json: bool, tag: &str) -> i32 {
    let r = match measure(c) {
        Ok(r) => r,
        Err(e) => {
            println!(
                "{{\"kind\":\"result\",\"peer\":\"sanderling\",\"mode\":\"lossy\",\"error\":{e:?}}}"
            );
            return 1;
        }
    };
    let cc = match r.congestion {
        CongestionControl::NewReno => "newreno",
        CongestionControl::Bbr => "bbr",
    };
    if json {
        println!(
            "{{\"kind\":\"result\",\"peer\":\"sanderling\",\"version\":\"{}\",\"mode\":\"lossy\",\"tag\":\"{tag}\",\"cc\":\"{cc}\",\"goodput_mbit\":{:.3},\"link_share\":{:.4},\"loss\":{},\"rate_mbit\":{},\"rtt_ms\":{},\"bytes\":{},\"msg_size\":{},\"intact\":{},\"virtual_s\":{:.3},\"wall_s\":{:.3},\"retransmissions\":{},\"t3_expirations\":{},\"lost_retransmissions\":{},\"dropped_loss\":{},\"dropped_queue\":{}}}",
            env!("CARGO_PKG_VERSION"),
            r.goodput_mbit,
            r.link_share,
            c.loss_percent / 100.0,
            c.rate_mbit,
            c.rtt_ms,
            r.bytes,
            c.msg_size,
            r.intact,
            r.virtual_s,
            r.wall_s,
            r.retransmissions,
            r.t3_expirations,
            r.lost_retransmissions,
            r.dropped_loss,
            r.dropped_queue,
        );
    } else {
        println!(
            "lossy ({cc}): {} bytes over {} Mbit/s, {} ms RTT, {}% loss: {:.1} Mbit/s = {:.1}% of the link in {:.1} virtual s ({:.1} s real); {}; {} retransmissions ({} of them after a lost fast retransmission), {} T3 expiries",
            r.bytes,
            c.rate_mbit,
            c.rtt_ms,
            c.loss_percent,
            r.goodput_mbit,
            r.link_share * 100.0,
            r.virtual_s,
            r.wall_s,
            if r.intact {
                "every byte intact and in order"
            } else {
                "DATA CORRUPTED OR REORDERED"
            },
            r.retransmissions,
            r.lost_retransmissions,
            r.t3_expirations,
        );
    }
    if r.intact { 0 } else { 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn flags_are_parsed_and_others_passed_on() {
        let (c, rest) = LossyConfig::parse(&args(
            "--json --loss-percent 0.5 --rtt-ms 80 --cc bbr --tag x",
        ))
        .unwrap();
        assert_eq!(c.loss_percent, 0.5);
        assert_eq!(c.rtt_ms, 80);
        assert_eq!(c.congestion, Some(CongestionControl::Bbr));
        assert_eq!(rest, args("--json --tag x"));
        let (c, rest) = LossyConfig::parse(&args("--mode lossy --total-bytes 1000")).unwrap();
        assert_eq!(c.total_bytes, 1000);
        assert_eq!(rest, args("--mode lossy --total-bytes 1000"));
        assert!(LossyConfig::parse(&args("--loss-percent 100")).is_err());
        assert!(LossyConfig::parse(&args("--cc cubic")).is_err());
        assert!(LossyConfig::parse(&args("--rate-mbit")).is_err());
    }

    #[test]
    fn message_content_depends_on_its_index() {
        let (mut a, mut b) = ([0u8; 37], [0u8; 37]);
        fill(3, &mut a);
        fill(4, &mut b);
        assert_ne!(a, b);
        assert_eq!(a[0], 3);
    }

    #[test]
    fn a_small_transfer_arrives_intact() {
        let r = measure(&LossyConfig {
            total_bytes: 2 << 20,
            rate_mbit: 20.0,
            loss_percent: 1.0,
            ..LossyConfig::default()
        })
        .unwrap();
        assert!(r.intact);
        assert_eq!(r.bytes, 2 << 20);
        assert!(r.dropped_loss > 0, "the path lost packets");
        assert!(r.retransmissions > 0);
    }
}
