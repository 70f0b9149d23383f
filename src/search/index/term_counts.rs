//! A document's term counts while it is read. Every term of every release passes through
//! here, so short terms (nearly all) go into a table of their own, open addressing over their
//! packed keys, instead of a general hash map whose keys may also be text.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::Hasher as _;

use super::{BuildTermHasher, TermHasher, TermKey};

/// Term counts of one document at a time; emptied by [`TermCounts::drain`] and used again.
pub(super) struct TermCounts<'d> {
    /// Packed short keys with their counts, by slot; `EMPTY` keys where none. A packed key
    /// holds its length (one or more) in its last byte, so it is never zero.
    slots: Vec<(u128, u32)>,
    /// The slots in use, in the order they were filled.
    filled: Vec<u32>,
    /// Terms too long to be packed, a few per document at most.
    long: HashMap<Cow<'d, str>, u32, BuildTermHasher>,
}

const EMPTY: u128 = 0;
/// Slots to start with, a power of two: a release has some hundreds of distinct terms.
const INITIAL_SLOTS: usize = 1024;

impl Default for TermCounts<'_> {
    fn default() -> Self {
        TermCounts {
            slots: vec![(EMPTY, 0); INITIAL_SLOTS],
            filled: Vec::new(),
            long: HashMap::default(),
        }
    }
}

impl<'d> TermCounts<'d> {
    /// Count `key` `weight` times more.
    #[inline]
    pub(super) fn add(&mut self, key: TermKey<'d>, weight: u32) {
        let packed = match key {
            TermKey::Short(packed) => packed,
            TermKey::Long(text) => {
                *self.long.entry(text).or_insert(0) += weight;
                return;
            }
        };
        let slot = slot_of(&self.slots, packed);
        let (key, count) = &mut self.slots[slot];
        if *key == packed {
            *count += weight;
            return;
        }
        (*key, *count) = (packed, weight);
        self.filled.push(slot as u32);
        // At most half full, so that a probe ends soon.
        if self.filled.len() * 2 > self.slots.len() {
            self.grow();
        }
    }

    fn grow(&mut self) {
        let grown = vec![(EMPTY, 0); self.slots.len() * 2];
        let old = std::mem::replace(&mut self.slots, grown);
        for slot in &mut self.filled {
            let entry = old[*slot as usize];
            let new = slot_of(&self.slots, entry.0);
            self.slots[new] = entry;
            *slot = new as u32;
        }
    }

    /// Every term counted since the last drain, with its count (long terms copied); the
    /// counts are empty again after.
    pub(super) fn drain(&mut self) -> Vec<(TermKey<'static>, u32)> {
        let mut terms = Vec::with_capacity(self.filled.len() + self.long.len());
        for slot in self.filled.drain(..) {
            let (key, count) = std::mem::replace(&mut self.slots[slot as usize], (EMPTY, 0));
            terms.push((TermKey::Short(key), count));
        }
        let long = self.long.drain();
        terms.extend(long.map(|(text, count)| (TermKey::Long(text).into_owned(), count)));
        terms
    }
}

/// The slot of `slots` (a power of two of them) that holds `packed`, or the empty one where
/// it goes: linear probing from its hash.
#[inline(always)]
fn slot_of(slots: &[(u128, u32)], packed: u128) -> usize {
    let mask = slots.len() - 1;
    let mut slot = hash(packed) as usize & mask;
    loop {
        // `& mask` keeps every index in bounds; `get` lets the compiler see it.
        match slots.get(slot) {
            Some(&(key, _)) if key != packed && key != EMPTY => slot = (slot + 1) & mask,
            _ => return slot,
        }
    }
}

/// The hash of a packed key, as the postings' map hashes it.
#[inline(always)]
fn hash(packed: u128) -> u64 {
    let mut hasher = TermHasher::default();
    hasher.write_u128(packed);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts as a plain map makes them, by key.
    fn drained(counts: &mut TermCounts<'_>) -> Vec<(String, u32)> {
        let mut terms: Vec<(String, u32)> = counts
            .drain()
            .into_iter()
            .map(|(key, count)| (format!("{key:?}"), count))
            .collect();
        terms.sort();
        terms
    }

    #[test]
    fn counts_match_a_plain_map_through_growth_and_reuse() {
        let mut counts = TermCounts::default();
        for round in 0..3u128 {
            let mut expected: HashMap<String, u32> = HashMap::new();
            // 3,000 distinct short keys grow the table three times; most repeat, a few are long.
            for i in 0..5000u128 {
                let key = if i % 997 == 0 {
                    TermKey::Long(Cow::Owned(format!("a-term-longer-than-fifteen-bytes-{i}")))
                } else {
                    TermKey::Short((i % 3000 + round) | 1 << 120)
                };
                let weight = (i % 5) as u32 + 1;
                *expected.entry(format!("{key:?}")).or_insert(0) += weight;
                counts.add(key, weight);
            }
            let mut expected: Vec<(String, u32)> = expected.into_iter().collect();
            expected.sort();
            assert_eq!(drained(&mut counts), expected, "round {round}");
            assert!(counts.filled.is_empty() && counts.long.is_empty());
            assert!(counts.slots.iter().all(|&(key, _)| key == EMPTY));
        }
    }
}
