//! `sanderling bench`: two peers in one process, each on its own thread
//! with its own UDP socket on 127.0.0.1, driving the sans-IO peer core
//! directly (host candidates, no ICE servers). Same flags, definitions and
//! JSON result line as the shared harness's other drivers.

use std::net::{SocketAddr, UdpSocket};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sanderling_datachannel::ChannelConfig;
use sanderling_dtls::Certificate;
use sanderling_rtc::jsep::SessionDescription;
use sanderling_rtc::{ChannelHandle, Peer, PeerConfig, PeerEvent};

use crate::usage::{self, Usage};

pub(crate) const USAGE: &str = "flags: --json --mode setup|bulk|small --count N --total-bytes N --msg-size N \
     --messages N --small-size N --high N --low N --timeout-s N --tag S --sockbuf N";

/// The harness's flags (`shared/bench/README.md`).
#[derive(Clone, Debug)]
pub(crate) struct Args {
    json: bool,
    mode: String,
    count: usize,
    total_bytes: usize,
    msg_size: usize,
    messages: usize,
    small_size: usize,
    high: usize,
    low: usize,
    timeout_s: u64,
    tag: String,
    sockbuf: usize,
}

impl Args {
    pub(crate) fn parse(argv: &[String]) -> Result<Self, String> {
        let mut a = Self {
            json: false,
            mode: "bulk".into(),
            count: 20,
            total_bytes: 64 << 20,
            msg_size: 16 << 10,
            messages: 100_000,
            small_size: 100,
            high: 1 << 20,
            low: 256 << 10,
            timeout_s: 110,
            tag: String::new(),
            sockbuf: 4 << 20,
        };
        let mut i = 0;
        while i < argv.len() {
            let k = argv[i].as_str();
            if k == "--json" {
                a.json = true;
                i += 1;
                continue;
            }
            let v = argv
                .get(i + 1)
                .ok_or_else(|| format!("missing value for {k}"))?;
            let num = || {
                v.parse::<usize>()
                    .map_err(|_| format!("bad number for {k}: {v}"))
            };
            match k {
                "--mode" => a.mode = v.clone(),
                "--count" => a.count = num()?,
                "--total-bytes" => a.total_bytes = num()?,
                "--msg-size" => a.msg_size = num()?,
                "--messages" => a.messages = num()?,
                "--small-size" => a.small_size = num()?,
                "--high" => a.high = num()?,
                "--low" => a.low = num()?,
                "--timeout-s" => a.timeout_s = num()? as u64,
                "--tag" => a.tag = v.clone(),
                "--sockbuf" => a.sockbuf = num()?,
                _ => return Err(format!("unknown flag {k}")),
            }
            i += 2;
        }
        if !matches!(a.mode.as_str(), "setup" | "bulk" | "small") {
            return Err(format!("unknown mode {}", a.mode));
        }
        Ok(a)
    }
}

/// Runs the benchmark; returns the exit code.
pub(crate) fn run(a: &Args) -> i32 {
    let limit = Duration::from_secs(a.timeout_s);
    let mode = a.mode.clone();
    thread::spawn(move || {
        thread::sleep(limit);
        println!(
            "{{\"kind\":\"result\",\"peer\":\"sanderling\",\"mode\":\"{mode}\",\"error\":\"timeout after {}s\"}}",
            limit.as_secs()
        );
        std::process::exit(124);
    });
    let result = match a.mode.as_str() {
        "setup" => setup(a),
        _ => transfer(a),
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            println!(
                "{{\"kind\":\"result\",\"peer\":\"sanderling\",\"mode\":\"{}\",\"error\":{:?}}}",
                a.mode, e
            );
            1
        }
    }
}

fn socket(sockbuf: usize) -> Result<UdpSocket, String> {
    let s = UdpSocket::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    if sockbuf > 0 {
        // Drops in a too-small kernel buffer turn into retransmission
        // timeouts: size the buffers ourselves (DESIGN §6).
        let s2 = socket2::SockRef::from(&s);
        let _ = s2.set_recv_buffer_size(sockbuf);
        let _ = s2.set_send_buffer_size(sockbuf);
    }
    Ok(s)
}

/// The socket buffers the kernel granted (getsockopt; Linux doubles the
/// request for its own bookkeeping and caps it at net.core.rmem_max /
/// wmem_max unless the process may exceed them).
#[derive(Clone, Copy, Debug)]
struct Granted {
    recv: usize,
    send: usize,
}

fn granted(s: &UdpSocket) -> Granted {
    let s2 = socket2::SockRef::from(s);
    Granted {
        recv: s2.recv_buffer_size().unwrap_or(0),
        send: s2.send_buffer_size().unwrap_or(0),
    }
}

/// The readable table's rows on buffers and windows, under a result line.
fn limits_table(a: &Args, g: Granted) -> String {
    let sctp = PeerConfig::default().sctp;
    let kib = |n: usize| format!("{} KiB", n >> 10);
    let mut rows = vec![
        (
            "UDP socket buffers".to_owned(),
            format!(
                "asked {} each; granted receive {}, send {}",
                kib(a.sockbuf),
                kib(g.recv),
                kib(g.send)
            ),
        ),
        (
            "SCTP in flight".to_owned(),
            format!(
                "at most the peer's receive window, {} (and the congestion window, from {} x {} B)",
                kib(sctp.max_receive_buffer),
                sctp.initial_cwnd_packets,
                sctp.mtu
            ),
        ),
        (
            "SCTP send buffer".to_owned(),
            format!("{} queued at most", kib(sctp.max_send_buffer)),
        ),
    ];
    if a.mode != "setup" {
        rows.push((
            "channel pacing".to_owned(),
            format!(
                "refill below {} buffered, pause at {}",
                kib(a.low),
                kib(a.high)
            ),
        ));
    }
    rows.iter()
        .map(|(k, v)| format!("  {k:<20} {v}\n"))
        .collect()
}

fn make_peer(seed: u8, addr: SocketAddr) -> Result<Peer, String> {
    let mut config = PeerConfig {
        seed: [seed; 32],
        ..PeerConfig::default()
    };
    config.ice.include_loopback = true;
    let cert = Certificate::generate().map_err(|e| e.to_string())?;
    let mut peer = Peer::new(config, cert);
    peer.add_local_address("lo", addr);
    peer.end_of_local_addresses();
    Ok(peer)
}

/// What a peer thread does once its channel is open.
#[derive(Clone, Copy)]
enum Role {
    /// Send `count` messages of `size` bytes, pausing at `high` buffered
    /// bytes until the low-threshold event.
    Send {
        size: usize,
        count: usize,
        high: usize,
        low: usize,
    },
    /// Receive until `bytes` have arrived.
    Receive { bytes: usize },
    /// Nothing: setup only.
    Idle,
}

/// Messages from the peer threads to the main thread.
enum Report {
    Offer(SessionDescription),
    Answer(SessionDescription),
    Open,
    FirstSend(Instant, Usage),
    Done(Instant, Usage, usize),
    Failed(String),
}

/// One peer's thread: signalling over `rx`/`tx`, then the event loop.
fn peer_thread(
    mut peer: Peer,
    sock: UdpSocket,
    offerer: bool,
    role: Role,
    rx: mpsc::Receiver<SessionDescription>,
    tx: mpsc::Sender<Report>,
    deadline: Instant,
) {
    let local = match sock.local_addr() {
        Ok(a) => a,
        Err(e) => {
            let _ = tx.send(Report::Failed(e.to_string()));
            return;
        }
    };
    let t = Instant::now();
    let mut channel: Option<ChannelHandle> = None;
    if offerer {
        let ch = peer.create_data_channel(t, ChannelConfig::new("bench"));
        channel = ch.ok();
        // Non-trickle: host candidates are known already.
        peer.handle_timeout(t);
        let offer = match peer.create_offer() {
            Ok(o) => o,
            Err(e) => return drop(tx.send(Report::Failed(e.to_string()))),
        };
        let _ = peer.set_local_description(t, offer.clone());
        let _ = tx.send(Report::Offer(offer));
        match rx.recv() {
            Ok(answer) => {
                if let Err(e) = peer.set_remote_description(Instant::now(), answer) {
                    return drop(tx.send(Report::Failed(e.to_string())));
                }
            }
            Err(_) => return,
        }
    } else {
        let Ok(offer) = rx.recv() else { return };
        let now = Instant::now();
        if let Err(e) = peer.set_remote_description(now, offer) {
            return drop(tx.send(Report::Failed(e.to_string())));
        }
        peer.handle_timeout(now);
        let answer = match peer.create_answer() {
            Ok(a) => a,
            Err(e) => return drop(tx.send(Report::Failed(e.to_string()))),
        };
        let _ = peer.set_local_description(now, answer.clone());
        let _ = tx.send(Report::Answer(answer));
    }

    let mut buf = vec![0u8; 65536];
    let mut open = false;
    let mut sent = 0usize;
    let mut paused = false;
    let mut received = 0usize;
    let payload = match role {
        Role::Send { size, .. } => Bytes::from(vec![0x5a; size]),
        _ => Bytes::new(),
    };
    loop {
        let now = Instant::now();
        if now > deadline {
            let _ = tx.send(Report::Failed("deadline".into()));
            return;
        }
        // Application: keep the channel's buffer between low and high.
        if let (true, Some(ch), Role::Send { count, high, .. }) = (open, channel, role) {
            if sent == 0 {
                let _ = tx.send(Report::FirstSend(now, usage::now()));
            }
            while !paused && sent < count {
                if peer.send(now, ch, payload.clone()).is_err() {
                    paused = true;
                    break;
                }
                sent += 1;
                if peer.buffered_amount(ch) >= high {
                    paused = true;
                }
            }
        }
        while let Some(t) = peer.poll_transmit(now) {
            let _ = sock.send_to(&t.payload, t.remote);
        }
        while let Some(e) = peer.poll_event() {
            match e {
                PeerEvent::ChannelOpen(h) => {
                    open = true;
                    channel = Some(h);
                    if let Role::Send { low, .. } = role {
                        peer.set_buffered_amount_low_threshold(h, low);
                    }
                    let _ = tx.send(Report::Open);
                }
                PeerEvent::ChannelBufferedAmountLow(_) => paused = false,
                PeerEvent::ChannelMessage { message, .. } => {
                    received += message.len();
                    if let Role::Receive { bytes } = role
                        && received >= bytes
                    {
                        let _ = tx.send(Report::Done(Instant::now(), usage::now(), received));
                    }
                }
                _ => {}
            }
        }
        if let Role::Send { count, .. } = role
            && sent >= count
            && peer.buffered_amount(channel.unwrap_or(ChannelHandle(0))) == 0
            && matches!(rx.try_recv(), Ok(_) | Err(mpsc::TryRecvError::Disconnected))
        {
            return;
        }
        if !matches!(role, Role::Send { .. })
            && matches!(rx.try_recv(), Ok(_) | Err(mpsc::TryRecvError::Disconnected))
        {
            return;
        }
        let wait = peer
            .poll_timeout()
            .map_or(Duration::from_millis(20), |t| {
                t.saturating_duration_since(Instant::now())
            })
            .clamp(Duration::from_micros(50), Duration::from_millis(20));
        let busy = open && matches!(role, Role::Send { .. }) && !paused;
        let _ = sock.set_read_timeout(Some(if busy {
            Duration::from_micros(50)
        } else {
            wait
        }));
        if let Ok((n, from)) = sock.recv_from(&mut buf) {
            let now = Instant::now();
            peer.handle_input(now, local, from, Bytes::copy_from_slice(&buf[..n]));
        }
        let now = Instant::now();
        if peer.poll_timeout().is_some_and(|t| t <= now) {
            peer.handle_timeout(now);
        }
    }
}

/// A started pair: its reports, the senders that stop each peer, and the
/// buffers the kernel granted.
type Pair = (
    mpsc::Receiver<Report>,
    [mpsc::Sender<SessionDescription>; 2],
    Granted,
);

/// Starts a connected pair; returns the main thread's report receiver and
/// the senders that stop each peer (dropping them).
fn start_pair(a: &Args, sender: Role, receiver: Role) -> Result<Pair, String> {
    let sa = socket(a.sockbuf)?;
    let sb = socket(a.sockbuf)?;
    let got = granted(&sa);
    let pa = make_peer(1, sa.local_addr().map_err(|e| e.to_string())?)?;
    let pb = make_peer(2, sb.local_addr().map_err(|e| e.to_string())?)?;
    let (to_a, a_rx) = mpsc::channel();
    let (to_b, b_rx) = mpsc::channel();
    let (report_tx, report_rx) = mpsc::channel();
    let deadline = Instant::now() + Duration::from_secs(a.timeout_s);
    let ta = report_tx.clone();
    thread::spawn(move || peer_thread(pa, sa, true, sender, a_rx, ta, deadline));
    thread::spawn(move || peer_thread(pb, sb, false, receiver, b_rx, report_tx, deadline));
    // Relay signalling.
    match report_rx.recv() {
        Ok(Report::Offer(o)) => to_b.send(o).map_err(|e| e.to_string())?,
        Ok(Report::Failed(e)) => return Err(e),
        _ => return Err("no offer".into()),
    }
    match report_rx.recv() {
        Ok(Report::Answer(d)) => to_a.send(d).map_err(|e| e.to_string())?,
        Ok(Report::Failed(e)) => return Err(e),
        _ => return Err("no answer".into()),
    }
    Ok((report_rx, [to_a, to_b], got))
}

fn setup(a: &Args) -> Result<(), String> {
    let mut setup_ms = Vec::new();
    let mut total_ms = Vec::new();
    let mut got = None;
    for _ in 0..a.count {
        let t_total = Instant::now();
        let t0 = Instant::now();
        let (reports, stop, g) = start_pair(a, Role::Idle, Role::Idle)?;
        got = Some(g);
        let mut opened = 0;
        while opened < 2 {
            match reports.recv_timeout(Duration::from_secs(30)) {
                Ok(Report::Open) => opened += 1,
                Ok(Report::Failed(e)) => return Err(e),
                Ok(_) => {}
                Err(_) => return Err("channel did not open".into()),
            }
        }
        setup_ms.push(t0.elapsed().as_secs_f64() * 1e3);
        total_ms.push(t_total.elapsed().as_secs_f64() * 1e3);
        drop(stop);
    }
    let median = |v: &[f64]| {
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        s[s.len() / 2]
    };
    let list = |v: &[f64]| {
        v.iter()
            .map(|x| format!("{x:.3}"))
            .collect::<Vec<_>>()
            .join(",")
    };
    let min = setup_ms.iter().copied().fold(f64::INFINITY, f64::min);
    let max = setup_ms.iter().copied().fold(0.0, f64::max);
    if a.json {
        println!(
            "{{\"kind\":\"result\",\"peer\":\"sanderling\",\"version\":\"{}\",\"mode\":\"setup\",\"tag\":\"{}\",\"count\":{},\"setup_ms_median\":{:.3},\"setup_ms_min\":{min:.3},\"setup_ms_max\":{max:.3},\"total_ms_median\":{:.3},\"setup_ms\":[{}],\"total_ms\":[{}]}}",
            env!("CARGO_PKG_VERSION"),
            a.tag,
            setup_ms.len(),
            median(&setup_ms),
            median(&total_ms),
            list(&setup_ms),
            list(&total_ms)
        );
    } else {
        println!(
            "setup: {} connections, median {:.1} ms (min {min:.1}, max {max:.1})",
            setup_ms.len(),
            median(&setup_ms)
        );
        if let Some(g) = got {
            print!("{}", limits_table(a, g));
        }
    }
    Ok(())
}

fn transfer(a: &Args) -> Result<(), String> {
    let (size, count) = if a.mode == "bulk" {
        (a.msg_size, a.total_bytes.div_ceil(a.msg_size.max(1)))
    } else {
        (a.small_size, a.messages)
    };
    let bytes = size * count;
    let sender = Role::Send {
        size,
        count,
        high: a.high,
        low: a.low,
    };
    let (reports, _stop, bufs) = start_pair(a, sender, Role::Receive { bytes })?;
    let mut start: Option<(Instant, Usage)> = None;
    loop {
        match reports.recv() {
            Ok(Report::FirstSend(t, u)) => start = Some((t, u)),
            Ok(Report::Done(t1, u1, got)) => {
                let (t0, u0) = start.ok_or("finished before starting")?;
                let secs = t1.duration_since(t0).as_secs_f64();
                let cpu_user = u1.user_s - u0.user_s;
                let cpu_sys = u1.sys_s - u0.sys_s;
                if a.json {
                    println!(
                        "{{\"kind\":\"result\",\"peer\":\"sanderling\",\"version\":\"{}\",\"mode\":\"{}\",\"tag\":\"{}\",\"msg_size\":{size},\"messages\":{count},\"bytes\":{got},\"secs\":{secs:.6},\"mb_per_s\":{:.3},\"msgs_per_s\":{:.1},\"cpu_user_s\":{cpu_user:.3},\"cpu_sys_s\":{cpu_sys:.3},\"cpu_s\":{:.3},\"maxrss_kb\":{},\"high\":{},\"low\":{},\"sockbuf\":{}}}",
                        env!("CARGO_PKG_VERSION"),
                        a.mode,
                        a.tag,
                        got as f64 / secs / 1e6,
                        count as f64 / secs,
                        cpu_user + cpu_sys,
                        u1.maxrss_kb,
                        a.high,
                        a.low,
                        a.sockbuf
                    );
                } else {
                    println!(
                        "{}: {count} messages of {size} bytes in {secs:.3} s: {:.1} MB/s, {:.0} msg/s, CPU {:.2} s",
                        a.mode,
                        got as f64 / secs / 1e6,
                        count as f64 / secs,
                        cpu_user + cpu_sys
                    );
                    print!("{}", limits_table(a, bufs));
                }
                return Ok(());
            }
            Ok(Report::Failed(e)) => return Err(e),
            Ok(_) => {}
            Err(_) => return Err("peers stopped".into()),
        }
    }
}
