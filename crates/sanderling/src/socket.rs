//! UDP sockets: gathering local addresses, binding with our buffer sizes,
//! and batched I/O through quinn-udp (recvmmsg + GRO in, GSO out).

use std::io::{self, IoSliceMut};
use std::net::{IpAddr, SocketAddr, UdpSocket as StdUdpSocket};

use bytes::{Bytes, BytesMut};
use quinn_udp::{RecvMeta, Transmit, UdpSocketState};
use sanderling_ice::IceConfig;
use sanderling_ice::config::AddressFilter;
use socket2::{Domain, Protocol, Socket as RawSocket, Type};
use tokio::io::Interest;
use tokio::net::UdpSocket;

/// Bytes per receive slot: the largest UDP datagram (or a GRO batch of
/// them).
const SLOT: usize = 64 * 1024;
/// Slots per batch read: with GRO each holds up to 64 KiB, so 8 move half
/// a MiB per system call (more slots only held more memory; the driver
/// reads several batches per turn).
const SLOTS: usize = 8;
/// Largest GSO batch we build, in bytes (the kernel's limit is 64 KiB
/// including headers).
const MAX_GSO_BYTES: usize = 60 * 1024;

/// One bound socket.
#[derive(Debug)]
pub(crate) struct Socket {
    pub(crate) io: UdpSocket,
    pub(crate) state: UdpSocketState,
    pub(crate) local: SocketAddr,
    pub(crate) interface: String,
    pub(crate) buffers: SocketBuffers,
}

/// The kernel buffers one of a connection's UDP sockets got
/// ([`PeerConnection::socket_buffers`](crate::PeerConnection::socket_buffers)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SocketBuffers {
    /// The socket's address.
    pub local: SocketAddr,
    /// Receive buffer in bytes, as the kernel reports it (Linux counts
    /// its bookkeeping too: twice what was granted for data).
    pub receive: usize,
    /// Send buffer in bytes, reported the same way.
    pub send: usize,
}

/// The addresses to bind: one per usable interface address, filtered as the
/// ICE agent will filter them. Loopback joins when the configuration asks
/// for it or when nothing else is usable.
pub(crate) fn local_addresses(ice: &IceConfig) -> Vec<(String, IpAddr)> {
    let interfaces = match if_addrs::get_if_addrs() {
        Ok(list) => list,
        Err(e) => {
            tracing::warn!(error = %e, "cannot list interfaces; using loopback");
            Vec::new()
        }
    };
    // Any port inside the range passes the filter's port rule.
    let probe_port = ice.port_range.as_ref().map_or(9, |r| *r.start());
    let usable = |ice: &IceConfig, name: &str, ip: IpAddr| {
        !is_link_local(ip)
            && ice.filter_address(name, SocketAddr::new(ip, probe_port)) == AddressFilter::Accepted
    };
    let mut out: Vec<(String, IpAddr)> = interfaces
        .iter()
        .map(|i| (i.name.clone(), i.ip()))
        .filter(|(name, ip)| usable(ice, name, *ip))
        .collect();
    if out.iter().all(|(_, ip)| ip.is_loopback()) && !ice.include_loopback {
        // Nothing but loopback on this host: use it rather than nothing.
        let mut with_loopback = ice.clone();
        with_loopback.include_loopback = true;
        out = interfaces
            .iter()
            .map(|i| (i.name.clone(), i.ip()))
            .filter(|(name, ip)| ip.is_loopback() && usable(&with_loopback, name, *ip))
            .collect();
        if out.is_empty() {
            out.push(("lo".into(), IpAddr::from([127, 0, 0, 1])));
        }
    }
    out.sort_by_key(|(_, ip)| (ip.is_ipv6(), ip.is_loopback()));
    out.dedup_by_key(|(_, ip)| *ip);
    out
}

fn is_link_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => (v6.segments()[0] & 0xffc0) == 0xfe80,
    }
}

impl Socket {
    /// Binds `ip` on a port of `ports` (any when `None`), with send and
    /// receive buffers of `buffer` bytes. Must run inside a tokio runtime.
    pub(crate) fn bind(
        interface: &str,
        ip: IpAddr,
        ports: Option<&std::ops::RangeInclusive<u16>>,
        buffer: usize,
        start: u16,
    ) -> io::Result<Self> {
        let raw = RawSocket::new(
            Domain::for_address(SocketAddr::new(ip, 0)),
            Type::DGRAM,
            Some(Protocol::UDP),
        )?;
        if ip.is_ipv6() {
            raw.set_only_v6(true)?;
        }
        size_buffers(&raw, buffer);
        raw.set_nonblocking(true)?;
        match ports {
            None => raw.bind(&SocketAddr::new(ip, 0).into())?,
            Some(range) => {
                let (lo, hi) = (u32::from(*range.start()), u32::from(*range.end()));
                let n = hi - lo + 1;
                let mut bound = false;
                let mut last = None;
                for i in 0..n {
                    let port = lo + (u32::from(start) + i) % n;
                    let port = u16::try_from(port).unwrap_or(u16::MAX);
                    match raw.bind(&SocketAddr::new(ip, port).into()) {
                        Ok(()) => {
                            bound = true;
                            break;
                        }
                        Err(e) => last = Some(e),
                    }
                }
                if !bound {
                    return Err(last.unwrap_or_else(|| {
                        io::Error::new(io::ErrorKind::AddrInUse, "port range exhausted")
                    }));
                }
            }
        }
        let std: StdUdpSocket = raw.into();
        let state = UdpSocketState::new((&std).into())?;
        let local = std.local_addr()?;
        let buffers = SocketBuffers {
            local,
            receive: state.recv_buffer_size((&std).into()).unwrap_or(0),
            send: state.send_buffer_size((&std).into()).unwrap_or(0),
        };
        tracing::debug!(
            %local,
            recv_buffer = state.recv_buffer_size((&std).into()).unwrap_or(0),
            send_buffer = state.send_buffer_size((&std).into()).unwrap_or(0),
            gso = state.max_gso_segments(),
            gro = state.gro_segments(),
            "bound UDP socket"
        );
        Ok(Self {
            io: UdpSocket::from_std(std)?,
            state,
            local,
            interface: interface.to_owned(),
            buffers,
        })
    }
}

/// Asks for `buffer` bytes of send and receive buffer. The kernel caps the
/// request at net.core.{r,w}mem_max (often 208 KiB), which is too small
/// for a burst of a full congestion window: the datagrams it drops cost
/// retransmission timeouts. A process allowed to (CAP_NET_ADMIN) goes past
/// the cap with SO_{RCV,SND}BUFFORCE; others keep what the kernel granted.
fn size_buffers(raw: &RawSocket, buffer: usize) {
    let _ = raw.set_recv_buffer_size(buffer);
    let _ = raw.set_send_buffer_size(buffer);
    #[cfg(target_os = "linux")]
    {
        // Linux reports twice the size it was asked for (the doubling
        // pays for its bookkeeping).
        if raw.recv_buffer_size().unwrap_or(0) < buffer {
            let _ = rustix::net::sockopt::set_socket_recv_buffer_size_force(raw, buffer);
        }
        if raw.send_buffer_size().unwrap_or(0) < buffer {
            let _ = rustix::net::sockopt::set_socket_send_buffer_size_force(raw, buffer);
        }
    }
}

/// Where a batch is read into: up to [`SLOTS`] slots of [`SLOT`] bytes
/// (512 KiB). One per runtime thread, shared by every driver
/// that runs there: a batch is read and copied out without an `.await` in
/// between, so no two drivers use it at once, and an idle connection holds
/// none of it. The slots are one zeroed allocation, which the allocator
/// takes fresh from the kernel (calloc of this size is an mmap), so only
/// the pages a datagram was ever written to become resident: a thread
/// that sees single datagrams holds a few KiB of it, not 512.
#[derive(Debug)]
struct Scratch {
    buf: Vec<u8>,
    meta: Vec<RecvMeta>,
}

impl Scratch {
    fn new() -> Self {
        let n = quinn_udp::BATCH_SIZE.clamp(1, SLOTS);
        Self {
            buf: vec![0u8; n * SLOT],
            meta: vec![RecvMeta::default(); n],
        }
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Option<Box<Scratch>>> =
        const { std::cell::RefCell::new(None) };
}

/// Reads received datagrams in batches.
#[derive(Debug, Default)]
pub(crate) struct Receiver;

impl Receiver {
    pub(crate) fn new() -> Self {
        Self
    }

    /// Reads one batch from `socket` without waiting: appends
    /// `(local, remote, datagram)` to `out` and returns how many arrived
    /// (`WouldBlock` when none). One allocation per batch, not per datagram:
    /// what arrived is copied out of the thread's scratch into one buffer
    /// the datagrams are slices of.
    pub(crate) fn recv(
        &mut self,
        socket: &Socket,
        out: &mut Vec<(SocketAddr, SocketAddr, Bytes)>,
    ) -> io::Result<usize> {
        let mut scratch = SCRATCH
            .with(|s| s.borrow_mut().take())
            .unwrap_or_else(|| Box::new(Scratch::new()));
        let result = Self::recv_into(&mut scratch, socket, out);
        SCRATCH.with(|s| *s.borrow_mut() = Some(scratch));
        result
    }

    fn recv_into(
        scratch: &mut Scratch,
        socket: &Socket,
        out: &mut Vec<(SocketAddr, SocketAddr, Bytes)>,
    ) -> io::Result<usize> {
        let mut iov: Vec<IoSliceMut<'_>> = scratch
            .buf
            .chunks_exact_mut(SLOT)
            .map(IoSliceMut::new)
            .collect();
        let meta = &mut scratch.meta;
        let n = socket.io.try_io(Interest::READABLE, || {
            socket.state.recv((&socket.io).into(), &mut iov, meta)
        })?;
        drop(iov);
        let total: usize = scratch.meta[..n].iter().map(|m| m.len).sum();
        let mut buf = BytesMut::with_capacity(total);
        for (slot, m) in scratch.buf.chunks_exact(SLOT).zip(&scratch.meta[..n]) {
            buf.extend_from_slice(&slot[..m.len.min(SLOT)]);
        }
        let all = buf.freeze();
        let mut offset = 0;
        let mut count = 0;
        for m in &scratch.meta[..n] {
            let len = m.len.min(SLOT);
            let stride = if m.stride == 0 { len } else { m.stride };
            let mut at = 0;
            while at < len {
                let end = (at + stride).min(len);
                out.push((socket.local, m.addr, all.slice(offset + at..offset + end)));
                count += 1;
                at = end;
            }
            offset += len;
        }
        Ok(count)
    }
}

/// Outgoing datagrams waiting for a flush; consecutive ones with the same
/// path and size go out in one GSO send.
#[derive(Debug, Default)]
pub(crate) struct Sender {
    queue: Vec<sanderling_rtc::Transmit>,
    buf: Vec<u8>,
}

impl Sender {
    pub(crate) fn push(&mut self, t: sanderling_rtc::Transmit) {
        self.queue.push(t);
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Sends everything queued. A datagram for a socket we do not have is
    /// dropped (logged).
    pub(crate) async fn flush(&mut self, sockets: &[Socket]) {
        let mut i = 0;
        while i < self.queue.len() {
            let first = &self.queue[i];
            let Some(socket) = sockets.iter().find(|s| s.local == first.local) else {
                tracing::debug!(local = %first.local, "no socket for a transmit");
                i += 1;
                continue;
            };
            let size = first.payload.len();
            let max_segments = socket.state.max_gso_segments().max(1);
            let mut j = i + 1;
            let mut bytes = size;
            while j < self.queue.len() && j - i < max_segments && size > 0 {
                let t = &self.queue[j];
                if t.local != first.local
                    || t.remote != first.remote
                    || t.payload.len() > size
                    || bytes + t.payload.len() > MAX_GSO_BYTES
                {
                    break;
                }
                bytes += t.payload.len();
                j += 1;
                // A shorter datagram ends a GSO batch.
                if t.payload.len() < size {
                    break;
                }
            }
            let destination = first.remote;
            let contents: &[u8] = if j - i == 1 {
                &self.queue[i].payload
            } else {
                self.buf.clear();
                for t in &self.queue[i..j] {
                    self.buf.extend_from_slice(&t.payload);
                }
                &self.buf
            };
            let transmit = Transmit {
                destination,
                ecn: None,
                contents,
                segment_size: (j - i > 1).then_some(size),
                src_ip: None,
            };
            let sent = socket
                .io
                .async_io(Interest::WRITABLE, || {
                    socket.state.try_send((&socket.io).into(), &transmit)
                })
                .await;
            if let Err(e) = sent {
                tracing::debug!(error = %e, %destination, "UDP send failed");
            }
            i = j;
        }
        self.queue.clear();
    }
}
