//! What is safe to print on a terminal (docs/SECURITY.md, "Cells and text"): stored text shown
//! with every control character escaped, so no value can clear the screen, retitle the window or
//! forge a line of output. A leaf: the message catalogue escapes every value it fills in here.

use std::borrow::Cow;

/// How many columns a table may take: `COLUMNS` when it is a number (so a script, or a test, can
/// say), else the terminal's width when standard output is one, else no limit.
pub fn width() -> Option<usize> {
    if let Some(n) = std::env::var("COLUMNS").ok().and_then(|v| v.trim().parse::<usize>().ok()).filter(|n| *n > 0) {
        return Some(n);
    }
    comfy_table::Table::new().width().map(usize::from)
}

/// The control characters refused on input (docs/SECURITY.md): C0 (U+0000–U+001F), DEL and C1 (U+007F–U+009F).
pub fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// How one control character is shown: `\t`, `\n`, `\r`, else `\u{1b}` (as Rust writes it).
pub(crate) fn escaped(c: char) -> String {
    match c {
        '\t' => "\\t".into(),
        '\n' => "\\n".into(),
        '\r' => "\\r".into(),
        c => format!("\\u{{{:x}}}", c as u32),
    }
}

pub(crate) fn escape_where(s: &str, escape: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !s.chars().any(&escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if escape(c) {
            out.push_str(&escaped(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A value for a terminal line (a table cell, a message): every control character escaped, so
/// no stored text can clear the screen, retitle the window or forge a line of output.
pub fn escape_for_terminal(s: &str) -> Cow<'_, str> {
    escape_where(s, is_control)
}

/// A document printed whole (the monthly text): its lines and tabs kept, every other control
/// character escaped.
pub fn escape_document(s: &str) -> Cow<'_, str> {
    let chars: Vec<char> = s.chars().collect();
    if !chars.iter().any(|&c| is_control(c) && c != '\n' && c != '\t' && c != '\r') && !has_lone_cr(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for (i, &c) in chars.iter().enumerate() {
        let keep = match c {
            '\n' | '\t' => true,
            '\r' => chars.get(i + 1) == Some(&'\n'),
            c => !is_control(c),
        };
        if keep {
            out.push(c);
        } else {
            out.push_str(&escaped(c));
        }
    }
    Cow::Owned(out)
}

fn has_lone_cr(s: &str) -> bool {
    let b = s.as_bytes();
    b.iter().enumerate().any(|(i, &c)| c == b'\r' && b.get(i + 1) != Some(&b'\n'))
}
