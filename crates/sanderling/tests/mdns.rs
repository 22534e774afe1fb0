//! mDNS candidates (`<uuid>.local`, as browsers hide their addresses):
//! the driver looks the name up (RFC 6762 one-shot query) at the
//! configured destination, here a responder thread on 127.0.0.1 that
//! answers one name with 127.0.0.1 and never answers others.
//!
//! The answering side sees none of the other side's candidates, so only
//! its checks to the resolved address can connect the two: without the
//! lookup these tests fail.

use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sanderling::{
    Configuration, DataChannelInit, IceConnectionState, IceGatheringState, Message, PeerConnection,
    PeerConnectionEvent, SessionDescription,
};

#[path = "../examples/common/mod.rs"]
mod common;

use common::{loopback, within};

const NAME: &str = "3c0bb1d9-67ad-4b8e-9f6c-2a1d5e0c7b41.local";
const UNANSWERED: &str = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0.local";

/// A responder on 127.0.0.1: answers queries for [`NAME`] with an A record
/// of 127.0.0.1 (to the query's source, as for the QU bit), counts every
/// query by name, stops on drop.
struct Responder {
    addr: SocketAddr,
    queries: Arc<Mutex<HashMap<String, usize>>>,
    stop: Arc<AtomicBool>,
}

impl Responder {
    fn start() -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let addr = socket.local_addr().unwrap();
        let queries = Arc::new(Mutex::new(HashMap::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (q, s) = (queries.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 1500];
            while !s.load(Ordering::Relaxed) {
                let Ok((n, from)) = socket.recv_from(&mut buf) else {
                    continue;
                };
                let Some(name) = question(&buf[..n]) else {
                    continue;
                };
                *q.lock().unwrap().entry(name.clone()).or_insert(0) += 1;
                if name.eq_ignore_ascii_case(NAME) {
                    let _ = socket.send_to(&answer(&name), from);
                }
            }
        });
        Self {
            addr,
            queries,
            stop,
        }
    }

    fn queries(&self, name: &str) -> usize {
        self.queries.lock().unwrap().get(name).copied().unwrap_or(0)
    }
}

impl Drop for Responder {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The first question's name of a DNS message.
fn question(msg: &[u8]) -> Option<String> {
    let mut pos = 12;
    let mut labels = Vec::new();
    loop {
        let len = usize::from(*msg.get(pos)?);
        if len == 0 {
            break;
        }
        labels.push(String::from_utf8_lossy(msg.get(pos + 1..pos + 1 + len)?).into_owned());
        pos += 1 + len;
    }
    Some(labels.join("."))
}

/// A response with one A record: `name` is 127.0.0.1 (cache-flush class).
fn answer(name: &str) -> Vec<u8> {
    let mut m = vec![0, 0, 0x84, 0, 0, 0, 0, 1, 0, 0, 0, 0];
    for label in name.split('.') {
        m.push(label.len() as u8);
        m.extend_from_slice(label.as_bytes());
    }
    m.push(0);
    m.extend_from_slice(&[0, 1, 0x80, 1, 0, 0, 0, 120, 0, 4, 127, 0, 0, 1]);
    m
}

/// Waits for an event matching `want` on `pc`.
async fn until(pc: &PeerConnection, what: &str, want: impl Fn(&PeerConnectionEvent) -> bool) {
    let mut events = pc.events();
    within(what, async {
        loop {
            match events.recv().await {
                Some(e) if want(&e) => return,
                Some(_) => {}
                None => panic!("events ended before {what}"),
            }
        }
    })
    .await
}

/// `a`'s offer once its gathering is complete, with its candidates'
/// addresses replaced by `names` (one candidate line per name, from the
/// first host candidate) and end-of-candidates.
async fn offer_with_names(a: &PeerConnection, names: &[&str]) -> SessionDescription {
    let offer = a.create_offer().await.unwrap();
    a.set_local_description(offer).await.unwrap();
    gathering_complete(a).await;
    let mut d = a.local_description().unwrap();
    let lines: Vec<&str> = d.sdp.split("\r\n").collect();
    let host = lines
        .iter()
        .find(|l| l.starts_with("a=candidate:") && l.contains("typ host"))
        .expect("a host candidate")
        .to_string();
    let address = host.split(' ').nth(4).unwrap().to_owned();
    let mut out = Vec::new();
    for line in lines {
        if line.starts_with("a=candidate:") {
            continue;
        }
        if line.starts_with("a=end-of-candidates") {
            for (i, name) in names.iter().enumerate() {
                // A foundation per name, so the candidates are distinct.
                let c = host.replacen(&address, name, 1).replacen(
                    "a=candidate:",
                    &format!("a=candidate:9{i}"),
                    1,
                );
                out.push(c);
            }
        }
        out.push(line.to_owned());
    }
    d.sdp = out.join("\r\n");
    assert!(d.sdp.contains("a=end-of-candidates"), "{}", d.sdp);
    d
}

/// Returns once `pc`'s gathering is complete.
async fn gathering_complete(pc: &PeerConnection) {
    // Subscribed before the state is read, so the change cannot slip by.
    let mut events = pc.events();
    within("gathering", async {
        while pc.ice_gathering_state() != IceGatheringState::Complete {
            if events.recv().await.is_none() {
                panic!("events ended before gathering completed");
            }
        }
    })
    .await
}

/// `b`'s answer once its gathering is complete, without its candidates
/// but with end-of-candidates: `a` learns `b` only from `b`'s checks. When
/// those arrive after the answer, `a`'s check list is empty and complete
/// meanwhile, and `a` must not give up (RFC 8863's PAC timer).
async fn answer_without_candidates(b: &PeerConnection) -> SessionDescription {
    let answer = b.create_answer().await.unwrap();
    b.set_local_description(answer).await.unwrap();
    gathering_complete(b).await;
    let mut d = b.local_description().unwrap();
    d.sdp = d
        .sdp
        .split("\r\n")
        .filter(|l| !l.starts_with("a=candidate:"))
        .collect::<Vec<_>>()
        .join("\r\n");
    assert!(d.sdp.contains("a=end-of-candidates"), "{}", d.sdp);
    d
}

fn with_responder(responder: &Responder, timeout: Duration) -> Configuration {
    Configuration {
        mdns_destinations: vec![responder.addr],
        mdns_timeout: timeout,
        ..loopback()
    }
}

/// The offer's only candidate is an mDNS name: the answerer resolves it
/// through the responder and the channel opens.
#[tokio::test(flavor = "multi_thread")]
async fn a_local_name_is_resolved_and_the_peers_connect() {
    let responder = Responder::start();
    let a = PeerConnection::new(loopback()).unwrap();
    let b = PeerConnection::new(with_responder(&responder, Duration::from_secs(20))).unwrap();
    let chat = a
        .create_data_channel("mdns", DataChannelInit::default())
        .unwrap();
    let mut b_events = b.events();
    let offer = offer_with_names(&a, &[NAME]).await;
    assert!(!offer.sdp.contains(" 127.0.0.1 "), "{}", offer.sdp);
    b.set_remote_description(offer).await.unwrap();
    let answer = answer_without_candidates(&b).await;
    a.set_remote_description(answer).await.unwrap();
    let remote = within("the channel at b", async {
        loop {
            match b_events.recv().await {
                Some(PeerConnectionEvent::DataChannel(ch)) => return ch,
                Some(_) => {}
                None => panic!("b closed"),
            }
        }
    })
    .await;
    within("open", chat.opened()).await.unwrap();
    chat.send("found you").unwrap();
    assert_eq!(
        within("message", remote.recv()).await,
        Some(Message::Text("found you".into()))
    );
    assert!(responder.queries(NAME) >= 1);
}

/// An unanswered name next to a resolvable one: the lookup is asked again
/// and given up, and the other candidate connects meanwhile.
#[tokio::test(flavor = "multi_thread")]
async fn an_unanswered_name_does_not_hold_up_the_other_candidates() {
    let responder = Responder::start();
    let a = PeerConnection::new(loopback()).unwrap();
    let b = PeerConnection::new(with_responder(&responder, Duration::from_millis(1500))).unwrap();
    let chat = a
        .create_data_channel("mdns", DataChannelInit::default())
        .unwrap();
    let offer = offer_with_names(&a, &[UNANSWERED, NAME]).await;
    b.set_remote_description(offer).await.unwrap();
    let answer = answer_without_candidates(&b).await;
    a.set_remote_description(answer).await.unwrap();
    within("open", chat.opened()).await.unwrap();
    // Asked again after a second (the retry), then given up.
    within("the retried query", async {
        while responder.queries(UNANSWERED) < 2 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
}

/// The offer's only candidate is a name nobody answers: the lookup ends
/// with no address after `mdns_timeout` and ICE fails (the agent's own
/// expiry of pending names is a minute later, past this test's limit).
#[tokio::test(flavor = "multi_thread")]
async fn an_unanswered_name_is_given_up_and_ice_fails() {
    let responder = Responder::start();
    let a = PeerConnection::new(loopback()).unwrap();
    let b = PeerConnection::new(Configuration {
        ice_pac_timeout: Duration::from_secs(1),
        ..with_responder(&responder, Duration::from_millis(300))
    })
    .unwrap();
    let _chat = a
        .create_data_channel("mdns", DataChannelInit::default())
        .unwrap();
    let failed = {
        let b = b.clone();
        tokio::spawn(async move {
            until(&b, "ICE to fail", |e| {
                matches!(
                    e,
                    PeerConnectionEvent::IceConnectionState(IceConnectionState::Failed)
                )
            })
            .await
        })
    };
    let offer = offer_with_names(&a, &[UNANSWERED]).await;
    b.set_remote_description(offer).await.unwrap();
    let _answer = answer_without_candidates(&b).await;
    failed.await.unwrap();
    assert!(responder.queries(UNANSWERED) >= 1);
}
