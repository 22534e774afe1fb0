//! aiortc's `datachannel-cli`, with sanderling: ping/pong over the channel
//! "chat", signalled in aiortc's format, so either side can be aiortc's
//! `examples/datachannel-cli/cli.py`.
//!
//! The offerer sends `ping <µs>` every second (or `--interval-ms`); the
//! answerer replies `pong <same>`; the offerer prints the round trip.
//!
//! ```text
//! cargo run -p sanderling --example datachannel_cli -- offer  [--signaling tcp-socket|unix-socket|copy-and-paste]
//! cargo run -p sanderling --example datachannel_cli -- answer [--signaling-host 127.0.0.1] [--signaling-port 1234]
//!     [--signaling-path aiortc.socket] [--pings N] [--interval-ms MS] [--loopback]
//! ```

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sanderling::signaling::{CopyAndPasteSignaling, SignalingMessage, TcpSignaling, UnixSignaling};
use sanderling::{
    Configuration, DataChannelInit, Error, Message, PeerConnection, PeerConnectionEvent,
};

/// Which side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Offer,
    Answer,
}

/// One of aiortc's three signalling carriers.
#[derive(Debug)]
pub(crate) enum Signaling {
    Tcp(TcpSignaling),
    Unix(UnixSignaling),
    Paste(CopyAndPasteSignaling),
}

impl Signaling {
    async fn send(&mut self, m: &SignalingMessage) -> Result<(), Error> {
        match self {
            Self::Tcp(s) => s.send(m).await,
            Self::Unix(s) => s.send(m).await,
            Self::Paste(s) => s.send(m).await,
        }
    }

    async fn recv(&mut self) -> Result<Option<SignalingMessage>, Error> {
        match self {
            Self::Tcp(s) => s.recv().await,
            Self::Unix(s) => s.recv().await,
            Self::Paste(s) => s.recv().await,
        }
    }

    async fn close(&mut self) {
        match self {
            Self::Tcp(s) => s.close().await,
            Self::Unix(s) => s.close().await,
            Self::Paste(s) => {
                let _ = s.send(&SignalingMessage::Bye).await;
            }
        }
    }
}

/// What one side saw.
#[derive(Debug, Default)]
pub(crate) struct Report {
    /// Offerer: the round trips measured.
    pub(crate) rtts: Vec<Duration>,
    /// Answerer: pongs sent.
    pub(crate) pongs: usize,
    /// The label of the channel (answerer: as announced).
    pub(crate) label: Option<String>,
}

/// Runs one side until `pings` round trips (offerer) or until the other side
/// says bye (answerer).
pub(crate) async fn run(
    role: Role,
    mut sig: Signaling,
    config: Configuration,
    pings: usize,
    interval: Duration,
    verbose: bool,
) -> Result<Report, Error> {
    let pc = PeerConnection::new(config)?;
    let mut events = pc.events();
    let mut report = Report::default();
    let start = Instant::now();
    let stamp = move || start.elapsed().as_micros();
    let chat = match role {
        Role::Offer => {
            let chat = pc.create_data_channel("chat", DataChannelInit::default())?;
            report.label = Some(chat.label().to_owned());
            let offer = pc.create_offer().await?;
            pc.set_local_description(offer.clone()).await?;
            sig.send(&SignalingMessage::Description(offer)).await?;
            Some(chat)
        }
        Role::Answer => None,
    };
    let pongs = Arc::new(AtomicUsize::new(0));
    let mut ticker = tokio::time::interval(interval);
    loop {
        tokio::select! {
            m = sig.recv() => match m? {
                Some(SignalingMessage::Description(d)) => {
                    let is_offer = d.sdp_type == sanderling::SdpType::Offer;
                    pc.set_remote_description(d).await?;
                    if is_offer {
                        let answer = pc.create_answer().await?;
                        pc.set_local_description(answer.clone()).await?;
                        sig.send(&SignalingMessage::Description(answer)).await?;
                    }
                }
                Some(SignalingMessage::Candidate(c)) => pc.add_ice_candidate(Some(c)).await?,
                Some(SignalingMessage::Bye) | None => {
                    if verbose {
                        println!("exiting: the other side said bye");
                    }
                    break;
                }
            },
            Some(e) = events.recv() => match e {
                // Late candidates trickle (aiortc reads these; it cannot
                // read an end-of-candidates, so that is not sent).
                PeerConnectionEvent::IceCandidate(Some(c)) => {
                    sig.send(&SignalingMessage::Candidate(c)).await?;
                }
                PeerConnectionEvent::DataChannel(ch) => {
                    if verbose {
                        println!("channel({}) - created by remote party", ch.label());
                    }
                    report.label = Some(ch.label().to_owned());
                    let pongs = pongs.clone();
                    tokio::spawn(async move {
                        while let Some(m) = ch.recv().await {
                            if let Message::Text(t) = m
                                && let Some(rest) = t.strip_prefix("ping")
                                && ch.send(format!("pong{rest}")).is_ok()
                            {
                                pongs.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                    });
                }
                PeerConnectionEvent::ConnectionState(s) if verbose => {
                    println!("connection state: {s:?}");
                }
                _ => {}
            },
            _ = ticker.tick(), if chat.is_some() => {
                if let Some(chat) = chat
                    .as_ref()
                    .filter(|c| c.ready_state() == sanderling::DataChannelState::Open)
                {
                    let message = format!("ping {}", stamp());
                    if verbose {
                        println!("channel(chat) > {message}");
                    }
                    chat.send(message)?;
                }
            },
            Some(m) = async { match &chat { Some(c) => c.recv().await, None => std::future::pending().await } } => {
                if let Message::Text(t) = m
                    && let Some(rest) = t.strip_prefix("pong")
                    && let Ok(sent) = rest.trim().parse::<u128>()
                {
                    let rtt = Duration::from_micros(u64::try_from(stamp() - sent).unwrap_or(u64::MAX));
                    println!("channel(chat) < {t}; RTT {:.2} ms", rtt.as_secs_f64() * 1000.0);
                    report.rtts.push(rtt);
                    if report.rtts.len() >= pings {
                        sig.close().await;
                        break;
                    }
                }
            },
        }
    }
    report.pongs = pongs.load(Ordering::Relaxed);
    pc.close();
    Ok(report)
}

#[allow(dead_code)]
#[tokio::main]
async fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let mut role = None;
    let mut carrier = "tcp-socket".to_owned();
    let mut host = "127.0.0.1".to_owned();
    let mut port = "1234".to_owned();
    let mut path = "aiortc.socket".to_owned();
    let mut pings = usize::MAX;
    let mut interval = Duration::from_secs(1);
    let mut config = Configuration::default();
    let mut verbose = false;
    let usage = "usage: datachannel_cli offer|answer [--signaling tcp-socket|unix-socket|copy-and-paste] \
                 [--signaling-host H] [--signaling-port P] [--signaling-path F] [--pings N] \
                 [--interval-ms MS] [--loopback] [-v]";
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{usage}"));
        match a.as_str() {
            "offer" => role = Some(Role::Offer),
            "answer" => role = Some(Role::Answer),
            "--signaling" | "-s" => carrier = value(),
            "--signaling-host" => host = value(),
            "--signaling-port" => port = value(),
            "--signaling-path" => path = value(),
            "--pings" => pings = value().parse().expect("--pings N"),
            "--interval-ms" => {
                interval = Duration::from_millis(value().parse().expect("--interval-ms MS"))
            }
            "--loopback" => {
                config.include_loopback = true;
                config.interfaces = vec!["127.0.0.1".into()];
            }
            "-v" | "--verbose" => verbose = true,
            _ => panic!("{usage}"),
        }
    }
    let role = role.unwrap_or_else(|| panic!("{usage}"));
    let sig = match carrier.as_str() {
        "tcp-socket" => {
            let addr: SocketAddr = format!("{host}:{port}").parse().expect("host:port");
            Signaling::Tcp(TcpSignaling::new(addr))
        }
        "unix-socket" => Signaling::Unix(UnixSignaling::new(path)),
        "copy-and-paste" => Signaling::Paste(CopyAndPasteSignaling::new()),
        _ => panic!("{usage}"),
    };
    let report = run(role, sig, config, pings, interval, verbose).await?;
    match role {
        Role::Offer => println!("{} round trips", report.rtts.len()),
        Role::Answer => println!("{} pongs sent", report.pongs),
    }
    Ok(())
}
