//! A connection to one peer for `chat`, `send` and `recv`: the offer and
//! answer over the signalling carrier (non-trickle: each side waits for
//! its candidates and sends one complete description, as aiortc does),
//! then one open data channel, while a background task watches the
//! carrier for the peer's bye.

use std::time::Duration;

use sanderling::signaling::SignalingMessage;
use sanderling::{
    Configuration, DataChannel, DataChannelInit, IceGatheringState, PeerConnection,
    PeerConnectionEvent, PeerConnectionEvents, PeerConnectionState, SdpType,
};
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;

use crate::fail::{Context, Fail};
use crate::signaling_args::{Role, Signaling};

/// How long ICE and DTLS may take once both descriptions are set.
const CONNECT_PATIENCE: Duration = Duration::from_secs(30);
/// How long gathering local candidates may take (host candidates are
/// immediate; this bounds a slow STUN server).
const GATHER_PATIENCE: Duration = Duration::from_secs(10);

/// A connected peer and its channel.
#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) pc: PeerConnection,
    pub(crate) channel: DataChannel,
    /// Turns true when the peer says bye or the carrier closes.
    pub(crate) peer_left: watch::Receiver<bool>,
    /// The carrier, when no background task owns it (copy-and-paste).
    signaling: Option<Signaling>,
    /// Kept when no task watches the carrier, so that `peer_left` does not
    /// report a closed sender as the peer leaving.
    _left: Option<watch::Sender<bool>>,
    close: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Waits until local candidates are gathered.
async fn gathered(pc: &PeerConnection, events: &mut PeerConnectionEvents) {
    let wait = async {
        while pc.ice_gathering_state() != IceGatheringState::Complete {
            if events.recv().await.is_none() {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(GATHER_PATIENCE, wait).await;
}

/// Sends our description, complete with its candidates.
async fn send_local(
    pc: &PeerConnection,
    events: &mut PeerConnectionEvents,
    sig: &mut Signaling,
) -> Result<(), Fail> {
    gathered(pc, events).await;
    let d = pc
        .local_description()
        .ok_or_else(|| Fail::from("no local description"))?;
    sig.send(&SignalingMessage::Description(d)).await
}

fn peer_gone() -> Fail {
    Fail::from("the peer left before the connection was set up")
}

/// Connects as `role`; the offerer opens a channel labelled `label`, the
/// answerer takes the first channel the peer opens.
pub(crate) async fn connect(
    mut sig: Signaling,
    role: Role,
    config: Configuration,
    label: &str,
) -> Result<Session, Fail> {
    let pc = PeerConnection::new(config).context(|| "cannot create the peer connection".into())?;
    let mut events = pc.events();
    let mut channel = None;
    match role {
        Role::Offer => {
            channel = Some(pc.create_data_channel(label, DataChannelInit::default())?);
            let offer = pc.create_offer().await?;
            pc.set_local_description(offer).await?;
            send_local(&pc, &mut events, &mut sig).await?;
            loop {
                match sig.recv().await?.ok_or_else(peer_gone)? {
                    SignalingMessage::Description(d) if d.sdp_type == SdpType::Answer => {
                        pc.set_remote_description(d)
                            .await
                            .context(|| "the peer's answer".into())?;
                        break;
                    }
                    SignalingMessage::Description(d) => {
                        return Err(Fail(format!(
                            "the peer sent an {} where an answer was expected (is it also --role offer?)",
                            d.sdp_type.as_str()
                        )));
                    }
                    SignalingMessage::Candidate(c) => pc.add_ice_candidate(Some(c)).await?,
                    SignalingMessage::Bye => return Err(peer_gone()),
                }
            }
        }
        Role::Answer => loop {
            match sig.recv().await?.ok_or_else(peer_gone)? {
                SignalingMessage::Description(d) if d.sdp_type == SdpType::Offer => {
                    pc.set_remote_description(d)
                        .await
                        .context(|| "the peer's offer".into())?;
                    let answer = pc.create_answer().await?;
                    pc.set_local_description(answer).await?;
                    send_local(&pc, &mut events, &mut sig).await?;
                    break;
                }
                SignalingMessage::Description(d) => {
                    return Err(Fail(format!(
                        "the peer sent an {} where an offer was expected (is it also --role answer?)",
                        d.sdp_type.as_str()
                    )));
                }
                SignalingMessage::Candidate(c) => pc.add_ice_candidate(Some(c)).await?,
                SignalingMessage::Bye => return Err(peer_gone()),
            }
        },
    }
    let channel = tokio::time::timeout(CONNECT_PATIENCE, open(&mut events, channel))
        .await
        .map_err(|_| {
            Fail(format!(
                "no connection to the peer after {} s (no network path between the two? try --loopback on both sides if they share this machine)",
                CONNECT_PATIENCE.as_secs()
            ))
        })??;

    let (left_tx, peer_left) = watch::channel(false);
    let (close_tx, close_rx) = oneshot::channel();
    let (task, signaling, left) = if sig.uses_stdin() {
        (None, Some(sig), Some(left_tx))
    } else {
        let task = tokio::spawn(watch_signaling(sig, pc.clone(), left_tx, close_rx));
        (Some(task), None, None)
    };
    Ok(Session {
        pc,
        channel,
        peer_left,
        signaling,
        _left: left,
        close: Some(close_tx),
        task,
    })
}

/// Waits for the channel to open: ours (offerer) or the peer's first.
async fn open(
    events: &mut PeerConnectionEvents,
    ours: Option<DataChannel>,
) -> Result<DataChannel, Fail> {
    let failed = || Fail::from("the connection to the peer failed (ICE or DTLS)");
    if let Some(ch) = ours {
        let waiter = ch.clone();
        let opened = waiter.opened();
        tokio::pin!(opened);
        loop {
            tokio::select! {
                r = &mut opened => {
                    r?;
                    return Ok(ch);
                }
                e = events.recv() => match e {
                    Some(PeerConnectionEvent::ConnectionState(PeerConnectionState::Failed)) | None => {
                        return Err(failed());
                    }
                    _ => {}
                },
            }
        }
    }
    loop {
        match events.recv().await {
            Some(PeerConnectionEvent::DataChannel(ch)) => return Ok(ch),
            Some(PeerConnectionEvent::ConnectionState(PeerConnectionState::Failed)) | None => {
                return Err(failed());
            }
            Some(_) => {}
        }
    }
}

/// Owns the carrier once connected: late candidates go to the connection,
/// a bye (or the carrier closing) is reported, and on request a bye is
/// sent.
async fn watch_signaling(
    mut sig: Signaling,
    pc: PeerConnection,
    left: watch::Sender<bool>,
    mut close: oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut close => {
                sig.close().await;
                return;
            }
            m = sig.recv() => match m {
                Ok(Some(SignalingMessage::Candidate(c))) => {
                    let _ = pc.add_ice_candidate(Some(c)).await;
                }
                Ok(Some(SignalingMessage::Description(_))) => {}
                Ok(Some(SignalingMessage::Bye) | None) | Err(_) => {
                    let _ = left.send(true);
                    // Wait for our own close so the carrier is not dropped
                    // (and the bye unsent) early.
                    let _ = close.await;
                    return;
                }
            },
        }
    }
}

impl Session {
    /// Closes gracefully: what was queued on the channel is delivered,
    /// the peer gets a bye, then the connection closes.
    pub(crate) async fn close(mut self) {
        self.channel.close();
        let _ = tokio::time::timeout(Duration::from_secs(3), self.channel.closed()).await;
        if let Some(tx) = self.close.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(2), task).await;
        }
        if let Some(mut sig) = self.signaling.take() {
            sig.close().await;
        }
        self.pc.close();
    }
}
