//! Execution statistics as geth's `--statdump` and `--bench` report them: wall time, heap
//! allocations (counted by the binary's allocator, [`crate::alloc_count`]) and gas, for
//! `ember run` and `ember statetest`.

use std::time::{Duration, Instant};

use crate::alloc_count::alloc_counts;

/// Execution statistics as geth's `--statdump` and `--bench` report them.
#[derive(Clone, Copy, Debug, Default)]
pub struct ExecStats {
    /// Wall time of one execution.
    pub time: Duration,
    /// Heap allocations during one execution.
    pub allocs: u64,
    /// Bytes allocated during one execution.
    pub bytes: u64,
    /// Gas used.
    pub gas_used: u64,
}

/// Runs `f` once, or with `bench` repeatedly (a warm-up, then for about half a second),
/// and measures one run.
pub fn measure<T>(bench: bool, mut f: impl FnMut() -> T) -> (T, ExecStats) {
    let mut once = || {
        let (a0, b0) = alloc_counts();
        let t0 = Instant::now();
        let out = f();
        let time = t0.elapsed();
        let (a1, b1) = alloc_counts();
        (out, time, a1 - a0, b1 - b0)
    };
    let (out, time, allocs, bytes) = once();
    if !bench {
        return (
            out,
            ExecStats {
                time,
                allocs,
                bytes,
                gas_used: 0,
            },
        );
    }
    let (mut runs, mut total, mut total_allocs, mut total_bytes) = (0u32, Duration::ZERO, 0, 0);
    let mut last = out;
    while runs < 10_000 && (runs < 3 || total < Duration::from_millis(500)) {
        let (out, time, allocs, bytes) = once();
        last = out;
        runs += 1;
        total += time;
        total_allocs += allocs;
        total_bytes += bytes;
    }
    (
        last,
        ExecStats {
            time: total / runs,
            allocs: total_allocs / runs as u64,
            bytes: total_bytes / runs as u64,
            gas_used: 0,
        },
    )
}

/// Go's `time.Duration` spelling (`1.5ms`, `850ns`, `2.000123s`), as geth prints times.
pub fn go_duration(d: Duration) -> String {
    let ns = d.as_nanos();
    if ns == 0 {
        return "0s".to_string();
    }
    let frac = |value: u128, unit: u128, suffix: &str| -> String {
        let whole = value / unit;
        let rest = value % unit;
        if rest == 0 {
            return format!("{whole}{suffix}");
        }
        let width = unit.ilog10() as usize;
        let digits = format!("{rest:0width$}");
        format!("{whole}.{}{suffix}", digits.trim_end_matches('0'))
    };
    if ns < 1_000 {
        format!("{ns}ns")
    } else if ns < 1_000_000 {
        frac(ns, 1_000, "µs")
    } else if ns < 1_000_000_000 {
        frac(ns, 1_000_000, "ms")
    } else {
        let secs = ns / 1_000_000_000;
        let (h, m) = (secs / 3600, (secs / 60) % 60);
        let s = frac(ns % 60_000_000_000, 1_000_000_000, "s");
        match (h, m) {
            (0, 0) => s,
            (0, m) => format!("{m}m{s}"),
            (h, m) => format!("{h}h{m}m{s}"),
        }
    }
}

/// geth's `--statdump` block.
pub fn print_statdump(stats: &ExecStats) {
    eprint!(
        "EVM gas used:    {}\nexecution time:  {}\nallocations:     {}\nallocated bytes: {}\n",
        stats.gas_used,
        go_duration(stats.time),
        stats.allocs,
        stats.bytes
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_as_go_prints_them() {
        assert_eq!(go_duration(Duration::from_nanos(850)), "850ns");
        assert_eq!(go_duration(Duration::from_nanos(1_500)), "1.5µs");
        assert_eq!(go_duration(Duration::from_micros(1_234)), "1.234ms");
        assert_eq!(go_duration(Duration::from_millis(2_000)), "2s");
        assert_eq!(go_duration(Duration::from_millis(61_500)), "1m1.5s");
        assert_eq!(go_duration(Duration::ZERO), "0s");
    }
}
