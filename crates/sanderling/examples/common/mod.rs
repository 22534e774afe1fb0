//! What every example shares: two peers on 127.0.0.1 and in-process
//! signalling (descriptions handed over directly, candidates trickled
//! through the connections' events).

#![allow(dead_code)]

use std::future::Future;
use std::time::Duration;

use sanderling::{
    Configuration, DataChannel, PeerConnection, PeerConnectionEvent, PeerConnectionState,
};
use tokio::sync::mpsc;

/// Generous limit on every wait: a hang fails loudly instead of blocking.
pub(crate) const LIMIT: Duration = Duration::from_secs(30);

/// Waits for `f`, panicking with `what` after [`LIMIT`].
pub(crate) async fn within<T>(what: &str, f: impl Future<Output = T>) -> T {
    match tokio::time::timeout(LIMIT, f).await {
        Ok(v) => v,
        Err(_) => panic!("timed out after {LIMIT:?} waiting for {what}"),
    }
}

/// A configuration for peers on this host: loopback only.
pub(crate) fn loopback() -> Configuration {
    Configuration {
        include_loopback: true,
        interfaces: vec!["127.0.0.1".into()],
        ..Configuration::default()
    }
}

/// One side: its connection and the events the signalling left over.
pub(crate) struct Side {
    pub(crate) pc: PeerConnection,
    pub(crate) events: mpsc::UnboundedReceiver<PeerConnectionEvent>,
}

impl Side {
    /// The next channel the peer opened.
    pub(crate) async fn next_channel(&mut self) -> DataChannel {
        within("a data channel event", async {
            loop {
                match self.events.recv().await {
                    Some(PeerConnectionEvent::DataChannel(ch)) => return ch,
                    Some(_) => {}
                    None => panic!("connection closed before a data channel arrived"),
                }
            }
        })
        .await
    }

    /// Waits for a connection state (seen as an event).
    pub(crate) async fn until_state(&mut self, want: PeerConnectionState) {
        within("a connection state", async {
            loop {
                match self.events.recv().await {
                    Some(PeerConnectionEvent::ConnectionState(s)) if s == want => return,
                    Some(_) => {}
                    None => panic!("events ended before {want:?}"),
                }
            }
        })
        .await
    }
}

/// Forwards `from`'s candidates to `to`, everything else to the returned
/// receiver.
fn trickle(
    from: &PeerConnection,
    to: &PeerConnection,
) -> mpsc::UnboundedReceiver<PeerConnectionEvent> {
    let (tx, rx) = mpsc::unbounded_channel();
    let mut events = from.events();
    let to = to.clone();
    tokio::spawn(async move {
        while let Some(e) = events.recv().await {
            match e {
                PeerConnectionEvent::IceCandidate(c) => {
                    // The peer may be closed already: nothing to do then.
                    let _ = to.add_ice_candidate(c).await;
                }
                other => {
                    let _ = tx.send(other);
                }
            }
        }
    });
    rx
}

/// Offer from `a`, answer from `b`, candidates trickled both ways.
pub(crate) async fn connect(a: PeerConnection, b: PeerConnection) -> (Side, Side) {
    let a_events = trickle(&a, &b);
    let b_events = trickle(&b, &a);
    let offer = a.create_offer().await.expect("offer");
    a.set_local_description(offer.clone())
        .await
        .expect("local offer");
    b.set_remote_description(offer).await.expect("remote offer");
    let answer = b.create_answer().await.expect("answer");
    b.set_local_description(answer.clone())
        .await
        .expect("local answer");
    a.set_remote_description(answer)
        .await
        .expect("remote answer");
    (
        Side {
            pc: a,
            events: a_events,
        },
        Side {
            pc: b,
            events: b_events,
        },
    )
}

/// Two new connections on loopback, offer/answer done.
pub(crate) async fn pair() -> (Side, Side) {
    let a = PeerConnection::new(loopback()).expect("peer a");
    let b = PeerConnection::new(loopback()).expect("peer b");
    connect(a, b).await
}
