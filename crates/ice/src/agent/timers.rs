//! Everything time drives: transaction timers, the pacer (Ta, RFC 8445
//! §6.1.4.2), nomination (§8.1.1), pair selection, consent freshness and
//! keepalives (RFC 7675, RFC 8445 §11), and the states.

use std::time::{Duration, Instant};

use rand::RngExt;

use super::IceAgent;
use crate::checklist::NextCheck;
use crate::consent::{Consent, ConsentState};
use crate::event::{ConnectionState, GatheringState, IceEvent};
use crate::pair::PairState;
use crate::transaction::{Purpose, TimerAction};

/// Which paced work comes next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Paced {
    Check(NextCheck),
    Server,
}

impl IceAgent {
    /// Runs everything due at `now`.
    pub(crate) fn drive(&mut self, now: Instant) {
        if self.closed {
            return;
        }
        self.dirty = false;
        if self.remote_creds.is_some() && self.checks_started_at.is_none() {
            self.checks_started_at = Some(now);
        }
        let dropped = self.mdns.expire(now, self.config.mdns_timeout);
        self.stats.candidates_ignored += dropped as u64;
        if self.failed {
            // Nothing is sent any more (consent lost, or every pair
            // failed); checks are still answered. A restart starts over.
            self.transactions.clear();
            self.update_state(now);
            return;
        }
        self.run_transaction_timers(now);
        self.maybe_nominate(now);
        self.run_pacer(now);
        self.update_selection(now);
        self.run_consent(now);
        self.update_gathering();
        self.update_state(now);
    }

    fn run_transaction_timers(&mut self, now: Instant) {
        let mut i = 0;
        while i < self.transactions.len() {
            let t = &mut self.transactions[i];
            match t.on_timer(now) {
                TimerAction::Wait => i += 1,
                TimerAction::Retransmit => {
                    let (local, remote, payload, purpose) =
                        (t.local, t.remote, t.payload.clone(), t.purpose);
                    self.retransmit(local, remote, payload);
                    if let Purpose::Check { pair, .. } = purpose
                        && let Some(p) = self.checklist.get_mut(pair)
                    {
                        p.stats.requests_sent += 1;
                    }
                    i += 1;
                }
                TimerAction::TimedOut => {
                    let t = self.transactions.swap_remove(i);
                    self.transaction_timed_out(&t);
                }
            }
        }
    }

    fn transaction_timed_out(&mut self, t: &crate::transaction::Transaction) {
        match t.purpose {
            Purpose::ServerReflexive { .. } => {
                self.gather.outstanding = self.gather.outstanding.saturating_sub(1);
            }
            Purpose::Check {
                pair,
                consent: false,
                ..
            } => {
                if t.cancelled {
                    return;
                }
                if let Some(p) = self.checklist.get_mut(pair)
                    && p.transaction == Some(t.id)
                {
                    p.transaction = None;
                    p.nominating = false;
                    if p.state != PairState::Succeeded {
                        p.state = PairState::Failed;
                    } else if p.nominated {
                        // Nothing: consent decides about nominated pairs.
                    } else {
                        // A nominating check on a valid pair went
                        // unanswered: the path no longer works.
                        p.state = PairState::Failed;
                    }
                }
            }
            Purpose::Check { consent: true, .. } => {}
        }
    }

    fn pacer_ready(&self, now: Instant) -> bool {
        self.last_paced
            .is_none_or(|t| now >= t + self.config.check_interval)
    }

    /// The paced work that would go out next, if any may.
    fn next_paced(&self) -> Option<Paced> {
        if self.transactions.len() >= self.config.max_transactions
            || self.transmits.len() >= self.config.max_queued_transmits
        {
            return None;
        }
        let checks = !self.config.lite && self.remote_creds.is_some();
        let next_check = if checks { self.checklist.peek() } else { None };
        match next_check {
            Some(c @ NextCheck::Triggered(_)) => Some(Paced::Check(c)),
            _ if !self.gather.pending.is_empty() => Some(Paced::Server),
            Some(c) => Some(Paced::Check(c)),
            None => None,
        }
    }

    /// Sends one paced transaction if Ta has passed since the last one.
    fn run_pacer(&mut self, now: Instant) {
        // A pair that cannot be checked (it vanished) is skipped without
        // spending the slot; the loop is bounded by the work there is.
        for _ in 0..8 {
            if !self.pacer_ready(now) {
                return;
            }
            let Some(paced) = self.next_paced() else {
                return;
            };
            let sent = match paced {
                Paced::Server => match self.gather.pending.pop_front() {
                    Some((base, server)) => self.send_server_request(now, base, server),
                    None => false,
                },
                Paced::Check(next) => {
                    self.checklist.pop();
                    self.send_paced_check(now, next)
                }
            };
            if sent {
                self.last_paced = Some(now);
                return;
            }
        }
    }

    fn send_paced_check(&mut self, now: Instant, next: NextCheck) -> bool {
        let id = next.pair();
        let Some(p) = self.checklist.get_mut(id) else {
            return false;
        };
        let nominate = p.nominating;
        if p.state == PairState::Succeeded && !nominate {
            // Triggered on a pair that meanwhile succeeded.
            return false;
        }
        if p.state != PairState::Succeeded {
            p.state = PairState::InProgress;
        }
        let previous = p.transaction.take();
        if let Some(tid) = previous
            && let Some(t) = self.transactions.iter_mut().find(|t| t.id == tid)
        {
            t.cancel();
        }
        let sent = self.send_check(now, id, nominate, false);
        if !sent && let Some(p) = self.checklist.get_mut(id) {
            p.state = PairState::Failed;
        }
        sent
    }

    /// Regular nomination (RFC 8445 §8.1.1) by the controlling agent: the
    /// best valid pair, once nothing better may still succeed or
    /// `nomination_delay` after the first success.
    fn maybe_nominate(&mut self, now: Instant) {
        if self.config.lite || !self.controlling || self.remote_creds.is_none() {
            return;
        }
        if self
            .checklist
            .pairs
            .iter()
            .any(|p| p.nominated || p.nominating)
        {
            return;
        }
        let Some(best) = self.checklist.best_valid() else {
            return;
        };
        let settled = !self.checklist.better_pending(best.priority);
        let waited = self
            .first_valid_at
            .is_some_and(|t| now >= t + self.config.nomination_delay);
        if settled || waited {
            let id = best.id;
            if let Some(p) = self.checklist.get_mut(id) {
                p.nominating = true;
            }
            self.checklist.trigger_first(id);
        }
    }

    /// The data path: the best nominated pair, else the best valid one.
    fn update_selection(&mut self, now: Instant) {
        if self.failed {
            return;
        }
        let best = self
            .checklist
            .best_nominated()
            .or_else(|| {
                if self.config.lite {
                    None
                } else {
                    self.checklist.best_valid()
                }
            })
            .map(|p| (p.id, p.local_addr, p.remote_addr));
        let Some((id, local, remote)) = best else {
            return;
        };
        if self.selected == Some(id) {
            return;
        }
        let same_path = self.selected_pair() == Some((local, remote));
        self.selected = Some(id);
        self.path = Some((local, remote));
        self.previous = None;
        self.previous_local = None;
        self.data = super::DataCounters::default();
        let first = self.consent_delay();
        self.consent = Some(Consent::new(now, first));
        if !same_path || self.generation > 0 {
            self.events
                .push_back(IceEvent::SelectedPair { local, remote });
        }
    }

    fn consent_delay(&mut self) -> Duration {
        let factor = self.rng.random_range(0.8..1.2);
        self.config.consent_interval.mul_f64(factor)
    }

    fn run_consent(&mut self, now: Instant) {
        let Some(id) = self.selected else {
            return;
        };
        let Some(pair) = self.checklist.get(id) else {
            return;
        };
        let (local, remote) = (pair.local_addr, pair.remote_addr);
        let Some(consent) = &self.consent else {
            return;
        };
        let (due_check, due_keepalive) = (
            !consent.paused && !self.config.lite && now >= consent.next_check,
            now >= consent.last_sent + self.config.keepalive_interval,
        );
        if due_check {
            let next = self.consent_delay();
            self.send_check(now, id, false, true);
            if let Some(c) = &mut self.consent {
                c.on_check_sent(now, next);
            }
        }
        if due_keepalive {
            self.send_keepalive(local, remote);
            if let Some(c) = &mut self.consent {
                c.last_sent = now;
            }
        }
    }

    fn update_gathering(&mut self) {
        if self.gather.state == Some(GatheringState::Gathering) && self.gather.is_complete() {
            self.gather.state = Some(GatheringState::Complete);
            self.events
                .push_back(IceEvent::GatheringState(GatheringState::Complete));
            self.events.push_back(IceEvent::EndOfLocalCandidates);
        }
    }

    /// Whether the checks have failed for good (RFC 8445 §8.1.2, RFC 8838
    /// §8): nothing valid, the peer's end-of-candidates, our gathering
    /// done, nothing left to resolve or check, and the PAC timer (RFC 8863)
    /// run out: the peer's own checks may still show us a peer-reflexive
    /// candidate when it signalled none that we can reach.
    fn checks_failed(&self, now: Instant) -> bool {
        !self.config.lite
            && self.pac_expired(now)
            && self.remote_creds.is_some()
            && self.remote_end_of_candidates
            && self.gather.state() == GatheringState::Complete
            && self.mdns.is_empty()
            && self.selected.is_none()
            && self.previous.is_none()
            && self.checklist.all_failed()
    }

    fn pac_expired(&self, now: Instant) -> bool {
        self.checks_started_at
            .is_some_and(|t| now >= t + self.config.pac_timeout)
    }

    /// Failed for good: nothing is sent and no pair carries data until a
    /// restart.
    fn fail(&mut self) {
        self.failed = true;
        self.transactions.clear();
        self.selected = None;
        self.previous = None;
        self.path = None;
        self.consent = None;
    }

    fn update_state(&mut self, now: Instant) {
        if self.failed {
            self.set_state(ConnectionState::Failed);
            return;
        }
        let state = if self.selected.is_some() || self.previous.is_some() {
            let consent = self.consent.as_ref().map_or(ConsentState::Fresh, |c| {
                c.state(
                    now,
                    self.config.disconnected_timeout,
                    self.config.consent_timeout,
                )
            });
            match consent {
                ConsentState::Lost if !self.config.lite => {
                    self.fail();
                    ConnectionState::Failed
                }
                ConsentState::Expiring if !self.config.lite => ConnectionState::Disconnected,
                _ => {
                    let nominated = self
                        .selected
                        .and_then(|id| self.checklist.get(id))
                        .is_some_and(|p| p.nominated);
                    if nominated && !self.checklist.has_unstarted() {
                        ConnectionState::Completed
                    } else {
                        ConnectionState::Connected
                    }
                }
            }
        } else if self.checks_failed(now) {
            self.fail();
            ConnectionState::Failed
        } else if self.remote_creds.is_some() || !self.checklist.pairs.is_empty() {
            ConnectionState::Checking
        } else {
            ConnectionState::New
        };
        self.set_state(state);
    }

    /// The earliest instant at which [`handle_timeout`](Self::handle_timeout)
    /// must be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.closed {
            return None;
        }
        if self.failed {
            return self.mdns.next_deadline();
        }
        let mut next: Option<Instant> = None;
        let mut at = |t: Instant| next = Some(next.map_or(t, |n| n.min(t)));
        for t in &self.transactions {
            at(t.deadline);
        }
        if self.next_paced().is_some()
            && let Some(last) = self.last_paced
        {
            at(last + self.config.check_interval);
        }
        if !self.config.lite
            && self.controlling
            && let Some(first) = self.first_valid_at
            && !self
                .checklist
                .pairs
                .iter()
                .any(|p| p.nominated || p.nominating)
            && self.checklist.best_valid().is_some()
        {
            at(first + self.config.nomination_delay);
        }
        if let Some(c) = &self.consent
            && self.selected.is_some()
        {
            if !c.paused && !self.config.lite {
                at(c.next_check);
            }
            at(c.last_sent + self.config.keepalive_interval);
        }
        if let Some(c) = &self.consent
            && !self.failed
            && !self.config.lite
            && let Some(now) = self.last_now
            && let Some(t) = c.next_change(
                now,
                self.config.disconnected_timeout,
                self.config.consent_timeout,
            )
        {
            at(t);
        }
        if let Some(t) = self.mdns.next_deadline() {
            at(t);
        }
        if !self.config.lite
            && self.selected.is_none()
            && self.previous.is_none()
            && let Some(start) = self.checks_started_at
            && self.last_now.is_none_or(|now| !self.pac_expired(now))
        {
            at(start + self.config.pac_timeout);
        }
        // Never ask for an instant already handled (a condition that is due
        // but cannot act yet would otherwise spin the caller).
        match (next, self.last_now) {
            (Some(t), Some(now)) if t <= now => Some(now + Duration::from_millis(1)),
            (t, _) => t,
        }
    }
}
