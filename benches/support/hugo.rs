//! The same corpus built by Hugo (when `hugo` is installed), with layouts that make the same
//! pages: releases with translations and hreflang, sections and topics paginated by 20, feeds.
#![allow(dead_code)]

use std::path::Path;

use super::measure::run_measured;

pub struct HugoRun {
    pub wall: f64,
    pub peak_mb: f64,
    pub pages: usize,
}

const BASEOF: &str = r##"<!DOCTYPE html>
<html lang="{{ .Language.Lang }}"><head><meta charset="utf-8"><title>{{ .Title }} | {{ .Site.Title }}</title>
{{ range .AllTranslations }}<link rel="alternate" hreflang="{{ .Language.Lang }}" href="{{ .Permalink }}">{{ end }}
</head><body><a href="#main">Skip</a><nav>{{ range .Site.Sections }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
<nav>{{ range .Translations }}<a href="{{ .RelPermalink }}" hreflang="{{ .Language.Lang }}">{{ .Language.LanguageName }}</a>{{ end }}</nav>
<main id="main">{{ block "main" . }}{{ end }}</main></body></html>
"##;
const SINGLE: &str = r##"{{ define "main" }}<article><h1>{{ .Title }}</h1><time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "January 2, 2006" }}</time>
{{ with .Params.place }}<p>{{ . }}</p>{{ end }}{{ range .GetTerms "topics" }}<a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ end }}
{{ .Content }}</article>{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}{{ end }}
"##;
const LIST: &str = r##"{{ define "main" }}<h1>{{ .Title }}</h1><ol>{{ range .Paginator.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time><p>{{ .Summary }}</p></li>{{ end }}</ol>
{{ template "_internal/pagination.html" . }}{{ end }}
"##;
const TERMS: &str = r##"{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.ByCount }}<li><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>{{ end }}
"##;

/// Build the corpus at `site` with Hugo into `work`; `None` when Hugo is not installed.
pub fn build(site: &Path, work: &Path) -> Option<HugoRun> {
    let hugo = std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join("hugo"))
        .find(|p| p.exists())?;
    let _ = std::fs::remove_dir_all(work);
    let layouts = work.join("layouts/_default");
    std::fs::create_dir_all(&layouts).unwrap();
    for (name, text) in [
        ("baseof.html", BASEOF),
        ("single.html", SINGLE),
        ("list.html", LIST),
        ("terms.html", TERMS),
    ] {
        std::fs::write(layouts.join(name), text).unwrap();
    }
    let content = site.join("content");
    let config = format!(
        "baseURL = \"https://www.mofa.example/\"\ndefaultContentLanguage = \"ko\"\ndefaultContentLanguageInSubdir = true\n\
         paginate = 20\ntimeZone = \"Asia/Seoul\"\n[taxonomies]\ntopic = \"topics\"\n\
         [languages.ko]\ncontentDir = \"{ko}\"\nlanguageName = \"한국어\"\ntitle = \"외교부\"\nweight = 1\n\
         [languages.en]\ncontentDir = \"{en}\"\nlanguageName = \"English\"\ntitle = \"Ministry of Foreign Affairs\"\nweight = 2\n",
        ko = content.join("ko").display(),
        en = content.join("en").display()
    );
    std::fs::write(work.join("hugo.toml"), config).unwrap();
    let output = work.join("public");
    let args = ["--quiet", "--destination", output.to_str().unwrap()];
    let run = run_measured(&hugo, &args, work);
    if !run.success {
        eprintln!("hugo failed: {}", run.stderr);
        return None;
    }
    let pages = walkdir::WalkDir::new(&output)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .count();
    let _ = std::fs::remove_dir_all(work);
    Some(HugoRun {
        wall: run.wall,
        peak_mb: run.peak_mb,
        pages,
    })
}
