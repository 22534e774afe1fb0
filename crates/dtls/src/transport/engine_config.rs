//! dimpl's configuration, built once per set of parameters and shared.
//!
//! Building a `dimpl::Config` validates the crypto provider against test
//! vectors — key exchanges on three curves among them — which costs about
//! as much as the handshake itself (1.6 ms of a 3.8 ms connection in
//! `examples/handshake_bench.rs`). The result depends only on the few
//! parameters below and is immutable, so the last few are kept in a small
//! process-wide memo; every transport with the same parameters shares one
//! `Arc`, as dimpl intends ("configuration shared by all connections").

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::config::DtlsConfig;
use crate::error::DtlsError;

/// The parameters a `dimpl::Config` is built from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Key {
    mtu: usize,
    initial_retransmit_timeout: Duration,
    max_retransmissions: usize,
    handshake_timeout: Duration,
    server_cookie: bool,
}

/// How many differently configured engines are remembered.
const MEMO_SIZE: usize = 8;

static MEMO: Mutex<Vec<(Key, Arc<dimpl::Config>)>> = Mutex::new(Vec::new());

/// The shared dimpl configuration for `config`.
pub(crate) fn engine_config(config: &DtlsConfig) -> Result<Arc<dimpl::Config>, DtlsError> {
    let key = Key {
        mtu: config.mtu,
        initial_retransmit_timeout: config.initial_retransmit_timeout,
        max_retransmissions: config.max_retransmissions,
        handshake_timeout: config.handshake_timeout,
        server_cookie: config.server_cookie,
    };
    // A panic elsewhere while holding the lock leaves the memo intact.
    let mut memo = MEMO.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, c)) = memo.iter().find(|(k, _)| *k == key) {
        return Ok(c.clone());
    }
    let built = Arc::new(
        dimpl::Config::builder()
            .mtu(key.mtu)
            .flight_start_rto(key.initial_retransmit_timeout)
            .flight_retries(key.max_retransmissions)
            .handshake_timeout(key.handshake_timeout)
            .use_server_cookie(key.server_cookie)
            .require_client_certificate(true)
            .with_crypto_provider(crate::signing_key::crypto_provider())
            .build()
            .map_err(|e| DtlsError::InvalidConfig(e.to_string()))?,
    );
    if memo.len() == MEMO_SIZE {
        memo.remove(0);
    }
    memo.push((key, built.clone()));
    Ok(built)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_parameters_share_one_config() {
        let a = engine_config(&DtlsConfig::default()).unwrap();
        let b = engine_config(&DtlsConfig::default()).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        let other = DtlsConfig {
            mtu: 1000,
            ..DtlsConfig::default()
        };
        let c = engine_config(&other).unwrap();
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(c.mtu(), 1000);
    }

    #[test]
    fn handshakes_get_the_certificate_key_parsed_once() {
        use std::sync::atomic::Ordering;
        let cert = crate::Certificate::generate().unwrap();
        let config = engine_config(&DtlsConfig::default()).unwrap();
        let before = crate::signing_key::FOUND.load(Ordering::Relaxed);
        config
            .crypto_provider()
            .key_provider
            .load_private_key(&cert.dimpl().private_key)
            .unwrap();
        assert!(crate::signing_key::FOUND.load(Ordering::Relaxed) > before);
    }

    #[test]
    fn invalid_parameters_are_refused_and_not_remembered() {
        let bad = DtlsConfig {
            initial_retransmit_timeout: Duration::ZERO,
            ..DtlsConfig::default()
        };
        assert!(matches!(
            engine_config(&bad),
            Err(DtlsError::InvalidConfig(_))
        ));
        assert!(engine_config(&bad).is_err());
    }
}
