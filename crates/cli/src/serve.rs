//! `sanderling serve`: an HTTP server with one page (`serve/index.html`,
//! built in) whose JavaScript opens a peer connection to this process by
//! POSTing its offer to `/offer` (JSON `{sdp, type}`, answered non-trickle
//! once our candidates are gathered, as aiortc's server example does), with
//! three channels: "echo" (every message back), "chat" (a room of every
//! page connected, also printed here) and "file" (the transfer protocol of
//! `transfer.rs`: the page sends a file, we answer with its SHA-256).

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::{get, post};
use sanderling::{
    Configuration, DataChannel, IceGatheringState, Message, PeerConnection, PeerConnectionEvent,
    PeerConnectionState, SdpType, SessionDescription,
};
use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::fail::Fail;
use crate::progress::{Progress, mib};
use crate::transfer::{self, Announced};

const PAGE: &str = include_str!("serve/index.html");

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// HTTP port (0: any free port).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to listen on (0.0.0.0 for other machines).
    #[arg(long, default_value = "127.0.0.1")]
    host: std::net::IpAddr,
}

#[derive(Clone, Debug)]
struct App {
    /// The chat room: every line said by any page.
    chat: broadcast::Sender<String>,
    next_peer: Arc<AtomicU64>,
}

pub(crate) async fn run(a: Args) -> Result<(), Fail> {
    let addr = SocketAddr::new(a.host, a.port);
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            Fail(format!(
                "cannot listen on {addr}: the port is in use (choose another with --port)"
            ))
        } else {
            Fail(format!("cannot listen on {addr}: {e}"))
        }
    })?;
    let local = listener
        .local_addr()
        .map_err(|e| Fail(format!("cannot listen on {addr}: {e}")))?;
    let app = App {
        chat: broadcast::channel(256).0,
        next_peer: Arc::new(AtomicU64::new(1)),
    };
    let router = axum::Router::new()
        .route("/", get(|| async { Html(PAGE) }))
        .route("/offer", post(offer))
        .with_state(app);
    println!("serving on http://{local}/ (open it in a browser; Ctrl-C to stop)");
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| Fail(format!("the HTTP server stopped: {e}")))
}

fn bad_request(text: String) -> (StatusCode, String) {
    (StatusCode::BAD_REQUEST, text)
}

/// POST /offer: the page's offer in, our complete answer out.
async fn offer(
    State(app): State<App>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, (StatusCode, String)> {
    let sdp = body
        .get("sdp")
        .and_then(Value::as_str)
        .ok_or_else(|| bad_request("no sdp".into()))?;
    if body.get("type").and_then(Value::as_str) != Some("offer") {
        return Err(bad_request("type must be \"offer\"".into()));
    }
    let fail = |e: sanderling::Error| bad_request(e.to_string());
    let pc = PeerConnection::new(Configuration::default()).map_err(fail)?;
    let mut events = pc.events();
    pc.set_remote_description(SessionDescription::new(SdpType::Offer, sdp))
        .await
        .map_err(fail)?;
    let answer = pc.create_answer().await.map_err(fail)?;
    pc.set_local_description(answer).await.map_err(fail)?;
    let gathered = async {
        while pc.ice_gathering_state() != IceGatheringState::Complete {
            if events.recv().await.is_none() {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(std::time::Duration::from_secs(10), gathered).await;
    let answer = pc
        .local_description()
        .ok_or_else(|| bad_request("no answer".into()))?;
    let peer = app.next_peer.fetch_add(1, Ordering::Relaxed);
    println!("peer {peer}: offer answered");
    tokio::spawn(serve_peer(app, peer, pc, events));
    Ok(Json(json!({"sdp": answer.sdp, "type": "answer"})))
}

/// One page's connection: its channels, until it closes or fails.
async fn serve_peer(
    app: App,
    peer: u64,
    pc: PeerConnection,
    mut events: sanderling::PeerConnectionEvents,
) {
    while let Some(e) = events.recv().await {
        match e {
            PeerConnectionEvent::DataChannel(ch) => {
                let app = app.clone();
                tokio::spawn(async move {
                    match ch.label() {
                        "echo" => echo(ch).await,
                        "chat" => chat(app, peer, ch).await,
                        "file" => files(peer, ch).await,
                        _ => ch.close(),
                    }
                });
            }
            PeerConnectionEvent::ConnectionState(s) => {
                println!("peer {peer}: {s:?}");
                if matches!(s, PeerConnectionState::Failed | PeerConnectionState::Closed) {
                    break;
                }
            }
            _ => {}
        }
    }
    pc.close();
}

async fn echo(ch: DataChannel) {
    while let Some(m) = ch.recv().await {
        if ch.send(m).is_err() {
            break;
        }
    }
}

async fn chat(app: App, peer: u64, ch: DataChannel) {
    let mut room = app.chat.subscribe();
    let _ = ch.send(format!("you are peer {peer}"));
    loop {
        tokio::select! {
            m = ch.recv() => match m {
                Some(Message::Text(t)) => {
                    let line = format!("peer {peer}: {t}");
                    println!("chat {line}");
                    let _ = app.chat.send(line);
                }
                Some(Message::Binary(_)) => {}
                None => break,
            },
            line = room.recv() => match line {
                Ok(line) => {
                    if ch.send(line).is_err() {
                        break;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => break,
            },
        }
    }
}

/// Files, one after the other: hashed, counted, not stored.
async fn files(peer: u64, ch: DataChannel) {
    loop {
        let r = transfer::recv_stream(&ch, async |a: &Announced| {
            println!(
                "peer {peer}: receiving {}{}",
                a.name,
                a.size.map(|n| format!(" ({})", mib(n))).unwrap_or_default()
            );
            Ok((tokio::io::sink(), Progress::none()))
        })
        .await;
        match r {
            Ok(o) => println!(
                "peer {peer}: file {} ({} bytes) in {:.2} s, {}, sha-256 {} ({})",
                o.name,
                o.bytes,
                o.elapsed.as_secs_f64(),
                o.rate(),
                o.sha256,
                if o.hashes_equal() {
                    "matches the page's"
                } else {
                    "DIFFERS from the page's"
                }
            ),
            Err(e) => {
                // The channel closed (the page went away) or spoke nonsense.
                if ch.ready_state() == sanderling::DataChannelState::Open {
                    println!("peer {peer}: file channel: {e}");
                    ch.close();
                }
                return;
            }
        }
    }
}
