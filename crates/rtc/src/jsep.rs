//! JSEP for data channels (RFC 8829): the signalling state machine, our
//! offers and answers, and what a remote description tells the
//! transports.

use std::fmt;

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use bytes::Bytes;
use sanderling_sctp::association::Association;
use sanderling_sdp::{
    Candidate, DataDescriptionBuilder, Fingerprint, MaxMessageSize, SdpError,
    SessionDescription as Sdp, Setup,
};

/// Base64 as `a=sctp-init` carries it (RFC 4648 with `=` padding on
/// output; accepted with or without, as the draft's own example has none).
pub(crate) const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// W3C `RTCSdpType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SdpType {
    /// An offer.
    Offer,
    /// A provisional answer.
    Pranswer,
    /// A final answer.
    Answer,
    /// Undo the pending offer.
    Rollback,
}

impl SdpType {
    /// The W3C name (`"offer"`, ...), as in aiortc's signalling JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Offer => "offer",
            Self::Pranswer => "pranswer",
            Self::Answer => "answer",
            Self::Rollback => "rollback",
        }
    }
}

impl std::str::FromStr for SdpType {
    type Err = JsepError;
    fn from_str(s: &str) -> Result<Self, JsepError> {
        match s {
            "offer" => Ok(Self::Offer),
            "pranswer" => Ok(Self::Pranswer),
            "answer" => Ok(Self::Answer),
            "rollback" => Ok(Self::Rollback),
            other => Err(JsepError::UnknownType(other.to_owned())),
        }
    }
}

/// W3C `RTCSessionDescription`: a type and the SDP text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionDescription {
    /// Offer, answer, ...
    pub sdp_type: SdpType,
    /// The SDP.
    pub sdp: String,
}

/// W3C `RTCSignalingState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignalingState {
    /// No offer/answer exchange in progress.
    Stable,
    /// We applied our offer.
    HaveLocalOffer,
    /// We applied the peer's offer.
    HaveRemoteOffer,
    /// We applied our provisional answer.
    HaveLocalPranswer,
    /// We applied the peer's provisional answer.
    HaveRemotePranswer,
    /// The connection is closed.
    Closed,
}

/// Which side does what, once offer and answer are known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DtlsSide {
    /// `a=setup:active`: we start the DTLS handshake.
    Client,
    /// `a=setup:passive`: we wait for it.
    Server,
}

/// Why a JSEP call failed. Nothing changed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JsepError {
    /// The call is not allowed in this signalling state (W3C InvalidStateError).
    #[error("{operation} is not allowed in signalling state {state:?}")]
    InvalidState {
        /// The call.
        operation: &'static str,
        /// The state it was made in.
        state: SignalingState,
    },
    /// The SDP does not parse.
    #[error("invalid SDP: {0}")]
    Sdp(#[from] SdpError),
    /// Not a type W3C knows.
    #[error("unknown description type {0:?}")]
    UnknownType(String),
    /// The description has no data-channel section.
    #[error("the description has no data channel (m=application ... webrtc-datachannel) section")]
    NoDataSection,
    /// ICE credentials are missing or invalid.
    #[error("the description lacks valid ICE credentials (a=ice-ufrag, a=ice-pwd)")]
    MissingIceCredentials,
    /// No fingerprint to check the peer's certificate against.
    #[error("the description has no a=fingerprint")]
    MissingFingerprint,
    /// The answer's setup role cannot work with the offer's.
    #[error("a=setup:{0} is not a valid answer to an offer")]
    BadSetup(&'static str),
    /// A description we did not create was given as local.
    #[error("the local description must be the last offer or answer created")]
    NotCreatedHere,
}

/// What we put in our descriptions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalParameters {
    /// ICE username fragment.
    pub ice_ufrag: String,
    /// ICE password.
    pub ice_pwd: String,
    /// Our certificate's fingerprint.
    pub fingerprint: Fingerprint,
    /// Our SCTP port.
    pub sctp_port: u16,
    /// The largest message we accept.
    pub max_message_size: u64,
    /// Candidates gathered so far.
    pub candidates: Vec<Candidate>,
    /// Gathering is complete.
    pub end_of_candidates: bool,
    /// We are an ICE-lite agent.
    pub ice_lite: bool,
    /// Our SCTP INIT for `a=sctp-init` (SNAP), base64; `None` leaves the
    /// attribute out.
    pub sctp_init: Option<String>,
}

/// What the peer's description says, for the transports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteParameters {
    /// ICE username fragment.
    pub ice_ufrag: String,
    /// ICE password.
    pub ice_pwd: String,
    /// The peer is an ICE-lite agent.
    pub ice_lite: bool,
    /// Fingerprints its certificate must match (any one).
    pub fingerprints: Vec<Fingerprint>,
    /// The data section's mid.
    pub mid: Option<String>,
    /// The peer's SCTP port.
    pub sctp_port: u16,
    /// The largest message the peer accepts (`usize::MAX`: no limit).
    pub max_message_size: usize,
    /// Candidates in the description.
    pub candidates: Vec<Candidate>,
    /// The peer has no more candidates.
    pub end_of_candidates: bool,
    /// The peer's SCTP INIT from `a=sctp-init` (SNAP), decoded and checked;
    /// `None` when absent or invalid (the draft: silently ignored).
    pub sctp_init: Option<Bytes>,
}

/// The result of applying a remote description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteUpdate {
    /// The parameters.
    pub parameters: RemoteParameters,
    /// The peer changed its ICE credentials: an ICE restart.
    pub ice_restart: bool,
}

/// A description this side made, with what applying it needs from it
/// (kept so it is not parsed again).
#[derive(Clone, Debug)]
struct Made {
    description: SessionDescription,
    setup: Setup,
    mid: Option<String>,
    /// It carries `a=sctp-init`.
    sctp_init: bool,
}

impl Made {
    fn new(sdp_type: SdpType, sdp: &Sdp, setup: Setup) -> Self {
        Self {
            description: SessionDescription {
                sdp_type,
                sdp: sdp.to_string(),
            },
            setup,
            mid: sdp.data_section().and_then(|d| d.mid()).map(str::to_owned),
            sctp_init: sdp.data_section().is_some_and(|d| d.sctp_init().is_some()),
        }
    }
}

/// The signalling side of one peer connection.
#[derive(Debug)]
pub struct Jsep {
    state: SignalingState,
    session_id: u64,
    session_version: u64,
    last_created: Option<Made>,
    pending_local: Option<Made>,
    current_local: Option<Made>,
    pending_remote: Option<SessionDescription>,
    current_remote: Option<SessionDescription>,
    remote_offer: Option<Sdp>,
    dtls_side: Option<DtlsSide>,
    remote_ice: Option<(String, String)>,
    we_offered_first: Option<bool>,
}

impl Jsep {
    /// A new state machine; `session_id` comes from the caller's seeded
    /// generator (top bit clear, JSEP §5.2.1).
    pub fn new(session_id: u64) -> Self {
        Self {
            state: SignalingState::Stable,
            session_id: session_id & (u64::MAX >> 1),
            session_version: 1,
            last_created: None,
            pending_local: None,
            current_local: None,
            pending_remote: None,
            current_remote: None,
            remote_offer: None,
            dtls_side: None,
            remote_ice: None,
            we_offered_first: None,
        }
    }

    /// The signalling state.
    pub fn state(&self) -> SignalingState {
        self.state
    }

    /// Our DTLS side, once an offer/answer exchange has settled it.
    pub fn dtls_side(&self) -> Option<DtlsSide> {
        self.dtls_side
    }

    /// Whether we are the ICE controlling agent: the first offerer is
    /// (RFC 8445 §6.1.1), and stays so through renegotiation.
    pub fn ice_controlling(&self) -> bool {
        self.we_offered_first.unwrap_or(true)
    }

    /// W3C `localDescription` (pending if any, else current).
    pub fn local_description(&self) -> Option<&SessionDescription> {
        self.local().map(|l| &l.description)
    }

    /// The mid of the local description's data section.
    pub fn local_mid(&self) -> Option<&str> {
        self.local()?.mid.as_deref()
    }

    /// Whether the current local description (the settled offer/answer
    /// exchange) carries our `a=sctp-init`.
    pub fn local_has_sctp_init(&self) -> bool {
        self.current_local.as_ref().is_some_and(|l| l.sctp_init)
    }

    fn local(&self) -> Option<&Made> {
        self.pending_local.as_ref().or(self.current_local.as_ref())
    }

    /// W3C `remoteDescription`.
    pub fn remote_description(&self) -> Option<&SessionDescription> {
        self.pending_remote
            .as_ref()
            .or(self.current_remote.as_ref())
    }

    /// W3C `currentLocalDescription`.
    pub fn current_local_description(&self) -> Option<&SessionDescription> {
        self.current_local.as_ref().map(|l| &l.description)
    }

    /// W3C `currentRemoteDescription`.
    pub fn current_remote_description(&self) -> Option<&SessionDescription> {
        self.current_remote.as_ref()
    }

    /// Marks the state machine closed (W3C `close()`).
    pub fn close(&mut self) {
        self.state = SignalingState::Closed;
    }

    fn builder(&mut self, local: &LocalParameters, setup: Setup) -> DataDescriptionBuilder {
        self.session_version += 1;
        let mut b = DataDescriptionBuilder::new(
            self.session_id,
            local.ice_ufrag.clone(),
            local.ice_pwd.clone(),
            local.fingerprint.clone(),
            setup,
        )
        .session_version(self.session_version)
        .sctp_port(local.sctp_port)
        .max_message_size(Some(local.max_message_size))
        .ice_lite(local.ice_lite)
        .sctp_init(local.sctp_init.clone())
        .end_of_candidates(local.end_of_candidates);
        for c in &local.candidates {
            b = b.candidate(c.clone());
        }
        b
    }

    /// W3C `createOffer`: a data-only offer with `a=setup:actpass`.
    pub fn create_offer(
        &mut self,
        local: &LocalParameters,
    ) -> Result<SessionDescription, JsepError> {
        if !matches!(
            self.state,
            SignalingState::Stable | SignalingState::HaveLocalOffer
        ) {
            return Err(JsepError::InvalidState {
                operation: "createOffer",
                state: self.state,
            });
        }
        let sdp = self.builder(local, Setup::Actpass).build();
        let made = Made::new(SdpType::Offer, &sdp, Setup::Actpass);
        let d = made.description.clone();
        self.last_created = Some(made);
        Ok(d)
    }

    /// W3C `createAnswer`, to the remote offer: `a=setup:active` unless the
    /// offer insists on being the DTLS client.
    pub fn create_answer(
        &mut self,
        local: &LocalParameters,
    ) -> Result<SessionDescription, JsepError> {
        if !matches!(
            self.state,
            SignalingState::HaveRemoteOffer | SignalingState::HaveLocalPranswer
        ) {
            return Err(JsepError::InvalidState {
                operation: "createAnswer",
                state: self.state,
            });
        }
        let Some(offer) = self.remote_offer.clone() else {
            return Err(JsepError::InvalidState {
                operation: "createAnswer",
                state: self.state,
            });
        };
        let offered = offer
            .data_section()
            .and_then(|d| d.setup())
            .unwrap_or(Setup::Actpass);
        let setup = match offered {
            Setup::Active => Setup::Passive,
            // actpass (the norm) and passive: we connect (JSEP §5.3.1).
            _ => Setup::Active,
        };
        let sdp = self.builder(local, setup).answer_to(&offer).build();
        let made = Made::new(SdpType::Answer, &sdp, setup);
        let d = made.description.clone();
        self.last_created = Some(made);
        Ok(d)
    }

    /// W3C `setLocalDescription` with a description from `create_offer` or
    /// `create_answer` (or a rollback).
    pub fn set_local_description(&mut self, d: SessionDescription) -> Result<(), JsepError> {
        use SignalingState as S;
        let op = "setLocalDescription";
        match (self.state, d.sdp_type) {
            (S::Stable | S::HaveLocalOffer, SdpType::Offer) => {
                let made = self.check_created(&d)?;
                self.pending_local = Some(made);
                self.state = S::HaveLocalOffer;
                self.we_offered_first.get_or_insert(true);
            }
            (S::HaveRemoteOffer | S::HaveLocalPranswer, SdpType::Answer | SdpType::Pranswer) => {
                let made = self.check_created(&d)?;
                if d.sdp_type == SdpType::Answer {
                    self.dtls_side = Some(if made.setup == Setup::Passive {
                        DtlsSide::Server
                    } else {
                        DtlsSide::Client
                    });
                    self.current_local = Some(made);
                    self.pending_local = None;
                    self.current_remote = self.pending_remote.take();
                    self.state = S::Stable;
                } else {
                    self.pending_local = Some(made);
                    self.state = S::HaveLocalPranswer;
                }
            }
            (S::HaveLocalOffer, SdpType::Rollback) => {
                self.pending_local = None;
                self.state = S::Stable;
            }
            (state, _) => {
                return Err(JsepError::InvalidState {
                    operation: op,
                    state,
                });
            }
        }
        Ok(())
    }

    /// The description we made that `d` is (a description must be applied
    /// as created: JSEP §5.4 lets an implementation refuse edits).
    fn check_created(&self, d: &SessionDescription) -> Result<Made, JsepError> {
        match &self.last_created {
            Some(c) if c.description == *d => Ok(c.clone()),
            _ => Err(JsepError::NotCreatedHere),
        }
    }

    /// W3C `setRemoteDescription`. Validates everything before changing
    /// anything: a bad description leaves the connection as it was.
    pub fn set_remote_description(
        &mut self,
        d: SessionDescription,
    ) -> Result<Option<RemoteUpdate>, JsepError> {
        use SignalingState as S;
        let op = "setRemoteDescription";
        if d.sdp_type == SdpType::Rollback {
            return match self.state {
                S::HaveRemoteOffer => {
                    self.pending_remote = None;
                    self.remote_offer = None;
                    self.state = S::Stable;
                    Ok(None)
                }
                state => Err(JsepError::InvalidState {
                    operation: op,
                    state,
                }),
            };
        }
        let allowed = matches!(
            (self.state, d.sdp_type),
            (S::Stable | S::HaveRemoteOffer, SdpType::Offer)
                | (
                    S::HaveLocalOffer | S::HaveRemotePranswer,
                    SdpType::Answer | SdpType::Pranswer
                )
        );
        if !allowed {
            return Err(JsepError::InvalidState {
                operation: op,
                state: self.state,
            });
        }
        let sdp = Sdp::parse(&d.sdp)?;
        let parameters = remote_parameters(&sdp)?;
        let setup = sdp.data_section().and_then(|s| s.setup());
        if d.sdp_type == SdpType::Answer {
            // An answer must pick a side (RFC 8842 §5.3).
            match setup {
                Some(Setup::Active) | None => self.dtls_side = Some(DtlsSide::Server),
                Some(Setup::Passive) => self.dtls_side = Some(DtlsSide::Client),
                Some(Setup::Actpass) => return Err(JsepError::BadSetup("actpass")),
                Some(Setup::Holdconn) => return Err(JsepError::BadSetup("holdconn")),
            }
        }
        let credentials = (parameters.ice_ufrag.clone(), parameters.ice_pwd.clone());
        let ice_restart = self.remote_ice.as_ref().is_some_and(|c| *c != credentials);
        self.remote_ice = Some(credentials);
        match d.sdp_type {
            SdpType::Offer => {
                self.we_offered_first.get_or_insert(false);
                self.remote_offer = Some(sdp);
                self.pending_remote = Some(d);
                self.state = S::HaveRemoteOffer;
            }
            SdpType::Pranswer => {
                self.pending_remote = Some(d);
                self.state = S::HaveRemotePranswer;
            }
            SdpType::Answer => {
                self.current_remote = Some(d);
                self.pending_remote = None;
                self.current_local = self.pending_local.take();
                self.state = S::Stable;
            }
            SdpType::Rollback => {}
        }
        Ok(Some(RemoteUpdate {
            parameters,
            ice_restart,
        }))
    }
}

/// Extracts and checks what the transports need from a description.
pub fn remote_parameters(sdp: &Sdp) -> Result<RemoteParameters, JsepError> {
    let data = sdp.data_section().ok_or(JsepError::NoDataSection)?;
    let (Some(ufrag), Some(pwd)) = (data.ice_ufrag(), data.ice_pwd()) else {
        return Err(JsepError::MissingIceCredentials);
    };
    // RFC 8839 §5.4: ufrag at least 4, pwd at least 22 characters.
    if ufrag.len() < 4 || pwd.len() < 22 {
        return Err(JsepError::MissingIceCredentials);
    }
    let fingerprints = data.fingerprints();
    if fingerprints.is_empty() {
        return Err(JsepError::MissingFingerprint);
    }
    let max_message_size = match data.max_message_size() {
        MaxMessageSize::Unlimited => usize::MAX,
        MaxMessageSize::Bytes(n) => usize::try_from(n).unwrap_or(usize::MAX),
    };
    Ok(RemoteParameters {
        ice_ufrag: ufrag.to_owned(),
        ice_pwd: pwd.to_owned(),
        ice_lite: data.ice_lite(),
        fingerprints,
        mid: data.mid().map(str::to_owned),
        sctp_port: data.sctp_port(),
        max_message_size,
        candidates: data.candidates().collect(),
        end_of_candidates: data.end_of_candidates(),
        sctp_init: data.sctp_init().and_then(valid_sctp_init),
    })
}

/// The peer's `a=sctp-init` as bytes, if it is base64 of a valid INIT.
fn valid_sctp_init(base64: &str) -> Option<Bytes> {
    let bytes = BASE64.decode(base64).ok()?;
    Association::parse_signalled_init(&bytes).ok()?;
    Some(Bytes::from(bytes))
}

impl fmt::Display for SignalingState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Self::Stable => "stable",
            Self::HaveLocalOffer => "have-local-offer",
            Self::HaveRemoteOffer => "have-remote-offer",
            Self::HaveLocalPranswer => "have-local-pranswer",
            Self::HaveRemotePranswer => "have-remote-pranswer",
            Self::Closed => "closed",
        };
        f.write_str(s)
    }
}
