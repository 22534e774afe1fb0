//! The STUN messages the agent writes: checks (RFC 8445 §7.2.2), their
//! responses (§7.3.1), STUN-server Binding requests (RFC 8489 §6) and
//! keepalives (RFC 8445 §11).

use std::net::SocketAddr;
use std::time::Instant;

use bytes::Bytes;
use sanderling_stun::attr::{
    ErrorCode, IceControlled, IceControlling, Priority, UseCandidate, Username, XorMappedAddress,
};
use sanderling_stun::{IntegrityKey, Message, MessageBuilder, Method};

use super::IceAgent;
use crate::gather::peer_reflexive_priority;
use crate::transaction::{Purpose, Transaction};
use crate::transmit::Transmit;

/// Which of our passwords authenticates a response.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LocalKey {
    /// The current credentials.
    Current,
    /// The credentials before the last restart.
    Previous,
}

impl IceAgent {
    fn key(&self, which: LocalKey) -> &IntegrityKey {
        match (which, self.previous_local.as_deref()) {
            (LocalKey::Previous, Some((_, key))) => key,
            _ => &self.local_key,
        }
    }

    /// Sends a connectivity check on pair `pair_id` (a consent check when
    /// `consent`); returns whether it went out.
    pub(crate) fn send_check(
        &mut self,
        now: Instant,
        pair_id: u64,
        nominate: bool,
        consent: bool,
    ) -> bool {
        if self.transactions.len() >= self.config.max_transactions {
            return false;
        }
        let (Some(remote_creds), Some(_)) = (&self.remote_creds, &self.remote_key) else {
            return false;
        };
        let Some(pair) = self.checklist.get(pair_id) else {
            return false;
        };
        let Some(local) = self.gather.candidates.get(pair.local) else {
            return false;
        };
        let (local_addr, remote_addr) = (pair.local_addr, pair.remote_addr);
        let priority = peer_reflexive_priority(&local.candidate);
        let username = format!("{}:{}", remote_creds.ufrag, self.local_creds.ufrag);
        let Ok(username) = Username::new(&username) else {
            return false;
        };
        let nominate = nominate && self.controlling;
        let tid = self.new_transaction_id();
        let (Some(_), Some(remote_key)) = (&self.remote_creds, &self.remote_key) else {
            return false;
        };
        let mut b = MessageBuilder::request(Method::BINDING, tid)
            .attr(username)
            .attr(Priority(priority));
        b = if self.controlling {
            b.attr(IceControlling(self.tie_breaker))
        } else {
            b.attr(IceControlled(self.tie_breaker))
        };
        if nominate {
            b = b.attr(UseCandidate);
        }
        let Ok(payload) = b.message_integrity(remote_key).fingerprint().build() else {
            return false;
        };
        let purpose = Purpose::Check {
            pair: pair_id,
            nominate,
            controlling: self.controlling,
            consent,
            generation: self.generation,
        };
        let txn = Transaction::new(
            now,
            tid,
            purpose,
            local_addr,
            remote_addr,
            payload.clone(),
            self.config.check_retransmit,
        );
        if !self.queue_transmit(Transmit {
            local: local_addr,
            remote: remote_addr,
            payload,
        }) {
            return false;
        }
        self.transactions.push(txn);
        self.stats.checks_sent += 1;
        if let Some(p) = self.checklist.get_mut(pair_id) {
            p.stats.requests_sent += 1;
            if consent {
                p.stats.consent_requests_sent += 1;
            } else {
                p.transaction = Some(tid);
            }
            p.stats.touch(now);
        }
        true
    }

    /// Sends a Binding request to a STUN server from `base`.
    pub(crate) fn send_server_request(
        &mut self,
        now: Instant,
        base: SocketAddr,
        server: SocketAddr,
    ) -> bool {
        let tid = self.new_transaction_id();
        let Ok(payload) = MessageBuilder::request(Method::BINDING, tid)
            .fingerprint()
            .build()
        else {
            return false;
        };
        let txn = Transaction::new(
            now,
            tid,
            Purpose::ServerReflexive { server },
            base,
            server,
            payload.clone(),
            self.config.stun_retransmit,
        );
        if !self.queue_transmit(Transmit {
            local: base,
            remote: server,
            payload,
        }) {
            return false;
        }
        self.transactions.push(txn);
        self.gather.outstanding += 1;
        true
    }

    /// Sends a Binding indication (keepalive) on a pair.
    pub(crate) fn send_keepalive(&mut self, local: SocketAddr, remote: SocketAddr) {
        let tid = self.new_transaction_id();
        if let Ok(payload) = MessageBuilder::indication(Method::BINDING, tid)
            .fingerprint()
            .build()
            && self.queue_transmit(Transmit {
                local,
                remote,
                payload,
            })
        {
            self.stats.keepalives_sent += 1;
        }
    }

    /// Answers an authenticated check: XOR-MAPPED-ADDRESS is its source.
    pub(crate) fn respond_success(
        &mut self,
        request: &Message,
        local: SocketAddr,
        remote: SocketAddr,
        key: LocalKey,
    ) {
        let payload = MessageBuilder::success_response(request)
            .attr(XorMappedAddress(remote))
            .message_integrity(self.key(key))
            .fingerprint()
            .build();
        if let Ok(payload) = payload {
            self.queue_transmit(Transmit {
                local,
                remote,
                payload,
            });
        }
    }

    /// Answers a request with an error; authenticated with our key when
    /// the request was (487), not otherwise (400, 401, 420).
    pub(crate) fn respond_error(
        &mut self,
        request: &Message,
        local: SocketAddr,
        remote: SocketAddr,
        code: u16,
        key: Option<LocalKey>,
    ) {
        let Ok(error) = ErrorCode::with_default_reason(code) else {
            return;
        };
        let mut b = MessageBuilder::error_response(request, error);
        if let Some(k) = key {
            b = b.message_integrity(self.key(k));
        }
        if let Ok(payload) = b.fingerprint().build() {
            self.queue_transmit(Transmit {
                local,
                remote,
                payload,
            });
        }
    }

    /// Answers with 420 and the unknown comprehension-required types.
    pub(crate) fn respond_unknown_attributes(
        &mut self,
        request: &Message,
        local: SocketAddr,
        remote: SocketAddr,
    ) {
        let unknown = request.unknown_comprehension_required();
        if let Ok(payload) = MessageBuilder::unknown_attributes_response(request, &unknown)
            .fingerprint()
            .build()
        {
            self.queue_transmit(Transmit {
                local,
                remote,
                payload,
            });
        }
    }

    /// Retransmits a request.
    pub(crate) fn retransmit(&mut self, local: SocketAddr, remote: SocketAddr, payload: Bytes) {
        if self.queue_transmit(Transmit {
            local,
            remote,
            payload,
        }) {
            self.stats.retransmissions += 1;
        }
    }
}
