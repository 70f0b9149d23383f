//! The search tokenizer: text to index terms. Korean (and Chinese/Japanese) runs become
//! overlapping character bigrams, so "외교부" (외교, 교부) matches "외교부는" (외교, 교부, 부는)
//! whatever particle is attached; a one-syllable word is kept as a unigram. Latin runs are
//! lower-cased, common English function words dropped, and English suffixes stripped with
//! Porter's step 1 (ministers → minister, meetings → meet). `static/theme/search.js` mirrors
//! this file rule for rule; `tests/suite/search_browser.rs` runs both on the same examples.

/// English words too common to help a search; dropping them keeps the posting lists small.
/// Sorted, so that a word is looked up by binary search rather than compared with each; none
/// is longer than [`LONGEST_STOP_WORD`], so most words are not looked up at all.
pub const STOP_WORDS: [&str; 27] = [
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "has", "have", "in", "is",
    "it", "its", "of", "on", "or", "that", "the", "this", "to", "was", "were", "will", "with",
];

const LONGEST_STOP_WORD: usize = 4;

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
fn fold(c: char) -> char {
    match c {
        'A'..='Z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{DE}' => {
            char::from_u32(c as u32 + 0x20).unwrap_or(c)
        }
        _ => c,
    }
}

/// The class of a character, the same as that of the character it folds to: capitals are
/// Latin too.
fn class(c: char) -> Class {
    match c {
        '0'..='9'
        | 'A'..='Z'
        | 'a'..='z'
        | '\u{C0}'..='\u{D6}'
        | '\u{D8}'..='\u{F6}'
        | '\u{F8}'..='\u{24F}' => Class::Latin,
        '\u{AC00}'..='\u{D7A3}'
        | '\u{3040}'..='\u{30FF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}' => Class::Cjk,
        _ => Class::Other,
    }
}

/// The terms of `text`, in order (a term may repeat).
pub fn tokenize(text: &str) -> Vec<String> {
    let mut terms = Vec::new();
    for_each_term(text, |term| terms.push(term.to_string()));
    terms
}

/// Call `f` with each term of `text`, in order: characters folded and grouped into runs of
/// one class; a CJK run gives its bigrams (or itself, if one character), a Latin run its
/// stemmed word unless it is a stop word. Indexing a large archive tokenizes every release,
/// so a term is lent to `f` rather than made into a string of its own.
pub fn for_each_term(text: &str, mut f: impl FnMut(&str)) {
    let mut word = String::new();
    let mut run_start = 0;
    let mut run_class = Class::Other;
    // Where the character before this one starts.
    let mut previous = 0;
    for (i, c) in text.char_indices() {
        let c_class = class(c);
        if c_class != run_class {
            end_run(run_class, &text[run_start..i], &mut word, &mut f);
            run_start = i;
            run_class = c_class;
        } else if c_class == Class::Cjk {
            // Folding changes no CJK character: a bigram is a slice of the text.
            f(&text[previous..i + c.len_utf8()]);
        }
        previous = i;
    }
    end_run(run_class, &text[run_start..], &mut word, &mut f);
}

/// The last terms of a run of class `run_class`: a CJK run of one character is a term (longer
/// ones gave their bigrams already); a Latin run is a word, folded and stemmed in `word`.
fn end_run(run_class: Class, run: &str, word: &mut String, f: &mut impl FnMut(&str)) {
    match run_class {
        Class::Cjk if run.chars().nth(1).is_none() => f(run),
        Class::Latin => {
            word.clear();
            // On ASCII, folding is ASCII's lower case, done on the whole word at once.
            if run.is_ascii() {
                word.push_str(run);
                word.make_ascii_lowercase();
            } else {
                word.extend(run.chars().map(fold));
            }
            if word.len() > LONGEST_STOP_WORD || STOP_WORDS.binary_search(&word.as_str()).is_err() {
                stem_in_place(word);
                f(word);
            }
        }
        Class::Cjk | Class::Other => {}
    }
}

/// Porter's step 1 (plurals, -ed, -ing, final y) on a word of ASCII letters; other words
/// (with digits or accents) are kept as they are.
pub fn stem(word: &str) -> String {
    let mut stemmed = word.to_string();
    stem_in_place(&mut stemmed);
    stemmed
}

/// [`stem`], changing `w` itself: every rule takes letters off the end or adds one.
fn stem_in_place(w: &mut String) {
    if w.len() <= 2 || !w.bytes().all(|b| b.is_ascii_lowercase()) {
        return;
    }
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

/// 32-bit FNV-1a over the UTF-8 bytes of a term: which shard holds its postings. It is part
/// of the index format (search.js computes it too); the `fnv` crate has only the 64-bit hash.
pub fn term_hash(term: &str) -> u32 {
    term.bytes().fold(0x811c_9dc5, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn folding_never_changes_a_class() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(class(c), class(fold(c)), "{c:?}");
        }
    }

    #[test]
    fn ascii_folds_and_splits_at_punctuation() {
        assert_eq!(tokenize("Hello, WORLD 2024"), ["hello", "world", "2024"]);
        assert_eq!(tokenize("a_b-c~D`e"), ["b", "c", "d", "e"]);
    }

    #[test]
    fn stop_words_are_sorted_for_binary_search() {
        assert!(STOP_WORDS.is_sorted());
        assert_eq!(
            STOP_WORDS.map(str::len).into_iter().max(),
            Some(LONGEST_STOP_WORD)
        );
    }

    #[test]
    fn stop_words_are_dropped_and_longer_words_kept() {
        for word in STOP_WORDS {
            assert_eq!(tokenize(word), Vec::<String>::new(), "{word}");
            assert_eq!(
                tokenize(&word.to_uppercase()),
                Vec::<String>::new(),
                "{word}"
            );
        }
        assert_eq!(tokenize("thes withs ab"), ["the", "with", "ab"]);
    }

    /// The first and last characters of each CJK range are CJK; their neighbours, and
    /// characters sharing their UTF-8 lead bytes, are not.
    #[test]
    fn cjk_ranges_end_where_the_rules_say() {
        for (text, terms) in [
            ("\u{AC00}\u{D7A3}", &["\u{AC00}\u{D7A3}"][..]),
            ("\u{D7A4}\u{D7B0}\u{A000}\u{E000}\u{1100}", &[]),
            ("\u{3040}\u{30FF}", &["\u{3040}\u{30FF}"]),
            ("\u{303F}\u{3100}", &[]),
            (
                "\u{3400}\u{4DBF}\u{4DC0}\u{4E00}\u{9FFF}",
                &["\u{3400}\u{4DBF}", "\u{4E00}\u{9FFF}"],
            ),
            ("外交部\u{10000}カナ", &["外交", "交部", "カナ"]),
            ("외교·부", &["외교", "부"]),
        ] {
            assert_eq!(tokenize(text), terms, "{text:?}");
        }
    }

    #[test]
    fn term_hash_is_fnv_1a() {
        assert_eq!(term_hash(""), 0x811c_9dc5);
        assert_eq!(term_hash("a"), 0xe40c_292c);
    }
}
