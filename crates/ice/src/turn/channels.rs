//! Channel bindings (RFC 8656 §12): a channel number 0x4000–0x4FFF bound
//! to one peer transport address, lasting 600 s unless refreshed by a new
//! ChannelBind for the same pair.
//!
//! Data goes as ChannelData only once the ChannelBind succeeded; ChannelData
//! from the server is accepted as soon as the request is sent (the server
//! may use the channel before its response reaches us). A binding in use
//! is refreshed 60 s before it expires; an idle one expires and its number
//! and peer wait 5 minutes before being bound to anything else (§12).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use sanderling_stun::ChannelData;

/// How long a binding lasts on the server.
pub(crate) const CHANNEL_LIFETIME: Duration = Duration::from_secs(600);
/// When to refresh, counted from the request that bound it.
pub(crate) const CHANNEL_REFRESH: Duration = Duration::from_secs(540);
/// How long an expired binding's number and peer stay reserved.
pub(crate) const CHANNEL_COOLDOWN: Duration = Duration::from_secs(300);
/// How long a peer whose bind failed is not bound again automatically.
pub(crate) const BIND_RETRY_AFTER: Duration = Duration::from_secs(10);

/// One binding.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Channel {
    /// The peer.
    pub(crate) peer: SocketAddr,
    /// The server confirmed the binding.
    pub(crate) bound: bool,
    /// A ChannelBind for it is outstanding.
    pub(crate) in_flight: bool,
    /// When the server drops it (counted from our request).
    pub(crate) expires: Option<Instant>,
    /// When to refresh it if it is in use then.
    pub(crate) refresh_at: Option<Instant>,
    /// Data went to or came from the peer since the last refresh.
    pub(crate) used: bool,
}

/// The channel table.
#[derive(Debug)]
pub(crate) struct Channels {
    by_number: HashMap<u16, Channel>,
    by_peer: HashMap<SocketAddr, u16>,
    /// Expired bindings: number → (peer, reserved until).
    cooldown: HashMap<u16, (SocketAddr, Instant)>,
    /// Peers whose bind failed → not before.
    failed: HashMap<SocketAddr, Instant>,
    /// Where the search for a free number starts.
    next: u16,
}

impl Default for Channels {
    fn default() -> Self {
        Self {
            by_number: HashMap::new(),
            by_peer: HashMap::new(),
            cooldown: HashMap::new(),
            failed: HashMap::new(),
            next: ChannelData::MIN_CHANNEL,
        }
    }
}

impl Channels {
    /// Bindings (confirmed or not).
    pub(crate) fn len(&self) -> usize {
        self.by_number.len()
    }

    /// The number bound (or being bound) to `peer`.
    pub(crate) fn number_of(&self, peer: &SocketAddr) -> Option<u16> {
        self.by_peer.get(peer).copied()
    }

    /// The confirmed channel to `peer`, marking it used.
    pub(crate) fn bound_for_send(&mut self, peer: &SocketAddr) -> Option<u16> {
        let n = *self.by_peer.get(peer)?;
        let ch = self.by_number.get_mut(&n)?;
        ch.used = true;
        ch.bound.then_some(n)
    }

    /// The peer of channel `number` for received ChannelData, marking it
    /// used.
    pub(crate) fn peer_for_receive(&mut self, number: u16) -> Option<SocketAddr> {
        let ch = self.by_number.get_mut(&number)?;
        ch.used = true;
        Some(ch.peer)
    }

    /// Whether a recent failure keeps `peer` from being bound at `now`.
    pub(crate) fn recently_failed(&self, peer: &SocketAddr, now: Instant) -> bool {
        self.failed.get(peer).is_some_and(|t| *t > now)
    }

    /// Picks a number for `peer` and records a binding in flight; `None`
    /// if every number is taken or reserved. During the cooldown after an
    /// expiry, a peer gets its old number back.
    pub(crate) fn start_bind(&mut self, peer: SocketAddr, now: Instant) -> Option<u16> {
        self.cooldown.retain(|_, (_, until)| *until > now);
        self.failed.retain(|_, until| *until > now);
        let reused = self
            .cooldown
            .iter()
            .find(|(_, (p, _))| *p == peer)
            .map(|(n, _)| *n);
        let number = match reused {
            Some(n) => {
                self.cooldown.remove(&n);
                n
            }
            None => self.free_number()?,
        };
        self.by_number.insert(
            number,
            Channel {
                peer,
                bound: false,
                in_flight: true,
                expires: None,
                refresh_at: None,
                used: true,
            },
        );
        self.by_peer.insert(peer, number);
        Some(number)
    }

    /// A number neither bound nor reserved.
    fn free_number(&mut self) -> Option<u16> {
        let span = ChannelData::MAX_CHANNEL - ChannelData::MIN_CHANNEL + 1;
        for _ in 0..span {
            let n = self.next;
            self.next = if n == ChannelData::MAX_CHANNEL {
                ChannelData::MIN_CHANNEL
            } else {
                n + 1
            };
            if !self.by_number.contains_key(&n) && !self.cooldown.contains_key(&n) {
                return Some(n);
            }
        }
        None
    }

    /// The ChannelBind for `number` sent at `sent_at` succeeded. Returns
    /// the peer and whether this is the first confirmation.
    pub(crate) fn on_bound(&mut self, number: u16, sent_at: Instant) -> Option<(SocketAddr, bool)> {
        let ch = self.by_number.get_mut(&number)?;
        let first = !ch.bound;
        ch.bound = true;
        ch.in_flight = false;
        ch.expires = Some(sent_at + CHANNEL_LIFETIME);
        ch.refresh_at = Some(sent_at + CHANNEL_REFRESH);
        Some((ch.peer, first))
    }

    /// The ChannelBind for `number` failed: the binding is forgotten and
    /// the peer not bound automatically for a while.
    pub(crate) fn on_failed(&mut self, number: u16, now: Instant) -> Option<SocketAddr> {
        let ch = self.by_number.remove(&number)?;
        self.by_peer.remove(&ch.peer);
        if ch.bound {
            // It may still be bound on the server: keep number and peer
            // apart from others for the cooldown.
            self.cooldown
                .insert(number, (ch.peer, now + CHANNEL_LIFETIME + CHANNEL_COOLDOWN));
        }
        self.failed.insert(ch.peer, now + BIND_RETRY_AFTER);
        Some(ch.peer)
    }

    /// Forgets everything.
    pub(crate) fn clear(&mut self) {
        self.by_number.clear();
        self.by_peer.clear();
        self.cooldown.clear();
        self.failed.clear();
    }

    /// The earliest timer of any binding.
    pub(crate) fn next_timer(&self) -> Option<Instant> {
        self.by_number
            .values()
            .filter_map(|c| match (c.refresh_at, c.expires) {
                (Some(r), Some(e)) if !c.in_flight => Some(r.min(e)),
                (_, e) => e,
            })
            .min()
    }

    /// Runs the timers due at `now`: expired bindings are forgotten (their
    /// number and peer reserved), bindings in use due for refresh are
    /// pushed into `refresh` as (number, peer) and marked in flight.
    pub(crate) fn on_timeout(&mut self, now: Instant, refresh: &mut Vec<(u16, SocketAddr)>) {
        let mut expired = Vec::new();
        for (n, c) in &mut self.by_number {
            if c.expires.is_some_and(|e| e <= now) {
                expired.push(*n);
                continue;
            }
            if let Some(r) = c.refresh_at
                && r <= now
                && !c.in_flight
            {
                c.refresh_at = None;
                if c.used {
                    c.used = false;
                    c.in_flight = true;
                    refresh.push((*n, c.peer));
                }
            }
        }
        for n in expired {
            if let Some(c) = self.by_number.remove(&n) {
                self.by_peer.remove(&c.peer);
                let until = c.expires.unwrap_or(now) + CHANNEL_COOLDOWN;
                self.cooldown.insert(n, (c.peer, until));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(port: u16) -> SocketAddr {
        SocketAddr::from(([192, 0, 2, 1], port))
    }

    #[test]
    fn numbers_are_sequential_and_unique() {
        let now = Instant::now();
        let mut c = Channels::default();
        assert_eq!(c.start_bind(addr(1), now), Some(0x4000));
        assert_eq!(c.start_bind(addr(2), now), Some(0x4001));
        assert_eq!(c.number_of(&addr(2)), Some(0x4001));
        assert_eq!(c.len(), 2);
    }

    #[test]
    fn expired_number_is_reserved_for_its_peer() {
        let now = Instant::now();
        let mut c = Channels::default();
        let n = c.start_bind(addr(1), now).unwrap();
        c.on_bound(n, now);
        let mut refresh = Vec::new();
        c.on_timeout(now + CHANNEL_REFRESH, &mut refresh);
        assert_eq!(refresh, vec![(n, addr(1))]);
        // The refresh never succeeds; then nothing uses it.
        c.by_number.get_mut(&n).unwrap().in_flight = false;
        c.on_timeout(now + CHANNEL_LIFETIME, &mut refresh);
        assert_eq!(c.len(), 0);
        // Another peer does not get the number during the cooldown ...
        let later = now + CHANNEL_LIFETIME + Duration::from_secs(1);
        assert_ne!(c.start_bind(addr(2), later), Some(n));
        // ... but the same peer does.
        assert_eq!(c.start_bind(addr(1), later), Some(n));
    }

    #[test]
    fn all_numbers_can_be_used_up() {
        let now = Instant::now();
        let mut c = Channels::default();
        for port in 0..4096 {
            assert!(c.start_bind(addr(port), now).is_some());
        }
        assert_eq!(c.start_bind(addr(5000), now), None);
    }
}
