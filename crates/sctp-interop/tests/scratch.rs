use sanderling_sctp_interop::*;
use std::time::Duration;

fn mk(name: &str) -> Box<dyn SctpPeer> {
    let c = PeerConfig::default();
    match name {
        "d" => Box::new(DcsctpPeer::new(&c)),
        _ => Box::new(SctpProtoPeer::new(&c)),
    }
}

#[test]
fn scratch() {
    for (a, b) in [("d", "d"), ("d", "s"), ("s", "d"), ("s", "s")] {
        let mut p = Pair::new(mk(a), mk(b), 1);
        p.establish(Side::A, Duration::from_secs(30));
        p.send(Side::A, OutMessage::new(1, vec![7; 3000])).unwrap();
        p.send(Side::B, OutMessage::new(2, vec![8; 10])).unwrap();
        p.run_until(Duration::from_secs(10), |p| {
            p.message_count(Side::B) == 1 && p.message_count(Side::A) == 1
        });
        eprintln!("{a}{b} ok at {:?}\n{}", p.elapsed(), p.summary());
        // simultaneous
        let mut p = Pair::new(mk(a), mk(b), 1);
        p.connect_both();
        let ok = p.try_run_until(Duration::from_secs(120), |p| {
            p.is_connected(Side::A) && p.is_connected(Side::B)
        });
        eprintln!(
            "{a}{b} simultaneous: {ok} at {:?}\n{}",
            p.elapsed(),
            p.summary()
        );
        // ppid
        let mut p = Pair::new(mk(a), mk(b), 1);
        p.establish(Side::A, Duration::from_secs(30));
        let r = p.send(Side::A, OutMessage::new(1, vec![7; 30]).ppid(1234));
        p.run_for(Duration::from_secs(2));
        eprintln!(
            "{a}{b} ppid 1234: {r:?} {:?}",
            p.messages(Side::B).map(|m| m.ppid).collect::<Vec<_>>()
        );
    }
}
