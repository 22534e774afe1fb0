//! Allocation, authentication, errors and closing.

use std::time::Duration;

use sanderling_stun::attr::{
    AddressFamily, Lifetime, PasswordAlgorithmId, RequestedAddressFamily, RequestedTransport,
    Software,
};
use sanderling_stun::{AttrType, Method};

use super::{Mode, Pair, peer};
use crate::turn::{RelayFamily, SendError, TurnError, TurnEvent, TurnState};

#[test]
fn allocate_401_then_long_term_credentials() {
    let mut p = Pair::with(Mode::Udp, |c| c.software = Some("sanderling".into()));
    assert_eq!(p.client.state(), TurnState::Allocating);
    p.exchange();
    let allocs = p.server.requests(Method::ALLOCATE);
    assert_eq!(allocs.len(), 2, "without, then with credentials");
    // First: no credentials at all.
    let first = allocs[0];
    assert!(!first.has_integrity());
    assert_eq!(first.username(), None);
    assert_eq!(
        first.get::<RequestedTransport>(),
        Some(&RequestedTransport::UDP)
    );
    assert_eq!(first.get::<Lifetime>(), Some(&Lifetime(600)));
    assert_eq!(
        first.get::<Software>().map(Software::as_str),
        Some("sanderling")
    );
    assert!(first.get::<RequestedAddressFamily>().is_none());
    // Second: USERNAME, REALM, NONCE, MESSAGE-INTEGRITY, new transaction.
    let second = allocs[1];
    assert_eq!(second.username(), Some("test"));
    assert_eq!(second.realm(), Some("sanderling"));
    assert_eq!(
        second.nonce().unwrap().as_bytes().as_ref(),
        b"nonce-0".as_slice()
    );
    assert!(second.has(AttrType::MESSAGE_INTEGRITY));
    assert_ne!(first.transaction_id(), second.transaction_id());

    let allocated = p.take(|e| matches!(e, TurnEvent::Allocated { .. }));
    assert_eq!(
        allocated,
        Some(TurnEvent::Allocated {
            relayed: p.server.relayed,
            mapped: Some(p.server.mapped),
            lifetime: Duration::from_secs(600),
        })
    );
    assert_eq!(p.client.state(), TurnState::Allocated);
    assert_eq!(p.client.relayed_address(), Some(p.server.relayed));
    assert_eq!(p.client.mapped_address(), Some(p.server.mapped));
    assert_eq!(p.client.stats().requests_sent, 2);
}

#[test]
fn ipv6_relay_is_requested() {
    let mut p = Pair::with(Mode::Udp, |c| c.relay_family = RelayFamily::V6);
    p.exchange();
    let first = p.server.requests(Method::ALLOCATE)[0];
    assert_eq!(
        first.get::<RequestedAddressFamily>(),
        Some(&RequestedAddressFamily(AddressFamily::IPV6))
    );
}

#[test]
fn stale_nonce_438_is_retried_with_the_new_nonce() {
    let mut p = Pair::new(Mode::Udp);
    p.server.stale_next = 1;
    p.allocate();
    let allocs = p.server.requests(Method::ALLOCATE);
    assert_eq!(allocs.len(), 3, "401, 438, success");
    assert_eq!(
        allocs[2].nonce().unwrap().as_bytes().as_ref(),
        b"nonce-1".as_slice()
    );
    // A stale nonce later (on a permission) is retried too.
    p.server.stale_next = 1;
    p.send(peer(1), b"x");
    assert_eq!(p.server.requests(Method::CREATE_PERMISSION).len(), 2);
    assert!(
        p.take(|e| matches!(e, TurnEvent::PermissionCreated(_)))
            .is_some()
    );
    assert_eq!(p.server.relayed_data().len(), 1);
}

#[test]
fn endless_stale_nonces_fail_clearly() {
    let mut p = Pair::new(Mode::Udp);
    p.server.stale_next = 100;
    p.exchange();
    assert_eq!(
        p.take(|e| matches!(e, TurnEvent::Failed(_))),
        Some(TurnEvent::Failed(TurnError::StaleNonceLoop {
            request: Method::ALLOCATE
        }))
    );
    assert_eq!(p.client.state(), TurnState::Failed);
    assert_eq!(p.client.poll_timeout(), None);
}

#[test]
fn wrong_password_is_a_clear_error() {
    let mut p = Pair::with(Mode::Udp, |c| c.password = "wrong".into());
    p.exchange();
    let Some(TurnEvent::Failed(e)) = p.take(|e| matches!(e, TurnEvent::Failed(_))) else {
        panic!("no failure: {:?}", p.events);
    };
    assert_eq!(
        e,
        TurnError::WrongCredentials {
            request: Method::ALLOCATE,
            code: 401,
            username: "test".into(),
            realm: "sanderling".into(),
        }
    );
    assert!(e.to_string().contains("wrong username or password"), "{e}");
    assert_eq!(e.code(), Some(401));
    // Two requests only: no retry loop with the same bad key.
    assert_eq!(p.server.requests(Method::ALLOCATE).len(), 2);
    assert_eq!(
        p.client
            .send_to(p.now, peer(1), bytes::Bytes::from_static(b"x")),
        Err(SendError::Closed)
    );
}

#[test]
fn error_codes_on_allocate_are_surfaced() {
    for (code, check) in [
        (403u16, "forbidden"),
        (437, "allocation mismatch"),
        (440, "address family"),
        (442, "unsupported transport"),
        (486, "quota"),
        (508, "insufficient capacity"),
        (500, "server error"),
    ] {
        let mut p = Pair::new(Mode::Udp);
        p.server.reject.insert(Method::ALLOCATE, code);
        p.exchange();
        let Some(TurnEvent::Failed(e)) = p.take(|e| matches!(e, TurnEvent::Failed(_))) else {
            panic!("{code}: no failure");
        };
        assert!(
            matches!(&e, TurnError::Rejected { request: Method::ALLOCATE, code: c, .. } if *c == code),
            "{code}: {e:?}"
        );
        assert_eq!(e.code(), Some(code));
        assert!(e.to_string().contains(check), "{code}: {e}");
        assert!(e.to_string().contains(&code.to_string()), "{e}");
    }
}

#[test]
fn wrong_credentials_441_and_try_alternate_300() {
    let mut p = Pair::new(Mode::Udp);
    p.server.reject.insert(Method::ALLOCATE, 441);
    p.exchange();
    assert!(matches!(
        p.take(|e| matches!(e, TurnEvent::Failed(_))),
        Some(TurnEvent::Failed(TurnError::WrongCredentials {
            code: 441,
            ..
        }))
    ));

    let mut p = Pair::new(Mode::Udp);
    p.server.reject.insert(Method::ALLOCATE, 300);
    p.exchange();
    assert_eq!(
        p.take(|e| matches!(e, TurnEvent::Failed(_))),
        Some(TurnEvent::Failed(TurnError::TryAlternate {
            alternate: Some("192.0.2.99:3478".parse().unwrap())
        }))
    );
}

#[test]
fn password_algorithm_sha256_when_the_server_offers_it() {
    let mut p = Pair::new(Mode::Udp);
    p.server.offer_sha256 = true;
    p.server.rotate_nonce(); // a nonce with the feature bit
    p.exchange();
    assert!(
        p.take(|e| matches!(e, TurnEvent::Allocated { .. }))
            .is_some(),
        "{:?}",
        p.events
    );
    assert_eq!(p.server.algorithm, Some(PasswordAlgorithmId::SHA256));
    // Later requests keep using it, across a stale nonce too.
    p.server.stale_next = 1;
    p.send(peer(1), b"x");
    assert!(
        p.take(|e| matches!(e, TurnEvent::PermissionCreated(_)))
            .is_some()
    );
}

#[test]
fn responses_with_bad_or_missing_integrity_are_dropped() {
    let mut p = Pair::new(Mode::Udp);
    p.server.bad_integrity = true;
    p.exchange();
    assert_eq!(p.client.state(), TurnState::Allocating);
    assert_eq!(p.client.stats().responses_dropped, 1);

    let mut p = Pair::new(Mode::Udp);
    p.server.omit_integrity = true;
    p.exchange();
    assert_eq!(p.client.state(), TurnState::Allocating);
    assert_eq!(p.client.stats().responses_dropped, 1);
    // The retransmission gets a proper answer.
    p.server.omit_integrity = false;
    p.run_for(Duration::from_secs(1));
    assert_eq!(p.client.state(), TurnState::Allocated);
}

#[test]
fn challenges_carrying_integrity_are_still_followed() {
    // A 401 or 438 with a MESSAGE-INTEGRITY the client cannot check (it
    // says the key or nonce is wrong) is acted on, not dropped.
    let mut p = Pair::new(Mode::Udp);
    p.server.integrity_on_challenges = true;
    p.server.stale_next = 1;
    p.allocate();
    assert_eq!(p.server.requests(Method::ALLOCATE).len(), 3);
    let mut p = Pair::with(Mode::Udp, |c| c.password = "wrong".into());
    p.server.integrity_on_challenges = true;
    p.exchange();
    assert!(matches!(
        p.take(|e| matches!(e, TurnEvent::Failed(_))),
        Some(TurnEvent::Failed(TurnError::WrongCredentials { .. }))
    ));
}

#[test]
fn absurd_lifetimes_from_the_server_are_capped() {
    let mut p = Pair::new(Mode::Udp);
    p.server.grant_lifetime = Some(u32::MAX);
    p.allocate();
    let day = Duration::from_secs(24 * 3600);
    assert_eq!(p.client.expires_at(), Some(p.start + day));
    p.run_until(day);
    assert_eq!(p.server.requests(Method::REFRESH).len(), 1);
    assert_eq!(p.client.state(), TurnState::Allocated);
    // Zero: expired at once.
    let mut p = Pair::new(Mode::Udp);
    p.server.grant_lifetime = Some(0);
    p.allocate();
    p.run_for(Duration::from_secs(1));
    assert!(matches!(
        p.take(|e| matches!(e, TurnEvent::Failed(_))),
        Some(TurnEvent::Failed(TurnError::Expired))
    ));
}

#[test]
fn close_deletes_the_allocation() {
    for mode in [Mode::Udp, Mode::Tcp, Mode::Tls] {
        let mut p = Pair::new(mode);
        p.allocate();
        p.send(peer(1), b"x");
        p.client.close(p.now);
        assert_eq!(p.client.state(), TurnState::Closing);
        p.exchange();
        let refresh = p.server.requests(Method::REFRESH);
        assert_eq!(refresh.len(), 1);
        assert_eq!(refresh[0].lifetime(), Some(Lifetime(0)));
        assert!(!p.server.allocated);
        assert_eq!(p.take(|e| *e == TurnEvent::Closed), Some(TurnEvent::Closed));
        assert_eq!(p.client.state(), TurnState::Closed);
        assert_eq!(p.client.poll_timeout(), None);
        assert_eq!(
            p.client
                .send_to(p.now, peer(1), bytes::Bytes::from_static(b"x")),
            Err(SendError::Closed)
        );
    }
}

#[test]
fn close_while_allocating_deletes_what_the_server_made() {
    let mut p = Pair::new(Mode::Udp);
    p.hold = true;
    p.exchange(); // Allocate #1 sent, its 401 held
    let unauthorized = p.held.pop_front().unwrap();
    p.deliver(unauthorized);
    p.exchange(); // Allocate #2 sent, its success held
    p.client.close(p.now);
    assert_eq!(p.client.state(), TurnState::Closing);
    p.hold = false;
    p.release(); // the success arrives: the client deletes it at once
    let refresh = p.server.requests(Method::REFRESH);
    assert_eq!(refresh.len(), 1);
    assert_eq!(refresh[0].lifetime(), Some(Lifetime(0)));
    assert!(!p.server.allocated);
    assert!(p.take(|e| *e == TurnEvent::Closed).is_some());
    assert!(
        p.take(|e| matches!(e, TurnEvent::Allocated { .. }))
            .is_none()
    );
}

#[test]
fn close_before_any_answer_is_immediate_after_timeout() {
    let mut p = Pair::new(Mode::Udp);
    p.server.drop_all = true;
    p.exchange();
    p.client.close(p.now);
    // The Allocate is still outstanding: wait for it to fail, then Closed.
    p.run_for(Duration::from_secs(40));
    assert!(p.take(|e| *e == TurnEvent::Closed).is_some());
    assert!(p.take(|e| matches!(e, TurnEvent::Failed(_))).is_none());
}

#[test]
fn stream_closed_by_the_server() {
    let mut p = Pair::new(Mode::Tcp);
    p.allocate();
    p.client.handle_stream_closed(p.now);
    assert_eq!(
        p.client.poll_event(),
        Some(TurnEvent::Failed(TurnError::ConnectionClosed))
    );
    // During a close it just finishes the close.
    let mut p = Pair::new(Mode::Tcp);
    p.allocate();
    p.client.close(p.now);
    p.client.handle_stream_closed(p.now);
    assert_eq!(p.client.poll_event(), Some(TurnEvent::Closed));
}

#[test]
fn config_errors() {
    let (mut c, _) = super::config(Mode::Udp);
    c.username = "u".repeat(600);
    assert!(matches!(
        crate::turn::TurnClient::new(p_now(), c),
        Err(TurnError::Config(_))
    ));
    let (mut c, _) = super::config(Mode::Udp);
    c.max_channels = 5000;
    assert!(crate::turn::TurnClient::new(p_now(), c).is_err());
    let (mut c, _) = super::config(Mode::Udp);
    c.rto = Duration::ZERO;
    assert!(crate::turn::TurnClient::new(p_now(), c).is_err());
    let (mut c, _) = super::config(Mode::Udp);
    c.lifetime = Duration::MAX;
    assert!(crate::turn::TurnClient::new(p_now(), c).is_err());
}

fn p_now() -> std::time::Instant {
    std::time::Instant::now()
}
