#![no_main]
//! The configfs-tsm client (`snp_guest::configfs::TsmClient`) over the in-memory tree of
//! `sev-sim`, with fuzzed attribute contents: `generation`, `privlevel_floor`, `provider`,
//! the blobs, the floor, the requested level, a racing writer and an injected errno.
//! Whatever the tree holds, the client must not panic, must never leave the entry behind, and
//! may only return evidence that is exactly the blobs of one generation.

use libfuzzer_sys::fuzz_target;
use sev_sim::tsm::{MemTsmFs, SimOp, TsmResponse};
use snp_guest::configfs::{SvsmService, TsmClient, probe};

/// Splits `data` into length-prefixed (u16 LE) chunks.
struct Chunks<'a>(&'a [u8]);

impl<'a> Chunks<'a> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }

    fn chunk(&mut self) -> &'a [u8] {
        let n = u16::from_le_bytes([self.byte(), self.byte()]) as usize;
        let n = n.min(self.0.len());
        let (c, rest) = self.0.split_at(n);
        self.0 = rest;
        c
    }
}

const ATTRS: [&str; 11] = [
    "generation",
    "provider",
    "privlevel_floor",
    "outblob",
    "auxblob",
    "manifestblob",
    "inblob",
    "privlevel",
    "service_provider",
    "service_guid",
    "service_manifest_version",
];

fuzz_target!(|data: &[u8]| {
    let mut c = Chunks(data);
    let flags = c.byte();
    let floor = u32::from(c.byte() % 5);
    let vmpl = u32::from(c.byte() % 5);
    let race = c.byte();
    let fault = c.byte();
    let errno = i32::from(c.byte());
    let generation = c.chunk().to_vec();
    let floor_raw = c.chunk().to_vec();
    let provider = c.chunk().to_vec();
    let outblob = c.chunk().to_vec();
    let auxblob = c.chunk().to_vec();
    let manifest = c.chunk().to_vec();
    let user_data: [u8; 64] = core::array::from_fn(|i| c.0.get(i).copied().unwrap_or(0));

    let blobs = TsmResponse {
        outblob: outblob.clone(),
        auxblob: auxblob.clone(),
        manifest: (flags & 4 != 0).then(|| manifest.clone()),
    };
    let mut fs = MemTsmFs::new(move |_| Ok(blobs.clone()))
        .with_floor(floor)
        .with_svsm(flags & 1 != 0);
    if flags & 8 != 0 {
        fs = fs.with_raw_attr("generation", &generation);
    }
    if flags & 16 != 0 {
        fs = fs.with_raw_attr("privlevel_floor", &floor_raw);
    }
    if flags & 32 != 0 {
        fs = fs.with_raw_attr("provider", &provider);
    }
    if race != 0 {
        fs = fs.with_race_before_read(usize::from(race % 16));
    }
    if flags & 64 != 0 {
        let attr = ATTRS[usize::from(fault) % ATTRS.len()];
        let op = match fault % 4 {
            0 => SimOp::read(attr),
            1 => SimOp::write(attr),
            2 => SimOp::Create,
            _ => SimOp::Remove,
        };
        fs = fs.with_error(op, errno);
    }
    let remove_fails = flags & 64 != 0 && fault % 4 == 3;
    let mut client = TsmClient::with_fs(fs);
    if flags & 2 != 0 {
        client = client.with_service(SvsmService::svsm().with_manifest_version(u32::from(fault)));
    }
    if let Ok(ev) = client.report(&user_data, vmpl) {
        assert_eq!(ev.report, outblob);
        assert_eq!(ev.certs, auxblob);
    }
    if !remove_fails {
        assert!(client.fs().entries().is_empty());
    }
    let p = probe(client.fs_mut());
    let _ = p.usable();
    if !remove_fails {
        assert!(client.fs().entries().is_empty());
    }
});
