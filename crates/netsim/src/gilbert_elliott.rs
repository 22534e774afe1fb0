//! Burst loss: the Gilbert-Elliott two-state model.

/// A two-state Markov chain of loss: a Good state with little or no loss and
/// a Bad state with heavy loss, so losses come in bursts as on real paths.
///
/// Before each datagram the chain may change state; the datagram is then lost
/// with the loss probability of the state it is in. In the long run the chain
/// spends `p_good_to_bad / (p_good_to_bad + p_bad_to_good)` of datagrams in
/// Bad, and a stay in Bad lasts `1 / p_bad_to_good` datagrams on average.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GilbertElliott {
    /// Chance per datagram of moving from Good to Bad.
    pub p_good_to_bad: f64,
    /// Chance per datagram of moving from Bad back to Good.
    pub p_bad_to_good: f64,
    /// Loss probability while Good.
    pub loss_in_good: f64,
    /// Loss probability while Bad.
    pub loss_in_bad: f64,
}

impl GilbertElliott {
    /// Bursts of total loss: every datagram in the Bad state is lost, none in
    /// Good, with the given average loss rate and average burst length
    /// (in datagrams, at least 1).
    pub fn bursts(average_loss: f64, mean_burst_len: f64) -> Self {
        let r = 1.0 / mean_burst_len.max(1.0);
        // Stationary Bad share = p / (p + r) = average_loss.
        let loss = average_loss.clamp(0.0, 0.999_999);
        let p = loss * r / (1.0 - loss);
        Self {
            p_good_to_bad: p.min(1.0),
            p_bad_to_good: r,
            loss_in_good: 0.0,
            loss_in_bad: 1.0,
        }
    }

    /// The long-run share of datagrams lost.
    pub fn expected_loss(&self) -> f64 {
        let total = self.p_good_to_bad + self.p_bad_to_good;
        if total == 0.0 {
            return self.loss_in_good;
        }
        let bad = self.p_good_to_bad / total;
        (1.0 - bad) * self.loss_in_good + bad * self.loss_in_bad
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        for (name, v) in [
            ("p_good_to_bad", self.p_good_to_bad),
            ("p_bad_to_good", self.p_bad_to_good),
            ("loss_in_good", self.loss_in_good),
            ("loss_in_bad", self.loss_in_bad),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!(
                    "Gilbert-Elliott {name} must be within 0..=1, got {v}"
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_constructor_hits_its_targets() {
        let ge = GilbertElliott::bursts(0.05, 4.0);
        assert!((ge.expected_loss() - 0.05).abs() < 1e-12);
        assert!((1.0 / ge.p_bad_to_good - 4.0).abs() < 1e-12);
    }
}
