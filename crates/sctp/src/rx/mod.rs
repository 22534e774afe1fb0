//! The receive half of the association: which TSNs arrived and when to
//! acknowledge them ([`DataTracker`]), how fragments become messages in the
//! right order ([`ReassemblyQueue`]), and the glue that applies the contract
//! between the two ([`Receiver`]).
//!
//! The association can drive [`Receiver`] alone; the two parts stay public
//! for callers that need to interleave other work between them (see the
//! contract on [`Receiver::handle_data`]).

pub mod data_tracker;
pub mod reassembly;
pub mod receiver;

mod data_assembler;
mod idata_assembler;
mod message;
mod ordered_streams;
mod seq;
mod slot_map;

pub use data_tracker::{DataTracker, DataTrackerConfig, PacketSummary, TsnClass};
pub use message::ReceivedMessage;
pub use reassembly::{AppliedReset, ReassemblyError, ReassemblyQueue};
pub use receiver::{DataOutcome, Receiver, ReceiverConfig, ResetProgress};
