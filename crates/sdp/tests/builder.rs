//! The builder writes what Chromium writes: rebuilt from the values in a
//! captured Chromium description, its output equals the capture byte for
//! byte, less Chromium's RTP-only `a=extmap-allow-mixed`.

use std::fs;
use std::path::Path;

use sanderling_sdp::{
    Candidate, DataDescriptionBuilder, Fingerprint, MaxMessageSize, SctpProtocol,
    SessionDescription, Setup,
};

fn read(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    fs::read_to_string(path).unwrap()
}

/// The builder fed with the values of a captured description.
fn builder_from(desc: &SessionDescription) -> DataDescriptionBuilder {
    let data = desc.data_section().unwrap();
    let mut b = DataDescriptionBuilder::new(
        desc.origin.session_id,
        data.ice_ufrag().unwrap(),
        data.ice_pwd().unwrap(),
        data.fingerprints()[0].clone(),
        data.setup().unwrap(),
    )
    .session_version(desc.origin.session_version)
    .mid(data.mid().unwrap())
    .protocol(data.protocol());
    for c in data.candidates() {
        b = b.candidate(c);
    }
    b
}

/// Chromium offers `a=extmap-allow-mixed` (an RTP header-extension
/// attribute) and echoes it in answers to offers that had it.
fn chromium_without_extmap(name: &str) -> String {
    read(name).replace("a=extmap-allow-mixed\r\n", "")
}

#[test]
fn rebuilds_chromium_offer_exactly() {
    let desc = SessionDescription::parse(&read("chromium-offer.sdp")).unwrap();
    let built = builder_from(&desc).build();
    assert_eq!(
        built.to_string(),
        chromium_without_extmap("chromium-offer.sdp")
    );
}

#[test]
fn rebuilds_chromium_answers_exactly() {
    for name in [
        "chromium-answer-to-firefox-offer.sdp",
        "chromium-answer-to-aiortc-offer.sdp",
        "chromium-answer-to-libdatachannel-offer.sdp",
    ] {
        let desc = SessionDescription::parse(&read(name)).unwrap();
        let built = builder_from(&desc).build();
        assert_eq!(built.to_string(), chromium_without_extmap(name), "{name}");
    }
}

#[test]
fn rebuilds_chromium_legacy_answer_exactly() {
    let name = "chromium-answer-to-aiortc-offer-legacy.sdp";
    let desc = SessionDescription::parse(&read(name)).unwrap();
    assert_eq!(
        desc.data_section().unwrap().protocol(),
        SctpProtocol::Legacy
    );
    // Chromium's legacy answer has no a=max-message-size.
    let built = builder_from(&desc).max_message_size(None).build();
    assert_eq!(built.to_string(), read(name));
}

fn fingerprint() -> Fingerprint {
    Fingerprint::from_bytes("sha-256", &[0xAB; 32])
}

#[test]
fn built_description_reads_back() {
    let candidate =
        Candidate::parse("candidate:1 1 udp 2130706431 198.18.0.1 5000 typ host").unwrap();
    let built = DataDescriptionBuilder::new(
        0x1234_5678_9ABC_DEF0 & (u64::MAX >> 1),
        "ufrg",
        "passwordpasswordpasswd",
        fingerprint(),
        Setup::Passive,
    )
    .fingerprint(Fingerprint::from_bytes("sha-384", &[0xCD; 48]))
    .mid("data")
    .sctp_port(5001)
    .max_message_size(Some(0))
    .sctp_init(Some("AQAAHols3R0AUAAA/////+B5ZR3AAAAEgAgABoLA".into()))
    .ice_lite(true)
    .trickle(false)
    .candidate(candidate.clone())
    .end_of_candidates(true)
    .build();

    let text = built.to_string();
    let parsed = SessionDescription::parse(&text).unwrap();
    assert_eq!(parsed, built);
    let data = parsed.data_section().unwrap();
    assert_eq!(data.index(), 0);
    assert_eq!(data.mid(), Some("data"));
    assert_eq!(data.ice_ufrag(), Some("ufrg"));
    assert_eq!(data.ice_pwd(), Some("passwordpasswordpasswd"));
    assert!(!data.trickle());
    assert!(data.ice_lite());
    assert_eq!(data.setup(), Some(Setup::Passive));
    let fps = data.fingerprints();
    assert_eq!(fps.len(), 2);
    assert_eq!(fps[0].bytes(), Some(vec![0xAB; 32]));
    assert_eq!(fps[1].algorithm, "sha-384");
    assert_eq!(data.sctp_port(), 5001);
    assert_eq!(data.max_message_size(), MaxMessageSize::Unlimited);
    // SNAP's INIT last, after a=max-message-size, as the draft shows it.
    assert_eq!(
        data.sctp_init(),
        Some("AQAAHols3R0AUAAA/////+B5ZR3AAAAEgAgABoLA")
    );
    assert!(text.ends_with(
        "a=max-message-size:0\r\na=sctp-init:AQAAHols3R0AUAAA/////+B5ZR3AAAAEgAgABoLA\r\n"
    ));
    assert_eq!(data.candidates().collect::<Vec<_>>(), [candidate]);
    assert!(data.end_of_candidates());
    assert_eq!(parsed.bundle_group().unwrap().mids, ["data"]);
    assert_eq!(data.media().port, 9);
    assert_eq!(data.media().connections[0].to_string(), "IN IP4 0.0.0.0");
}

#[test]
fn defaults_are_a_chromium_style_offer() {
    let text = DataDescriptionBuilder::new(
        42,
        "ufrg",
        "passwordpasswordpasswd",
        fingerprint(),
        Setup::Actpass,
    )
    .build()
    .to_string();
    let fp = fingerprint().value;
    assert_eq!(
        text,
        format!(
            "v=0\r\no=- 42 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n\
             a=group:BUNDLE 0\r\na=msid-semantic: WMS\r\n\
             m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\n\
             a=ice-ufrag:ufrg\r\na=ice-pwd:passwordpasswordpasswd\r\na=ice-options:trickle\r\n\
             a=fingerprint:sha-256 {fp}\r\na=setup:actpass\r\na=mid:0\r\n\
             a=sctp-port:5000\r\na=max-message-size:262144\r\n"
        )
    );
}

#[test]
fn trickled_candidates_are_added_to_a_local_description() {
    let mut desc = DataDescriptionBuilder::new(
        1,
        "ufrg",
        "passwordpasswordpasswd",
        fingerprint(),
        Setup::Actpass,
    )
    .build();
    let c = Candidate::parse("candidate:2 1 udp 2130706431 198.18.0.1 5002 typ host").unwrap();
    desc.media[0].add_candidate(&c);
    desc.media[0].set_end_of_candidates(true);
    let parsed = SessionDescription::parse(&desc.to_string()).unwrap();
    let data = parsed.data_section().unwrap();
    assert_eq!(data.candidates().collect::<Vec<_>>(), [c]);
    assert!(data.end_of_candidates());
    // The candidate lines come first in the section, as Chromium puts them.
    assert_eq!(data.media().attributes[0].name, "candidate");
    assert_eq!(data.media().attributes[1].name, "end-of-candidates");
}

#[test]
fn answers_an_audio_video_data_offer_by_rejecting_the_media() {
    let offer = SessionDescription::parse(&read("chromium-offer-av.sdp")).unwrap();
    let answer = DataDescriptionBuilder::new(
        7,
        "ufrg",
        "passwordpasswordpasswd",
        fingerprint(),
        Setup::Active,
    )
    .answer_to(&offer)
    .build();
    let text = answer.to_string();
    let answer = SessionDescription::parse(&text).unwrap();
    assert_eq!(answer.media.len(), 3);
    for (i, kind) in ["audio", "video"].into_iter().enumerate() {
        let m = &answer.media[i];
        assert_eq!((m.media.as_str(), m.port), (kind, 0));
        assert!(m.is_rejected());
        assert_eq!(m.proto, offer.media[i].proto);
        assert_eq!(m.formats, offer.media[i].formats[..1]);
        assert_eq!(m.mid(), offer.media[i].mid());
    }
    let data = answer.data_section().unwrap();
    assert_eq!((data.index(), data.mid()), (2, Some("2")));
    assert_eq!(answer.bundle_group().unwrap().mids, ["2"]);
    assert_eq!(data.setup(), Some(Setup::Active));

    // The legacy form is answered in the legacy form.
    let legacy = SessionDescription::parse(&read("aiortc-offer-legacy.sdp")).unwrap();
    let answer = DataDescriptionBuilder::new(
        7,
        "ufrg",
        "passwordpasswordpasswd",
        fingerprint(),
        Setup::Active,
    )
    .answer_to(&legacy)
    .build();
    let data = answer.data_section().unwrap();
    assert_eq!(data.protocol(), SctpProtocol::Legacy);
    assert_eq!(data.sctp_port(), 5000);
    assert_eq!(answer.media.len(), 1);
}
