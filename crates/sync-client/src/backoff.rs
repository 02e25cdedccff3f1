//! Exponential backoff with full jitter: after the n-th failure in a row, wait a random
//! time between a small floor and `min(max, initial * 2^(n-1))`, so that many PCs coming
//! back after an outage do not all knock at once.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng};

/// A backoff schedule.
#[derive(Debug)]
pub struct Backoff {
    initial: Duration,
    max: Duration,
    rng: StdRng,
}

/// Never retry sooner than this (a zero delay would spin).
const FLOOR: Duration = Duration::from_millis(100);

impl Backoff {
    /// `seed` makes the jitter reproducible (tests); `None` seeds from the OS.
    pub fn new(initial: Duration, max: Duration, seed: Option<u64>) -> Self {
        let rng = match seed {
            Some(s) => StdRng::seed_from_u64(s),
            None => rand::make_rng(),
        };
        Backoff { initial, max, rng }
    }

    /// The upper bound of the wait after `failures` failures in a row (1 = the first).
    pub fn ceiling(&self, failures: u32) -> Duration {
        let exp = failures.saturating_sub(1).min(30);
        self.initial
            .checked_mul(1u32 << exp)
            .unwrap_or(self.max)
            .min(self.max)
    }

    /// The wait after `failures` failures in a row, at least `retry_after` when the server
    /// asked for it.
    pub fn delay(&mut self, failures: u32, retry_after: Option<Duration>) -> Duration {
        let ceiling = self.ceiling(failures).max(FLOOR);
        let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        let jittered = Duration::from_millis(self.rng.random_range(0..=millis)).max(FLOOR);
        match retry_after {
            Some(r) => jittered.max(r),
            None => jittered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_to_the_cap_with_jitter_and_honours_retry_after() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(300), Some(7));
        assert_eq!(b.ceiling(1), Duration::from_secs(1));
        assert_eq!(b.ceiling(2), Duration::from_secs(2));
        assert_eq!(b.ceiling(9), Duration::from_secs(256));
        assert_eq!(b.ceiling(10), Duration::from_secs(300));
        assert_eq!(b.ceiling(1000), Duration::from_secs(300));
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let d = b.delay(12, None);
            assert!(d >= FLOOR && d <= Duration::from_secs(300), "{d:?}");
            seen.insert(d.as_secs() / 30);
        }
        assert!(seen.len() >= 5, "jitter spreads the waits: {seen:?}");
        let d = b.delay(1, Some(Duration::from_secs(5)));
        assert!(d >= Duration::from_secs(5));
    }
}
