//! ICE credentials (RFC 8445 §5.3, RFC 8839 §5.4): the username fragment
//! and password, drawn from the seeded generator.

use std::fmt;

use rand::RngExt;
use rand_chacha::ChaCha20Rng;

/// The `ice-char` alphabet: ALPHA / DIGIT / "+" / "/".
const ICE_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Length of a generated ufrag (at least 4; 8 gives 48 bits).
pub const UFRAG_LEN: usize = 8;
/// Length of a generated password (at least 22; 24 gives 144 bits).
pub const PWD_LEN: usize = 24;

/// A username fragment and password. `Debug` hides the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// `ice-ufrag`: 4 to 256 ice-chars.
    pub ufrag: String,
    /// `ice-pwd`: 22 to 256 ice-chars.
    pub pwd: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("ufrag", &self.ufrag)
            .field("pwd", &"..")
            .finish()
    }
}

/// Why credentials were refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CredentialsError {
    /// The ufrag is not 4 to 256 ice-chars.
    #[error("ice-ufrag must be 4 to 256 ice-chars")]
    Ufrag,
    /// The password is not 22 to 256 ice-chars.
    #[error("ice-pwd must be 22 to 256 ice-chars")]
    Pwd,
}

fn random_string(rng: &mut ChaCha20Rng, len: usize) -> String {
    (0..len)
        .map(|_| char::from(ICE_CHARS[rng.random_range(0..ICE_CHARS.len())]))
        .collect()
}

fn is_ice_chars(s: &str, min: usize) -> bool {
    (min..=256).contains(&s.len()) && s.bytes().all(|b| ICE_CHARS.contains(&b))
}

impl Credentials {
    /// Fresh random credentials.
    pub fn random(rng: &mut ChaCha20Rng) -> Self {
        Self {
            ufrag: random_string(rng, UFRAG_LEN),
            pwd: random_string(rng, PWD_LEN),
        }
    }

    /// Credentials given by the peer, checked against RFC 8839's grammar.
    /// Some stacks send shorter passwords; the minimums are RFC 8839's and
    /// are enforced because a short password weakens every check.
    pub fn new(ufrag: &str, pwd: &str) -> Result<Self, CredentialsError> {
        if !is_ice_chars(ufrag, 4) {
            return Err(CredentialsError::Ufrag);
        }
        if !is_ice_chars(pwd, 22) {
            return Err(CredentialsError::Pwd);
        }
        Ok(Self {
            ufrag: ufrag.to_owned(),
            pwd: pwd.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn random_credentials_follow_the_grammar() {
        let mut rng = ChaCha20Rng::from_seed([1; 32]);
        let c = Credentials::random(&mut rng);
        assert_eq!(Credentials::new(&c.ufrag, &c.pwd), Ok(c.clone()));
        assert_ne!(Credentials::random(&mut rng), c);
        assert!(!format!("{c:?}").contains(&c.pwd));
    }

    #[test]
    fn refuses_bad_credentials() {
        let pwd = "a".repeat(22);
        assert_eq!(Credentials::new("abc", &pwd), Err(CredentialsError::Ufrag));
        assert_eq!(Credentials::new("ab:c", &pwd), Err(CredentialsError::Ufrag));
        assert_eq!(
            Credentials::new("abcd", "short"),
            Err(CredentialsError::Pwd)
        );
        assert!(Credentials::new("ab+/", &pwd).is_ok());
    }
}
