//! The connection to the server as the client sees it: messages in,
//! messages out, whatever carries them.
//!
//! * UDP: one message per datagram, in and out.
//! * TCP: messages are concatenated on a byte stream; the stun crate's
//!   [`Framer`] splits the received bytes (read boundaries mean nothing).
//! * TLS: the same stream inside a rustls [`ClientConnection`], which is
//!   itself sans-IO: ciphertext from the caller goes in with `read_tls`,
//!   plaintext comes out of its reader into the framer; messages go into its
//!   writer and ciphertext comes out of `write_tls` for the caller to send.
//!   Messages wait in our queue until the handshake is done, so the one
//!   bound on output is ours.

use std::collections::VecDeque;
use std::io::{self, Read, Write};

use bytes::{Buf, Bytes, BytesMut};
use rustls::ClientConnection;
use sanderling_stun::{ChannelData, Frame, Framer};

use super::config::TurnTransport;
use super::error::TurnError;

/// Plaintext read out of rustls at a time.
const TLS_READ_CHUNK: usize = 16 * 1024;

/// One received message.
#[derive(Debug)]
pub(crate) enum Incoming {
    /// A STUN message (not yet parsed).
    Stun(Bytes),
    /// A ChannelData message.
    ChannelData(ChannelData),
    /// Bytes that are neither (datagrams only; a stream fails instead).
    Garbage,
}

/// The transport to the server.
#[derive(Debug)]
pub(crate) struct Carrier {
    kind: Kind,
    /// Messages (plaintext) waiting to be handed out or written to rustls.
    out: VecDeque<Bytes>,
    /// Bytes in `out`.
    out_bytes: usize,
    /// The bound on `out_bytes` for data (control messages always go in).
    max_out_bytes: usize,
}

#[derive(Debug)]
enum Kind {
    Datagram {
        /// The datagram given to [`Carrier::input`], not yet returned.
        pending: Option<Bytes>,
    },
    Stream {
        framer: Framer,
        /// Received bytes not yet pushed into the framer.
        pending: Bytes,
    },
    Tls {
        conn: Box<ClientConnection>,
        framer: Framer,
        /// Received ciphertext not yet given to rustls.
        pending: Bytes,
        /// The server sent close_notify.
        peer_closed: bool,
    },
}

impl Carrier {
    /// A carrier for `transport`.
    pub(crate) fn new(transport: &TurnTransport, max_out_bytes: usize) -> Result<Self, TurnError> {
        let kind = match transport {
            TurnTransport::Udp => Kind::Datagram { pending: None },
            TurnTransport::Tcp => Kind::Stream {
                framer: Framer::new(),
                pending: Bytes::new(),
            },
            TurnTransport::Tls(tls) => {
                let mut conn = ClientConnection::new(tls.config.clone(), tls.server_name.clone())
                    .map_err(|e| TurnError::TlsSetup(e.to_string()))?;
                // Our queue bounds the output; rustls only holds what the
                // handshake or one flush produces.
                conn.set_buffer_limit(None);
                Kind::Tls {
                    conn: Box::new(conn),
                    framer: Framer::new(),
                    pending: Bytes::new(),
                    peer_closed: false,
                }
            }
        };
        Ok(Self {
            kind,
            out: VecDeque::new(),
            out_bytes: 0,
            max_out_bytes,
        })
    }

    /// Whether messages travel on a byte stream (ChannelData is padded).
    pub(crate) fn is_stream(&self) -> bool {
        !matches!(self.kind, Kind::Datagram { .. })
    }

    /// Whether `len` more bytes of data fit in the output.
    pub(crate) fn has_room(&self, len: usize) -> bool {
        self.out_bytes + len <= self.max_out_bytes
    }

    /// Queues a message for the server (the caller checked
    /// [`has_room`](Self::has_room) for data).
    pub(crate) fn send(&mut self, message: Bytes) {
        self.out_bytes += message.len();
        self.out.push_back(message);
    }

    /// Drops every queued message (after a failure).
    pub(crate) fn clear(&mut self) {
        self.out.clear();
        self.out_bytes = 0;
    }

    /// Queues TLS close_notify (after the allocation is deleted).
    pub(crate) fn close(&mut self) {
        if let Kind::Tls { conn, .. } = &mut self.kind {
            conn.send_close_notify();
        }
    }

    /// What to hand the caller next: a datagram (UDP) or bytes to write
    /// (TCP, TLS).
    pub(crate) fn poll_transmit(&mut self) -> Option<Bytes> {
        match &mut self.kind {
            Kind::Datagram { .. } | Kind::Stream { .. } => {
                let m = self.out.pop_front()?;
                self.out_bytes -= m.len();
                Some(m)
            }
            Kind::Tls { conn, .. } => {
                if !conn.is_handshaking() {
                    while let Some(m) = self.out.pop_front() {
                        self.out_bytes -= m.len();
                        // Unbounded buffer: the write takes everything.
                        let _ = conn.writer().write_all(&m);
                    }
                }
                if !conn.wants_write() {
                    return None;
                }
                let mut buf = Vec::new();
                while conn.wants_write() {
                    match conn.write_tls(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                }
                (!buf.is_empty()).then(|| Bytes::from(buf))
            }
        }
    }

    /// Takes bytes from the server: a datagram, or the next bytes of the
    /// stream. Messages come out of [`next`](Self::next).
    pub(crate) fn input(&mut self, data: Bytes) {
        match &mut self.kind {
            Kind::Datagram { pending } => *pending = Some(data),
            Kind::Stream { pending, .. } | Kind::Tls { pending, .. } => {
                if pending.is_empty() {
                    *pending = data;
                } else {
                    // Only if the caller feeds again before draining.
                    let mut joined = BytesMut::with_capacity(pending.len() + data.len());
                    joined.extend_from_slice(pending);
                    joined.extend_from_slice(&data);
                    *pending = joined.freeze();
                }
            }
        }
    }

    /// The next received message, `Ok(None)` when the input is used up, or
    /// an error that ends the connection (stream out of sync, TLS failure,
    /// TLS closed by the server).
    pub(crate) fn next(&mut self) -> Result<Option<Incoming>, TurnError> {
        match &mut self.kind {
            Kind::Datagram { pending } => Ok(pending.take().map(classify_datagram)),
            Kind::Stream { framer, pending } => loop {
                if let Some(frame) = next_frame(framer)? {
                    return Ok(Some(frame));
                }
                if pending.is_empty() {
                    return Ok(None);
                }
                let n = framer.space().min(pending.len());
                if n == 0 {
                    return Err(TurnError::Framing("framer full".into()));
                }
                framer
                    .push(&pending[..n])
                    .map_err(|e| TurnError::Framing(e.to_string()))?;
                pending.advance(n);
            },
            Kind::Tls {
                conn,
                framer,
                pending,
                peer_closed,
            } => loop {
                if let Some(frame) = next_frame(framer)? {
                    return Ok(Some(frame));
                }
                // Plaintext rustls has decrypted.
                let room = framer.space().min(TLS_READ_CHUNK);
                if room > 0 {
                    let mut chunk = [0u8; TLS_READ_CHUNK];
                    match conn.reader().read(&mut chunk[..room]) {
                        Ok(0) => {
                            *peer_closed = true;
                            return Err(TurnError::ConnectionClosed);
                        }
                        Ok(n) => {
                            framer
                                .push(&chunk[..n])
                                .map_err(|e| TurnError::Framing(e.to_string()))?;
                            continue;
                        }
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                        Err(e) => return Err(TurnError::Tls(e.to_string())),
                    }
                } else {
                    return Err(TurnError::Framing("framer full".into()));
                }
                if *peer_closed || pending.is_empty() {
                    return Ok(None);
                }
                // More ciphertext into rustls.
                let mut reader = &pending[..];
                let n = conn
                    .read_tls(&mut reader)
                    .map_err(|e| TurnError::Tls(e.to_string()))?;
                pending.advance(n);
                conn.process_new_packets()
                    .map_err(|e| TurnError::Tls(e.to_string()))?;
            },
        }
    }
}

/// Tells a datagram's kind by its first byte (RFC 7983 ranges).
fn classify_datagram(d: Bytes) -> Incoming {
    match d.first() {
        Some(0x00..=0x03) => Incoming::Stun(d),
        Some(0x40..=0x4F) => match ChannelData::parse(d) {
            Ok(cd) => Incoming::ChannelData(cd),
            Err(_) => Incoming::Garbage,
        },
        _ => Incoming::Garbage,
    }
}

/// The framer's next frame as an [`Incoming`].
fn next_frame(framer: &mut Framer) -> Result<Option<Incoming>, TurnError> {
    match framer.next_frame() {
        Ok(Some(Frame::Stun(b))) => Ok(Some(Incoming::Stun(b))),
        Ok(Some(Frame::ChannelData(cd))) => Ok(Some(Incoming::ChannelData(cd))),
        Ok(None) => Ok(None),
        Err(e) => Err(TurnError::Framing(e.to_string())),
    }
}
