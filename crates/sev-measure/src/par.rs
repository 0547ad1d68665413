//! Page hashing, spread over the available cores when `std` is on.

use alloc::vec::Vec;
use sha2::{Digest, Sha384};

use crate::PAGE_SIZE;

/// SHA-384 of one page (or any slice).
pub(crate) fn sha384(data: &[u8]) -> [u8; 48] {
    Sha384::digest(data).into()
}

/// SHA-384 of every 4 KiB page of `data` (whose length is a multiple of 4096), in order.
pub(crate) fn sha384_pages(data: &[u8]) -> Vec<[u8; 48]> {
    let mut out = alloc::vec![[0u8; 48]; data.len() / PAGE_SIZE];
    fill(data, &mut out);
    out
}

/// Hashes pages into `out`. Firmware images are often a quarter to a half made of pages
/// filled with one byte value (erased flash, padding); such a page is recognised with one memory
/// comparison and its hash computed once per byte value.
fn hash_run(data: &[u8], out: &mut [[u8; 48]]) {
    let mut uniform: [Option<[u8; 48]>; 256] = [None; 256];
    for (o, page) in out.iter_mut().zip(data.chunks_exact(PAGE_SIZE)) {
        *o = if page[1..] == page[..PAGE_SIZE - 1] {
            *uniform[usize::from(page[0])].get_or_insert_with(|| sha384(page))
        } else {
            sha384(page)
        };
    }
}

#[cfg(not(feature = "std"))]
fn fill(data: &[u8], out: &mut [[u8; 48]]) {
    hash_run(data, out);
}

/// Below this many pages, starting threads costs more than it saves.
#[cfg(feature = "std")]
const PARALLEL_MIN_PAGES: usize = 64;

/// Pages per work item: small enough to balance uneven images (erased regions hash for free),
/// large enough to keep the queue lock cold.
#[cfg(feature = "std")]
const PAGES_PER_JOB: usize = 16;

#[cfg(feature = "std")]
fn fill(data: &[u8], out: &mut [[u8; 48]]) {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || out.len() < PARALLEL_MIN_PAGES {
        hash_run(data, out);
        return;
    }
    let workers = threads.min(out.len().div_ceil(PAGES_PER_JOB));
    let queue = std::sync::Mutex::new(
        out.chunks_mut(PAGES_PER_JOB)
            .zip(data.chunks(PAGES_PER_JOB * PAGE_SIZE)),
    );
    let work = || {
        loop {
            // A poisoned lock means another worker panicked; the scope re-raises that panic.
            let Some((o, d)) = queue.lock().ok().and_then(|mut q| q.next()) else {
                return;
            };
            hash_run(d, o);
        }
    };
    std::thread::scope(|s| {
        for _ in 1..workers {
            s.spawn(work);
        }
        work();
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_page_shortcut_gives_the_real_hash() {
        let mut data = alloc::vec![0xFFu8; 3 * PAGE_SIZE];
        data[PAGE_SIZE + 4095] = 0xFE; // page 1 differs only in its last byte
        data[2 * PAGE_SIZE..].fill(0);
        let hashes = sha384_pages(&data);
        for (h, page) in hashes.iter().zip(data.chunks_exact(PAGE_SIZE)) {
            assert_eq!(*h, <[u8; 48]>::from(Sha384::digest(page)));
        }
        assert_ne!(hashes[0], hashes[1]);
    }
}
