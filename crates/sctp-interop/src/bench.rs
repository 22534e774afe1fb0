//! Throughput of an association pair, packets passed directly (no network,
//! no delay, no loss).
//!
//! [`run`] connects a sender and a receiver and moves one workload across:
//! messages of one size on one ordered, reliable stream, keeping the
//! sender's queue topped up to a bound. It measures from the first send to
//! the last delivery. On [`Clock::Real`] it feeds `Instant::now()` to the
//! stacks (the benchmark); on [`Clock::Virtual`] time only jumps to the next
//! timer, so the same driver runs deterministically in tests.
//!
//! The example `sctp_bench` runs it for every implementation in
//! [`implementations`]; adding an implementation there adds it to the table.

use std::time::{Duration, Instant};

use crate::peer::{OutMessage, PeerConfig, PeerEvent, SctpPeer};
use crate::{DcsctpPeer, SanderlingPeer, SctpProtoPeer};

/// Makes a peer from the shared settings.
pub type Factory = fn(&PeerConfig) -> Box<dyn SctpPeer>;

/// An implementation the benchmark can run.
#[derive(Clone, Copy, Debug)]
pub struct Implementation {
    /// Name used on the command line and in the table.
    pub name: &'static str,
    /// Makes one end of an association.
    pub make: Factory,
}

/// Every implementation this crate has an adapter for.
pub fn implementations() -> Vec<Implementation> {
    vec![
        Implementation {
            name: "sanderling",
            make: |c| Box::new(SanderlingPeer::new(c)),
        },
        Implementation {
            name: "dcsctp",
            make: |c| Box::new(DcsctpPeer::new(c)),
        },
        Implementation {
            name: "sctp-proto",
            make: |c| Box::new(SctpProtoPeer::new(c)),
        },
    ]
}

/// Where the driver's `now` comes from.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Clock {
    /// `Instant::now()`; idle waits for a timer sleep (a benchmark).
    Real,
    /// A virtual clock that jumps to the next timer when nothing else can
    /// happen (tests).
    Virtual,
}

/// What to send.
#[derive(Clone, Debug)]
pub struct Workload {
    /// Bytes per message.
    pub message_size: usize,
    /// Stop queueing after this many messages.
    pub max_messages: u64,
    /// Stop queueing after this much time since the first send (real or
    /// virtual); what is queued by then is still delivered and counted.
    pub time_budget: Duration,
    /// Keep at most this many bytes queued at the sender (its buffered
    /// amount), like an application honouring backpressure.
    pub max_queued: usize,
    /// Stream to send on.
    pub stream: u16,
}

/// What a run achieved.
#[derive(Clone, Copy, PartialEq, Debug)]
pub struct Outcome {
    /// Messages delivered (all of those queued).
    pub messages: u64,
    /// Payload bytes delivered.
    pub bytes: u64,
    /// From the first send to the last delivery.
    pub elapsed: Duration,
    /// SCTP packets that crossed, both directions.
    pub packets: u64,
}

impl Outcome {
    /// Payload megabytes (10^6 bytes) per second.
    pub fn megabytes_per_second(&self) -> f64 {
        self.bytes as f64 / 1e6 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// Messages per second.
    pub fn messages_per_second(&self) -> f64 {
        self.messages as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// How long the handshake and the final drain may take.
const GIVE_UP: Duration = Duration::from_secs(30);

struct Driver<'a> {
    sender: &'a mut dyn SctpPeer,
    receiver: &'a mut dyn SctpPeer,
    clock: Clock,
    now: Instant,
    packets: u64,
    delivered: u64,
    delivered_bytes: u64,
    last_delivery: Instant,
    sender_connected: bool,
    receiver_connected: bool,
}

impl Driver<'_> {
    fn tick(&mut self) {
        if self.clock == Clock::Real {
            self.now = Instant::now();
        }
    }

    /// Moves every packet across and handles every event and due timer.
    /// Returns whether anything moved.
    fn exchange(&mut self) -> Result<bool, String> {
        let mut moved = false;
        while let Some(p) = self.sender.poll_packet(self.now) {
            self.receiver.handle_packet(self.now, p);
            self.packets += 1;
            moved = true;
        }
        while let Some(p) = self.receiver.poll_packet(self.now) {
            self.sender.handle_packet(self.now, p);
            self.packets += 1;
            moved = true;
        }
        while let Some(e) = self.receiver.poll_event(self.now) {
            match e {
                PeerEvent::Message {
                    stream, payload, ..
                } => {
                    let index = payload
                        .get(..8)
                        .map(|b| u64::from_be_bytes(b.try_into().expect("8 bytes")));
                    if index != Some(self.delivered) {
                        return Err(format!(
                            "message {} on stream {stream} arrived as {index:?}: lost or reordered",
                            self.delivered
                        ));
                    }
                    self.delivered += 1;
                    self.delivered_bytes += payload.len() as u64;
                    self.last_delivery = self.now;
                }
                PeerEvent::Connected => self.receiver_connected = true,
                PeerEvent::Error(e) => return Err(format!("receiver: {e}")),
                PeerEvent::Closed => return Err("receiver closed".into()),
                _ => {}
            }
        }
        while let Some(e) = self.sender.poll_event(self.now) {
            match e {
                PeerEvent::Connected => self.sender_connected = true,
                PeerEvent::Error(e) => return Err(format!("sender: {e}")),
                PeerEvent::Closed => return Err("sender closed".into()),
                _ => {}
            }
        }
        for peer in [&mut *self.sender, &mut *self.receiver] {
            if peer.poll_timeout().is_some_and(|t| t <= self.now) {
                peer.handle_timeout(self.now);
                moved = true;
            }
        }
        Ok(moved)
    }

    /// Nothing moved: wait for the next timer.
    fn wait(&mut self) -> Result<(), String> {
        let next = [self.sender.poll_timeout(), self.receiver.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
            .ok_or("stalled: no packet to send and no timer on either side")?;
        match self.clock {
            Clock::Virtual => self.now = self.now.max(next),
            Clock::Real => {
                let now = Instant::now();
                if next > now {
                    std::thread::sleep(next - now);
                }
            }
        }
        Ok(())
    }
}

/// Connects `sender` (the initiator) to `receiver`, then runs `workload`.
///
/// # Errors
/// If the handshake or the delivery does not finish within 30 s (of the
/// chosen clock), a message arrives out of order, a stack refuses a send
/// for any reason but a full queue, or either side reports an error.
pub fn run(
    sender: &mut dyn SctpPeer,
    receiver: &mut dyn SctpPeer,
    workload: &Workload,
    clock: Clock,
) -> Result<Outcome, String> {
    let start = Instant::now();
    let mut d = Driver {
        sender,
        receiver,
        clock,
        now: start,
        packets: 0,
        delivered: 0,
        delivered_bytes: 0,
        last_delivery: start,
        sender_connected: false,
        receiver_connected: false,
    };
    d.sender.connect(d.now);
    while !(d.sender_connected && d.receiver_connected) {
        if !d.exchange()? {
            d.wait()?;
        }
        d.tick();
        if d.now - start > GIVE_UP {
            return Err("handshake did not complete".into());
        }
    }

    let mut payload = vec![0xa5; workload.message_size.max(8)];
    let mut queued = 0u64;
    let first_send = d.now;
    let mut sending = true;
    loop {
        while sending {
            if queued >= workload.max_messages || d.now - first_send >= workload.time_budget {
                sending = false;
                break;
            }
            if d.sender.buffered_amount(workload.stream) + payload.len() > workload.max_queued
                && queued > d.delivered
            {
                break;
            }
            payload[..8].copy_from_slice(&queued.to_be_bytes());
            let msg = OutMessage::new(workload.stream, payload.clone());
            match d.sender.send(d.now, msg) {
                Ok(()) => queued += 1,
                // A full queue is backpressure, not a failure.
                Err(_) if queued > d.delivered => break,
                Err(e) => return Err(format!("send: {e}")),
            }
        }
        if !sending && d.delivered == queued {
            break;
        }
        if !d.exchange()? {
            d.wait()?;
        }
        d.tick();
        if !sending && d.now - d.last_delivery.max(first_send) > GIVE_UP {
            return Err(format!(
                "{} of {queued} messages delivered, then nothing for {GIVE_UP:?}",
                d.delivered
            ));
        }
    }
    Ok(Outcome {
        messages: d.delivered,
        bytes: d.delivered_bytes,
        elapsed: d.last_delivery - first_send,
        packets: d.packets,
    })
}
