//! Bounds on what the parser accepts.
//!
//! A description comes from the network (through the application's
//! signalling), so the parser allocates only for input it has been given
//! and refuses input larger than any real peer sends. A Chromium offer with
//! audio, video and data is about 6 KB; a hundred transceivers stay well
//! under the byte limit.

/// Largest description accepted, in bytes (1 MiB).
pub const MAX_SDP_BYTES: usize = 1 << 20;

/// Most lines accepted in one description, blank lines included.
pub const MAX_SDP_LINES: usize = 16_384;

/// Longest line quoted back in an [`SdpError`](crate::SdpError), in characters.
pub(crate) const MAX_QUOTED_CHARS: usize = 120;
