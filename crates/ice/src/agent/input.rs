//! What arrives: checks answered (RFC 8445 §7.3), responses matched to
//! their transactions (§7.2.5), keepalives counted.

use std::net::SocketAddr;
use std::time::Instant;

use sanderling_stun::attr::ErrorCode;
use sanderling_stun::{Class, Message, Method};

use super::IceAgent;
use super::build::LocalKey;
use crate::gather::peer_reflexive_priority;
use crate::pair::PairState;
use crate::transaction::Purpose;

impl IceAgent {
    pub(crate) fn handle_message(
        &mut self,
        now: Instant,
        local: SocketAddr,
        remote: SocketAddr,
        msg: &Message,
    ) {
        if msg.has_fingerprint() && msg.verify_fingerprint().is_err() {
            self.stats.bad_fingerprint += 1;
            return;
        }
        if msg.method() != Method::BINDING {
            self.stats.unexpected += 1;
            return;
        }
        match msg.class() {
            Class::Request => self.handle_request(now, local, remote, msg),
            Class::Indication => self.stats.indications_received += 1,
            Class::Success | Class::Error => self.handle_response(now, local, remote, msg),
        }
    }

    /// RFC 8445 §7.3 (and RFC 8489 §6.3.1, §9.1.3 for the credentials).
    fn handle_request(
        &mut self,
        now: Instant,
        local: SocketAddr,
        remote: SocketAddr,
        msg: &Message,
    ) {
        if !msg.unknown_comprehension_required().is_empty() {
            self.stats.bad_requests += 1;
            self.respond_unknown_attributes(msg, local, remote);
            return;
        }
        let Some(username) = msg.username() else {
            self.stats.bad_requests += 1;
            self.respond_error(msg, local, remote, ErrorCode::BAD_REQUEST, None);
            return;
        };
        if !msg.has_integrity() {
            self.stats.bad_requests += 1;
            self.respond_error(msg, local, remote, ErrorCode::BAD_REQUEST, None);
            return;
        }
        let ours = username.split_once(':').map(|(ours, _)| ours);
        let key = match ours {
            Some(u) if u == self.local_creds.ufrag => LocalKey::Current,
            Some(u)
                if self
                    .previous_local
                    .as_deref()
                    .is_some_and(|(c, _)| c.ufrag == u) =>
            {
                LocalKey::Previous
            }
            _ => {
                self.stats.unauthenticated += 1;
                self.respond_error(msg, local, remote, ErrorCode::UNAUTHENTICATED, None);
                return;
            }
        };
        let verified = match (key, self.previous_local.as_deref()) {
            (LocalKey::Previous, Some((_, k))) => msg.verify_integrity(k),
            _ => msg.verify_integrity(&self.local_key),
        };
        if verified.is_err() {
            self.stats.unauthenticated += 1;
            self.respond_error(msg, local, remote, ErrorCode::UNAUTHENTICATED, None);
            return;
        }
        let (Some(priority), theirs_controlling, theirs_controlled) =
            (msg.priority(), msg.ice_controlling(), msg.ice_controlled())
        else {
            self.stats.bad_requests += 1;
            self.respond_error(msg, local, remote, ErrorCode::BAD_REQUEST, Some(key));
            return;
        };
        if theirs_controlling.is_none() && theirs_controlled.is_none() {
            self.stats.bad_requests += 1;
            self.respond_error(msg, local, remote, ErrorCode::BAD_REQUEST, Some(key));
            return;
        }
        if key == LocalKey::Previous {
            // A check of the generation before a restart (consent on the
            // old pair): answered, nothing else.
            self.respond_success(msg, local, remote, key);
            return;
        }
        // Role conflict, RFC 8445 §7.3.1.1.
        if !self.config.lite {
            if self.controlling
                && let Some(theirs) = theirs_controlling
            {
                if self.tie_breaker >= theirs {
                    self.stats.role_conflicts_sent += 1;
                    self.respond_error(msg, local, remote, ErrorCode::ROLE_CONFLICT, Some(key));
                    return;
                }
                self.switch_role(false);
            } else if !self.controlling
                && let Some(theirs) = theirs_controlled
            {
                if self.tie_breaker >= theirs {
                    self.switch_role(true);
                } else {
                    self.stats.role_conflicts_sent += 1;
                    self.respond_error(msg, local, remote, ErrorCode::ROLE_CONFLICT, Some(key));
                    return;
                }
            }
        }
        self.respond_success(msg, local, remote, key);
        self.learn_from_check(now, local, remote, priority, msg.use_candidate());
    }

    /// After answering a check: the peer-reflexive candidate, the pair, the
    /// triggered check (§7.3.1.3, §7.3.1.4) and nomination (§7.3.1.5).
    fn learn_from_check(
        &mut self,
        now: Instant,
        local: SocketAddr,
        remote: SocketAddr,
        priority: u32,
        use_candidate: bool,
    ) {
        let Some(l) = self.gather.find_base(local) else {
            return;
        };
        let r = match self.remotes.iter().position(|r| r.addr == remote) {
            Some(r) => r,
            None => match self.add_remote_peer_reflexive(remote, priority) {
                Some(r) => r,
                None => return,
            },
        };
        let pair_id = match self.checklist.find(local, remote) {
            Some(i) => self.checklist.pairs[i].id,
            None if self.config.lite => match self.lite_pair(l, r) {
                Some(id) => id,
                None => return,
            },
            None => match self.pair_up(l, r) {
                Some(id) => id,
                None => return,
            },
        };
        let lite = self.config.lite;
        let controlled = !self.controlling;
        let mut cancel = None;
        let mut trigger = false;
        let mut nominated = false;
        if let Some(p) = self.checklist.get_mut(pair_id) {
            p.stats.requests_received += 1;
            p.stats.responses_sent += 1;
            p.stats.touch(now);
            if lite {
                // A lite agent does no checks: the full peer's check is
                // proof enough, and its nomination is final.
                p.state = PairState::Succeeded;
                if use_candidate && !p.nominated {
                    p.nominated = true;
                    nominated = true;
                }
            } else {
                match p.state {
                    PairState::Succeeded => {}
                    PairState::InProgress => {
                        cancel = p.transaction.take();
                        p.state = PairState::Waiting;
                        trigger = true;
                    }
                    PairState::Waiting | PairState::Frozen | PairState::Failed => {
                        p.state = PairState::Waiting;
                        trigger = true;
                    }
                }
                if use_candidate && controlled && !p.nominated {
                    if p.state == PairState::Succeeded {
                        p.nominated = true;
                        nominated = true;
                    } else {
                        p.nominate_on_success = true;
                    }
                }
            }
        }
        if let Some(tid) = cancel
            && let Some(t) = self.transactions.iter_mut().find(|t| t.id == tid)
        {
            t.cancel();
        }
        if trigger {
            self.checklist.trigger(pair_id);
        }
        if nominated {
            self.on_nominated(pair_id);
        }
    }

    /// A lite agent's pair for a check that arrived (it forms no check list).
    fn lite_pair(&mut self, l: usize, r: usize) -> Option<u64> {
        let local = self.gather.candidates.get(l)?;
        let remote = self.remotes.get(r)?;
        let id = self.checklist.next_id();
        let mut pair = crate::pair::Pair {
            id,
            local: l,
            remote: r,
            local_addr: local.base,
            remote_addr: remote.addr,
            local_priority: local.candidate.priority,
            remote_priority: remote.candidate.priority,
            priority: 0,
            foundation: (
                local.candidate.foundation.clone(),
                remote.candidate.foundation.clone(),
            ),
            state: PairState::Frozen,
            nominated: false,
            nominate_on_success: false,
            nominating: false,
            transaction: None,
            stats: crate::pair::PairStats::default(),
        };
        pair.recompute_priority(false);
        let id = self.checklist.insert(pair, self.config.max_pairs)?;
        // Not for the pacer: a lite agent never checks.
        self.checklist.triggered.retain(|&t| t != id);
        Some(id)
    }

    /// RFC 8445 §7.2.5.
    fn handle_response(
        &mut self,
        now: Instant,
        local: SocketAddr,
        remote: SocketAddr,
        msg: &Message,
    ) {
        let Some(i) = self
            .transactions
            .iter()
            .position(|t| t.id == msg.transaction_id())
        else {
            self.stats.unknown_transactions += 1;
            return;
        };
        let txn = &self.transactions[i];
        match txn.purpose {
            Purpose::ServerReflexive { server } => {
                if remote != txn.remote || local != txn.local {
                    self.stats.unknown_transactions += 1;
                    return;
                }
                let base = txn.local;
                self.transactions.swap_remove(i);
                self.gather.outstanding = self.gather.outstanding.saturating_sub(1);
                if msg.class() == Class::Success
                    && let Some(mapped) = msg.mapped_address()
                    && let Some(idx) = self.gather.add_server_reflexive(base, mapped, server)
                {
                    let c = self.gather.candidates[idx].candidate.clone();
                    self.events
                        .push_back(crate::event::IceEvent::LocalCandidate(c));
                }
            }
            Purpose::Check {
                pair,
                nominate,
                controlling,
                consent,
                generation,
            } => {
                // Only the peer can authenticate a response: anything else
                // leaves the transaction running.
                let Some(key) = &self.remote_key else {
                    self.stats.unauthenticated += 1;
                    return;
                };
                if generation != self.generation || msg.verify_integrity(key).is_err() {
                    self.stats.unauthenticated += 1;
                    return;
                }
                let (txn_local, txn_remote) = (txn.local, txn.remote);
                let rtt = (txn.transmissions == 1).then(|| now - txn.first_sent);
                self.transactions.swap_remove(i);
                let ours = self
                    .checklist
                    .get(pair)
                    .is_some_and(|p| p.transaction == Some(msg.transaction_id()));
                if remote != txn_remote || local != txn_local {
                    // Not symmetric (§7.2.5.2.1).
                    if !consent && let Some(p) = self.checklist.get_mut(pair) {
                        p.state = PairState::Failed;
                        p.transaction = None;
                    }
                    return;
                }
                if msg.class() == Class::Error {
                    self.check_error(pair, msg, controlling, consent, ours);
                } else {
                    self.check_success(now, pair, msg, nominate, controlling, rtt);
                }
            }
        }
    }

    fn check_error(
        &mut self,
        pair: u64,
        msg: &Message,
        controlling: bool,
        consent: bool,
        ours: bool,
    ) {
        if consent {
            return;
        }
        let code = msg.error_code().map(ErrorCode::code);
        if code == Some(ErrorCode::ROLE_CONFLICT) {
            // §7.2.5.1: switch to the role opposite to the one we sent, if
            // we have not already, and check again.
            if controlling == self.controlling {
                self.switch_role(!controlling);
            }
            if let Some(p) = self.checklist.get_mut(pair) {
                p.transaction = None;
                p.nominating = false;
                if p.state != PairState::Succeeded {
                    p.state = PairState::Waiting;
                }
            }
            self.checklist.trigger(pair);
            return;
        }
        if let Some(p) = self.checklist.get_mut(pair)
            && ours
        {
            p.transaction = None;
            p.nominating = false;
            if p.state != PairState::Succeeded {
                p.state = PairState::Failed;
            }
        }
    }

    fn check_success(
        &mut self,
        now: Instant,
        pair: u64,
        msg: &Message,
        nominate: bool,
        controlling: bool,
        rtt: Option<std::time::Duration>,
    ) {
        let Some(p) = self.checklist.get(pair) else {
            return;
        };
        let (base, local_idx) = (p.local_addr, p.local);
        // A mapped address that is none of ours: peer-reflexive (§7.2.5.3.1).
        if let Some(mapped) = msg.xor_mapped_address()
            && self.gather.find_addr(mapped).is_none()
            && let Some(lc) = self.gather.candidates.get(local_idx)
        {
            let prio = peer_reflexive_priority(&lc.candidate);
            self.gather.add_peer_reflexive(base, mapped, prio);
        }
        let still_controlling = self.controlling;
        let mut newly_valid = None;
        let mut nominated = false;
        if let Some(p) = self.checklist.get_mut(pair) {
            p.stats.responses_received += 1;
            p.stats.last_response_received = Some(now);
            p.stats.touch(now);
            if let Some(rtt) = rtt {
                p.stats.add_rtt(rtt);
            }
            if p.transaction == Some(msg.transaction_id()) {
                p.transaction = None;
            }
            if p.state != PairState::Succeeded {
                p.state = PairState::Succeeded;
                newly_valid = Some(p.foundation.clone());
            }
            let by_us = nominate && controlling && still_controlling;
            let by_peer = p.nominate_on_success && !still_controlling;
            if (by_us || by_peer) && !p.nominated {
                p.nominated = true;
                nominated = true;
            }
            if by_us {
                p.nominating = false;
            }
        }
        if let Some(f) = newly_valid {
            self.checklist.unfreeze_foundation(&f);
            self.first_valid_at.get_or_insert(now);
        }
        if self.selected == Some(pair)
            && let Some(c) = &mut self.consent
        {
            c.on_response(now);
        }
        if nominated {
            self.on_nominated(pair);
        }
    }

    /// A pair was nominated (by us or the peer): §8.1.2 pruning.
    pub(crate) fn on_nominated(&mut self, pair: u64) {
        let Some(prio) = self.checklist.get(pair).map(|p| p.priority) else {
            return;
        };
        let cancelled = self.checklist.prune_after_nomination(prio);
        for p in &mut self.checklist.pairs {
            if cancelled.contains(&p.id) {
                p.transaction = None;
            }
        }
        for t in &mut self.transactions {
            if let Purpose::Check {
                pair,
                consent: false,
                ..
            } = t.purpose
                && cancelled.contains(&pair)
            {
                t.cancel();
            }
        }
        self.dirty = true;
    }
}
