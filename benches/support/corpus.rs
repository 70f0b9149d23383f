//! A deterministic synthetic ministry archive for benchmarks: `n` releases per language in
//! Korean and English, spread over sections and topics, with some releases in one language only.
#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::Path;

pub const SECTIONS: [&str; 3] = ["press-releases", "briefings", "speeches"];
pub const TOPICS: [(&str, &str, &str); 8] = [
    ("dprk", "북한", "North Korea"),
    ("rok-us-alliance", "한미동맹", "ROK-U.S. Alliance"),
    ("climate", "기후변화", "Climate Change"),
    ("ukraine", "우크라이나", "Ukraine"),
    ("economic-security", "경제안보", "Economic Security"),
    ("consular", "재외국민 보호", "Consular Affairs"),
    ("development", "개발협력", "Development Cooperation"),
    ("trade", "통상", "Trade"),
];

const KO_SENTENCES: [&str; 8] = [
    "외교부는 양국 간 협력을 강화하기 위한 방안을 논의하였다고 밝혔다.",
    "양 장관은 한반도의 완전한 비핵화를 위해 긴밀히 공조해 나가기로 하였다.",
    "정부는 현지 우리 국민의 안전 확보를 위해 필요한 조치를 취하고 있다.",
    "이번 회의에서 참석자들은 기후변화 대응 재원 마련에 대해 의견을 교환하였다.",
    "외교부 대변인은 정례브리핑에서 관련 질문에 답변하였다.",
    "양측은 공급망 안정과 경제안보 협력을 확대하기로 합의하였다.",
    "장관은 국제사회의 인도적 지원 노력에 적극 동참하겠다는 입장을 표명하였다.",
    "회담 결과는 공동성명으로 발표되었으며 후속 조치를 협의해 나갈 예정이다.",
];
const EN_SENTENCES: [&str; 8] = [
    "The Ministry said the two sides discussed ways to strengthen bilateral cooperation.",
    "The ministers agreed to coordinate closely toward the complete denuclearization of the Korean Peninsula.",
    "The government is taking every measure needed to ensure the safety of Korean nationals in the region.",
    "Participants exchanged views on financing for climate action at the meeting.",
    "The spokesperson answered questions on the matter at the regular briefing.",
    "The two sides agreed to expand cooperation on supply chains and economic security.",
    "The minister expressed the government's commitment to join international humanitarian efforts.",
    "The outcome of the talks was announced in a joint statement, and follow-up measures will be discussed.",
];

/// A small deterministic generator (xorshift), so every run builds the same corpus.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Write a site with `releases` releases per language (about one in twenty is Korean-only or
/// English-only) under `root`, replacing what was there. Returns the number of release files.
pub fn generate(root: &Path, releases: usize) -> usize {
    let _ = std::fs::remove_dir_all(root);
    std::fs::create_dir_all(root).unwrap();
    let mut config = String::from(
        "base_url = \"https://www.mofa.example/\"\ndefault_language = \"ko\"\ntimezone = \"Asia/Seoul\"\nper_page = 20\n\n\
         [languages.ko]\nname = \"한국어\"\ntitle = \"외교부\"\n\n[languages.en]\nname = \"English\"\ntitle = \"Ministry of Foreign Affairs\"\n",
    );
    for (key, ko, en) in TOPICS {
        write!(config, "\n[topics.{key}]\nko = \"{ko}\"\nen = \"{en}\"\n").unwrap();
    }
    std::fs::write(root.join("config.toml"), config).unwrap();
    let mut rng = Rng::new(0x5eed + releases as u64);
    let mut files = 0;
    for i in 0..releases {
        let section = SECTIONS[rng.below(SECTIONS.len())];
        let year = 2000 + (i * 25 / releases.max(1));
        let (month, day, hour) = (1 + rng.below(12), 1 + rng.below(28), 8 + rng.below(10));
        let name = format!("{year}/release-{i:06}");
        let topics: Vec<&str> = (0..1 + rng.below(3))
            .map(|_| TOPICS[rng.below(TOPICS.len())].0)
            .collect();
        let topics = format!(
            "[{}]",
            topics
                .iter()
                .map(|t| format!("\"{t}\""))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let date = format!("{year}-{month:02}-{day:02}T{hour:02}:00:00+09:00");
        let languages: &[&str] = match rng.below(40) {
            0 => &["ko"],
            1 => &["en"],
            _ => &["ko", "en"],
        };
        let paragraphs = 3 + rng.below(5);
        let seed = rng.next();
        for lang in languages {
            let (sentences, title) = if *lang == "ko" {
                (
                    &KO_SENTENCES,
                    format!("외교부 보도자료 제{i}호: 양국 협력 강화 논의"),
                )
            } else {
                (
                    &EN_SENTENCES,
                    format!("Ministry release no. {i}: talks on stronger cooperation"),
                )
            };
            let mut body = String::new();
            let mut pick = Rng::new(seed);
            for p in 1..=paragraphs {
                write!(body, "{p}. {}\n\n", sentences[pick.below(8)]).unwrap();
                for _ in 0..2 {
                    writeln!(
                        body,
                        "   - {} {}",
                        sentences[pick.below(8)],
                        sentences[pick.below(8)]
                    )
                    .unwrap();
                }
                body.push('\n');
            }
            let path = root
                .join("content")
                .join(lang)
                .join(section)
                .join(format!("{name}.md"));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            let text = format!(
                "+++\ntitle = \"{title}\"\ndate = {date}\ntopics = {topics}\nplace = \"Seoul\"\nnumber = \"{:02}-{i:04}\"\n+++\n{body}",
                year % 100
            );
            std::fs::write(path, text).unwrap();
            files += 1;
        }
    }
    files
}

/// A fresh folder for a benchmark's corpora and output: on tmpfs when the machine has it, as
/// the targets are measured there.
pub fn scratch_dir(name: &str) -> std::path::PathBuf {
    let base = Path::new("/dev/shm");
    let base = if base.is_dir() {
        base.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The corpus sizes to measure: COMMUNIQUE_BENCH_SIZES (`1000,10000`), else `default`.
pub fn bench_sizes(default: &str) -> Vec<usize> {
    std::env::var("COMMUNIQUE_BENCH_SIZES")
        .unwrap_or_else(|_| default.into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}
