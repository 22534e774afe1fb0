//! How much CPU a DTLS connection costs to set up: N full handshakes in
//! one process (client and server, a perfect in-memory path, certificates
//! reused as browsers reuse theirs), for DTLS 1.2 and 1.3, and the cost of
//! generating a certificate.
//!
//! ```sh
//! cargo run --release -p sanderling-dtls --example handshake_bench [N]
//! ```
//!
//! CPU time is the thread's own (Linux `/proc/thread-self/schedstat`);
//! elsewhere the wall clock stands in, which on an idle machine is close
//! for this single-threaded, CPU-bound loop.

use std::time::{Duration, Instant};

use sanderling_dtls::{
    Certificate, DtlsConfig, DtlsRole, DtlsState, DtlsTransport, HashAlgorithm, VersionPolicy,
};

/// CPU time this thread has used, if the OS tells.
fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

struct Clock {
    wall: Instant,
    cpu: Option<Duration>,
}

impl Clock {
    fn start() -> Self {
        Self {
            wall: Instant::now(),
            cpu: thread_cpu(),
        }
    }

    /// (cpu or wall, wall) since start.
    fn elapsed(&self) -> (Duration, Duration) {
        let wall = self.wall.elapsed();
        let cpu = match (self.cpu, thread_cpu()) {
            (Some(a), Some(b)) => b - a,
            _ => wall,
        };
        (cpu, wall)
    }
}

fn ms(d: Duration, n: usize) -> f64 {
    d.as_secs_f64() * 1e3 / n as f64
}

/// One connection: both transports created and driven to Connected.
fn connect(
    version: VersionPolicy,
    ca: &Certificate,
    cb: &Certificate,
) -> (DtlsTransport, DtlsTransport) {
    let now = Instant::now();
    let config = |role, peer: &Certificate| DtlsConfig {
        role,
        version,
        remote_fingerprints: vec![peer.fingerprint(HashAlgorithm::Sha256)],
        ..DtlsConfig::default()
    };
    let mut client = DtlsTransport::new(now, ca, config(DtlsRole::Client, cb)).unwrap();
    let mut server = DtlsTransport::new(now, cb, config(DtlsRole::Server, ca)).unwrap();
    loop {
        let mut moved = false;
        while let Some(d) = client.poll_transmit(now) {
            server.handle_input(now, &d);
            moved = true;
        }
        while let Some(d) = server.poll_transmit(now) {
            client.handle_input(now, &d);
            moved = true;
        }
        if !moved {
            break;
        }
    }
    assert_eq!(client.state(), DtlsState::Connected);
    assert_eq!(server.state(), DtlsState::Connected);
    (client, server)
}

/// Full-size records from client to server: encryption, decryption and
/// everything around them, both ends on this thread.
fn data_path(version: VersionPolicy, ca: &Certificate, cb: &Certificate, records: usize) {
    let (mut client, mut server) = connect(version, ca, cb);
    let now = Instant::now();
    let record = vec![0x5a; client.max_application_data()];
    let mut received = 0usize;
    let clock = Clock::start();
    for _ in 0..records {
        client.send(now, &record).unwrap();
        while let Some(d) = client.poll_transmit(now) {
            server.handle_input(now, &d);
        }
        while let Some(e) = server.poll_event() {
            if let sanderling_dtls::DtlsEvent::ApplicationData(d) = e {
                received += d.len();
            }
        }
    }
    let (cpu, _) = clock.elapsed();
    assert_eq!(received, records * record.len());
    println!(
        "  data path: {}-byte records, {:.2} us CPU per record (send + receive), {:.0} MB/s",
        record.len(),
        cpu.as_secs_f64() * 1e6 / records as f64,
        received as f64 / cpu.as_secs_f64() / 1e6
    );
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("N must be a number"))
        .unwrap_or(500);
    let procs = std::thread::available_parallelism().map_or(0, |p| p.get());
    println!("sanderling-dtls handshake benchmark: {n} connections per version, {procs} CPUs");
    println!("(CPU time of this thread; a connection is both ends, client + server)");

    let gens = n.min(200);
    let clock = Clock::start();
    let certs: Vec<Certificate> = (0..gens)
        .map(|_| Certificate::generate().unwrap())
        .collect();
    let (cpu, wall) = clock.elapsed();
    println!(
        "certificate generation (ECDSA P-256, self-signed): {:.3} ms CPU ({:.3} ms wall) each, {gens} made",
        ms(cpu, gens),
        ms(wall, gens)
    );

    let (ca, cb) = (&certs[0], &certs[1 % gens]);
    let clock = Clock::start();
    let config = |role| DtlsConfig {
        role,
        remote_fingerprints: vec![cb.fingerprint(HashAlgorithm::Sha256)],
        ..DtlsConfig::default()
    };
    for i in 0..n {
        let role = if i % 2 == 0 {
            DtlsRole::Client
        } else {
            DtlsRole::Server
        };
        let t = DtlsTransport::new(Instant::now(), ca, config(role)).unwrap();
        std::hint::black_box(t);
    }
    let (cpu, wall) = clock.elapsed();
    println!(
        "transport creation alone (one end): {:.3} ms CPU ({:.3} ms wall)",
        ms(cpu, n),
        ms(wall, n)
    );

    for (name, version) in [
        ("DTLS 1.2", VersionPolicy::Dtls12),
        ("DTLS 1.3", VersionPolicy::Dtls13),
    ] {
        drop(connect(version, ca, cb)); // warm up
        let clock = Clock::start();
        for _ in 0..n {
            drop(connect(version, ca, cb));
        }
        let (cpu, wall) = clock.elapsed();
        println!(
            "{name} handshake: {:.3} ms CPU per connection ({:.3} ms wall), {:.0} connections/s on one core",
            ms(cpu, n),
            ms(wall, n),
            n as f64 / cpu.as_secs_f64()
        );
        data_path(version, ca, cb, 50 * n);
    }
}
