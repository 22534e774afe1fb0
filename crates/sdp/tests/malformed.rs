//! Malformed descriptions give an `SdpError` naming the right line and
//! saying what is wrong; nothing panics.

use std::fs;
use std::path::Path;

use sanderling_sdp::{ErrorKind, MAX_SDP_BYTES, MAX_SDP_LINES, SdpError, SessionDescription};

const HEAD: &str = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n";

fn err(input: &str) -> SdpError {
    match SessionDescription::parse(input) {
        Ok(d) => panic!("parsed: {d:?}"),
        Err(e) => e,
    }
}

fn invalid_what(e: &SdpError) -> &'static str {
    match &e.kind {
        ErrorKind::Invalid(v) => v.what,
        other => panic!("not Invalid: {other:?} ({e})"),
    }
}

fn chromium_offer() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/chromium-offer.sdp");
    fs::read_to_string(path).unwrap()
}

/// The fixture with line `number` (1-based) replaced.
fn with_line(text: &str, number: usize, line: &str) -> String {
    let mut lines: Vec<&str> = text.split("\r\n").collect();
    lines[number - 1] = line;
    lines.join("\r\n")
}

/// 1-based number of the first line starting with `prefix`.
fn line_of(text: &str, prefix: &str) -> usize {
    text.split("\r\n")
        .position(|l| l.starts_with(prefix))
        .unwrap()
        + 1
}

#[test]
fn empty_input() {
    for input in ["", "\r\n", "\n\n\n"] {
        let e = err(input);
        assert!(matches!(e.kind, ErrorKind::Missing(_)), "{input:?}: {e}");
        assert_eq!(e.text, "");
    }
    assert_eq!(err("").line, 1);
    assert_eq!(err("\n\n\n").line, 4);
}

#[test]
fn missing_or_wrong_first_lines() {
    let e = err("o=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
    assert_eq!((e.line, e.text.as_str()), (1, "o=- 1 2 IN IP4 127.0.0.1"));
    assert!(matches!(e.kind, ErrorKind::Expected(what) if what.contains("v=")));
    assert!(
        e.to_string().starts_with("SDP line 1: expected `v=0`"),
        "{e}"
    );

    let e = err("v=1\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
    assert_eq!((e.line, &e.kind), (1, &ErrorKind::UnsupportedVersion));

    let e = err("v=0\r\ns=-\r\nt=0 0\r\n");
    assert_eq!(e.line, 2);
    assert!(matches!(e.kind, ErrorKind::Expected(what) if what.contains("o=")));

    let e = err("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\nt=0 0\r\n");
    assert_eq!(e.line, 3);
    assert!(matches!(e.kind, ErrorKind::Expected(what) if what.contains("s=")));

    // Input that ends early: the line after the last.
    let e = err("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n");
    assert_eq!((e.line, e.text.as_str()), (3, ""));
    assert!(e.to_string().contains("end of input"), "{e}");
}

#[test]
fn missing_timing() {
    let e = err(
        "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\na=x\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n",
    );
    assert_eq!(e.line, 5);
    assert!(matches!(e.kind, ErrorKind::Missing(what) if what.contains("t=")));
    let e = err("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\na=x\r\n");
    assert_eq!((e.line, e.text.as_str()), (5, ""));
}

#[test]
fn bad_m_line() {
    let offer = chromium_offer();
    let m = line_of(&offer, "m=");
    for bad in [
        "m=application nine UDP/DTLS/SCTP webrtc-datachannel",
        "m=application 70000 UDP/DTLS/SCTP webrtc-datachannel",
        "m=application 9",
        "m=",
        "m=application 9 UDP//SCTP webrtc-datachannel",
    ] {
        let e = err(&with_line(&offer, m, bad));
        assert_eq!((e.line, e.text.as_str()), (m, bad), "{e}");
        assert!(invalid_what(&e).starts_with("m="), "{e}");
    }
}

#[test]
fn bad_candidate_line() {
    let offer = chromium_offer();
    let n = line_of(&offer, "a=candidate:");
    let cases = [
        (
            "a=candidate:3327390950 1 udp 2113937151 x.local 99999 typ host",
            "candidate port",
        ),
        (
            "a=candidate:1 1 udp 99999999999999999999 x.local 5 typ host",
            "candidate priority",
        ),
        ("a=candidate:1 1 udp 1 x.local 5 host", "candidate"),
        ("a=candidate:1 1 udp 1 x.local", "candidate port"),
        ("a=candidate:", "candidate foundation"),
        ("a=candidate", "candidate"),
        (
            "a=candidate:1 1 udp 1 x.local 5 typ host raddr",
            "candidate extension",
        ),
        (
            "a=candidate:1 1 udp 1 x.local 5 typ host tcptype sideways",
            "candidate tcptype",
        ),
    ];
    for (bad, what) in cases {
        let e = err(&with_line(&offer, n, bad));
        assert_eq!((e.line, e.text.as_str()), (n, bad), "{e}");
        assert_eq!(invalid_what(&e), what, "{e}");
    }
}

#[test]
fn bad_webrtc_attributes() {
    let offer = chromium_offer();
    let cases = [
        (
            "a=fingerprint:",
            "a=fingerprint:sha-256 XY:ZZ",
            "fingerprint value",
        ),
        ("a=fingerprint:", "a=fingerprint:sha-256", "fingerprint"),
        ("a=setup:", "a=setup:sometimes", "setup"),
        ("a=sctp-port:", "a=sctp-port:65536", "sctp-port"),
        ("a=sctp-port:", "a=sctp-port:-1", "sctp-port"),
        (
            "a=max-message-size:",
            "a=max-message-size:99999999999999999999999",
            "max-message-size",
        ),
        ("a=mid:", "a=mid:", "mid"),
        ("a=ice-ufrag:", "a=ice-ufrag", "ice-ufrag"),
        ("a=group:", "a=group:", "group"),
        ("a=ice-options:", "a=ice-options:", "ice-options"),
    ];
    for (prefix, bad, what) in cases {
        let n = line_of(&offer, prefix);
        let e = err(&with_line(&offer, n, bad));
        assert_eq!((e.line, e.text.as_str()), (n, bad), "{e}");
        assert_eq!(invalid_what(&e), what, "{e}");
    }
    let e = err(&format!("{HEAD}a=sctpmap:5000\r\n"));
    assert_eq!((e.line, invalid_what(&e)), (5, "sctpmap protocol"));
    let e = err(&format!("{HEAD}a=bad name:x\r\n"));
    assert_eq!((e.line, invalid_what(&e)), (5, "attribute name"));
    let e = err(&format!("{HEAD}a=:x\r\n"));
    assert_eq!((e.line, invalid_what(&e)), (5, "attribute name"));
}

#[test]
fn huge_numbers() {
    let cases = [
        (
            "o=- 99999999999999999999 2 IN IP4 127.0.0.1",
            2,
            "o= session id",
        ),
        (
            "o=- 1 18446744073709551616 IN IP4 127.0.0.1",
            2,
            "o= session version",
        ),
        ("t=99999999999999999999 0", 4, "t= start time"),
        ("t=0 -1", 4, "t= stop time"),
    ];
    for (bad, n, what) in cases {
        let text = with_line(HEAD, n, bad);
        let e = err(&text);
        assert_eq!((e.line, invalid_what(&e)), (n, what), "{e}");
    }
    let e = err(&format!("{HEAD}b=AS:184467440737095516160\r\n"));
    assert_eq!((e.line, invalid_what(&e)), (5, "b= bandwidth"));
    let e = err(&format!("{HEAD}m=audio 9/99999 RTP/AVP 0\r\n"));
    assert_eq!((e.line, invalid_what(&e)), (5, "m= port count"));
}

#[test]
fn garbage_lines() {
    let e = err(&format!("{HEAD}hello world\r\n"));
    assert_eq!((e.line, &e.kind), (5, &ErrorKind::Syntax));
    let e = err(&format!("{HEAD}=x\r\n"));
    assert_eq!((e.line, &e.kind), (5, &ErrorKind::Syntax));
    let e = err(&format!("{HEAD}a\r\n"));
    assert_eq!((e.line, &e.kind), (5, &ErrorKind::Syntax));
    let e = err(&format!("{HEAD}x=foo\r\n"));
    assert_eq!((e.line, &e.kind), (5, &ErrorKind::UnknownType('x')));
    let e = err(&format!("{HEAD}A=foo\r\n"));
    assert_eq!((e.line, &e.kind), (5, &ErrorKind::UnknownType('A')));
    let e = err(&format!("{HEAD}é=foo\r\n"));
    assert_eq!((e.line, &e.kind), (5, &ErrorKind::Syntax));
    let e = err(&format!("{HEAD} a=foo\r\n"));
    assert_eq!((e.line, &e.kind), (5, &ErrorKind::Syntax));
    let e = err(&format!("\u{feff}{HEAD}"));
    assert_eq!(e.line, 1);
}

#[test]
fn control_characters_and_non_utf8() {
    for bad in ["a=x\0y", "a=x\u{1}", "a=x\ry", "a=x\u{7f}", "a=x\u{1b}[31m"] {
        let e = err(&format!("{HEAD}{bad}\r\n"));
        assert_eq!(
            (e.line, &e.kind),
            (5, &ErrorKind::ControlCharacter),
            "{bad:?}"
        );
    }
    // Tabs are allowed (and separate fields).
    assert!(SessionDescription::parse(&format!("{HEAD}a=x:\ty\r\n")).is_ok());

    let mut bytes = chromium_offer().into_bytes();
    let n = 7;
    let start = bytes
        .split(|&b| b == b'\n')
        .take(n - 1)
        .map(|l| l.len() + 1)
        .sum::<usize>();
    bytes.splice(start + 2..start + 2, [0xFF, 0xFE, 0xC3]);
    let e = SessionDescription::parse_bytes(&bytes).unwrap_err();
    assert_eq!((e.line, &e.kind), (n, &ErrorKind::InvalidUtf8));
    assert!(e.text.starts_with("a=\u{FFFD}"), "{e}");

    let e = SessionDescription::parse_bytes(&[0x80; 64]).unwrap_err();
    assert_eq!((e.line, &e.kind), (1, &ErrorKind::InvalidUtf8));
}

#[test]
fn misplaced_and_duplicate_lines() {
    let m = "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n";
    let e = err(&format!("{HEAD}{m}t=0 0\r\n"));
    assert_eq!(e.line, 6);
    assert!(matches!(e.kind, ErrorKind::Misplaced(_)), "{e}");
    let e = err(&format!("{HEAD}{m}o=- 1 2 IN IP4 127.0.0.1\r\n"));
    assert!(matches!(e.kind, ErrorKind::Misplaced(_)), "{e}");
    let e = err("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nr=7d 1h 0 25h\r\nt=0 0\r\n");
    assert_eq!(e.line, 4);
    assert!(matches!(e.kind, ErrorKind::Misplaced(_)), "{e}");
    let e = err(&format!("{HEAD}i=one\r\ni=two\r\n"));
    assert_eq!((e.line, &e.kind), (6, &ErrorKind::Duplicate("`i=` line")));
    let e = err(&format!("{HEAD}c=IN IP4 0.0.0.0\r\nc=IN IP4 0.0.0.0\r\n"));
    assert_eq!(e.line, 6);
    let e = err(&format!("{HEAD}{m}i=one\r\ni=two\r\n"));
    assert_eq!(e.line, 7);
    let e = err(&format!("{HEAD}v=0\r\n"));
    assert_eq!((e.line, &e.kind), (5, &ErrorKind::Duplicate("`v=` line")));
    // Two c= lines in a media section are fine (RFC 8866 multicast).
    assert!(
        SessionDescription::parse(&format!("{HEAD}{m}c=IN IP4 0.0.0.0\r\nc=IN IP6 ::\r\n")).is_ok()
    );
}

#[test]
fn blank_lines_count_toward_line_numbers() {
    let e = err("v=0\n\no=- 1 2 IN IP4 127.0.0.1\n\r\ns=-\nt=0 0\n\nbad\n");
    assert_eq!((e.line, e.text.as_str()), (8, "bad"));
    // LF, CRLF and a missing final newline all parse.
    let d = SessionDescription::parse("v=0\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\nt=0 0").unwrap();
    assert_eq!(d.origin.session_version, 2);
}

#[test]
fn too_large_and_too_many_lines() {
    let pad = format!("a=x-pad:{}\r\n", "p".repeat(990)); // 1000 bytes a line
    let lines = MAX_SDP_BYTES / pad.len() + 2;
    let big = format!("{HEAD}{}", pad.repeat(lines));
    let e = err(&big);
    assert_eq!(e.kind, ErrorKind::TooLarge);
    // The line holding byte MAX_SDP_BYTES (the first one past the limit).
    let expected = big.as_bytes()[..MAX_SDP_BYTES]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1;
    assert_eq!(e.line, expected);
    assert!(
        e.text.starts_with("a=x-pad:ppp") && e.text.len() <= 130,
        "{}",
        e.text
    );
    assert_eq!(
        SessionDescription::parse_bytes(big.as_bytes()).unwrap_err(),
        e
    );

    let many = format!("{HEAD}{}", "a=x\n".repeat(MAX_SDP_LINES));
    let e = err(&many);
    assert_eq!(
        (e.line, &e.kind),
        (MAX_SDP_LINES + 1, &ErrorKind::TooManyLines)
    );
    // Exactly at the limit is fine.
    let at_limit = format!("{HEAD}{}", "a=x\n".repeat(MAX_SDP_LINES - 4));
    assert!(SessionDescription::parse(&at_limit).is_ok());
}

#[test]
fn long_lines_are_quoted_short() {
    let e = err(&format!("{HEAD}a=candidate:{}\r\n", "é".repeat(10_000)));
    assert_eq!(e.line, 5);
    assert!(e.text.chars().count() <= 123, "{}", e.text.len());
    assert!(e.text.ends_with("..."));
}
