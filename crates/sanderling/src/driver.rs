//! The driver: one task per connection that owns the sockets and moves
//! datagrams, timers and events between them and the peer core.
//!
//! Each turn: under the lock, fire due timers, hand received datagrams (and
//! bytes read from TURN connections, and mDNS answers) to the core, move
//! its events into the application's queues, start what they ask for (a
//! TURN connection, an mDNS lookup) and take every datagram it wants sent;
//! then, without the lock, send them (batched); then wait for a socket to
//! be readable, a TURN connection's bytes, an mDNS answer, the next
//! timeout, or a wake-up from a user call. Output is flushed the moment a
//! layer makes it.

use std::future::poll_fn;
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::Poll;
use std::time::{Duration, Instant};

use bytes::Bytes;
use sanderling_rtc::ConnectionState;

use crate::mdns::Mdns;
use crate::shared::{Shared, State};
use crate::socket::{Receiver, Sender, Socket};
use crate::turn_stream::{StreamInput, TurnStreams};

/// Receive batches read per wake-up before the core runs (so timers and
/// output are never starved by a busy socket): up to 128 datagrams or GRO
/// batches.
const MAX_BATCHES_PER_TURN: usize = 16;
/// Received bytes the core takes per turn; the rest waits for the next
/// turn, after the other tasks (the application reading its messages) have
/// run, so a turn's deliveries are bounded by bytes rather than by the 16
/// batches of up to 512 KiB a wake-up may read.
const MAX_INPUT_BYTES_PER_TURN: usize = 1024 * 1024;
/// Received bytes after which the core is pumped within a turn: what the
/// input delivered moves through every layer's queue (DTLS records, SCTP
/// messages, data-channel and peer events) to the channel's, and its
/// SACKs are made. Without it, 16 KiB packets of 100-byte messages left a
/// turn's ~10,000 messages in each of those queues at once (peak heap
/// 11 against 6–7 MB); a yield at this size instead cost bulk transfers
/// ~10 % more CPU.
const PUMP_EVERY_INPUT_BYTES: usize = 64 * 1024;
/// Bytes of datagrams the core makes per turn before they are sent: a wide
/// congestion window otherwise has a whole window of records waiting in
/// memory at once.
const MAX_OUTPUT_BYTES_PER_TURN: usize = 256 * 1024;
/// Reads of TURN connections handed to the core per turn.
const MAX_STREAM_INPUTS_PER_TURN: usize = 64;

enum Wake {
    User,
    Readable(usize),
    Stream(StreamInput),
    Mdns,
    Timer,
}

pub(crate) async fn run(shared: Arc<Shared>, sockets: Vec<Socket>, mdns_seed: u16) {
    let mut sender = Sender::default();
    let mut receiver = Receiver::new();
    let mut received: Vec<(SocketAddr, SocketAddr, Bytes)> = Vec::new();
    let mut streams = TurnStreams::new();
    let mut stream_input: Vec<StreamInput> = Vec::new();
    let mut mdns = Mdns::new(
        shared
            .config
            .mdns_destinations
            .iter()
            .filter(|d| d.is_ipv4() || shared.config.ipv6)
            .copied()
            .collect(),
        shared.config.mdns_timeout,
        mdns_seed,
    );
    let mut mdns_readable = false;
    let sleep = tokio::time::sleep(std::time::Duration::from_secs(3600));
    tokio::pin!(sleep);
    let mut next_socket = 0;
    let mut fruitless_spins = 0;
    loop {
        // The core's turn.
        let (deadline, closed, pushed, more_output, spin_until) = {
            let mut st = shared.lock();
            let now = Instant::now();
            let mut take = 0;
            let mut bytes = 0;
            while take < received.len() && bytes < MAX_INPUT_BYTES_PER_TURN {
                bytes += received[take].2.len();
                take += 1;
            }
            let mut output = 0;
            let mut more_output = false;
            let mut since_pump = 0;
            for (local, remote, datagram) in received.drain(..take) {
                if st.closed {
                    break;
                }
                since_pump += datagram.len();
                st.peer.handle_input(now, local, remote, datagram);
                if since_pump >= PUMP_EVERY_INPUT_BYTES {
                    since_pump = 0;
                    more_output |= take_output(&mut st, &mut sender, now, &mut output);
                    st.drain_events();
                }
            }
            while stream_input.len() < MAX_STREAM_INPUTS_PER_TURN {
                match streams.try_recv() {
                    Some(i) => stream_input.push(i),
                    None => break,
                }
            }
            for input in stream_input.drain(..) {
                if st.closed {
                    break;
                }
                match input {
                    StreamInput::Data(relay, data) => st.peer.handle_stream_input(now, relay, data),
                    StreamInput::Closed(relay, why) => {
                        st.peer.handle_stream_closed(now, relay, why)
                    }
                }
            }
            if std::mem::take(&mut mdns_readable) {
                for (name, ip) in mdns.receive() {
                    st.peer.resolve_mdns(&name, Some(ip));
                }
            }
            for name in mdns.handle_timeout(now) {
                tracing::debug!(%name, "mDNS name not resolved");
                st.peer.resolve_mdns(&name, None);
            }
            if st.peer.poll_timeout().is_some_and(|t| t <= now) {
                st.peer.handle_timeout(now);
            }
            st.drain_events();
            // What the events asked for.
            for name in std::mem::take(&mut st.mdns_lookups) {
                if let Err(name) = mdns.start(now, name) {
                    st.peer.resolve_mdns(&name, None);
                }
            }
            for (relay, server) in std::mem::take(&mut st.turn_connects) {
                streams.connect(relay, server, &shared);
            }
            more_output |= take_output(&mut st, &mut sender, now, &mut output);
            streams.flush(&mut st.peer, now);
            // Sending may have made events (a channel's buffered amount low).
            st.drain_events();
            st.window_update = false;
            let deadline = match (st.peer.poll_timeout(), mdns.poll_timeout()) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let budget = if fruitless_spins < MAX_FRUITLESS_SPINS {
                shared.config.connecting_spin
            } else {
                Duration::ZERO
            };
            let spin_until = spin_deadline(st.peer.connection_state(), budget, now, deadline);
            (
                deadline,
                st.closed,
                st.take_events_pushed(),
                more_output,
                spin_until,
            )
        };
        if pushed {
            shared.events.notify_waiters();
        }
        if !sender.is_empty() {
            sender.flush(&sockets).await;
        }
        if closed {
            break;
        }
        if !received.is_empty() || more_output {
            // More input or output is waiting: let the other tasks run first.
            tokio::task::yield_now().await;
            continue;
        }
        // Wait for the next thing to do: while connecting, polling first.
        let woken = shared.wake.notified();
        tokio::pin!(woken);
        let spun = match spin_until {
            Some(until) => {
                let spun = spin(&sockets, woken.as_mut(), until).await;
                fruitless_spins += u32::from(spun.is_none());
                spun
            }
            None => None,
        };
        let wake = if let Some(wake) = spun {
            wake
        } else {
            match deadline {
                Some(t) => sleep.as_mut().reset(tokio::time::Instant::from_std(t)),
                None => sleep
                    .as_mut()
                    .reset(tokio::time::Instant::now() + std::time::Duration::from_secs(3600)),
            }
            poll_fn(|cx| {
                if let Some(wake) = poll_user_or_sockets(cx, woken.as_mut(), &sockets, next_socket)
                {
                    return Poll::Ready(wake);
                }
                if let Poll::Ready(Some(input)) = streams.poll_recv(cx) {
                    return Poll::Ready(Wake::Stream(input));
                }
                if mdns.poll_readable(cx) {
                    return Poll::Ready(Wake::Mdns);
                }
                if sleep.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Wake::Timer);
                }
                Poll::Pending
            })
            .await
        };
        match wake {
            Wake::User | Wake::Timer => {}
            Wake::Stream(input) => stream_input.push(input),
            Wake::Mdns => mdns_readable = true,
            Wake::Readable(i) => {
                next_socket = (i + 1) % sockets.len();
                for _ in 0..MAX_BATCHES_PER_TURN {
                    match receiver.recv(&sockets[i], &mut received) {
                        Ok(_) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                        Err(e) => {
                            // ICMP errors (port unreachable) and the like.
                            tracing::debug!(error = %e, "UDP receive error");
                            break;
                        }
                    }
                }
            }
        }
    }
    // Closed: the last datagrams (ABORT, close_notify) went out above; the
    // TURN connections write what they were given and end.
    streams.finish();
    let st = shared.lock();
    for entry in st.channels.values() {
        entry.notify.notify_waiters();
    }
    drop(st);
    shared.events.notify_waiters();
    tracing::debug!("driver stopped");
}

/// Spins that found nothing after which a connection stops spinning: on
/// a path whose replies take longer than the budget (a WAN), spinning
/// costs at most this many budgets of CPU per connection.
const MAX_FRUITLESS_SPINS: u32 = 8;

/// Until when the driver should poll for input before it sleeps, if at
/// all ([`Configuration::connecting_spin`](crate::Configuration::connecting_spin)):
/// only while the connection is being set up (from the first ICE check
/// until DTLS is done: before it, the waits are for the application's
/// offer/answer, which a spin only takes a core from), and never past the
/// core's next timeout.
fn spin_deadline(
    state: ConnectionState,
    budget: Duration,
    now: Instant,
    timeout: Option<Instant>,
) -> Option<Instant> {
    if budget.is_zero() || state != ConnectionState::Connecting {
        return None;
    }
    // A timeout already due is the next turn's, not a spin's.
    let until = timeout.map_or(now + budget, |t| t.min(now + budget));
    (until > now).then_some(until)
}

/// Polls the sockets and the user's wake-up without sleeping until
/// `until`, yielding to the runtime's other tasks (and its I/O driver)
/// between polls. A sleeping thread's wake-up costs tens of microseconds
/// on a virtual machine, and a handshake waits for the peer some eight
/// times; what arrives within the budget is handled at once. `None` when
/// nothing came.
async fn spin(
    sockets: &[Socket],
    mut woken: std::pin::Pin<&mut tokio::sync::futures::Notified<'_>>,
    until: Instant,
) -> Option<Wake> {
    loop {
        let wake =
            poll_fn(|cx| Poll::Ready(poll_user_or_sockets(cx, woken.as_mut(), sockets, 0))).await;
        if wake.is_some() {
            return wake;
        }
        if Instant::now() >= until {
            return None;
        }
        tokio::task::yield_now().await;
    }
}

/// The user's wake-up, else the first readable socket from `first` on
/// (round robin, so a busy socket does not starve the others): the
/// sources a spin polls, and the first ones a sleeping wait does.
fn poll_user_or_sockets(
    cx: &mut std::task::Context<'_>,
    woken: std::pin::Pin<&mut tokio::sync::futures::Notified<'_>>,
    sockets: &[Socket],
    first: usize,
) -> Option<Wake> {
    if woken.poll(cx).is_ready() {
        return Some(Wake::User);
    }
    (0..sockets.len())
        .map(|k| (first + k) % sockets.len())
        .find(|&i| sockets[i].io.poll_recv_ready(cx).is_ready())
        .map(Wake::Readable)
}

/// Queues the core's datagrams for the flush until `output` (the turn's
/// total so far) reaches [`MAX_OUTPUT_BYTES_PER_TURN`]; true if it stopped
/// there, with more perhaps waiting.
fn take_output(st: &mut State, sender: &mut Sender, now: Instant, output: &mut usize) -> bool {
    while *output < MAX_OUTPUT_BYTES_PER_TURN {
        let Some(t) = st.peer.poll_transmit(now) else {
            return false;
        };
        *output += t.payload.len();
        sender.push(t);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    fn loopback_socket() -> Socket {
        Socket::bind("lo", "127.0.0.1".parse().unwrap(), None, 1 << 16, 0).unwrap()
    }

    #[test]
    fn spinning_is_for_connecting_and_stops_at_the_timeout() {
        let now = Instant::now();
        let budget = Duration::from_micros(150);
        let spin = |state, timeout| spin_deadline(state, budget, now, timeout);
        assert_eq!(spin(ConnectionState::Connecting, None), Some(now + budget));
        assert_eq!(spin(ConnectionState::New, None), None);
        let soon = now + Duration::from_micros(20);
        assert_eq!(spin(ConnectionState::Connecting, Some(soon)), Some(soon));
        assert_eq!(spin(ConnectionState::Connecting, Some(now)), None);
        assert_eq!(spin(ConnectionState::Connected, None), None);
        assert_eq!(spin(ConnectionState::Failed, None), None);
        assert_eq!(
            spin_deadline(ConnectionState::Connecting, Duration::ZERO, now, None),
            None
        );
    }

    #[test]
    fn spinning_returns_what_arrives_or_nothing_at_its_deadline() {
        runtime().block_on(async {
            let sockets = vec![loopback_socket()];
            let notify = tokio::sync::Notify::new();
            let far = Instant::now() + Duration::from_secs(30);
            {
                // Nothing comes: back at the deadline, not before.
                let woken = notify.notified();
                tokio::pin!(woken);
                let until = Instant::now() + Duration::from_millis(2);
                assert!(spin(&sockets, woken.as_mut(), until).await.is_none());
                assert!(Instant::now() >= until);
            }
            {
                // A datagram waiting: read at once (the deadline is far off).
                let peer = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
                peer.send_to(b"x", sockets[0].local).unwrap();
                let woken = notify.notified();
                tokio::pin!(woken);
                let wake = spin(&sockets, woken.as_mut(), far).await;
                assert!(matches!(wake, Some(Wake::Readable(0))));
                assert!(Instant::now() < far);
            }
            {
                // A user call's wake-up ends it too.
                notify.notify_one();
                let woken = notify.notified();
                tokio::pin!(woken);
                let wake = spin(&sockets, woken.as_mut(), far).await;
                assert!(matches!(wake, Some(Wake::User)));
            }
        });
    }
}
