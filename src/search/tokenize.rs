//! The search tokenizer: text to index terms. Korean (and Chinese/Japanese) runs become
//! overlapping character bigrams, so "외교부" (외교, 교부) matches "외교부는" (외교, 교부, 부는)
//! whatever particle is attached; a one-syllable word is kept as a unigram. Latin runs are
//! lower-cased, common English function words dropped, and English suffixes stripped with
//! Porter's step 1 (ministers → minister, meetings → meet). `static/theme/search.js` mirrors
//! this file rule for rule; `tests/suite/search_browser.rs` runs both on the same examples.

/// English words too common to help a search; dropping them keeps the posting lists small.
pub const STOP_WORDS: [&str; 27] = [
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is",
    "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "will", "with",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Letters and digits of Latin script.
    Latin,
    /// Hangul syllables, Han ideographs, kana: written without spaces between particles.
    Cjk,
    Other,
}

/// Lower-case ASCII and Latin-1 capitals; other characters are left as they are (the same
/// rule in JavaScript, whose full Unicode lower-casing differs from Rust's in corner cases).
const fn fold(c: char) -> char {
    match c {
        'A'..='Z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{DE}' => {
            match char::from_u32(c as u32 + 0x20) {
                Some(lower) => lower,
                None => c,
            }
        }
        _ => c,
    }
}

const fn class(c: char) -> Class {
    match c {
        'a'..='z' | '0'..='9' | '\u{DF}'..='\u{F6}' | '\u{F8}'..='\u{24F}' => Class::Latin,
        '\u{AC00}'..='\u{D7A3}'
        | '\u{3040}'..='\u{30FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}' => Class::Cjk,
        _ => Class::Other,
    }
}

/// The class of each ASCII character after folding, and whether folding changes it: most
/// of an English text, looked up instead of decoded and matched (same rules as `fold` and
/// `class`, applied when this table is built).
const ASCII: [(Class, bool); 128] = {
    let mut table = [(Class::Other, false); 128];
    let mut byte = 0;
    while byte < table.len() {
        let c = byte as u8 as char;
        let folded = fold(c);
        table[byte] = (class(folded), folded as u32 != c as u32);
        byte += 1;
    }
    table
};

/// A term: a slice of the text itself (Korean bigrams), or made in scratch space (a
/// lower-cased, stemmed Latin word) and valid only during the call.
#[derive(Debug, Clone, Copy)]
pub enum Term<'t, 's> {
    Text(&'t str),
    Made(&'s str),
}

impl Term<'_, '_> {
    pub fn as_str(&self) -> &str {
        match self {
            Term::Text(term) | Term::Made(term) => term,
        }
    }
}

/// The terms of `text`, in order (a term may repeat).
pub fn tokenize(text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    for_each_term(text, |term| terms.push(term.as_str().to_string()));
    terms
}

/// Call `f` with each term of `text`, in order, without allocating per term: indexing a large
/// archive tokenizes every release. A Korean bigram is a slice of `text` itself (folding does
/// not change Hangul or Han), and so is a Latin word that folding and stemming leave as it is;
/// only the other Latin words are made in scratch space.
pub fn for_each_term<'t>(text: &'t str, mut f: impl FnMut(Term<'t, '_>)) {
    let mut scratch = Scratch::default();
    let mut run_class = Class::Other;
    // The current run: where it starts, where its last character starts, its length in
    // characters (counted for CJK runs; a Latin run is taken in steps of whole ASCII words),
    // and whether folding changes it (a Latin word with capitals).
    let (mut run_start, mut last_start, mut run_chars, mut run_folds) = (0, 0, 0, false);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // An ASCII character is looked up; others are decoded, folded and classed.
        let (c_class, folds, mut len) = match ASCII.get(usize::from(bytes[i])) {
            Some(&(c_class, folds)) => (c_class, folds, 1),
            // Three bytes and more are above U+0800, where folding changes nothing.
            None => match decode(text, i) {
                (c, 3) => (class(c), false, 3),
                (original, len) => {
                    let c = fold(original);
                    (class(c), c != original, len)
                }
            },
        };
        if c_class != run_class {
            let run = Run {
                class: run_class,
                text: &text[run_start..i],
                chars: run_chars,
                folds: run_folds,
            };
            run.end(&mut scratch, &mut f);
            (run_start, run_chars, run_folds) = (i, 0, false);
            run_class = c_class;
        }
        match c_class {
            Class::Latin => {
                run_folds |= folds;
                // The rest of an ASCII word in a tight loop (most of an English text): a Latin
                // run needs only its end and whether it folds, not its characters one by one.
                while let Some(&(Class::Latin, folds)) =
                    bytes.get(i + len).and_then(|&b| ASCII.get(usize::from(b)))
                {
                    run_folds |= folds;
                    len += 1;
                }
            }
            Class::Cjk => {
                if run_chars > 0 {
                    f(Term::Text(&text[last_start..i + len]));
                }
                // The rest of the run in a tight loop too (most of a Korean text): every CJK
                // character takes three bytes, and each gives its bigram with the one before.
                while is_cjk_at(bytes, i + len) {
                    f(Term::Text(&text[i..i + len + 3]));
                    (i, len) = (i + len, 3);
                    run_chars += 1;
                }
            }
            Class::Other => {}
        }
        last_start = i;
        run_chars += 1;
        i += len;
    }
    let run = Run {
        class: run_class,
        text: &text[run_start..],
        chars: run_chars,
        folds: run_folds,
    };
    run.end(&mut scratch, &mut f);
}

/// The character that starts at byte `i` of `text`, and its length. Hangul and Han take three
/// bytes, decoded here directly: a Korean text is mostly those.
fn decode(text: &str, i: usize) -> (char, usize) {
    if let [lead @ 0xE0..=0xEF, b1, b2, ..] = text.as_bytes()[i..] {
        return (three_bytes(lead, b1, b2).expect("valid UTF-8"), 3);
    }
    let c = text[i..].chars().next().expect("i is at a character");
    (c, c.len_utf8())
}

/// Whether a CJK character (three bytes) starts at byte `i`.
#[inline(always)]
fn is_cjk_at(bytes: &[u8], i: usize) -> bool {
    match bytes.get(i..i + 3) {
        // Every CJK range lies between U+3000 and U+DFFF, whose lead bytes are these.
        Some(&[lead @ 0xE3..=0xED, b1, b2]) => {
            three_bytes(lead, b1, b2).is_some_and(|c| class(c) == Class::Cjk)
        }
        _ => false,
    }
}

/// The character of a three-byte UTF-8 sequence (from a `str`, so well formed).
#[inline(always)]
fn three_bytes(lead: u8, b1: u8, b2: u8) -> Option<char> {
    char::from_u32(u32::from(lead & 0x0F) << 12 | u32::from(b1 & 0x3F) << 6 | u32::from(b2 & 0x3F))
}

/// Space reused from word to word: the folded word, and the stemmed one.
#[derive(Default)]
struct Scratch {
    word: String,
    stem: String,
}

/// A run of characters of one class.
struct Run<'t> {
    class: Class,
    text: &'t str,
    chars: usize,
    folds: bool,
}

impl<'t> Run<'t> {
    /// A one-character CJK run is a term of its own (longer runs gave their bigrams as they
    /// came); a Latin run is a word, dropped or stemmed.
    #[inline]
    fn end(&self, scratch: &mut Scratch, f: &mut impl FnMut(Term<'t, '_>)) {
        match self.class {
            Class::Cjk if self.chars == 1 => f(Term::Text(self.text)),
            Class::Latin => {
                // The word as indexed: the text itself, or its folded copy.
                let word = if self.folds {
                    fold_into(self.text, &mut scratch.word)
                } else {
                    self.text
                };
                if is_stop_word(word) {
                    return;
                }
                let stemmed = stem_into(word, &mut scratch.stem);
                if !self.folds && stemmed == self.text {
                    f(Term::Text(self.text));
                } else {
                    f(Term::Made(stemmed));
                }
            }
            _ => {}
        }
    }
}

/// `text` folded, in `word`. Most words that fold are ASCII, where folding is ASCII's lower
/// case, done in place rather than character by character. Kept out of line: inlined, it
/// made `Run::end` too large to be inlined itself.
#[inline(never)]
fn fold_into<'w>(text: &str, word: &'w mut String) -> &'w str {
    word.clear();
    if text.is_ascii() {
        word.push_str(text);
        word.make_ascii_lowercase();
    } else {
        word.extend(text.chars().map(fold));
    }
    word
}

/// A word of up to four bytes packed into an integer (zero-padded), so stop words are
/// compared as integers instead of strings.
const fn pack(word: &[u8]) -> Option<u32> {
    if word.is_empty() || word.len() > 4 {
        return None;
    }
    // Shifted into place rather than copied into an array and read back: the processor
    // cannot forward those byte stores to the wider load, and this runs on every word.
    let mut key = 0;
    let mut i = 0;
    while i < word.len() {
        key |= (word[i] as u32) << (8 * i);
        i += 1;
    }
    Some(key)
}

/// [`STOP_WORDS`] packed; every stop word has one to four letters (checked when built).
const STOP_KEYS: [u32; STOP_WORDS.len()] = {
    let mut keys = [0; STOP_WORDS.len()];
    let mut i = 0;
    while i < keys.len() {
        keys[i] = match pack(STOP_WORDS[i].as_bytes()) {
            Some(key) => key,
            None => panic!("a stop word is longer than four letters"),
        };
        i += 1;
    }
    keys
};

fn is_stop_word(word: &str) -> bool {
    pack(word.as_bytes()).is_some_and(|key| STOP_KEYS.contains(&key))
}

/// Porter's step 1 (plurals, -ed, -ing, final y) on a word of ASCII letters; other words
/// (with digits or accents) are kept as they are.
pub fn stem(word: &str) -> String {
    stem_into(word, &mut String::new()).to_string()
}

/// [`stem`], using `w` as the scratch space (a `String`, so the result needs no UTF-8 check:
/// it is ASCII in and ASCII out).
fn stem_into<'a>(word: &'a str, w: &'a mut String) -> &'a str {
    // Every rule below needs a word that ends in s, d (-ed, -eed), g (-ing) or y: most words
    // are left as they are without being copied or scanned.
    let ends_with_suffix = matches!(word.as_bytes().last(), Some(b's' | b'd' | b'g' | b'y'));
    if !ends_with_suffix || word.len() <= 2 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return word;
    }
    w.clear();
    w.push_str(word);
    // Step 1a: plurals.
    if w.ends_with("sses") || w.ends_with("ies") {
        w.truncate(w.len() - 2);
    } else if w.ends_with('s') && !w.ends_with("ss") {
        w.pop();
    }
    // Step 1b: -eed, -ed, -ing.
    if w.ends_with("eed") {
        if measure(&w.as_bytes()[..w.len() - 3]) > 0 {
            w.pop();
        }
    } else {
        let suffix = if w.ends_with("ed") {
            2
        } else if w.ends_with("ing") {
            3
        } else {
            0
        };
        if suffix > 0 && has_vowel(&w.as_bytes()[..w.len() - suffix]) {
            w.truncate(w.len() - suffix);
            let b = w.as_bytes();
            if w.ends_with("at") || w.ends_with("bl") || w.ends_with("iz") {
                w.push('e');
            } else if ends_double_consonant(b) && !matches!(b[b.len() - 1], b'l' | b's' | b'z') {
                w.pop();
            } else if measure(b) == 1 && ends_cvc(b) {
                w.push('e');
            }
        }
    }
    // Step 1c: a final y after a vowel-bearing stem becomes i (policy, policies → polici).
    if w.ends_with('y') && has_vowel(&w.as_bytes()[..w.len() - 1]) {
        w.pop();
        w.push('i');
    }
    w
}

/// Porter's consonant: not a vowel, and `y` only after a vowel or at the start.
fn is_consonant(w: &[u8], i: usize) -> bool {
    match w[i] {
        b'a' | b'e' | b'i' | b'o' | b'u' => false,
        b'y' => i == 0 || !is_consonant(w, i - 1),
        _ => true,
    }
}

/// Porter's m: the number of vowel-consonant sequences.
fn measure(w: &[u8]) -> usize {
    let mut m = 0;
    let mut previous_vowel = false;
    for i in 0..w.len() {
        let consonant = is_consonant(w, i);
        if consonant && previous_vowel {
            m += 1;
        }
        previous_vowel = !consonant;
    }
    m
}

fn has_vowel(w: &[u8]) -> bool {
    (0..w.len()).any(|i| !is_consonant(w, i))
}

fn ends_double_consonant(w: &[u8]) -> bool {
    let n = w.len();
    n >= 2 && w[n - 1] == w[n - 2] && is_consonant(w, n - 1)
}

fn ends_cvc(w: &[u8]) -> bool {
    let n = w.len();
    n >= 3
        && is_consonant(w, n - 3)
        && !is_consonant(w, n - 2)
        && is_consonant(w, n - 1)
        && !matches!(w[n - 1], b'w' | b'x' | b'y')
}

/// The starting value of 32-bit FNV-1a.
pub const FNV_OFFSET: u32 = 0x811c_9dc5;

/// 32-bit FNV-1a of `bytes`, continuing from `hash`.
pub fn fnv1a(hash: u32, bytes: &[u8]) -> u32 {
    bytes.iter().fold(hash, |hash, &byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

/// FNV-1a over the UTF-8 bytes of a term: which shard holds its postings.
pub fn term_hash(term: &str) -> u32 {
    fnv1a(FNV_OFFSET, term.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `tokenize` means, written plainly: characters folded and grouped into runs of
    /// one class; a CJK run gives its bigrams (or itself, if one character), a Latin run its
    /// stemmed word unless it is a stop word.
    fn tokenized_plainly(text: &str) -> Vec<String> {
        let folded: Vec<char> = text.chars().map(fold).collect();
        let runs = folded.chunk_by(|a, b| class(*a) == class(*b));
        let mut terms = Vec::new();
        for run in runs {
            let word: String = run.iter().collect();
            match class(run[0]) {
                Class::Cjk if run.len() == 1 => terms.push(word),
                Class::Cjk => terms.extend(run.windows(2).map(|pair| pair.iter().collect())),
                Class::Latin if !STOP_WORDS.contains(&word.as_str()) => terms.push(stem(&word)),
                Class::Latin | Class::Other => {}
            }
        }
        terms
    }

    /// Texts mixing every class, with the characters at the edges of the CJK ranges and
    /// others that share their lead bytes.
    #[test]
    fn tokenizing_in_tight_loops_is_the_plain_tokenizer() {
        let pieces = [
            "외교",
            "부",
            "는",
            " ",
            "Ministers",
            "ROK",
            "the",
            "s",
            "2022",
            "é",
            "Ü",
            "·",
            ".",
            "\u{AC00}",
            "\u{D7A3}",
            "\u{D7A4}",
            "\u{D7B0}",
            "\u{A000}",
            "\u{3040}",
            "\u{303F}",
            "\u{30FF}",
            "\u{3100}",
            "\u{3400}",
            "\u{4DBF}",
            "\u{4DC0}",
            "\u{4E00}",
            "\u{9FFF}",
            "\u{E000}",
            "\u{1100}",
            "外交部",
            "カナ",
            "\u{10000}",
        ];
        for text in crate::eight_bytes::random_texts(&pieces, 20_000) {
            assert_eq!(tokenize(&text), tokenized_plainly(&text), "{text:?}");
        }
    }

    #[test]
    fn korean_words_match_with_particles_attached() {
        assert_eq!(tokenize("외교부"), ["외교", "교부"]);
        assert_eq!(tokenize("외교부는"), ["외교", "교부", "부는"]);
        let doc = tokenize("외교부가 발표하였다");
        assert!(tokenize("외교부").iter().all(|t| doc.contains(t)));
    }

    #[test]
    fn one_syllable_words_are_unigrams_and_mixed_runs_split_by_script() {
        assert_eq!(tokenize("양 장관"), ["양", "장관"]);
        assert_eq!(tokenize("G20정상회의"), ["g20", "정상", "상회", "회의"]);
        assert_eq!(tokenize("2022년 2월"), ["2022", "년", "2", "월"]);
    }

    #[test]
    fn english_is_lower_cased_stemmed_and_function_words_dropped() {
        assert_eq!(
            tokenize("Outcome of ROK-U.S. Foreign Ministers' Meeting"),
            ["outcome", "rok", "u", "s", "foreign", "minister", "meet"]
        );
        assert_eq!(tokenize("ministers"), tokenize("minister"));
        assert_eq!(tokenize("meetings"), tokenize("meeting"));
        assert_eq!(tokenize("The"), Vec::<String>::new());
    }

    #[test]
    fn porter_step_one() {
        for (word, stemmed) in [
            ("caresses", "caress"),
            ("ponies", "poni"),
            ("cats", "cat"),
            ("agreed", "agree"),
            ("feed", "feed"),
            ("plastered", "plaster"),
            ("hopping", "hop"),
            ("hoping", "hope"),
            ("filing", "file"),
            ("falling", "fall"),
            ("conflated", "conflate"),
            ("sized", "size"),
            ("happy", "happi"),
            ("policies", "polici"),
            ("policy", "polici"),
            ("sky", "sky"),
        ] {
            assert_eq!(stem(word), stemmed, "{word}");
        }
    }

    #[test]
    fn latin_1_capitals_fold_and_accents_stay() {
        assert_eq!(tokenize("CAFÉ Zürich"), ["café", "zürich"]);
    }

    #[test]
    fn the_ascii_table_follows_fold_and_class() {
        for byte in 0u8..128 {
            let c = char::from(byte);
            assert_eq!(
                ASCII[usize::from(byte)],
                (class(fold(c)), fold(c) != c),
                "{c:?}"
            );
        }
        assert_eq!(tokenize("Hello, WORLD 2024"), ["hello", "world", "2024"]);
    }

    #[test]
    fn stop_words_are_found_and_other_words_are_not() {
        assert!(STOP_WORDS.iter().all(|w| is_stop_word(w)));
        assert!(!is_stop_word("") && !is_stop_word("thes") && !is_stop_word("withs"));
        assert!(!is_stop_word("minister") && !is_stop_word("ab"));
    }

    #[test]
    fn term_hash_is_fnv_1a() {
        assert_eq!(term_hash(""), 0x811c_9dc5);
        assert_eq!(term_hash("a"), 0xe40c_292c);
    }
}
