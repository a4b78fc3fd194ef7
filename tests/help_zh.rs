//! Help, usage errors and man pages in both languages (README, "Help in Chinese"): chosen like
//! every message (`--lang`, else LC_ALL/LANG), one definition of the interface (the Chinese words
//! keyed by command and argument, checked against the clap definition both ways), every command
//! with examples that parse, and no help text citing a file users do not have.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::process::Command;

use eip::cmd::help::{command_in, english_texts, shared_key, walk};
use eip::i18n::Lang;

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

/// The real binary with no database, `LANG` as given and `LC_ALL` unset, no `--lang` added.
fn eip(lang_env: &str, args: &[&str]) -> Out {
    eip_with(&[("LANG", lang_env)], args)
}

/// The real binary with no database, `LC_ALL` and `LANG` unset but for `vars`.
fn eip_with(vars: &[(&str, &str)], args: &[&str]) -> Out {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Command::new(env!("CARGO_BIN_EXE_eip"));
    c.env_remove("LC_ALL").env_remove("LANG");
    for (k, v) in vars {
        c.env(k, v);
    }
    let o = c
        .args(args)
        .env("EIP_DB", dir.path().join("none.db"))
        .env("EIP_CONFIG_DIR", dir.path())
        .env_remove("EIP_TOKEN")
        .output()
        .expect("eip runs");
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

fn words(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// An English sentence: at least three words of Latin letters, none of them a code or an option.
fn is_english_sentence(s: &str) -> bool {
    s.split_whitespace()
        .filter(|w| w.len() > 1 && w.chars().all(|c| c.is_ascii_lowercase() || c == ',' || c == ';' || c == '\''))
        .count()
        >= 3
}

/// The English texts shown in `path`'s help: its own, its arguments', its subcommands' abouts.
fn english_of(path: &str) -> Vec<String> {
    let texts = english_texts();
    let global: BTreeSet<String> = texts
        .iter()
        .filter(|(k, _)| k.starts_with("eip --"))
        .map(|(k, _)| k.trim_end_matches(" :long").to_string())
        .collect();
    texts
        .into_iter()
        .filter(|(k, _)| {
            let k = k.trim_end_matches(" :long").trim_end_matches(" :after");
            let rest = k.strip_prefix(path).map(str::trim_start);
            match rest {
                Some("") => true,
                Some(r) if k.len() > path.len() && k.as_bytes()[path.len()] == b' ' => {
                    // an argument of this command, or a direct subcommand's about
                    r.starts_with('-') || r.starts_with('<') || !r.contains(' ')
                }
                _ => global.contains(k),
            }
        })
        .map(|(_, v)| v)
        .filter(|v| is_english_sentence(v))
        .collect()
}

/// What clap says in English, which the Chinese help never shows.
const CLAP_ENGLISH: &[&str] = &[
    "Usage:",
    "Options:",
    "Commands:",
    "Arguments:",
    "Print help",
    "Print version",
    "[default:",
    "[possible values:",
    "[env:",
    "Examples:",
];

#[track_caller]
fn assert_chinese_help(path: &str, help: &str) {
    assert!(help.contains("用法："), "{path}: no 用法：\n{help}");
    assert!(help.contains("示例："), "{path}: no 示例：\n{help}");
    assert!(!help.contains("SPEC") && !help.contains('§'), "{path}: cites the spec\n{help}");
    for e in CLAP_ENGLISH {
        assert!(!help.contains(e), "{path}: clap's English {e:?} in the Chinese help\n{help}");
    }
    let flat = words(help);
    for e in english_of(path) {
        assert!(!flat.contains(&words(&e)), "{path}: an English text in the Chinese help: {e:?}\n{help}");
    }
}

#[test]
fn spec8_help_is_chinese_with_lang_zh() {
    let r = eip("C", &["--lang", "zh", "--help"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("命令："), "{}", r.stdout);
    assert!(r.stdout.contains("选项："), "{}", r.stdout);
    assert!(r.stdout.contains("退出码"), "the exit codes, in Chinese: {}", r.stdout);
    assert!(r.stdout.contains("4008980910"), "the support line: {}", r.stdout);
    assert!(r.stdout.contains("打印帮助"), "clap's own --help, in Chinese: {}", r.stdout);
    assert_chinese_help("eip", &r.stdout);
    // -h too, and `eip help report`.
    let r = eip("C", &["-h", "--lang=zh"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("用法："), "{}", r.stdout);
    let r = eip("C", &["--lang", "zh", "help", "report"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_chinese_help("eip report", &r.stdout);
}

#[test]
fn spec8_help_follows_lang_from_the_environment() {
    let r = eip("zh_CN.UTF-8", &["report", "--help"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("每月填报"), "{}", r.stdout);
    assert_chinese_help("eip report", &r.stdout);
    let r = eip("zh_CN.UTF-8", &["report", "status", "--help"]);
    assert_chinese_help("eip report status", &r.stdout);
    assert!(r.stdout.contains("[可选值：table, csv, tsv, json]"), "{}", r.stdout);
    // LC_ALL wins over LANG, --lang over both.
    let r = eip("C", &["report", "--help"]);
    assert!(r.stdout.contains("Usage:") && r.stdout.contains("Monthly reporting"), "{}", r.stdout);
    let r = eip_with(&[("LC_ALL", "zh_CN.UTF-8"), ("LANG", "C")], &["report", "--help"]);
    assert!(r.stdout.contains("用法："), "{}", r.stdout);
    let r = eip_with(&[("LC_ALL", "en_US.UTF-8"), ("LANG", "zh_CN.UTF-8")], &["report", "--help"]);
    assert!(r.stdout.contains("Usage:"), "{}", r.stdout);
    let r = eip_with(&[("LC_ALL", "zh_CN.UTF-8")], &["report", "--help", "--lang", "en"]);
    assert!(r.stdout.contains("Usage:"), "{}", r.stdout);
}

#[test]
fn spec8_lang_en_stays_english() {
    let r = eip("zh_CN.UTF-8", &["--lang", "en", "report", "status", "--help"]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("Usage: eip report status"), "{}", r.stdout);
    assert!(r.stdout.contains("Progress of each direct child"), "{}", r.stdout);
    assert!(r.stdout.contains("Examples:"), "{}", r.stdout);
    assert!(!r.stdout.contains("用法") && !r.stdout.contains("示例"), "{}", r.stdout);
    let r = eip("zh_CN.UTF-8", &["report", "stauts", "--lang", "en"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("error: unrecognized subcommand 'stauts'"), "{}", r.stderr);
    assert!(r.stderr.contains("a similar subcommand exists: 'status'"), "{}", r.stderr);
}

#[test]
fn spec8_usage_errors_are_chinese_and_exit_2() {
    // An unknown subcommand, with clap's suggestion.
    let r = eip("C", &["--lang", "zh", "report", "stauts"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("错误：无法识别的子命令 'stauts'"), "{}", r.stderr);
    assert!(r.stderr.contains("有相近的子命令：'status'"), "{}", r.stderr);
    assert!(r.stderr.contains("用法：eip report"), "{}", r.stderr);
    assert!(!r.stderr.contains("unrecognized") && !r.stderr.contains("Usage"), "{}", r.stderr);
    // The language from LANG, as for every message.
    let r = eip("zh_CN.UTF-8", &["unit", "frobnicate"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("无法识别的子命令 'frobnicate'"), "{}", r.stderr);
    // A missing required argument.
    let r = eip("zh_CN.UTF-8", &["unit", "add", "130199"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("缺少必需的参数") && r.stderr.contains("--parent <CODE>"), "{}", r.stderr);
    // A value not among the possible ones.
    let r = eip("zh_CN.UTF-8", &["report", "status", "--format", "xml"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("'--format <FORMAT>' 的值 'xml' 无效"), "{}", r.stderr);
    assert!(r.stderr.contains("[可选值：table, csv, tsv, json]"), "{}", r.stderr);
    // An unknown option, with the one meant.
    let r = eip("zh_CN.UTF-8", &["report", "status", "--perod", "2026-11"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("无法识别的参数 '--perod'") && r.stderr.contains("'--period'"), "{}", r.stderr);
    // A malformed value: the value parser's own message, in Chinese too.
    let r = eip("zh_CN.UTF-8", &["report", "calendar", "--period", "2026-13"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("'--period <YYYY-MM>' 的值 '2026-13' 无效"), "{}", r.stderr);
    assert!(has_cjk(r.stderr.split_once("无效").unwrap().1.lines().next().unwrap()), "{}", r.stderr);
    // A language clap refuses: said in the environment's.
    let r = eip("zh_CN.UTF-8", &["--lang", "fr", "whoami"]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("'--lang <LANG>' 的值 'fr' 无效") && r.stderr.contains("[可选值：zh, en]"),
        "{}",
        r.stderr
    );
    // A group without its subcommand shows its help, in Chinese, exit 2.
    let r = eip("zh_CN.UTF-8", &["report"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("用法：") && r.stderr.contains("命令："), "{}", r.stderr);
}

#[test]
fn spec8_every_command_has_chinese_help_at_every_level() {
    let all = walk(&command_in(Lang::En));
    assert!(all.len() > 50, "every command: {}", all.len());
    for (path, _) in &all {
        let mut args: Vec<&str> = path.split(' ').skip(1).collect();
        args.extend(["--lang", "zh", "--help"]);
        let r = eip("C", &args);
        assert_eq!(r.code, 0, "{path}: {}", r.stderr);
        assert_chinese_help(path, &r.stdout);
    }
}

#[test]
fn spec8_the_chinese_words_match_the_command_definition_both_ways() {
    let english: Vec<(String, String)> = english_texts();
    let zh = eip::help_zh::HELP_ZH;
    let mut seen = BTreeSet::new();
    let twice: Vec<&str> = zh.iter().map(|(k, _)| *k).filter(|k| !seen.insert(*k)).collect();
    assert!(twice.is_empty(), "keys given twice: {twice:?}");
    let zh: HashMap<&str, &str> = zh.iter().copied().collect();
    // Each text: its own entry, or the entry its argument shares with other commands', which then
    // stands for one English text only.
    let mut used = BTreeSet::new();
    let mut shared: HashMap<String, BTreeSet<&str>> = HashMap::new();
    let mut missing = Vec::new();
    for (k, v) in &english {
        if zh.contains_key(k.as_str()) {
            used.insert(k.clone());
        } else if let Some(s) = shared_key(k).filter(|s| zh.contains_key(s.as_str())) {
            shared.entry(s.clone()).or_default().insert(v.as_str());
            used.insert(s);
        } else {
            missing.push(format!("    ({k:?}, {v:?}),"));
        }
    }
    assert!(missing.is_empty(), "texts with no Chinese entry in src/help_zh.rs:\n{}", missing.join("\n"));
    for (s, texts) in &shared {
        assert_eq!(
            texts.len(),
            1,
            "{s} stands for different English texts: give each command its own entry: {texts:?}"
        );
    }
    let stale: Vec<&&str> = zh.keys().filter(|k| !used.contains(**k)).collect();
    assert!(stale.is_empty(), "entries in src/help_zh.rs for no command or argument: {stale:?}");
    for (k, v) in &zh {
        assert!(!v.trim().is_empty(), "{k}: empty");
        assert!(!v.contains("SPEC") && !v.contains('§'), "{k} cites the spec");
    }
    for (k, v) in &english {
        assert!(!v.contains("SPEC") && !v.contains('§'), "{k} cites the spec: {v}");
    }
}

/// The words of a shell line, past its redirections, as the shell would split them; one list per
/// command of a pipeline or list.
fn shell_commands(line: &str) -> Vec<Vec<String>> {
    let line = line.replace("\\\n", " ");
    let (mut cmds, mut cur, mut word) = (Vec::new(), Vec::new(), None::<String>);
    let mut chars = line.chars().peekable();
    let mut redirect = false;
    let end_word = |word: &mut Option<String>, cur: &mut Vec<String>, redirect: &mut bool| {
        if let Some(w) = word.take() {
            if *redirect {
                *redirect = false;
            } else {
                cur.push(w);
            }
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    w.push(c);
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => w.extend(chars.next()),
                        c => w.push(c),
                    }
                }
            }
            '\\' => word.get_or_insert_with(String::new).extend(chars.next()),
            ' ' | '\t' => end_word(&mut word, &mut cur, &mut redirect),
            '>' | '<' => {
                end_word(&mut word, &mut cur, &mut redirect);
                redirect = true;
            }
            '|' | ';' => {
                end_word(&mut word, &mut cur, &mut redirect);
                cmds.push(std::mem::take(&mut cur));
            }
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    end_word(&mut word, &mut cur, &mut redirect);
    cmds.push(cur);
    cmds.into_iter()
        .map(|c| {
            c.into_iter().skip_while(|w| w.contains('=') && w.starts_with(|c: char| c.is_ascii_uppercase())).collect()
        })
        .collect()
}

#[test]
fn every_command_has_examples_and_every_example_parses() {
    let all = walk(&command_in(Lang::En));
    let names: BTreeSet<&str> = all.iter().map(|(p, _)| p.as_str()).collect();
    for (path, _) in &all {
        assert!(!eip::cmd::examples::of(path).is_empty(), "{path} has no examples (src/cmd/examples.rs)");
    }
    for (path, examples) in eip::cmd::examples::EXAMPLES {
        assert!(names.contains(path), "examples for {path}, which is no command");
        for e in *examples {
            let runs: Vec<Vec<String>> =
                shell_commands(e).into_iter().filter(|c| c.first().is_some_and(|w| w == "eip")).collect();
            assert!(!runs.is_empty(), "{path}: {e:?} runs no eip");
            for words in runs {
                match command_in(Lang::En).try_get_matches_from(&words) {
                    Ok(_) => {}
                    Err(err) if err.kind() == clap::error::ErrorKind::DisplayHelp => {}
                    Err(err) => panic!("{path}: the example {e:?} does not parse:\n{err}"),
                }
            }
        }
    }
}

#[test]
fn every_man_page_has_examples_in_both_languages() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut counted = 0;
    for (dir, heading, name) in [("man", ".SH EXAMPLES\n", ".SH NAME\n"), ("man/zh_CN", ".SH 示例\n", ".SH 名称\n")]
    {
        let mut pages = 0;
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let p = entry.unwrap().path();
            if p.extension().is_none_or(|e| e != "1") {
                continue;
            }
            pages += 1;
            let page = std::fs::read_to_string(&p).unwrap();
            let (_, examples) = page.split_once(heading).unwrap_or_else(|| panic!("{} has no EXAMPLES", p.display()));
            assert!(
                examples.contains("\n.nf\neip")
                    || examples.contains("\n.nf\nEIP_")
                    || examples.contains("\n.nf\nprintf"),
                "{}: EXAMPLES without an example",
                p.display()
            );
            assert!(page.contains(name), "{}: its sections are not in its language", p.display());
            assert!(!page.contains("SPEC") && !page.contains('§'), "{} cites the spec", p.display());
        }
        assert!(pages > 50, "{dir}: {pages} pages");
        counted += pages;
    }
    let zh = std::fs::read_to_string(root.join("man/zh_CN/eip-report-status.1")).unwrap();
    assert!(has_cjk(&zh), "a Chinese page: {zh}");
    assert!(!zh.contains("Possible values") && !zh.contains("Print help"), "{zh}");
    assert!(counted > 100);
}
