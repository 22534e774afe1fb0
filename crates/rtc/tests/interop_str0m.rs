//! Whole-peer interop with str0m (a sans-IO WebRTC stack in Rust), in
//! process, on the simulated network and its virtual clock: offer/answer
//! both ways, ICE, DTLS, SCTP and data channels opened by each side.
//!
//! Our [`Peer`] sits on 10.0.0.1:40000 and an `str0m::Rtc` on
//! 10.0.0.2:40000; both are netsim endpoints, so every datagram crosses the
//! simulated link and every timer runs on the virtual clock.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sanderling_datachannel::{ChannelConfig, Message, ReadyState};
use sanderling_dtls::Certificate;
use sanderling_netsim::{Datagram, Endpoint, LinkConfig, NodeId, Sim, Transmit};
use sanderling_rtc::jsep::{SdpType, SessionDescription};
use sanderling_rtc::{ChannelHandle, ConnectionState, Peer, PeerConfig, PeerEvent};
use str0m::change::{SdpAnswer, SdpOffer, SdpPendingOffer};
use str0m::channel::ChannelId;
use str0m::net::{Protocol, Receive};
use str0m::{Candidate, Event, IceConnectionState, Input, Output, Rtc};

const OURS: &str = "10.0.0.1:40000";
const THEIRS: &str = "10.0.0.2:40000";

// ---------------------------------------------------------------- our side

struct Ours {
    peer: Peer,
    events: Vec<PeerEvent>,
}

impl Ours {
    fn drain(&mut self) {
        while let Some(e) = self.peer.poll_event() {
            self.events.push(e);
        }
    }
    fn messages(&self, ch: ChannelHandle) -> Vec<Message> {
        self.events
            .iter()
            .filter_map(|e| match e {
                PeerEvent::ChannelMessage { channel, message } if *channel == ch => {
                    Some(message.clone())
                }
                _ => None,
            })
            .collect()
    }
    /// Channels the peer opened (W3C `datachannel` events), in order.
    fn incoming(&self) -> Vec<ChannelHandle> {
        self.events
            .iter()
            .filter_map(|e| match e {
                PeerEvent::DataChannel(h) => Some(*h),
                _ => None,
            })
            .collect()
    }
    fn saw(&self, e: &PeerEvent) -> bool {
        self.events.contains(e)
    }
}

impl Endpoint for Ours {
    fn handle_datagram(&mut self, now: Instant, d: Datagram) {
        self.peer
            .handle_input(now, d.destination, d.source, d.payload);
        self.drain();
    }
    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit> {
        let t = self.peer.poll_transmit(now);
        self.drain();
        t.map(|t| Transmit {
            destination: t.remote,
            source: Some(t.local),
            payload: t.payload,
        })
    }
    fn poll_timeout(&mut self) -> Option<Instant> {
        self.peer.poll_timeout()
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.peer.handle_timeout(now);
        self.drain();
    }
}

// ------------------------------------------------------------- str0m's side

/// What str0m reported, kept in a form the tests can compare (str0m's
/// `Event` is neither `Clone` nor comparable for every variant).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Seen {
    Connected,
    Ice(IceConnectionState),
    Open(ChannelId, String),
    Data {
        id: ChannelId,
        binary: bool,
        data: Vec<u8>,
    },
    Close(ChannelId),
    Closed,
    Other(String),
}

/// An `str0m::Rtc` as a netsim endpoint. str0m's contract: after every
/// mutation, drain `poll_output` until it returns `Output::Timeout`. The
/// adapter does that after each input and each call the test makes through
/// [`Theirs::mutate`], queueing transmits for the simulator.
struct Theirs {
    rtc: Rtc,
    out: VecDeque<Transmit>,
    seen: Vec<Seen>,
    timeout: Option<Instant>,
    /// The last instant str0m was given.
    now: Instant,
    /// str0m errors from `handle_input`/`poll_output` (none expected).
    errors: Vec<String>,
}

impl Theirs {
    fn new(now: Instant, addr: SocketAddr) -> Self {
        let mut rtc = Rtc::builder().build(now);
        let host = Candidate::host(addr, "udp").expect("host candidate");
        assert!(rtc.add_local_candidate(host).is_some());
        let mut t = Self {
            rtc,
            out: VecDeque::new(),
            seen: Vec::new(),
            timeout: None,
            now,
            errors: Vec::new(),
        };
        t.drain();
        t
    }

    fn drain(&mut self) {
        loop {
            match self.rtc.poll_output() {
                Ok(Output::Timeout(t)) => {
                    self.timeout = Some(t);
                    return;
                }
                Ok(Output::Transmit(t)) => self.out.push_back(Transmit {
                    destination: t.destination,
                    source: Some(t.source),
                    payload: Bytes::copy_from_slice(&t.contents),
                }),
                Ok(Output::Event(e)) => {
                    let s = match e {
                        Event::Connected => Seen::Connected,
                        Event::IceConnectionStateChange(s) => Seen::Ice(s),
                        Event::ChannelOpen(id, label) => Seen::Open(id, label),
                        Event::ChannelData(d) => Seen::Data {
                            id: d.id,
                            binary: d.binary,
                            data: d.data,
                        },
                        Event::ChannelClose(id) => Seen::Close(id),
                        Event::Closed => Seen::Closed,
                        other => Seen::Other(format!("{other:?}")),
                    };
                    self.seen.push(s);
                }
                Err(e) => {
                    self.errors.push(e.to_string());
                    self.timeout = None;
                    return;
                }
            }
        }
    }

    /// Runs a mutation on the `Rtc` and drains its output, as str0m asks.
    fn mutate<R>(&mut self, f: impl FnOnce(&mut Rtc) -> R) -> R {
        let r = f(&mut self.rtc);
        self.drain();
        r
    }

    fn opened(&self) -> Vec<(ChannelId, String)> {
        self.seen
            .iter()
            .filter_map(|s| match s {
                Seen::Open(id, label) => Some((*id, label.clone())),
                _ => None,
            })
            .collect()
    }

    fn channel(&self, label: &str) -> Option<ChannelId> {
        self.opened()
            .into_iter()
            .find(|(_, l)| l == label)
            .map(|(id, _)| id)
    }

    /// Messages received on `id`: (binary, bytes).
    fn data(&self, id: ChannelId) -> Vec<(bool, Vec<u8>)> {
        self.seen
            .iter()
            .filter_map(|s| match s {
                Seen::Data {
                    id: i,
                    binary,
                    data,
                } if *i == id => Some((*binary, data.clone())),
                _ => None,
            })
            .collect()
    }

    fn write(&mut self, id: ChannelId, binary: bool, data: &[u8]) {
        let accepted = self.mutate(|rtc| {
            rtc.channel(id)
                .expect("str0m channel exists")
                .write(binary, data)
                .expect("str0m write")
        });
        assert!(accepted, "str0m refused a {}-byte write", data.len());
    }

    fn connected(&self) -> bool {
        self.seen.contains(&Seen::Connected)
    }
}

impl Endpoint for Theirs {
    fn handle_datagram(&mut self, now: Instant, d: Datagram) {
        self.now = now;
        let Ok(receive) = Receive::new(Protocol::Udp, d.source, d.destination, &d.payload) else {
            self.errors.push("str0m could not classify a datagram".into());
            return;
        };
        if let Err(e) = self.rtc.handle_input(Input::Receive(now, receive)) {
            self.errors.push(e.to_string());
        }
        self.drain();
    }
    fn poll_transmit(&mut self, _now: Instant) -> Option<Transmit> {
        self.out.pop_front()
    }
    fn poll_timeout(&mut self) -> Option<Instant> {
        self.timeout
    }
    fn handle_timeout(&mut self, now: Instant) {
        self.now = now;
        if let Err(e) = self.rtc.handle_input(Input::Timeout(now)) {
            self.errors.push(e.to_string());
        }
        self.drain();
    }
}

// ------------------------------------------------------------------ harness

struct Interop {
    sim: Sim,
    ours: NodeId,
    theirs: NodeId,
}

fn our_config(seed: u8) -> PeerConfig {
    PeerConfig {
        seed: [seed; 32],
        ..PeerConfig::default()
    }
}

impl Interop {
    fn new(seed: u64, link: LinkConfig) -> Self {
        // str0m draws its ICE credentials and tie-breaker from fastrand's
        // thread-local generator: seed it so its side replays too. (Its
        // SCTP tags and DTLS randoms come from generators we cannot seed;
        // they do not change what crosses the simulated link, only bytes.)
        fastrand::seed(seed);
        let mut sim = Sim::new(seed);
        let ours_addr: SocketAddr = OURS.parse().unwrap();
        let theirs_addr: SocketAddr = THEIRS.parse().unwrap();
        let mut peer = Peer::new(our_config(seed as u8), Certificate::generate().unwrap());
        peer.add_local_address("eth0", ours_addr);
        peer.end_of_local_addresses();
        let now = sim.now();
        let ours = sim.add_endpoint(
            ours_addr,
            Ours {
                peer,
                events: vec![],
            },
        );
        let theirs = sim.add_endpoint(theirs_addr, Theirs::new(now, theirs_addr));
        sim.network_mut().set_path(ours, theirs, link);
        Self { sim, ours, theirs }
    }

    fn ours(&mut self) -> &mut Ours {
        self.sim.endpoint_mut::<Ours>(self.ours)
    }

    fn theirs(&mut self) -> &mut Theirs {
        self.sim.endpoint_mut::<Theirs>(self.theirs)
    }

    /// Our offer, str0m's answer. Candidates travel inside the descriptions.
    fn we_offer(&mut self) {
        let now = self.sim.now();
        let offer = self.ours().peer.create_offer().unwrap();
        assert!(offer.sdp.contains("a=candidate"), "{}", offer.sdp);
        self.ours()
            .peer
            .set_local_description(now, offer.clone())
            .unwrap();
        let str0m_offer = SdpOffer::from_sdp_string(&offer.sdp)
            .unwrap_or_else(|e| panic!("str0m cannot parse our offer: {e}\n{}", offer.sdp));
        let answer = self
            .theirs()
            .mutate(|rtc| rtc.sdp_api().accept_offer(str0m_offer))
            .unwrap_or_else(|e| panic!("str0m refused our offer: {e}\n{}", offer.sdp));
        let answer = SessionDescription {
            sdp_type: SdpType::Answer,
            sdp: answer.to_sdp_string(),
        };
        self.ours()
            .peer
            .set_remote_description(now, answer.clone())
            .unwrap_or_else(|e| panic!("we refused str0m's answer: {e}\n{}", answer.sdp));
        self.ours().drain();
    }

    /// str0m's offer (with the channels `labels`), our answer.
    fn they_offer(&mut self, labels: &[&str]) -> Vec<ChannelId> {
        let now = self.sim.now();
        let (ids, offer, pending): (Vec<ChannelId>, SdpOffer, SdpPendingOffer) =
            self.theirs().mutate(|rtc| {
                let mut api = rtc.sdp_api();
                let ids = labels
                    .iter()
                    .map(|l| api.add_channel((*l).to_owned()))
                    .collect();
                let (offer, pending) = api.apply().expect("a channel needs an offer");
                (ids, offer, pending)
            });
        let offer = SessionDescription {
            sdp_type: SdpType::Offer,
            sdp: offer.to_sdp_string(),
        };
        self.ours()
            .peer
            .set_remote_description(now, offer.clone())
            .unwrap_or_else(|e| panic!("we refused str0m's offer: {e}\n{}", offer.sdp));
        let answer = self.ours().peer.create_answer().unwrap();
        assert!(answer.sdp.contains("a=candidate"), "{}", answer.sdp);
        self.ours()
            .peer
            .set_local_description(now, answer.clone())
            .unwrap();
        let str0m_answer = SdpAnswer::from_sdp_string(&answer.sdp)
            .unwrap_or_else(|e| panic!("str0m cannot parse our answer: {e}\n{}", answer.sdp));
        self.theirs()
            .mutate(|rtc| rtc.sdp_api().accept_answer(pending, str0m_answer))
            .unwrap_or_else(|e| panic!("str0m refused our answer: {e}\n{}", answer.sdp));
        self.ours().drain();
        ids
    }

    fn run_until(&mut self, max: Duration, f: impl Fn(&Ours, &Theirs) -> bool) -> bool {
        let (o, t) = (self.ours, self.theirs);
        self.sim
            .run_until(max, |s| f(s.endpoint::<Ours>(o), s.endpoint::<Theirs>(t)))
    }

    /// Runs until `f` holds, failing with both sides' history otherwise.
    fn expect(&mut self, max: Duration, what: &str, f: impl Fn(&Ours, &Theirs) -> bool) {
        let ok = self.run_until(max, f);
        let errors = self.theirs().errors.clone();
        assert!(errors.is_empty(), "str0m errors: {errors:?}");
        if !ok {
            let ours = format!("{:#?}", self.ours().events);
            let theirs = format!("{:#?}", self.theirs().seen);
            panic!(
                "timed out waiting for {what} at {:?}\nours: {ours}\nstr0m: {theirs}",
                self.sim.elapsed()
            );
        }
    }

    fn expect_connected(&mut self) {
        self.expect(Duration::from_secs(30), "both sides connected", |o, t| {
            o.peer.connection_state() == ConnectionState::Connected && t.connected()
        });
    }
}

fn text(s: &str) -> Message {
    Message::Text(s.to_owned())
}

fn binary(b: &[u8]) -> Message {
    Message::Binary(Bytes::copy_from_slice(b))
}

// -------------------------------------------------------------------- tests

#[test]
fn interop_str0m_we_offer() {
    let mut p = Interop::new(1, LinkConfig::with_delay(Duration::from_millis(10)));
    let now = p.sim.now();
    let chat = p
        .ours()
        .peer
        .create_data_channel(now, ChannelConfig::new("chat"))
        .unwrap();
    p.we_offer();
    p.expect_connected();
    p.expect(Duration::from_secs(10), "\"chat\" open on both sides", |o, t| {
        o.saw(&PeerEvent::ChannelOpen(chat)) && t.channel("chat").is_some()
    });
    assert_eq!(p.ours().peer.channel_state(chat), Some(ReadyState::Open));
    let their_chat = p.theirs().channel("chat").unwrap();

    let now = p.sim.now();
    p.ours().peer.send(now, chat, "hello str0m").unwrap();
    p.theirs().write(their_chat, true, &[0, 1, 2, 0xff]);
    p.expect(Duration::from_secs(5), "a message each way on \"chat\"", |o, t| {
        !o.messages(chat).is_empty() && !t.data(their_chat).is_empty()
    });
    assert_eq!(
        p.theirs().data(their_chat),
        vec![(false, b"hello str0m".to_vec())]
    );
    assert_eq!(p.ours().messages(chat), vec![binary(&[0, 1, 2, 0xff])]);

    // str0m opens a channel of its own on the running association.
    let from_str0m = p.theirs().mutate(|rtc| {
        let mut api = rtc.sdp_api();
        let id = api.add_channel("from-str0m".into());
        assert!(api.apply().is_none(), "no renegotiation for a second channel");
        id
    });
    p.expect(Duration::from_secs(5), "our datachannel event", |o, t| {
        !o.incoming().is_empty() && t.opened().iter().any(|(id, _)| *id == from_str0m)
    });
    let incoming = p.ours().incoming();
    assert_eq!(incoming.len(), 1);
    let ours_from = incoming[0];
    assert_eq!(
        p.ours().peer.channel_config(ours_from).unwrap().label,
        "from-str0m"
    );
    assert_eq!(p.theirs().channel("from-str0m"), Some(from_str0m));
    p.theirs().write(from_str0m, false, "hej från str0m".as_bytes());
    let now = p.sim.now();
    p.ours()
        .peer
        .send(now, ours_from, Bytes::from_static(b"\xde\xad\xbe\xef"))
        .unwrap();
    p.expect(
        Duration::from_secs(5),
        "a message each way on \"from-str0m\"",
        |o, t| !o.messages(ours_from).is_empty() && !t.data(from_str0m).is_empty(),
    );
    assert_eq!(p.ours().messages(ours_from), vec![text("hej från str0m")]);
    assert_eq!(
        p.theirs().data(from_str0m),
        vec![(true, b"\xde\xad\xbe\xef".to_vec())]
    );
    // Nothing leaked across channels.
    assert_eq!(p.ours().messages(chat).len(), 1);
    assert_eq!(p.theirs().data(their_chat).len(), 1);
}
