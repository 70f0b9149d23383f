//! Benchmark of the search index: builds deterministic synthetic bilingual sites of 1,000 and
//! 10,000 releases (per language), then reports the index build time, the total size of the
//! index, and what a query downloads (manifest + the shards of its terms + the documents of the
//! first page of results). Run with `cargo bench --bench search_index`; the figures are in
//! benches/README.md.
#![allow(clippy::print_stdout)]

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use communique::Urls;
use communique::search::tokenize::tokenize;
use communique::search::{self, SearchIndex};

/// The allocator of the `communique` binary (`src/main.rs`), so that this in-process
/// benchmark times what `communique` runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Results on the first page, as search.js shows them.
const PAGE_SIZE: usize = 10;

/// xorshift64*: the same corpus on every run and machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// A vocabulary drawn with Zipf's law: real words first (the most frequent), then made-up ones.
struct Vocabulary {
    words: Vec<String>,
    cumulative: Vec<f64>,
}

impl Vocabulary {
    fn new(real: &[&str], made_up: impl Iterator<Item = String>) -> Self {
        let words: Vec<String> = real.iter().map(|w| w.to_string()).chain(made_up).collect();
        let mut total = 0.0;
        let cumulative = (1..=words.len())
            .map(|rank| {
                total += 1.0 / rank as f64;
                total
            })
            .collect();
        Vocabulary { words, cumulative }
    }
    fn pick(&self, rng: &mut Rng) -> &str {
        let total = *self.cumulative.last().unwrap();
        let x = (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * total;
        let i = self.cumulative.partition_point(|&c| c < x);
        &self.words[i.min(self.words.len() - 1)]
    }
}

const KO_WORDS: &[&str] = &[
    "정부",
    "외교부",
    "장관",
    "협력",
    "회담",
    "양국",
    "대변인",
    "발표",
    "국제",
    "지역",
    "북한",
    "미사일",
    "평화",
    "안보",
    "경제",
    "기후변화",
    "한미",
    "동맹",
    "대통령",
    "회의",
    "개발",
    "지원",
    "협의",
    "성명",
    "대사",
    "공동",
    "국민",
    "안전",
    "문화",
    "교류",
];
const KO_SYLLABLES: &str = "가간갈감강개거건결경고공과관광교구국군권규균극근금기김나남내녀년노농다단달담당대덕도독동두라란래략량력련령로록료류리림마만매면명모목무문물미민바박반발방배백번범법변병보복본부북분비사산상생서석선설성세소속손송수순술시식신실심아안애야약양어언업여역연열영예오온완왕외요용우운원위유육윤은음응의이인일임자작장재전점정제조족종주준중지직진질집차착참창책처천철청체초촌총최추축춘출충치친태택토통투특파판평포표품피하학한할함합항해핵행향허현협형호화확환회효후훈휘흥희";
const KO_PARTICLES: &[&str] = &[
    "",
    "",
    "",
    "은",
    "는",
    "이",
    "가",
    "을",
    "를",
    "의",
    "에",
    "에서",
    "과",
    "와",
    "으로",
    "로",
    "도",
    "에게",
    "하였다",
    "했다",
    "하기로",
    "할",
];
const EN_WORDS: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "minister",
    "ministers",
    "foreign",
    "government",
    "cooperation",
    "meeting",
    "meetings",
    "korea",
    "republic",
    "international",
    "security",
    "peace",
    "economic",
    "climate",
    "change",
    "agreed",
    "discussed",
    "regional",
    "development",
    "summit",
    "statement",
    "spokesperson",
    "nuclear",
    "missile",
    "alliance",
    "support",
    "countries",
    "policy",
    "policies",
    "held",
    "talks",
    "bilateral",
    "trade",
    "partnership",
    "ambassador",
    "relations",
];
const EN_ONSETS: [&str; 16] = [
    "b", "c", "d", "f", "g", "h", "l", "m", "n", "p", "r", "s", "t", "v", "pr", "st",
];
const EN_VOWELS: [&str; 6] = ["a", "e", "i", "o", "u", "ea"];
const EN_ENDINGS: [&str; 8] = ["", "", "s", "ed", "ing", "tion", "al", "er"];

fn korean_vocabulary(rng: &mut Rng, size: usize) -> Vocabulary {
    let syllables: Vec<char> = KO_SYLLABLES.chars().collect();
    let made_up: Vec<String> = (0..size)
        .map(|_| {
            let length = 2 + rng.below(3);
            (0..length)
                .map(|_| syllables[rng.below(syllables.len())])
                .collect()
        })
        .collect();
    Vocabulary::new(KO_WORDS, made_up.into_iter())
}

fn english_vocabulary(rng: &mut Rng, size: usize) -> Vocabulary {
    let made_up: Vec<String> = (0..size)
        .map(|_| {
            let mut word = String::new();
            for _ in 0..2 + rng.below(2) {
                word.push_str(EN_ONSETS[rng.below(EN_ONSETS.len())]);
                word.push_str(EN_VOWELS[rng.below(EN_VOWELS.len())]);
            }
            word.push_str(EN_ENDINGS[rng.below(EN_ENDINGS.len())]);
            word
        })
        .collect();
    Vocabulary::new(EN_WORDS, made_up.into_iter())
}

fn sentence(rng: &mut Rng, vocabulary: &Vocabulary, korean: bool, words: usize) -> String {
    let mut text = String::new();
    for i in 0..words {
        if i > 0 {
            text.push(' ');
        }
        text.push_str(vocabulary.pick(rng));
        if korean {
            text.push_str(KO_PARTICLES[rng.below(KO_PARTICLES.len())]);
        }
    }
    text.push('.');
    text
}

const SECTIONS: [&str; 3] = ["press-releases", "briefings", "speeches"];
const TOPICS: [(&str, &str, &str); 5] = [
    ("dprk", "북한", "North Korea"),
    ("climate", "기후변화", "Climate Change"),
    ("alliance", "한미동맹", "ROK-U.S. Alliance"),
    ("economy", "경제외교", "Economic Diplomacy"),
    ("pacific", "태평양 도서국", "Pacific Islands"),
];

/// Write a site of `releases` releases per language under `root`.
fn write_site(root: &Path, releases: usize) {
    let mut config = String::from(
        "base_url = \"https://www.mofa.example/\"\ndefault_language = \"ko\"\ntimezone = \"Asia/Seoul\"\n\
         [languages.ko]\nname = \"한국어\"\ntitle = \"외교부\"\n[languages.en]\nname = \"English\"\n\
         title = \"Ministry of Foreign Affairs\"\n",
    );
    for (key, ko, en) in TOPICS {
        writeln!(config, "[topics.{key}]\nko = \"{ko}\"\nen = \"{en}\"").unwrap();
    }
    std::fs::write(root.join("config.toml"), config).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let ko = korean_vocabulary(&mut rng, 20_000);
    let en = english_vocabulary(&mut rng, 20_000);
    let start = jiff::civil::date(2010, 1, 1);
    for i in 0..releases {
        let section = SECTIONS[i % SECTIONS.len()];
        let date = start
            .checked_add(jiff::Span::new().days(i as i64 * 7 / 24))
            .unwrap();
        let topics: Vec<String> = (0..rng.below(3))
            .map(|_| format!("\"{}\"", TOPICS[rng.below(TOPICS.len())].0))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        for (lang, vocabulary, korean) in [("ko", &ko, true), ("en", &en, false)] {
            let dir = root.join("content").join(lang).join(section);
            std::fs::create_dir_all(&dir).unwrap();
            let words = 5 + rng.below(6);
            let title = sentence(&mut rng, vocabulary, korean, words);
            let mut body = String::new();
            // A ministry release: 3 to 7 numbered paragraphs of 40 to 100 words.
            for n in 1..=3 + rng.below(5) {
                let words = 40 + rng.below(61);
                let paragraph = sentence(&mut rng, vocabulary, korean, words);
                writeln!(body, "{n}. {paragraph}\n").unwrap();
            }
            let text = format!(
                "+++\ntitle = \"{}\"\ndate = {}T09:00:00\ntopics = [{}]\n+++\n{body}",
                title.trim_end_matches('.'),
                date,
                topics.join(", ")
            );
            std::fs::write(dir.join(format!("r{i}.md")), text).unwrap();
        }
    }
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

fn run(releases: usize) {
    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path(), releases);
    let site = communique::load(dir.path(), &Default::default()).expect("synthetic site loads");
    let urls = Urls::new(&site);
    println!("\n## {releases} releases per language (Korean and English)");

    let started = Instant::now();
    let all = search::output_files(&site, &urls);
    let build_time = started.elapsed();
    let total: usize = all.iter().map(|f| f.bytes.len()).sum();
    println!(
        "index build (both languages, {} files): {:.2} s; total size {}",
        all.len(),
        build_time.as_secs_f64(),
        kb(total)
    );

    let queries: [(&str, &[&str]); 2] = [
        (
            "ko",
            &[
                "외교부",
                "북한 미사일",
                "장관 회담",
                "기후변화 협력",
                "정부는",
                "가나다라",
            ],
        ),
        (
            "en",
            &[
                "minister",
                "foreign ministers meeting",
                "climate change",
                "the government",
                "security cooperation",
                "zebra",
            ],
        ),
    ];
    for (code, texts) in queries {
        let lang = site.config.language_index(code).unwrap();
        let docs = search::documents(&site, &urls, lang);
        let index = SearchIndex::build(&docs);
        let dir = search::index_dir(code);
        let files: HashMap<&str, usize> = all
            .iter()
            .filter(|f| f.path.starts_with(&dir))
            .map(|f| (f.path.as_str(), f.bytes.len()))
            .collect();
        let shard_count = index.shard_count();
        let shard_sizes: Vec<usize> = (0..shard_count)
            .map(|n| files[format!("{dir}shard-{n}.json").as_str()])
            .collect();
        let document_bytes: usize = files
            .iter()
            .filter(|(path, _)| path.contains("/docs/"))
            .map(|(_, size)| size)
            .sum();
        println!(
            "{code}: {} shards, median {}, largest {}, all {}; documents {}; index total {}",
            shard_count,
            kb(median(&shard_sizes)),
            kb(*shard_sizes.iter().max().unwrap()),
            kb(shard_sizes.iter().sum()),
            kb(document_bytes),
            kb(files.values().sum())
        );
        for query in texts {
            let terms: BTreeSet<String> = tokenize(query).into_iter().collect();
            let shards: BTreeSet<usize> = terms
                .iter()
                .map(|t| SearchIndex::shard_of(t, shard_count))
                .collect();
            let hits = index.search(query);
            let manifest = files[format!("{dir}index.json").as_str()];
            let shard_bytes: usize = shards.iter().map(|&n| shard_sizes[n]).sum();
            let doc_bytes: usize = hits
                .iter()
                .take(PAGE_SIZE)
                .map(|(doc, _)| files[format!("{dir}docs/{doc}.json").as_str()])
                .sum();
            println!(
                "  query {query:?}: {} results; downloads {} ({} shards {}, {} documents {})",
                hits.len(),
                kb(manifest + shard_bytes + doc_bytes),
                shards.len(),
                kb(shard_bytes),
                hits.len().min(PAGE_SIZE),
                kb(doc_bytes)
            );
        }
    }
}

fn median(values: &[usize]) -> usize {
    let mut sorted = values.to_vec();
    sorted.sort_unstable();
    sorted[sorted.len() / 2]
}

fn main() {
    println!("# communique search index benchmark");
    for releases in [1_000, 10_000] {
        run(releases);
    }
}
