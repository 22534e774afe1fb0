//! The send half of the association.

pub mod outstanding_data;
