//! The sending half of the association: outgoing message queues, stream
//! scheduling and retransmission timing.

pub mod rto;
