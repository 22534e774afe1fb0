//! Remote candidates hidden behind mDNS names (RFC 6762, and the
//! browsers' `<uuid>.local` host candidates): held until the layer resolves
//! the name or the resolution times out.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use crate::candidate::Candidate;

/// A remote candidate waiting for its name.
#[derive(Clone, Debug)]
pub(crate) struct PendingMdns {
    pub(crate) candidate: Candidate,
    pub(crate) name: String,
    pub(crate) port: u16,
    /// Set on the first timer pass after it arrives.
    pub(crate) deadline: Option<Instant>,
}

/// The candidates waiting for names.
#[derive(Debug, Default)]
pub(crate) struct MdnsResolver {
    pub(crate) pending: Vec<PendingMdns>,
}

impl MdnsResolver {
    /// Holds a candidate; returns whether the name must be asked for (it is
    /// not already being resolved), or `None` if the table is full.
    pub(crate) fn hold(
        &mut self,
        candidate: Candidate,
        name: String,
        port: u16,
        max: usize,
    ) -> Option<bool> {
        if self.pending.len() >= max {
            return None;
        }
        let ask = !self
            .pending
            .iter()
            .any(|p| p.name.eq_ignore_ascii_case(&name));
        self.pending.push(PendingMdns {
            candidate,
            name,
            port,
            deadline: None,
        });
        Some(ask)
    }

    /// The answer for `name`: the candidates it held, each with its port.
    pub(crate) fn resolve(&mut self, name: &str) -> Vec<(Candidate, u16)> {
        let mut out = Vec::new();
        self.pending.retain(|p| {
            if p.name.eq_ignore_ascii_case(name) {
                out.push((p.candidate.clone(), p.port));
                false
            } else {
                true
            }
        });
        out
    }

    /// Starts deadlines and drops what has waited too long; returns how
    /// many were dropped.
    pub(crate) fn expire(&mut self, now: Instant, timeout: Duration) -> usize {
        for p in &mut self.pending {
            p.deadline.get_or_insert(now + timeout);
        }
        let before = self.pending.len();
        self.pending.retain(|p| p.deadline.is_none_or(|d| now < d));
        before - self.pending.len()
    }

    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.pending.iter().filter_map(|p| p.deadline).min()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }
}

/// Whether an answer is usable: a unicast address.
pub(crate) fn usable(ip: IpAddr) -> bool {
    !ip.is_unspecified() && !ip.is_multicast()
}
