//! Options: an unordered channel whose messages live at most 100 ms with
//! protocol "game-protocol", and an ordered one with at most 5
//! retransmissions; every property reads back the same on both sides.
//!
//! `cargo run -p sanderling --example options`

mod common;

use std::time::Duration;

use common::within;
use sanderling::{DataChannel, DataChannelInit, Message};

/// A channel's properties as one side reads them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Properties {
    pub(crate) label: String,
    pub(crate) id: Option<u16>,
    pub(crate) ordered: bool,
    pub(crate) max_packet_life_time: Option<Duration>,
    pub(crate) max_retransmits: Option<u16>,
    pub(crate) protocol: String,
    pub(crate) negotiated: bool,
}

impl Properties {
    fn of(ch: &DataChannel) -> Self {
        Self {
            label: ch.label().to_owned(),
            id: ch.id(),
            ordered: ch.ordered(),
            max_packet_life_time: ch.max_packet_life_time(),
            max_retransmits: ch.max_retransmits(),
            protocol: ch.protocol().to_owned(),
            negotiated: ch.negotiated(),
        }
    }
}

/// What both sides saw, per channel: (offerer, answerer).
#[derive(Debug)]
pub(crate) struct Report {
    pub(crate) game: (Properties, Properties),
    pub(crate) reliable: (Properties, Properties),
    /// A message on each channel arrived.
    pub(crate) delivered: (Message, Message),
}

pub(crate) async fn run() -> Report {
    let (a, mut b) = common::pair().await;
    let game =
        a.pc.create_data_channel(
            "game",
            DataChannelInit {
                ordered: false,
                max_packet_life_time: Some(Duration::from_millis(100)),
                protocol: "game-protocol".into(),
                ..Default::default()
            },
        )
        .expect("create game");
    let reliable =
        a.pc.create_data_channel(
            "reliable",
            DataChannelInit {
                max_retransmits: Some(5),
                ..Default::default()
            },
        )
        .expect("create reliable");
    let mut remote_game = None;
    let mut remote_reliable = None;
    while remote_game.is_none() || remote_reliable.is_none() {
        let ch = b.next_channel().await;
        match ch.label() {
            "game" => remote_game = Some(ch),
            _ => remote_reliable = Some(ch),
        }
    }
    let (remote_game, remote_reliable) = (remote_game.unwrap(), remote_reliable.unwrap());
    for ch in [&game, &reliable, &remote_game, &remote_reliable] {
        within("channels open", ch.opened()).await.expect("open");
    }
    game.send("position 1,2").expect("send game");
    reliable.send("score 10").expect("send reliable");
    let delivered = (
        within("game message", remote_game.recv())
            .await
            .expect("game message"),
        within("reliable message", remote_reliable.recv())
            .await
            .expect("reliable message"),
    );
    let report = Report {
        game: (Properties::of(&game), Properties::of(&remote_game)),
        reliable: (Properties::of(&reliable), Properties::of(&remote_reliable)),
        delivered,
    };
    a.pc.close();
    b.pc.close();
    report
}

#[allow(dead_code)]
#[tokio::main]
async fn main() {
    let r = run().await;
    println!("game at the offerer:      {:?}", r.game.0);
    println!("game at the answerer:     {:?}", r.game.1);
    println!("reliable at the offerer:  {:?}", r.reliable.0);
    println!("reliable at the answerer: {:?}", r.reliable.1);
    println!("delivered: {:?}", r.delivered);
}
