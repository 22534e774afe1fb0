//! Client transactions (RFC 8489 §6.2): one outstanding request, when to
//! retransmit it and when to give up.
//!
//! Over UDP a request is sent at 0, then after RTO, 2·RTO, 4·RTO ... (Rc = 7
//! sends in all), and the transaction fails Rm = 16 RTOs after the last
//! send: with RTO = 500 ms, sends at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s and
//! failure at 39.5 s. Over TCP and TLS nothing is retransmitted and the
//! transaction fails after the stream timeout (39.5 s by default).

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use bytes::Bytes;
use sanderling_stun::Method;

/// Sends of one request over UDP (RFC 8489 §6.2.1 Rc).
pub(crate) const RC: u32 = 7;
/// RTOs to wait after the last send (RFC 8489 §6.2.1 Rm).
pub(crate) const RM: u32 = 16;

/// What a request asks for: enough to build it again with a fresh
/// transaction id after 401 or 438.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Request {
    /// Allocate a relayed address.
    Allocate,
    /// Refresh the allocation for `lifetime` (zero deletes it).
    Refresh {
        /// The lifetime asked for.
        lifetime: Duration,
    },
    /// Install or refresh the permission for `ip`.
    CreatePermission {
        /// The peer address.
        ip: IpAddr,
    },
    /// Bind (or refresh) `channel` to `peer`.
    ChannelBind {
        /// The channel number.
        channel: u16,
        /// The peer.
        peer: SocketAddr,
    },
}

impl Request {
    /// The STUN method of the request.
    pub(crate) const fn method(self) -> Method {
        match self {
            Self::Allocate => Method::ALLOCATE,
            Self::Refresh { .. } => Method::REFRESH,
            Self::CreatePermission { .. } => Method::CREATE_PERMISSION,
            Self::ChannelBind { .. } => Method::CHANNEL_BIND,
        }
    }
}

/// An outstanding request.
#[derive(Clone, Debug)]
pub(crate) struct Transaction {
    /// What it asks for.
    pub(crate) request: Request,
    /// The bytes sent (resent as they are).
    pub(crate) bytes: Bytes,
    /// When it was first sent.
    pub(crate) sent_at: Instant,
    /// The next retransmission (UDP), if any is left.
    pub(crate) retransmit_at: Option<Instant>,
    /// The current RTO (doubles on each retransmission).
    rto: Duration,
    /// Sends so far.
    sends: u32,
    /// When the transaction fails without a response.
    pub(crate) deadline: Instant,
    /// Whether the request carried credentials.
    pub(crate) authenticated: bool,
    /// Retries so far after 401/438 for the same request.
    pub(crate) retries: u8,
}

impl Transaction {
    /// A transaction first sent at `now`: retransmitted over a datagram
    /// transport (`rto` is `Some`), only timed out over a stream.
    pub(crate) fn new(
        now: Instant,
        request: Request,
        bytes: Bytes,
        rto: Option<Duration>,
        stream_timeout: Duration,
        authenticated: bool,
        retries: u8,
    ) -> Self {
        let (retransmit_at, deadline, rto) = match rto {
            Some(rto) => {
                // Sends at 0, 1, 3, ..., 2^(Rc-1) - 1 RTOs, failure Rm RTOs
                // after the last.
                let total = rto.saturating_mul((1 << (RC - 1)) - 1 + RM);
                (Some(now + rto), now + total, rto)
            }
            None => (None, now + stream_timeout, Duration::ZERO),
        };
        Self {
            request,
            bytes,
            sent_at: now,
            retransmit_at,
            rto,
            sends: 1,
            deadline,
            authenticated,
            retries,
        }
    }

    /// The earliest instant this transaction needs attention.
    pub(crate) fn next_timer(&self) -> Instant {
        self.retransmit_at
            .map_or(self.deadline, |r| r.min(self.deadline))
    }

    /// If a retransmission is due at `now`, schedules the next one and
    /// returns true: the caller resends [`bytes`](Self::bytes).
    /// A caller late by several RTOs gets one resend, and the schedule
    /// moves past `now`.
    pub(crate) fn retransmit_due(&mut self, now: Instant) -> bool {
        let mut due = false;
        while let Some(at) = self.retransmit_at
            && at <= now
        {
            due = true;
            self.sends += 1;
            self.rto = self.rto.saturating_mul(2);
            self.retransmit_at = (self.sends < RC).then(|| at + self.rto);
        }
        due
    }

    /// Whether the transaction has failed by `now`.
    pub(crate) fn expired(&self, now: Instant) -> bool {
        self.deadline <= now
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn udp_schedule_is_rfc_8489() {
        let t0 = Instant::now();
        let rto = Duration::from_millis(500);
        let mut t = Transaction::new(
            t0,
            Request::Allocate,
            Bytes::new(),
            Some(rto),
            Duration::from_secs(1),
            false,
            0,
        );
        let mut sends = vec![0];
        let mut now = t0;
        while !t.expired(now) {
            now = t.next_timer();
            if t.retransmit_due(now) {
                sends.push((now - t0).as_millis());
            }
        }
        assert_eq!(sends, vec![0, 500, 1500, 3500, 7500, 15500, 31500]);
        assert_eq!(now - t0, Duration::from_millis(39_500));
    }

    #[test]
    fn a_late_caller_resends_once_and_the_schedule_moves_on() {
        let t0 = Instant::now();
        let rto = Duration::from_millis(500);
        let mut t = Transaction::new(
            t0,
            Request::Allocate,
            Bytes::new(),
            Some(rto),
            Duration::from_secs(1),
            false,
            0,
        );
        let late = t0 + Duration::from_millis(4000);
        assert!(t.retransmit_due(late));
        assert_eq!(t.retransmit_at, Some(t0 + Duration::from_millis(7500)));
        assert!(!t.retransmit_due(late));
    }

    #[test]
    fn stream_never_retransmits() {
        let t0 = Instant::now();
        let mut t = Transaction::new(
            t0,
            Request::Allocate,
            Bytes::new(),
            None,
            Duration::from_millis(39_500),
            false,
            0,
        );
        assert_eq!(t.next_timer(), t0 + Duration::from_millis(39_500));
        assert!(!t.retransmit_due(t0 + Duration::from_secs(20)));
        assert!(t.expired(t0 + Duration::from_millis(39_500)));
    }
}
