//! `eip report rules | validate` (Art. 1): the plausibility rules — listed, added and
//! retired by a Ministry admin — and every flag they raised in a subtree's period.

use clap::{Args, Subcommand};

use crate::calendar::Period;
use crate::context::Ctx;
use crate::error::Result;
use crate::i18n::tf;
use crate::output::Cell;
use crate::rules::{self, Rule};
use crate::scope;

use super::data::period_for;
use crate::cmd::parse_period;

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Add a rule to the catalogue (Ministry admin); it is checked at once against last month's and
    /// this month's values
    #[command(after_help = "The expression compares an org's values of one month: indicator codes, \
school.students|teachers|classes (a school's basic info), numbers, + - * /, < <= > >= = != (also == \
and <>), and, or, parentheses, and change(K) within LO..HI (this month's K over last month's, both \
ends included). A blank value is unknown: a comparison that reads one is skipped, and and/or follow \
three-valued logic (false and unknown is false, true or unknown is true); the rule trips when it is \
false. change(K) and a division by zero are unknown when a value is blank or zero. A bool reads as \
1 or 0; a text indicator cannot be read.")]
    Add(RuleAddArgs),
    /// Retire a rule: it no longer applies and its flags are withdrawn; it stays listed (Ministry admin)
    Retire(RuleRetireArgs),
}

#[derive(Debug, Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub command: Option<RulesCommand>,
}

#[derive(Debug, Args)]
pub struct RuleAddArgs {
    /// snake_case code, e.g. computers_le_students
    pub code: String,
    /// school (schools and teaching points) or unit (admin units' own figures)
    #[arg(long, value_parser = ["school", "unit"])]
    pub applies_to: String,
    /// The condition the values must meet, e.g. 'multimedia_classrooms <= classrooms'
    #[arg(long)]
    pub expression: String,
    /// error (refuses the write, exit 6) or warning (stores the value and flags it)
    #[arg(long, value_parser = ["error", "warning"])]
    pub severity: String,
    /// What the rule says when it trips, in Chinese
    #[arg(long)]
    pub message_zh: String,
    /// … and in English
    #[arg(long)]
    pub message_en: String,
}

#[derive(Debug, Args)]
pub struct RuleRetireArgs {
    pub code: String,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// YYYY-MM [default: the oldest period still open for writing]
    #[arg(long, value_parser = parse_period, value_name = "YYYY-MM")]
    pub period: Option<Period>,
    /// Everything below this unit (or this school) [default: your scope]
    #[arg(long, value_name = "CODE")]
    pub under: Option<String>,
}

pub fn rules(ctx: &mut Ctx, a: RulesArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.signed_in()?;
    match a.command {
        None => {
            let rows: Vec<Vec<Cell>> = rules::catalogue(&db.conn)?
                .iter()
                .map(|r| {
                    vec![
                        Cell::from(&r.code),
                        out.word(&r.applies_to, applies_label(&r.applies_to)),
                        Cell::from(&r.expression),
                        out.word(&r.severity, rules::severity_label(&r.severity)),
                        Cell::from(&r.message_zh),
                        Cell::from(&r.message_en),
                        Cell::Bool(r.retired_at.is_some()),
                    ]
                })
                .collect();
            out.list(
                &[
                    ("code", "col.code"),
                    ("applies_to", "col.applies_to"),
                    ("expression", "col.expression"),
                    ("severity", "col.severity"),
                    ("message_zh", "col.message_zh"),
                    ("message_en", "col.message_en"),
                    ("retired", "col.retired"),
                ],
                &rows,
            )
        }
        Some(RulesCommand::Add(r)) => {
            let rule = Rule {
                code: r.code,
                applies_to: r.applies_to,
                expression: r.expression,
                severity: r.severity,
                message_zh: r.message_zh,
                message_en: r.message_en,
                position: 0,
                retired_at: None,
            };
            let done = db.write(&actor.audit_actor(), |tx| rules::add(tx, &actor, &rule))?;
            let periods: Vec<String> = done.periods.iter().map(|p| p.to_string()).collect();
            out.status(&tf(
                "rules.added",
                &[("code", &rule.code.trim()), ("periods", &periods.join(", ")), ("flags", &done.flags)],
            ));
            Ok(())
        }
        Some(RulesCommand::Retire(r)) => {
            let code = r.code.trim().to_string();
            match db.write(&actor.audit_actor(), |tx| rules::retire(tx, &actor, &code))? {
                Some(n) => out.status(&tf("rules.retired_now", &[("code", &code), ("flags", &n)])),
                None => out.status(&tf("rules.already_retired", &[("code", &code)])),
            }
            Ok(())
        }
    }
}

fn applies_label(applies_to: &str) -> &'static str {
    if applies_to == "unit" {
        crate::i18n::t("filled_by.unit")
    } else {
        crate::i18n::t("filled_by.school")
    }
}

pub fn validate(ctx: &mut Ctx, a: ValidateArgs) -> Result<()> {
    let out = ctx.out.clone();
    let (db, actor) = ctx.current()?;
    // A unit's subtree, or one school's own flags.
    let root = match a.under.as_deref() {
        Some(code) => scope::org(&db.conn, &actor, code)?,
        None => scope::under(&db.conn, &actor, None)?,
    };
    let period = period_for(&out, db, &root, a.period)?;
    let flags = rules::flags_under(&db.conn, &root, period)?;
    out.status(&tf("rules.validate_count", &[("count", &flags.len()), ("org", &root.code), ("period", &period)]));
    let rows: Vec<Vec<Cell>> = flags
        .iter()
        .map(|f| {
            let level = crate::model::Level::parse(&f.level);
            vec![
                Cell::from(&f.code),
                Cell::from(&f.name),
                match level {
                    Some(l) => out.word(l.as_str(), l.label()),
                    None => Cell::from(&f.level),
                },
                Cell::from(period.to_string()),
                Cell::from(&f.rule),
                out.word(&f.severity, rules::severity_label(&f.severity)),
                Cell::from(f.message().to_string()),
                Cell::from(f.values()),
                out.when(Some(&f.raised_at)),
            ]
        })
        .collect();
    out.list(
        &[
            ("org", "col.code"),
            ("name", "col.name"),
            ("level", "col.level"),
            ("period", "col.period"),
            ("rule", "col.rule"),
            ("severity", "col.severity"),
            ("message", "col.message"),
            ("values", "col.values_read"),
            ("raised_at", "col.raised_at"),
        ],
        &rows,
    )
}
