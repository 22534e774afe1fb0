//! Permissions (RFC 8656 §9): per peer IP address, installed by
//! CreatePermission, lasting 300 s on the server unless refreshed.
//!
//! A permission is refreshed 60 s before it expires (at 240 s) if data went
//! to or came from the peer since the last refresh; an idle one is left to
//! expire and is forgotten, so the table holds the peers in use. Data sent
//! before the permission is installed waits in the permission's queue
//! (bounded by the client's queue limits). A refused permission is
//! remembered for [`DENIED_FOR`] so a caller retrying every few hundred
//! milliseconds does not send a request each time.

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use bytes::Bytes;

/// How long a permission lasts on the server (RFC 8656 §9).
pub(crate) const PERMISSION_LIFETIME: Duration = Duration::from_secs(300);
/// When to refresh, counted from the request that installed it: a minute
/// early, which covers a whole UDP transaction (39.5 s).
pub(crate) const PERMISSION_REFRESH: Duration = Duration::from_secs(240);
/// How long a refused permission is not asked for again.
pub(crate) const DENIED_FOR: Duration = Duration::from_secs(10);

/// Where a permission is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PermState {
    /// CreatePermission sent, no success yet.
    Pending,
    /// Installed on the server until `expires`.
    Installed {
        /// When the server drops it (counted from our request, so early).
        expires: Instant,
        /// When to refresh it, if it is in use then; `None` once passed.
        refresh_at: Option<Instant>,
    },
    /// Refused; not asked for again until `until`.
    Denied {
        /// When the entry is forgotten.
        until: Instant,
    },
}

/// One peer IP address's permission.
#[derive(Debug)]
pub(crate) struct Permission {
    /// Where it is.
    pub(crate) state: PermState,
    /// A CreatePermission for it is outstanding.
    pub(crate) in_flight: bool,
    /// Data went to or came from the address since the last refresh.
    pub(crate) used: bool,
    /// Data waiting for the permission: (peer, payload).
    pub(crate) queue: VecDeque<(SocketAddr, Bytes)>,
}

/// What a timer asks the client to do.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PermAction {
    /// Send CreatePermission for the address (a refresh).
    Refresh(IpAddr),
}

/// The permission table.
#[derive(Debug, Default)]
pub(crate) struct Permissions {
    map: HashMap<IpAddr, Permission>,
}

impl Permissions {
    /// Entries (any state).
    pub(crate) fn len(&self) -> usize {
        self.map.len()
    }

    /// The entry for `ip`.
    pub(crate) fn get_mut(&mut self, ip: &IpAddr) -> Option<&mut Permission> {
        self.map.get_mut(ip)
    }

    /// The entry for `ip`.
    pub(crate) fn get(&self, ip: &IpAddr) -> Option<&Permission> {
        self.map.get(ip)
    }

    /// Adds a pending entry (CreatePermission about to be sent).
    pub(crate) fn insert_pending(&mut self, ip: IpAddr) -> &mut Permission {
        self.map.entry(ip).or_insert(Permission {
            state: PermState::Pending,
            in_flight: true,
            used: false,
            queue: VecDeque::new(),
        })
    }

    /// Removes the entry, returning it.
    pub(crate) fn remove(&mut self, ip: &IpAddr) -> Option<Permission> {
        self.map.remove(ip)
    }

    /// Removes every entry; returns how many packets were queued.
    pub(crate) fn clear(&mut self) -> usize {
        let queued = self.map.values().map(|p| p.queue.len()).sum();
        self.map.clear();
        queued
    }

    /// Marks data to or from `ip` (if there is an entry).
    pub(crate) fn touch(&mut self, ip: &IpAddr) {
        if let Some(p) = self.map.get_mut(ip) {
            p.used = true;
        }
    }

    /// Whether the permission for `ip` is installed.
    pub(crate) fn is_installed(&self, ip: &IpAddr) -> bool {
        matches!(
            self.map.get(ip).map(|p| p.state),
            Some(PermState::Installed { .. })
        )
    }

    /// The earliest timer of any entry.
    pub(crate) fn next_timer(&self) -> Option<Instant> {
        self.map
            .values()
            .filter_map(|p| match p.state {
                PermState::Pending => None,
                PermState::Installed {
                    expires,
                    refresh_at,
                } => Some(match refresh_at {
                    Some(r) if !p.in_flight => r.min(expires),
                    _ => expires,
                }),
                PermState::Denied { until } => Some(until),
            })
            .min()
    }

    /// Runs the timers due at `now`: forgets expired and denied entries
    /// (an installed permission has nothing queued) and pushes the
    /// refreshes to send into `actions` (marking them in flight).
    pub(crate) fn on_timeout(&mut self, now: Instant, actions: &mut Vec<PermAction>) {
        self.map.retain(|ip, p| match &mut p.state {
            PermState::Pending => true,
            PermState::Denied { until } => *until > now,
            PermState::Installed {
                expires,
                refresh_at,
            } => {
                if *expires <= now {
                    return false;
                }
                if let Some(r) = *refresh_at
                    && r <= now
                    && !p.in_flight
                {
                    *refresh_at = None;
                    if p.used {
                        p.used = false;
                        p.in_flight = true;
                        actions.push(PermAction::Refresh(*ip));
                    }
                }
                true
            }
        });
    }
}
