//! The help in the language of every other message: `--help`, usage errors and the man pages
//! (README, "Help in Chinese").
//!
//! One definition of the interface: the clap definition (`cmd/`) holds the structure and the
//! English words, [`crate::help_zh`] the Chinese words by command path and argument, and
//! [`super::examples`] every command's examples, the same in both languages. [`command_in`] builds
//! the clap command and, in Chinese, walks it and puts the Chinese words in; a test fails when a
//! text has no Chinese entry or an entry names a text that no longer exists.

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt::Write as _;

use clap::builder::StyledStr;
use clap::error::{ContextKind, ContextValue, ErrorFormatter, ErrorKind};
use clap::{Arg, ArgAction, Command};

use crate::i18n::{t, Lang};

/// The suffix of a key naming a long form (a command's long about, an argument's long help).
pub const LONG: &str = " :long";
/// The suffix of a key naming a command's after-help (its notes, examples apart).
pub const AFTER: &str = " :after";

/// The language asked for on the command line, before clap parses it (`--lang` is itself an
/// argument, and clap's own help and errors must already be in the language): `--lang zh|en` or
/// `--lang=zh|en`, anywhere before a `--`. A value clap will refuse asks for nothing: its error is
/// said in the language of the environment.
pub fn lang_flag(args: &[OsString]) -> Option<String> {
    let mut it = args.iter().skip(1).map(|a| a.to_string_lossy());
    let mut found = None;
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        if a == "--lang" {
            found = it.next().map(|v| v.into_owned());
            break;
        }
        if let Some(v) = a.strip_prefix("--lang=") {
            found = Some(v.to_string());
            break;
        }
    }
    found.filter(|v| v == "zh" || v == "en")
}

/// The whole interface in `lang`, built (global options propagated, `--help` and `--version`
/// added), every command with its examples: what `eip` parses its arguments with.
pub fn command_in(lang: Lang) -> Command {
    dressed(lang, true)
}

/// The built interface in `lang`; with `examples`, each command's after-help starts with them
/// (the man pages give them a section of their own instead).
pub fn dressed(lang: Lang, examples: bool) -> Command {
    let mut root = super::command().bin_name("eip");
    root.build();
    dress(&mut root, "eip", lang == Lang::Zh, &HashMap::new(), examples);
    root
}

fn catalogue() -> &'static HashMap<&'static str, &'static str> {
    static T: std::sync::OnceLock<HashMap<&'static str, &'static str>> = std::sync::OnceLock::new();
    T.get_or_init(|| crate::help_zh::HELP_ZH.iter().copied().collect())
}

/// The Chinese words for `key`: its own entry, else, for an argument, the entry the commands share
/// (`"* --dry-run"`, for an option with the same English words wherever it is).
pub fn chinese(key: &str) -> Option<&'static str> {
    let zh = catalogue();
    zh.get(key).copied().or_else(|| shared_key(key).and_then(|k| zh.get(k.as_str()).copied()))
}

/// The shared key of an argument's key: `"* --dry-run"` for `"eip unit import --dry-run"`; none
/// for a command's own texts.
pub fn shared_key(key: &str) -> Option<String> {
    let (i, _) = key.match_indices(' ').find(|(i, _)| key[i + 1..].starts_with(['-', '<']))?;
    Some(format!("*{}", &key[i..]))
}

/// The key of an argument's help: the command's path and `--long`, `-s`, or `<id>` for a
/// positional argument.
pub fn arg_key(path: &str, arg: &Arg) -> String {
    match (arg.get_long(), arg.get_short()) {
        (Some(l), _) => format!("{path} --{l}"),
        (None, Some(s)) => format!("{path} -{s}"),
        (None, None) => format!("{path} <{}>", arg.get_id()),
    }
}

/// clap's own `--help` and `--version`.
fn is_builtin(arg: &Arg) -> bool {
    matches!(arg.get_action(), ArgAction::Help | ArgAction::HelpShort | ArgAction::HelpLong | ArgAction::Version)
}

/// Every English text of the interface with its key, in the order of the definition: what the
/// Chinese catalogue translates, no more and no less. A global option is listed once, where it
/// is defined.
pub fn english_texts() -> Vec<(String, String)> {
    let mut root = super::command().bin_name("eip");
    root.build();
    let mut out = Vec::new();
    collect(&root, "eip", &mut Vec::new(), &mut out);
    out
}

fn collect(cmd: &Command, path: &str, inherited: &mut Vec<String>, out: &mut Vec<(String, String)>) {
    if let Some(s) = cmd.get_about() {
        out.push((path.to_string(), s.to_string()));
    }
    if let Some(s) = cmd.get_long_about() {
        out.push((format!("{path}{LONG}"), s.to_string()));
    }
    if let Some(s) = cmd.get_after_help() {
        out.push((format!("{path}{AFTER}"), s.to_string()));
    }
    let depth = inherited.len();
    for arg in cmd.get_arguments().filter(|a| !is_builtin(a)) {
        let id = arg.get_id().to_string();
        if arg.is_global_set() {
            if inherited.contains(&id) {
                continue;
            }
            inherited.push(id);
        }
        let key = arg_key(path, arg);
        if let Some(s) = arg.get_help() {
            out.push((key.clone(), s.to_string()));
        }
        if let Some(s) = arg.get_long_help() {
            out.push((format!("{key}{LONG}"), s.to_string()));
        }
    }
    for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
        collect(sub, &format!("{path} {}", sub.get_name()), inherited, out);
    }
    inherited.truncate(depth);
}

/// Every command's full name (`eip`, `eip unit`, `eip unit add` …), depth first, with the command.
pub fn walk(cmd: &Command) -> Vec<(String, Command)> {
    fn go(cmd: &Command, name: String, out: &mut Vec<(String, Command)>) {
        out.push((name.clone(), cmd.clone()));
        for sub in cmd.get_subcommands().filter(|s| s.get_name() != "help") {
            go(sub, format!("{name} {}", sub.get_name()), out);
        }
    }
    let mut out = Vec::new();
    go(cmd, cmd.get_name().to_string(), &mut out);
    out
}

/// One command and everything below it, in place (the command is built: its arguments keep their
/// places, which its key map points at).
fn dress(cmd: &mut Command, path: &str, zh: bool, inherited: &HashMap<String, String>, examples: bool) {
    let mut c = std::mem::take(cmd);
    // Where each global option's words are: at the command that defines it.
    let mut globals = inherited.clone();
    for arg in c.get_arguments().filter(|a| a.is_global_set()) {
        globals.entry(arg.get_id().to_string()).or_insert_with(|| arg_key(path, arg));
    }
    let notes = if zh {
        if c.get_about().is_some() {
            if let Some(w) = chinese(path) {
                c = c.about(w);
            }
        }
        if c.get_long_about().is_some() {
            if let Some(w) = chinese(&format!("{path}{LONG}")) {
                c = c.long_about(w);
            }
        }
        c.get_after_help().map(|e| chinese(&format!("{path}{AFTER}")).map_or_else(|| e.to_string(), str::to_string))
    } else {
        c.get_after_help().map(|e| e.to_string())
    };
    let shown = if examples { super::examples::of(path) } else { &[] };
    let mut after = String::new();
    if !shown.is_empty() {
        after.push_str(if zh { "示例：" } else { "Examples:" });
        for e in shown {
            let _ = write!(after, "\n  {}", e.replace('\n', "\n  "));
        }
    }
    if let Some(n) = notes {
        if !after.is_empty() {
            after.push_str("\n\n");
        }
        after.push_str(&n);
    }
    if !after.is_empty() {
        c = c.after_help(after);
    }
    if zh {
        c = c.mut_args(|a| {
            let key = match globals.get(a.get_id().as_str()) {
                Some(k) if a.is_global_set() => k.clone(),
                _ => arg_key(path, &a),
            };
            dress_arg(a, &key)
        });
        let template = template_zh(&c);
        c = c.help_template(template).subcommand_help_heading("命令").subcommand_value_name("COMMAND");
    }
    for sub in c.get_subcommands_mut() {
        let sub_path = format!("{path} {}", sub.get_name());
        if sub.get_name() == "help" {
            if zh {
                dress_help(sub, path);
            }
        } else {
            dress(sub, &sub_path, zh, &globals, examples);
        }
    }
    *cmd = c;
}

/// An argument's Chinese words; what clap adds to the English help (the environment variable, the
/// default, the possible values) said in Chinese.
fn dress_arg(a: Arg, key: &str) -> Arg {
    match a.get_action() {
        ArgAction::Help | ArgAction::HelpShort | ArgAction::HelpLong => {
            return if a.get_long_help().is_some() {
                a.help("打印帮助（'--help' 显示详细说明）").long_help("打印帮助（'-h' 显示摘要）")
            } else {
                a.help("打印帮助")
            }
        }
        ArgAction::Version => return a.help("打印版本"),
        _ => {}
    }
    let mut spec = Vec::new();
    if let Some(env) = a.get_env() {
        spec.push(format!("[环境变量：{}]", env.to_string_lossy()));
    }
    let takes = a.get_action().takes_values();
    if takes && !a.get_default_values().is_empty() {
        let d: Vec<_> = a.get_default_values().iter().map(|v| v.to_string_lossy().into_owned()).collect();
        spec.push(format!("[默认：{}]", d.join(" ")));
    }
    let pvs: Vec<String> = if takes {
        a.get_possible_values().iter().filter(|p| !p.is_hide_set()).map(|p| p.get_name().to_string()).collect()
    } else {
        Vec::new()
    };
    if !pvs.is_empty() {
        spec.push(format!("[可选值：{}]", pvs.join(", ")));
    }
    let with_spec = |s: &str| if spec.is_empty() { s.to_string() } else { format!("{s} {}", spec.join(" ")) };
    let help = a.get_help().map(|h| chinese(key).map_or_else(|| h.to_string(), str::to_string));
    let long =
        a.get_long_help().map(|h| chinese(&format!("{key}{LONG}")).map_or_else(|| h.to_string(), str::to_string));
    let mut a = a.hide_env(true).hide_default_value(true).hide_possible_values(true);
    match help {
        Some(h) => a = a.help(with_spec(&h)),
        None if !spec.is_empty() => a = a.help(spec.join(" ")),
        None => {}
    }
    if let Some(l) = long {
        a = a.long_help(with_spec(&l));
    }
    a
}

/// clap's own `help` subcommand, and its copies of the tree below `path`.
fn dress_help(help: &mut Command, path: &str) {
    let mut c = std::mem::take(help).about("打印本帮助，或指定子命令的帮助");
    for sub in c.get_subcommands_mut() {
        let p = format!("{path} {}", sub.get_name());
        dress_copy(sub, &p);
    }
    *help = c;
}

fn dress_copy(cmd: &mut Command, path: &str) {
    let mut c = std::mem::take(cmd);
    if c.get_name() == "help" {
        c = c.about("打印本帮助，或指定子命令的帮助");
    } else if c.get_about().is_some() {
        if let Some(w) = chinese(path) {
            c = c.about(w);
        }
    }
    for sub in c.get_subcommands_mut() {
        let p = format!("{path} {}", sub.get_name());
        dress_copy(sub, &p);
    }
    *cmd = c;
}

/// clap's help layout with its headings in Chinese: usage, then the commands, the arguments and
/// the options, each as clap lays them out.
fn template_zh(c: &Command) -> StyledStr {
    let styles = c.get_styles();
    let (h, u) = (styles.get_header(), styles.get_usage());
    let mut sections = Vec::new();
    if c.get_subcommands().any(|s| s.get_name() != "help" && !s.is_hide_set()) {
        sections.push(format!("{h}命令：{h:#}\n{{subcommands}}"));
    }
    if c.get_positionals().any(|a| !a.is_hide_set()) {
        sections.push(format!("{h}参数：{h:#}\n{{positionals}}"));
    }
    if c.get_arguments().any(|a| !a.is_positional() && !a.is_hide_set()) {
        sections.push(format!("{h}选项：{h:#}\n{{options}}"));
    }
    let mut s = format!("{{before-help}}{{about-with-newline}}\n{u}用法：{u:#}{{usage}}");
    if !sections.is_empty() {
        s.push_str("\n\n");
        s.push_str(&sections.join("\n\n"));
    }
    s.push_str("{after-help}");
    StyledStr::from(s)
}

/// A usage error as the user reads it (exit 2): clap's own words in English, ours in Chinese.
pub fn render_error(e: clap::Error, lang: Lang) -> String {
    if lang == Lang::Zh {
        e.apply::<Chinese>().render().to_string()
    } else {
        e.render().to_string()
    }
}

/// clap's usage errors in Chinese, from the error's kind and context.
struct Chinese;

fn quoted(v: &ContextValue) -> String {
    match v {
        ContextValue::String(s) => format!("'{s}'"),
        ContextValue::Strings(v) => v.iter().map(|s| format!("'{s}'")).collect::<Vec<_>>().join("、"),
        other => format!("'{other}'"),
    }
}

fn string(e: &clap::error::Error<Chinese>, k: ContextKind) -> Option<String> {
    match e.get(k) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// One of clap's English tips, said in Chinese when it is one clap gives.
fn tip_zh(tip: &str) -> String {
    // "to pass 'X' as a value, use 'Y'"
    if let Some(rest) = tip.strip_prefix("to pass ") {
        if let Some((x, y)) = rest.split_once(" as a value, use ") {
            return format!("要把 {x} 作为值传入，请用 {y}");
        }
    }
    // "subcommand 'X' exists; to use it, remove the '--' before it"
    if let Some(rest) = tip.strip_prefix("subcommand ") {
        if let Some((x, _)) = rest.split_once(" exists; ") {
            return format!("有子命令 {x}；要用它，请去掉它前面的 '--'");
        }
    }
    // "'X' exists"
    if let Some(x) = tip.strip_suffix(" exists") {
        return format!("有 {x}");
    }
    tip.to_string()
}

impl ErrorFormatter for Chinese {
    fn format_error(e: &clap::error::Error<Self>) -> StyledStr {
        let mut s = String::from(t("error"));
        let arg = string(e, ContextKind::InvalidArg);
        let value = string(e, ContextKind::InvalidValue);
        let what = match e.kind() {
            ErrorKind::InvalidSubcommand => {
                format!("无法识别的子命令 '{}'", string(e, ContextKind::InvalidSubcommand).unwrap_or_default())
            }
            ErrorKind::UnknownArgument => format!("无法识别的参数 '{}'", arg.clone().unwrap_or_default()),
            ErrorKind::InvalidValue if value.as_deref() == Some("") => {
                format!("'{}' 需要一个值，但没有给出", arg.clone().unwrap_or_default())
            }
            ErrorKind::InvalidValue => {
                let mut m =
                    format!("'{}' 的值 '{}' 无效", arg.clone().unwrap_or_default(), value.clone().unwrap_or_default());
                if let Some(ContextValue::Strings(v)) = e.get(ContextKind::ValidValue) {
                    if !v.is_empty() {
                        let _ = write!(m, "\n  [可选值：{}]", v.join(", "));
                    }
                }
                m
            }
            ErrorKind::ValueValidation => {
                let mut m =
                    format!("'{}' 的值 '{}' 无效", arg.clone().unwrap_or_default(), value.clone().unwrap_or_default());
                if let Some(src) = std::error::Error::source(e) {
                    let _ = write!(m, "：{src}");
                }
                m
            }
            ErrorKind::MissingRequiredArgument => {
                let mut m = String::from("缺少必需的参数：");
                if let Some(ContextValue::Strings(v)) = e.get(ContextKind::InvalidArg) {
                    for a in v {
                        let _ = write!(m, "\n  {a}");
                    }
                }
                m
            }
            ErrorKind::MissingSubcommand => {
                let mut m = format!(
                    "'{}' 需要一个子命令，但没有给出",
                    string(e, ContextKind::InvalidSubcommand).unwrap_or_default()
                );
                if let Some(ContextValue::Strings(v)) = e.get(ContextKind::ValidSubcommand) {
                    if !v.is_empty() {
                        let _ = write!(m, "\n  [子命令：{}]", v.join(", "));
                    }
                }
                m
            }
            ErrorKind::ArgumentConflict => {
                let a = arg.clone().or_else(|| string(e, ContextKind::InvalidSubcommand)).unwrap_or_default();
                match e.get(ContextKind::PriorArg) {
                    Some(ContextValue::String(p)) if *p == a => format!("参数 '{a}' 不能给出多次"),
                    Some(p) => format!("参数 '{a}' 不能与 {} 同时使用", quoted(p)),
                    None => format!("参数 '{a}' 不能与其他参数同时使用"),
                }
            }
            ErrorKind::TooManyValues => format!(
                "'{}' 多出了值 '{}'，不需要更多的值",
                arg.clone().unwrap_or_default(),
                value.clone().unwrap_or_default()
            ),
            ErrorKind::TooFewValues => format!(
                "'{}' 至少需要 {} 个值，只给出了 {} 个",
                arg.clone().unwrap_or_default(),
                string(e, ContextKind::MinValues).unwrap_or_default(),
                string(e, ContextKind::ActualNumValues).unwrap_or_default()
            ),
            ErrorKind::WrongNumberOfValues => format!(
                "'{}' 需要 {} 个值，给出了 {} 个",
                arg.clone().unwrap_or_default(),
                string(e, ContextKind::ExpectedNumValues).unwrap_or_default(),
                string(e, ContextKind::ActualNumValues).unwrap_or_default()
            ),
            ErrorKind::NoEquals => format!("给 '{}' 赋值时需要等号", arg.clone().unwrap_or_default()),
            ErrorKind::InvalidUtf8 => "参数不是有效的 UTF-8".to_string(),
            _ => match std::error::Error::source(e) {
                Some(src) => src.to_string(),
                None => "命令行有误".to_string(),
            },
        };
        s.push_str(&what);
        let mut tips = Vec::new();
        for (k, what) in [
            (ContextKind::SuggestedSubcommand, "子命令"),
            (ContextKind::SuggestedArg, "参数"),
            (ContextKind::SuggestedValue, "值"),
        ] {
            match e.get(k) {
                Some(ContextValue::Strings(v)) if v.is_empty() => {}
                Some(v) => tips.push(format!("有相近的{what}：{}", quoted(v))),
                None => {}
            }
        }
        if let Some(ContextValue::StyledStrs(v)) = e.get(ContextKind::Suggested) {
            tips.extend(v.iter().map(|t| tip_zh(&t.to_string())));
        }
        if !tips.is_empty() {
            s.push('\n');
            for tip in tips {
                let _ = write!(s, "\n  {}{tip}", t("hint"));
            }
        }
        if let Some(ContextValue::StyledStr(usage)) = e.get(ContextKind::Usage) {
            let usage = usage.to_string();
            let usage = usage.strip_prefix("Usage: ").unwrap_or(&usage);
            let _ = write!(s, "\n\n用法：{usage}");
        }
        s.push_str("\n\n更多信息请运行 '--help'。\n");
        StyledStr::from(s)
    }
}

/// Escape a line for roff, as text in a no-fill block.
fn roff_line(line: &str) -> String {
    let mut s = String::with_capacity(line.len() + 8);
    if line.starts_with(['.', '\'']) {
        s.push_str("\\&");
    }
    for c in line.chars() {
        match c {
            '\\' => s.push_str("\\e"),
            '-' => s.push_str("\\-"),
            '\'' => s.push_str("\\*(Aq"),
            c => s.push(c),
        }
    }
    s
}

/// One man page: clap_mangen's sections (their headings in `lang`), the notes, and EXAMPLES.
pub fn man_page(cmd: Command, path: &str, lang: Lang) -> std::io::Result<Vec<u8>> {
    let zh = lang == Lang::Zh;
    let has_args = cmd.get_arguments().any(|a| !a.is_hide_set());
    let has_subs = cmd.get_subcommands().any(|s| !s.is_hide_set());
    let has_notes = cmd.get_after_help().is_some();
    let man = clap_mangen::Man::new(cmd);
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    type Render = fn(&clap_mangen::Man, &mut dyn std::io::Write) -> std::io::Result<()>;
    let sections: [(bool, Render, &str, &str, &str); 6] = [
        (true, clap_mangen::Man::render_name_section, "NAME", "NAME", "名称"),
        (true, clap_mangen::Man::render_synopsis_section, "SYNOPSIS", "SYNOPSIS", "概述"),
        (true, clap_mangen::Man::render_description_section, "DESCRIPTION", "DESCRIPTION", "描述"),
        (has_args, clap_mangen::Man::render_options_section, "OPTIONS", "OPTIONS", "选项"),
        (has_subs, clap_mangen::Man::render_subcommands_section, "SUBCOMMANDS", "SUBCOMMANDS", "命令"),
        (has_notes, clap_mangen::Man::render_extra_section, "EXTRA", "NOTES", "说明"),
    ];
    const PREAMBLE: &str = ".ie \\n(.g .ds Aq \\(aq\n.el .ds Aq '\n";
    for (shown, render, from, en, zh_heading) in sections {
        if !shown {
            continue;
        }
        let mut buf = Vec::new();
        render(&man, &mut buf)?;
        let text = String::from_utf8_lossy(&buf);
        let text = text.strip_prefix(PREAMBLE).unwrap_or(&text);
        let heading = if zh { zh_heading } else { en };
        page.extend_from_slice(text.replacen(&format!(".SH {from}\n"), &format!(".SH {heading}\n"), 1).as_bytes());
    }
    page.extend_from_slice(format!(".SH {}\n", if zh { "示例" } else { "EXAMPLES" }).as_bytes());
    for e in super::examples::of(path) {
        page.extend_from_slice(b".PP\n.RS 4\n.nf\n");
        for line in e.lines() {
            page.extend_from_slice(roff_line(line).as_bytes());
            page.push(b'\n');
        }
        page.extend_from_slice(b".fi\n.RE\n");
    }
    let mut buf = Vec::new();
    man.render_version_section(&mut buf)?;
    let text = String::from_utf8_lossy(&buf);
    let text = text.strip_prefix(PREAMBLE).unwrap_or(&text);
    let heading = if zh { "版本" } else { "VERSION" };
    page.extend_from_slice(text.replacen(".SH VERSION\n", &format!(".SH {heading}\n"), 1).as_bytes());
    Ok(page)
}
