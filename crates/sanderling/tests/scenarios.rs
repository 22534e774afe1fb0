//! The examples, run as tests over real UDP on 127.0.0.1: each example's
//! `run()` does its scenario and reports what both sides saw; the tests
//! assert it.

use sanderling::{DataChannelState, Message};

#[allow(dead_code)]
#[path = "../examples/basic.rs"]
mod basic;

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
