//! Plausibility rules (Art. 1: 准确性): the small expression language a rule is written
//! in (a hand-written lexer and recursive-descent parser, positions in characters from 1), its
//! check against the indicator catalogue, its evaluation over one org's period, and the
//! catalogue's operations — list, add and retire (a Ministry admin) — with the flags the rules
//! raise on stored values.
//!
//! The language (docs/DECISIONS.md has why):
//!
//! ```text
//! rule       := or_expr END
//! or_expr    := and_expr ( "or" and_expr )*
//! and_expr   := comparison ( "and" comparison )*
//! comparison := sum ( CMP sum | "within" range )  |  "(" or_expr ")"
//! range      := signed ".." signed               (LO..HI, LO <= HI, both ends included)
//! sum        := term ( ("+" | "-") term )*
//! term       := unary ( ("*" | "/") unary )*
//! unary      := "-" unary | primary
//! primary    := NUMBER | INDICATOR | "school." ("students" | "teachers" | "classes")
//!             | "change" "(" INDICATOR ")" | "(" sum ")"
//! CMP        := "<" | "<=" | ">" | ">=" | "=" | "==" | "!=" | "<>"
//! NUMBER     := digits [ "." digits ]           signed := [ "-" ] NUMBER
//! ```
//!
//! Keywords (`and`, `or`, `within`, `change`) in any case; an indicator is its catalogue code.
//!
//! What a rule means over one org's period: a value is a number (a count or a decimal as given, a
//! bool as 1 or 0); a blank (not reported) is *unknown*, and so is a school's basic info left
//! empty, `change(K)` when this month's or last month's K is blank or zero, and a division by
//! zero. A comparison with an unknown side is unknown; `and` and `or` follow SQL's three-valued
//! logic (false and unknown is false, true or unknown is true). The rule *trips* when it comes
//! out false, passes when true, and is skipped — neither — when unknown.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::audit::Event;
use crate::calendar::{self, Period};
use crate::error::{self, Error, Kind, Result};
use crate::i18n::{lang, t, tf, Lang};
use crate::indicators::Indicator;
use crate::model::{Actor, Level, Org};
use crate::perm::{self, Action};
use crate::store::{self, Conn, Tx};

pub use crate::store::rules::{FlagRow, Rule};

// ================================================================== the language

/// A position in an expression: its character, counted from 1.
pub type Pos = usize;

/// What is wrong with an expression, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub pos: Pos,
    pub message: String,
}

impl std::fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", tf("rules.at", &[("pos", &self.pos), ("message", &self.message)]))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// A school's basic info, as `school.students|teachers|classes` reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InfoField {
    Students,
    Teachers,
    Classes,
}

impl InfoField {
    fn parse(s: &str) -> Option<InfoField> {
        match s {
            "students" => Some(InfoField::Students),
            "teachers" => Some(InfoField::Teachers),
            "classes" => Some(InfoField::Classes),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            InfoField::Students => "school.students",
            InfoField::Teachers => "school.teachers",
            InfoField::Classes => "school.classes",
        }
    }
}

/// A number: what arithmetic and comparisons read.
#[derive(Debug, Clone, PartialEq)]
pub enum Num {
    Lit(f64),
    Indicator {
        code: String,
        pos: Pos,
    },
    Info {
        field: InfoField,
        pos: Pos,
    },
    /// This month's value of the indicator over last month's.
    Change {
        code: String,
        pos: Pos,
    },
    Neg(Box<Num>),
    Arith(Box<Num>, ArithOp, Box<Num>),
}

/// A condition: what a rule is.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Cmp(Num, CmpOp, Num),
    Within(Num, f64, f64),
    And(Box<Cond>, Box<Cond>),
    Or(Box<Cond>, Box<Cond>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(f64),
    Word(String),
    Info(InfoField),
    LParen,
    RParen,
    Plus,
    Minus,
    Star,
    Slash,
    Cmp(CmpOp),
    DotDot,
    End,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    pos: Pos,
    text: String,
}

impl Token {
    /// How an error names it: `'('`, `'and'`, or "the end of the rule".
    fn found(&self) -> String {
        match self.tok {
            Tok::End => t("rules.p.end").to_string(),
            _ => format!("'{}'", self.text),
        }
    }

    fn is_word(&self, kw: &str) -> bool {
        matches!(&self.tok, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
    }
}

fn err(pos: Pos, message: String) -> SyntaxError {
    SyntaxError { pos, message }
}

const KEYWORDS: [&str; 4] = ["and", "or", "within", "change"];

/// Split an expression into tokens, each with its position (characters from 1).
fn lex(src: &str) -> std::result::Result<Vec<Token>, SyntaxError> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let word_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    while i < chars.len() {
        let c = chars[i];
        let pos = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let (tok, len) = match c {
            '(' => (Tok::LParen, 1),
            ')' => (Tok::RParen, 1),
            '+' => (Tok::Plus, 1),
            '-' => (Tok::Minus, 1),
            '*' => (Tok::Star, 1),
            '/' => (Tok::Slash, 1),
            '<' if two == "<=" => (Tok::Cmp(CmpOp::Le), 2),
            '<' if two == "<>" => (Tok::Cmp(CmpOp::Ne), 2),
            '<' => (Tok::Cmp(CmpOp::Lt), 1),
            '>' if two == ">=" => (Tok::Cmp(CmpOp::Ge), 2),
            '>' => (Tok::Cmp(CmpOp::Gt), 1),
            '=' if two == "==" => (Tok::Cmp(CmpOp::Eq), 2),
            '=' => (Tok::Cmp(CmpOp::Eq), 1),
            '!' if two == "!=" => (Tok::Cmp(CmpOp::Ne), 2),
            '.' if two == ".." => (Tok::DotDot, 2),
            '0'..='9' => {
                let mut j = i;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                }
                // A fraction, but not the `..` of a range.
                if j + 1 < chars.len() && chars[j] == '.' && chars[j + 1].is_ascii_digit() {
                    j += 1;
                    while j < chars.len() && chars[j].is_ascii_digit() {
                        j += 1;
                    }
                }
                let text: String = chars[i..j].iter().collect();
                match text.parse::<f64>() {
                    Ok(v) if v.is_finite() && j - i <= 30 => (Tok::Num(v), j - i),
                    _ => return Err(err(pos, tf("rules.p.number", &[("text", &text)]))),
                }
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut j = i;
                while j < chars.len() && word_char(chars[j]) {
                    j += 1;
                }
                let word: String = chars[i..j].iter().collect();
                // `school.` and a field: the school's basic info.
                if word == "school" && j < chars.len() && chars[j] == '.' {
                    let mut k = j + 1;
                    while k < chars.len() && word_char(chars[k]) {
                        k += 1;
                    }
                    let field: String = chars[j + 1..k].iter().collect();
                    match InfoField::parse(&field) {
                        Some(f) => (Tok::Info(f), k - i),
                        None => return Err(err(j + 2, tf("rules.p.bad_info", &[("field", &field)]))),
                    }
                } else {
                    (Tok::Word(word), j - i)
                }
            }
            other => {
                let shown = if other.is_control() { crate::text::code_point(other) } else { format!("'{other}'") };
                return Err(err(pos, tf("rules.p.unexpected_char", &[("char", &shown)])));
            }
        };
        out.push(Token { tok, pos, text: chars[i..i + len].iter().collect() });
        i += len;
    }
    out.push(Token { tok: Tok::End, pos: chars.len() + 1, text: String::new() });
    Ok(out)
}

/// A parsed piece: a number or a condition, and where it starts.
enum Piece {
    N(Num, Pos),
    C(Cond, Pos),
}

impl Piece {
    fn pos(&self) -> Pos {
        match self {
            Piece::N(_, p) | Piece::C(_, p) => *p,
        }
    }
}

struct Parser {
    toks: Vec<Token>,
    i: usize,
    depth: usize,
}

/// How deep parentheses and signs may nest: far beyond any rule, well within the stack.
const MAX_DEPTH: usize = 64;

impl Parser {
    fn peek(&self) -> &Token {
        &self.toks[self.i]
    }

    fn next(&mut self) -> Token {
        let t = self.toks[self.i].clone();
        if self.i + 1 < self.toks.len() {
            self.i += 1;
        }
        t
    }

    /// A condition, or an error at the token after the number: a comparison was wanted there.
    fn cond(&self, p: Piece) -> std::result::Result<Cond, SyntaxError> {
        match p {
            Piece::C(c, _) => Ok(c),
            Piece::N(..) => {
                let at = self.peek();
                Err(err(at.pos, tf("rules.p.expected_comparison", &[("found", &at.found())])))
            }
        }
    }

    /// A number, or an error where the comparison starts: it cannot be used as one.
    fn num(p: Piece) -> std::result::Result<Num, SyntaxError> {
        match p {
            Piece::N(n, _) => Ok(n),
            Piece::C(_, pos) => Err(err(pos, t("rules.p.not_number").to_string())),
        }
    }

    fn or(&mut self) -> std::result::Result<Piece, SyntaxError> {
        let mut left = self.and()?;
        while self.peek().is_word("or") {
            let start = left.pos();
            let l = self.cond(left)?;
            self.next();
            let right = self.and()?;
            let r = self.cond(right)?;
            left = Piece::C(Cond::Or(Box::new(l), Box::new(r)), start);
        }
        Ok(left)
    }

    fn and(&mut self) -> std::result::Result<Piece, SyntaxError> {
        let mut left = self.comparison()?;
        while self.peek().is_word("and") {
            let start = left.pos();
            let l = self.cond(left)?;
            self.next();
            let right = self.comparison()?;
            let r = self.cond(right)?;
            left = Piece::C(Cond::And(Box::new(l), Box::new(r)), start);
        }
        Ok(left)
    }

    fn comparison(&mut self) -> std::result::Result<Piece, SyntaxError> {
        let left = self.sum()?;
        let start = left.pos();
        let out = match self.peek().tok.clone() {
            Tok::Cmp(op) => {
                let l = Self::num(left)?;
                self.next();
                let r = Self::num(self.sum()?)?;
                Piece::C(Cond::Cmp(l, op, r), start)
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("within") => {
                let l = Self::num(left)?;
                self.next();
                let (lo_pos, lo) = self.signed()?;
                let at = self.next();
                if at.tok != Tok::DotDot {
                    return Err(err(at.pos, tf("rules.p.expected_dotdot", &[("found", &at.found())])));
                }
                let (_, hi) = self.signed()?;
                if lo > hi {
                    return Err(err(
                        lo_pos,
                        tf("rules.p.empty_range", &[("lo", &show_num(lo)), ("hi", &show_num(hi))]),
                    ));
                }
                Piece::C(Cond::Within(l, lo, hi), start)
            }
            _ => return Ok(left),
        };
        // `a < b < c` reads as nothing sensible: say how to write it.
        let at = self.peek();
        if matches!(at.tok, Tok::Cmp(_)) || at.is_word("within") {
            return Err(err(at.pos, t("rules.p.chained").to_string()));
        }
        Ok(out)
    }

    /// A number with an optional minus: a bound of a range.
    fn signed(&mut self) -> std::result::Result<(Pos, f64), SyntaxError> {
        let first = self.next();
        let (neg, tok) = if first.tok == Tok::Minus { (true, self.next()) } else { (false, first.clone()) };
        match tok.tok {
            Tok::Num(v) => Ok((first.pos, if neg { -v } else { v })),
            _ => Err(err(tok.pos, tf("rules.p.expected_number", &[("found", &tok.found())]))),
        }
    }

    fn sum(&mut self) -> std::result::Result<Piece, SyntaxError> {
        let mut left = self.term()?;
        loop {
            let op = match self.peek().tok {
                Tok::Plus => ArithOp::Add,
                Tok::Minus => ArithOp::Sub,
                _ => return Ok(left),
            };
            let start = left.pos();
            let l = Self::num(left)?;
            self.next();
            let r = Self::num(self.term()?)?;
            left = Piece::N(Num::Arith(Box::new(l), op, Box::new(r)), start);
        }
    }

    fn term(&mut self) -> std::result::Result<Piece, SyntaxError> {
        let mut left = self.unary()?;
        loop {
            let op = match self.peek().tok {
                Tok::Star => ArithOp::Mul,
                Tok::Slash => ArithOp::Div,
                _ => return Ok(left),
            };
            let start = left.pos();
            let l = Self::num(left)?;
            self.next();
            let r = Self::num(self.unary()?)?;
            left = Piece::N(Num::Arith(Box::new(l), op, Box::new(r)), start);
        }
    }

    fn deeper(&mut self, pos: Pos) -> std::result::Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(err(pos, t("rules.p.too_deep").to_string()));
        }
        Ok(())
    }

    fn unary(&mut self) -> std::result::Result<Piece, SyntaxError> {
        if self.peek().tok == Tok::Minus {
            let pos = self.next().pos;
            self.deeper(pos)?;
            let n = Self::num(self.unary()?)?;
            self.depth -= 1;
            return Ok(Piece::N(Num::Neg(Box::new(n)), pos));
        }
        self.primary()
    }

    fn primary(&mut self) -> std::result::Result<Piece, SyntaxError> {
        let tok = self.next();
        let pos = tok.pos;
        let expected = |tok: &Token| err(tok.pos, tf("rules.p.expected_operand", &[("found", &tok.found())]));
        match &tok.tok {
            Tok::Num(v) => Ok(Piece::N(Num::Lit(*v), pos)),
            Tok::Info(f) => Ok(Piece::N(Num::Info { field: *f, pos }, pos)),
            Tok::Word(w) if w.eq_ignore_ascii_case("change") => {
                let open = self.next();
                if open.tok != Tok::LParen {
                    return Err(err(open.pos, tf("rules.p.expected_change_open", &[("found", &open.found())])));
                }
                let code = self.next();
                let name = match &code.tok {
                    Tok::Word(w) if !KEYWORDS.iter().any(|k| w.eq_ignore_ascii_case(k)) => w.clone(),
                    _ => return Err(err(code.pos, tf("rules.p.expected_change_code", &[("found", &code.found())]))),
                };
                let close = self.next();
                if close.tok != Tok::RParen {
                    return Err(err(close.pos, tf("rules.p.expected_close", &[("found", &close.found())])));
                }
                Ok(Piece::N(Num::Change { code: name, pos: code.pos }, pos))
            }
            Tok::Word(w) if KEYWORDS.iter().any(|k| w.eq_ignore_ascii_case(k)) => Err(expected(&tok)),
            Tok::Word(w) => Ok(Piece::N(Num::Indicator { code: w.clone(), pos }, pos)),
            Tok::LParen => {
                self.deeper(pos)?;
                let inner = self.or()?;
                self.depth -= 1;
                let close = self.next();
                if close.tok != Tok::RParen {
                    return Err(err(close.pos, tf("rules.p.expected_close", &[("found", &close.found())])));
                }
                Ok(match inner {
                    Piece::N(n, _) => Piece::N(n, pos),
                    Piece::C(c, _) => Piece::C(c, pos),
                })
            }
            _ => Err(expected(&tok)),
        }
    }
}

/// Parse an expression into its condition; every error names its position.
pub fn parse(src: &str) -> std::result::Result<Cond, SyntaxError> {
    let toks = lex(src)?;
    let mut p = Parser { toks, i: 0, depth: 0 };
    let whole = p.or()?;
    let cond = p.cond(whole)?;
    let end = p.peek();
    if end.tok != Tok::End {
        return Err(err(end.pos, tf("rules.p.expected_end", &[("found", &end.found())])));
    }
    Ok(cond)
}

// ------------------------------------------------------------------ checked against the catalogue

/// Whose values a rule reads: `school` (schools and teaching points) or `unit` (admin units).
pub const APPLIES_TO: &[&str] = &["school", "unit"];
pub const SEVERITIES: &[&str] = &["error", "warning"];

/// Check what a parsed rule reads against the catalogue: every indicator exists, is in use, is a
/// number or a yes/no, and is filled by the orgs the rule applies to; basic info only in a school
/// rule; and it reads something (a rule of constants always gives the same answer).
pub fn check(cond: &Cond, cat: &[Indicator], applies_to: &str) -> std::result::Result<(), SyntaxError> {
    let mut reads = 0;
    check_cond(cond, cat, applies_to, &mut reads)?;
    if reads == 0 {
        return Err(err(1, t("rules.c.reads_nothing").to_string()));
    }
    Ok(())
}

fn check_cond(c: &Cond, cat: &[Indicator], applies: &str, reads: &mut usize) -> std::result::Result<(), SyntaxError> {
    match c {
        Cond::Cmp(a, _, b) => {
            check_num(a, cat, applies, reads)?;
            check_num(b, cat, applies, reads)
        }
        Cond::Within(a, _, _) => check_num(a, cat, applies, reads),
        Cond::And(a, b) | Cond::Or(a, b) => {
            check_cond(a, cat, applies, reads)?;
            check_cond(b, cat, applies, reads)
        }
    }
}

fn check_num(n: &Num, cat: &[Indicator], applies: &str, reads: &mut usize) -> std::result::Result<(), SyntaxError> {
    match n {
        Num::Lit(_) => Ok(()),
        Num::Indicator { code, pos } | Num::Change { code, pos } => {
            *reads += 1;
            check_indicator(code, *pos, cat, applies)
        }
        Num::Info { field, pos } => {
            *reads += 1;
            if applies != "school" {
                return Err(err(*pos, tf("rules.c.info_in_unit", &[("field", &field.name())])));
            }
            Ok(())
        }
        Num::Neg(a) => check_num(a, cat, applies, reads),
        Num::Arith(a, _, b) => {
            check_num(a, cat, applies, reads)?;
            check_num(b, cat, applies, reads)
        }
    }
}

fn check_indicator(code: &str, pos: Pos, cat: &[Indicator], applies: &str) -> std::result::Result<(), SyntaxError> {
    let Some(ind) = cat.iter().find(|i| i.code == code) else {
        return Err(err(pos, tf("rules.c.unknown", &[("code", &code)])));
    };
    if ind.retired_at.is_some() {
        return Err(err(pos, tf("rules.c.retired", &[("code", &code)])));
    }
    if ind.kind == "text" {
        return Err(err(pos, tf("rules.c.text", &[("code", &code)])));
    }
    let fits = match applies {
        "school" => ind.filled_by != "unit",
        _ => ind.filled_by == "unit",
    };
    if !fits {
        let key = if applies == "school" { "rules.c.not_school" } else { "rules.c.not_unit" };
        return Err(err(pos, tf(key, &[("code", &code)])));
    }
    Ok(())
}

// ------------------------------------------------------------------ evaluation

/// A school's basic info: students, teachers, classes (`None`: not filled in).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Info {
    pub students: Option<i64>,
    pub teachers: Option<i64>,
    pub classes: Option<i64>,
}

impl Info {
    fn get(&self, f: InfoField) -> Option<i64> {
        match f {
            InfoField::Students => self.students,
            InfoField::Teachers => self.teachers,
            InfoField::Classes => self.classes,
        }
    }
}

/// What a rule reads about one org's period: this month's values (as stored, after the write
/// being checked), last month's, and the school's basic info.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub period: Period,
    pub this: &'a BTreeMap<String, String>,
    pub last: Option<&'a BTreeMap<String, String>>,
    pub info: Info,
}

/// One thing a rule read: its name (`classrooms`, `classrooms@2026-10` for last month's,
/// `school.teachers`) and its value, `None` for a blank.
#[derive(Debug, Clone, PartialEq)]
pub struct Read {
    pub name: String,
    /// The indicator, when it is one of this month's values (what an import's line is found by).
    pub indicator: Option<String>,
    pub value: Option<String>,
}

fn note(reads: &mut Vec<Read>, name: String, indicator: Option<&str>, value: Option<String>) {
    if !reads.iter().any(|r| r.name == name) {
        reads.push(Read { name, indicator: indicator.map(str::to_string), value });
    }
}

fn number(v: Option<&String>) -> Option<f64> {
    v.and_then(|s| s.trim().parse::<f64>().ok()).filter(|f| f.is_finite())
}

fn show_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

fn eval_num(n: &Num, f: &Facts, reads: &mut Vec<Read>) -> Option<f64> {
    match n {
        Num::Lit(v) => Some(*v),
        Num::Indicator { code, .. } => {
            let v = f.this.get(code);
            note(reads, code.clone(), Some(code), v.cloned());
            number(v)
        }
        Num::Info { field, .. } => {
            let v = f.info.get(*field);
            note(reads, field.name().to_string(), None, v.map(|x| x.to_string()));
            v.map(|x| x as f64)
        }
        Num::Change { code, .. } => {
            let now = f.this.get(code);
            let before = f.last.and_then(|l| l.get(code));
            note(reads, code.clone(), Some(code), now.cloned());
            note(reads, format!("{code}@{}", f.period.prev()), None, before.cloned());
            match (number(now), number(before)) {
                (Some(a), Some(b)) if a != 0.0 && b != 0.0 => Some(a / b),
                _ => None,
            }
        }
        Num::Neg(a) => eval_num(a, f, reads).map(|v| -v),
        Num::Arith(a, op, b) => {
            let (a, b) = (eval_num(a, f, reads), eval_num(b, f, reads));
            let (a, b) = (a?, b?);
            let v = match op {
                ArithOp::Add => a + b,
                ArithOp::Sub => a - b,
                ArithOp::Mul => a * b,
                ArithOp::Div if b == 0.0 => return None,
                ArithOp::Div => a / b,
            };
            v.is_finite().then_some(v)
        }
    }
}

/// Equal up to rounding: a decimal sum (0.1 + 0.2) equals the decimal it is written as.
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn compare(a: f64, op: CmpOp, b: f64) -> bool {
    match op {
        CmpOp::Eq => close(a, b),
        CmpOp::Ne => !close(a, b),
        CmpOp::Lt => a < b && !close(a, b),
        CmpOp::Le => a < b || close(a, b),
        CmpOp::Gt => a > b && !close(a, b),
        CmpOp::Ge => a > b || close(a, b),
    }
}

/// A condition's value: `Some(true)`, `Some(false)`, or `None` (unknown). Both sides of `and`
/// and `or` are always read, so a tripped rule names everything it looked at.
fn eval_cond(c: &Cond, f: &Facts, reads: &mut Vec<Read>) -> Option<bool> {
    match c {
        Cond::Cmp(a, op, b) => {
            let (a, b) = (eval_num(a, f, reads), eval_num(b, f, reads));
            Some(compare(a?, *op, b?))
        }
        Cond::Within(a, lo, hi) => {
            let v = eval_num(a, f, reads)?;
            Some(compare(v, CmpOp::Ge, *lo) && compare(v, CmpOp::Le, *hi))
        }
        Cond::And(a, b) => match (eval_cond(a, f, reads), eval_cond(b, f, reads)) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        },
        Cond::Or(a, b) => match (eval_cond(a, f, reads), eval_cond(b, f, reads)) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
    }
}

/// What a rule says about one org's period.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Pass,
    /// It came out false: the values it read.
    Trip(Vec<Read>),
    /// Something it needs is blank (or zero under `change`, or a divisor): neither.
    Skip,
}

/// Evaluate a condition over one org's period.
pub fn evaluate(c: &Cond, f: &Facts) -> Outcome {
    let mut reads = Vec::new();
    match eval_cond(c, f, &mut reads) {
        Some(true) => Outcome::Pass,
        Some(false) => Outcome::Trip(reads),
        None => Outcome::Skip,
    }
}

/// The indicators a condition reads (this month's or, in `change`, both months'), each once.
pub fn indicators_of(c: &Cond) -> Vec<String> {
    fn num(n: &Num, out: &mut Vec<String>) {
        match n {
            Num::Indicator { code, .. } | Num::Change { code, .. } => {
                if !out.contains(code) {
                    out.push(code.clone());
                }
            }
            Num::Neg(a) => num(a, out),
            Num::Arith(a, _, b) => {
                num(a, out);
                num(b, out);
            }
            Num::Lit(_) | Num::Info { .. } => {}
        }
    }
    fn cond(c: &Cond, out: &mut Vec<String>) {
        match c {
            Cond::Cmp(a, _, b) => {
                num(a, out);
                num(b, out);
            }
            Cond::Within(a, _, _) => num(a, out),
            Cond::And(a, b) | Cond::Or(a, b) => {
                cond(a, out);
                cond(b, out);
            }
        }
    }
    let mut out = Vec::new();
    cond(c, &mut out);
    out
}

fn reads_last(c: &Cond) -> bool {
    fn num(n: &Num) -> bool {
        match n {
            Num::Change { .. } => true,
            Num::Neg(a) => num(a),
            Num::Arith(a, _, b) => num(a) || num(b),
            _ => false,
        }
    }
    match c {
        Cond::Cmp(a, _, b) => num(a) || num(b),
        Cond::Within(a, _, _) => num(a),
        Cond::And(a, b) | Cond::Or(a, b) => reads_last(a) || reads_last(b),
    }
}

fn reads_info(c: &Cond) -> bool {
    fn num(n: &Num) -> bool {
        match n {
            Num::Info { .. } => true,
            Num::Neg(a) => num(a),
            Num::Arith(a, _, b) => num(a) || num(b),
            _ => false,
        }
    }
    match c {
        Cond::Cmp(a, _, b) => num(a) || num(b),
        Cond::Within(a, _, _) => num(a),
        Cond::And(a, b) | Cond::Or(a, b) => reads_info(a) || reads_info(b),
    }
}

// ================================================================== the rules in force

/// A rule in force, parsed.
#[derive(Debug, Clone)]
pub struct Compiled {
    pub rule: Rule,
    pub cond: Cond,
    pub reads_last: bool,
    pub reads_info: bool,
}

impl Compiled {
    pub fn is_error(&self) -> bool {
        self.rule.severity == "error"
    }
}

/// Whose rules an org's values answer to: school rules for schools and teaching points, unit
/// rules for admin units.
pub fn applies_to(org: &Org) -> &'static str {
    if org.level == Level::School {
        "school"
    } else {
        "unit"
    }
}

/// A rule tripped by one org's period, and the values it read.
#[derive(Debug, Clone, PartialEq)]
pub struct Tripped {
    pub code: String,
    pub severity: String,
    pub message_zh: String,
    pub message_en: String,
    pub reads: Vec<Read>,
}

impl Tripped {
    pub fn is_error(&self) -> bool {
        self.severity == "error"
    }

    /// The message in the reader's language.
    pub fn message(&self) -> &str {
        message(&self.message_zh, &self.message_en)
    }

    /// "multimedia_classrooms=50, classrooms=10" (a blank as such).
    pub fn values(&self) -> String {
        show_reads(&self.reads)
    }

    /// What a flag stores of it: the values read, by name (numbers as numbers, blanks as null).
    pub fn detail(&self) -> Value {
        let mut m = serde_json::Map::new();
        for r in &self.reads {
            let v = match r.value.as_deref() {
                None => Value::Null,
                Some(s) => match s.parse::<f64>() {
                    Ok(f) if f.fract() == 0.0 && f.abs() < 1e15 => json!(f as i64),
                    Ok(f) if f.is_finite() => json!(f),
                    _ => json!(s),
                },
            };
            m.insert(r.name.clone(), v);
        }
        Value::Object(m)
    }

    /// "2113010001 2026-11: rule mm_le_classrooms: … (multimedia_classrooms=50, classrooms=10)".
    pub fn describe(&self, org: &str, period: Period) -> String {
        tf(
            "rules.tripped",
            &[
                ("org", &org),
                ("period", &period),
                ("rule", &self.code),
                ("message", &self.message()),
                ("values", &self.values()),
            ],
        )
    }
}

fn message<'a>(zh: &'a str, en: &'a str) -> &'a str {
    if lang() == Lang::Zh {
        zh
    } else {
        en
    }
}

fn show_reads(reads: &[Read]) -> String {
    reads
        .iter()
        .map(|r| format!("{}={}", r.name, r.value.as_deref().unwrap_or(t("rules.blank"))))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A flag's stored values, shown as [`Tripped::values`] shows them.
pub fn show_detail(detail: &str) -> String {
    let Ok(Value::Object(m)) = serde_json::from_str::<Value>(detail) else { return detail.to_string() };
    m.iter()
        .map(|(k, v)| {
            let s = match v {
                Value::Null => t("rules.blank").to_string(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            format!("{k}={s}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The rules in force, parsed once for a command.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub rules: Vec<Compiled>,
}

impl RuleSet {
    /// The rules not retired, in their order. A stored rule that does not parse (only a file
    /// changed behind eip's back holds one: `rules add` checks every rule) is left out.
    pub fn load(conn: &Conn) -> Result<RuleSet> {
        let rules = store::rules::all(conn)?
            .into_iter()
            .filter(|r| r.retired_at.is_none())
            .filter_map(|rule| compile(rule).ok())
            .collect();
        Ok(RuleSet { rules })
    }

    pub fn of(&self, applies: &str) -> impl Iterator<Item = &Compiled> {
        let applies = applies.to_string();
        self.rules.iter().filter(move |r| r.rule.applies_to == applies)
    }

    /// Whether any rule of these orgs reads last month (`change`).
    pub fn reads_last(&self, applies: &str) -> bool {
        self.of(applies).any(|r| r.reads_last)
    }

    /// Whether any rule of these orgs reads a school's basic info.
    pub fn reads_info(&self, applies: &str) -> bool {
        self.of(applies).any(|r| r.reads_info)
    }

    /// Every rule of these orgs that the facts trip, in the rules' order.
    pub fn judge(&self, applies: &str, facts: &Facts) -> Vec<Tripped> {
        self.of(applies).filter_map(|c| trip(c, facts)).collect()
    }
}

fn trip(c: &Compiled, facts: &Facts) -> Option<Tripped> {
    match evaluate(&c.cond, facts) {
        Outcome::Trip(reads) => Some(Tripped {
            code: c.rule.code.clone(),
            severity: c.rule.severity.clone(),
            message_zh: c.rule.message_zh.clone(),
            message_en: c.rule.message_en.clone(),
            reads,
        }),
        _ => None,
    }
}

/// A stored rule parsed (not checked against the catalogue: it was when it was added).
fn compile(rule: Rule) -> std::result::Result<Compiled, SyntaxError> {
    let cond = parse(&rule.expression)?;
    Ok(Compiled { reads_last: reads_last(&cond), reads_info: reads_info(&cond), rule, cond })
}

// ================================================================== one org's period

/// What the rules read about an org's period besides the values given: last month's values and
/// the school's basic info, each only when a rule of the org's kind reads it.
pub struct Context {
    pub last: Option<BTreeMap<String, String>>,
    pub info: Info,
}

/// Read an org's context for a period.
pub fn context(conn: &Conn, rules: &RuleSet, org: &Org, period: Period) -> Result<Context> {
    let applies = applies_to(org);
    let last = if rules.reads_last(applies) {
        Some(store::values::values_of(conn, org.id, period.prev())?.into_iter().map(|(k, v)| (k, v.value)).collect())
    } else {
        None
    };
    let info = if applies == "school" && rules.reads_info(applies) {
        let (students, teachers, classes) = store::schools::basic_info(conn, org.id)?;
        Info { students, teachers, classes }
    } else {
        Info::default()
    };
    Ok(Context { last, info })
}

/// The rules an org's period trips with these values (this month's, as they would be stored).
pub fn judge(
    conn: &Conn,
    rules: &RuleSet,
    org: &Org,
    period: Period,
    this: &BTreeMap<String, String>,
) -> Result<Vec<Tripped>> {
    if rules.of(applies_to(org)).next().is_none() {
        return Ok(Vec::new());
    }
    let cx = context(conn, rules, org, period)?;
    Ok(rules.judge(applies_to(org), &Facts { period, this, last: cx.last.as_ref(), info: cx.info }))
}

/// Refuse a write that trips an error rule (exit 6, nothing written): every rule tripped, its
/// message and the values it read.
pub fn refuse_errors(tripped: &[Tripped], org: &Org, period: Period) -> Result<()> {
    let errors: Vec<String> = tripped.iter().filter(|x| x.is_error()).map(|x| x.describe(&org.code, period)).collect();
    if errors.is_empty() {
        return Ok(());
    }
    Err(Error::new(Kind::Invalid, errors.join("\n")).hint(t("rules.refused.hint")).reason("rule_error").into())
}

/// Store what an org's period trips now as its flags, replacing those it had: a rule no longer
/// tripped loses its flag, one tripped keeps it (its time, if it read the same values).
pub fn record(tx: &Tx, org: &Org, period: Period, tripped: &[Tripped]) -> Result<()> {
    let had = store::rules::flags_of(tx, org.id, period)?;
    for (code, _) in &had {
        if !tripped.iter().any(|x| &x.code == code) {
            store::rules::delete_flag(tx, org.id, period, code)?;
        }
    }
    for x in tripped {
        let detail = x.detail().to_string();
        if had.iter().any(|(c, d)| c == &x.code && d == &detail) {
            continue;
        }
        store::rules::put_flag(tx, org.id, period, &x.code, &detail, &tx.now_stored())?;
    }
    Ok(())
}

/// Recompute an org's flags of a period from its stored values (a return reopens it, a rule read
/// by next month's `change` changed, basic info changed): what they trip now, errors included —
/// values already stored are flagged, not refused.
pub fn refresh(tx: &Tx, rules: &RuleSet, org: &Org, period: Period) -> Result<()> {
    let this: BTreeMap<String, String> =
        store::values::values_of(tx, org.id, period)?.into_iter().map(|(k, v)| (k, v.value)).collect();
    let tripped = if this.is_empty() { Vec::new() } else { judge(tx, rules, org, period, &this)? };
    record(tx, org, period, &tripped)
}

/// After an org's period was written: its next month's `change` rules read it as last month, so
/// next month's flags are recomputed too (when it has values).
pub fn refresh_next(tx: &Tx, rules: &RuleSet, org: &Org, period: Period) -> Result<()> {
    if !rules.reads_last(applies_to(org)) {
        return Ok(());
    }
    let next = period.next();
    if store::rules::has_values(tx, org.id, next)? || !store::rules::flags_of(tx, org.id, next)?.is_empty() {
        refresh(tx, rules, org, next)?;
    }
    Ok(())
}

/// Recompute an org's flags for the months still being reported at `now` (last month and this
/// one): after a change to what the rules read besides the values (a school's basic info).
pub fn refresh_open(tx: &Tx, org: &Org) -> Result<()> {
    let rules = RuleSet::load(tx)?;
    for period in open_periods(tx.now) {
        if store::rules::has_values(tx, org.id, period)? {
            refresh(tx, &rules, org, period)?;
        }
    }
    Ok(())
}

/// The months still being reported at `now`: last month (in its reporting window) and this one.
pub fn open_periods(now: chrono::DateTime<chrono::Utc>) -> [Period; 2] {
    let last = calendar::reporting_period(now);
    [last, last.next()]
}

// ================================================================== the catalogue

/// Every rule, in its order (retired ones included).
pub fn catalogue(conn: &Conn) -> Result<Vec<Rule>> {
    store::rules::all(conn)
}

impl Rule {
    /// The message in the reader's language.
    pub fn message(&self) -> &str {
        message(&self.message_zh, &self.message_en)
    }
}

/// What adding a rule did.
#[derive(Debug, Clone)]
pub struct Added {
    /// The months it was checked against at once, and the flags it raised there.
    pub periods: Vec<Period>,
    pub flags: usize,
}

fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 40
        && code.starts_with(|c: char| c.is_ascii_lowercase())
        && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Check a new rule completely: its code, whose values it reads, its severity, its messages, and
/// its expression — parsed and checked against the catalogue, the error naming the position.
pub fn check_new(cat: &[Indicator], rule: &Rule) -> Result<()> {
    if !valid_code(&rule.code) {
        return Err(error::invalid(tf("rules.bad_code", &[("code", &rule.code)])).into());
    }
    if !APPLIES_TO.contains(&rule.applies_to.as_str()) || !SEVERITIES.contains(&rule.severity.as_str()) {
        return Err(error::invalid(tf(
            "rules.bad_kind",
            &[("applies_to", &rule.applies_to), ("severity", &rule.severity)],
        ))
        .into());
    }
    if rule.message_zh.trim().is_empty() || rule.message_en.trim().is_empty() {
        return Err(error::invalid(t("rules.messages")).into());
    }
    for m in [&rule.message_zh, &rule.message_en] {
        crate::text::check_address(m.trim(), t("field.rule_message"))?;
    }
    crate::text::check_free_text(&rule.expression, t("field.rule_expression"))?;
    let syntax = |e: SyntaxError| -> anyhow::Error {
        error::invalid(tf("rules.syntax", &[("code", &rule.code), ("at", &e)])).hint(t("rules.syntax.hint")).into()
    };
    let cond = parse(&rule.expression).map_err(syntax)?;
    check(&cond, cat, &rule.applies_to).map_err(syntax)?;
    Ok(())
}

/// `eip report rules add` (Ministry admin): the rule checked, added at the end of the catalogue,
/// and checked at once against the months still being reported, whose values it flags (an error
/// rule flags values stored before it existed: they are not refused after the fact).
pub fn add(tx: &mut Tx, actor: &Actor, rule: &Rule) -> Result<Added> {
    perm::require(actor, Action::RuleManage, &actor.org)?;
    let cat = crate::indicators::catalogue(tx)?;
    let rule = Rule {
        code: rule.code.trim().to_string(),
        expression: rule.expression.trim().to_string(),
        message_zh: rule.message_zh.trim().to_string(),
        message_en: rule.message_en.trim().to_string(),
        ..rule.clone()
    };
    check_new(&cat, &rule)?;
    if store::rules::find(tx, &rule.code)?.is_some() {
        return Err(error::refused(tf("rules.exists", &[("code", &rule.code)])).into());
    }
    let rule = Rule { position: store::rules::next_position(tx)?, retired_at: None, ..rule };
    store::rules::insert(tx, &rule)?;
    let compiled =
        compile(rule.clone()).map_err(|e| anyhow::anyhow!("rule {} checked but not parsed: {e}", rule.code))?;
    let one = RuleSet { rules: vec![compiled] };
    let periods: Vec<Period> = open_periods(tx.now).to_vec();
    let mut flags = 0;
    for &p in &periods {
        flags += backfill(tx, &one, &rule.applies_to, p)?;
    }
    let mut detail = store::rules::added_detail(&rule);
    detail["flags"] = json!({ "periods": periods.iter().map(|p| p.to_string()).collect::<Vec<_>>(), "raised": flags });
    tx.audit(Event::new("rule.add").target(&rule.code).detail(detail))?;
    Ok(Added { periods, flags })
}

/// Check one rule against every org's stored values of a period (one pass over the period's
/// values) and store the flags it raises; how many.
fn backfill(tx: &Tx, one: &RuleSet, applies: &str, period: Period) -> Result<usize> {
    let needs_last = one.reads_last(applies);
    let now = tx.now_stored();
    let indicators: Vec<String> = one.rules.iter().flat_map(|c| indicators_of(&c.cond)).collect();
    let mut raised = Vec::new();
    // Every org that reported something this month, as a write of its values would judge it:
    // only the values the rule reads are read.
    store::rules::each_org_period(tx, applies == "school", period, needs_last, &indicators, |o| {
        let info = Info { students: o.students, teachers: o.teachers, classes: o.classes };
        let facts = Facts { period, this: &o.this, last: needs_last.then_some(&o.last), info };
        for x in one.judge(applies, &facts) {
            raised.push((o.org_id, x.code.clone(), x.detail().to_string()));
        }
    })?;
    for (org_id, code, detail) in &raised {
        store::rules::put_flag(tx, *org_id, period, code, detail, &now)?;
    }
    Ok(raised.len())
}

/// `eip report rules retire` (Ministry admin): the rule no longer applies and its flags are
/// withdrawn; it stays readable. `None` when it was already retired; else the flags withdrawn.
pub fn retire(tx: &mut Tx, actor: &Actor, code: &str) -> Result<Option<usize>> {
    perm::require(actor, Action::RuleManage, &actor.org)?;
    let Some(rule) = store::rules::find(tx, code)? else {
        return Err(error::not_found(tf("rules.none", &[("code", &code)])).hint(t("rules.none.hint")).into());
    };
    if rule.retired_at.is_some() {
        return Ok(None);
    }
    store::rules::retire(tx, code, &tx.now_stored())?;
    let withdrawn = store::rules::delete_rule_flags(tx, code)?;
    tx.audit(Event::new("rule.retire").target(code).detail(json!({
        "before": { "retired": false }, "after": { "retired": true }, "flags_withdrawn": withdrawn,
    })))?;
    Ok(Some(withdrawn))
}

// ================================================================== reading the flags

/// Whether a subtree is the whole tree: its flags are then read from the period's, not org by org.
fn whole(root: &Org) -> bool {
    root.level == Level::Ministry
}

/// Every flag of a subtree's period (the root included), in tree order, then the rules' order.
pub fn flags_under(conn: &Conn, root: &Org, period: Period) -> Result<Vec<FlagRow>> {
    let (lo, hi) = root.subtree();
    store::rules::flags_under(conn, &lo, &hi, whole(root), period, None)
}

/// The first `limit` flags of a subtree's period, and how many there are in all.
pub fn first_flags(conn: &Conn, root: &Org, period: Period, limit: usize) -> Result<(Vec<FlagRow>, i64)> {
    let (lo, hi) = root.subtree();
    let w = whole(root);
    Ok((
        store::rules::flags_under(conn, &lo, &hi, w, period, Some(limit))?,
        store::rules::count_under(conn, &lo, &hi, w, period)?,
    ))
}

/// How many flags a subtree's period holds (the root included).
pub fn count_under(conn: &Conn, root: &Org, period: Period) -> Result<i64> {
    let (lo, hi) = root.subtree();
    store::rules::count_under(conn, &lo, &hi, whole(root), period)
}

/// How many flags lie in each of `tops`' subtrees for the period, read in one query over the
/// subtree of `root` (which holds them all): by the top's path. A flag under no top is not
/// counted.
pub fn counts_by(conn: &Conn, root: &Org, tops: &[&str], period: Period) -> Result<BTreeMap<String, i64>> {
    let (lo, hi) = root.subtree();
    let mut out: BTreeMap<String, i64> = tops.iter().map(|p| (p.to_string(), 0)).collect();
    store::rules::each_flag_count(conn, &lo, &hi, whole(root), period, |path, n| {
        // The org's path and each of its ancestors' (`/a/b/c/` → `/a/b/c/`, `/a/b/`, `/a/`).
        let mut end = path.len();
        while end > 1 {
            if let Some(c) = out.get_mut(&path[..end]) {
                *c += n;
                return;
            }
            end = path[..end - 1].rfind('/').map_or(0, |i| i + 1);
        }
    })?;
    Ok(out)
}

/// How many flags each org of a subtree has for the period, by its path (orgs without any are
/// not in it), in one query.
pub fn counts_per_org(conn: &Conn, root: &Org, period: Period) -> Result<std::collections::HashMap<String, i64>> {
    let (lo, hi) = root.subtree();
    let mut out = std::collections::HashMap::new();
    store::rules::each_flag_count(conn, &lo, &hi, whole(root), period, |path, n| {
        out.insert(path.to_string(), n);
    })?;
    Ok(out)
}

/// A flag's severity in words.
pub fn severity_label(severity: &str) -> &'static str {
    if severity == "error" {
        t("severity.error")
    } else {
        t("severity.warning")
    }
}

impl FlagRow {
    /// The rule's message in the reader's language.
    pub fn message(&self) -> &str {
        message(&self.message_zh, &self.message_en)
    }

    /// The values it read, as a person reads them.
    pub fn values(&self) -> String {
        show_detail(&self.detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ind(code: &str, kind: &str, filled_by: &str) -> Indicator {
        Indicator {
            code: code.into(),
            name_zh: code.into(),
            name_en: code.into(),
            kind: kind.into(),
            unit: String::new(),
            filled_by: filled_by.into(),
            position: 1,
            retired_at: None,
            measure: "stock".into(),
        }
    }

    /// The seeded catalogue (examples/data/indicators.csv), as `eip init` has it.
    fn seeded_catalogue() -> Vec<Indicator> {
        let mut r = csv::Reader::from_reader(crate::setup::INDICATORS_CSV.as_bytes());
        r.records()
            .map(|rec| {
                let rec = rec.unwrap();
                Indicator { measure: rec[6].to_string(), ..ind(&rec[0], &rec[3], &rec[5]) }
            })
            .collect()
    }

    fn at(src: &str) -> (Pos, String) {
        crate::i18n::set_lang(Lang::En);
        let e = parse(src).expect_err(src);
        (e.pos, e.message)
    }

    fn vals(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn p() -> Period {
        Period::new(2026, 11).unwrap()
    }

    fn run(src: &str, this: &[(&str, &str)], last: &[(&str, &str)], info: Info) -> Outcome {
        let this = vals(this);
        let last = vals(last);
        evaluate(&parse(src).unwrap(), &Facts { period: p(), this: &this, last: Some(&last), info })
    }

    fn is_trip(o: &Outcome) -> bool {
        matches!(o, Outcome::Trip(_))
    }

    #[test]
    fn the_grammar_reads_what_it_says() {
        let c = parse("a + 2 * b <= c or d = 1 and e > 0").unwrap();
        // `and` binds tighter than `or`; `*` tighter than `+`.
        let Cond::Or(l, r) = c else { panic!("or on top") };
        assert!(matches!(*r, Cond::And(..)));
        let Cond::Cmp(Num::Arith(_, ArithOp::Add, m), CmpOp::Le, _) = *l else { panic!("a + (2*b) <= c") };
        assert!(matches!(*m, Num::Arith(_, ArithOp::Mul, _)));
        assert!(parse("change(classrooms) within 0.33..3").is_ok());
        assert!(parse("(a + b) / 2 >= -1").is_ok());
        assert!(parse("(a > 1 or b > 1) and c != 0").is_ok());
        assert!(parse("x WITHIN -1 .. 1 AND y <> 2").is_ok());
        assert!(parse("school.students >= 0").is_ok());
        assert_eq!(
            parse("change(k) within 0.33..3").unwrap(),
            Cond::Within(Num::Change { code: "k".into(), pos: 8 }, 0.33, 3.0)
        );
    }

    #[test]
    fn every_syntax_error_names_its_position() {
        assert_eq!(at("multimedia_classrooms <= )"), (26, "expected a number or an indicator, found ')'".into()));
        assert_eq!(
            at("multimedia_classrooms <="),
            (25, "expected a number or an indicator, found the end of the rule".into())
        );
        assert_eq!(
            at("classrooms"),
            (11, "expected a comparison (<, <=, >, >=, =, !=) or within, found the end of the rule".into())
        );
        assert_eq!(at("a < b < c").0, 7);
        assert_eq!(at("a <= b c").0, 8);
        assert_eq!(at("a # b").0, 3);
        assert_eq!(at("(a <= b").0, 8);
        assert_eq!(at("a within 3..1").0, 10);
        assert_eq!(at("a within 1 3").0, 12);
        assert_eq!(at("school.pupils > 1").0, 8);
        assert_eq!(at("change classrooms > 1").0, 8);
        assert_eq!(at("change(and) > 1").0, 8);
        assert_eq!(at("(a > 1) + 1 > 2").0, 1);
        assert_eq!(at("a > 1 or b").0, 11);
        assert_eq!(at("a > 1 and or b > 1").0, 11);
        assert_eq!(at("教室 > 1").0, 1);
        // Positions count characters, not bytes.
        assert_eq!(at("a > 1 or 教 > 1").0, 10);
    }

    #[test]
    fn what_a_rule_reads_is_checked_against_the_catalogue() {
        crate::i18n::set_lang(Lang::En);
        let cat = vec![
            ind("classrooms", "count", "school"),
            ind("remark", "text", "school"),
            ind("funding", "decimal", "unit"),
            Indicator { retired_at: Some("2026-01-01T00:00:00Z".into()), ..ind("old", "count", "school") },
        ];
        let chk = |src: &str, applies: &str| check(&parse(src).unwrap(), &cat, applies).map_err(|e| (e.pos, e.message));
        assert_eq!(chk("classrooms >= 0", "school"), Ok(()));
        assert_eq!(
            chk("classrooms <= clasrooms", "school"),
            Err((15, "unknown indicator clasrooms (see eip report indicators)".into()))
        );
        assert_eq!(chk("remark > 0", "school").unwrap_err().0, 1);
        assert_eq!(chk("old > 0", "school").unwrap_err().0, 1);
        assert_eq!(chk("classrooms > funding", "school").unwrap_err().0, 14);
        assert_eq!(chk("funding > 0 and classrooms > 0", "unit").unwrap_err().0, 17);
        assert_eq!(chk("funding > school.teachers", "unit").unwrap_err().0, 11);
        assert_eq!(chk("change(funding) within 0.5..2", "unit"), Ok(()));
        assert_eq!(chk("1 < 2", "school").unwrap_err().0, 1);
    }

    #[test]
    fn the_seeded_rules_parse_and_check() {
        let cat = seeded_catalogue();
        for r in store::rules::seeded().unwrap() {
            let c = parse(&r.expression).unwrap_or_else(|e| panic!("{}: {e}", r.code));
            check(&c, &cat, &r.applies_to).unwrap_or_else(|e| panic!("{}: {e}", r.code));
        }
    }

    #[test]
    fn a_blank_is_unknown_and_logic_has_three_values() {
        let none = Info::default();
        assert_eq!(run("a <= b", &[("a", "5"), ("b", "10")], &[], none), Outcome::Pass);
        assert!(is_trip(&run("a <= b", &[("a", "50"), ("b", "10")], &[], none)));
        // A blank skips the comparison, whichever side it is on.
        assert_eq!(run("a <= b", &[("a", "50")], &[], none), Outcome::Skip);
        assert_eq!(run("a <= b", &[("b", "50")], &[], none), Outcome::Skip);
        // false or unknown: unknown; true or unknown: true; false and unknown: false.
        assert_eq!(run("a = 0 or b = 1", &[("a", "5")], &[], none), Outcome::Skip);
        assert_eq!(run("a = 0 or b = 1", &[("a", "0")], &[], none), Outcome::Pass);
        assert!(is_trip(&run("a = 0 and b = 1", &[("a", "5")], &[], none)));
        assert_eq!(run("a = 5 and b = 1", &[("a", "5")], &[], none), Outcome::Skip);
        // A division by zero skips.
        assert_eq!(run("a / b > 1", &[("a", "5"), ("b", "0")], &[], none), Outcome::Skip);
        // Basic info: blank unknown, filled read.
        assert_eq!(run("a <= school.teachers", &[("a", "5")], &[], none), Outcome::Skip);
        let info = Info { teachers: Some(4), ..none };
        let Outcome::Trip(reads) = run("a <= school.teachers", &[("a", "5")], &[], info) else { panic!("5 > 4") };
        assert_eq!(show_reads(&reads), "a=5, school.teachers=4");
        // Decimals compare as written: 0.1 + 0.2 = 0.3.
        assert_eq!(run("a + b = 0.3", &[("a", "0.1"), ("b", "0.2")], &[], none), Outcome::Pass);
    }

    #[test]
    fn change_is_this_month_over_last_and_skips_blanks_and_zeros() {
        let none = Info::default();
        let rule = "change(k) within 0.33..3";
        assert_eq!(run(rule, &[("k", "20")], &[("k", "10")], none), Outcome::Pass);
        assert_eq!(run(rule, &[("k", "30")], &[("k", "10")], none), Outcome::Pass, "the bounds are in");
        let Outcome::Trip(reads) = run(rule, &[("k", "40")], &[("k", "10")], none) else { panic!("4×") };
        assert_eq!(show_reads(&reads), "k=40, k@2026-10=10");
        assert!(is_trip(&run(rule, &[("k", "3")], &[("k", "10")], none)));
        for (this, last) in [
            (&[("k", "40")][..], &[][..]),
            (&[][..], &[("k", "10")][..]),
            (&[("k", "0")], &[("k", "10")]),
            (&[("k", "40")], &[("k", "0")]),
        ] {
            assert_eq!(run(rule, this, last, none), Outcome::Skip, "{this:?} {last:?}");
        }
    }

    #[test]
    fn the_two_bandwidth_rules_with_a_blank() {
        let none = Info::default();
        let needs_access = "bandwidth_mbps = 0 or internet_access = 1";
        let needs_bandwidth = "internet_access = 0 or bandwidth_mbps > 0";
        // Bandwidth not reported: neither rule knows about it.
        assert_eq!(run(needs_access, &[("internet_access", "0")], &[], none), Outcome::Skip);
        assert_eq!(run(needs_bandwidth, &[("internet_access", "1")], &[], none), Outcome::Skip);
        // A school not connected needs no bandwidth, whatever is reported.
        assert_eq!(run(needs_bandwidth, &[("internet_access", "0")], &[], none), Outcome::Pass);
        // Reported: each trips on its case.
        assert!(is_trip(&run(needs_access, &[("internet_access", "0"), ("bandwidth_mbps", "20")], &[], none)));
        assert!(is_trip(&run(needs_bandwidth, &[("internet_access", "1"), ("bandwidth_mbps", "0")], &[], none)));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn no_input_panics_the_parser(src in "\\PC{0,120}") {
            if let Err(e) = parse(&src) {
                prop_assert!(e.pos >= 1 && e.pos <= src.chars().count() + 1, "{} outside {:?}", e.pos, src);
            }
        }

        #[test]
        fn no_rule_like_input_panics_the_parser(src in "[a-z_. ()0-9<>=!+*/-]{0,80}|(change|within|and|or|school\\.|[a-c]|[0-9.]{1,4}|\\.\\.|[()<>=!+*/-]| ){0,30}") {
            match parse(&src) {
                Err(e) => prop_assert!(e.pos >= 1 && e.pos <= src.chars().count() + 1, "{} outside {:?}", e.pos, src),
                // What parses evaluates without panicking, blanks or not.
                Ok(c) => {
                    let this = vals(&[("a", "1"), ("b", "0")]);
                    let _ = evaluate(&c, &Facts { period: p(), this: &this, last: None, info: Info::default() });
                }
            }
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_overflowed() {
        let deep = format!("{}a{} > 1", "(".repeat(10_000), ")".repeat(10_000));
        assert!(parse(&deep).is_err());
        let signs = format!("{}a > 1", "-".repeat(10_000));
        assert!(parse(&signs).is_err());
    }
}
