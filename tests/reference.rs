//! The interface as committed: man pages (man/, man/zh_CN/) and the full help reference
//! (docs/cli-reference.md, docs/cli-reference.zh.md) are generated from the command definition,
//! and these tests fail when the committed copies drift (regenerate with
//! `EIP_UPDATE_REFERENCE=1 cargo test --test reference`).

use std::path::Path;

use eip::i18n::Lang;

fn update() -> bool {
    std::env::var_os("EIP_UPDATE_REFERENCE").is_some()
}

/// The pages in `dir` are exactly `pages` (regenerated first with EIP_UPDATE_REFERENCE).
fn check_man_pages(dir: &Path, pages: &[(String, Vec<u8>)]) {
    let shown = dir.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(dir).display().to_string();
    assert!(pages.len() > 10, "a page for every command");
    if update() {
        std::fs::create_dir_all(dir).unwrap();
        for entry in std::fs::read_dir(dir).unwrap() {
            let p = entry.unwrap().path();
            if p.extension().is_some_and(|e| e == "1") {
                std::fs::remove_file(p).unwrap();
            }
        }
        for (name, bytes) in pages {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
    }
    for (name, bytes) in pages {
        let committed =
            std::fs::read(dir.join(name)).unwrap_or_else(|_| panic!("{shown}/{name} is missing: regenerate"));
        assert!(
            committed == *bytes,
            "{shown}/{name} is out of date: run EIP_UPDATE_REFERENCE=1 cargo test --test reference"
        );
    }
    let committed: usize = std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "1"))
        .count();
    assert_eq!(committed, pages.len(), "{shown}/ holds pages for commands that no longer exist");
}

#[test]
fn man_pages_match_the_command_definition() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man");
    check_man_pages(&dir, &eip::cmd::man_pages(Lang::En).unwrap());
}

#[test]
fn chinese_man_pages_match_the_command_definition() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("man/zh_CN");
    check_man_pages(&dir, &eip::cmd::man_pages(Lang::Zh).unwrap());
}

fn check_reference(file: &str, lang: Lang) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let now = eip::cmd::help_reference(lang);
    if update() {
        std::fs::write(&path, &now).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("{file} exists"));
    assert!(committed == now, "{file} is out of date: run EIP_UPDATE_REFERENCE=1 cargo test --test reference");
}

#[test]
fn help_reference_matches_the_command_definition() {
    check_reference("docs/cli-reference.md", Lang::En);
}

#[test]
fn chinese_help_reference_matches_the_command_definition() {
    check_reference("docs/cli-reference.zh.md", Lang::Zh);
}

#[test]
fn every_catalogue_key_used_in_the_source_exists_in_both_languages() {
    let catalog: std::collections::HashMap<&str, (&str, &str)> =
        eip::i18n::CATALOG.iter().map(|(k, en, zh)| (*k, (*en, *zh))).collect();
    assert_eq!(catalog.len(), eip::i18n::CATALOG.len(), "no key twice");
    for (k, (en, zh)) in &catalog {
        assert!(!en.is_empty() && !zh.is_empty(), "{k} has an empty text");
        let holes = |s: &str| -> std::collections::BTreeSet<String> {
            s.split('{').skip(1).filter_map(|p| p.split_once('}').map(|(h, _)| h.to_string())).collect()
        };
        assert_eq!(holes(en), holes(zh), "{k}: English and Chinese name different placeholders");
    }
    // Every t("…") / tf("…") and header key ("col.…") in the source.
    let mut missing = Vec::new();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![src];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            for (i, _) in text.match_indices('"') {
                let rest = &text[i + 1..];
                let Some(end) = rest.find('"') else { continue };
                let key = &rest[..end];
                let before = &text[..i];
                let call = |f: &str| {
                    before.ends_with(f)
                        && !before[..before.len() - f.len()]
                            .ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.')
                };
                let used_as_key = call("t(") || call("tf(") || (key.starts_with("col.") && !key.contains(' '));
                if used_as_key && !catalog.contains_key(key) && !p.ends_with("i18n.rs") {
                    missing.push(format!("{}: {key}", p.display()));
                }
            }
        }
    }
    assert!(missing.is_empty(), "catalogue keys used but missing:\n{}", missing.join("\n"));
}
