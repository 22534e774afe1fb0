//! Multiple channels: "control" (ordered, reliable), "video-meta"
//! (unordered) and "bulk" (at most 3 retransmissions). The remote sees the
//! labels and ids and echoes every message on the channel it came on.
//!
//! `cargo run -p sanderling --example multiple_channels`

mod common;

use std::collections::BTreeMap;

use common::within;
use sanderling::{DataChannelInit, Message};

pub(crate) const PER_CHANNEL: usize = 50;

/// A channel as each side saw it.
#[derive(Debug)]
pub(crate) struct Seen {
    /// (label, id) at the offerer.
    pub(crate) local: (String, Option<u16>),
    /// (label, id) at the answerer.
    pub(crate) remote: (String, Option<u16>),
    pub(crate) ordered: (bool, bool),
    pub(crate) max_retransmits: (Option<u16>, Option<u16>),
    /// What was sent, in order.
    pub(crate) sent: Vec<String>,
    /// The echoes the offerer got back, in arrival order.
    pub(crate) echoed: Vec<String>,
}

/// Per label.
pub(crate) type Report = BTreeMap<String, Seen>;

pub(crate) async fn run() -> Report {
    let (a, mut b) = common::pair().await;
    let specs = [
        ("control", DataChannelInit::default()),
        (
            "video-meta",
            DataChannelInit {
                ordered: false,
                ..Default::default()
            },
        ),
        (
            "bulk",
            DataChannelInit {
                max_retransmits: Some(3),
                ..Default::default()
            },
        ),
    ];
    let local: Vec<_> = specs
        .into_iter()
        .map(|(label, init)| a.pc.create_data_channel(label, init).expect("create"))
        .collect();
    // The answerer: echo everything on the channel it came on.
    let mut remote = BTreeMap::new();
    for _ in 0..local.len() {
        let ch = b.next_channel().await;
        remote.insert(ch.label().to_owned(), ch.clone());
        tokio::spawn(async move {
            while let Some(m) = ch.recv().await {
                if ch.send_wait(m).await.is_err() {
                    break;
                }
            }
        });
    }
    let mut report = Report::new();
    for ch in &local {
        within("open", ch.opened()).await.expect("open");
        let sent: Vec<String> = (0..PER_CHANNEL)
            .map(|i| format!("{} #{i}", ch.label()))
            .collect();
        for m in &sent {
            ch.send(m.as_str()).expect("send");
        }
        let r = &remote[ch.label()];
        report.insert(
            ch.label().to_owned(),
            Seen {
                local: (ch.label().to_owned(), ch.id()),
                remote: (r.label().to_owned(), r.id()),
                ordered: (ch.ordered(), r.ordered()),
                max_retransmits: (ch.max_retransmits(), r.max_retransmits()),
                sent,
                echoed: Vec::new(),
            },
        );
    }
    for ch in &local {
        let seen = report.get_mut(ch.label()).expect("seen");
        while seen.echoed.len() < PER_CHANNEL {
            match within("an echo", ch.recv()).await {
                Some(Message::Text(t)) => seen.echoed.push(t),
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    a.pc.close();
    b.pc.close();
    report
}

#[allow(dead_code)]
#[tokio::main]
async fn main() {
    for (label, seen) in run().await {
        println!(
            "{label}: offerer {:?}, answerer {:?}, ordered {:?}, max_retransmits {:?}; {} sent, {} echoed back, first {:?}, last {:?}",
            seen.local,
            seen.remote,
            seen.ordered,
            seen.max_retransmits,
            seen.sent.len(),
            seen.echoed.len(),
            seen.echoed.first(),
            seen.echoed.last()
        );
    }
}
