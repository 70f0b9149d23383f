//! The search index of one language: BM25 weights computed at build time, postings split into
//! shards by a hash of the term (so a query fetches only the shards of its own terms), and one
//! small file per release with what a result shows (title, date, section, text for snippets).
//!
//! Files under `search/<lang>/`: `index.json` (`{"version", "docs", "shards", "stamp"}`),
//! `shard-<n>.json` (`{"term": [doc, weight, doc-delta, weight, ...]}`, documents in
//! ascending order, weight = BM25 × 100 rounded) and `docs/<doc>.json`.

mod term_counts;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use rayon::prelude::*;

use super::tokenize::{FNV_OFFSET, Term, fnv1a, for_each_term, term_hash, tokenize};
use crate::json;
use crate::render::OutputFile;
use term_counts::TermCounts;

/// BM25 parameters (the usual ones).
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// A term in the title counts as this many in the body, so title matches rank first.
const TITLE_WEIGHT: u32 = 5;
/// Topic names are chosen by editors: they count more than body text.
const TOPIC_WEIGHT: u32 = 2;
/// Postings per shard, about 25 KB of JSON: few requests per query, small downloads.
pub const POSTINGS_PER_SHARD: usize = 4096;
/// The text kept for snippets; longer bodies are cut (the ranking still sees all of it).
pub const TEXT_MAX_CHARS: usize = 5000;
/// The format of the files; search.js refuses others.
pub const FORMAT_VERSION: u32 = 1;

/// One release as search sees it.
#[derive(Debug, Clone, Serialize)]
pub struct SearchDoc {
    pub title: String,
    pub url: String,
    /// In the page's language: `2022년 2월 12일`.
    pub date: String,
    /// The full offset date-time for `<time datetime>`.
    pub datetime: String,
    pub section: String,
    pub summary: String,
    #[serde(skip)]
    pub topics: Vec<String>,
    /// The body as plain text.
    pub text: String,
}

/// A language's index in memory: per term, its documents and their weights.
#[derive(Debug, Default)]
pub struct SearchIndex {
    pub postings: BTreeMap<String, Vec<(u32, u32)>>,
    pub doc_count: usize,
}

#[derive(Serialize)]
struct Manifest {
    version: u32,
    docs: usize,
    shards: usize,
    /// A hash of every shard and document: search.js adds it to their URLs, so a browser
    /// never mixes a cached file of an older build with a newer manifest.
    stamp: String,
}

impl SearchIndex {
    /// Index `docs`; a document's number is its position (newest first, so ties list the
    /// newest first).
    pub fn build(docs: &[SearchDoc]) -> SearchIndex {
        let mut builder = IndexBuilder::default();
        builder.add(docs, |_, _| ());
        builder.finish()
    }

    /// The documents holding every term of `query`, best first (ties: lower number first),
    /// with their scores: what search.js computes from the shards.
    pub fn search(&self, query: &str) -> Vec<(u32, u32)> {
        let mut terms = tokenize(query);
        terms.sort();
        terms.dedup();
        let mut lists = Vec::with_capacity(terms.len());
        for term in &terms {
            match self.postings.get(term) {
                Some(list) => lists.push(list),
                None => return Vec::new(),
            }
        }
        let Some((first, rest)) = lists.split_first() else {
            return Vec::new();
        };
        let rest: Vec<HashMap<u32, u32>> = rest
            .iter()
            .map(|list| list.iter().copied().collect())
            .collect();
        let mut hits: Vec<(u32, u32)> = first
            .iter()
            .filter_map(|&(doc, weight)| {
                rest.iter()
                    .try_fold(weight, |sum, list| list.get(&doc).map(|w| sum + w))
                    .map(|score| (doc, score))
            })
            .collect();
        hits.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        hits
    }

    pub fn shard_count(&self) -> usize {
        let postings: usize = self.postings.values().map(Vec::len).sum();
        postings.div_ceil(POSTINGS_PER_SHARD).max(1)
    }

    /// The shard that holds `term`'s postings.
    pub fn shard_of(term: &str, shard_count: usize) -> usize {
        term_hash(term) as usize % shard_count
    }

    /// The index files under `dir` (`search/ko/`), documents included.
    pub fn files(&self, dir: &str, docs: &[SearchDoc]) -> Vec<OutputFile> {
        let doc_files = docs
            .par_iter()
            .enumerate()
            .map(|(n, doc)| doc_file(dir, n, doc))
            .collect();
        self.files_around(dir, doc_files)
    }

    /// The index files under `dir`, with the documents' files already made by [`doc_file`]
    /// (in order of number).
    pub fn files_around(&self, dir: &str, doc_files: Vec<OutputFile>) -> Vec<OutputFile> {
        let shard_count = self.shard_count();
        // Each shard's terms in the index's (sorted) order, as a JSON map lists its keys.
        let mut shards: Vec<Vec<ShardEntry<'_>>> = vec![Vec::new(); shard_count];
        for (term, postings) in &self.postings {
            shards[Self::shard_of(term, shard_count)].push((term, postings));
        }
        let mut files: Vec<OutputFile> = shards
            .par_iter()
            .enumerate()
            .map(|(n, terms)| OutputFile {
                path: format!("{dir}shard-{n}.json"),
                bytes: shard_json(terms),
            })
            .collect();
        files.extend(doc_files);
        let stamp = files.iter().fold(FNV_OFFSET, |hash, file| {
            fnv1a(fnv1a(hash, file.path.as_bytes()), &file.bytes)
        });
        let manifest = Manifest {
            version: FORMAT_VERSION,
            docs: self.doc_count,
            shards: shard_count,
            stamp: format!("{stamp:08x}"),
        };
        files.insert(0, json_file(format!("{dir}index.json"), &manifest));
        files
    }
}

/// A language's index made from its documents a batch at a time, in order: a build reads each
/// batch in parallel, adds its terms and lets its texts go, so that a language's texts are
/// never all in memory at once (every page of memory a build takes must first be zeroed).
#[derive(Default)]
pub struct IndexBuilder {
    postings: Postings,
    /// The terms of the batch read last: they go into the postings, on one thread, while the
    /// next batch is read on the others.
    pending: Vec<DocTerms>,
}

#[derive(Default)]
struct Postings {
    /// Per term, its documents and weighted counts. Terms are packed while a document is read;
    /// the index makes a string of each distinct term once, at the end: at 10,000 releases
    /// there are millions of postings.
    by_term: HashMap<TermKey<'static>, Vec<(u32, u32)>, BuildTermHasher>,
    /// Each document's weighted length, by number.
    lengths: Vec<u32>,
}

impl Postings {
    /// Add the terms of the next documents.
    fn merge(&mut self, counted: Vec<DocTerms>) {
        for terms in counted {
            let doc = self.lengths.len() as u32;
            self.lengths.push(terms.length);
            for (term, count) in terms.counts {
                self.by_term.entry(term).or_default().push((doc, count));
            }
        }
    }
}

impl IndexBuilder {
    /// Add the next documents, numbered on from those added before. `each` sees every
    /// document with its number while it is read (a build makes its file then), in parallel;
    /// what it returns comes back in order.
    pub fn add<T: Send>(
        &mut self,
        docs: &[SearchDoc],
        each: impl Fn(usize, &SearchDoc) -> T + Sync + Send,
    ) -> Vec<T> {
        let first = self.postings.lengths.len() + self.pending.len();
        let last_batch = std::mem::take(&mut self.pending);
        let postings = &mut self.postings;
        let ((), (counted, made)) = rayon::join(
            || postings.merge(last_batch),
            || {
                docs.par_iter()
                    .enumerate()
                    .map_init(TermCounts::default, |counts, (i, doc)| {
                        (count_terms(doc, counts), each(first + i, doc))
                    })
                    .unzip()
            },
        );
        self.pending = counted;
        made
    }

    /// The index of every document added, with BM25 weights.
    pub fn finish(mut self) -> SearchIndex {
        self.postings.merge(self.pending);
        let Postings {
            mut by_term,
            lengths,
        } = self.postings;
        let n = lengths.len() as f64;
        let average_length =
            (lengths.iter().map(|&l| f64::from(l)).sum::<f64>() / n.max(1.0)).max(1.0);
        by_term.par_iter_mut().for_each(|(_, postings)| {
            postings.sort_unstable();
            let df = postings.len() as f64;
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            for (doc, weight) in postings.iter_mut() {
                let tf = f64::from(*weight);
                let length = f64::from(lengths[*doc as usize]);
                let norm = K1 * (1.0 - B + B * length / average_length);
                let score = idf * tf * (K1 + 1.0) / (tf + norm);
                *weight = ((score * 100.0).round() as u32).max(1);
            }
        });
        SearchIndex {
            postings: by_term
                .into_iter()
                .map(|(term, postings)| (term.into_boxed_str().into_string(), postings))
                .collect(),
            doc_count: lengths.len(),
        }
    }
}

/// A document's terms with their weighted counts, and its weighted length. The few terms
/// too long to be packed are copied, so that the text can go.
struct DocTerms {
    counts: Vec<(TermKey<'static>, u32)>,
    length: u32,
}

/// A term as a hash key. Most terms (a Korean bigram is six bytes) fit in a `u128`, which
/// hashes and compares in a few instructions: indexing looks up every term of every release.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TermKey<'d> {
    /// Up to 15 bytes of UTF-8, then the length in the last byte.
    Short(u128),
    Long(Cow<'d, str>),
}

/// Hashed as its packed integer or its text alone: a short key is never equal to a long one,
/// so the variant need not be hashed as well (one step less for every term).
impl std::hash::Hash for TermKey<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        match self {
            TermKey::Short(packed) => state.write_u128(*packed),
            TermKey::Long(text) => state.write(text.as_bytes()),
        }
    }
}

impl<'d> TermKey<'d> {
    const SHORT_MAX: usize = 15;

    /// The key of `term`, borrowing it when it is long and a slice of the document.
    fn new(term: Term<'d, '_>) -> Self {
        let text = term.as_str();
        if text.len() <= Self::SHORT_MAX {
            return TermKey::Short(pack_short(text.as_bytes()));
        }
        match term {
            Term::Text(borrowed) => TermKey::Long(Cow::Borrowed(borrowed)),
            Term::Made(made) => TermKey::Long(Cow::Owned(made.to_string())),
        }
    }

    /// The same key, a copy of the text if it was borrowed.
    fn into_owned(self) -> TermKey<'static> {
        match self {
            TermKey::Short(packed) => TermKey::Short(packed),
            TermKey::Long(text) => TermKey::Long(Cow::Owned(text.into_owned())),
        }
    }

    fn into_boxed_str(self) -> Box<str> {
        match self {
            TermKey::Short(packed) => {
                let bytes = packed.to_le_bytes();
                let text = &bytes[..usize::from(bytes[Self::SHORT_MAX])];
                std::str::from_utf8(text).expect("packed from a str").into()
            }
            TermKey::Long(text) => text.into_owned().into_boxed_str(),
        }
    }
}

/// Up to 15 bytes in a `u128`, little-endian, zero-padded, the length in the last byte. Read
/// with overlapping word loads rather than copied into an array and read back, which stalls
/// the processor on every term (the store cannot be forwarded to the wider load).
fn pack_short(bytes: &[u8]) -> u128 {
    let len = bytes.len();
    debug_assert!(len <= TermKey::SHORT_MAX);
    let word = |at: usize| u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"));
    let half = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
    let packed = if len >= 8 {
        // The last eight bytes, shifted so that only those after the first eight remain.
        let high = if len == 8 {
            0
        } else {
            word(len - 8) >> (8 * (16 - len))
        };
        u128::from(word(0)) | u128::from(high) << 64
    } else if len >= 4 {
        let high = if len == 4 {
            0
        } else {
            half(len - 4) >> (8 * (8 - len))
        };
        u128::from(half(0)) | u128::from(high) << 32
    } else {
        bytes
            .iter()
            .enumerate()
            .fold(0, |packed, (i, &b)| packed | u128::from(b) << (8 * i))
    };
    packed | (len as u128) << 120
}

/// Hashes term keys with one 64 × 64 → 128-bit multiply per word, its halves folded (the step
/// of foldhash and of ahash without AES): a packed term is one such step instead of ahash's
/// several, and indexing hashes every term of every release twice. Terms come from the
/// ministry's own releases, so the hash need not resist chosen collisions; what the index
/// holds does not depend on it.
type BuildTermHasher = std::hash::BuildHasherDefault<TermHasher>;

#[derive(Default)]
struct TermHasher(u64);

impl TermHasher {
    const SEEDS: [u64; 2] = [0x243F_6A88_85A3_08D3, 0x1319_8A2E_0370_7344];

    fn mix(&mut self, low: u64, high: u64) {
        let product = u128::from(self.0 ^ low ^ Self::SEEDS[0]) * u128::from(high ^ Self::SEEDS[1]);
        self.0 = (product as u64) ^ (product >> 64) as u64;
    }
}

impl std::hash::Hasher for TermHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(16) {
            let mut word = [0u8; 16];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u128(u128::from_le_bytes(word));
        }
        self.mix(bytes.len() as u64, 0);
    }

    fn write_u128(&mut self, value: u128) {
        self.mix(value as u64, (value >> 64) as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Count the terms of one document, in `tf` (empty, and left empty).
fn count_terms<'d>(doc: &'d SearchDoc, tf: &mut TermCounts<'d>) -> DocTerms {
    let mut length = 0;
    let text = doc.text.as_str();
    // The summary is most often the text's first paragraph: then it is read once, its terms
    // counted for the summary and for the text at once.
    let fields = match summary_end(&doc.summary, text) {
        Some(end) => [
            (doc.title.as_str(), TITLE_WEIGHT),
            (&text[..end], 2),
            (&text[end..], 1),
        ],
        None => [
            (doc.title.as_str(), TITLE_WEIGHT),
            (doc.summary.as_str(), 1),
            (text, 1),
        ],
    };
    let topics = doc.topics.iter().map(|t| (t.as_str(), TOPIC_WEIGHT));
    for (text, weight) in fields.into_iter().chain(topics) {
        for_each_term(text, |term| {
            tf.add(TermKey::new(term), weight);
            length += weight;
        });
    }
    DocTerms {
        counts: tf.drain(),
        length,
    }
}

/// Where the summary ends in `text`, when the text starts with it (a summary made from a
/// long first paragraph is cut after a word, with `…`) and goes on with a space: then the
/// terms of `text[..end]` are the summary's, as the tokenizer reads each word on its own and
/// `…` is none.
fn summary_end(summary: &str, text: &str) -> Option<usize> {
    let words = summary.strip_suffix('…').unwrap_or(summary);
    let end = words.len();
    let ends_at_a_space = matches!(text.as_bytes().get(end), None | Some(b' '));
    (text.starts_with(words) && ends_at_a_space).then_some(end)
}

/// The file of document `number` under `dir`: what a result shows, the fields of its
/// `SearchDoc` in their order, the text cut for snippets. Written directly rather than through
/// serde: it is most of the index, and [`json::push_str`] copies plain text eight bytes at a
/// time.
pub fn doc_file(dir: &str, number: usize, doc: &SearchDoc) -> OutputFile {
    let text = snippet_text(&doc.text);
    let fields = [
        ("title", doc.title.as_str()),
        ("url", &doc.url),
        ("date", &doc.date),
        ("datetime", &doc.datetime),
        ("section", &doc.section),
        ("summary", &doc.summary),
        ("text", text),
    ];
    let size: usize = fields
        .iter()
        .map(|(name, value)| name.len() + value.len() + 6)
        .sum();
    let mut bytes = Vec::with_capacity(size + 2);
    for (i, (name, value)) in fields.into_iter().enumerate() {
        bytes.push(if i == 0 { b'{' } else { b',' });
        json::push_str(&mut bytes, name);
        bytes.push(b':');
        json::push_str(&mut bytes, value);
    }
    bytes.push(b'}');
    OutputFile {
        path: format!("{dir}docs/{number}.json"),
        bytes,
    }
}

/// `text` cut to [`TEXT_MAX_CHARS`] characters.
fn snippet_text(text: &str) -> &str {
    // No more bytes than the limit means no more characters either: most texts are not read
    // character by character.
    if text.len() <= TEXT_MAX_CHARS {
        return text;
    }
    match text.char_indices().nth(TEXT_MAX_CHARS) {
        Some((cut, _)) => &text[..cut],
        None => text,
    }
}

/// A term of a shard and its postings (documents ascending, with their weights).
type ShardEntry<'a> = (&'a str, &'a [(u32, u32)]);

/// A shard's JSON, `{"term":[doc,weight,doc-delta,weight,...],...}` with the terms in the
/// order given, byte for byte what `serde_json` writes of them as a map of delta-coded lists.
/// Written directly: a shard holds a share of every posting of the index, and going through
/// serde meant a delta-coded copy of each list first.
fn shard_json(terms: &[ShardEntry<'_>]) -> Vec<u8> {
    let postings: usize = terms.iter().map(|(_, list)| list.len()).sum();
    let mut bytes = Vec::with_capacity(2 + terms.len() * 12 + postings * 8);
    let mut number = itoa::Buffer::new();
    bytes.push(b'{');
    for (i, (term, list)) in terms.iter().enumerate() {
        if i > 0 {
            bytes.push(b',');
        }
        json::push_str(&mut bytes, term);
        bytes.extend_from_slice(b":[");
        let mut previous = 0;
        for (j, &(doc, weight)) in list.iter().enumerate() {
            if j > 0 {
                bytes.push(b',');
            }
            bytes.extend_from_slice(number.format(doc - previous).as_bytes());
            bytes.push(b',');
            bytes.extend_from_slice(number.format(weight).as_bytes());
            previous = doc;
        }
        bytes.push(b']');
    }
    bytes.push(b'}');
    bytes
}

fn json_file(path: String, value: &impl Serialize) -> OutputFile {
    OutputFile {
        path,
        bytes: serde_json::to_vec(value).expect("plain data serializes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(title: &str, text: &str) -> SearchDoc {
        SearchDoc {
            title: title.into(),
            url: String::new(),
            date: String::new(),
            datetime: String::new(),
            section: String::new(),
            summary: String::new(),
            topics: Vec::new(),
            text: text.into(),
        }
    }

    fn found(index: &SearchIndex, query: &str) -> Vec<u32> {
        index.search(query).into_iter().map(|(d, _)| d).collect()
    }

    #[test]
    fn short_terms_pack_as_their_bytes_then_their_length() {
        let text = "abcdefghijklmnop";
        for len in 0..=TermKey::SHORT_MAX {
            let mut bytes = [0u8; 16];
            bytes[..len].copy_from_slice(&text.as_bytes()[..len]);
            bytes[15] = len as u8;
            assert_eq!(
                pack_short(&text.as_bytes()[..len]),
                u128::from_le_bytes(bytes),
                "{len} bytes"
            );
        }
    }

    #[test]
    fn korean_finds_words_with_particles_and_needs_every_bigram() {
        let docs = [
            doc("보도자료", "외교부는 오늘 발표하였다."),
            doc("브리핑", "외교장관이 회담을 하였다."),
            doc("안내", "교부금 지급 안내"),
        ];
        let index = SearchIndex::build(&docs);
        assert_eq!(found(&index, "외교부"), [0]);
        let mut both = found(&index, "외교");
        both.sort();
        assert_eq!(both, [0, 1], "외교 is in 외교부는 and 외교장관이");
        assert!(found(&index, "통일부").is_empty());
    }

    #[test]
    fn english_plurals_find_singulars_and_title_matches_rank_first() {
        let docs = [
            doc(
                "Regular briefing",
                "The minister spoke about the ministers' meeting.",
            ),
            doc("Ministers meet in Seoul", "A short note."),
            doc("Weather", "Nothing here."),
        ];
        let index = SearchIndex::build(&docs);
        assert_eq!(found(&index, "ministers"), [1, 0]);
        assert_eq!(found(&index, "minister meetings"), [1, 0]);
        assert!(found(&index, "ambassador").is_empty());
        assert!(found(&index, "the").is_empty());
    }

    #[test]
    fn rarer_terms_weigh_more_and_ties_keep_the_newest_first() {
        let docs = [
            doc("x", "기후 협력"),
            doc("x", "기후 협력"),
            doc("x", "협력 협력"),
        ];
        let index = SearchIndex::build(&docs);
        let hits = index.search("기후");
        assert_eq!(hits.iter().map(|h| h.0).collect::<Vec<_>>(), [0, 1]);
        assert_eq!(hits[0].1, hits[1].1);
        let idf_rare = index.postings["기후"][0].1;
        let idf_common = index.postings["협력"][0].1;
        assert!(idf_rare > idf_common, "{idf_rare} > {idf_common}");
    }

    /// A document's terms as `count_terms` gives them, by name.
    fn counted(doc: &SearchDoc) -> (BTreeMap<String, u32>, u32) {
        let terms = count_terms(doc, &mut TermCounts::default());
        let counts = terms.counts.into_iter();
        let named = counts.map(|(term, count)| (term.into_boxed_str().into_string(), count));
        (named.collect(), terms.length)
    }

    /// The same, each field read on its own.
    fn counted_plainly(doc: &SearchDoc) -> (BTreeMap<String, u32>, u32) {
        let mut counts = BTreeMap::new();
        let mut length = 0;
        let topics = doc.topics.iter().map(|t| (t.as_str(), TOPIC_WEIGHT));
        let fields = [
            (&doc.title, TITLE_WEIGHT),
            (&doc.summary, 1),
            (&doc.text, 1),
        ];
        for (text, weight) in fields
            .map(|(t, w)| (t.as_str(), w))
            .into_iter()
            .chain(topics)
        {
            for term in tokenize(text) {
                *counts.entry(term).or_insert(0) += weight;
                length += weight;
            }
        }
        (counts, length)
    }

    #[test]
    fn a_summary_read_with_the_text_counts_as_the_summary_read_alone() {
        let text =
            "Foreign Ministers met in Seoul. 외교장관은 오늘 회담을 가졌다. Ministers agreed";
        let summaries = [
            "Foreign Ministers met in Seoul.",
            "Foreign Ministers met in…",
            "Foreign Ministers met in Seoul. 외교장관은…",
            "Foreign Minister",
            "Foreign Ministers met in Seoul. 외교장관",
            "Foreign Ministers met in Seoul. 외교장관은 오늘 회담을 가졌다. Ministers agreed",
            "Ministers met",
            "",
            "…",
        ];
        for summary in summaries {
            let mut doc = doc("Ministers meet", text);
            doc.summary = summary.into();
            doc.topics = vec!["Diplomacy".into()];
            assert_eq!(counted(&doc), counted_plainly(&doc), "{summary:?}");
        }
        assert_eq!(summary_end("Foreign Ministers met in…", text), Some(24));
        assert_eq!(
            summary_end("Foreign Minister", text),
            None,
            "ends inside a word"
        );
    }

    #[test]
    fn snippets_are_cut_at_the_limit_in_characters_not_bytes() {
        let korean = "외".repeat(TEXT_MAX_CHARS + 1);
        assert_eq!(snippet_text(&korean).chars().count(), TEXT_MAX_CHARS);
        let at_limit = "가".repeat(TEXT_MAX_CHARS);
        assert_eq!(snippet_text(&at_limit), at_limit);
        let ascii = "a".repeat(TEXT_MAX_CHARS);
        assert_eq!(snippet_text(&ascii), ascii);
        assert_eq!(snippet_text(&format!("{ascii}b")), ascii);
    }

    #[test]
    fn a_document_file_is_what_serde_json_writes_of_its_fields() {
        #[derive(Serialize)]
        struct Expected<'a> {
            title: &'a str,
            url: &'a str,
            date: &'a str,
            datetime: &'a str,
            section: &'a str,
            summary: &'a str,
            text: &'a str,
        }
        let mut doc = doc("\"Outcome\" of the\tmeeting", &"외교부 é \\ ".repeat(700));
        doc.url = "/en/press/a/".into();
        doc.date = "12 February 2022".into();
        doc.datetime = "2022-02-12T15:00:00-10:00".into();
        doc.section = "Press Releases".into();
        doc.summary = "Line\nbreak".into();
        let cut: String = doc.text.chars().take(TEXT_MAX_CHARS).collect();
        let expected = Expected {
            title: &doc.title,
            url: &doc.url,
            date: &doc.date,
            datetime: &doc.datetime,
            section: &doc.section,
            summary: &doc.summary,
            text: &cut,
        };
        let file = doc_file("search/en/", 0, &doc);
        assert_eq!(file.path, "search/en/docs/0.json");
        assert_eq!(
            String::from_utf8(file.bytes).unwrap(),
            serde_json::to_string(&expected).unwrap()
        );
    }

    #[test]
    fn a_shard_is_what_serde_json_writes_of_its_delta_coded_lists() {
        let lists: [&[(u32, u32)]; 4] = [
            &[(0, 7)],
            &[(2, 130), (3, 1), (4_000_000, 99)],
            &[],
            &[(5, 0)],
        ];
        let terms = ["외교", "a\"b\\c\n", "minister", "\u{1}é"];
        for count in 0..=terms.len() {
            let shard: Vec<ShardEntry<'_>> = terms[..count].iter().copied().zip(lists).collect();
            let expected: BTreeMap<&str, Vec<u32>> = shard
                .iter()
                .map(|&(term, list)| {
                    let mut previous = 0;
                    let flat = list.iter().flat_map(|&(doc, weight)| {
                        let delta = doc - previous;
                        previous = doc;
                        [delta, weight]
                    });
                    (term, flat.collect())
                })
                .collect();
            let mut sorted = shard.clone();
            sorted.sort_by_key(|&(term, _)| term);
            assert_eq!(
                String::from_utf8(shard_json(&sorted)).unwrap(),
                serde_json::to_string(&expected).unwrap()
            );
        }
    }

    #[test]
    fn files_hold_a_manifest_shards_with_delta_coded_postings_and_docs() {
        let docs = [doc("외교부", "외교부는"), doc("x", "외교부가")];
        let index = SearchIndex::build(&docs);
        let files = index.files("search/ko/", &docs);
        let paths: Vec<_> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "search/ko/index.json",
                "search/ko/shard-0.json",
                "search/ko/docs/0.json",
                "search/ko/docs/1.json"
            ]
        );
        let shard: BTreeMap<String, Vec<u32>> = serde_json::from_slice(&files[1].bytes).unwrap();
        let postings = &shard["외교"];
        assert_eq!((postings[0], postings[2]), (0, 1), "doc 0, then doc 0 + 1");
    }
}
