//! The search index of one language: BM25 weights computed at build time, postings split into
//! shards by a hash of the term (so a query fetches only the shards of its own terms), and one
//! small file per release with what a result shows (title, date, section, text for snippets).
//!
//! Files under `search/<lang>/`: `index.json` (`{"version", "docs", "shards", "stamp"}`),
//! `shard-<n>.json` (`{"term": [doc, weight, doc-delta, weight, ...]}`, documents in
//! ascending order, weight = BM25 × 100 rounded) and `docs/<doc>.json`.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher as _, Hash as _, Hasher as _};

use serde::ser::{Serialize, SerializeSeq as _, Serializer};

use rayon::prelude::*;

use super::tokenize::{for_each_term, term_hash, tokenize};
use crate::output::OutputFile;

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
#[derive(Debug, Clone, serde::Serialize)]
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
    /// The body as plain text; its file holds the part kept for snippets.
    #[serde(serialize_with = "serialize_snippet")]
    pub text: String,
}

/// A language's index in memory: per term, its documents and their weights.
#[derive(Debug, Default)]
pub struct SearchIndex {
    pub postings: BTreeMap<String, Vec<(u32, u32)>>,
    pub doc_count: usize,
}

#[derive(serde::Serialize)]
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
        let manifest = Manifest {
            version: FORMAT_VERSION,
            docs: self.doc_count,
            shards: shard_count,
            stamp: format!("{:016x}", stamp(&files)),
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

/// Hashes terms for the index's maps: indexing looks up every term of every release twice.
/// Terms come from the ministry's own releases, so the hash need not resist chosen collisions;
/// what the index holds does not depend on it.
type TermMap<V> = HashMap<String, V, foldhash::fast::RandomState>;

#[derive(Default)]
struct Postings {
    /// Per term, its documents and weighted counts.
    by_term: TermMap<Vec<(u32, u32)>>,
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
                    .map_init(TermMap::default, |counts, (i, doc)| {
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
            postings: by_term.into_iter().collect(),
            doc_count: lengths.len(),
        }
    }
}

/// A document's terms with their weighted counts, and its weighted length.
struct DocTerms {
    counts: Vec<(String, u32)>,
    length: u32,
}

/// Count the terms of one document, in `tf` (empty, and left empty).
fn count_terms(doc: &SearchDoc, tf: &mut TermMap<u32>) -> DocTerms {
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
            match tf.get_mut(term) {
                Some(count) => *count += weight,
                None => {
                    tf.insert(term.to_string(), weight);
                }
            }
            length += weight;
        });
    }
    DocTerms {
        counts: tf.drain().collect(),
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
/// `SearchDoc` in their order, the text cut for snippets.
pub fn doc_file(dir: &str, number: usize, doc: &SearchDoc) -> OutputFile {
    // The values, and room for the names, quotes and commas and a few escapes: the file in
    // one block of about its size, as the files of a language wait in memory for its shards.
    let size = doc.title.len()
        + doc.url.len()
        + doc.date.len()
        + doc.datetime.len()
        + doc.section.len()
        + doc.summary.len()
        + snippet_text(&doc.text).len()
        + 128;
    OutputFile {
        path: format!("{dir}docs/{number}.json"),
        bytes: json_bytes(size, doc),
    }
}

/// The text of a document's file: [`snippet_text`].
fn serialize_snippet<S: Serializer>(text: &str, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(snippet_text(text))
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

/// A shard: `{"term":[doc,weight,doc-delta,weight,...],...}`, with the terms in the order given.
struct Shard<'a>(&'a [ShardEntry<'a>]);

impl Serialize for Shard<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|&(term, list)| (term, DeltaCoded(list))))
    }
}

/// Postings as a flat list, each document as the difference from the one before.
struct DeltaCoded<'a>(&'a [(u32, u32)]);

impl Serialize for DeltaCoded<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut list = serializer.serialize_seq(Some(self.0.len() * 2))?;
        let mut previous = 0;
        for &(doc, weight) in self.0 {
            list.serialize_element(&(doc - previous))?;
            list.serialize_element(&weight)?;
            previous = doc;
        }
        list.end()
    }
}

fn shard_json(terms: &[ShardEntry<'_>]) -> Vec<u8> {
    let postings: usize = terms.iter().map(|(_, list)| list.len()).sum();
    json_bytes(2 + terms.len() * 12 + postings * 8, &Shard(terms))
}

/// `value` as JSON, in a buffer of `size` bytes to start with.
fn json_bytes(size: usize, value: &impl Serialize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(size);
    serde_json::to_writer(&mut bytes, value).expect("plain data serializes");
    bytes
}

fn json_file(path: String, value: &impl Serialize) -> OutputFile {
    OutputFile {
        path,
        bytes: serde_json::to_vec(value).expect("plain data serializes"),
    }
}

/// A hash of every file's path and bytes, the same on every build of the same files.
fn stamp(files: &[OutputFile]) -> u64 {
    let mut hasher = foldhash::quality::FixedState::with_seed(0).build_hasher();
    for file in files {
        file.path.hash(&mut hasher);
        file.bytes.hash(&mut hasher);
    }
    hasher.finish()
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
        let terms = count_terms(doc, &mut TermMap::default());
        (terms.counts.into_iter().collect(), terms.length)
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
    fn a_document_file_holds_what_a_result_shows_with_the_text_cut() {
        let mut doc = doc("\"Outcome\" of the\tmeeting", &"외교부 é \\ ".repeat(700));
        doc.url = "/en/press/a/".into();
        doc.date = "12 February 2022".into();
        doc.datetime = "2022-02-12T15:00:00-10:00".into();
        doc.section = "Press Releases".into();
        doc.summary = "Line\nbreak".into();
        doc.topics = vec!["Diplomacy".into()];
        let file = doc_file("search/en/", 0, &doc);
        assert_eq!(file.path, "search/en/docs/0.json");
        // Read in the file's order.
        let read: indexmap::IndexMap<String, String> = serde_json::from_slice(&file.bytes).unwrap();
        let cut: String = doc.text.chars().take(TEXT_MAX_CHARS).collect();
        let expected = [
            ("title", doc.title.as_str()),
            ("url", &doc.url),
            ("date", &doc.date),
            ("datetime", &doc.datetime),
            ("section", &doc.section),
            ("summary", &doc.summary),
            ("text", &cut),
        ];
        let read: Vec<(&str, &str)> = read
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        assert_eq!(read, expected);
    }

    #[test]
    fn a_shard_reads_back_as_delta_coded_lists_of_its_terms() {
        let lists: [&[(u32, u32)]; 4] = [
            &[(0, 7)],
            &[(2, 130), (3, 1), (4_000_000, 99)],
            &[],
            &[(5, 0)],
        ];
        let terms = ["외교", "a\"b\\c\n", "minister", "\u{1}é"];
        let shard: Vec<ShardEntry<'_>> = terms.iter().copied().zip(lists).collect();
        let read: BTreeMap<String, Vec<u32>> = serde_json::from_slice(&shard_json(&shard)).unwrap();
        let expected = BTreeMap::from([
            ("외교".to_string(), vec![0, 7]),
            ("a\"b\\c\n".to_string(), vec![2, 130, 1, 1, 3_999_997, 99]),
            ("minister".to_string(), vec![]),
            ("\u{1}é".to_string(), vec![5, 0]),
        ]);
        assert_eq!(read, expected);
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
