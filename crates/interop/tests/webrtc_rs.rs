//! webrtc-rs (the `webrtc` crate 0.21) in process on 127.0.0.1, both
//! roles. It speaks the suite's line protocol over an in-process link, so
//! the scenarios are the same as for the external peers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_lc_rs::digest;
use bytes::BytesMut;
use sanderling_interop::link::{Link, is_signalling};
use sanderling_interop::suite::{self, PeerSpec, Role, hex, random_bytes, sha256_hex};
use serde_json::{Value, json};
use tokio::sync::mpsc::UnboundedSender;
use webrtc::data_channel::{DataChannel, DataChannelEvent, RTCDataChannelInit};
use webrtc::peer_connection::{
    PeerConnection, PeerConnectionBuilder, PeerConnectionEventHandler, RTCConfigurationBuilder,
    RTCIceCandidateInit, RTCPeerConnectionIceEvent, RTCPeerConnectionState, RTCSessionDescription,
};

type Out = UnboundedSender<Value>;

/// Per label: the channel and the running SHA-256 of its binary data.
type Channels = Arc<Mutex<HashMap<String, Chan>>>;

struct Chan {
    dc: Arc<dyn DataChannel>,
    digest: digest::Context,
    bytes: u64,
}

struct Handler {
    out: Out,
    channels: Channels,
}

#[async_trait::async_trait]
impl PeerConnectionEventHandler for Handler {
    async fn on_ice_candidate(&self, event: RTCPeerConnectionIceEvent) {
        if let Ok(init) = event.candidate.to_json() {
            let _ = self.out.send(json!({
                "type": "candidate", "candidate": init.candidate,
                "id": init.sdp_mid.unwrap_or_else(|| "0".into()),
                "label": init.sdp_mline_index.unwrap_or(0),
            }));
        }
    }

    async fn on_connection_state_change(&self, state: RTCPeerConnectionState) {
        let _ = self
            .out
            .send(json!({"ev": "state", "state": state.to_string()}));
    }

    async fn on_data_channel(&self, dc: Arc<dyn DataChannel>) {
        adopt(dc, self.out.clone(), self.channels.clone(), true).await;
    }
}

/// Keeps the channel and reports its events until it closes.
async fn adopt(dc: Arc<dyn DataChannel>, out: Out, channels: Channels, remote: bool) {
    let label = dc.label().await.unwrap_or_default();
    channels.lock().unwrap().insert(
        label.clone(),
        Chan {
            dc: dc.clone(),
            digest: digest::Context::new(&digest::SHA256),
            bytes: 0,
        },
    );
    // A channel the peer opened is open when it is announced.
    if remote {
        report_open(&*dc, &out, true).await;
    }
    tokio::spawn(async move {
        while let Some(event) = dc.poll().await {
            match event {
                DataChannelEvent::OnOpen if !remote => report_open(&*dc, &out, false).await,
                DataChannelEvent::OnMessage(m) if m.is_string => {
                    let text = String::from_utf8_lossy(&m.data).into_owned();
                    let _ = out.send(json!({"ev": "message", "label": label, "text": text}));
                }
                DataChannelEvent::OnMessage(m) => {
                    if let Some(c) = channels.lock().unwrap().get_mut(&label) {
                        c.digest.update(&m.data);
                        c.bytes += m.data.len() as u64;
                    }
                    let mut report = json!({"ev": "message", "label": label,
                        "len": m.data.len(), "sha256": sha256_hex(&m.data)});
                    if m.data.len() <= 1024 {
                        report["hex"] = json!(hex(&m.data));
                    }
                    let _ = out.send(report);
                }
                DataChannelEvent::OnClose => {
                    let _ = out.send(json!({"ev": "close", "label": label}));
                    break;
                }
                _ => {}
            }
        }
    });
}

/// webrtc-rs 0.21 leaves a remote channel's maxRetransmits and
/// maxPacketLifeTime unset (it keeps only `ordered` from the DCEP OPEN),
/// and its `id()` is a handle, not the SCTP stream id, which its async API
/// does not give: those are reported as unknown.
async fn report_open(dc: &dyn DataChannel, out: &Out, remote: bool) {
    let _ = out.send(json!({
        "ev": "open", "label": dc.label().await.unwrap_or_default(), "id": null,
        "reliabilityHidden": remote,
        "protocol": dc.protocol().await.unwrap_or_default(),
        "ordered": dc.ordered().await.ok(),
        "maxRetransmits": dc.max_retransmits().await.ok().flatten(),
        "maxPacketLifeTime": dc.max_packet_life_time().await.ok().flatten(),
        "negotiated": dc.negotiated().await.ok(),
    }));
}

/// The peer: one connection at a time, commands in order.
async fn serve(mut link: Link) {
    let out = link.tx.clone();
    let mut pc: Option<Box<dyn PeerConnection>> = None;
    let mut channels: Channels = Arc::default();
    let mut seed = 1u64;
    while let Some(m) = link.rx.recv().await {
        let r = handle(&m, &mut pc, &mut channels, &out, &mut seed).await;
        match r {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let _ = out.send(json!({"ev": "error", "message": e}));
            }
        }
    }
    if let Some(pc) = pc {
        let _ = pc.close().await;
    }
}

fn chan(channels: &Channels, label: &str) -> Result<Arc<dyn DataChannel>, String> {
    channels
        .lock()
        .unwrap()
        .get(label)
        .map(|c| c.dc.clone())
        .ok_or_else(|| format!("no channel {label:?}"))
}

async fn handle(
    m: &Value,
    pc: &mut Option<Box<dyn PeerConnection>>,
    channels: &mut Channels,
    out: &Out,
    seed: &mut u64,
) -> Result<bool, String> {
    let e = |e: webrtc::error::Error| e.to_string();
    if is_signalling(m) {
        let pc = pc.as_ref().ok_or("no connection")?;
        let sdp = m["sdp"].as_str().unwrap_or_default().to_owned();
        match m["type"].as_str() {
            Some("offer") => {
                pc.set_remote_description(RTCSessionDescription::offer(sdp).map_err(e)?)
                    .await
                    .map_err(e)?;
                let answer = pc.create_answer(None).await.map_err(e)?;
                pc.set_local_description(answer.clone()).await.map_err(e)?;
                let _ = out.send(json!({"type": "answer", "sdp": answer.sdp}));
            }
            Some("answer") => {
                pc.set_remote_description(RTCSessionDescription::answer(sdp).map_err(e)?)
                    .await
                    .map_err(e)?;
            }
            Some("candidate") => {
                let init = RTCIceCandidateInit {
                    candidate: m["candidate"].as_str().unwrap_or_default().to_owned(),
                    sdp_mid: m["id"].as_str().map(str::to_owned),
                    sdp_mline_index: m["label"].as_u64().map(|n| n as u16),
                    ..Default::default()
                };
                pc.add_ice_candidate(init).await.map_err(e)?;
            }
            _ => {}
        }
        return Ok(true);
    }
    match m["cmd"].as_str().unwrap_or_default() {
        "pc" => {
            if let Some(old) = pc.take() {
                let _ = old.close().await;
            }
            *channels = Arc::default();
            let runtime = webrtc::runtime::default_runtime().ok_or("no tokio runtime")?;
            let built = PeerConnectionBuilder::new()
                .with_configuration(RTCConfigurationBuilder::new().build())
                .with_handler(Arc::new(Handler {
                    out: out.clone(),
                    channels: channels.clone(),
                }))
                .with_runtime(runtime)
                .with_udp_addrs(vec!["127.0.0.1:0".to_string()])
                .build()
                .await
                .map_err(e)?;
            *pc = Some(Box::new(built));
            let _ = out.send(json!({"ev": "ready"}));
        }
        "open_channel" => {
            let pc = pc.as_ref().ok_or("no connection")?;
            let init = RTCDataChannelInit {
                ordered: m["ordered"].as_bool().unwrap_or(true),
                max_packet_life_time: m["maxPacketLifeTime"].as_u64().map(|n| n as u16),
                max_retransmits: m["maxRetransmits"].as_u64().map(|n| n as u16),
                protocol: m["protocol"].as_str().unwrap_or_default().to_owned(),
                negotiated: if m["negotiated"].as_bool().unwrap_or(false) {
                    m["id"].as_u64().map(|n| n as u16)
                } else {
                    None
                },
            };
            let label = m["label"].as_str().unwrap_or_default();
            let dc = pc.create_data_channel(label, Some(init)).await.map_err(e)?;
            adopt(dc, out.clone(), channels.clone(), false).await;
        }
        "offer" => {
            let pc = pc.as_ref().ok_or("no connection")?;
            let offer = pc.create_offer(None).await.map_err(e)?;
            pc.set_local_description(offer.clone()).await.map_err(e)?;
            let _ = out.send(json!({"type": "offer", "sdp": offer.sdp}));
        }
        "send" => {
            let dc = chan(channels, m["label"].as_str().unwrap_or_default())?;
            if let Some(text) = m["text"].as_str() {
                dc.send_text(text).await.map_err(e)?;
            } else {
                let bytes = unhex(m["hex"].as_str().unwrap_or_default());
                dc.send(BytesMut::from(&bytes[..])).await.map_err(e)?;
            }
        }
        "send_random" => {
            let label = m["label"].as_str().unwrap_or_default();
            let dc = chan(channels, label)?;
            let total = m["bytes"].as_u64().unwrap_or(0) as usize;
            let chunk = m["chunk"].as_u64().unwrap_or(16384).max(1) as usize;
            *seed += 1;
            let data = random_bytes(total, *seed);
            for part in data.chunks(chunk) {
                dc.send(BytesMut::from(part)).await.map_err(e)?;
            }
            let _ = out.send(json!({"ev": "sent", "label": label, "bytes": total,
                                     "sha256": sha256_hex(&data)}));
        }
        "digest" => {
            let label = m["label"].as_str().unwrap_or_default();
            let (bytes, sha) = {
                let map = channels.lock().unwrap();
                let c = map.get(label).ok_or("no such channel")?;
                (c.bytes, hex(c.digest.clone().finish().as_ref()))
            };
            let _ =
                out.send(json!({"ev": "digest", "label": label, "bytes": bytes, "sha256": sha}));
        }
        "close_channel" => {
            let dc = chan(channels, m["label"].as_str().unwrap_or_default())?;
            dc.close().await.map_err(e)?;
        }
        "close" => {
            if let Some(pc) = pc.as_ref() {
                pc.close().await.map_err(e)?;
            }
        }
        "quit" => return Ok(false),
        other => return Err(format!("unknown command {other}")),
    }
    Ok(true)
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .filter_map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok())
        .collect()
}

fn spec() -> PeerSpec {
    PeerSpec {
        name: "webrtc-rs",
        config: PeerSpec::loopback_config(),
        spawn: Box::new(|| {
            let (suite_end, peer_end) = Link::pair();
            tokio::spawn(serve(peer_end));
            suite_end
        }),
        trickles: true,
        offers: (false, false),
        defects: |_, _| None,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn webrtc_rs_with_sanderling_offering() {
    let cells = suite::run(&spec(), Role::Offerer).await;
    suite::record_and_check("webrtc-rs", Role::Offerer, &cells);
}

#[tokio::test(flavor = "multi_thread")]
async fn webrtc_rs_with_sanderling_answering() {
    let cells = suite::run(&spec(), Role::Answerer).await;
    suite::record_and_check("webrtc-rs", Role::Answerer, &cells);
}
