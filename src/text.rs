//! Text that is safe to store, to open in a spreadsheet and to print (docs/SECURITY.md): the one place
//! for each rule. Control characters are refused on input ([`check`]) and shown escaped on output
//! ([`escape_for_terminal`]); a cell Excel or WPS would run as a formula gets a leading `'` on
//! export ([`neutralise`]), and imports drop that one `'` again ([`strip_leading_quote`]).
//! docs/SECURITY.md "Cells and text" says what is promised; docs/DECISIONS.md why these forms.

use std::borrow::Cow;

use crate::error::{self, Error};
use crate::i18n::{t, tf};
use crate::terminal::{escape_for_terminal, escape_where, is_control};

/// A name (of a unit, a school, a person, a department, a title): at most 100 characters.
pub const NAME: usize = 100;
/// An address (a school's postal address, an email address): at most 200 characters.
pub const ADDRESS: usize = 200;
/// Free text (a reason, a `text` indicator's value): at most 2,000 characters.
pub const FREE_TEXT: usize = 2000;
/// A province's monthly report text (Art. 20) is a document, not a field: newlines are its
/// paragraphs, and it is bounded only against abuse (docs/DECISIONS.md).
pub const DOCUMENT: usize = 200_000;

/// What a field may hold besides ordinary characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allow {
    /// A tab only (docs/SECURITY.md: every name, address and text field).
    Tab,
    /// A tab and line breaks (`\n`, or `\r\n` as Windows editors write them): a document.
    Lines,
}

/// The first character `s` may not hold, with its position (0-based, in characters).
fn first_forbidden(s: &str, allow: Allow) -> Option<(usize, char)> {
    let mut chars = s.chars().enumerate().peekable();
    while let Some((i, c)) = chars.next() {
        let ok = match c {
            '\t' => true,
            '\n' => allow == Allow::Lines,
            '\r' => allow == Allow::Lines && chars.peek().is_some_and(|(_, n)| *n == '\n'),
            c => !is_control(c),
        };
        if !ok {
            return Some((i, c));
        }
    }
    None
}

/// `U+001B`: how a message names a character.
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// Refuse a value that holds a control character or is longer than `limit` characters (exit 6).
/// `what` names the field in the message ("the name", "--reason"); an import adds the line.
pub fn check(value: &str, what: &str, limit: usize, allow: Allow) -> Result<(), Error> {
    if let Some((at, c)) = first_forbidden(value, allow) {
        return Err(error::invalid(tf(
            "text.control",
            &[("what", &what), ("char", &code_point(c)), ("position", &(at + 1))],
        ))
        .hint(crate::i18n::t("text.control.hint")));
    }
    let len = value.chars().count();
    if len > limit {
        return Err(error::invalid(tf(
            "text.too_long",
            &[("what", &what), ("limit", &thousands(limit)), ("length", &thousands(len))],
        )));
    }
    Ok(())
}

/// A name (100 characters, a tab at most).
pub fn check_name(value: &str, what: &str) -> Result<(), Error> {
    check(value, what, NAME, Allow::Tab)
}

/// An address (200 characters, a tab at most).
pub fn check_address(value: &str, what: &str) -> Result<(), Error> {
    check(value, what, ADDRESS, Allow::Tab)
}

/// A unit's (or a school's) name: trimmed, not empty, at most 100 characters, no control
/// characters (docs/SECURITY.md).
pub fn clean_name(name: &str) -> Result<String, Error> {
    let name = name.trim();
    if name.is_empty() {
        return Err(error::invalid(t("unit.empty_name")));
    }
    check_name(name, t("field.name"))?;
    Ok(name.to_string())
}

/// A person's real name (姓名, Art. 10): trimmed, not empty, at most 100 characters, no control
/// characters — wherever it is given (`account add`, the personnel form, `login --activate`).
pub fn clean_person_name(name: &str) -> Result<String, Error> {
    let name = name.trim();
    if name.is_empty() {
        return Err(error::invalid(t("account.empty_name")));
    }
    check_name(name, t("field.person_name"))?;
    Ok(name.to_string())
}

/// Free text (2,000 characters, a tab at most).
pub fn check_free_text(value: &str, what: &str) -> Result<(), Error> {
    check(value, what, FREE_TEXT, Allow::Tab)
}

/// Every command-line argument, before any command runs: no control characters in any of them
/// (a name, a filter, a path), and a `--reason` is free text of at most 2,000 characters. Commands
/// check their own names and addresses again, naming the field; this is the net under all of them,
/// the reasons of every command included.
pub fn check_arguments(args: &[String]) -> Result<(), Error> {
    let mut previous: Option<&str> = None;
    for arg in args {
        let (flag, value) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (Some(f), v),
            _ => (previous.filter(|p| p.starts_with("--") && p.len() > 2 && !arg.starts_with('-')), arg.as_str()),
        };
        let what = match flag {
            Some(f) => f.to_string(),
            None => tf("field.argument", &[("value", &format!("\"{}\"", escape_for_terminal(&shorten(value))))]),
        };
        let limit = if flag == Some("--reason") { FREE_TEXT } else { usize::MAX };
        check(value, &what, limit, Allow::Tab)?;
        previous = Some(arg);
    }
    Ok(())
}

/// At most 40 characters of a value, for a message that quotes it.
fn shorten(s: &str) -> String {
    if s.chars().count() <= 40 {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(40).collect::<String>())
    }
}

/// 2000 → "2,000", as the limits are written in the rules.
fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A value for a CSV cell: control characters other than a tab escaped (data stored before they
/// were refused may hold them), then [`neutralise`]d.
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    match neutralise(s) {
        Cow::Borrowed(b) => escape_where(b, |c| is_control(c) && c != '\t'),
        Cow::Owned(o) => Cow::Owned(escape_where(&o, |c| is_control(c) && c != '\t').into_owned()),
    }
}

/// Whether `s` is a plain decimal number (`-5`, `12`, `-2.5`): a spreadsheet reads it as a
/// number, never as a formula, so it is written as it is.
fn is_plain_number(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !(digits.contains('.') && frac.is_empty())
}

/// A text cell for a spreadsheet: one leading `'` when Excel or WPS would run it as a formula
/// (it starts with `=`, `+`, `-`, `@`, a tab or a carriage return), and when it starts with `'`
/// itself, so that an import, which drops one leading `'`, gives back exactly what was stored.
/// Plain numbers stay numbers.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\'') if !is_plain_number(cell) => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

/// Full-width digits (`０`–`９`, U+FF10–U+FF19, as a Chinese input method types them) as ASCII
/// digits; everything else as it is.
pub fn ascii_digits(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| ('\u{FF10}'..='\u{FF19}').contains(&c)) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\u{FF10}'..='\u{FF19}' => char::from(b'0' + (c as u32 - 0xFF10) as u8),
                c => c,
            })
            .collect(),
    )
}

/// An imported cell: the one leading `'` a spreadsheet (or an export) put before text is dropped.
pub fn strip_leading_quote(field: &str) -> &str {
    field.strip_prefix('\'').unwrap_or(field)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terminal::escape_document;

    #[test]
    fn full_width_digits_become_ascii() {
        assert_eq!(ascii_digits("１３９１２３４５６７８"), "13912345678");
        assert_eq!(ascii_digits("第１中学"), "第1中学");
        assert!(matches!(ascii_digits("130102"), Cow::Borrowed(_)));
    }

    #[test]
    fn formula_prefixes_get_a_quote_numbers_do_not() {
        for s in ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "'x", "-", "-5-", "-.5", "--5"] {
            assert_eq!(neutralise(s), format!("'{s}"), "{s:?}");
        }
        for s in ["-5", "-2.5", "12", "0.25", "长安", "a=b", "", " =1"] {
            assert_eq!(neutralise(s), s, "{s:?}");
        }
    }

    #[test]
    fn neutralise_then_strip_round_trips() {
        for s in ["=x", "'x", "''x", "-2+3", "-5", "plain"] {
            assert_eq!(strip_leading_quote(&neutralise(s)), s);
        }
    }

    #[test]
    fn control_characters_are_named_and_limits_counted_in_characters() {
        let e = check_name("长安\u{1b}[2J", "the name").unwrap_err();
        assert!(e.message.contains("U+001B"), "{}", e.message);
        assert!(check_name("a\tb", "the name").is_ok());
        assert!(check_name("a\nb", "the name").is_err());
        assert!(check_name("a\u{85}b", "the name").is_err());
        assert!(check_name("a\u{7f}b", "the name").is_err());
        assert!(check_name(&"长".repeat(100), "the name").is_ok());
        let e = check_name(&"长".repeat(101), "the name").unwrap_err();
        assert!(e.message.contains("100"), "{}", e.message);
        assert!(check("a\r\nb\nc", "the text", DOCUMENT, Allow::Lines).is_ok());
        assert!(check("a\rb", "the text", DOCUMENT, Allow::Lines).is_err());
        assert_eq!(thousands(2000), "2,000");
        assert_eq!(thousands(200_000), "200,000");
        assert_eq!(thousands(100), "100");
    }

    #[test]
    fn escapes_are_readable() {
        assert_eq!(escape_for_terminal("a\u{1b}[2J\u{7}\t\n"), "a\\u{1b}[2J\\u{7}\\t\\n");
        assert_eq!(escape_document("a\r\nb\tc\u{1b}\rd"), "a\r\nb\tc\\u{1b}\\rd");
        assert_eq!(csv_cell("\r=1"), "'\\r=1");
        assert_eq!(csv_cell("\t=1"), "'\t=1");
        assert!(matches!(escape_for_terminal("长安"), Cow::Borrowed(_)));
    }
}
