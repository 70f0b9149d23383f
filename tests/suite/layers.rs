//! The layers stay one-way (ARCHITECTURE.md): no two modules of `src/` import each other,
//! a parent and its child included. Read from the source: every `crate::` and `super::` path
//! outside comments and `#[cfg(test)]` modules is an edge from the module that writes it to
//! the module it names, taken where their paths part; a parent naming its child (`views::X`)
//! is an edge too.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Module = Vec<String>;

/// Every module of the crate, by its path (`render/views` is `["render", "views"]`), with its
/// source; `lib.rs` and `main.rs` are the root, `[]`.
fn modules() -> BTreeMap<Module, String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut modules = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&src) {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let relative = path.strip_prefix(&src).unwrap().with_extension("");
        let mut module: Module = relative
            .iter()
            .map(|c| c.to_string_lossy().into_owned())
            .collect();
        if module.last().is_some_and(|m| m == "mod") || module == ["lib"] || module == ["main"] {
            module.pop();
        }
        let text = std::fs::read_to_string(path).unwrap();
        modules
            .entry(module)
            .or_insert_with(String::new)
            .push_str(&code_of(&text));
    }
    modules
}

/// The text without comments and without the test module, which may use its parent freely.
fn code_of(text: &str) -> String {
    // `#[cfg(test)]` or `#[cfg(all(test, unix))]` on the line before.
    let test_module = text.match_indices("\nmod tests {").find(|&(at, _)| {
        let attribute = text[..at].lines().last().unwrap_or("");
        attribute.starts_with("#[cfg(") && attribute.contains("test")
    });
    let text = match test_module {
        Some((at, _)) => &text[..at],
        None => text,
    };
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// The paths written in `code` that start with `crate` or `super`, or with a name in `first`,
/// braces of `use` expanded (`use super::{a, b::C}` gives `super::a` and `super::b::C`).
fn paths(code: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let statement = &rest[at + 4..];
        let end = statement.find(';').unwrap_or(statement.len());
        let compact: String = statement[..end].split_whitespace().collect();
        expand(&compact, &mut paths);
        rest = &statement[end..];
    }
    // Paths written inline (`crate::load::load(...)`, `super::urls::shown(id)`).
    let words: Vec<&str> = code
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .filter(|w| w.contains("::"))
        .collect();
    for word in words {
        paths.push(word.split("::").map(str::to_string).collect());
    }
    // `crate::{a, b}` leaves `crate::` inline: only named segments count.
    for path in &mut paths {
        path.retain(|segment| !segment.is_empty());
    }
    paths
}

fn expand(path: &str, out: &mut Vec<Vec<String>>) {
    let Some(open) = path.find('{') else {
        out.push(path.split("::").map(str::to_string).collect());
        return;
    };
    let (prefix, body) = (&path[..open], &path[open + 1..path.len() - 1]);
    let mut depth = 0;
    let mut start = 0;
    for (i, c) in body.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                expand(&format!("{prefix}{}", &body[start..i]), out);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < body.len() {
        expand(&format!("{prefix}{}", &body[start..]), out);
    }
}

/// The modules that import each other, as pairs.
fn mutual_imports() -> Vec<(String, String)> {
    let modules = modules();
    let is_module = |m: &[String]| modules.contains_key(m);
    let mut edges: BTreeSet<(Module, Module)> = BTreeSet::new();
    for (module, code) in &modules {
        for path in paths(code) {
            let target: Module = match path.first().map(String::as_str) {
                Some("crate") if path.len() > 1 => path[1..].to_vec(),
                Some("super") => {
                    let mut base = module.clone();
                    let mut rest = &path[..];
                    while rest.first().is_some_and(|p| p == "super") {
                        base.pop();
                        rest = &rest[1..];
                    }
                    base.extend(rest.iter().cloned());
                    base
                }
                // A child named from its parent: `views::Shared` in render/mod.rs.
                Some(first) if is_module(&[module.clone(), vec![first.to_string()]].concat()) => {
                    [module.clone(), path.clone()].concat()
                }
                _ => continue,
            };
            let named = (0..=target.len())
                .rev()
                .map(|n| target[..n].to_vec())
                .find(|m| is_module(m))
                .unwrap_or_default();
            let shared = module
                .iter()
                .zip(&named)
                .take_while(|(a, b)| a == b)
                .count();
            let from = module[..(shared + 1).min(module.len())].to_vec();
            let to = named[..(shared + 1).min(named.len())].to_vec();
            if from != to {
                edges.insert((from, to));
            }
        }
    }
    edges
        .iter()
        .filter(|(a, b)| a < b && edges.contains(&(b.clone(), a.clone())))
        .map(|(a, b)| (a.join("/"), b.join("/")))
        .collect()
}

#[test]
fn no_two_modules_import_each_other() {
    assert_eq!(mutual_imports(), Vec::<(String, String)>::new());
}

#[test]
fn the_reader_of_imports_sees_each_kind_of_path() {
    let mut out = Vec::new();
    expand("super::{a,b::{C,D}}", &mut out);
    assert_eq!(
        out,
        [
            vec!["super", "a"],
            vec!["super", "b", "C"],
            vec!["super", "b", "D"]
        ]
    );
    let code = code_of(
        "use crate::x::Y;\n// crate::z::W\nfn f() { crate::load::load(); }\n#[cfg(test)]\nmod tests {\n    use crate::q;\n}\n",
    );
    let found = paths(&code);
    assert!(found.contains(&vec!["crate".into(), "x".into(), "Y".into()]));
    assert!(found.contains(&vec!["crate".into(), "load".into(), "load".into()]));
    assert!(
        !found
            .iter()
            .any(|p| p.contains(&"z".to_string()) || p.contains(&"q".to_string()))
    );
}
