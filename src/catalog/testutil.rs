//! Test helpers shared by the database readers' tests.

/// Small deterministic generator so the damage loops need no dependency.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

/// Feeds truncated and bit-flipped copies of `fixture` to `read`, which must not panic.
pub(crate) fn damage_loop(fixture: &[u8], iterations: usize, read: impl Fn(&[u8])) {
    let mut rng = Lcg(fixture.len() as u64);
    let len = fixture.len();
    for i in 0..iterations {
        let mut copy = fixture.to_vec();
        if i % 4 == 0 {
            let cut = (rng.next() as usize) % (len + 1);
            copy.truncate(cut);
        } else {
            for _ in 0..(1 + i % 8) {
                let at = (rng.next() as usize) % len.max(1);
                if let Some(b) = copy.get_mut(at) {
                    *b ^= 1 << (rng.next() % 8);
                }
            }
        }
        read(&copy);
    }
}
