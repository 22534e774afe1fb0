//! The sending half of the association: outgoing message queues, stream
//! scheduling and retransmission timing.

pub mod rto;
pub mod scheduler;
pub mod send_queue;
