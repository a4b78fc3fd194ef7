//! `eip`: parse, open the context, dispatch, and turn the result into an exit code.

use clap::{FromArgMatches, Parser};

use eip::cmd::{self, Cli};
use eip::context::Ctx;
use eip::error::{self, Kind};
use eip::i18n::{self, t};
use eip::output::{Format, Out};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // The language first: clap's help and usage errors are said in it (--lang is itself one of
    // the arguments clap parses).
    let argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    i18n::set_lang(i18n::detect(cmd::help::lang_flag(&argv).as_deref()));
    // A command line that parses needs no words; help and usage errors are rendered by a second
    // parse with the whole interface built and dressed in the language (the same structure, so
    // the same outcome), which costs a few milliseconds only when there is something to say.
    let parsed = Cli::try_parse_from(&argv).or_else(|_| {
        let mut command = cmd::help::command_in(i18n::lang());
        command
            .try_get_matches_from_mut(&argv)
            .and_then(|mut m| Cli::from_arg_matches_mut(&mut m).map_err(|e| e.format(&mut command)))
    });
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let code = if e.use_stderr() { Kind::Usage.exit_code() } else { 0 };
            if e.use_stderr() {
                // A usage error quotes what was typed: never a raw control character.
                let text = cmd::help::render_error(e, i18n::lang());
                eprint!("{}", eip::terminal::escape_document(&text));
            } else {
                let _ = e.print();
            }
            std::process::exit(code);
        }
    };
    i18n::set_lang(i18n::detect(cli.global.lang.as_deref()));
    let out = Out::new(cli.global.format, cli.global.quiet, cli.global.verbose);
    let mut ctx = Ctx::new(out, cli.global.db.clone(), cli.global.journal);
    ctx.lang_given = cli.global.lang.is_some();
    let args: Vec<String> = std::env::args_os().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    let result = eip::text::check_arguments(&args)
        .map_err(anyhow::Error::from)
        .and_then(|()| cmd::run_command(&mut ctx, cli.command));
    let code = match result {
        Ok(()) => 0,
        Err(err) => {
            if is_broken_pipe(&err) {
                0
            } else {
                ctx.record_denial(&err);
                report(&ctx.out, &err, &ctx.db_path);
                eip::store::errors::kind_of(&err).exit_code()
            }
        }
    };
    std::process::exit(code);
}

/// Whether the reader of stdout went away (`eip … | head`): the io error may come wrapped by the
/// JSON or CSV writer.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == BrokenPipe)
            || c.downcast_ref::<serde_json::Error>().is_some_and(|e| e.io_error_kind() == Some(BrokenPipe))
            || c.downcast_ref::<csv::Error>()
                .is_some_and(|e| matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == BrokenPipe))
    })
}

/// `error: <what happened>`, the cause chain, then `hint: <the way out>`; one JSON object on
/// stderr with `--format json`.
fn report(out: &Out, err: &anyhow::Error, db_path: &std::path::Path) {
    let kind = eip::store::errors::kind_of(err);
    // A damaged file, found wherever it was read: said in words, with the way out.
    let damaged = eip::store::errors::damage_of(err).map(|detail| eip::db::damaged(db_path, &detail));
    // A lost connection or a refusal by the PostgreSQL server, in words, with the way out.
    let server = eip::store::pg::explain(err);
    let ours = damaged.as_ref().or(error::eip_error(err)).or(server.as_ref());
    let message = match ours {
        Some(e) => e.message.clone(),
        None if kind == Kind::Database => format!("{}: {err}", t("db.unusable")),
        None => err.to_string(),
    };
    let causes: Vec<String> = err.chain().skip(1).map(|c| c.to_string()).filter(|c| *c != message).collect();
    let hint = ours.and_then(|e| e.hint.clone());
    if out.format == Format::Json {
        let obj = serde_json::json!({
            "error": message,
            "kind": kind.name(),
            "exit_code": kind.exit_code(),
            "reason": ours.and_then(|e| e.reason),
            "causes": causes,
            "hint": hint,
        });
        eprintln!("{obj}");
        return;
    }
    // Messages quote names and values: escaped, so that none acts on the terminal. A message of
    // several problems is several lines (their values escaped where they were filled in).
    let esc = |s: &str| {
        s.split('\n').map(|l| eip::terminal::escape_for_terminal(l).into_owned()).collect::<Vec<_>>().join("\n")
    };
    eprintln!("{}{}", t("error"), esc(&message));
    for c in causes {
        eprintln!("  {}", esc(&c));
    }
    if let Some(h) = hint {
        eprintln!("{}{}", t("hint"), esc(&h));
    }
}
