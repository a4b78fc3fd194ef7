//! What every command runs with: output settings, the database (opened on first use) and the
//! signed-in account (resolved on first use).

use std::path::PathBuf;

use serde_json::json;

use crate::audit::Event;
use crate::auth::{self, Actor};
use crate::db::{Db, Journal};
use crate::error::{self, Result};
use crate::output::Out;

pub struct Ctx {
    pub out: Out,
    pub db_path: PathBuf,
    pub journal: Option<Journal>,
    /// Whether `--db`/`EIP_DB` named the database (else the default path is used).
    pub db_explicit: bool,
    /// Whether `--lang` chose the language (else it came from the environment).
    pub lang_given: bool,
    db: Option<Db>,
    actor: Option<Actor>,
}

/// `--db`, else `EIP_DB` (both through clap), else `eip.db` in the platform data dir.
pub fn default_db_path() -> PathBuf {
    directories::ProjectDirs::from("cn", "edu", "eip")
        .map(|p| p.data_dir().join("eip.db"))
        .unwrap_or_else(|| PathBuf::from("eip.db"))
}

impl Ctx {
    pub fn new(out: Out, db_path: Option<PathBuf>, journal: Option<Journal>) -> Ctx {
        let db_explicit = db_path.is_some();
        Ctx {
            out,
            db_path: db_path.unwrap_or_else(default_db_path),
            journal,
            db_explicit,
            lang_given: false,
            db: None,
            actor: None,
        }
    }

    /// The database, opened (and upgraded) on first use.
    pub fn db(&mut self) -> Result<&mut Db> {
        if self.db.is_none() {
            let db = Db::open(&self.db_path, self.journal)?;
            warn_if_world_writable(&self.out, &self.db_path);
            warn_if_clock_behind(&self.out, &db)?;
            self.db = Some(db);
        }
        Ok(self.db.as_mut().expect("opened above"))
    }

    /// Use a database created by this command (init, demo).
    pub fn set_db(&mut self, db: Db) {
        self.db = Some(db);
    }

    /// The signed-in account; every command but init, login, demo, completions and
    /// `report calendar` starts here.
    pub fn actor(&mut self) -> Result<Actor> {
        if let Some(a) = &self.actor {
            return Ok(a.clone());
        }
        let db = self.db()?;
        let actor = auth::current_actor(&db.conn, &db.path, db.now)?;
        self.out.debug(&format!("acting as {} ({}, {})", actor.username, actor.role.as_str(), actor.org.code));
        self.actor = Some(actor.clone());
        Ok(actor)
    }

    /// The database and the signed-in account together.
    pub fn signed_in(&mut self) -> Result<(&mut Db, Actor)> {
        let actor = self.actor()?;
        Ok((self.db()?, actor))
    }

    /// The database with the monthly cycle brought up to now, and the signed-in account: every
    /// command that reads or changes a period's state starts here, so the auto-submissions due
    /// by now are made in one place, before the command looks (docs/ARCHITECTURE.md).
    pub fn current(&mut self) -> Result<(&mut Db, Actor)> {
        let actor = self.actor()?;
        let db = self.db()?;
        crate::submission::catch_up(db)?;
        Ok((db, actor))
    }

    /// Record a permission refusal once the command has failed with one.
    pub fn record_denial(&mut self, err: &anyhow::Error) {
        let Some(e) = error::eip_error(err) else {
            return;
        };
        let (Some(denial), Some(actor)) = (&e.denial, &self.actor) else {
            return;
        };
        let Some(db) = self.db.as_mut() else { return };
        let ev = Event::new("denied")
            .target(&denial.target)
            .scope(&actor.org.path)
            .detail(json!({ "attempted": denial.action, "role": actor.role.as_str() }));
        let _ = db.write(&actor.audit_actor(), |tx| tx.audit(ev.clone()));
    }
}

/// A database file others can write is a risk worth saying .
/// A command whose time is earlier than the newest audit event's: a test clock moved back (or a
/// database used once without `EIP_NOW`, its automatic submissions made at the real date), or a
/// machine whose clock is wrong. Said once, on stderr; the command runs (one indexed read).
fn warn_if_clock_behind(out: &Out, db: &Db) -> Result<()> {
    if let Some(newest) = crate::audit::newest_at(&db.conn)?.filter(|t| *t > db.now) {
        let show = |t| format!("{} {}", crate::calendar::show_cst(t, false), crate::i18n::t("cst"));
        let key = if db.test_clock { "clock.behind.test" } else { "clock.behind" };
        out.warn(&crate::i18n::tf(key, &[("now", &show(db.now)), ("newest", &show(newest))]));
    }
    Ok(())
}

fn warn_if_world_writable(out: &Out, path: &std::path::Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path) {
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o022 != 0 {
                out.warn(&crate::i18n::tf(
                    "db.writable_warning",
                    &[("path", &path.display()), ("mode", &format!("{mode:o}"))],
                ));
            } else if mode & 0o004 != 0 {
                // Readable by anyone: the password hashes, names and mobiles in it are not private.
                out.warn(&crate::i18n::tf(
                    "db.private_warning",
                    &[("path", &path.display()), ("mode", &format!("{mode:o}"))],
                ));
            }
        }
    }
}
