//! The driver: one task per connection that owns the sockets and moves
//! datagrams, timers and events between them and the peer core.
//!
//! Each turn: under the lock, fire due timers, hand received datagrams to
//! the core, move its events into the application's queues and take every
//! datagram it wants sent; then, without the lock, send them (batched);
//! then wait for a socket to be readable, the core's next timeout, or a
//! wake-up from a user call. Output is flushed the moment a layer makes it.

use std::future::poll_fn;
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::Poll;
use std::time::Instant;

use bytes::Bytes;

use crate::shared::Shared;
use crate::socket::{Receiver, Sender, Socket};

/// Receive batches read per wake-up before the core runs (so timers and
/// output are never starved by a busy socket).
const MAX_BATCHES_PER_TURN: usize = 4;

enum Wake {
    User,
    Readable(usize),
    Timer,
}

pub(crate) async fn run(shared: Arc<Shared>, sockets: Vec<Socket>) {
    let mut sender = Sender::default();
    let mut receiver = Receiver::new();
    let mut received: Vec<(SocketAddr, SocketAddr, Bytes)> = Vec::new();
    let sleep = tokio::time::sleep(std::time::Duration::from_secs(3600));
    tokio::pin!(sleep);
    let mut next_socket = 0;
    loop {
        // The core's turn.
        let (deadline, closed, pushed) = {
            let mut st = shared.lock();
            let now = Instant::now();
            for (local, remote, datagram) in received.drain(..) {
                if st.closed {
                    break;
                }
                st.peer.handle_input(now, local, remote, datagram);
            }
            if st.peer.poll_timeout().is_some_and(|t| t <= now) {
                st.peer.handle_timeout(now);
            }
            st.drain_events();
            while let Some(t) = st.peer.poll_transmit(now) {
                sender.push(t);
            }
            // Sending may have made events (a channel's buffered amount low).
            st.drain_events();
            st.window_update = false;
            (st.peer.poll_timeout(), st.closed, st.take_events_pushed())
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
        // Wait for the next thing to do.
        let woken = shared.wake.notified();
        tokio::pin!(woken);
        match deadline {
            Some(t) => sleep.as_mut().reset(tokio::time::Instant::from_std(t)),
            None => sleep
                .as_mut()
                .reset(tokio::time::Instant::now() + std::time::Duration::from_secs(3600)),
        }
        let wake = poll_fn(|cx| {
            if woken.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Wake::User);
            }
            for k in 0..sockets.len() {
                let i = (next_socket + k) % sockets.len();
                if sockets[i].io.poll_recv_ready(cx).is_ready() {
                    return Poll::Ready(Wake::Readable(i));
                }
            }
            if sleep.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Wake::Timer);
            }
            Poll::Pending
        })
        .await;
        match wake {
            Wake::User | Wake::Timer => {}
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
    // Closed: the last datagrams (ABORT, close_notify) went out above.
    let st = shared.lock();
    for entry in st.channels.values() {
        entry.notify.notify_waiters();
    }
    drop(st);
    shared.events.notify_waiters();
    tracing::debug!("driver stopped");
}
