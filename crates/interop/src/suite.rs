//! The scenarios, run against one peer in one role.
//!
//! Every scenario gets a fresh connection (so one failure cannot spoil the
//! next) inside one peer process per role (starting a browser per scenario
//! would cost more than the scenarios). The offerer opens the scenario's
//! channels before its offer, so with sanderling as offerer the peer
//! receives our DCEP OPENs, and as answerer we receive the peer's.
//! Candidates always travel apart from the descriptions (trickle).

use std::collections::HashSet;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_lc_rs::digest;
use sanderling::signaling::SignalingMessage;
use sanderling::{
    Bytes, Configuration, DataChannel, DataChannelEvent, DataChannelInit, DataChannelState,
    Message, PeerConnection, PeerConnectionEvent, SdpType, SessionDescription,
};
use serde_json::{Value, json};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use crate::link::{Link, is_signalling};
use crate::results::Outcome;

/// The scenarios: (key, what the README's matrix calls it), in order.
pub const SCENARIOS: &[(&str, &str)] = &[
    (
        "trickle",
        "connect, candidates trickled apart from the descriptions",
    ),
    ("text_binary", "reliable channel: text and binary both ways"),
    ("bulk_4mib", "4 MiB of binary each way, SHA-256 checked"),
    ("unordered_rexmit0", "unordered channel, maxRetransmits=0"),
    ("packet_lifetime", "channel with maxPacketLifeTime=3000 ms"),
    ("negotiated_id5", "negotiated channel, id 5"),
    ("unicode", "non-ASCII label and protocol"),
    ("message_256k", "one 256 KiB message each way"),
    (
        "close_by_us",
        "channel closed by sanderling, seen by the peer",
    ),
    (
        "close_by_peer",
        "channel closed by the peer, seen by sanderling",
    ),
    (
        "peer_opens_late",
        "channel opened by the peer once connected",
    ),
    (
        "sctp_features",
        "I-DATA and zero checksum negotiated as the peer offers them",
    ),
];

/// Which side sanderling takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// We offer (and open the scenario's channels).
    Offerer,
    /// The peer offers (and opens them).
    Answerer,
}

impl Role {
    /// `offerer` / `answerer`.
    pub fn name(self) -> &'static str {
        match self {
            Role::Offerer => "offerer",
            Role::Answerer => "answerer",
        }
    }
}

/// How to run one peer.
pub struct PeerSpec {
    /// The matrix's name for it.
    pub name: &'static str,
    /// Our configuration for connections to it (which interface to use).
    pub config: Configuration,
    /// Starts a peer process (or task); called again after a failure.
    pub spawn: Box<dyn Fn() -> Link + Send + Sync>,
    /// The peer sends its candidates apart from its description.
    pub trickles: bool,
    /// What the peer announces in its SCTP INIT: (I-DATA, zero checksum).
    /// We announce both, so exactly these must be negotiated.
    pub offers: (bool, bool),
    /// Known defects of the peer (not ours): scenario -> why it fails.
    /// The scenario still runs; a pass then fails the suite (the list is
    /// out of date).
    pub defects: fn(scenario: &str, role: Role) -> Option<&'static str>,
}

impl PeerSpec {
    /// Our configuration for a peer on 127.0.0.1 (IPv4 loopback only).
    pub fn loopback_config() -> Configuration {
        Configuration {
            include_loopback: true,
            interfaces: vec!["127.0.0.1".into()],
            ipv6: false,
            ..Configuration::default()
        }
    }

    /// A `spawn` that runs `program script` as the peer process `name`.
    pub fn script(
        name: &'static str,
        program: std::path::PathBuf,
        script: std::path::PathBuf,
    ) -> Box<dyn Fn() -> Link + Send + Sync> {
        Box::new(move || {
            let mut c = tokio::process::Command::new(&program);
            c.arg(&script);
            Link::spawn(name, c)
        })
    }
}

impl std::fmt::Debug for PeerSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PeerSpec")
            .field("name", &self.name)
            .finish()
    }
}

/// Generous: nothing here should take more than a few seconds, but CI
/// shares two cores with a browser.
const WAIT: Duration = Duration::from_secs(30);
const SCENARIO_LIMIT: Duration = Duration::from_secs(120);
const BULK: usize = 4 << 20;
const CHUNK: usize = 16 << 10;

type R<T> = Result<T, String>;

/// How a scenario that did not fail ended.
#[derive(Debug)]
enum Done {
    Pass,
    /// Passed; the note says what was seen.
    Note(String),
    /// The peer cannot do this (why).
    NotApplicable(String),
}

/// Runs every scenario against `spec` in `role`; one outcome per scenario.
pub async fn run(spec: &PeerSpec, role: Role) -> Vec<(String, Outcome)> {
    let mut link = Some((spec.spawn)());
    let mut cells = Vec::new();
    for (scenario, _) in SCENARIOS {
        let started = std::time::Instant::now();
        let peer = link.take().unwrap_or_else(|| (spec.spawn)());
        let (result, peer) = run_one(spec, role, scenario, peer).await;
        eprintln!(
            "[{} as {}] {scenario}: {:?} in {:.1} s",
            spec.name,
            role.name(),
            result,
            started.elapsed().as_secs_f64()
        );
        // After a failure the peer may be in any state: start a new one.
        if result.is_ok() {
            link = peer;
        }
        let outcome = match (result, (spec.defects)(scenario, role)) {
            (Ok(Done::Pass), None) => Outcome::Pass,
            (Ok(Done::Note(note)), None) => Outcome::Note(note),
            (Ok(Done::NotApplicable(why)), _) => Outcome::NotApplicable(why),
            (Err(e), None) => Outcome::Fail(e),
            (Err(e), Some(defect)) => Outcome::PeerDefect(format!("{defect} (here: {e})")),
            (Ok(_), Some(defect)) => Outcome::Fail(format!(
                "passed although a peer defect was expected ({defect}): update the defect list"
            )),
        };
        cells.push((scenario.to_string(), outcome));
    }
    if let Some(mut l) = link {
        let _ = l.tx.send(json!({"cmd": "quit"}));
        // Give it a moment to exit by itself; dropping the link kills it.
        let _ = tokio::time::timeout(Duration::from_secs(5), async {
            while l.rx.recv().await.is_some() {}
        })
        .await;
    }
    cells
}

/// Fails the test unless every cell passed, was not applicable, or failed
/// through a listed peer defect. Writes the cells first.
pub fn record_and_check(peer: &str, role: Role, cells: &[(String, Outcome)]) {
    crate::results::write(peer, role.name(), cells);
    let failed: Vec<String> = cells
        .iter()
        .filter_map(|(s, o)| match o {
            Outcome::Fail(e) => Some(format!("{s}: {e}")),
            _ => None,
        })
        .collect();
    assert!(
        failed.is_empty(),
        "{peer} with sanderling as {}: {} scenario(s) failed:\n  {}",
        role.name(),
        failed.len(),
        failed.join("\n  ")
    );
}

async fn run_one(
    spec: &PeerSpec,
    role: Role,
    scenario: &str,
    link: Link,
) -> (R<Done>, Option<Link>) {
    let mut s = match Session::start(spec, role, link).await {
        Ok(s) => s,
        Err(e) => return (Err(format!("setup: {e}")), None),
    };
    let result =
        match tokio::time::timeout(SCENARIO_LIMIT, scenario_body(&mut s, spec, scenario)).await {
            Ok(r) => r,
            Err(_) => Err(format!("no result within {SCENARIO_LIMIT:?}")),
        };
    let link = s.finish().await;
    (result, link)
}

async fn scenario_body(s: &mut Session, spec: &PeerSpec, scenario: &str) -> R<Done> {
    match scenario {
        "trickle" => trickle(s, spec).await,
        "text_binary" => text_binary(s).await,
        "bulk_4mib" => bulk(s).await,
        "unordered_rexmit0" => {
            let init = DataChannelInit {
                ordered: false,
                max_retransmits: Some(0),
                ..Default::default()
            };
            partial(s, "unreliable", init).await
        }
        "packet_lifetime" => {
            let init = DataChannelInit {
                max_packet_life_time: Some(Duration::from_millis(3000)),
                ..Default::default()
            };
            partial(s, "timed", init).await
        }
        "negotiated_id5" => negotiated(s).await,
        "unicode" => unicode(s).await,
        "message_256k" => large_message(s).await,
        "close_by_us" => close_by_us(s).await,
        "close_by_peer" => close_by_peer(s).await,
        "peer_opens_late" => peer_opens_late(s).await,
        "sctp_features" => sctp_features(s, spec).await,
        other => Err(format!("unknown scenario {other}")),
    }
}

// ------------------------------------------------------------ scenarios

async fn trickle(s: &mut Session, spec: &PeerSpec) -> R<Done> {
    let (ch, _) = s.connect_one("chat", DataChannelInit::default()).await?;
    let ours = s
        .shared
        .sent_sdp
        .lock()
        .unwrap()
        .clone()
        .unwrap_or_default();
    if ours.contains("a=candidate") {
        return Err("our description carried candidates: nothing was trickled".into());
    }
    if s.shared.our_candidates.load(Ordering::SeqCst) == 0 {
        return Err("connected although we trickled no candidate".into());
    }
    let theirs = s.shared.peer_candidates.load(Ordering::SeqCst);
    if spec.trickles && theirs == 0 {
        return Err("the peer trickled no candidate".into());
    }
    ping_pong(s, &ch, "chat").await?;
    Ok(Done::Pass)
}

async fn text_binary(s: &mut Session) -> R<Done> {
    let (ch, _) = s.connect_one("chat", DataChannelInit::default()).await?;
    let text = "hello from sanderling ✓";
    let bin = [0u8, 1, 2, 0x7f, 0x80, 0xfe, 0xff];
    ch.send(text).map_err(|e| e.to_string())?;
    ch.send(Bytes::copy_from_slice(&bin))
        .map_err(|e| e.to_string())?;
    s.expect_peer_text("chat", text).await?;
    s.expect_peer_binary("chat", &bin).await?;
    let ptext = "hello from the peer ✓";
    let pbin = [0xffu8, 0xfe, 0, 1, 0x80];
    s.cmd(json!({"cmd": "send", "label": "chat", "text": ptext}));
    s.cmd(json!({"cmd": "send", "label": "chat", "hex": hex(&pbin)}));
    expect_text(&ch, ptext).await?;
    expect_binary(&ch, &pbin).await
}

async fn bulk(s: &mut Session) -> R<Done> {
    let (ch, _) = s.connect_one("bulk", DataChannelInit::default()).await?;
    // Ours to the peer, paced by the buffered amount.
    let data = random_bytes(BULK, 0x5eed);
    ch.set_buffered_amount_low_threshold(1 << 20);
    for chunk in data.chunks(CHUNK) {
        within("send_wait", ch.send_wait(Bytes::copy_from_slice(chunk)))
            .await?
            .map_err(|e| e.to_string())?;
    }
    let mut got = 0;
    while got < BULK {
        let m = s.wait_ev("a bulk message", |v| is_msg(v, "bulk")).await?;
        got += m["len"].as_u64().unwrap_or(0) as usize;
    }
    s.cmd(json!({"cmd": "digest", "label": "bulk"}));
    let d = s.wait_ev("digest", |v| v["ev"] == "digest").await?;
    check_eq("bytes the peer got", d["bytes"].as_u64(), Some(BULK as u64))?;
    check_eq(
        "SHA-256 of what the peer got",
        d["sha256"].as_str(),
        Some(sha256_hex(&data).as_str()),
    )?;
    // The peer's to us.
    s.cmd(json!({"cmd": "send_random", "label": "bulk", "bytes": BULK, "chunk": CHUNK}));
    let mut ctx = digest::Context::new(&digest::SHA256);
    let mut n = 0;
    while n < BULK {
        match within("a bulk message", ch.recv()).await? {
            Some(Message::Binary(b)) => {
                n += b.len();
                ctx.update(&b);
            }
            other => return Err(format!("expected binary, got {other:?}")),
        }
    }
    let sent = s.wait_ev("sent", |v| v["ev"] == "sent").await?;
    check_eq("bytes from the peer", n as u64, BULK as u64)?;
    check_eq(
        "SHA-256 of the peer's data",
        Some(hex(ctx.finish().as_ref())),
        sent["sha256"].as_str().map(str::to_owned),
    )?;
    Ok(Done::Pass)
}

/// A partially reliable channel: both ends see its parameters, and on a
/// clean loopback every message arrives.
async fn partial(s: &mut Session, label: &str, init: DataChannelInit) -> R<Done> {
    let (ch, peer) = s.connect_one(label, init.clone()).await?;
    check_eq("our ordered", ch.ordered(), init.ordered)?;
    check_eq(
        "our maxRetransmits",
        ch.max_retransmits(),
        init.max_retransmits,
    )?;
    check_eq(
        "our maxPacketLifeTime",
        ch.max_packet_life_time(),
        init.max_packet_life_time,
    )?;
    // A peer reports null where its API does not tell (node-datachannel's
    // remote channels hide all three, webrtc-rs's the two limits: see
    // `reliabilityHidden` in link.rs); the others must agree.
    if let Some(ordered) = peer["ordered"].as_bool() {
        check_eq("the peer's ordered", ordered, init.ordered)?;
    }
    if !peer["reliabilityHidden"].as_bool().unwrap_or(false) {
        check_eq(
            "the peer's maxRetransmits",
            peer["maxRetransmits"].as_u64(),
            init.max_retransmits.map(u64::from),
        )?;
        check_eq(
            "the peer's maxPacketLifeTime",
            peer["maxPacketLifeTime"].as_u64(),
            init.max_packet_life_time.map(|d| d.as_millis() as u64),
        )?;
    }
    const N: usize = 20;
    for i in 0..N {
        ch.send(format!("m{i}")).map_err(|e| e.to_string())?;
    }
    let mut want: HashSet<String> = (0..N).map(|i| format!("m{i}")).collect();
    while !want.is_empty() {
        let m = s.wait_ev("a message", |v| is_msg(v, label)).await?;
        want.remove(m["text"].as_str().unwrap_or_default());
    }
    for i in 0..N {
        s.cmd(json!({"cmd": "send", "label": label, "text": format!("p{i}")}));
    }
    let mut want: HashSet<String> = (0..N).map(|i| format!("p{i}")).collect();
    while !want.is_empty() {
        match within("a message", ch.recv()).await? {
            Some(Message::Text(t)) => {
                want.remove(&t);
            }
            other => return Err(format!("expected text, got {other:?}")),
        }
    }
    Ok(Done::Pass)
}

async fn negotiated(s: &mut Session) -> R<Done> {
    let init = DataChannelInit {
        negotiated: true,
        id: Some(5),
        ..Default::default()
    };
    let (ch, peer) = s.connect_one("negotiated-5", init).await?;
    check_eq("our id", ch.id(), Some(5))?;
    // webrtc-rs's API has no stream id (null); the messages below still
    // only meet if both ends use stream 5.
    if !peer["id"].is_null() {
        check_eq("the peer's id", peer["id"].as_u64(), Some(5))?;
    }
    ping_pong(s, &ch, "negotiated-5").await?;
    Ok(Done::Pass)
}

const UNICODE_LABEL: &str = "données-数据-🦀";
const UNICODE_PROTOCOL: &str = "протокол-✓";

async fn unicode(s: &mut Session) -> R<Done> {
    let init = DataChannelInit {
        protocol: UNICODE_PROTOCOL.into(),
        ..Default::default()
    };
    let (ch, peer) = s.connect_one(UNICODE_LABEL, init).await?;
    check_eq("our label", ch.label(), UNICODE_LABEL)?;
    check_eq("our protocol", ch.protocol(), UNICODE_PROTOCOL)?;
    check_eq(
        "the peer's protocol",
        peer["protocol"].as_str(),
        Some(UNICODE_PROTOCOL),
    )?;
    ping_pong(s, &ch, UNICODE_LABEL).await?;
    Ok(Done::Pass)
}

async fn large_message(s: &mut Session) -> R<Done> {
    const SIZE: usize = 256 << 10;
    let (ch, _) = s.connect_one("large", DataChannelInit::default()).await?;
    let peer_sdp = s
        .shared
        .peer_sdp
        .lock()
        .unwrap()
        .clone()
        .unwrap_or_default();
    // RFC 8841: no attribute means 64 KiB; 0 means no limit.
    let announced = peer_sdp
        .lines()
        .find_map(|l| l.strip_prefix("a=max-message-size:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    let max = announced.unwrap_or(65536);
    if max != 0 && max < SIZE {
        return Ok(Done::NotApplicable(match announced {
            Some(n) => format!("the peer announces a=max-message-size:{n}"),
            None => "the peer announces no a=max-message-size: 64 KiB (RFC 8841)".into(),
        }));
    }
    let data = random_bytes(SIZE, 256);
    ch.send(Bytes::from(data.clone()))
        .map_err(|e| e.to_string())?;
    let m = s
        .wait_ev("the large message", |v| is_msg(v, "large"))
        .await?;
    check_eq(
        "its length at the peer",
        m["len"].as_u64(),
        Some(SIZE as u64),
    )?;
    check_eq(
        "its SHA-256 at the peer",
        m["sha256"].as_str(),
        Some(sha256_hex(&data).as_str()),
    )?;
    s.cmd(json!({"cmd": "send_random", "label": "large", "bytes": SIZE, "chunk": SIZE}));
    let sent = s.wait_ev("sent", |v| v["ev"] == "sent").await?;
    match within("the peer's large message", ch.recv()).await? {
        Some(Message::Binary(b)) => {
            check_eq("its length here", b.len(), SIZE)?;
            check_eq(
                "its SHA-256 here",
                Some(sha256_hex(&b)),
                sent["sha256"].as_str().map(str::to_owned),
            )?;
        }
        other => return Err(format!("expected one binary message, got {other:?}")),
    }
    Ok(Done::Pass)
}

async fn close_by_us(s: &mut Session) -> R<Done> {
    let (ch, _) = s.connect_one("closing", DataChannelInit::default()).await?;
    ping_pong(s, &ch, "closing").await?;
    ch.close();
    s.wait_ev("the peer's close", |v| {
        v["ev"] == "close" && v["label"] == "closing"
    })
    .await?;
    within("our close", ch.closed()).await?;
    check_eq("our state", ch.ready_state(), DataChannelState::Closed)?;
    Ok(Done::Pass)
}

async fn close_by_peer(s: &mut Session) -> R<Done> {
    let (ch, _) = s.connect_one("closing", DataChannelInit::default()).await?;
    ping_pong(s, &ch, "closing").await?;
    let mut events = ch.events();
    s.cmd(json!({"cmd": "close_channel", "label": "closing"}));
    // The channel reports Close (after Closing, which is optional).
    loop {
        match within("our close event", events.recv()).await? {
            Some(DataChannelEvent::Close) | None => break,
            Some(_) => {}
        }
    }
    check_eq("our state", ch.ready_state(), DataChannelState::Closed)?;
    s.wait_ev("the peer's close", |v| {
        v["ev"] == "close" && v["label"] == "closing"
    })
    .await?;
    Ok(Done::Pass)
}

async fn peer_opens_late(s: &mut Session) -> R<Done> {
    let (_chat, _) = s.connect_one("chat", DataChannelInit::default()).await?;
    s.cmd(
        json!({"cmd": "open_channel", "label": "late", "protocol": "late-protocol",
                 "ordered": true}),
    );
    let ch = s.take_remote("late").await?;
    within("the late channel to open", ch.opened())
        .await?
        .map_err(|e| e.to_string())?;
    check_eq("its protocol", ch.protocol(), "late-protocol")?;
    s.wait_ev("the peer's open", |v| {
        v["ev"] == "open" && v["label"] == "late"
    })
    .await?;
    ping_pong(s, &ch, "late").await?;
    Ok(Done::Pass)
}

/// We announce I-DATA and zero checksum, so each must be on exactly when
/// the peer offers it. What the peer offers is known per peer
/// ([`PeerSpec::offers`]); where the peer's description carries its INIT
/// (`a=sctp-init`, Chromium's SNAP), the INIT must agree, and SCTP must
/// have opened from the two INITs.
async fn sctp_features(s: &mut Session, spec: &PeerSpec) -> R<Done> {
    let (ch, _) = s.connect_one("chat", DataChannelInit::default()).await?;
    ping_pong(s, &ch, "chat").await?;
    let f =
        s.pc.sctp_features()
            .ok_or("no SCTP association after a message went through")?;
    eprintln!("[{}] negotiated SCTP features: {f:?}", spec.name);
    check_eq("stream reset", f.stream_reset, true)?;
    check_eq("partial reliability", f.partial_reliability, true)?;
    let (idata, zero) = spec.offers;
    let peer_sdp = s
        .shared
        .peer_sdp
        .lock()
        .unwrap()
        .clone()
        .unwrap_or_default();
    let sctp_init = |sdp: &str| {
        sdp.lines()
            .find_map(|l| l.strip_prefix("a=sctp-init:"))
            .map(|v| v.trim().to_owned())
    };
    let ours = s.pc.local_description().and_then(|d| sctp_init(&d.sdp));
    let mut seen = "";
    let mut note = String::new();
    // libdatachannel copies attributes it does not know from the offer into
    // its answer: our own INIT coming back is not the peer's.
    match sctp_init(&peer_sdp) {
        Some(init) if Some(&init) == ours.as_ref() => {
            note = format!(
                "; it echoed our a=sctp-init ({} characters) back",
                init.len()
            );
        }
        Some(init) => {
            let (i, z) = init_extensions(&init)?;
            check_eq("I-DATA in the peer's INIT (a=sctp-init)", i, idata)?;
            check_eq("zero checksum in the peer's INIT (a=sctp-init)", z, zero)?;
            seen = ", as its INIT in a=sctp-init shows";
        }
        None => {}
    }
    check_eq("I-DATA negotiated", f.message_interleaving, idata)?;
    check_eq("zero checksum negotiated", f.zero_checksum, zero)?;
    // SNAP: a peer whose description carries its INIT gets ours in return
    // (offer or answer), and SCTP opens from the two without a handshake.
    check_eq(
        "SNAP (SCTP opened from the a=sctp-init INITs)",
        f.snap,
        !seen.is_empty(),
    )?;
    let say = |on: bool| {
        if on {
            "offered and negotiated"
        } else {
            "not offered"
        }
    };
    let snap = if f.snap {
        "; SNAP: SCTP opened from the INITs, no handshake"
    } else {
        ""
    };
    Ok(Done::Note(format!(
        "I-DATA {}, zero checksum {}{seen}{snap}{note}",
        say(idata),
        say(zero)
    )))
}

/// (I-DATA, zero checksum with DTLS) as announced by a base64 SCTP INIT
/// chunk (RFC 9260 3.3.2: 20 bytes, then parameters).
fn init_extensions(b64: &str) -> R<(bool, bool)> {
    let init = base64_decode(b64).ok_or("a=sctp-init is not base64")?;
    if init.len() < 20 || init[0] != 1 {
        return Err("a=sctp-init is not an INIT chunk".into());
    }
    // The chunk's own length bounds its parameters.
    let end = usize::from(u16::from_be_bytes([init[2], init[3]])).clamp(20, init.len());
    let init = &init[..end];
    let (mut idata, mut zero) = (false, false);
    let mut at = 20;
    while at + 4 <= init.len() {
        let kind = u16::from_be_bytes([init[at], init[at + 1]]);
        let len = usize::from(u16::from_be_bytes([init[at + 2], init[at + 3]]));
        if len < 4 || at + len > init.len() {
            break;
        }
        let value = &init[at + 4..at + len];
        match kind {
            // Supported Extensions (RFC 5061): chunk types; 0x40 = I-DATA.
            0x8008 => idata = value.contains(&0x40),
            // Zero Checksum Acceptable (RFC 9653); method 1 = DTLS.
            0x8001 => zero = value == [0, 0, 0, 1],
            _ => {}
        }
        at += len.div_ceil(4) * 4;
    }
    Ok((idata, zero))
}

/// Standard base64, with or without padding (as peers write it).
const BASE64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
);

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    base64::Engine::decode(&BASE64, s).ok()
}

/// One text each way.
async fn ping_pong(s: &mut Session, ch: &DataChannel, label: &str) -> R<()> {
    ch.send("ping").map_err(|e| e.to_string())?;
    s.expect_peer_text(label, "ping").await?;
    s.cmd(json!({"cmd": "send", "label": label, "text": "pong"}));
    expect_text(ch, "pong").await?;
    Ok(())
}

// ------------------------------------------------------------ session

/// What the pumps share with the scenario.
#[derive(Debug, Default)]
struct Observed {
    /// The description we sent.
    sent_sdp: Mutex<Option<String>>,
    /// The description the peer sent.
    peer_sdp: Mutex<Option<String>>,
    /// Candidates the peer sent as their own messages.
    peer_candidates: AtomicUsize,
    /// Candidates we sent as their own messages.
    our_candidates: AtomicUsize,
}

/// One connection between us and the peer.
struct Session {
    role: Role,
    pc: PeerConnection,
    tx: UnboundedSender<Value>,
    /// The peer's control reports, signalling taken out.
    events: UnboundedReceiver<Value>,
    stash: Vec<Value>,
    remote: UnboundedReceiver<DataChannel>,
    remote_stash: Vec<DataChannel>,
    shared: Arc<Observed>,
    /// Set once our description went out: candidates wait for it.
    described: watch::Sender<bool>,
    stop_pump: Option<oneshot::Sender<()>>,
    pump: Option<JoinHandle<UnboundedReceiver<Value>>>,
    our_events: JoinHandle<()>,
}

impl Session {
    async fn start(spec: &PeerSpec, role: Role, link: Link) -> R<Self> {
        let pc = PeerConnection::new(spec.config.clone()).map_err(|e| e.to_string())?;
        let Link { tx, rx } = link;
        let shared = Arc::new(Observed::default());
        let (described, described_rx) = watch::channel(false);
        let (ev_tx, events) = unbounded_channel();
        let (remote_tx, remote) = unbounded_channel();
        let (stop_pump, stop_rx) = oneshot::channel();
        let pump = tokio::spawn(pump_link(
            rx,
            stop_rx,
            pc.clone(),
            tx.clone(),
            ev_tx,
            shared.clone(),
            described.clone(),
        ));
        let our_events = tokio::spawn(pump_ours(
            pc.clone(),
            tx.clone(),
            remote_tx,
            described_rx,
            shared.clone(),
        ));
        let mut s = Session {
            role,
            pc,
            tx,
            events,
            stash: Vec::new(),
            remote,
            remote_stash: Vec::new(),
            shared,
            described,
            stop_pump: Some(stop_pump),
            pump: Some(pump),
            our_events,
        };
        s.cmd(json!({"cmd": "pc"}));
        s.wait_ev("ready", |v| v["ev"] == "ready").await?;
        Ok(s)
    }

    /// Ends the connection; gives the link back unless the peer is gone.
    async fn finish(mut self) -> Option<Link> {
        self.pc.close();
        self.our_events.abort();
        if let Some(stop) = self.stop_pump.take() {
            let _ = stop.send(());
        }
        let rx = self.pump.take()?.await.ok()?;
        if self.tx.is_closed() {
            return None;
        }
        Some(Link { tx: self.tx, rx })
    }

    fn cmd(&self, v: Value) {
        let _ = self.tx.send(v);
    }

    /// Opens one channel the way the role says and connects; returns our
    /// end and the peer's `open` report.
    async fn connect_one(&mut self, label: &str, init: DataChannelInit) -> R<(DataChannel, Value)> {
        let order = json!({
            "cmd": "open_channel", "label": label, "ordered": init.ordered,
            "maxRetransmits": init.max_retransmits,
            "maxPacketLifeTime": init.max_packet_life_time.map(|d| d.as_millis() as u64),
            "protocol": init.protocol, "negotiated": init.negotiated, "id": init.id,
        });
        let mut ours = None;
        if init.negotiated {
            ours = Some(
                self.pc
                    .create_data_channel(label, init.clone())
                    .map_err(|e| e.to_string())?,
            );
            self.cmd(order.clone());
        }
        match self.role {
            Role::Offerer => {
                if ours.is_none() {
                    ours = Some(
                        self.pc
                            .create_data_channel(label, init.clone())
                            .map_err(|e| e.to_string())?,
                    );
                }
                let offer = self.pc.create_offer().await.map_err(|e| e.to_string())?;
                self.pc
                    .set_local_description(offer.clone())
                    .await
                    .map_err(|e| e.to_string())?;
                let offer = without_candidates(offer);
                *self.shared.sent_sdp.lock().unwrap() = Some(offer.sdp.clone());
                self.cmd(signal(&SignalingMessage::Description(offer)));
                let _ = self.described.send(true);
            }
            Role::Answerer => {
                if !init.negotiated {
                    self.cmd(order);
                }
                self.cmd(json!({"cmd": "offer"}));
            }
        }
        let ch = match ours {
            Some(ch) => ch,
            None => self.take_remote(label).await?,
        };
        within("our channel to open", ch.opened())
            .await?
            .map_err(|e| format!("our channel failed to open: {e}"))?;
        let peer = self
            .wait_ev("the peer's channel to open", |v| {
                v["ev"] == "open" && v["label"] == label
            })
            .await?;
        Ok((ch, peer))
    }

    /// The channel the peer opened with this label.
    async fn take_remote(&mut self, label: &str) -> R<DataChannel> {
        loop {
            if let Some(i) = self.remote_stash.iter().position(|c| c.label() == label) {
                return Ok(self.remote_stash.remove(i));
            }
            match within(&format!("the peer's channel {label:?}"), self.remote.recv()).await? {
                Some(ch) => self.remote_stash.push(ch),
                None => return Err("our connection's events ended".into()),
            }
        }
    }

    /// The next report of the peer that `pred` accepts (others are kept
    /// for later). A peer `error` report fails at once.
    async fn wait_ev(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> R<Value> {
        if let Some(i) = self.stash.iter().position(&pred) {
            return Ok(self.stash.remove(i));
        }
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let v = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .map_err(|_| format!("timed out waiting for {what}"))?
                .ok_or_else(|| format!("the peer went away while waiting for {what}"))?;
            if v["ev"] == "error" {
                return Err(format!(
                    "peer error while waiting for {what}: {}",
                    v["message"]
                ));
            }
            if pred(&v) {
                return Ok(v);
            }
            self.stash.push(v);
        }
    }

    async fn expect_peer_text(&mut self, label: &str, text: &str) -> R<()> {
        let m = self
            .wait_ev("a message at the peer", |v| is_msg(v, label))
            .await?;
        check_eq("the text at the peer", m["text"].as_str(), Some(text))
    }

    async fn expect_peer_binary(&mut self, label: &str, data: &[u8]) -> R<()> {
        let m = self
            .wait_ev("a message at the peer", |v| is_msg(v, label))
            .await?;
        check_eq(
            "the binary at the peer",
            m["hex"].as_str(),
            Some(hex(data).as_str()),
        )
    }
}

/// Reads the peer's lines: signalling is applied to our connection here
/// (so it happens while the scenario waits on anything), the rest goes
/// to the scenario. Hands the link's receiver back when stopped.
async fn pump_link(
    mut rx: UnboundedReceiver<Value>,
    mut stop: oneshot::Receiver<()>,
    pc: PeerConnection,
    tx: UnboundedSender<Value>,
    events: UnboundedSender<Value>,
    shared: Arc<Observed>,
    described: watch::Sender<bool>,
) -> UnboundedReceiver<Value> {
    loop {
        let v = tokio::select! {
            _ = &mut stop => return rx,
            v = rx.recv() => match v {
                Some(v) => v,
                None => return rx,
            },
        };
        if !is_signalling(&v) {
            let _ = events.send(v);
            continue;
        }
        let r = apply_signal(&v, &pc, &tx, &shared, &described).await;
        if let Err(e) = r {
            let _ = events.send(json!({"ev": "error", "message": format!("sanderling: {e}")}));
        }
    }
}

async fn apply_signal(
    v: &Value,
    pc: &PeerConnection,
    tx: &UnboundedSender<Value>,
    shared: &Observed,
    described: &watch::Sender<bool>,
) -> R<()> {
    let m = SignalingMessage::from_json(&v.to_string()).map_err(|e| e.to_string())?;
    match m {
        SignalingMessage::Description(d) => {
            *shared.peer_sdp.lock().unwrap() = Some(d.sdp.clone());
            let is_offer = d.sdp_type == SdpType::Offer;
            pc.set_remote_description(d)
                .await
                .map_err(|e| format!("setRemoteDescription: {e}"))?;
            if is_offer {
                let answer = pc.create_answer().await.map_err(|e| e.to_string())?;
                pc.set_local_description(answer.clone())
                    .await
                    .map_err(|e| e.to_string())?;
                let answer = without_candidates(answer);
                *shared.sent_sdp.lock().unwrap() = Some(answer.sdp.clone());
                let _ = tx.send(signal(&SignalingMessage::Description(answer)));
                let _ = described.send(true);
            }
        }
        SignalingMessage::Candidate(c) => {
            shared.peer_candidates.fetch_add(1, Ordering::SeqCst);
            pc.add_ice_candidate(Some(c))
                .await
                .map_err(|e| format!("addIceCandidate: {e}"))?;
        }
        SignalingMessage::Bye => {}
    }
    Ok(())
}

/// Our connection's events: candidates go to the peer once our
/// description has gone (trickle), channels the peer opened go to the
/// scenario.
async fn pump_ours(
    pc: PeerConnection,
    tx: UnboundedSender<Value>,
    remote: UnboundedSender<DataChannel>,
    mut described: watch::Receiver<bool>,
    shared: Arc<Observed>,
) {
    let mut events = pc.events();
    drop(pc);
    while let Some(e) = events.recv().await {
        match e {
            PeerConnectionEvent::IceCandidate(Some(c)) => {
                if described.wait_for(|d| *d).await.is_err() {
                    return;
                }
                shared.our_candidates.fetch_add(1, Ordering::SeqCst);
                let _ = tx.send(signal(&SignalingMessage::Candidate(c)));
            }
            // aiortc cannot read an empty candidate (end of candidates).
            PeerConnectionEvent::IceCandidate(None) => {}
            PeerConnectionEvent::DataChannel(ch) => {
                let _ = remote.send(ch);
            }
            _ => {}
        }
    }
}

/// The description as signalled: our candidates go apart (trickle), so
/// the ones gathered before it was made are taken out of it.
fn without_candidates(mut d: SessionDescription) -> SessionDescription {
    d.sdp = d
        .sdp
        .split_inclusive("\r\n")
        .filter(|l| !l.starts_with("a=candidate:") && !l.starts_with("a=end-of-candidates"))
        .collect();
    d
}

fn signal(m: &SignalingMessage) -> Value {
    serde_json::from_str(&m.to_json()).expect("our own JSON")
}

// ------------------------------------------------------------ helpers

fn is_msg(v: &Value, label: &str) -> bool {
    v["ev"] == "message" && v["label"] == label
}

async fn within<T>(what: &str, f: impl Future<Output = T>) -> R<T> {
    tokio::time::timeout(WAIT, f)
        .await
        .map_err(|_| format!("timed out waiting for {what}"))
}

async fn expect_text(ch: &DataChannel, text: &str) -> R<()> {
    match within("a message", ch.recv()).await? {
        Some(Message::Text(t)) if t == text => Ok(()),
        other => Err(format!("expected text {text:?}, got {other:?}")),
    }
}

async fn expect_binary(ch: &DataChannel, data: &[u8]) -> R<Done> {
    match within("a message", ch.recv()).await? {
        Some(Message::Binary(b)) if b[..] == data[..] => Ok(Done::Pass),
        other => Err(format!("expected binary {data:02x?}, got {other:?}")),
    }
}

fn check_eq<T: PartialEq + std::fmt::Debug>(what: &str, got: T, want: T) -> R<()> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: got {got:?}, want {want:?}"))
    }
}

/// Lower-case hex.
pub fn hex(data: &[u8]) -> String {
    use std::fmt::Write as _;
    data.iter()
        .fold(String::with_capacity(data.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// SHA-256 in lower-case hex.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, data).as_ref())
}

/// Deterministic noise (xorshift64*), so a failure replays.
pub fn random_bytes(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(n + 8);
    while out.len() < n {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.extend_from_slice(&x.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
    }
    out.truncate(n);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_an_init_announces() {
        // Chromium 156's a=sctp-init with its I-DATA field trial: Forward-TSN
        // supported, and Supported Extensions RE-CONFIG, FORWARD-TSN,
        // I-DATA, I-FORWARD-TSN; no Zero Checksum Acceptable.
        let chromium = "AQAAIDcrAxAAUAAA/////0Bv3jjAAAAEgAgACILAQMI=";
        assert_eq!(init_extensions(chromium), Ok((true, false)));
        // The same INIT with I-DATA dropped and Zero Checksum Acceptable
        // (method 1, DTLS) added.
        let mut init = base64_decode(chromium).unwrap();
        init.truncate(24);
        init.extend_from_slice(&[0x80, 0x08, 0x00, 0x06, 0x82, 0xc0, 0, 0]);
        init.extend_from_slice(&[0x80, 0x01, 0x00, 0x08, 0, 0, 0, 1]);
        let len = init.len() as u16;
        init[2..4].copy_from_slice(&len.to_be_bytes());
        assert_eq!(init_extensions(&base64(&init)), Ok((false, true)));
        assert!(init_extensions("!!").is_err());
        assert!(init_extensions("AAAA").is_err(), "not an INIT");
    }

    #[test]
    fn descriptions_lose_their_candidates_only() {
        let sdp = "v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n\
                   a=candidate:1 1 udp 1 127.0.0.1 5000 typ host\r\n\
                   a=end-of-candidates\r\na=sctp-port:5000\r\n";
        let d = without_candidates(SessionDescription::new(SdpType::Offer, sdp));
        assert_eq!(
            d.sdp,
            "v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=sctp-port:5000\r\n"
        );
    }

    fn base64(data: &[u8]) -> String {
        base64::Engine::encode(&BASE64, data)
    }
}
