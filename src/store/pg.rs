//! PostgreSQL, the second backend (docs/DEPLOYMENT.md): the connection string and the password
//! as libpq finds them, TLS, the statement text, values both ways, and what the server's errors
//! mean. Like `conn.rs`, the only file that speaks the driver's own types.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::error::Error as StdError;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use postgres::types::{FromSql, IsNull, ToSql, Type};
use postgres::{Client, Statement};

use super::bind::{Param, Value, ValueRef};
use crate::error::{self, Error, Kind, Result};
use crate::i18n::{t, tf};

type BoxError = Box<dyn StdError + Sync + Send>;

/// Whether `--db` names a PostgreSQL database (`postgres://…` or `postgresql://…`) rather than a file.
pub fn is_url(db: &Path) -> bool {
    db.to_str().is_some_and(|s| s.starts_with("postgres://") || s.starts_with("postgresql://"))
}

/// A parsed connection string: what eip connects with, and how it names the database to a person
/// (never with a password: a URL that carries one is refused).
pub struct Target {
    config: postgres::Config,
    /// `user@host:port/db`, for messages and the session file's key.
    pub shown: String,
    sslmode: SslMode,
    root_cert: Option<PathBuf>,
    pub dbname: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum SslMode {
    Disable,
    Prefer,
    Require,
}

impl SslMode {
    /// libpq's words; eip always checks the server's certificate and name (docs/DEPLOYMENT.md).
    fn parse(v: &str) -> Option<SslMode> {
        match v {
            "disable" => Some(SslMode::Disable),
            "allow" | "prefer" => Some(SslMode::Prefer),
            "require" | "verify-ca" | "verify-full" => Some(SslMode::Require),
            _ => None,
        }
    }

    /// As libpq: the URL's sslmode, else `PGSSLMODE` (whatever else the URL names), else
    /// prefer. A `PGSSLMODE` that is not a mode is refused, as the same word in the URL is.
    fn or_env(url: Option<SslMode>, env: Option<&str>) -> std::result::Result<SslMode, String> {
        match (url, env) {
            (Some(m), _) => Ok(m),
            (None, Some(v)) if !v.is_empty() => SslMode::parse(v).ok_or_else(|| format!("PGSSLMODE={v}")),
            (None, _) => Ok(SslMode::Prefer),
        }
    }
}

impl Target {
    /// Parse `postgres://USER@HOST[:PORT]/DB[?sslmode=…&sslrootcert=FILE&…]`. The password comes
    /// from `PGPASSWORD` or the password file (`PGPASSFILE`, else `~/.pgpass`), as libpq finds it.
    pub fn parse(url: &str) -> Result<Target> {
        let bad = |why: String| -> anyhow::Error {
            error::usage(tf("pg.bad_url", &[("why", &why)])).hint(t("pg.bad_url.hint")).into()
        };
        // libpq's parameters the driver does not know: eip takes them out and acts on them.
        let (base, query) = url.split_once('?').unwrap_or((url, ""));
        let mut kept = Vec::new();
        let mut sslmode = None;
        let mut root_cert = std::env::var_os("PGSSLROOTCERT").map(PathBuf::from);
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            match k {
                "sslmode" => sslmode = Some(SslMode::parse(v).ok_or_else(|| bad(format!("sslmode={v}")))?),
                "sslrootcert" => root_cert = Some(PathBuf::from(percent_decode(v))),
                "password" => return Err(password_in_url()),
                _ => kept.push(pair),
            }
        }
        let sslmode = SslMode::or_env(sslmode, std::env::var("PGSSLMODE").ok().as_deref()).map_err(bad)?;
        let rebuilt = if kept.is_empty() { base.to_string() } else { format!("{base}?{}", kept.join("&")) };
        let mut config = postgres::Config::from_str(&rebuilt).map_err(|e| bad(e.to_string()))?;
        if config.get_password().is_some() {
            return Err(password_in_url());
        }
        if config.get_user().is_none() {
            let user = std::env::var("PGUSER").or_else(|_| std::env::var("USER")).unwrap_or_else(|_| "postgres".into());
            config.user(&user);
        }
        if config.get_hosts().is_empty() {
            config.host(&std::env::var("PGHOST").unwrap_or_else(|_| "localhost".into()));
        }
        let user = config.get_user().unwrap_or_default().to_string();
        let dbname = config.get_dbname().map(str::to_string).unwrap_or_else(|| user.clone());
        config.dbname(&dbname);
        let host = match config.get_hosts().first() {
            Some(postgres::config::Host::Tcp(h)) => h.clone(),
            #[cfg(unix)]
            Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        if config.get_ports().is_empty() {
            config.port(port);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        config.application_name("eip");
        let password = std::env::var("PGPASSWORD")
            .ok()
            .filter(|p| !p.is_empty())
            .or_else(|| passfile_password(&host, port, &dbname, &user));
        if let Some(p) = password {
            config.password(p);
        }
        let shown = format!("postgres://{user}@{host}:{port}/{dbname}");
        Ok(Target { config, shown, sslmode, root_cert, dbname })
    }

    /// Connect, with TLS as `sslmode` says.
    pub fn connect(&self) -> Result<Client> {
        let mut config = self.config.clone();
        let client = match self.sslmode {
            SslMode::Disable => {
                config.ssl_mode(postgres::config::SslMode::Disable);
                config.connect(postgres::NoTls)
            }
            mode => {
                config.ssl_mode(if mode == SslMode::Require {
                    postgres::config::SslMode::Require
                } else {
                    postgres::config::SslMode::Prefer
                });
                config.connect(self.tls()?)
            }
        };
        client.map_err(|e| self.unreachable(e))
    }

    fn tls(&self) -> Result<tokio_postgres_rustls::MakeRustlsConnect> {
        let mut roots = rustls::RootCertStore::empty();
        match &self.root_cert {
            Some(file) => {
                let pem = std::fs::read(file).map_err(|e| {
                    Error::new(Kind::Database, tf("pg.root_cert", &[("path", &file.display()), ("why", &e)]))
                })?;
                for cert in rustls_pemfile::certs(&mut pem.as_slice()).flatten() {
                    let _ = roots.add(cert);
                }
            }
            None => {
                for cert in rustls_native_certs::load_native_certs().certs {
                    let _ = roots.add(cert);
                }
            }
        }
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| anyhow::anyhow!("TLS: {e}"))?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
    }

    /// A server eip could not reach or sign in to, in words, with the way out (exit 7).
    fn unreachable(&self, e: postgres::Error) -> anyhow::Error {
        let code = e.code().map(|c| c.code().to_string()).unwrap_or_default();
        // The server asked for a password and eip had none (no PGPASSWORD, nothing in the
        // password file): the driver's "invalid configuration: password missing".
        let no_password = e.source().is_some_and(|s| s.to_string().contains("password missing"));
        let (key, hint) = match code.as_str() {
            "28P01" | "28000" => ("pg.auth", "pg.auth.hint"),
            "3D000" => ("pg.no_database", "pg.no_database.hint"),
            _ if no_password => ("pg.auth", "pg.auth.hint"),
            _ => ("pg.unreachable", "pg.unreachable.hint"),
        };
        let detail = match e.as_db_error() {
            Some(d) => d.message().to_string(),
            None if no_password => t("pg.no_password").to_string(),
            None => e.to_string(),
        };
        Error::new(Kind::Database, tf(key, &[("db", &self.shown), ("detail", &detail)]))
            .hint(tf(hint, &[("db", &self.shown), ("name", &self.dbname)]))
            .into()
    }
}

fn password_in_url() -> anyhow::Error {
    error::usage(t("pg.password_in_url")).hint(t("pg.password_in_url.hint")).into()
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The password libpq's password file gives for this connection: `PGPASSFILE`, else
/// `~/.pgpass`; lines `host:port:database:user:password`, `*` matching anything, `\` escaping
/// `:` and `\`. As libpq, a file others may read is ignored (with a warning) on unix.
fn passfile_password(host: &str, port: u16, db: &str, user: &str) -> Option<String> {
    let file = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| directories::BaseDirs::new().map(|d| d.home_dir().join(".pgpass")))?;
    let text = std::fs::read_to_string(&file).ok()?;
    #[cfg(unix)]
    if crate::files::mode_of(&file).is_some_and(|m| m & 0o077 != 0) {
        // Once per process, however often the target is read.
        static WARNED: std::sync::Once = std::sync::Once::new();
        WARNED.call_once(|| eprintln!("{}", tf("pg.passfile_open", &[("path", &file.display())])));
        return None;
    }
    // A unix socket is "localhost" to the password file, as to libpq.
    let host = if host.starts_with('/') { "localhost" } else { host };
    let port = port.to_string();
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = split_passfile_line(line);
        if fields.len() < 5 {
            continue;
        }
        let matches = |f: &str, v: &str| f == "*" || f == v;
        if matches(&fields[0], host)
            && matches(&fields[1], &port)
            && matches(&fields[2], db)
            && matches(&fields[3], user)
        {
            return Some(fields[4].clone());
        }
    }
    None
}

fn split_passfile_line(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    fields.last_mut().expect("one field").push(n);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => fields.last_mut().expect("one field").push(c),
        }
    }
    fields
}

/// SQL as eip's store writes it (SQLite's dialect, `?1` placeholders) in PostgreSQL's: `$1`
/// placeholders (a bare `?` numbered in order), and the few SQLite spellings with a plain
/// PostgreSQL equal — `CROSS JOIN` (SQLite's join-order hint) is `JOIN`, `instr` is `strpos`,
/// `char(N)` is `chr(N)`, `group_concat(x, sep)` is `string_agg(x, sep)`. Text inside quotes is left alone. What has no plain equal is written
/// for each backend in the store itself (`Conn::dialect`).
pub fn translate(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut bare = 0;
    let mut chars = sql.char_indices().peekable();
    let mut quote: Option<char> = None;
    while let Some((i, c)) = chars.next() {
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => {
                quote = Some(c);
                out.push(c);
            }
            '?' => {
                let mut digits = String::new();
                while let Some(&(_, d)) = chars.peek().filter(|(_, d)| d.is_ascii_digit()) {
                    digits.push(d);
                    chars.next();
                }
                if digits.is_empty() {
                    bare += 1;
                    digits = bare.to_string();
                }
                out.push('$');
                out.push_str(&digits);
            }
            _ => {
                let word_start = i == 0 || !is_word(sql[..i].chars().next_back().unwrap_or(' '));
                let rest = &sql[i..];
                let swap = [
                    ("CROSS JOIN", "JOIN"),
                    ("instr(", "strpos("),
                    ("char(", "chr("),
                    ("group_concat(", "string_agg("),
                ]
                .into_iter()
                .find(|(from, _)| word_start && rest.starts_with(from));
                match swap {
                    Some((from, to)) => {
                        out.push_str(to);
                        for _ in 1..from.chars().count() {
                            chars.next();
                        }
                    }
                    None => out.push(c),
                }
            }
        }
    }
    out
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A connection to a PostgreSQL database, with its prepared statements.
pub struct Pg {
    client: RefCell<Client>,
    statements: RefCell<HashMap<String, Statement>>,
    /// Inside a transaction (eip's own `BEGIN`), as SQLite's "not autocommit".
    pub in_tx: Cell<bool>,
    /// Inside `Db::write`, which runs its transaction again when asked (see `statement`).
    pub rerunnable: Cell<bool>,
    /// A statement of the current transaction failed: the server has aborted it, and would
    /// answer `COMMIT` by rolling back without an error (`Conn::end` refuses to call that done).
    pub failed: Cell<bool>,
    /// Statements whose first prepare inside a write was refused for a parameter's type: prepared
    /// under a savepoint from then on.
    guarded: RefCell<HashSet<String>>,
}

/// How long a write waits for another's lock before giving up (exit 7), as SQLite's busy timeout.
const LOCK_TIMEOUT: &str = "60s";

impl Pg {
    pub fn new(mut client: Client) -> Result<Pg> {
        client.batch_execute(&format!(
            "SET lock_timeout = '{LOCK_TIMEOUT}'; SET client_min_messages = warning; SET TIME ZONE 'UTC'"
        ))?;
        Ok(Pg {
            client: RefCell::new(client),
            statements: RefCell::new(HashMap::new()),
            in_tx: Cell::new(false),
            rerunnable: Cell::new(false),
            failed: Cell::new(false),
            guarded: RefCell::new(HashSet::new()),
        })
    }

    /// The prepared statement for `sql`. A parameter whose type the server cannot infer from
    /// the statement (`?3 IS NULL OR …` alone) is given the type of the value bound to it the
    /// first time (an integer int8, a real float8, text or NULL text), as SQLite, which has no
    /// types, takes it; every other parameter's type is still the server's inference.
    ///
    /// A refused prepare ends the transaction it is in. In a read snapshot, a migration, a copy or
    /// `init`, every first prepare is therefore made under a savepoint (two more round trips). A
    /// write of `Db::write` is cheaper to run again than to guard: its first prepares go
    /// unguarded, and the rare refusal marks the statement as guarded and fails the write with the
    /// server's 42P08/42P18 ([`PrepareAgain`]), which `Db::write` runs again; nothing of the first
    /// run was written.
    fn statement(&self, sql: &str, params: &[ValueRef]) -> Result<Statement> {
        if let Some(s) = self.statements.borrow().get(sql) {
            return Ok(s.clone());
        }
        let text = translate(sql);
        // OID 0: "let the server infer it", as libpq's unspecified parameter type.
        let inferred = Type::new("unspecified".into(), 0, postgres::types::Kind::Simple, "pg_catalog".into());
        let mut types: Vec<Type> = vec![inferred; params.len()];
        let guard = self.in_tx.get() && (!self.rerunnable.get() || self.guarded.borrow().contains(sql));
        let mut tries = 0;
        let s = loop {
            match self.prepare(&text, &types, guard) {
                Err(e) if untyped(&e) && self.in_tx.get() && !guard => {
                    self.guarded.borrow_mut().insert(sql.to_string());
                    return Err(PrepareAgain(e).into());
                }
                // 42P08, 42P18: a parameter whose type cannot be determined; its number is in the
                // message ("… of parameter $3").
                Err(e) if untyped(&e) && tries <= params.len() => {
                    let message = e.as_db_error().map(|d| d.message().to_string()).unwrap_or_default();
                    let n: Option<usize> = message.rsplit('$').next().and_then(|d| d.trim().parse().ok());
                    let Some(i) = n.and_then(|n| n.checked_sub(1)).filter(|i| *i < params.len()) else {
                        return Err(e.into());
                    };
                    types[i] = match params[i] {
                        ValueRef::Int(_) => Type::INT8,
                        ValueRef::Real(_) => Type::FLOAT8,
                        ValueRef::Text(_) | ValueRef::Null => Type::TEXT,
                    };
                    tries += 1;
                }
                other => break other?,
            }
        };
        self.statements.borrow_mut().insert(sql.to_string(), s.clone());
        Ok(s)
    }

    /// Prepare `text` with these parameter types. A statement the server refuses to prepare
    /// inside a transaction would end the transaction, unless a savepoint takes the refusal back.
    fn prepare(&self, text: &str, types: &[Type], guarded: bool) -> std::result::Result<Statement, postgres::Error> {
        let mut client = self.client.borrow_mut();
        if guarded {
            client.batch_execute("SAVEPOINT eip_prepare")?;
        }
        let prepared = client.prepare_typed(text, types);
        if guarded {
            client.batch_execute(if prepared.is_ok() {
                "RELEASE SAVEPOINT eip_prepare"
            } else {
                "ROLLBACK TO SAVEPOINT eip_prepare"
            })?;
        }
        prepared
    }

    pub fn exec(&self, sql: &str, params: &[ValueRef]) -> Result<usize> {
        self.noting_failure(|| {
            let st = self.statement(sql, params)?;
            let bound: Vec<Bind> = params.iter().map(|v| Bind(*v)).collect();
            let refs: Vec<&(dyn ToSql + Sync)> = bound.iter().map(|b| b as &(dyn ToSql + Sync)).collect();
            Ok(self.client.borrow_mut().execute(&st, &refs)? as usize)
        })
    }

    pub fn query(&self, sql: &str, params: &[ValueRef]) -> Result<Vec<postgres::Row>> {
        self.noting_failure(|| {
            let st = self.statement(sql, params)?;
            let bound: Vec<Bind> = params.iter().map(|v| Bind(*v)).collect();
            let refs: Vec<&(dyn ToSql + Sync)> = bound.iter().map(|b| b as &(dyn ToSql + Sync)).collect();
            Ok(self.client.borrow_mut().query(&st, &refs)?)
        })
    }

    pub fn batch(&self, sql: &str) -> Result<()> {
        self.noting_failure(|| Ok(self.client.borrow_mut().batch_execute(sql)?))
    }

    /// Run one statement; a failure inside a transaction is remembered ([`Pg::failed`]).
    fn noting_failure<T>(&self, run: impl FnOnce() -> Result<T>) -> Result<T> {
        let done = run();
        if done.is_err() && self.in_tx.get() {
            self.failed.set(true);
        }
        done
    }

    pub fn insert_values(&self, sql: &str, values: &[Value]) -> Result<usize> {
        let refs: Vec<ValueRef> = values.iter().map(Param::value).collect();
        self.exec(sql, &refs)
    }
}

/// A value bound to whatever type the server inferred for its placeholder.
struct Bind<'a>(ValueRef<'a>);

impl std::fmt::Debug for Bind<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl ToSql for Bind<'_> {
    fn to_sql(&self, ty: &Type, out: &mut bytes::BytesMut) -> std::result::Result<IsNull, BoxError> {
        let mismatch = || -> BoxError { format!("cannot bind {:?} as {}", self.0, ty.name()).into() };
        match self.0 {
            ValueRef::Null => Ok(IsNull::Yes),
            ValueRef::Int(v) => match *ty {
                Type::INT8 => v.to_sql(ty, out),
                Type::INT4 => i32::try_from(v).map_err(|_| mismatch())?.to_sql(ty, out),
                Type::INT2 => i16::try_from(v).map_err(|_| mismatch())?.to_sql(ty, out),
                Type::FLOAT8 => (v as f64).to_sql(ty, out),
                Type::FLOAT4 => (v as f32).to_sql(ty, out),
                Type::BOOL => (v != 0).to_sql(ty, out),
                Type::NUMERIC => numeric(&v.to_string(), out),
                _ => v.to_string().as_str().to_sql(&Type::TEXT, out),
            },
            ValueRef::Real(v) => match *ty {
                Type::FLOAT8 => v.to_sql(ty, out),
                Type::FLOAT4 => (v as f32).to_sql(ty, out),
                Type::NUMERIC => numeric(&v.to_string(), out),
                _ => v.to_string().as_str().to_sql(&Type::TEXT, out),
            },
            ValueRef::Text(s) => match *ty {
                Type::INT8 => s.parse::<i64>().map_err(|_| mismatch())?.to_sql(ty, out),
                Type::INT4 => s.parse::<i32>().map_err(|_| mismatch())?.to_sql(ty, out),
                Type::FLOAT8 => s.parse::<f64>().map_err(|_| mismatch())?.to_sql(ty, out),
                Type::NUMERIC => numeric(s, out),
                Type::JSONB => {
                    out.extend_from_slice(&[1]);
                    out.extend_from_slice(s.as_bytes());
                    Ok(IsNull::No)
                }
                _ => s.to_sql(&Type::TEXT, out),
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

/// A decimal in NUMERIC's binary form: digits in base 10,000 around the point.
fn numeric(s: &str, out: &mut bytes::BytesMut) -> std::result::Result<IsNull, BoxError> {
    let s = s.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty() || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit()) {
        return Err(format!("not a number: {s}").into());
    }
    let int = int.trim_start_matches('0');
    let pad_int = (4 - int.len() % 4) % 4;
    let int_digits = format!("{}{int}", "0".repeat(pad_int));
    let pad_frac = (4 - frac.len() % 4) % 4;
    let frac_digits = format!("{frac}{}", "0".repeat(pad_frac));
    let mut groups: Vec<i16> = Vec::new();
    for chunk in int_digits.as_bytes().chunks(4).chain(frac_digits.as_bytes().chunks(4)) {
        groups.push(std::str::from_utf8(chunk)?.parse()?);
    }
    let weight = (int_digits.len() / 4) as i16 - 1;
    for v in [groups.len() as i16, weight, if neg { 0x4000 } else { 0 }, frac.len() as i16] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    for g in groups {
        out.extend_from_slice(&g.to_be_bytes());
    }
    Ok(IsNull::No)
}

/// Any value a column can hold, read whatever its type.
#[derive(Debug, Clone, PartialEq)]
pub enum Any {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bool(bool),
}

impl<'a> FromSql<'a> for Any {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Any, BoxError> {
        Ok(match *ty {
            Type::INT8 => Any::Int(i64::from_sql(ty, raw)?),
            Type::INT4 => Any::Int(i32::from_sql(ty, raw)?.into()),
            Type::INT2 => Any::Int(i16::from_sql(ty, raw)?.into()),
            Type::OID => Any::Int(u32::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Any::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Any::Real(f32::from_sql(ty, raw)?.into()),
            Type::BOOL => Any::Bool(bool::from_sql(ty, raw)?),
            Type::NUMERIC => from_numeric(raw)?,
            Type::JSONB => Any::Text(std::str::from_utf8(raw.get(1..).unwrap_or_default())?.to_string()),
            _ => Any::Text(std::str::from_utf8(raw)?.to_string()),
        })
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Any, BoxError> {
        Ok(Any::Null)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// NUMERIC's binary form read back: a whole number as an integer (a sum of integers), else a real.
fn from_numeric(raw: &[u8]) -> std::result::Result<Any, BoxError> {
    let word = |i: usize| -> std::result::Result<i16, BoxError> {
        Ok(i16::from_be_bytes(raw.get(i * 2..i * 2 + 2).ok_or("short NUMERIC")?.try_into()?))
    };
    let (n, weight, sign, scale) = (word(0)? as usize, word(1)? as i32, word(2)? as u16, word(3)?);
    if sign == 0xC000 {
        return Ok(Any::Real(f64::NAN));
    }
    let mut int: i128 = 0;
    let mut real = 0f64;
    for i in 0..n {
        let d = word(4 + i)? as i128;
        let power = weight - i as i32;
        real += d as f64 * 10000f64.powi(power);
        if power >= 0 {
            int = int.saturating_add(d.saturating_mul(10000i128.saturating_pow(power as u32)));
        }
    }
    let neg = sign == 0x4000;
    if scale == 0 && i64::try_from(int).is_ok() {
        let v = int as i64;
        return Ok(Any::Int(if neg { -v } else { v }));
    }
    Ok(Any::Real(if neg { -real } else { real }))
}

/// Read column `i` of a row as any value.
pub fn column(row: &postgres::Row, i: usize) -> Result<Any> {
    Ok(row.try_get::<_, Any>(i)?)
}

// ---------------------------------------------------------------- what the server's errors mean

/// The SQLSTATE of a server's error, if the error came from the server.
pub fn state(e: &postgres::Error) -> Option<&str> {
    e.code().map(|c| c.code())
}

/// A serialisation failure or a deadlock: the transaction may simply be run again.
pub fn is_retryable(err: &anyhow::Error) -> bool {
    err.chain().filter_map(|c| c.downcast_ref::<postgres::Error>()).any(|e| matches!(state(e), Some("40001" | "40P01")))
}

/// A write's first prepare of a statement, refused for a parameter's type (`Pg::statement`): the
/// statement is now marked, and the next run prepares it under a savepoint. Each such refusal
/// marks a statement not marked before, so running again on it always ends.
#[derive(Debug)]
pub struct PrepareAgain(postgres::Error);

impl std::fmt::Display for PrepareAgain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl StdError for PrepareAgain {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.0)
    }
}

/// Whether a write failed only because a statement must be prepared again ([`PrepareAgain`]).
pub fn prepare_again(err: &anyhow::Error) -> bool {
    err.chain().any(|c| c.is::<PrepareAgain>())
}

/// 42P08, 42P18: the server could not settle a parameter's type.
fn untyped(e: &postgres::Error) -> bool {
    matches!(state(e), Some("42P08" | "42P18"))
}

/// What an error from PostgreSQL means to a person: exit 7 for a lost or refused connection, a
/// lock not had in time or a server's refusal of eip's own statement, else none of these.
pub fn kind(e: &postgres::Error) -> Kind {
    match state(e) {
        None if e.is_closed() || e.source().is_some_and(|s| s.is::<std::io::Error>()) => Kind::Database,
        None => Kind::Other,
        Some(s) if s.starts_with("08") || s.starts_with("57") || s.starts_with("53") || s.starts_with("58") => {
            Kind::Database
        }
        Some("55P03" | "40001" | "40P01" | "42501" | "28P01" | "28000" | "3D000" | "25006") => Kind::Database,
        Some(_) => Kind::Other,
    }
}

/// The words and the way out for a PostgreSQL error that reached `main`, if it is one eip
/// explains: a lost connection (the server restarted: nothing of the change was written), a lock
/// not had in time, or a privilege the role lacks.
pub fn explain(err: &anyhow::Error) -> Option<Error> {
    let e = err.chain().find_map(|c| c.downcast_ref::<postgres::Error>())?;
    let detail = e.as_db_error().map(|d| d.message().to_string()).unwrap_or_else(|| e.to_string());
    let (key, hint) = match state(e) {
        None if kind(e) == Kind::Database => ("pg.lost", "pg.lost.hint"),
        None => return None,
        Some(s) if s.starts_with("08") || s.starts_with("57") => ("pg.lost", "pg.lost.hint"),
        Some("55P03" | "40001" | "40P01") => ("db.busy", "pg.busy.hint"),
        Some("42501") => ("pg.privilege", "pg.privilege.hint"),
        Some("25006") => ("pg.read_only", "pg.read_only.hint"),
        // Any other refusal by the server (a trigger's, a constraint's): its own words, not the
        // driver's "db error".
        Some(_) => return Some(Error::new(kind(e), detail)),
    };
    Some(Error::new(Kind::Database, tf(key, &[("detail", &detail)])).hint(t(hint)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_sqlite_spellings_become_postgresql() {
        assert_eq!(translate("SELECT a FROM t WHERE a = ?1 AND b = ?12"), "SELECT a FROM t WHERE a = $1 AND b = $12");
        assert_eq!(translate("VALUES (?,?),(?,?)"), "VALUES ($1,$2),($3,$4)");
        assert_eq!(translate("SELECT '?1', \"x?\" FROM t WHERE c = ?2"), "SELECT '?1', \"x?\" FROM t WHERE c = $2");
        assert_eq!(translate("FROM s CROSS JOIN org o ON o.id = s.org_id"), "FROM s JOIN org o ON o.id = s.org_id");
        assert_eq!(translate("instr(o.name, ?6) > 0 AND x || char(31)"), "strpos(o.name, $6) > 0 AND x || chr(31)");
        assert_eq!(translate("SELECT subinstr(a), varchar(3)"), "SELECT subinstr(a), varchar(3)");
        assert_eq!(translate("SELECT '中文?' || ?1"), "SELECT '中文?' || $1");
    }

    #[test]
    fn a_password_in_the_url_is_refused() {
        assert!(Target::parse("postgres://eip:secret@db.example/eip").is_err());
        assert!(Target::parse("postgres://eip@db.example/eip?password=secret").is_err());
        let t = Target::parse("postgres://eip@db.example:6543/nation?sslmode=require").unwrap();
        assert_eq!(t.shown, "postgres://eip@db.example:6543/nation");
        assert!(Target::parse("postgres://eip@db.example/eip?sslmode=sometimes").is_err());
    }

    #[test]
    fn pgsslmode_applies_whenever_the_url_names_no_sslmode() {
        // A URL with other parameters (sslrootcert) still takes PGSSLMODE's verify-full.
        assert_eq!(SslMode::or_env(None, Some("verify-full")), Ok(SslMode::Require));
        assert_eq!(SslMode::or_env(Some(SslMode::Disable), Some("verify-full")), Ok(SslMode::Disable));
        assert_eq!(SslMode::or_env(None, None), Ok(SslMode::Prefer));
        assert_eq!(SslMode::or_env(None, Some("")), Ok(SslMode::Prefer));
        // A mistyped mode is refused, never quietly "prefer".
        assert!(SslMode::or_env(None, Some("verify_full")).is_err());
    }

    #[test]
    fn password_file_lines_split_on_unescaped_colons() {
        assert_eq!(split_passfile_line(r"db:5432:*:eip:pa\:ss\\w"), vec!["db", "5432", "*", "eip", r"pa:ss\w"]);
        assert_eq!(split_passfile_line("h:1:d:u:with:colon"), vec!["h", "1", "d", "u", "with:colon"]);
    }

    #[test]
    fn numerics_read_as_integers_when_whole() {
        let mut buf = bytes::BytesMut::new();
        numeric("123456789", &mut buf).unwrap();
        assert_eq!(from_numeric(&buf).unwrap(), Any::Int(123456789));
        let mut buf = bytes::BytesMut::new();
        numeric("-42", &mut buf).unwrap();
        assert_eq!(from_numeric(&buf).unwrap(), Any::Int(-42));
        let mut buf = bytes::BytesMut::new();
        numeric("2.5", &mut buf).unwrap();
        assert_eq!(from_numeric(&buf).unwrap(), Any::Real(2.5));
    }
}
