//! Errors and close: a channel goes connecting → open → closing → closed on
//! both sides, the close event fires on both, and sending after close (or
//! before open) is an error.
//!
//! Two channels: "doomed" is opened in band by the offerer and closed by it
//! (W3C: the answerer's copy is announced already open, and sees
//! `closing` because the peer started it); "agreed" is negotiated (id 10,
//! created on both sides, so both see it connecting) and closed by the
//! answerer.
//!
//! `cargo run -p sanderling --example errors_and_close`

mod common;

use common::within;
use sanderling::{Bytes, DataChannel, DataChannelEvent, DataChannelInit, DataChannelState};

/// Messages of 64 KiB queued before each close.
pub(crate) const BACKLOG: usize = 32;

/// One side of one channel.
#[derive(Debug, Default)]
pub(crate) struct Trace {
    /// Ready states in the order they were seen: at creation (or
    /// announcement), at each event, right after a local `close()`.
    pub(crate) states: Vec<DataChannelState>,
    /// Events in order (messages left out).
    pub(crate) events: Vec<DataChannelEvent>,
    /// Messages received.
    pub(crate) messages: usize,
    /// The W3C name of the error `send` gave before open / after close.
    pub(crate) send_before_open: Option<String>,
    pub(crate) send_after_close: Option<String>,
}

/// (offerer, answerer) per channel.
#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) doomed: (Trace, Trace),
    pub(crate) agreed: (Trace, Trace),
}

fn push_state(t: &mut Trace, ch: &DataChannel) {
    let s = ch.ready_state();
    if t.states.last() != Some(&s) {
        t.states.push(s);
    }
}

/// Takes events until `until` (inclusive), recording states.
async fn follow(t: &mut Trace, ch: &DataChannel, until: DataChannelEvent) {
    let mut events = ch.events();
    within("channel events", async {
        loop {
            let e = events.recv().await.expect("events ended early");
            let done = e == until;
            if let DataChannelEvent::Message(_) = e {
                t.messages += 1;
                continue;
            }
            t.events.push(e.clone());
            // The state an event announces (the state may be read later
            // than the event happened; the event is the transition).
            let s = match e {
                DataChannelEvent::Open => Some(DataChannelState::Open),
                DataChannelEvent::Closing => Some(DataChannelState::Closing),
                DataChannelEvent::Close => Some(DataChannelState::Closed),
                _ => None,
            };
            if let Some(s) = s
                && t.states.last() != Some(&s)
            {
                t.states.push(s);
            }
            if done {
                break;
            }
        }
    })
    .await;
}

fn error_name(r: Result<(), sanderling::Error>) -> Option<String> {
    r.err().map(|e| e.w3c_name().to_owned())
}

pub(crate) async fn run() -> Report {
    let a = sanderling::PeerConnection::new(common::loopback()).expect("a");
    let b = sanderling::PeerConnection::new(common::loopback()).expect("b");
    let agreed_init = DataChannelInit {
        negotiated: true,
        id: Some(10),
        ..Default::default()
    };
    let (mut da, mut db) = (Trace::default(), Trace::default());
    let (mut na, mut nb) = (Trace::default(), Trace::default());
    let doomed = a
        .create_data_channel("doomed", DataChannelInit::default())
        .expect("doomed");
    let agreed_a = a
        .create_data_channel("agreed", agreed_init.clone())
        .expect("agreed a");
    let agreed_b = b
        .create_data_channel("agreed", agreed_init)
        .expect("agreed b");
    push_state(&mut da, &doomed);
    push_state(&mut na, &agreed_a);
    push_state(&mut nb, &agreed_b);
    da.send_before_open = error_name(doomed.send("too early"));
    let (a, mut b) = common::connect(a, b).await;
    let remote = b.next_channel().await;
    push_state(&mut db, &remote);

    // Open on all four.
    follow(&mut da, &doomed, DataChannelEvent::Open).await;
    follow(&mut db, &remote, DataChannelEvent::Open).await;
    follow(&mut na, &agreed_a, DataChannelEvent::Open).await;
    follow(&mut nb, &agreed_b, DataChannelEvent::Open).await;

    // The offerer closes "doomed" with data still queued: closing at once
    // (and while the data drains, which it does before the stream resets),
    // closed on both sides once the peer reset its side too.
    for _ in 0..BACKLOG {
        doomed.send(Bytes::from(vec![7u8; 64 << 10])).expect("send");
    }
    doomed.close();
    push_state(&mut da, &doomed);
    follow(&mut da, &doomed, DataChannelEvent::Close).await;
    follow(&mut db, &remote, DataChannelEvent::Close).await;
    da.send_after_close = error_name(doomed.send("too late"));
    db.send_after_close = error_name(remote.send("too late"));

    // The answerer closes "agreed", also with data queued.
    for _ in 0..BACKLOG {
        agreed_b
            .send(Bytes::from(vec![8u8; 64 << 10]))
            .expect("send");
    }
    agreed_b.close();
    push_state(&mut nb, &agreed_b);
    follow(&mut nb, &agreed_b, DataChannelEvent::Close).await;
    follow(&mut na, &agreed_a, DataChannelEvent::Close).await;
    na.send_after_close = error_name(agreed_a.send("too late"));
    nb.send_after_close = error_name(agreed_b.send("too late"));

    a.pc.close();
    b.pc.close();
    Report {
        doomed: (da, db),
        agreed: (na, nb),
    }
}

#[allow(dead_code)]
#[tokio::main]
async fn main() {
    let r = run().await;
    for (name, (o, a)) in [("doomed", &r.doomed), ("agreed", &r.agreed)] {
        println!(
            "{name} at the offerer:  states {:?}, events {:?}",
            o.states, o.events
        );
        println!(
            "{name} at the answerer: states {:?}, events {:?}",
            a.states, a.events
        );
        println!(
            "{name}: send before open {:?}; send after close: offerer {:?}, answerer {:?}",
            o.send_before_open, o.send_after_close, a.send_after_close
        );
    }
}
