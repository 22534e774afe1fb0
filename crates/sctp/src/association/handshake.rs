//! Association setup (RFC 9260 §5): INIT, INIT-ACK, COOKIE-ECHO and
//! COOKIE-ACK, including the simultaneous open WebRTC does every time
//! (both sides send INIT) and the collision and restart cases of §5.2.

use std::time::Instant;

use bytes::Bytes;

use super::{Association, State, Tcb};
use crate::capabilities::Capabilities;
use crate::chunk::Chunk;
use crate::chunk::cookie_ack::CookieAckChunk;
use crate::chunk::cookie_echo::CookieEchoChunk;
use crate::chunk::error::ErrorChunk;
use crate::chunk::init::InitChunk;
use crate::chunk::init_ack::InitAckChunk;
use crate::chunk::shutdown_ack::ShutdownAckChunk;
use crate::cookie::{CookieError, StateCookie};
use crate::error_cause::ErrorCause;
use crate::error_cause::stale_cookie::StaleCookieCause;
use crate::event::{CloseReason, Event};
use crate::options::SctpOptions;
use crate::param::{
    ForwardTsnSupportedParameter, LargePacketsAcceptableParameter, Parameter, StateCookieParameter,
    SupportedExtensionsParameter, UnrecognizedParameter, ZeroChecksumAcceptableParameter,
    unknown_parameter_action,
};
use crate::timer::{Timer, backed_off};
use crate::types::Tsn;

/// Chunk types we announce in Supported Extensions.
const RE_CONFIG: u8 = 130;
const FORWARD_TSN: u8 = 192;
const I_DATA: u8 = 64;
const I_FORWARD_TSN: u8 = 194;
/// RFC 9653: DTLS is the alternate error detection method.
const EDMID_DTLS: u32 = 1;

/// Handshake progress.
#[derive(Debug, Default)]
pub(super) struct Handshake {
    /// T1-init, then T1-cookie.
    pub(super) t1: Timer,
    /// The cookie we echo while in COOKIE-ECHOED.
    cookie: Option<Bytes>,
    /// A COOKIE-ECHO is due: the next packet built starts with it and
    /// carries what DATA fits (RFC 9260 §5.1 D), so a channel's first
    /// message (the DCEP OPEN) arrives with the handshake instead of a
    /// round trip after it.
    pub(super) echo_due: bool,
    /// We answered the peer's INIT while CLOSED: its COOKIE-ECHO is on
    /// the way, so [`Association::connect`] holds its own INIT back.
    answered_init: bool,
    /// The TCB given up on a stale cookie, kept for the DATA it sent.
    previous: Option<Box<Tcb>>,
    /// Opened from signalled INITs (SNAP), without the handshake.
    pub(super) snap: bool,
}

impl Handshake {
    /// The TCB a stale cookie made us give up, if any.
    pub(super) fn take_previous(&mut self) -> Option<Tcb> {
        self.previous.take().map(|b| *b)
    }
}

/// The peer's half of the association parameters.
#[derive(Clone, Copy, Debug)]
pub(super) struct PeerParams {
    pub(super) tag: u32,
    pub(super) a_rwnd: u32,
    pub(super) inbound_streams: u16,
    pub(super) initial_tsn: Tsn,
}

impl Association {
    /// Opens the association actively: sends INIT. In WebRTC both sides do
    /// this; the collision resolves itself (RFC 9260 §5.2.1), at the cost
    /// of a packet each way. So when the peer's INIT came first and was
    /// answered, ours is held back: the peer's COOKIE-ECHO completes the
    /// association. T1-init runs either way, and sends our INIT if that
    /// COOKIE-ECHO does not come.
    pub fn connect(&mut self, now: Instant) {
        if self.state != State::Closed || self.terminated {
            return;
        }
        self.state = State::CookieWait;
        if !self.handshake.answered_init {
            self.send_init();
        }
        self.handshake.t1.stop();
        self.handshake.t1.start(now, self.options.rto_initial);
    }

    fn send_init(&mut self) {
        let init = local_init(&self.options, self.local_tag, self.local_initial_tsn);
        // INIT never goes with a zero checksum (RFC 9653 §5.2).
        self.queue_packet(0, &Chunk::Init(init), false);
        self.stats.inits_sent += 1;
    }

    /// Sends the COOKIE-ECHO again, with the DATA it carried.
    fn resend_cookie_echo(&mut self) {
        if let Some(tcb) = &mut self.tcb {
            tcb.rtx.cookie_echo_lost();
        }
        self.handshake.echo_due = true;
    }

    /// The COOKIE-ECHO chunk for the packet being built, if one is due.
    pub(super) fn take_due_cookie_echo(&mut self) -> Option<Chunk> {
        if !std::mem::take(&mut self.handshake.echo_due) {
            return None;
        }
        let cookie = self.handshake.cookie.clone()?;
        Some(Chunk::CookieEcho(CookieEchoChunk { cookie }))
    }

    /// What both sides support, from the peer's INIT or INIT-ACK.
    pub(super) fn negotiate(
        &self,
        supports: impl Fn(u8) -> bool,
        forward_tsn: bool,
        edmid: Option<u32>,
        large_packets: bool,
    ) -> Capabilities {
        let o = &self.options;
        Capabilities {
            partial_reliability: o.enable_partial_reliability
                && (forward_tsn || supports(FORWARD_TSN)),
            message_interleaving: o.enable_message_interleaving
                && supports(I_DATA)
                && supports(I_FORWARD_TSN),
            reconfig: supports(RE_CONFIG),
            zero_checksum: o.enable_zero_checksum && edmid == Some(EDMID_DTLS),
            large_packets,
        }
    }

    /// T1-init or T1-cookie expired: resend with backoff, or give up.
    pub(super) fn handle_t1(&mut self, now: Instant) {
        if !self.handshake.t1.expire(now) {
            return;
        }
        let n = self.handshake.t1.expirations();
        if n > self.options.max_init_retransmissions {
            self.terminate(CloseReason::Unreachable);
            return;
        }
        match self.state {
            State::CookieWait => self.send_init(),
            State::CookieEchoed => self.resend_cookie_echo(),
            _ => return,
        }
        let wait = backed_off(self.options.rto_initial, n, self.options.rto_max);
        self.handshake.t1.start(now, wait);
    }

    /// INIT from the peer (RFC 9260 §5.1, §5.2.1, §5.2.2).
    pub(super) fn handle_init(&mut self, now: Instant, init: InitChunk) {
        if !init.is_acceptable() {
            // RFC 9260 §3.3.2: invalid; an ABORT would need a tag we do not
            // trust, so drop it.
            self.stats.packets_dropped += 1;
            return;
        }
        self.handshake.answered_init |= self.state == State::Closed;
        let (local_tag, local_tsn, tie_local, tie_peer) = match self.state {
            State::Closed | State::CookieWait | State::CookieEchoed => {
                (self.local_tag, self.local_initial_tsn, 0, 0)
            }
            State::ShutdownAckSent => {
                // §9.2: the peer must finish the shutdown first.
                if let Some(tcb) = &self.tcb {
                    let tag = tcb.peer_tag;
                    self.queue_packet(tag, &Chunk::ShutdownAck(ShutdownAckChunk), true);
                }
                return;
            }
            _ => {
                // §5.2.2: a new tag, and the current tags as tie-tags so a
                // restart can be recognised when the cookie comes back.
                let Some(tcb) = &self.tcb else { return };
                let peer_tag = tcb.peer_tag;
                let tag = super::nonzero(&mut self.rng);
                let tsn = Tsn(rand::RngExt::random(&mut self.rng));
                (tag, tsn, self.local_tag, peer_tag)
            }
        };
        let capabilities = self.negotiate(
            |t| init.supports_chunk(t),
            init.forward_tsn_supported(),
            init.zero_checksum_edmid(),
            init.large_packets_acceptable(),
        );
        let cookie = StateCookie {
            created_at: self.elapsed(now),
            local_tag,
            local_initial_tsn: local_tsn,
            peer_tag: init.initiate_tag,
            peer_initial_tsn: init.initial_tsn,
            peer_a_rwnd: init.a_rwnd,
            peer_outbound_streams: init.outbound_streams,
            peer_inbound_streams: init.inbound_streams,
            capabilities,
            local_tie_tag: tie_local,
            peer_tie_tag: tie_peer,
        };
        let mut parameters = our_parameters(&self.options);
        parameters.push(Parameter::StateCookie(StateCookieParameter {
            cookie: cookie.sign(&self.cookie_key),
        }));
        for raw in init.unknown_parameters() {
            let action = unknown_parameter_action(raw.typ);
            if action.report {
                parameters.push(Parameter::UnrecognizedParameter(
                    UnrecognizedParameter::new(raw),
                ));
            }
            if action.stop {
                break;
            }
        }
        let ack = InitAckChunk {
            initiate_tag: local_tag,
            a_rwnd: a_rwnd(self.options.max_receive_buffer),
            outbound_streams: self.options.num_streams,
            inbound_streams: self.options.num_streams,
            initial_tsn: local_tsn,
            parameters,
        };
        self.queue_packet(init.initiate_tag, &Chunk::InitAck(ack), false);
    }

    /// INIT-ACK: only meaningful in COOKIE-WAIT (§5.2.3).
    pub(super) fn handle_init_ack(&mut self, now: Instant, ack: InitAckChunk) {
        if self.state != State::CookieWait {
            return;
        }
        let Some(cookie) = ack.state_cookie().cloned() else {
            self.stats.packets_dropped += 1;
            return;
        };
        if !ack.is_acceptable() {
            self.stats.packets_dropped += 1;
            return;
        }
        let capabilities = self.negotiate(
            |t| ack.supports_chunk(t),
            ack.forward_tsn_supported(),
            ack.zero_checksum_edmid(),
            ack.large_packets_acceptable(),
        );
        let peer = PeerParams {
            tag: ack.initiate_tag,
            a_rwnd: ack.a_rwnd,
            inbound_streams: ack.inbound_streams,
            initial_tsn: ack.initial_tsn,
        };
        self.install_tcb(&peer, capabilities);
        if let Some(tcb) = &self.tcb {
            // The DATA bundled with the COOKIE-ECHO already uses the
            // negotiated format and the peer's tag.
            let _ = self
                .send_queue
                .set_interleaving(tcb.capabilities.message_interleaving);
            self.writer.set_verification_tag(tcb.peer_tag);
        }
        self.handshake.cookie = Some(cookie);
        self.state = State::CookieEchoed;
        self.handshake.echo_due = true;
        self.handshake.t1.stop();
        self.handshake.t1.start(now, self.options.rto_initial);
    }

    /// COOKIE-ECHO (§5.1 step D, §5.2.4). `tag` is the packet's
    /// verification tag. Returns whether the cookie was accepted: the
    /// packet's tag was checked only through it, so the chunks bundled
    /// after a refused one must not be read.
    pub(super) fn handle_cookie_echo(
        &mut self,
        now: Instant,
        tag: u32,
        echo: &CookieEchoChunk,
    ) -> bool {
        let cookie = match StateCookie::verify(
            &echo.cookie,
            &self.cookie_key,
            self.elapsed(now),
            self.options.cookie_lifetime,
        ) {
            Ok(c) => c,
            Err(CookieError::Stale {
                staleness,
                peer_tag,
            }) => {
                let cause = ErrorCause::StaleCookie(StaleCookieCause {
                    staleness_us: u32::try_from(staleness.as_micros()).unwrap_or(u32::MAX),
                });
                self.queue_packet(
                    peer_tag,
                    &Chunk::Error(ErrorChunk {
                        causes: vec![cause],
                    }),
                    false,
                );
                return false;
            }
            Err(_) => {
                self.stats.packets_dropped += 1;
                return false;
            }
        };
        if tag != cookie.local_tag {
            self.stats.packets_dropped += 1;
            return false;
        }
        let peer = PeerParams {
            tag: cookie.peer_tag,
            a_rwnd: cookie.peer_a_rwnd,
            inbound_streams: cookie.peer_inbound_streams,
            initial_tsn: cookie.peer_initial_tsn,
        };
        let Some(tcb) = &self.tcb else {
            // No association yet (CLOSED or COOKIE-WAIT): create it.
            self.adopt_cookie(&cookie, &peer);
            self.enter_established(now);
            self.queue_control(Chunk::CookieAck(CookieAckChunk));
            return true;
        };
        let local_match = cookie.local_tag == self.local_tag;
        let peer_match = cookie.peer_tag == tcb.peer_tag;
        let tie_match =
            cookie.local_tie_tag == self.local_tag && cookie.peer_tie_tag == tcb.peer_tag;
        if !local_match && !peer_match && tie_match {
            // Case A: the peer restarted.
            if self.state == State::ShutdownAckSent {
                let peer_tag = tcb.peer_tag;
                self.queue_packet(peer_tag, &Chunk::ShutdownAck(ShutdownAckChunk), true);
                let cause = ErrorCause::CookieReceivedWhileShuttingDown;
                self.queue_packet(
                    peer_tag,
                    &Chunk::Error(ErrorChunk {
                        causes: vec![cause],
                    }),
                    true,
                );
                return false;
            }
            self.adopt_cookie(&cookie, &peer);
            self.events.push_back(Event::Restarted);
            self.state = State::Established;
            self.writer.set_verification_tag(peer.tag);
            self.queue_control(Chunk::CookieAck(CookieAckChunk));
        } else if local_match && !peer_match {
            // Case B: INIT collision; take the peer's parameters from the cookie.
            self.adopt_cookie(&cookie, &peer);
            if self.state == State::CookieEchoed {
                self.enter_established(now);
            } else {
                self.writer.set_verification_tag(peer.tag);
            }
            self.queue_control(Chunk::CookieAck(CookieAckChunk));
        } else if local_match && peer_match {
            // Case D: our own association; a lost COOKIE-ACK or the
            // simultaneous open.
            if self.state == State::CookieEchoed {
                self.enter_established(now);
            }
            self.queue_control(Chunk::CookieAck(CookieAckChunk));
        } else {
            // Case C and everything else: silently discarded.
            return false;
        }
        true
    }

    /// A stale cookie: start over with a fresh INIT (§5.2.6), keeping the
    /// TCB for the DATA that went with the refused COOKIE-ECHO.
    pub(super) fn restart_after_stale_cookie(&mut self, now: Instant) {
        if let Some(mut tcb) = self.tcb.take() {
            tcb.rtx.cookie_echo_lost();
            self.handshake.previous = Some(Box::new(tcb));
        }
        self.handshake.cookie = None;
        self.handshake.echo_due = false;
        self.handshake.answered_init = false;
        self.state = State::Closed;
        self.connect(now);
    }

    /// Builds the TCB from a verified cookie.
    fn adopt_cookie(&mut self, cookie: &StateCookie, peer: &PeerParams) {
        self.local_tag = cookie.local_tag;
        self.local_initial_tsn = cookie.local_initial_tsn;
        self.install_tcb(peer, cookie.capabilities);
        self.handshake.cookie = None;
        self.handshake.echo_due = false;
    }

    /// COOKIE-ACK: the handshake is complete.
    pub(super) fn handle_cookie_ack(&mut self, now: Instant) {
        if self.state == State::CookieEchoed {
            self.handshake.cookie = None;
            self.handshake.echo_due = false;
            self.enter_established(now);
        }
    }
}

/// Our INIT parameters (shared by INIT and INIT-ACK).
fn our_parameters(o: &SctpOptions) -> Vec<Parameter> {
    let mut ext = vec![RE_CONFIG];
    let mut params = Vec::with_capacity(4);
    if o.enable_partial_reliability {
        ext.push(FORWARD_TSN);
        params.push(Parameter::ForwardTsnSupported(ForwardTsnSupportedParameter));
    }
    if o.enable_message_interleaving {
        ext.push(I_DATA);
        ext.push(I_FORWARD_TSN);
    }
    params.push(Parameter::SupportedExtensions(
        SupportedExtensionsParameter { chunk_types: ext },
    ));
    if o.enable_zero_checksum {
        params.push(Parameter::ZeroChecksumAcceptable(
            ZeroChecksumAcceptableParameter { edmid: EDMID_DTLS },
        ));
    }
    if o.accept_large_packets {
        params.push(Parameter::LargePacketsAcceptable(
            LargePacketsAcceptableParameter {
                max_packet: LargePacketsAcceptableParameter::ANY,
            },
        ));
    }
    params
}

/// The INIT chunk these options and numbers make (also SNAP's
/// signalled INIT).
pub(super) fn local_init(o: &SctpOptions, tag: u32, initial_tsn: Tsn) -> InitChunk {
    InitChunk {
        initiate_tag: tag,
        a_rwnd: a_rwnd(o.max_receive_buffer),
        outbound_streams: o.num_streams,
        inbound_streams: o.num_streams,
        initial_tsn,
        parameters: our_parameters(o),
    }
}

/// The receiver window we announce.
fn a_rwnd(buffer: usize) -> u32 {
    u32::try_from(buffer).unwrap_or(u32::MAX)
}
