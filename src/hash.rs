//! A fast hash for maps keyed by short strings read from the user's own files and environment
//! (the section index, environment lookups): there is no one to mount a collision attack.

/// FNV-1a.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Fnv;

pub(crate) struct FnvHasher(u64);

impl std::hash::BuildHasher for Fnv {
    type Hasher = FnvHasher;
    fn build_hasher(&self) -> FnvHasher {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}
