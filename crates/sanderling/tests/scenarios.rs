//! The examples, run as tests over real UDP on 127.0.0.1: each example's
//! `run()` does its scenario and reports what both sides saw; the tests
//! assert it. Every wait inside has a 30 s limit that fails loudly.
//!
//! Each example has `mod common;`, so the shared helpers load once per
//! example here: that is the point (each example stands alone).
#![allow(clippy::duplicate_mod)]

use std::time::Duration;

use sanderling::{DataChannelEvent, DataChannelState, Message};

#[allow(dead_code)]
#[path = "../examples/basic.rs"]
mod basic;
#[allow(dead_code)]
#[path = "../examples/binary_transfer.rs"]
mod binary_transfer;
#[allow(dead_code)]
#[path = "../examples/errors_and_close.rs"]
mod errors_and_close;
#[allow(dead_code)]
#[path = "../examples/flow_control.rs"]
mod flow_control;
#[allow(dead_code)]
#[path = "../examples/message_rate.rs"]
mod message_rate;
#[allow(dead_code)]
#[path = "../examples/multiple_channels.rs"]
mod multiple_channels;
#[allow(dead_code)]
#[path = "../examples/options.rs"]
mod options;

#[tokio::test(flavor = "multi_thread")]
async fn basic_chat_channel_opens_on_both_sides_and_carries_text_each_way() {
    let r = basic::run().await;
    assert_eq!(r.remote_label, "chat");
    assert_eq!(r.states, (DataChannelState::Open, DataChannelState::Open));
    assert!(r.ids.0.is_some());
    assert_eq!(
        r.ids.0, r.ids.1,
        "both sides name the channel by one stream id"
    );
    assert_eq!(r.at_answerer, Message::Text("hello from a".into()));
    assert_eq!(r.at_offerer, Message::Text("hello from b".into()));
}

#[tokio::test(flavor = "multi_thread")]
async fn options_read_back_the_same_on_both_sides() {
    let r = options::run().await;
    let (game, remote_game) = &r.game;
    assert_eq!(game, remote_game);
    assert_eq!(game.label, "game");
    assert!(!game.ordered);
    assert_eq!(game.max_packet_life_time, Some(Duration::from_millis(100)));
    assert_eq!(game.max_retransmits, None);
    assert_eq!(game.protocol, "game-protocol");
    assert!(!game.negotiated);
    assert!(game.id.is_some());
    let (reliable, remote_reliable) = &r.reliable;
    assert_eq!(reliable, remote_reliable);
    assert!(reliable.ordered);
    assert_eq!(reliable.max_retransmits, Some(5));
    assert_eq!(reliable.max_packet_life_time, None);
    assert_eq!(reliable.protocol, "");
    assert_ne!(game.id, reliable.id);
    assert_eq!(
        r.delivered,
        (
            Message::Text("position 1,2".into()),
            Message::Text("score 10".into())
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn binary_transfer_of_5_mib_arrives_with_the_same_sha256() {
    let r = binary_transfer::run().await;
    assert_eq!(r.sent_bytes, binary_transfer::TOTAL);
    assert_eq!(r.received_bytes, binary_transfer::TOTAL);
    assert_eq!(r.received_messages, 80);
    assert_eq!(r.sent_sha256.len(), 32);
    assert_eq!(r.sent_sha256, r.received_sha256);
}

#[tokio::test(flavor = "multi_thread")]
async fn flow_control_paces_64_mib_on_the_low_threshold() {
    use flow_control::{CHUNK, THRESHOLD, TOTAL};
    let r = flow_control::run().await;
    assert!(
        r.buffered_after_burst > THRESHOLD,
        "bufferedAmount rises after sends: {}",
        r.buffered_after_burst
    );
    assert!(r.buffered_at_low_event <= THRESHOLD);
    assert!(r.low_events >= 2, "the event fires as the buffer drains");
    assert!(
        r.max_buffered_paced <= THRESHOLD + CHUNK + 1024,
        "send_wait keeps the buffer near the threshold: {}",
        r.max_buffered_paced
    );
    assert_eq!(r.received_bytes, r.sent_bytes);
    assert!(r.sent_bytes >= TOTAL);
    if let Some(growth) = r.peak_memory_growth {
        assert!(
            growth < TOTAL / 2,
            "memory stays bounded: peak grew {growth} B moving {TOTAL} B"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn multiple_channels_are_seen_with_their_labels_and_ids_and_echo() {
    let r = multiple_channels::run().await;
    assert_eq!(
        r.keys().map(String::as_str).collect::<Vec<_>>(),
        ["bulk", "control", "video-meta"]
    );
    let mut ids = Vec::new();
    for (label, seen) in &r {
        assert_eq!(&seen.local.0, label);
        assert_eq!(seen.local, seen.remote, "label and id agree on {label}");
        assert!(seen.local.1.is_some());
        ids.push(seen.local.1);
        assert_eq!(seen.ordered.0, seen.ordered.1);
        assert_eq!(seen.max_retransmits.0, seen.max_retransmits.1);
        let mut echoed = seen.echoed.clone();
        if label == "video-meta" {
            // Unordered: every message, in any order.
            echoed.sort();
            let mut sent = seen.sent.clone();
            sent.sort();
            assert_eq!(echoed, sent);
        } else {
            assert_eq!(echoed, seen.sent, "{label} echoes in order");
        }
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3, "three distinct ids");
    assert_eq!(r["video-meta"].ordered, (false, false));
    assert_eq!(r["bulk"].max_retransmits, (Some(3), Some(3)));
    assert_eq!(r["control"].ordered, (true, true));
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_and_close_states_and_events_on_both_sides() {
    use DataChannelState::{Closed, Closing, Connecting, Open};
    let r = errors_and_close::run().await;
    let no_low = |events: &[DataChannelEvent]| -> Vec<DataChannelEvent> {
        events
            .iter()
            .filter(|e| **e != DataChannelEvent::BufferedAmountLow)
            .cloned()
            .collect()
    };
    let (offerer, answerer) = &r.doomed;
    assert_eq!(offerer.states, [Connecting, Open, Closing, Closed]);
    assert_eq!(
        no_low(&offerer.events),
        [DataChannelEvent::Open, DataChannelEvent::Close]
    );
    // W3C: the answerer's copy is announced open; the peer's close shows
    // as closing, then close.
    assert_eq!(answerer.states, [Open, Closing, Closed]);
    assert_eq!(
        no_low(&answerer.events),
        [
            DataChannelEvent::Open,
            DataChannelEvent::Closing,
            DataChannelEvent::Close
        ]
    );
    assert_eq!(
        offerer.send_before_open.as_deref(),
        Some("InvalidStateError")
    );
    assert_eq!(
        offerer.send_after_close.as_deref(),
        Some("InvalidStateError")
    );
    assert_eq!(
        answerer.send_after_close.as_deref(),
        Some("InvalidStateError")
    );
    // The negotiated channel exists on both sides from the start: the
    // whole sequence on both.
    let (offerer, answerer) = &r.agreed;
    assert_eq!(offerer.states, [Connecting, Open, Closing, Closed]);
    assert_eq!(answerer.states, [Connecting, Open, Closing, Closed]);
    assert_eq!(
        no_low(&offerer.events),
        [
            DataChannelEvent::Open,
            DataChannelEvent::Closing,
            DataChannelEvent::Close
        ]
    );
    assert_eq!(
        no_low(&answerer.events),
        [DataChannelEvent::Open, DataChannelEvent::Close]
    );
    assert_eq!(
        offerer.send_after_close.as_deref(),
        Some("InvalidStateError")
    );
    assert_eq!(
        answerer.send_after_close.as_deref(),
        Some("InvalidStateError")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn message_rate_moves_every_small_and_large_message() {
    let small = message_rate::run(100, 20_000).await;
    assert_eq!((small.messages, small.bytes), (20_000, 2_000_000));
    let large = message_rate::run(64 << 10, 64).await;
    assert_eq!((large.messages, large.bytes), (64, 64 << 16));
}
