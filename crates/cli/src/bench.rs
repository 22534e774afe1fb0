//! `sanderling bench`: two peers in one process over real UDP on
//! 127.0.0.1, built with the public async API (`sanderling::PeerConnection`
//! on tokio, each peer on a single-threaded runtime of its own thread, as
//! two processes would be): what a user of the crate gets, batched socket
//! I/O included. Host candidates, no ICE servers, non-trickle signalling. Same
//! flags, definitions and JSON result line as the shared harness's other
//! drivers (`shared/bench/README.md`).

use std::future::Future;
use std::thread;
use std::time::{Duration, Instant};

use sanderling::{
    Bytes, Configuration, DataChannel, DataChannelInit, IceGatheringState, PeerConnection,
    PeerConnectionEvent, SessionDescription,
};

use crate::bench_lossy::{self, LossyConfig};
use crate::usage;

pub(crate) const USAGE: &str = "flags: --json --mode setup|bulk|small|many|lossy --pairs N --idle-s N --count N --total-bytes N --msg-size N \
     --messages N --small-size N --high N --low N --timeout-s N --tag S --sockbuf N --snap on|off --connecting-spin-us N";

/// The harness's flags (`shared/bench/README.md`).
#[derive(Clone, Debug)]
pub(crate) struct Args {
    pub(crate) json: bool,
    mode: String,
    count: usize,
    total_bytes: usize,
    msg_size: usize,
    messages: usize,
    small_size: usize,
    high: usize,
    low: usize,
    timeout_s: u64,
    pub(crate) tag: String,
    sockbuf: usize,
    /// `many`: connection pairs open at once.
    pub(crate) pairs: usize,
    /// `many`: how long the connections sit idle before the heap is read;
    /// the default lets every connection's periodic timers (ICE consent,
    /// every 5 s) run once, which is when idle buffers are given back.
    pub(crate) idle_s: u64,
    /// SNAP (`a=sctp-init`) between the two peers: on, as by default, or
    /// off to measure the SCTP handshake it saves.
    snap: bool,
    /// `Configuration::connecting_spin`, in microseconds (default its
    /// default): 0 measures setup with the driver sleeping at every wait.
    connecting_spin_us: Option<u64>,
    lossy: LossyConfig,
}

impl Args {
    pub(crate) fn parse(argv: &[String]) -> Result<Self, String> {
        let (lossy, argv) = LossyConfig::parse(argv)?;
        let argv = &argv[..];
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
            pairs: 1000,
            idle_s: 6,
            snap: true,
            connecting_spin_us: None,
            lossy,
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
                "--pairs" => a.pairs = num()?,
                "--idle-s" => a.idle_s = num()? as u64,
                "--snap" => {
                    a.snap = match v.as_str() {
                        "on" => true,
                        "off" => false,
                        _ => return Err(format!("--snap takes on or off, not {v}")),
                    }
                }
                "--connecting-spin-us" => a.connecting_spin_us = Some(num()? as u64),
                _ => return Err(format!("unknown flag {k}")),
            }
            i += 2;
        }
        if !matches!(
            a.mode.as_str(),
            "setup" | "bulk" | "small" | "many" | "lossy"
        ) {
            return Err(format!("unknown mode {}", a.mode));
        }
        Ok(a)
    }
}

/// Runs the benchmark; returns the exit code.
pub(crate) fn run(a: &Args) -> i32 {
    if a.mode == "lossy" {
        return bench_lossy::run(&a.lossy, a.json, &a.tag);
    }
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
    // Each peer of a pair has a thread of its own, as two processes would:
    // the offerer this one, the answerer `answerer`'s. One runtime with two
    // workers for both serialised them: a task that sends in a loop leaves
    // the driver it wakes in tokio's LIFO slot, which the idle worker
    // cannot steal, so one core did all the work.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return 1;
        }
    };
    let answerer = match PeerThread::start() {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot start the answerer's runtime: {e}");
            return 1;
        }
    };
    let result = runtime.block_on(async {
        match a.mode.as_str() {
            "setup" => setup(a, &answerer).await,
            "many" => crate::bench_many::run(a, &answerer).await,
            _ => transfer(a, &answerer).await,
        }
    });
    drop(runtime);
    drop(answerer);
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

/// Fails with `what` after 30 s instead of hanging.
pub(crate) async fn within<T>(what: &str, f: impl Future<Output = T>) -> Result<T, String> {
    tokio::time::timeout(Duration::from_secs(30), f)
        .await
        .map_err(|_| format!("timed out waiting for {what}"))
}

fn configuration(a: &Args) -> Configuration {
    let mut c = Configuration {
        include_loopback: true,
        ipv6: false,
        interfaces: vec!["127.0.0.1".into()],
        socket_buffer_size: a.sockbuf.max(64 << 10),
        snap: a.snap,
        ..Configuration::default()
    };
    if let Some(us) = a.connecting_spin_us {
        c.connecting_spin = std::time::Duration::from_micros(us);
    }
    c
}

/// Waits until `pc` has gathered every candidate (non-trickle) and returns
/// its local description, candidates included.
async fn gathered(pc: &PeerConnection) -> Result<SessionDescription, String> {
    let mut events = pc.events();
    while pc.ice_gathering_state() != IceGatheringState::Complete {
        match within("ICE gathering", events.recv()).await? {
            Some(_) => {}
            None => return Err("connection closed while gathering".into()),
        }
    }
    pc.local_description()
        .ok_or_else(|| "no local description".into())
}

/// Two connected peers: the offerer's channel and the answerer's.
pub(crate) struct Pair {
    pub(crate) a: PeerConnection,
    pub(crate) b: PeerConnection,
    pub(crate) sender: DataChannel,
    pub(crate) receiver: DataChannel,
}

/// Offer/answer between two built peers, until the channel is open on both
/// sides.
pub(crate) async fn connect(a: PeerConnection, b: PeerConnection) -> Result<Pair, String> {
    let sender = a
        .create_data_channel("bench", DataChannelInit::default())
        .map_err(|e| e.to_string())?;
    let mut b_events = b.events();
    let offer = a.create_offer().await.map_err(|e| e.to_string())?;
    a.set_local_description(offer)
        .await
        .map_err(|e| e.to_string())?;
    let offer = gathered(&a).await?;
    b.set_remote_description(offer)
        .await
        .map_err(|e| e.to_string())?;
    let answer = b.create_answer().await.map_err(|e| e.to_string())?;
    b.set_local_description(answer)
        .await
        .map_err(|e| e.to_string())?;
    let answer = gathered(&b).await?;
    a.set_remote_description(answer)
        .await
        .map_err(|e| e.to_string())?;
    let receiver = within("the peer's data channel", async {
        loop {
            match b_events.recv().await {
                Some(PeerConnectionEvent::DataChannel(ch)) => return Ok(ch),
                Some(_) => {}
                None => return Err("the answerer closed".to_string()),
            }
        }
    })
    .await??;
    within("open", sender.opened())
        .await?
        .map_err(|e| e.to_string())?;
    within("open", receiver.opened())
        .await?
        .map_err(|e| e.to_string())?;
    Ok(Pair {
        a,
        b,
        sender,
        receiver,
    })
}

/// The offerer on the current runtime, the answerer on `answerer`'s.
pub(crate) fn build(
    a: &Args,
    answerer: &PeerThread,
) -> Result<(PeerConnection, PeerConnection), String> {
    let pa = PeerConnection::new(configuration(a)).map_err(|e| e.to_string())?;
    let pb = {
        let _on = answerer.handle.enter();
        PeerConnection::new(configuration(a)).map_err(|e| e.to_string())?
    };
    Ok((pa, pb))
}

/// A single-threaded runtime on a thread of its own, running until dropped.
pub(crate) struct PeerThread {
    pub(crate) handle: tokio::runtime::Handle,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl PeerThread {
    fn start() -> Result<Self, String> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| e.to_string())?;
        let handle = runtime.handle().clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = thread::Builder::new()
            .name("answerer".into())
            .spawn(move || {
                let _ = runtime.block_on(stopped);
            })
            .map_err(|e| e.to_string())?;
        Ok(Self {
            handle,
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for PeerThread {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn setup(a: &Args, answerer: &PeerThread) -> Result<(), String> {
    let mut setup_ms = Vec::new();
    let mut total_ms = Vec::new();
    // Connections whose SCTP opened from the INITs in the descriptions.
    let mut by_snap = 0;
    for _ in 0..a.count {
        let t_total = Instant::now();
        let (pa, pb) = build(a, answerer)?;
        let t0 = Instant::now();
        let pair = connect(pa, pb).await?;
        setup_ms.push(t0.elapsed().as_secs_f64() * 1e3);
        total_ms.push(t_total.elapsed().as_secs_f64() * 1e3);
        by_snap += usize::from(pair.a.sctp_features().is_some_and(|f| f.snap));
        pair.a.close();
        pair.b.close();
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
            "{{\"kind\":\"result\",\"peer\":\"sanderling\",\"version\":\"{}\",\"mode\":\"setup\",\"tag\":\"{}\",\"count\":{},\"setup_ms_median\":{:.3},\"setup_ms_min\":{min:.3},\"setup_ms_max\":{max:.3},\"total_ms_median\":{:.3},\"snap\":{by_snap},\"setup_ms\":[{}],\"total_ms\":[{}]}}",
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
            "setup: {} connections, median {:.2} ms (min {min:.2}, max {max:.2}); with building the peers {:.2} ms; {by_snap} opened SCTP by SNAP",
            setup_ms.len(),
            median(&setup_ms),
            median(&total_ms)
        );
    }
    Ok(())
}

async fn transfer(a: &Args, answerer: &PeerThread) -> Result<(), String> {
    let (size, count) = if a.mode == "bulk" {
        (a.msg_size, a.total_bytes.div_ceil(a.msg_size.max(1)))
    } else {
        (a.small_size, a.messages)
    };
    let bytes = size * count;
    let (pa, pb) = build(a, answerer)?;
    let pair = connect(pa, pb).await?;
    let receiver = pair.receiver.clone();
    let received = answerer.handle.spawn(async move {
        let mut got = 0usize;
        while got < bytes {
            match receiver.recv().await {
                Some(m) => got += m.len(),
                None => return Err(format!("channel closed after {got} bytes")),
            }
        }
        Ok((Instant::now(), usage::now(), got))
    });
    // The harness's flow control: pause at `high` buffered bytes, resume at
    // the low-threshold event (`send_wait` waits for it).
    let ch = &pair.sender;
    ch.set_buffered_amount_low_threshold(a.low);
    let payload = Bytes::from(vec![0x5a; size]);
    let t0 = Instant::now();
    let u0 = usage::now();
    for _ in 0..count {
        let sent = if ch.buffered_amount() < a.high {
            ch.send(payload.clone())
        } else {
            ch.send_wait(payload.clone()).await
        };
        sent.map_err(|e| e.to_string())?;
    }
    let (t1, u1, got) = within("the receiver", received)
        .await?
        .map_err(|e| e.to_string())??;
    let secs = t1.duration_since(t0).as_secs_f64();
    let cpu_user = u1.user_s - u0.user_s;
    let cpu_sys = u1.sys_s - u0.sys_s;
    if a.json {
        println!(
            "{{\"kind\":\"result\",\"peer\":\"sanderling\",\"version\":\"{}\",\"mode\":\"{}\",\"tag\":\"{}\",\"msg_size\":{size},\"messages\":{count},\"bytes\":{got},\"secs\":{secs:.6},\"mb_per_s\":{:.3},\"msgs_per_s\":{:.1},\"cpu_user_s\":{cpu_user:.3},\"cpu_sys_s\":{cpu_sys:.3},\"cpu_s\":{:.3},\"maxrss_kb\":{},\"peak_heap_kb\":{},\"high\":{},\"low\":{},\"sockbuf\":{}}}",
            env!("CARGO_PKG_VERSION"),
            a.mode,
            a.tag,
            got as f64 / secs / 1e6,
            count as f64 / secs,
            cpu_user + cpu_sys,
            u1.maxrss_kb,
            crate::heap::peak_bytes() >> 10,
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
        print!("{}", limits(a, &pair.b));
    }
    pair.a.close();
    pair.b.close();
    Ok(())
}

/// What bounds the transfer: the socket buffers the kernel granted (the
/// receiver's), the SCTP window, the harness's pacing.
fn limits(a: &Args, receiver: &PeerConnection) -> String {
    let kib = |n: usize| format!("{} KiB", n >> 10);
    let (receive, send) = receiver
        .socket_buffers()
        .first()
        .map_or((0, 0), |b| (b.receive, b.send));
    let config = receiver.configuration();
    let rows = [
        (
            "UDP socket buffers",
            format!(
                "asked {} each; granted receive {}, send {} (as the kernel counts them)",
                kib(a.sockbuf),
                kib(receive),
                kib(send)
            ),
        ),
        (
            "SCTP in flight",
            format!(
                "at most the receiver's receive window, {} (and the congestion window)",
                kib(config.receive_buffer_size)
            ),
        ),
        (
            "channel pacing",
            format!(
                "refill below {} buffered, pause at {}",
                kib(a.low),
                kib(a.high)
            ),
        ),
    ];
    rows.iter()
        .map(|(k, v)| format!("  {k:<20} {v}\n"))
        .collect()
}
