//! Summaries of timed runs.

use std::time::Duration;

/// Median and minimum of a set of timed runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The median run (the mean of the two middle runs for an even count).
    pub median: Duration,
    /// The fastest run.
    pub min: Duration,
}

impl Summary {
    /// Summarises `runs` (sorted in place). Panics when `runs` is empty.
    pub fn of(runs: &mut [Duration]) -> Summary {
        assert!(!runs.is_empty(), "no runs to summarise");
        runs.sort_unstable();
        let mid = runs.len() / 2;
        let median = if runs.len() % 2 == 1 {
            runs[mid]
        } else {
            (runs[mid - 1] + runs[mid]) / 2
        };
        Summary {
            median,
            min: runs[0],
        }
    }
}

/// `a / b` of two durations.
pub fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

/// The geometric mean of positive `values` (`None` when there are none).
pub fn geomean(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let log_sum: f64 = values.iter().map(|v| v.ln()).sum();
    Some((log_sum / values.len() as f64).exp())
}

/// Microseconds, for the table.
pub fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us(v: &[u64]) -> Vec<Duration> {
        v.iter().map(|&n| Duration::from_micros(n)).collect()
    }

    #[test]
    fn median_odd_and_even() {
        let s = Summary::of(&mut us(&[5, 1, 3]));
        assert_eq!(s.median, Duration::from_micros(3));
        assert_eq!(s.min, Duration::from_micros(1));
        let s = Summary::of(&mut us(&[4, 1, 2, 10]));
        assert_eq!(s.median, Duration::from_micros(3));
        assert_eq!(s.min, Duration::from_micros(1));
    }

    #[test]
    fn geometric_mean() {
        assert_eq!(geomean(&[]), None);
        let g = geomean(&[2.0, 8.0]).unwrap();
        assert!((g - 4.0).abs() < 1e-12);
        let g = geomean(&[0.5, 2.0]).unwrap();
        assert!((g - 1.0).abs() < 1e-12);
    }

    #[test]
    fn ratio_and_micros() {
        let r = ratio(Duration::from_micros(3), Duration::from_micros(2));
        assert!((r - 1.5).abs() < 1e-12);
        assert!((micros(Duration::from_nanos(1500)) - 1.5).abs() < 1e-9);
    }
}
