//! [`IceError`]: misuse of the agent by its owner. Bad input from the
//! network is never an error: it is dropped and counted in
//! [`AgentStats`](crate::AgentStats).

use crate::credentials::CredentialsError;

/// Why a call was refused; the agent is unchanged.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IceError {
    /// The agent was closed.
    #[error("the ICE agent is closed")]
    Closed,
    /// Remote credentials do not follow RFC 8839's grammar.
    #[error(transparent)]
    Credentials(#[from] CredentialsError),
    /// The remote candidate table is full.
    #[error("too many remote candidates")]
    TooManyCandidates,
    /// Not possible for an ICE-lite agent (it has host candidates only).
    #[error("an ICE-lite agent has host candidates only")]
    Lite,
}
