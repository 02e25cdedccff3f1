//! Median, nearest-rank p90 and mean, as the module documentation defines them.

/// The mean, 0 for no values.
pub fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

fn sorted(values: &[f64]) -> Vec<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    v
}

/// The middle value (the mean of the two middle values for an even count), 0 for none.
pub fn median(values: &[f64]) -> f64 {
    let v = sorted(values);
    let n = v.len();
    if n == 0 {
        return 0.0;
    }
    let hi = v.get(n / 2).copied().unwrap_or(0.0);
    if n % 2 == 1 {
        hi
    } else {
        let lo = v.get(n / 2 - 1).copied().unwrap_or(0.0);
        (lo + hi) / 2.0
    }
}

/// The nearest-rank 90th percentile: the ⌈0.9·n⌉-th smallest value, 0 for none.
pub fn p90(values: &[f64]) -> f64 {
    let v = sorted(values);
    let n = v.len();
    if n == 0 {
        return 0.0;
    }
    // ⌈0.9·n⌉ = ⌈9n/10⌉ in integers (no floating-point rounding at exact multiples).
    let rank = (9 * n).div_ceil(10).max(1);
    v.get(rank - 1).copied().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples() {
        assert_eq!(median(&[]), 0.0);
        assert_eq!(median(&[3.0]), 3.0);
        assert_eq!(median(&[4.0, 1.0]), 2.5);
        assert_eq!(median(&[5.0, 1.0, 3.0]), 3.0);
        assert_eq!(p90(&[1.0]), 1.0);
        // n = 10: the 9th smallest.
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(p90(&ten), 9.0);
        // n = 11: ⌈9.9⌉ = 10th.
        let eleven: Vec<f64> = (1..=11).map(f64::from).collect();
        assert_eq!(p90(&eleven), 10.0);
        assert_eq!(mean(&[1.0, 2.0, 6.0]), 3.0);
    }
}
