//! A scripted TURN server built with the stun crate: enough of RFC 8656 to
//! answer the client, with knobs to misbehave (stale nonces, error codes,
//! dropped requests, bad integrity) and a record of what it received.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, SocketAddr};

use bytes::Bytes;
use sanderling_stun::attr::{
    AlternateServer, ChannelNumber, Data, ErrorCode, Lifetime, MessageIntegrity, Nonce,
    PasswordAlgorithm, PasswordAlgorithmId, PasswordAlgorithms, Realm, RequestedTransport,
    XorMappedAddress, XorPeerAddress, XorRelayedAddress,
};
use sanderling_stun::{
    AttrType, ChannelData, Class, IntegrityKey, Message, MessageBuilder, Method, TransactionId,
};

pub(crate) const USER: &str = "test";
pub(crate) const PASSWORD: &str = "secret";
pub(crate) const REALM: &str = "sanderling";

/// What the server saw from the client, in order.
#[derive(Clone, Debug)]
pub(crate) enum Seen {
    /// A request (parsed).
    Request(Message),
    /// A Send indication: peer and data.
    Send(SocketAddr, Bytes),
    /// ChannelData: channel, data, and the message's length on the wire.
    ChannelData(u16, Bytes, usize),
    /// A Binding indication (keepalive).
    Keepalive,
}

/// The fake server.
#[derive(Debug)]
pub(crate) struct FakeServer {
    pub(crate) realm: String,
    nonce: Bytes,
    nonce_count: u32,
    pub(crate) relayed: SocketAddr,
    pub(crate) mapped: SocketAddr,
    /// The most lifetime granted.
    pub(crate) max_lifetime: u32,
    /// Pad ChannelData (stream transports).
    pub(crate) stream: bool,
    /// Answer the next N authenticated requests with 438 and a new nonce.
    pub(crate) stale_next: usize,
    /// Answer requests of a method with this error code.
    pub(crate) reject: HashMap<Method, u16>,
    /// Drop the next N requests unanswered.
    pub(crate) drop_next: usize,
    /// Drop every request unanswered.
    pub(crate) drop_all: bool,
    /// Leave MESSAGE-INTEGRITY out of success responses.
    pub(crate) omit_integrity: bool,
    /// Corrupt MESSAGE-INTEGRITY of success responses.
    pub(crate) bad_integrity: bool,
    /// Grant this lifetime whatever was asked.
    pub(crate) grant_lifetime: Option<u32>,
    /// Put a MESSAGE-INTEGRITY (made with some other key) on 401 and 438.
    pub(crate) integrity_on_challenges: bool,
    /// Offer PASSWORD-ALGORITHMS (SHA-256 and MD5) in the 401.
    pub(crate) offer_sha256: bool,
    /// The algorithm the client picked (once it did).
    pub(crate) algorithm: Option<PasswordAlgorithmId>,
    pub(crate) seen: Vec<Seen>,
    pub(crate) permissions: HashSet<IpAddr>,
    pub(crate) channels: HashMap<u16, SocketAddr>,
    pub(crate) allocated: bool,
}

impl FakeServer {
    pub(crate) fn new(stream: bool) -> Self {
        Self {
            realm: REALM.into(),
            nonce: Bytes::from_static(b"nonce-0"),
            nonce_count: 0,
            relayed: "198.51.100.1:50000".parse().unwrap(),
            mapped: "203.0.113.5:40000".parse().unwrap(),
            max_lifetime: 3600,
            stream,
            stale_next: 0,
            reject: HashMap::new(),
            drop_next: 0,
            drop_all: false,
            omit_integrity: false,
            bad_integrity: false,
            grant_lifetime: None,
            integrity_on_challenges: false,
            offer_sha256: false,
            algorithm: None,
            seen: Vec::new(),
            permissions: HashSet::new(),
            channels: HashMap::new(),
            allocated: false,
        }
    }

    fn key(&self) -> IntegrityKey {
        let id = self.algorithm.unwrap_or(PasswordAlgorithmId::MD5);
        IntegrityKey::long_term(USER, &self.realm, PASSWORD, id).unwrap()
    }

    pub(crate) fn rotate_nonce(&mut self) {
        self.nonce_count += 1;
        let prefix = if self.offer_sha256 {
            // The nonce cookie and the "password algorithms" feature bit.
            "obMatJos2gAAA"
        } else {
            "nonce-"
        };
        self.nonce = Bytes::from(format!("{prefix}{}", self.nonce_count));
    }

    /// Requests received of `method`.
    pub(crate) fn requests(&self, method: Method) -> Vec<&Message> {
        self.seen
            .iter()
            .filter_map(|s| match s {
                Seen::Request(m) if m.method() == method => Some(m),
                _ => None,
            })
            .collect()
    }

    /// Keepalives received.
    pub(crate) fn keepalives(&self) -> usize {
        self.seen
            .iter()
            .filter(|s| matches!(s, Seen::Keepalive))
            .count()
    }

    /// Data the client sent to peers, in order: (peer, data, by channel).
    pub(crate) fn relayed_data(&self) -> Vec<(SocketAddr, Bytes, bool)> {
        self.seen
            .iter()
            .filter_map(|s| match s {
                Seen::Send(p, d) => Some((*p, d.clone(), false)),
                Seen::ChannelData(c, d, _) => Some((self.channels[c], d.clone(), true)),
                Seen::Request(_) | Seen::Keepalive => None,
            })
            .collect()
    }

    /// One message from the client (a datagram or a frame); returns the
    /// server's answers.
    pub(crate) fn handle(&mut self, bytes: Bytes) -> Vec<Bytes> {
        if ChannelData::is_channel_data(&bytes) {
            let len = bytes.len();
            if let Ok(cd) = ChannelData::parse(bytes) {
                assert!(
                    self.channels.contains_key(&cd.channel),
                    "ChannelData on unbound channel {:#x}",
                    cd.channel
                );
                self.seen.push(Seen::ChannelData(cd.channel, cd.data, len));
            }
            return Vec::new();
        }
        let msg = Message::parse(bytes).expect("client sends valid STUN");
        if msg.class() == Class::Indication && msg.method() == Method::BINDING {
            assert_eq!(msg.verify_fingerprint(), Ok(()));
            self.seen.push(Seen::Keepalive);
            return Vec::new();
        }
        if msg.class() == Class::Indication {
            assert_eq!(msg.method(), Method::SEND);
            let peer = msg.xor_peer_address().expect("Send has XOR-PEER-ADDRESS");
            assert!(
                self.permissions.contains(&peer.ip()),
                "Send indication to {peer} without permission"
            );
            self.seen
                .push(Seen::Send(peer, msg.data().unwrap().clone()));
            return Vec::new();
        }
        assert_eq!(msg.class(), Class::Request);
        assert_eq!(
            msg.verify_fingerprint(),
            Ok(()),
            "requests carry FINGERPRINT"
        );
        self.seen.push(Seen::Request(msg.clone()));
        if self.drop_all {
            return Vec::new();
        }
        if self.drop_next > 0 {
            self.drop_next -= 1;
            return Vec::new();
        }
        vec![self.answer(&msg)]
    }

    fn error(&self, req: &Message, code: u16, with_auth: bool) -> Bytes {
        let mut b =
            MessageBuilder::error_response(req, ErrorCode::with_default_reason(code).unwrap());
        if with_auth {
            b.add(Realm::new(&self.realm).unwrap());
            b.add(Nonce::new(self.nonce.clone()).unwrap());
            if self.offer_sha256 {
                b.add(PasswordAlgorithms(vec![
                    PasswordAlgorithm::SHA256,
                    PasswordAlgorithm::MD5,
                ]));
            }
            if self.integrity_on_challenges {
                return b
                    .message_integrity(&IntegrityKey::short_term("unrelated"))
                    .build()
                    .unwrap();
            }
        }
        b.build().unwrap()
    }

    fn answer(&mut self, req: &Message) -> Bytes {
        // Long-term credentials (RFC 8489 §9.2.4).
        if !req.has_integrity() {
            return self.error(req, 401, true);
        }
        if self.offer_sha256 {
            let chosen = req.get::<PasswordAlgorithm>().map(|a| a.algorithm);
            assert!(
                req.get::<PasswordAlgorithms>().is_some(),
                "PASSWORD-ALGORITHMS echoed"
            );
            self.algorithm = chosen;
            assert!(req.has(AttrType::MESSAGE_INTEGRITY_SHA256));
        }
        if req.username() != Some(USER)
            || req.realm() != Some(self.realm.as_str())
            || req.verify_integrity(&self.key()).is_err()
        {
            return self.error(req, 401, true);
        }
        if req.nonce().map(|n| n.as_bytes()) != Some(&self.nonce) || self.stale_next > 0 {
            if self.stale_next > 0 {
                self.stale_next -= 1;
                self.rotate_nonce();
            }
            return self.error(req, 438, true);
        }
        if let Some(&code) = self.reject.get(&req.method()) {
            let mut b =
                MessageBuilder::error_response(req, ErrorCode::with_default_reason(code).unwrap());
            if code == 300 {
                b.add(AlternateServer("192.0.2.99:3478".parse().unwrap()));
            }
            return b.message_integrity(&self.key()).build().unwrap();
        }
        let mut b = MessageBuilder::success_response(req);
        match req.method() {
            Method::ALLOCATE => {
                assert_eq!(
                    req.get::<RequestedTransport>(),
                    Some(&RequestedTransport::UDP)
                );
                self.allocated = true;
                let lifetime = req.lifetime().map_or(600, |l| l.0).min(self.max_lifetime);
                let lifetime = self.grant_lifetime.unwrap_or(lifetime);
                b.add(XorRelayedAddress(self.relayed));
                b.add(XorMappedAddress(self.mapped));
                b.add(Lifetime(lifetime));
            }
            Method::REFRESH => {
                let asked = req.lifetime().map_or(600, |l| l.0);
                let lifetime = match self.grant_lifetime {
                    Some(l) if asked > 0 => l,
                    _ => asked.min(self.max_lifetime),
                };
                if lifetime == 0 {
                    self.allocated = false;
                }
                b.add(Lifetime(lifetime));
            }
            Method::CREATE_PERMISSION => {
                for p in req.get_all::<XorPeerAddress>() {
                    self.permissions.insert(p.0.ip());
                }
            }
            Method::CHANNEL_BIND => {
                let n = req.get::<ChannelNumber>().expect("CHANNEL-NUMBER").0;
                let peer = req.xor_peer_address().expect("XOR-PEER-ADDRESS");
                assert!(ChannelData::is_valid_channel(n));
                self.channels.insert(n, peer);
                self.permissions.insert(peer.ip());
            }
            m => panic!("unexpected request {m:?}"),
        }
        if self.omit_integrity {
            return b.build().unwrap();
        }
        if self.bad_integrity {
            return b.attr(MessageIntegrity([0; 20])).build().unwrap();
        }
        if self.algorithm == Some(PasswordAlgorithmId::SHA256) {
            b.message_integrity_sha256(&self.key()).build().unwrap()
        } else {
            b.message_integrity(&self.key()).build().unwrap()
        }
    }

    /// A Data indication from `peer`.
    pub(crate) fn data_indication(&self, peer: SocketAddr, data: &[u8]) -> Bytes {
        MessageBuilder::indication(Method::DATA, TransactionId([3; 12]))
            .attr(XorPeerAddress(peer))
            .attr(Data(Bytes::copy_from_slice(data)))
            .build()
            .unwrap()
    }

    /// ChannelData on `channel`.
    pub(crate) fn channel_data(&self, channel: u16, data: &[u8]) -> Bytes {
        ChannelData {
            channel,
            data: Bytes::copy_from_slice(data),
        }
        .to_bytes(self.stream)
    }
}
