//! Shrinking a divergent case: drop fragments (anywhere, nested initcode included),
//! accounts, storage, access-list entries, authorizations, blob hashes and calldata while the divergence keeps
//! its kind, until nothing more can go or the time budget is spent.

use crate::exec::{check, primary, Coverage, Kind};
use crate::program::Code;
use crate::scenario::{Scenario, SENDER};
use ember_evm::U256;
use std::time::{Duration, Instant};

/// The kind of divergence `s` shows, if any.
pub fn divergence(s: &Scenario) -> Option<Kind> {
    primary(&check(&s.to_case(), &mut Coverage::new(false)).2)
}

/// Shrinks `s`, keeping a divergence of kind `kind`; stops after `budget`.
pub fn minimize(s: &Scenario, kind: Kind, budget: Duration) -> Scenario {
    let start = Instant::now();
    let mut best = s.clone();
    let keeps = |c: &Scenario| divergence(c) == Some(kind);
    loop {
        let mut progress = false;
        let out_of_time = || start.elapsed() > budget;

        // Fragments, last first (so earlier indexes stay put).
        let mut n = best.fragment_count();
        while n > 0 && !out_of_time() {
            n -= 1;
            let mut c = best.clone();
            if c.remove_fragment(n) && keeps(&c) {
                best = c;
                progress = true;
            }
        }

        // Whole accounts (not the sender), then code, then storage slots.
        let mut i = best.accounts.len();
        while i > 0 && !out_of_time() {
            i -= 1;
            if best.accounts[i].address == SENDER {
                continue;
            }
            let mut c = best.clone();
            c.accounts.remove(i);
            if keeps(&c) {
                best = c;
                progress = true;
                continue;
            }
            if !matches!(&best.accounts[i].code, Code::Raw(b) if b.is_empty()) {
                let mut c = best.clone();
                c.accounts[i].code = Code::Raw(Vec::new());
                if keeps(&c) {
                    best = c;
                    progress = true;
                }
            }
            let mut j = best.accounts[i].storage.len();
            while j > 0 {
                j -= 1;
                let mut c = best.clone();
                c.accounts[i].storage.remove(j);
                if keeps(&c) {
                    best = c;
                    progress = true;
                }
            }
        }
        if best.env.coinbase_exists {
            let mut c = best.clone();
            c.env.coinbase_exists = false;
            if keeps(&c) {
                best = c;
                progress = true;
            }
        }

        // The transaction: access list, blob hashes, value, calldata.
        let mut i = best.tx.access_list.len();
        while i > 0 {
            i -= 1;
            let mut c = best.clone();
            c.tx.access_list.remove(i);
            if keeps(&c) {
                best = c;
                progress = true;
                continue;
            }
            let mut k = best.tx.access_list[i].storage_keys.len();
            while k > 0 {
                k -= 1;
                let mut c = best.clone();
                c.tx.access_list[i].storage_keys.remove(k);
                if keeps(&c) {
                    best = c;
                    progress = true;
                }
            }
        }
        let mut i = best.tx.authorizations.len();
        while i > 0 {
            i -= 1;
            let mut c = best.clone();
            c.tx.authorizations.remove(i);
            if keeps(&c) {
                best = c;
                progress = true;
            }
        }
        while best.tx.blob_hashes.len() > 1 {
            let mut c = best.clone();
            c.tx.blob_hashes.pop();
            if !keeps(&c) {
                break;
            }
            best = c;
            progress = true;
        }
        if !best.tx.value.is_zero() {
            let mut c = best.clone();
            c.tx.value = U256::ZERO;
            if keeps(&c) {
                best = c;
                progress = true;
            }
        }
        if let Code::Raw(data) = &best.tx.data {
            for len in [0usize, 32] {
                if data.len() > len {
                    let mut c = best.clone();
                    c.tx.data = Code::Raw(data[..len].to_vec());
                    if keeps(&c) {
                        best = c;
                        progress = true;
                        break;
                    }
                }
            }
        }

        if !progress || out_of_time() {
            return best;
        }
    }
}
