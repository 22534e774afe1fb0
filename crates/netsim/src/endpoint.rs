//! The sans-IO shape the simulator drives.

use std::any::Any;
use std::time::Instant;

use crate::{Datagram, Transmit};

/// A sans-IO protocol endpoint: datagrams and timeouts in, datagrams out.
///
/// This is the shape every sanderling core has (`ARCHITECTURE.md`); a core's
/// events are read by the test itself through [`crate::Sim::endpoint_mut`].
/// Tests wrap a core in a small adapter that implements this trait.
pub trait Endpoint: Any {
    /// A datagram arrived at `now`.
    fn handle_datagram(&mut self, now: Instant, datagram: Datagram);

    /// The next datagram to send, if any. Called until it returns `None`
    /// after every input.
    fn poll_transmit(&mut self, now: Instant) -> Option<Transmit>;

    /// When [`Endpoint::handle_timeout`] should next be called.
    fn poll_timeout(&mut self) -> Option<Instant>;

    /// The instant returned by [`Endpoint::poll_timeout`] has come.
    fn handle_timeout(&mut self, now: Instant);
}
