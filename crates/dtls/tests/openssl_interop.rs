//! In-process interop against OpenSSL (the system's libssl, 3.x): DTLS 1.2
//! over an in-memory datagram transport, each side as client and as server.
//!
//! OpenSSL runs on its own `SslStream` over [`Wire`], a `Read + Write`
//! where every write is one datagram and every read returns one; our
//! transport runs on a virtual clock. Both sides check the other's
//! certificate by its SHA-256 fingerprint (OpenSSL in a verify callback
//! that accepts the self-signed certificate only if the digest matches),
//! exchange data both ways, and export the same DTLS-SRTP keying material.

use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::ssl::{
    ErrorCode, Ssl, SslContextBuilder, SslMethod, SslOptions, SslStream, SslVerifyMode, SslVersion,
};
use openssl::x509::X509;
use sanderling_dtls::{
    Certificate, DtlsConfig, DtlsError, DtlsEvent, DtlsRole, DtlsState, DtlsTransport, DtlsVersion,
    HashAlgorithm,
};

const MTU: usize = 1200;
const SRTP_LABEL: &str = "EXTRACTOR-dtls_srtp";

/// A datagram-preserving in-memory link for OpenSSL's side.
#[derive(Debug, Default)]
struct Wire {
    /// Datagrams for OpenSSL to read.
    inbox: VecDeque<Vec<u8>>,
    /// Datagrams OpenSSL wrote.
    outbox: VecDeque<Vec<u8>>,
}

impl Read for Wire {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(d) = self.inbox.pop_front() else {
            return Err(io::ErrorKind::WouldBlock.into());
        };
        assert!(
            d.len() <= buf.len(),
            "OpenSSL read buffer smaller than a datagram"
        );
        buf[..d.len()].copy_from_slice(&d);
        Ok(d.len())
    }
}

impl Write for Wire {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        assert!(buf.len() <= MTU, "OpenSSL wrote {} bytes", buf.len());
        self.outbox.push_back(buf.to_vec());
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// What OpenSSL's verify callback saw.
#[derive(Debug, Default)]
struct Seen {
    calls: usize,
    matched: bool,
}

struct OpenSsl {
    stream: SslStream<Wire>,
    seen: Arc<Mutex<Seen>>,
    handshake_done: bool,
    handshake_error: Option<String>,
    received: Vec<Vec<u8>>,
    got_close_notify: bool,
}

impl OpenSsl {
    /// OpenSSL in `role` with `own` as its certificate, accepting the peer
    /// only if its certificate's SHA-256 digest is `expect_sha256`.
    fn new(role: DtlsRole, own: &Certificate, expect_sha256: Vec<u8>) -> Self {
        let pem = own.to_pem();
        let mut ctx = SslContextBuilder::new(SslMethod::dtls()).unwrap();
        ctx.set_min_proto_version(Some(SslVersion::DTLS1_2))
            .unwrap();
        ctx.set_max_proto_version(Some(SslVersion::DTLS1_2))
            .unwrap();
        ctx.set_certificate(&X509::from_pem(pem.as_bytes()).unwrap())
            .unwrap();
        ctx.set_private_key(&PKey::private_key_from_pem(pem.as_bytes()).unwrap())
            .unwrap();
        ctx.check_private_key().unwrap();
        ctx.set_tlsext_use_srtp("SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80")
            .unwrap();
        ctx.set_options(SslOptions::NO_QUERY_MTU);
        let seen = Arc::new(Mutex::new(Seen::default()));
        let seen_cb = seen.clone();
        ctx.set_verify_callback(
            SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT,
            move |_preverify, store| {
                // Self-signed: ignore OpenSSL's chain verdict, pin the digest.
                let mut seen = seen_cb.lock().unwrap();
                seen.calls += 1;
                let ok = store
                    .current_cert()
                    .and_then(|c| c.digest(MessageDigest::sha256()).ok())
                    .is_some_and(|d| *d == expect_sha256[..]);
                seen.matched = ok;
                ok
            },
        );
        let mut ssl = Ssl::new(&ctx.build()).unwrap();
        ssl.set_mtu(MTU as u32).unwrap();
        match role {
            DtlsRole::Client => ssl.set_connect_state(),
            DtlsRole::Server => ssl.set_accept_state(),
        }
        Self {
            stream: SslStream::new(ssl, Wire::default()).unwrap(),
            seen,
            handshake_done: false,
            handshake_error: None,
            received: Vec::new(),
            got_close_notify: false,
        }
    }

    /// Lets OpenSSL make progress on what it has read.
    fn step(&mut self) {
        if self.handshake_error.is_some() {
            return;
        }
        if !self.handshake_done {
            match self.stream.do_handshake() {
                Ok(()) => self.handshake_done = true,
                Err(e) if e.code() == ErrorCode::WANT_READ => return,
                Err(e) => {
                    self.handshake_error = Some(e.to_string());
                    return;
                }
            }
        }
        let mut buf = vec![0u8; 1 << 16];
        loop {
            match self.stream.ssl_read(&mut buf) {
                Ok(n) => self.received.push(buf[..n].to_vec()),
                Err(e) if e.code() == ErrorCode::ZERO_RETURN => {
                    self.got_close_notify = true;
                    return;
                }
                Err(e) if e.code() == ErrorCode::WANT_READ => return,
                Err(e) => panic!("OpenSSL read: {e}"),
            }
        }
    }

    fn srtp_profile_name(&self) -> Option<String> {
        self.stream
            .ssl()
            .selected_srtp_profile()
            .map(|p| p.name().to_owned())
    }

    fn export(&self, len: usize) -> Vec<u8> {
        let mut out = vec![0u8; len];
        self.stream
            .ssl()
            .export_keying_material(&mut out, SRTP_LABEL, None)
            .unwrap();
        out
    }
}

/// Our transport and OpenSSL, wired together on a virtual clock.
struct Interop {
    ours: DtlsTransport,
    theirs: OpenSsl,
    now: Instant,
    events: Vec<DtlsEvent>,
    our_certificate: Certificate,
    their_certificate: Certificate,
}

impl Interop {
    /// Our transport in `our_role`; `our_expectation` and
    /// `their_expectation` are the SHA-256 digests each side accepts
    /// (`None`: the other side's real one).
    fn new(
        our_role: DtlsRole,
        our_expectation: Option<Vec<u8>>,
        their_expectation: Option<Vec<u8>>,
    ) -> Self {
        let ours_cert = Certificate::generate().unwrap();
        let theirs_cert = Certificate::generate().unwrap();
        let now = Instant::now();
        let expect = our_expectation.unwrap_or_else(|| {
            theirs_cert
                .fingerprint(HashAlgorithm::Sha256)
                .value()
                .to_vec()
        });
        let config = DtlsConfig {
            role: our_role,
            remote_fingerprints: vec![
                sanderling_dtls::Fingerprint::new(HashAlgorithm::Sha256, expect).unwrap(),
            ],
            mtu: MTU,
            ..DtlsConfig::default()
        };
        let ours = DtlsTransport::new(now, &ours_cert, config).unwrap();
        let their_expect = their_expectation.unwrap_or_else(|| {
            ours_cert
                .fingerprint(HashAlgorithm::Sha256)
                .value()
                .to_vec()
        });
        let theirs = OpenSsl::new(our_role.opposite(), &theirs_cert, their_expect);
        Self {
            ours,
            theirs,
            now,
            events: Vec::new(),
            our_certificate: ours_cert,
            their_certificate: theirs_cert,
        }
    }

    /// One round: OpenSSL reads and writes, we read, time moves 1 ms.
    /// Returns whether anything moved.
    fn round(&mut self) -> bool {
        let mut moved = false;
        while let Some(d) = self.ours.poll_transmit(self.now) {
            assert!(d.len() <= MTU);
            self.theirs.stream.get_mut().inbox.push_back(d.to_vec());
            moved = true;
        }
        self.theirs.step();
        while let Some(d) = self.theirs.stream.get_mut().outbox.pop_front() {
            self.ours.handle_input(self.now, &d);
            moved = true;
        }
        while let Some(e) = self.ours.poll_event() {
            self.events.push(e);
        }
        self.now += Duration::from_millis(1);
        if self.ours.poll_timeout().is_some_and(|t| t <= self.now) {
            self.ours.handle_timeout(self.now);
        }
        moved
    }

    /// Runs until nothing moves for a while.
    fn settle(&mut self) {
        let mut idle = 0;
        for _ in 0..10_000 {
            if self.round() {
                idle = 0;
            } else {
                idle += 1;
                if idle > 5 {
                    return;
                }
            }
        }
        panic!("no quiet after 10000 rounds");
    }

    fn received(&self) -> Vec<Vec<u8>> {
        self.events
            .iter()
            .filter_map(|e| match e {
                DtlsEvent::ApplicationData(d) => Some(d.to_vec()),
                _ => None,
            })
            .collect()
    }
}

fn message(i: usize, len: usize) -> Vec<u8> {
    (0..len).map(|j| (i * 31 + j * 7) as u8).collect()
}

fn full_exchange(our_role: DtlsRole) {
    let mut x = Interop::new(our_role, None, None);
    x.settle();
    assert!(
        x.theirs.handshake_done,
        "OpenSSL: {:?}",
        x.theirs.handshake_error
    );
    assert_eq!(x.ours.state(), DtlsState::Connected, "{:?}", x.ours);

    // Both checked the other's fingerprint.
    let seen = x.theirs.seen.lock().unwrap();
    assert!(seen.calls >= 1 && seen.matched, "OpenSSL's check: {seen:?}");
    drop(seen);
    assert_eq!(x.ours.peer_certificate(), Some(x.their_certificate.der()));
    let ours_at_openssl = x.theirs.stream.ssl().peer_certificate().unwrap();
    assert_eq!(ours_at_openssl.to_der().unwrap(), x.our_certificate.der());

    // Version and SRTP profile agree, and so does the keying material.
    let profile = x.ours.selected_srtp_profile().expect("an SRTP profile");
    assert_eq!(
        x.events.first(),
        Some(&DtlsEvent::Connected {
            version: DtlsVersion::Dtls12,
            srtp_profile: Some(profile)
        })
    );
    assert_eq!(
        x.theirs.srtp_profile_name().as_deref(),
        Some(profile.name())
    );
    let len = profile.keying_material_len();
    let ours = x
        .ours
        .export_keying_material(SRTP_LABEL, None, len)
        .unwrap();
    assert_eq!(ours, x.theirs.export(len), "keying material differs");

    // Data both ways, up to a full record.
    let max = x.ours.max_application_data();
    let sizes = [1, 100, 1000, max];
    for (i, &len) in sizes.iter().enumerate() {
        x.ours.send(x.now, &message(i, len)).unwrap();
        x.theirs.stream.ssl_write(&message(100 + i, len)).unwrap();
    }
    x.settle();
    let want_theirs: Vec<Vec<u8>> = sizes
        .iter()
        .enumerate()
        .map(|(i, &l)| message(i, l))
        .collect();
    let want_ours: Vec<Vec<u8>> = sizes
        .iter()
        .enumerate()
        .map(|(i, &l)| message(100 + i, l))
        .collect();
    assert_eq!(x.theirs.received, want_theirs);
    assert_eq!(x.received(), want_ours);

    // We close: OpenSSL reads close_notify.
    x.ours.close();
    x.settle();
    assert!(x.theirs.got_close_notify);
}

#[test]
fn openssl_server_sanderling_client() {
    full_exchange(DtlsRole::Client);
}

#[test]
fn openssl_client_sanderling_server() {
    full_exchange(DtlsRole::Server);
}

/// OpenSSL closes: we report Closed.
#[test]
fn openssl_close_notify_closes_us() {
    for role in [DtlsRole::Client, DtlsRole::Server] {
        let mut x = Interop::new(role, None, None);
        x.settle();
        assert_eq!(x.ours.state(), DtlsState::Connected);
        x.theirs.stream.ssl_write(b"bye").unwrap();
        let _ = x.theirs.stream.shutdown().unwrap();
        x.settle();
        assert_eq!(x.received(), vec![b"bye".to_vec()]);
        assert_eq!(x.events.last(), Some(&DtlsEvent::Closed), "{role:?}");
        assert_eq!(x.ours.state(), DtlsState::Closed);
    }
}

/// Our side expects another certificate: we fail with the mismatch, send
/// bad_certificate, and OpenSSL's handshake fails on it. No data passes.
#[test]
fn we_refuse_openssl_certificate() {
    for role in [DtlsRole::Client, DtlsRole::Server] {
        let mut x = Interop::new(role, Some(vec![0xab; 32]), None);
        x.settle();
        assert!(
            matches!(
                x.ours.failure(),
                Some(DtlsError::FingerprintMismatch { .. })
            ),
            "{role:?}: {:?}",
            x.ours
        );
        assert!(
            !x.theirs.handshake_done,
            "{role:?}: OpenSSL finished its handshake"
        );
        let err = x.theirs.handshake_error.clone().unwrap_or_default();
        assert!(
            err.contains("bad certificate"),
            "{role:?}: OpenSSL says {err:?}"
        );
        assert!(x.received().is_empty());
    }
}

/// OpenSSL expects another certificate: its verify callback refuses ours,
/// it sends a fatal alert, and we report that alert.
#[test]
fn openssl_refuses_our_certificate() {
    for role in [DtlsRole::Client, DtlsRole::Server] {
        let mut x = Interop::new(role, None, Some(vec![0xcd; 32]));
        x.settle();
        assert!(x.theirs.handshake_error.is_some(), "{role:?}");
        let Some(DtlsError::AlertReceived(alert)) = x.ours.failure().cloned() else {
            panic!("{role:?}: {:?}", x.ours);
        };
        // A certificate alert (OpenSSL 3 sends unknown_ca).
        assert!((42..=48).contains(&alert.0), "{role:?}: {alert}");
        assert!(alert.name().is_some(), "{alert}");
        assert!(
            x.events
                .iter()
                .any(|e| *e == DtlsEvent::Failed(DtlsError::AlertReceived(alert))),
            "{role:?}"
        );
        assert!(x.received().is_empty());
        assert_ne!(x.ours.state(), DtlsState::Connected);
    }
}
