//! Every captured description (see `fixtures/README.md`) parses, round-trips
//! and gives the values its text says, asserted per fixture. The expected
//! values below were read off the fixture files by eye, not from the parser.

use std::fs;
use std::path::{Path, PathBuf};

use sanderling_sdp::{
    Candidate, CandidateType, MaxMessageSize, SctpProtocol, SessionDescription, Setup, TcpType,
    Transport,
};

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn read(name: &str) -> String {
    fs::read_to_string(fixtures_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn all_fixtures() -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".sdp"))
        .collect();
    names.sort();
    names
}

/// What one fixture must say about its data-channel section.
struct Expect {
    file: &'static str,
    /// m-line kinds in order.
    media: &'static [&'static str],
    /// m-line index of the data section.
    data_index: usize,
    mid: &'static str,
    bundle: &'static [&'static str],
    protocol: SctpProtocol,
    ufrag: &'static str,
    fingerprints: &'static [&'static str],
    setup: Setup,
    sctp_port: u16,
    max_message_size: MaxMessageSize,
    trickle: bool,
    end_of_candidates: bool,
    /// Candidates of the data section: (transport, tcptype) in order; all
    /// fixtures have host candidates only.
    candidates: &'static [(Transport, Option<TcpType>)],
    /// Whether the candidate addresses are mDNS names (browsers) or the
    /// namespace's 198.18.0.1 (aiortc, libdatachannel).
    mdns: bool,
}

const UDP: (Transport, Option<TcpType>) = (Transport::Udp, None);
const TCP_ACTIVE: (Transport, Option<TcpType>) = (Transport::Tcp, Some(TcpType::Active));
const DATA: &[&str] = &["application"];
const AV_DATA: &[&str] = &["audio", "video", "application"];
const SHA256: &[&str] = &["sha-256"];
const AIORTC_FPS: &[&str] = &["sha-256", "sha-384", "sha-512"];
const MB_256K: MaxMessageSize = MaxMessageSize::Bytes(262_144);
const FIREFOX_MMS: MaxMessageSize = MaxMessageSize::Bytes(1_073_741_823);

/// A data-only fixture with the usual values, the rest filled in below.
const fn data_only(
    file: &'static str,
    ufrag: &'static str,
    setup: Setup,
    trickle: bool,
    end_of_candidates: bool,
) -> Expect {
    Expect {
        file,
        media: DATA,
        data_index: 0,
        mid: "0",
        bundle: &["0"],
        protocol: SctpProtocol::Modern,
        ufrag,
        fingerprints: SHA256,
        setup,
        sctp_port: 5000,
        max_message_size: MB_256K,
        trickle,
        end_of_candidates,
        candidates: &[UDP],
        mdns: false,
    }
}

fn expectations() -> Vec<Expect> {
    use Setup::{Active, Actpass};
    let chromium = |file, ufrag, setup| Expect {
        mdns: true,
        ..data_only(file, ufrag, setup, true, false)
    };
    let firefox = |file, ufrag, setup| Expect {
        mdns: true,
        max_message_size: FIREFOX_MMS,
        candidates: &[UDP, TCP_ACTIVE],
        ..data_only(file, ufrag, setup, true, true)
    };
    let aiortc = |file, ufrag, setup| Expect {
        fingerprints: AIORTC_FPS,
        ..data_only(file, ufrag, setup, false, true)
    };
    let libdatachannel = |file, ufrag, setup| data_only(file, ufrag, setup, true, true);
    vec![
        // Chromium 156
        chromium("chromium-offer.sdp", "8iKM", Actpass),
        Expect {
            media: AV_DATA,
            data_index: 2,
            mid: "2",
            bundle: &["0", "1", "2"],
            ..chromium("chromium-offer-av.sdp", "3D2T", Actpass)
        },
        chromium("chromium-answer-to-firefox-offer.sdp", "d2bH", Active),
        chromium("chromium-answer-to-aiortc-offer.sdp", "DrEh", Active),
        chromium("chromium-answer-to-sanderling-offer.sdp", "lAs2", Active),
        chromium(
            "chromium-answer-to-libdatachannel-offer.sdp",
            "zW+F",
            Active,
        ),
        Expect {
            protocol: SctpProtocol::Legacy,
            // Chromium's legacy answer has no a=max-message-size.
            max_message_size: MaxMessageSize::DEFAULT,
            ..chromium("chromium-answer-to-aiortc-offer-legacy.sdp", "SdOk", Active)
        },
        Expect {
            media: AV_DATA,
            data_index: 2,
            mid: "2",
            bundle: &["0", "1", "2"],
            // Bundled: the one candidate is in the first section.
            candidates: &[],
            ..chromium("chromium-answer-to-chromium-offer-av.sdp", "6UN0", Active)
        },
        // Firefox 153esr
        firefox("firefox-offer.sdp", "ba1ea242", Actpass),
        Expect {
            media: AV_DATA,
            data_index: 2,
            mid: "2",
            bundle: &["0", "1", "2"],
            ..firefox("firefox-offer-av.sdp", "fee1057c", Actpass)
        },
        firefox("firefox-answer-to-chromium-offer.sdp", "750fe892", Active),
        firefox("firefox-answer-to-aiortc-offer.sdp", "b39d3010", Active),
        firefox("firefox-answer-to-sanderling-offer.sdp", "16069dca", Active),
        firefox(
            "firefox-answer-to-libdatachannel-offer.sdp",
            "a7159a18",
            Active,
        ),
        Expect {
            protocol: SctpProtocol::Legacy,
            ..firefox(
                "firefox-answer-to-aiortc-offer-legacy.sdp",
                "94d259fd",
                Active,
            )
        },
        Expect {
            media: AV_DATA,
            data_index: 2,
            mid: "2",
            bundle: &["0", "1", "2"],
            candidates: &[],
            // Only the first section says end-of-candidates.
            end_of_candidates: false,
            ..firefox(
                "firefox-answer-to-chromium-offer-av.sdp",
                "db85bac6",
                Active,
            )
        },
        // aiortc 1.16.0
        aiortc("aiortc-offer.sdp", "fzvO", Actpass),
        Expect {
            protocol: SctpProtocol::Legacy,
            ..aiortc("aiortc-offer-legacy.sdp", "ysRr", Actpass)
        },
        aiortc("aiortc-answer-to-chromium-offer.sdp", "CRCU", Active),
        Expect {
            // aiortc wrote no candidate in its answer to Firefox (twice).
            candidates: &[],
            ..aiortc("aiortc-answer-to-firefox-offer.sdp", "ZbVY", Active)
        },
        aiortc("aiortc-answer-to-libdatachannel-offer.sdp", "hDJt", Active),
        aiortc("aiortc-answer-to-sanderling-offer.sdp", "8Rkr", Active),
        Expect {
            protocol: SctpProtocol::Legacy,
            ..aiortc("aiortc-answer-to-aiortc-offer-legacy.sdp", "BGXh", Active)
        },
        Expect {
            media: AV_DATA,
            data_index: 2,
            mid: "2",
            bundle: &["0", "1", "2"],
            ..aiortc("aiortc-answer-to-chromium-offer-av.sdp", "p64o", Active)
        },
        // libdatachannel 0.24.5
        libdatachannel("libdatachannel-offer.sdp", "S+NB", Actpass),
        libdatachannel(
            "libdatachannel-answer-to-chromium-offer.sdp",
            "K0Iq",
            Active,
        ),
        libdatachannel("libdatachannel-answer-to-firefox-offer.sdp", "Y582", Active),
        libdatachannel("libdatachannel-answer-to-aiortc-offer.sdp", "YP1t", Active),
        libdatachannel(
            "libdatachannel-answer-to-sanderling-offer.sdp",
            "iHve",
            Active,
        ),
        Expect {
            protocol: SctpProtocol::Legacy,
            ..libdatachannel(
                "libdatachannel-answer-to-aiortc-offer-legacy.sdp",
                "WN1h",
                Active,
            )
        },
        Expect {
            media: AV_DATA,
            data_index: 2,
            mid: "2",
            bundle: &["0", "1", "2"],
            candidates: &[],
            end_of_candidates: false,
            ..libdatachannel(
                "libdatachannel-answer-to-chromium-offer-av.sdp",
                "xFMr",
                Active,
            )
        },
        // Not a capture: our DataDescriptionBuilder's offer (the
        // data_description example), the input for the answers above.
        Expect {
            candidates: &[],
            ..data_only("sanderling-offer.sdp", "sndl", Actpass, true, false)
        },
    ]
}

#[test]
fn every_fixture_has_expectations() {
    let expected: Vec<&str> = expectations().iter().map(|e| e.file).collect();
    for name in all_fixtures() {
        assert!(
            expected.contains(&name.as_str()),
            "{name} has no expectations"
        );
    }
    assert_eq!(expected.len(), all_fixtures().len());
}

#[test]
fn every_fixture_parses_and_round_trips() {
    for name in all_fixtures() {
        let text = read(&name);
        let parsed = SessionDescription::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let written = parsed.to_string();
        // The fixtures are canonical: writing gives back the exact bytes.
        assert_eq!(written, text, "{name}: serialised text differs");
        assert_eq!(
            SessionDescription::parse(&written).unwrap(),
            parsed,
            "{name}"
        );
        // LF line endings parse to the same model.
        let lf = text.replace("\r\n", "\n");
        assert_eq!(
            SessionDescription::parse(&lf).unwrap(),
            parsed,
            "{name} (LF)"
        );
        // And bytes the same as text.
        assert_eq!(
            SessionDescription::parse_bytes(text.as_bytes()).unwrap(),
            parsed
        );
    }
}

#[test]
fn typed_values_per_fixture() {
    for e in expectations() {
        let name = e.file;
        let desc =
            SessionDescription::parse(&read(name)).unwrap_or_else(|err| panic!("{name}: {err}"));
        let kinds: Vec<&str> = desc.media.iter().map(|m| m.media.as_str()).collect();
        assert_eq!(kinds, e.media, "{name}: media kinds");

        let data = desc
            .data_section()
            .unwrap_or_else(|| panic!("{name}: no data section"));
        assert_eq!(data.index(), e.data_index, "{name}: data index");
        assert_eq!(data.mid(), Some(e.mid), "{name}: mid");
        assert_eq!(data.protocol(), e.protocol, "{name}: protocol");
        assert_eq!(data.ice_ufrag(), Some(e.ufrag), "{name}: ufrag");
        assert!(data.ice_pwd().is_some_and(|p| p.len() >= 22), "{name}: pwd");
        let algorithms: Vec<String> = data
            .fingerprints()
            .into_iter()
            .map(|f| f.algorithm)
            .collect();
        assert_eq!(algorithms, e.fingerprints, "{name}: fingerprint algorithms");
        for f in data.fingerprints() {
            let expected_len = match f.algorithm.as_str() {
                "sha-256" => 32,
                "sha-384" => 48,
                _ => 64,
            };
            assert_eq!(
                f.bytes().map(|b| b.len()),
                Some(expected_len),
                "{name}: {f}"
            );
        }
        assert_eq!(data.setup(), Some(e.setup), "{name}: setup");
        assert_eq!(data.sctp_port(), e.sctp_port, "{name}: sctp port");
        assert_eq!(
            data.max_message_size(),
            e.max_message_size,
            "{name}: max message size"
        );
        assert_eq!(data.trickle(), e.trickle, "{name}: trickle");
        assert!(!data.ice_lite(), "{name}: ice-lite");
        assert_eq!(
            data.end_of_candidates(),
            e.end_of_candidates,
            "{name}: end-of-candidates"
        );
        let bundle = desc
            .bundle_group()
            .unwrap_or_else(|| panic!("{name}: no BUNDLE"));
        assert_eq!(bundle.mids, e.bundle, "{name}: BUNDLE");
        assert_eq!(
            data.bundle_group(),
            Some(bundle),
            "{name}: data section bundled"
        );
        assert!(!data.media().is_rejected(), "{name}: rejected");

        let candidates: Vec<Candidate> = data.candidates().collect();
        let shape: Vec<(Transport, Option<TcpType>)> = candidates
            .iter()
            .map(|c| (c.transport.clone(), c.tcp_type))
            .collect();
        assert_eq!(shape, e.candidates, "{name}: candidates");
        for c in &candidates {
            assert_eq!(c.typ, CandidateType::Host, "{name}: {c}");
            assert_eq!(c.component, 1, "{name}: {c}");
            assert_eq!(c.address.is_mdns(), e.mdns, "{name}: {c}");
            if !e.mdns {
                assert_eq!(
                    c.address.ip(),
                    Some("198.18.0.1".parse().unwrap()),
                    "{name}: {c}"
                );
            }
            assert_eq!(
                Candidate::parse(&c.to_string()).as_ref(),
                Ok(c),
                "{name}: {c}"
            );
        }
        // Every candidate line in the whole description parses.
        let total: usize = desc.media.iter().map(|m| m.candidates().count()).sum();
        let lines = read(name).matches("\na=candidate:").count();
        assert_eq!(total, lines, "{name}: candidate lines");
    }
}

#[test]
fn legacy_forms_keep_their_sctpmap() {
    let streams = |name: &str| {
        let desc = SessionDescription::parse(&read(name)).unwrap();
        let data = desc.data_section().unwrap();
        let map = data.sctpmap().unwrap();
        assert_eq!(
            (map.port, map.protocol.as_str()),
            (5000, "webrtc-datachannel"),
            "{name}"
        );
        assert_eq!(data.media().formats, ["5000"], "{name}");
        map.streams
    };
    assert_eq!(streams("aiortc-offer-legacy.sdp"), Some(65535));
    assert_eq!(
        streams("chromium-answer-to-aiortc-offer-legacy.sdp"),
        Some(65535)
    );
    assert_eq!(
        streams("firefox-answer-to-aiortc-offer-legacy.sdp"),
        Some(2048)
    );
    assert_eq!(
        streams("libdatachannel-answer-to-aiortc-offer-legacy.sdp"),
        Some(65535)
    );
    // libdatachannel writes a=sctp-port beside the sctpmap.
    let desc = SessionDescription::parse(&read("libdatachannel-answer-to-aiortc-offer-legacy.sdp"))
        .unwrap();
    assert_eq!(
        desc.data_section().unwrap().media().sctp_port_attribute(),
        Some(5000)
    );
}

#[test]
fn session_level_attributes_are_inherited() {
    // Firefox and libdatachannel: fingerprint and ice-options at session
    // level, nothing of the kind in the section.
    for name in ["firefox-offer.sdp", "libdatachannel-offer.sdp"] {
        let desc = SessionDescription::parse(&read(name)).unwrap();
        let data = desc.data_section().unwrap();
        assert!(data.media().fingerprints().is_empty(), "{name}");
        assert_eq!(desc.fingerprints().len(), 1, "{name}");
        assert_eq!(data.fingerprints(), desc.fingerprints(), "{name}");
        assert!(data.media().ice_options().is_empty(), "{name}");
        assert!(data.trickle(), "{name}");
    }
    let desc = SessionDescription::parse(&read("libdatachannel-offer.sdp")).unwrap();
    assert_eq!(desc.ice_options(), ["ice2", "trickle"]);
}

#[test]
fn media_sections_are_skipped_gracefully() {
    let desc = SessionDescription::parse(&read("chromium-offer-av.sdp")).unwrap();
    assert_eq!(desc.media.len(), 3);
    assert_eq!(desc.data_sections().count(), 1);
    for view in desc.media_views().take(2) {
        assert!(view.data().is_none());
        assert_eq!(view.media().proto, "UDP/TLS/RTP/SAVPF");
        // Codec lines survive untouched.
        assert!(view.media().attribute_values("rtpmap").count() > 3);
    }
    assert_eq!(desc.media_by_mid("1").unwrap().media().media, "video");
    // Chromium puts a candidate in every section of its offer.
    assert!(desc.media_views().all(|v| v.candidates().count() == 1));
}

#[test]
fn trickled_candidate_strings_parse_and_match_the_sdp() {
    let mut files = 0;
    for entry in fs::read_dir(fixtures_dir()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let Some(stem) = name.strip_suffix(".candidates.txt") else {
            continue;
        };
        files += 1;
        let desc = SessionDescription::parse(&read(&format!("{stem}.sdp"))).unwrap();
        let in_sdp: Vec<Candidate> = desc.media.iter().flat_map(|m| m.candidates()).collect();
        let ufrags: Vec<&str> = desc.media_views().filter_map(|v| v.ice_ufrag()).collect();
        let text = read(&name);
        // Firefox signals the end of each section's gathering with an
        // empty candidate string (the W3C end-of-candidates form), which
        // is not a candidate.
        let ends = text.lines().filter(|l| l.is_empty()).count();
        if stem.starts_with("firefox") {
            assert!(ends >= 1, "{name}: no empty end-of-candidates string");
            assert!(Candidate::parse("").is_err());
        } else {
            assert_eq!(ends, 0, "{name}");
        }
        for line in text.lines().filter(|l| !l.is_empty()) {
            let c = Candidate::parse(line).unwrap_or_else(|e| panic!("{name}: {line}: {e}"));
            assert_eq!(
                Candidate::parse(&c.to_string()).as_ref(),
                Ok(&c),
                "{name}: {line}"
            );
            if stem.starts_with("chromium") {
                // Chromium's order is the canonical one: same text back.
                assert_eq!(c.to_string(), line, "{name}");
                // The trickled form names the ufrag; the SDP line does not.
                assert!(
                    ufrags.contains(&c.ufrag.as_deref().unwrap()),
                    "{name}: {line}"
                );
            }
            // The same candidate is in the description, bar the ufrag.
            let bare = Candidate {
                ufrag: None,
                ..c.clone()
            };
            assert!(in_sdp.contains(&bare), "{name}: {line} not in the SDP");
        }
    }
    assert!(files >= 10, "only {files} candidate files");
}
