//! The sending half of the association: outgoing message queues, stream
//! scheduling, data in flight and retransmission timing.

mod block_queue;
pub mod outstanding_data;
pub mod pacer;
pub mod retransmission_queue;
pub mod rto;
pub mod scheduler;
pub mod send_queue;
pub mod stamp;
