//! Tests on eight bytes at once, for the loops that look at every byte of every release's
//! text (search text and JSON, feed and sitemap XML). Each returns a mask with the high bit
//! set in the bytes that match. The subtractions may borrow from one byte into the next, but
//! only above a byte that really matches, and a borrow never clears a mark: the lowest byte
//! marked, and whether any is, are exact, and no matching byte is left unmarked. A mark above
//! the lowest may be a false alarm, so callers look at the bytes they are sent to themselves.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The eight bytes at `at` as one little-endian word (the first byte lowest), if there are
/// eight.
#[inline(always)]
pub fn word_at(bytes: &[u8], at: usize) -> Option<u64> {
    let chunk = bytes.get(at..at + 8)?;
    Some(u64::from_le_bytes(chunk.try_into().expect("eight bytes")))
}

/// Bytes equal to `byte`.
#[inline(always)]
pub fn equal(word: u64, byte: u8) -> u64 {
    zero(word ^ (ONES * u64::from(byte)))
}

/// Bytes below `limit`, which must be below 0x80 (so that a byte minus the limit and a borrow
/// still has its high bit set).
#[inline(always)]
pub fn below(word: u64, limit: u8) -> u64 {
    debug_assert!(limit < 0x80);
    word.wrapping_sub(ONES * u64::from(limit)) & !word & HIGH
}

#[inline(always)]
fn zero(word: u64) -> u64 {
    below(word, 1)
}

/// The index of the lowest byte marked in `mask` (which is not zero).
#[inline(always)]
pub fn first(mask: u64) -> usize {
    mask.trailing_zeros() as usize / 8
}

/// Texts made of `pieces` chosen at random (the same on every run), up to 40 pieces long: for
/// tests that compare an eight-byte loop with a plain one, so that every piece lands at every
/// place in a word.
#[cfg(test)]
pub fn random_texts(pieces: &[&str], count: usize) -> impl Iterator<Item = String> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || next_random(&mut state);
    let pieces = pieces.to_vec();
    (0..count).map(move |_| {
        let length = next() % 40;
        (0..length)
            .map(|_| pieces[(next() % pieces.len() as u64) as usize])
            .collect()
    })
}

/// The next number of a xorshift sequence: random enough for test data, and the same on
/// every run.
#[cfg(test)]
fn next_random(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words of bytes drawn from around the limits, each test checked byte by byte: the
    /// lowest mark is the first match, and every match is marked.
    #[test]
    fn the_lowest_mark_is_exact_and_no_match_is_unmarked() {
        let interesting = [
            0x00, 0x01, 0x1F, 0x20, 0x21, 0x25, 0x26, 0x27, 0x7E, 0x7F, 0x80, 0xC2, 0xFF,
        ];
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..200_000 {
            let bytes = next_random(&mut state).to_le_bytes().map(|r| match r % 4 {
                0 => r,
                _ => interesting[usize::from(r) % interesting.len()],
            });
            let word = word_at(&bytes, 0).unwrap();
            let tests: [(u64, &dyn Fn(u8) -> bool); 3] = [
                (equal(word, b'&'), &|b| b == b'&'),
                (below(word, 0x21), &|b| b < 0x21),
                (below(word, 0x7F), &|b| b < 0x7F),
            ];
            for (mask, test) in tests {
                let expected = bytes.iter().position(|&b| test(b));
                assert_eq!((mask != 0).then(|| first(mask)), expected, "{bytes:02x?}");
                for (i, &b) in bytes.iter().enumerate() {
                    if test(b) {
                        assert_ne!(mask & 0x80 << (8 * i), 0, "{bytes:02x?} at {i}");
                    }
                }
            }
        }
    }
}
