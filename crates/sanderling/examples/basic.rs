//! Basic: a channel "chat"; the remote sees the data-channel event with the
//! label, both sides see it open, one text message each way.
//!
//! `cargo run -p sanderling --example basic`

mod common;

use common::within;
use sanderling::{DataChannelInit, DataChannelState, Message};

/// What both sides saw.
#[derive(Debug)]
pub(crate) struct Report {
    /// The label of the channel the answerer was given.
    pub(crate) remote_label: String,
    /// Ready states once `opened()` returned: (offerer, answerer).
    pub(crate) states: (DataChannelState, DataChannelState),
    /// The stream ids: (offerer, answerer).
    pub(crate) ids: (Option<u16>, Option<u16>),
    /// What the answerer received.
    pub(crate) at_answerer: Message,
    /// What the offerer received.
    pub(crate) at_offerer: Message,
}

pub(crate) async fn run() -> Report {
    let (a, mut b) = common::pair().await;
    let chat =
        a.pc.create_data_channel("chat", DataChannelInit::default())
            .expect("create chat");
    let remote = b.next_channel().await;
    within("chat open at the offerer", chat.opened())
        .await
        .expect("open");
    within("chat open at the answerer", remote.opened())
        .await
        .expect("open");
    chat.send("hello from a").expect("send a");
    remote.send("hello from b").expect("send b");
    let at_answerer = within("the message at b", remote.recv())
        .await
        .expect("message at b");
    let at_offerer = within("the message at a", chat.recv())
        .await
        .expect("message at a");
    let report = Report {
        remote_label: remote.label().to_owned(),
        states: (chat.ready_state(), remote.ready_state()),
        ids: (chat.id(), remote.id()),
        at_answerer,
        at_offerer,
    };
    a.pc.close();
    b.pc.close();
    report
}

#[allow(dead_code)]
#[tokio::main]
async fn main() {
    let r = run().await;
    println!("answerer got a data channel labelled {:?}", r.remote_label);
    println!(
        "states when open: offerer {:?}, answerer {:?}",
        r.states.0, r.states.1
    );
    println!("stream ids: offerer {:?}, answerer {:?}", r.ids.0, r.ids.1);
    println!("answerer received {:?}", r.at_answerer);
    println!("offerer received {:?}", r.at_offerer);
}
