//! A fast retransmission that is lost too goes again as soon as data sent
//! after it arrives without it, not a retransmission timeout later. The
//! associations are driven by hand, at one instant, so that the two
//! transmissions of one chunk can be dropped on purpose and any timer
//! would show.

use std::time::Instant;

use bytes::Bytes;
use sanderling_sctp::association::{Association, SendOptions, State};
use sanderling_sctp::event::Event;
use sanderling_sctp::packet::{ChecksumPolicy, Packet};
use sanderling_sctp::types::{Ppid, StreamId};

mod common;
use common::{options, packets};

const DATA: u8 = 0;
const I_DATA: u8 = 64;

/// The TSNs of the DATA (or I-DATA) chunks in `packet`.
fn data_tsns(packet: &Bytes) -> Vec<u32> {
    let p = Packet::parse(packet.clone(), ChecksumPolicy::Verify).expect("a valid packet");
    p.chunks()
        .filter(|c| c.typ == DATA || c.typ == I_DATA)
        .map(|c| u32::from_be_bytes([c.value[0], c.value[1], c.value[2], c.value[3]]))
        .collect()
}

/// Passes packets both ways at `now`, one at a time (so each out-of-order
/// arrival has its SACK), until neither side has any; packets from `a`
/// that carry `drop_tsn` are lost while `drops` lasts.
fn settle(a: &mut Association, b: &mut Association, now: Instant, drop_tsn: u32, drops: &mut u32) {
    loop {
        let mut moved = false;
        while let Some(p) = a.poll_transmit(now) {
            moved = true;
            if *drops > 0 && data_tsns(&p).contains(&drop_tsn) {
                *drops -= 1;
                continue;
            }
            b.handle_input(now, p);
            for answer in packets(b, now) {
                a.handle_input(now, answer);
            }
        }
        for p in packets(b, now) {
            moved = true;
            a.handle_input(now, p);
        }
        if !moved {
            return;
        }
    }
}

fn received(b: &mut Association) -> Vec<u32> {
    let mut out = Vec::new();
    while let Some(e) = b.poll_event() {
        if let Event::Message(m) = e {
            out.push(u32::from_be_bytes(m.payload[..4].try_into().unwrap()));
        }
    }
    out
}

fn send(a: &mut Association, now: Instant, index: u32) {
    let mut body = vec![0u8; 1000];
    body[..4].copy_from_slice(&index.to_be_bytes());
    a.send(
        now,
        StreamId(1),
        Ppid(53),
        Bytes::from(body),
        SendOptions::default(),
    )
    .unwrap();
}

#[test]
fn a_lost_fast_retransmission_is_sent_again_without_a_timeout() {
    let now = Instant::now();
    let mut a = Association::new(now, options(1)).unwrap();
    let mut b = Association::new(now, options(2)).unwrap();
    a.connect(now);
    let mut none = 0;
    settle(&mut a, &mut b, now, 0, &mut none);
    assert_eq!(a.state(), State::Established);
    assert_eq!(b.state(), State::Established);

    // The first message's chunk is lost, then its fast retransmission.
    for i in 0..8 {
        send(&mut a, now, i);
    }
    let first = packets(&mut a, now);
    // The packet holds the first chunk and perhaps the start of the next.
    let lost = data_tsns(&first[0]);
    let lost_tsn = lost[0];
    for p in first.into_iter().skip(1) {
        b.handle_input(now, p);
        for answer in packets(&mut b, now) {
            a.handle_input(now, answer);
        }
    }
    let mut drops = 1;
    settle(&mut a, &mut b, now, lost_tsn, &mut drops);
    assert_eq!(drops, 0, "the fast retransmission was sent (and dropped)");
    assert_eq!(a.stats().fast_retransmits, 1);
    assert!(
        received(&mut b).is_empty(),
        "ordered: all wait for the first"
    );

    // Data sent after the retransmission arrives without it.
    for i in 8..12 {
        send(&mut a, now, i);
    }
    settle(&mut a, &mut b, now, lost_tsn, &mut drops);
    assert_eq!(received(&mut b), (0..12).collect::<Vec<_>>());
    let stats = a.stats();
    assert_eq!(stats.lost_retransmissions, lost.len() as u64);
    assert_eq!(stats.data_chunks_retransmitted, 2 * lost.len() as u64);
    assert_eq!(stats.t3_expirations, 0);
}
