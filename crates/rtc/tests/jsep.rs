//! The signalling state machine against itself and against real peers'
//! descriptions (the fixtures captured for the SDP crate).

use sanderling_rtc::jsep::{
    DtlsSide, Jsep, JsepError, LocalParameters, SdpType, SessionDescription, SignalingState,
    remote_parameters,
};
use sanderling_sdp::{Fingerprint, SessionDescription as Sdp, Setup};

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../sdp/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn local(ufrag: &str) -> LocalParameters {
    LocalParameters {
        ice_ufrag: ufrag.into(),
        ice_pwd: "abcdefghijklmnopqrstuvwxyz".into(),
        fingerprint: Fingerprint::from_bytes("sha-256", &[0xab; 32]),
        sctp_port: 5000,
        max_message_size: 262_144,
        candidates: vec![],
        end_of_candidates: false,
        ice_lite: false,
        sctp_init: None,
    }
}

fn desc(sdp_type: SdpType, sdp: String) -> SessionDescription {
    SessionDescription { sdp_type, sdp }
}

#[test]
fn offer_answer_between_two_of_ours_settles_roles() {
    let mut a = Jsep::new(1);
    let mut b = Jsep::new(2);
    let offer = a.create_offer(&local("aaaa")).unwrap();
    a.set_local_description(offer.clone()).unwrap();
    assert_eq!(a.state(), SignalingState::HaveLocalOffer);
    let update = b.set_remote_description(offer).unwrap().unwrap();
    assert_eq!(update.parameters.ice_ufrag, "aaaa");
    assert_eq!(update.parameters.max_message_size, 262_144);
    assert!(!update.ice_restart);
    assert_eq!(b.state(), SignalingState::HaveRemoteOffer);
    let answer = b.create_answer(&local("bbbb")).unwrap();
    b.set_local_description(answer.clone()).unwrap();
    a.set_remote_description(answer).unwrap();
    assert_eq!(
        (a.state(), b.state()),
        (SignalingState::Stable, SignalingState::Stable)
    );
    // The answerer is active: DTLS client; the offerer controls ICE.
    assert_eq!(b.dtls_side(), Some(DtlsSide::Client));
    assert_eq!(a.dtls_side(), Some(DtlsSide::Server));
    assert!(a.ice_controlling() && !b.ice_controlling());
    assert!(a.current_local_description().is_some() && a.current_remote_description().is_some());
}

#[test]
fn wrong_state_calls_fail_and_change_nothing() {
    let mut j = Jsep::new(3);
    assert!(matches!(
        j.create_answer(&local("aaaa")),
        Err(JsepError::InvalidState { .. })
    ));
    let offer = j.create_offer(&local("aaaa")).unwrap();
    j.set_local_description(offer.clone()).unwrap();
    // An answer of our own cannot be applied while we have a local offer.
    let err = j
        .set_local_description(desc(SdpType::Answer, offer.sdp.clone()))
        .unwrap_err();
    assert!(matches!(
        err,
        JsepError::InvalidState {
            state: SignalingState::HaveLocalOffer,
            ..
        }
    ));
    // Our own offer echoed back as a remote offer is not allowed here.
    assert!(j.set_remote_description(offer.clone()).is_err());
    assert_eq!(j.state(), SignalingState::HaveLocalOffer);
    // A description we never created cannot become local.
    let mut other = Jsep::new(4);
    let foreign = other.create_offer(&local("cccc")).unwrap();
    assert_eq!(
        j.set_local_description(foreign),
        Err(JsepError::NotCreatedHere)
    );
}

#[test]
fn rollback_returns_to_stable() {
    let mut j = Jsep::new(5);
    let offer = j.create_offer(&local("aaaa")).unwrap();
    j.set_local_description(offer).unwrap();
    j.set_local_description(desc(SdpType::Rollback, String::new()))
        .unwrap();
    assert_eq!(j.state(), SignalingState::Stable);
    assert!(j.local_description().is_none());
    j.set_remote_description(desc(SdpType::Offer, fixture("chromium-offer.sdp")))
        .unwrap();
    j.set_remote_description(desc(SdpType::Rollback, String::new()))
        .unwrap();
    assert_eq!(j.state(), SignalingState::Stable);
    assert!(j.remote_description().is_none());
}

#[test]
fn garbage_remote_description_changes_nothing() {
    let mut j = Jsep::new(6);
    let err = j
        .set_remote_description(desc(SdpType::Offer, "v=0\r\no=oops\r\n".into()))
        .unwrap_err();
    assert!(matches!(err, JsepError::Sdp(_)), "{err}");
    assert!(err.to_string().contains("line"), "{err}");
    assert_eq!(j.state(), SignalingState::Stable);
    // Audio only: no data section.
    let av = fixture("chromium-offer-av.sdp");
    let audio_only: String = av.split("m=video").next().unwrap().to_owned();
    assert_eq!(
        j.set_remote_description(desc(SdpType::Offer, audio_only)),
        Err(JsepError::NoDataSection)
    );
    assert_eq!(j.state(), SignalingState::Stable);
}

#[test]
fn answers_every_real_offer_and_reads_every_real_answer() {
    for offerer in ["chromium", "firefox", "aiortc", "libdatachannel"] {
        for name in [
            format!("{offerer}-offer.sdp"),
            format!("{offerer}-offer-av.sdp"),
            format!("{offerer}-offer-legacy.sdp"),
        ] {
            let path = format!(
                "{}/../sdp/tests/fixtures/{name}",
                env!("CARGO_MANIFEST_DIR")
            );
            let Ok(sdp) = std::fs::read_to_string(&path) else {
                continue;
            };
            let mut j = Jsep::new(7);
            let update = j
                .set_remote_description(desc(SdpType::Offer, sdp.clone()))
                .unwrap()
                .unwrap();
            assert!(
                update
                    .parameters
                    .fingerprints
                    .iter()
                    .any(|f| f.algorithm.eq_ignore_ascii_case("sha-256")),
                "{name}"
            );
            let answer = j.create_answer(&local("ours")).unwrap();
            let parsed = Sdp::parse(&answer.sdp).unwrap();
            let offer = Sdp::parse(&sdp).unwrap();
            // Same m-lines in the same order; the data section answered with its mid.
            assert_eq!(parsed.media.len(), offer.media.len(), "{name}");
            let data = parsed.data_section().unwrap();
            assert_eq!(data.mid(), offer.data_section().unwrap().mid(), "{name}");
            assert_eq!(data.setup(), Some(Setup::Active), "{name}");
            j.set_local_description(answer).unwrap();
            assert_eq!(j.dtls_side(), Some(DtlsSide::Client), "{name}");
        }
    }
    // Their answers to our offer.
    for answerer in ["chromium", "firefox", "aiortc", "libdatachannel"] {
        let mut j = Jsep::new(8);
        let offer = j.create_offer(&local("ours")).unwrap();
        j.set_local_description(offer).unwrap();
        let answer = fixture(&format!("{answerer}-answer-to-sanderling-offer.sdp"));
        let update = j
            .set_remote_description(desc(SdpType::Answer, answer))
            .unwrap()
            .unwrap();
        assert_eq!(j.state(), SignalingState::Stable);
        assert!(j.dtls_side().is_some(), "{answerer}");
        assert!(!update.parameters.ice_ufrag.is_empty());
    }
}

#[test]
fn new_remote_credentials_are_an_ice_restart() {
    let mut a = Jsep::new(9);
    let mut b = Jsep::new(10);
    for (round, ufrag) in ["aaaa", "aaaa", "zzzz"].into_iter().enumerate() {
        let offer = a.create_offer(&local(ufrag)).unwrap();
        a.set_local_description(offer.clone()).unwrap();
        let update = b.set_remote_description(offer).unwrap().unwrap();
        assert_eq!(update.ice_restart, round == 2, "round {round}");
        let answer = b.create_answer(&local("bbbb")).unwrap();
        b.set_local_description(answer.clone()).unwrap();
        a.set_remote_description(answer).unwrap();
    }
    // Renegotiation kept the first offerer in control.
    assert!(a.ice_controlling());
}

/// SNAP's `a=sctp-init`: ours goes out as given; the peer's is read as
/// bytes only when it is base64 of a valid INIT, and ignored otherwise
/// (draft-hancke-tsvwg-snap: "silently ignore").
#[test]
fn sctp_init_goes_out_and_only_a_valid_one_is_read() {
    // The draft's example INIT, unpadded base64, and Chromium's, padded.
    let draft = "AQAAHols3R0AUAAA/////+B5ZR3AAAAEgAgABoLA";
    let chromium = "AQAAIDcrAxAAUAAA/////0Bv3jjAAAAEgAgACILAQMI=";
    let read = |init: Option<&str>| {
        let mut a = Jsep::new(1);
        let l = LocalParameters {
            sctp_init: init.map(str::to_owned),
            ..local("aaaa")
        };
        let offer = a.create_offer(&l).unwrap();
        assert_eq!(
            offer.sdp.contains("a=sctp-init:"),
            init.is_some(),
            "{}",
            offer.sdp
        );
        a.set_local_description(offer.clone()).unwrap();
        remote_parameters(&Sdp::parse(&offer.sdp).unwrap())
            .unwrap()
            .sctp_init
    };
    let d = read(Some(draft)).expect("the draft's INIT");
    assert_eq!(
        (d.len(), d[0], &d[4..8]),
        (30, 1, &[0x89, 0x6c, 0xdd, 0x1d][..])
    );
    assert_eq!(read(Some(chromium)).map(|b| b.len()), Some(32));
    assert_eq!(read(None), None);
    assert_eq!(read(Some("not base64!")), None);
    assert_eq!(read(Some("AAAA")), None, "base64, but not an INIT");
    // An INIT with a zero initiate tag.
    assert_eq!(read(Some("AQAAFAAAAAAAUAAA/////+B5ZR0=")), None);
}

#[test]
fn whether_the_settled_local_description_carries_sctp_init() {
    for with in [false, true] {
        let mut a = Jsep::new(1);
        let mut b = Jsep::new(2);
        let l = LocalParameters {
            sctp_init: with.then(|| "AQAAHols3R0AUAAA/////+B5ZR3AAAAEgAgABoLA".into()),
            ..local("aaaa")
        };
        let offer = a.create_offer(&l).unwrap();
        a.set_local_description(offer.clone()).unwrap();
        assert!(!a.local_has_sctp_init(), "not settled yet");
        b.set_remote_description(offer).unwrap();
        let answer = b.create_answer(&local("bbbb")).unwrap();
        b.set_local_description(answer.clone()).unwrap();
        assert!(!b.local_has_sctp_init());
        a.set_remote_description(answer).unwrap();
        assert_eq!(a.local_has_sctp_init(), with);
    }
}
