//! The steady data path allocates nothing per packet beyond what the
//! caller keeps: counted with a wrapping global allocator.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use sanderling_sctp::association::{Association, SendOptions};
use sanderling_sctp::event::Event;
use sanderling_sctp::options::{CongestionControl, SctpOptions};
use sanderling_sctp::types::{Ppid, StreamId};

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every method forwards to `System` with the caller's own arguments,
// so `System`'s guarantees hold unchanged; the counter is a relaxed atomic
// increment with no effect on the memory handed out.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same layout contract as our caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: `ptr` came from `System` with `layout`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `a` → `b` with `size`-byte messages and returns (allocations,
/// packets, messages) over the measured part, after a warm-up that lets
/// every queue reach its working size. The clock moves 50 µs per round, so
/// a pacing controller lets data through as a real driver's would.
fn measure(size: usize, congestion: CongestionControl) -> (u64, u64, u64) {
    let t0 = Instant::now();
    let mut a = Association::new(
        t0,
        SctpOptions {
            seed: [1; 32],
            congestion,
            ..SctpOptions::default()
        },
    )
    .unwrap();
    let mut b = Association::new(
        t0,
        SctpOptions {
            seed: [2; 32],
            congestion,
            ..SctpOptions::default()
        },
    )
    .unwrap();
    a.connect(t0);
    b.connect(t0);
    let message = Bytes::from(vec![7u8; size]);
    let mut packets = 0u64;
    let mut delivered = 0u64;
    // What a driver does: send, shuttle packets (dropping them once
    // handed over, as a socket send would), drain events.
    let mut round = |now: Instant, packets: &mut u64, delivered: &mut u64| {
        for _ in 0..4 {
            let _ = a.send(
                now,
                StreamId(1),
                Ppid(53),
                message.clone(),
                SendOptions::default(),
            );
        }
        while let Some(p) = a.poll_transmit(now) {
            *packets += 1;
            b.handle_input(now, p);
        }
        while let Some(p) = b.poll_transmit(now) {
            *packets += 1;
            a.handle_input(now, p);
        }
        while let Some(e) = b.poll_event() {
            if matches!(e, Event::Message(_)) {
                *delivered += 1;
            }
        }
        while a.poll_event().is_some() {}
    };
    let tick = Duration::from_micros(50);
    let mut now = t0;
    for _ in 0..2000 {
        round(now, &mut packets, &mut delivered);
        now += tick;
    }
    let (p0, d0) = (packets, delivered);
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for _ in 0..20_000 {
        round(now, &mut packets, &mut delivered);
        now += tick;
    }
    let allocs = ALLOCATIONS.load(Ordering::Relaxed) - before;
    (allocs, packets - p0, delivered - d0)
}

// One test function: the counter is process-wide, and tests in one binary
// run on parallel threads.
#[test]
fn steady_path_allocations() {
    for cc in [CongestionControl::NewReno, CongestionControl::Bbr] {
        // Small messages share packets: nothing is allocated per packet.
        let (allocs, packets, messages) = measure(100, cc);
        assert_eq!(messages, 80_000, "{cc:?}");
        assert!(packets > 10_000, "{cc:?}");
        assert_eq!(
            allocs, 0,
            "{cc:?}: {allocs} allocations for {packets} packets"
        );

        // Messages are cut to fill packets, so most packet-sized ones arrive
        // in two fragments and are joined once into a buffer of their exact
        // size; the packets themselves still cost (almost) nothing.
        let (allocs, packets, messages) = measure(1000, cc);
        assert_eq!(messages, 80_000, "{cc:?}");
        assert!(
            allocs <= messages + packets / 5,
            "{cc:?}: {allocs} allocations for {packets} packets, {messages} messages"
        );
    }
}
