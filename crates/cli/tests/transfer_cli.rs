//! `sanderling send` / `sanderling recv` over Unix-socket signalling: a few
//! MiB arrive, written where asked, with the same SHA-256 on both sides.

mod common;

use common::{Proc, Stream, scratch};

fn sha256_line(p: &mut Proc) -> String {
    p.wait_for(Stream::Out, "sha-256 ")
        .trim_start_matches("sha-256 ")
        .to_owned()
}

/// Bytes that do not compress, different at every offset.
fn content(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x1234_5678;
    (0..len)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 24) as u8
        })
        .collect()
}

#[test]
fn a_file_arrives_whole_into_a_directory() {
    let dir = scratch("transfer-dir");
    let data = content(3 * (1 << 20) + 12_345);
    let src = dir.join("payload.bin");
    std::fs::write(&src, &data).unwrap();
    let out = dir.join("out");
    std::fs::create_dir(&out).unwrap();
    let sock = dir.join("signal.sock");
    let sock = sock.to_str().unwrap();
    let mut recv = Proc::sanderling(&[
        "recv",
        out.to_str().unwrap(),
        "--signaling",
        "unix-socket",
        "--signaling-path",
        sock,
        "--loopback",
    ]);
    let mut send = Proc::sanderling(&[
        "send",
        src.to_str().unwrap(),
        "--signaling",
        "unix-socket",
        "--signaling-path",
        sock,
        "--loopback",
    ]);
    let sent = sha256_line(&mut send);
    let received = sha256_line(&mut recv);
    assert_eq!(sent.len(), 64);
    assert_eq!(sent, received);
    send.wait_for(Stream::Out, "the receiver's SHA-256 matches");
    recv.wait_for(Stream::Out, "the sender's SHA-256 matches; wrote");
    assert!(send.wait().success(), "{}", send.transcript());
    assert!(recv.wait().success(), "{}", recv.transcript());
    // Not a terminal here: progress comes as plain lines on stderr.
    send.wait_for(Stream::Err, "sent 0.8 MiB of 3.0 MiB (");
    recv.wait_for(Stream::Err, "received 0.8 MiB of 3.0 MiB (");
    assert_eq!(std::fs::read(out.join("payload.bin")).unwrap(), data);
    assert!(!out.join("payload.bin.part").exists());
}

#[test]
fn recv_writes_to_the_named_file_when_offering() {
    // Roles the other way round: the receiver offers (listens).
    let dir = scratch("transfer-o");
    let data = content(1 << 20);
    let src = dir.join("a.bin");
    std::fs::write(&src, &data).unwrap();
    let dest = dir.join("renamed.bin");
    let sock = dir.join("s.sock");
    let sock = sock.to_str().unwrap();
    let common = [
        "--signaling",
        "unix-socket",
        "--signaling-path",
        sock,
        "--loopback",
    ];
    let mut recv = Proc::sanderling(
        &[
            &["recv", "-o", dest.to_str().unwrap(), "--role", "offer"][..],
            &common,
        ]
        .concat(),
    );
    let mut send = Proc::sanderling(
        &[
            &["send", src.to_str().unwrap(), "--role", "answer"][..],
            &common,
        ]
        .concat(),
    );
    assert!(send.wait().success(), "{}", send.transcript());
    assert!(recv.wait().success(), "{}", recv.transcript());
    assert_eq!(sha256_line(&mut send), sha256_line(&mut recv));
    assert_eq!(std::fs::read(&dest).unwrap(), data);
}
