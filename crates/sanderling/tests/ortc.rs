//! The ORTC objects over real UDP on 127.0.0.1: gatherer, ICE, DTLS, SCTP
//! and channels started one by one with each other's parameters, no SDP.

use std::time::Duration;

use sanderling::ortc::{
    DataChannelParameters, DtlsParameters, DtlsRole, DtlsTransport, DtlsTransportState,
    IceGatherer, IceParameters, IceRole, IceTransport, SctpTransport,
};
use sanderling::{
    Configuration, DataChannel, DataChannelInit, DataChannelState, Error, IceGatheringState,
    Message, PeerConnectionEvent,
};

#[path = "../examples/common/mod.rs"]
mod common;

use common::{loopback, within};

fn name<T: std::fmt::Debug>(r: Result<T, Error>) -> &'static str {
    r.expect_err("should fail").w3c_name()
}

struct Chain {
    gatherer: IceGatherer,
    ice: IceTransport,
    dtls: DtlsTransport,
    sctp: SctpTransport,
}

async fn gathered(config: Configuration) -> (IceGatherer, IceTransport) {
    let g = IceGatherer::new(config).unwrap();
    within("gathering", g.gather()).await;
    assert_eq!(g.state(), IceGatheringState::Complete);
    let ice = IceTransport::new(&g);
    (g, ice)
}

/// Two chains started layer by layer; B's DTLS role is explicit.
async fn chains() -> (Chain, Chain) {
    let (ga, ia) = gathered(loopback()).await;
    let (gb, ib) = gathered(loopback()).await;
    assert!(!ga.local_candidates().is_empty());
    for c in gb.local_candidates() {
        ia.add_remote_candidate(Some(c)).await.unwrap();
    }
    ia.add_remote_candidate(None).await.unwrap();
    for c in ga.local_candidates() {
        ib.add_remote_candidate(Some(c)).await.unwrap();
    }
    assert_eq!(ia.role(), None);
    ia.start(&gb.local_parameters(), IceRole::Controlling)
        .await
        .unwrap();
    ib.start(&ga.local_parameters(), IceRole::Controlled)
        .await
        .unwrap();
    assert_eq!(ia.role(), Some(IceRole::Controlling));
    assert_eq!(ib.role(), Some(IceRole::Controlled));
    let cert = sanderling::Certificate::generate().unwrap();
    let da = DtlsTransport::new(&ia, vec![cert.clone()]).unwrap();
    let db = DtlsTransport::new(&ib, vec![]).unwrap();
    assert_eq!(da.state(), DtlsTransportState::New);
    let pa = da.local_parameters();
    assert_eq!(pa.fingerprints[0].algorithm, "sha-256");
    assert_eq!(
        pa.fingerprints[0].value,
        cert.fingerprint(sanderling_dtls::HashAlgorithm::Sha256)
            .hex()
    );
    // A decides by its ICE role (controlling: server); B is told client.
    da.start(&DtlsParameters {
        role: DtlsRole::Client,
        ..db.local_parameters()
    })
    .await
    .unwrap();
    db.start(&DtlsParameters {
        role: DtlsRole::Server,
        ..pa
    })
    .await
    .unwrap();
    let sa = SctpTransport::new(&da, 5000);
    let sb = SctpTransport::new(&db, 5000);
    sa.start(sb.capabilities(), sb.port()).await.unwrap();
    sb.start(sa.capabilities(), sa.port()).await.unwrap();
    (
        Chain {
            gatherer: ga,
            ice: ia,
            dtls: da,
            sctp: sa,
        },
        Chain {
            gatherer: gb,
            ice: ib,
            dtls: db,
            sctp: sb,
        },
    )
}

async fn next_channel(sctp: &SctpTransport) -> DataChannel {
    let mut events = sctp.events();
    within("a channel", async {
        loop {
            if let Some(PeerConnectionEvent::DataChannel(ch)) = events.recv().await {
                return ch;
            }
        }
    })
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn an_ortc_chain_carries_channels_both_ways() {
    let (a, b) = chains().await;
    let chat = DataChannel::new(
        &a.sctp,
        DataChannelParameters {
            label: "chat".into(),
            init: DataChannelInit {
                protocol: "ortc".into(),
                ..Default::default()
            },
        },
    )
    .unwrap();
    let remote = next_channel(&b.sctp).await;
    assert_eq!((remote.label(), remote.protocol()), ("chat", "ortc"));
    within("open", chat.opened()).await.unwrap();
    chat.send("from a").unwrap();
    assert_eq!(
        within("a's message", remote.recv()).await,
        Some(Message::Text("from a".into()))
    );
    // The other way, with the other id parity (B is the DTLS client).
    let back = DataChannel::new(
        &b.sctp,
        DataChannelParameters {
            label: "back".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let at_a = next_channel(&a.sctp).await;
    within("open", back.opened()).await.unwrap();
    assert_eq!(back.id().map(|i| i % 2), Some(0), "DTLS client: even ids");
    assert_eq!(chat.id().map(|i| i % 2), Some(1), "DTLS server: odd ids");
    back.send("from b").unwrap();
    assert_eq!(
        within("b's message", at_a.recv()).await,
        Some(Message::Text("from b".into()))
    );
    assert_eq!(a.dtls.state(), DtlsTransportState::Connected);
    assert_eq!(b.dtls.state(), DtlsTransportState::Connected);
    assert!(matches!(
        a.ice.state(),
        sanderling::IceConnectionState::Connected | sanderling::IceConnectionState::Completed
    ));
    // A negotiated channel needs no signalling at all.
    let neg = DataChannelInit {
        negotiated: true,
        id: Some(100),
        ..Default::default()
    };
    let na = DataChannel::new(
        &a.sctp,
        DataChannelParameters {
            label: "n".into(),
            init: neg.clone(),
        },
    )
    .unwrap();
    let nb = DataChannel::new(
        &b.sctp,
        DataChannelParameters {
            label: "n".into(),
            init: neg,
        },
    )
    .unwrap();
    within("open", na.opened()).await.unwrap();
    within("open", nb.opened()).await.unwrap();
    na.send(sanderling::Bytes::from_static(b"\x00\x01"))
        .unwrap();
    assert_eq!(
        within("negotiated message", nb.recv()).await,
        Some(Message::Binary(sanderling::Bytes::from_static(b"\x00\x01")))
    );
    // Stopping one layer stops the chain; the peer's channels close.
    a.sctp.stop();
    assert_eq!(chat.ready_state(), DataChannelState::Closed);
    assert_eq!(a.dtls.state(), DtlsTransportState::Closed);
    within("remote close", remote.closed()).await;
    within("remote close", nb.closed()).await;
    drop((a.gatherer, b.gatherer, b.ice, b.dtls));
}

#[tokio::test(flavor = "multi_thread")]
async fn ortc_misuse_is_refused_and_changes_nothing() {
    let (ga, ia) = gathered(loopback()).await;
    let (gb, ib) = gathered(loopback()).await;
    let da = DtlsTransport::new(&ia, vec![]).unwrap();
    let db = DtlsTransport::new(&ib, vec![]).unwrap();
    // Auto needs the ICE role.
    assert_eq!(
        name(da.start(&db.local_parameters()).await),
        "InvalidStateError"
    );
    // No fingerprint.
    assert_eq!(
        name(da.start(&DtlsParameters::default()).await),
        "OperationError"
    );
    // SCTP before DTLS.
    let sa = SctpTransport::new(&da, 5000);
    assert_eq!(
        name(sa.start(sa.capabilities(), 5000).await),
        "InvalidStateError"
    );
    // Bad ICE parameters.
    let short = IceParameters {
        username_fragment: "x".into(),
        password: "y".into(),
        ice_lite: false,
    };
    assert_eq!(
        name(ia.start(&short, IceRole::Controlling).await),
        "OperationError"
    );
    assert_eq!(ia.role(), None);
    // Now properly, then twice.
    ia.start(&gb.local_parameters(), IceRole::Controlling)
        .await
        .unwrap();
    assert_eq!(
        name(ia.start(&gb.local_parameters(), IceRole::Controlling).await),
        "InvalidStateError"
    );
    ib.start(&ga.local_parameters(), IceRole::Controlled)
        .await
        .unwrap();
    da.start(&db.local_parameters()).await.unwrap();
    assert_eq!(
        name(da.start(&db.local_parameters()).await),
        "InvalidStateError"
    );
    assert_eq!(
        name(DtlsTransport::new(
            &ia,
            vec![sanderling::Certificate::generate().unwrap()]
        )),
        "InvalidStateError"
    );
    sa.start(sa.capabilities(), 5000).await.unwrap();
    assert_eq!(
        name(sa.start(sa.capabilities(), 5000).await),
        "InvalidStateError"
    );
    let bad = DataChannelParameters {
        label: "bad".into(),
        init: DataChannelInit {
            negotiated: true,
            ..Default::default()
        },
    };
    assert_eq!(name(DataChannel::new(&sa, bad)), "TypeError");
    // Without candidates nothing connects, and that is all: no panic, a
    // clean stop.
    tokio::time::sleep(Duration::from_millis(100)).await;
    ia.stop();
    assert_eq!(da.state(), DtlsTransportState::Closed);
    assert_eq!(
        name(ia.start(&gb.local_parameters(), IceRole::Controlled).await),
        "InvalidStateError"
    );
}
