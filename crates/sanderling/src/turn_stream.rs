//! TURN over TCP and TLS: one TCP connection per stream relay, opened when
//! the core asks (`PeerEvent::ConnectTurnServer`).
//!
//! The TURN client in the core frames the messages and runs rustls, so a
//! connection only moves opaque bytes. Each runs in a task of its own that
//! writes what the driver hands it and reads into one bounded channel the
//! driver drains; the driver never waits on a connection. Both directions
//! are bounded: the driver takes bytes out of the core only while the
//! connection's queue has room (then the TURN client holds them, up to its
//! own bound), and a connection stops reading while the driver is behind,
//! which leaves flow control to TCP.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use sanderling_rtc::{Peer, RelayId};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::shared::Shared;

/// Chunks queued towards one connection.
const OUT_CHUNKS: usize = 64;
/// Reads queued towards the driver, all connections together.
const IN_CHUNKS: usize = 64;
/// Bytes read at a time.
const READ_CHUNK: usize = 16 * 1024;
/// How long connecting may take before the relay is given up (the TURN
/// client's own timeout then covers a server that accepts and says nothing).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a closed connection's last bytes (the allocation's deletion,
/// TLS close_notify) may take to write.
const LINGER: Duration = Duration::from_secs(5);

/// What a connection tells the driver.
#[derive(Debug)]
pub(crate) enum StreamInput {
    /// Bytes read.
    Data(RelayId, Bytes),
    /// The connection ended or could not be made (`Some`: why it failed).
    Closed(RelayId, Option<String>),
}

/// The driver's stream relays.
#[derive(Debug)]
pub(crate) struct TurnStreams {
    writers: HashMap<RelayId, mpsc::Sender<Bytes>>,
    /// The connections' reads, made with the first connection (most
    /// connections never have one, and an idle channel costs 2 KiB).
    input: Option<(mpsc::Sender<StreamInput>, mpsc::Receiver<StreamInput>)>,
    tasks: Vec<JoinHandle<()>>,
}

impl TurnStreams {
    pub(crate) fn new() -> Self {
        Self {
            writers: HashMap::new(),
            input: None,
            tasks: Vec::new(),
        }
    }

    /// The next read of a connection, if one is waiting.
    pub(crate) fn try_recv(&mut self) -> Option<StreamInput> {
        self.input.as_mut()?.1.try_recv().ok()
    }

    /// Waits for the next read of a connection (never ready without one).
    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<StreamInput>> {
        match &mut self.input {
            Some((_, rx)) => rx.poll_recv(cx),
            None => Poll::Pending,
        }
    }

    /// Opens the connection of `relay` to `server` (in the background).
    pub(crate) fn connect(&mut self, relay: RelayId, server: SocketAddr, shared: &Arc<Shared>) {
        if self.writers.contains_key(&relay) {
            return;
        }
        let (tx, rx) = mpsc::channel(OUT_CHUNKS);
        self.writers.insert(relay, tx);
        let input_tx = self
            .input
            .get_or_insert_with(|| mpsc::channel(IN_CHUNKS))
            .0
            .clone();
        let task = tokio::spawn(connection(relay, server, rx, input_tx, shared.clone()));
        self.tasks.push(task);
    }

    /// Moves the core's stream bytes to the connections with room (under
    /// the lock).
    pub(crate) fn flush(&mut self, peer: &mut Peer, now: Instant) {
        for (&relay, tx) in &self.writers {
            while let Ok(permit) = tx.try_reserve() {
                match peer.poll_stream_transmit(now, relay) {
                    Some(bytes) => permit.send(bytes),
                    None => break,
                }
            }
        }
    }

    /// The connection is closed: what was queued is written (for a while),
    /// then every connection ends.
    pub(crate) fn finish(self) {
        drop(self.writers);
        let tasks = self.tasks;
        if tasks.is_empty() {
            return;
        }
        tokio::spawn(async move {
            tokio::time::sleep(LINGER).await;
            for t in tasks {
                t.abort();
            }
        });
    }
}

/// One connection: connect, then write and read until either side ends.
async fn connection(
    relay: RelayId,
    server: SocketAddr,
    mut out: mpsc::Receiver<Bytes>,
    input: mpsc::Sender<StreamInput>,
    shared: Arc<Shared>,
) {
    let stream = match tokio::time::timeout(CONNECT_TIMEOUT, TcpStream::connect(server)).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            let why = format!("cannot connect to TURN server {server} over TCP: {e}");
            let _ = input.send(StreamInput::Closed(relay, Some(why))).await;
            return;
        }
        Err(_) => {
            let why = format!("connecting to TURN server {server} timed out");
            let _ = input.send(StreamInput::Closed(relay, Some(why))).await;
            return;
        }
    };
    // TURN messages are small and latency matters (ICE checks, DTLS).
    let _ = stream.set_nodelay(true);
    let (mut rd, mut wr) = stream.into_split();
    let writer = async {
        let mut buf = Vec::new();
        loop {
            let Some(first) = out.recv().await else {
                // The peer connection is gone: end our side.
                let _ = wr.shutdown().await;
                return None;
            };
            buf.clear();
            buf.extend_from_slice(&first);
            let mut taken = 1;
            while let Ok(more) = out.try_recv() {
                buf.extend_from_slice(&more);
                taken += 1;
            }
            if let Err(e) = wr.write_all(&buf).await {
                return Some(format!("writing to TURN server {server}: {e}"));
            }
            // The driver stops taking bytes out of the core while the queue
            // is full; tell it there is room again.
            if taken >= OUT_CHUNKS / 2 {
                shared.wake_driver();
            }
        }
    };
    let reader = async {
        let mut buf = BytesMut::new();
        loop {
            buf.reserve(READ_CHUNK);
            match rd.read_buf(&mut buf).await {
                Ok(0) => return None,
                Ok(_) => {
                    let data = buf.split().freeze();
                    if input.send(StreamInput::Data(relay, data)).await.is_err() {
                        return None;
                    }
                }
                Err(e) => return Some(format!("reading from TURN server {server}: {e}")),
            }
        }
    };
    let why = tokio::select! {
        why = writer => why,
        why = reader => why,
    };
    let _ = input.send(StreamInput::Closed(relay, why)).await;
}
