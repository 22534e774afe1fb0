//! How one agent answers checks (RFC 8445 §7.3, RFC 8489 §6.3): built by
//! hand, fed straight in, answers read back.

mod common;

use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use common::{addr, config};
use sanderling_ice::{IceAgent, IceConfig};
use sanderling_stun::attr::{
    ErrorCode, IceControlled, IceControlling, Priority, UseCandidate, Username,
};
use sanderling_stun::{Class, IntegrityKey, Message, MessageBuilder, Method, TransactionId};

const LOCAL: &str = "10.0.0.1:5000";
const PEER: &str = "10.0.0.2:6000";
const PEER_UFRAG: &str = "peer";
const PEER_PWD: &str = "peerpasswordpeerpassword";

fn agent(cfg: IceConfig) -> IceAgent {
    let mut a = IceAgent::new(cfg);
    a.add_local_address("eth0", addr(LOCAL)).unwrap();
    a.end_of_local_addresses();
    a
}

struct Check {
    username: Option<String>,
    key: Option<String>,
    controlling: Option<u64>,
    controlled: Option<u64>,
    priority: Option<u32>,
    use_candidate: bool,
    unknown: bool,
}

impl Check {
    fn valid(agent: &IceAgent) -> Self {
        Self {
            username: Some(format!("{}:{PEER_UFRAG}", agent.local_credentials().ufrag)),
            key: Some(agent.local_credentials().pwd.clone()),
            controlling: None,
            controlled: Some(1),
            priority: Some(1_845_501_695),
            use_candidate: false,
            unknown: false,
        }
    }

    fn build(&self, tid: u8) -> Bytes {
        let mut b = MessageBuilder::request(Method::BINDING, TransactionId([tid; 12]));
        if let Some(u) = &self.username {
            b = b.attr(Username::new(u).unwrap());
        }
        if let Some(p) = self.priority {
            b = b.attr(Priority(p));
        }
        if let Some(t) = self.controlling {
            b = b.attr(IceControlling(t));
        }
        if let Some(t) = self.controlled {
            b = b.attr(IceControlled(t));
        }
        if self.use_candidate {
            b = b.attr(UseCandidate);
        }
        if self.unknown {
            b = b.attr(sanderling_stun::Attribute::Unknown {
                typ: sanderling_stun::AttrType(0x7777),
                value: Bytes::from_static(b"x"),
            });
        }
        if let Some(k) = &self.key {
            b = b.message_integrity(&IntegrityKey::short_term(k));
        }
        b.fingerprint().build().unwrap()
    }
}

/// Feeds `req` and returns the answer sent to the peer.
fn answer(agent: &mut IceAgent, now: Instant, req: &Bytes) -> Message {
    agent.handle_input(now, addr(LOCAL), addr(PEER), req);
    loop {
        let t = agent.poll_transmit(now).expect("an answer");
        if t.remote == addr(PEER) {
            let m = Message::parse(t.payload).unwrap();
            if m.class() != Class::Request {
                assert_eq!(t.local, addr(LOCAL));
                return m;
            }
        }
    }
}

fn code(m: &Message) -> Option<u16> {
    m.error_code().map(ErrorCode::code)
}

#[test]
fn success_carries_the_source_and_our_integrity() {
    let now = Instant::now();
    let mut a = agent(config(1, false));
    let req = Check::valid(&a).build(1);
    let m = answer(&mut a, now, &req);
    assert_eq!(m.class(), Class::Success);
    assert_eq!(m.transaction_id(), TransactionId([1; 12]));
    assert_eq!(m.xor_mapped_address(), Some(addr(PEER)));
    let key = IntegrityKey::short_term(&a.local_credentials().pwd);
    assert_eq!(m.verify_integrity(&key), Ok(()));
    assert_eq!(m.verify_fingerprint(), Ok(()));
    // The source became a peer-reflexive remote candidate with the
    // PRIORITY the check carried.
    let r = a.remote_candidates();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].priority, 1_845_501_695);
    assert_eq!(r[0].address.socket_addr(), Some(addr(PEER)));
}

#[test]
fn errors_as_the_rfcs_say() {
    let now = Instant::now();
    let mut a = agent(config(2, false));
    let base = Check::valid(&a);
    let cases: Vec<(Check, u16)> = vec![
        (
            Check {
                username: None,
                ..Check::valid(&a)
            },
            400,
        ),
        (
            Check {
                key: None,
                ..Check::valid(&a)
            },
            400,
        ),
        (
            Check {
                username: Some(format!("nope:{PEER_UFRAG}")),
                ..Check::valid(&a)
            },
            401,
        ),
        (
            Check {
                key: Some("wrongwrongwrongwrongwrong".into()),
                ..Check::valid(&a)
            },
            401,
        ),
        (
            Check {
                priority: None,
                ..Check::valid(&a)
            },
            400,
        ),
        (
            Check {
                controlled: None,
                ..Check::valid(&a)
            },
            400,
        ),
        (
            Check {
                unknown: true,
                ..Check::valid(&a)
            },
            420,
        ),
    ];
    for (i, (check, expected)) in cases.into_iter().enumerate() {
        let m = answer(&mut a, now, &check.build(i as u8 + 10));
        assert_eq!(m.class(), Class::Error, "case {i}");
        assert_eq!(code(&m), Some(expected), "case {i}");
    }
    assert!(
        a.remote_candidates().is_empty(),
        "nothing learned from refused checks"
    );
    let _ = base;
    let s = a.stats();
    assert_eq!(s.unauthenticated, 2);
    assert_eq!(s.bad_requests, 5);
}

#[test]
fn role_conflict_487_or_switch_by_tie_breaker() {
    let now = Instant::now();
    // We are controlling; the peer claims controlling too.
    let mut a = agent(config(3, true));
    let tb = a.tie_breaker();
    let lower = Check {
        controlling: Some(tb - 1),
        controlled: None,
        ..Check::valid(&a)
    };
    let m = answer(&mut a, now, &lower.build(1));
    assert_eq!(code(&m), Some(487));
    let key = IntegrityKey::short_term(&a.local_credentials().pwd);
    assert_eq!(m.verify_integrity(&key), Ok(()), "487 is authenticated");
    assert!(a.is_controlling());
    let higher = Check {
        controlling: Some(tb + 1),
        controlled: None,
        ..Check::valid(&a)
    };
    let m = answer(&mut a, now, &higher.build(2));
    assert_eq!(m.class(), Class::Success);
    assert!(!a.is_controlling(), "switched to controlled");
    // Now controlled; a controlled peer with a smaller tie-breaker: we
    // switch back to controlling; with a larger one we answer 487.
    let tb = a.tie_breaker();
    let bigger = Check {
        controlled: Some(tb + 1),
        ..Check::valid(&a)
    };
    assert_eq!(code(&answer(&mut a, now, &bigger.build(3))), Some(487));
    let smaller = Check {
        controlled: Some(tb - 1),
        ..Check::valid(&a)
    };
    assert_eq!(
        answer(&mut a, now, &smaller.build(4)).class(),
        Class::Success
    );
    assert!(a.is_controlling());
    assert_eq!(a.stats().role_switches, 2);
}

#[test]
fn checks_before_the_remote_credentials_are_answered_and_queued() {
    let now = Instant::now();
    let mut a = agent(config(4, false));
    let req = Check {
        use_candidate: true,
        controlling: Some(5),
        controlled: None,
        ..Check::valid(&a)
    };
    assert_eq!(answer(&mut a, now, &req.build(1)).class(), Class::Success);
    // No credentials yet: the triggered check waits.
    assert!(a.poll_transmit(now).is_none());
    a.set_remote_credentials(PEER_UFRAG, PEER_PWD).unwrap();
    let t = a.poll_transmit(now).expect("the triggered check goes out");
    let m = Message::parse(t.payload).unwrap();
    assert_eq!(m.class(), Class::Request);
    assert_eq!(t.remote, addr(PEER));
    assert_eq!(
        m.username(),
        Some(format!("{PEER_UFRAG}:{}", a.local_credentials().ufrag).as_str())
    );
    assert_eq!(
        m.verify_integrity(&IntegrityKey::short_term(PEER_PWD)),
        Ok(())
    );
    assert!(m.ice_controlled().is_some());
    assert!(!m.use_candidate());
    // Its success nominates the pair (USE-CANDIDATE came first).
    let resp = MessageBuilder::success_response(&m)
        .attr(sanderling_stun::attr::XorMappedAddress(addr(LOCAL)))
        .message_integrity(&IntegrityKey::short_term(PEER_PWD))
        .fingerprint()
        .build()
        .unwrap();
    a.handle_input(now, addr(LOCAL), addr(PEER), &resp);
    assert_eq!(a.selected_pair(), Some((addr(LOCAL), addr(PEER))));
    assert!(a.pairs()[0].nominated);
}

#[test]
fn responses_must_be_authentic_and_symmetric() {
    let now = Instant::now();
    let mut a = agent(config(5, true));
    a.set_remote_credentials(PEER_UFRAG, PEER_PWD).unwrap();
    a.add_remote_candidate(
        format!(
            "candidate:1 1 udp 2130706431 {} {} typ host",
            "10.0.0.2", 6000
        )
        .parse()
        .unwrap(),
    )
    .unwrap();
    let t = a.poll_transmit(now).unwrap();
    let req = Message::parse(t.payload).unwrap();
    // A forged response (wrong key) is dropped; the check is still running.
    let forged = MessageBuilder::success_response(&req)
        .attr(sanderling_stun::attr::XorMappedAddress(addr(LOCAL)))
        .message_integrity(&IntegrityKey::short_term("forgedforgedforgedforged"))
        .fingerprint()
        .build()
        .unwrap();
    a.handle_input(now, addr(LOCAL), addr(PEER), &forged);
    assert_eq!(a.selected_pair(), None);
    assert_eq!(a.stats().unauthenticated, 1);
    // An authentic response from another address: not symmetric, failed.
    let good = MessageBuilder::success_response(&req)
        .attr(sanderling_stun::attr::XorMappedAddress(addr(LOCAL)))
        .message_integrity(&IntegrityKey::short_term(PEER_PWD))
        .fingerprint()
        .build()
        .unwrap();
    let elsewhere: SocketAddr = addr("10.0.0.3:6000");
    a.handle_input(now, addr(LOCAL), elsewhere, &good);
    assert_eq!(a.pairs()[0].state, sanderling_ice::PairState::Failed);
    assert_eq!(a.selected_pair(), None);
}

#[test]
fn config_filters_local_addresses() {
    let mut a = IceAgent::new(IceConfig {
        port_range: Some(6000..=6100),
        ipv6: false,
        interface_exclude: vec![sanderling_ice::InterfaceMatch::Name("docker0".into())],
        ..config(6, true)
    });
    assert!(
        a.add_local_address("eth0", addr("10.0.0.1:6000"))
            .unwrap()
            .is_some()
    );
    assert!(
        a.add_local_address("eth0", addr("10.0.0.1:5000"))
            .unwrap()
            .is_none()
    );
    assert!(
        a.add_local_address("eth0", addr("[2001:db8::1]:6001"))
            .unwrap()
            .is_none()
    );
    assert!(
        a.add_local_address("docker0", addr("172.17.0.1:6002"))
            .unwrap()
            .is_none()
    );
    assert!(
        a.add_local_address("lo", addr("127.0.0.1:6003"))
            .unwrap()
            .is_none()
    );
    let mut b = IceAgent::new(IceConfig {
        include_loopback: true,
        ..config(7, true)
    });
    let c = b
        .add_local_address("lo", addr("127.0.0.1:6003"))
        .unwrap()
        .unwrap();
    let d = b
        .add_local_address("lo", addr("[::1]:6003"))
        .unwrap()
        .unwrap();
    assert!(d.priority > c.priority, "IPv6 first");
    assert_eq!(a.local_candidates().len(), 1);
}

#[test]
fn misuse_is_refused() {
    let mut a = agent(config(8, true));
    assert!(a.set_remote_credentials("ab", PEER_PWD).is_err());
    assert!(a.set_remote_credentials(PEER_UFRAG, "short").is_err());
    assert!(a.remote_credentials().is_none());
    a.close();
    assert_eq!(
        a.connection_state(),
        sanderling_ice::ConnectionState::Closed
    );
    assert_eq!(
        a.add_remote_candidate("candidate:1 1 udp 1 10.0.0.2 1 typ host".parse().unwrap()),
        Err(sanderling_ice::IceError::Closed)
    );
    assert_eq!(a.poll_timeout(), None);
}
