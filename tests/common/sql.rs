//! Looking into the database on either backend: `Sql` (what `Env::conn()` gives), one connection
//! to the test's SQLite file or to its PostgreSQL database, with the few calls the tests make —
//! `query_row`, `execute`, `execute_batch`, `prepare(…).query_map`. SQL is written once, with
//! `?1`-style (or bare `?`) placeholders, as SQLite reads it; on PostgreSQL they become `$1`.
//! A row's values are read the same on both: integers of any width (and NUMERIC sums that are
//! whole) as `i64`, floats as `f64`, text as `String`, a comparison as `bool` or `i64` (0 or 1),
//! NULL as `None`.

use std::cell::RefCell;
use std::error::Error as StdError;
use std::fmt;

use postgres::types::{FromSql, ToSql, Type};

/// One connection to the test's database.
pub enum Sql {
    Lite(rusqlite::Connection),
    Pg(Box<RefCell<postgres::Client>>),
}

/// A value as both backends give it back.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

/// What went wrong, in the backend's words (`NoRows`: `query_row` found none).
#[derive(Debug)]
pub enum SqlError {
    NoRows,
    Other(String),
}

impl fmt::Display for SqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlError::NoRows => f.write_str("the query returned no rows"),
            SqlError::Other(s) => f.write_str(s),
        }
    }
}

impl StdError for SqlError {}

impl From<rusqlite::Error> for SqlError {
    fn from(e: rusqlite::Error) -> Self {
        match e {
            rusqlite::Error::QueryReturnedNoRows => SqlError::NoRows,
            e => SqlError::Other(e.to_string()),
        }
    }
}

impl From<postgres::Error> for SqlError {
    fn from(e: postgres::Error) -> Self {
        match e.as_db_error() {
            Some(db) => SqlError::Other(format!("{}: {}", db.severity(), db.message())),
            None => SqlError::Other(format!("{e} ({:?})", e.source())),
        }
    }
}

pub type SqlResult<T> = Result<T, SqlError>;

/// `query_row(…).optional()`: no row is `None`, as rusqlite's `OptionalExtension` does.
pub trait Optional<T> {
    fn optional(self) -> SqlResult<Option<T>>;
}

impl<T> Optional<T> for SqlResult<T> {
    fn optional(self) -> SqlResult<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(SqlError::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

// ---------------------------------------------------------------- parameters

/// A value a test binds to a placeholder.
pub trait ToValue {
    fn to_value(&self) -> Value;
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}
impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_string())
    }
}
impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}
impl ToValue for [u8] {
    fn to_value(&self) -> Value {
        Value::Blob(self.to_vec())
    }
}
impl ToValue for Vec<u8> {
    fn to_value(&self) -> Value {
        Value::Blob(self.clone())
    }
}
impl ToValue for f64 {
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
}
impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Int(*self as i64)
    }
}
impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}
impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        match self {
            Some(v) => v.to_value(),
            None => Value::Null,
        }
    }
}
macro_rules! int_to_value {
    ($($t:ty)+) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::Int(i64::try_from(*self).expect("an integer that fits in i64"))
            }
        }
    )+};
}
int_to_value!(i8 i16 i32 i64 u8 u16 u32 u64 usize isize);

/// The parameters of one statement: `[]`, `[a, b]` (values of one type), `params![a, b]`.
pub trait Params {
    fn values(self) -> Vec<Value>;
}

impl Params for [&dyn ToValue; 0] {
    fn values(self) -> Vec<Value> {
        vec![]
    }
}
impl Params for () {
    fn values(self) -> Vec<Value> {
        vec![]
    }
}
impl Params for &[&dyn ToValue] {
    fn values(self) -> Vec<Value> {
        self.iter().map(|v| v.to_value()).collect()
    }
}
impl Params for Vec<Value> {
    fn values(self) -> Vec<Value> {
        self
    }
}
macro_rules! array_params {
    ($($n:literal)+) => {$(
        impl<T: ToValue> Params for [T; $n] {
            fn values(self) -> Vec<Value> {
                self.iter().map(|v| v.to_value()).collect()
            }
        }
        impl<T: ToValue + ?Sized> Params for &[&T; $n] {
            fn values(self) -> Vec<Value> {
                self.iter().map(|v| v.to_value()).collect()
            }
        }
    )+};
}
array_params!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);

/// Parameters of different types: `params![name, 3, None::<String>]`.
macro_rules! params {
    () => { &[] as &[&dyn $crate::common::ToValue] };
    ($($p:expr),+ $(,)?) => { &[$(&$p as &dyn $crate::common::ToValue),+] as &[&dyn $crate::common::ToValue] };
}
#[allow(unused_imports)]
pub(crate) use params;

// ---------------------------------------------------------------- rows

/// One row, its values read the same whichever backend gave them.
pub struct Row {
    names: std::rc::Rc<Vec<String>>,
    values: Vec<Value>,
}

/// A column by position or by name.
pub trait ColumnIndex {
    fn index(&self, names: &[String]) -> SqlResult<usize>;
}
impl ColumnIndex for usize {
    fn index(&self, names: &[String]) -> SqlResult<usize> {
        if *self < names.len() {
            Ok(*self)
        } else {
            Err(SqlError::Other(format!("no column {self}: the row has {}", names.len())))
        }
    }
}
impl ColumnIndex for &str {
    fn index(&self, names: &[String]) -> SqlResult<usize> {
        names.iter().position(|n| n == self).ok_or_else(|| SqlError::Other(format!("no column named {self}")))
    }
}

impl Row {
    pub fn get<I: ColumnIndex, T: FromValue>(&self, i: I) -> SqlResult<T> {
        let i = i.index(&self.names)?;
        T::from_value(&self.values[i])
            .map_err(|why| SqlError::Other(format!("column {i} ({}): {why}: {:?}", self.names[i], self.values[i])))
    }
    /// The value as stored.
    pub fn value(&self, i: usize) -> &Value {
        &self.values[i]
    }
    pub fn len(&self) -> usize {
        self.values.len()
    }
}

/// A type a test reads a value as.
pub trait FromValue: Sized {
    fn from_value(v: &Value) -> Result<Self, String>;
}

impl FromValue for Value {
    fn from_value(v: &Value) -> Result<Self, String> {
        Ok(v.clone())
    }
}
impl FromValue for i64 {
    fn from_value(v: &Value) -> Result<Self, String> {
        match v {
            Value::Int(n) => Ok(*n),
            _ => Err("not an integer".into()),
        }
    }
}
macro_rules! int_from_value {
    ($($t:ty)+) => {$(
        impl FromValue for $t {
            fn from_value(v: &Value) -> Result<Self, String> {
                let n = i64::from_value(v)?;
                <$t>::try_from(n).map_err(|e| e.to_string())
            }
        }
    )+};
}
int_from_value!(i8 i16 i32 u8 u16 u32 u64 usize isize);
impl FromValue for f64 {
    fn from_value(v: &Value) -> Result<Self, String> {
        match v {
            Value::Real(x) => Ok(*x),
            Value::Int(n) => Ok(*n as f64),
            _ => Err("not a number".into()),
        }
    }
}
impl FromValue for bool {
    fn from_value(v: &Value) -> Result<Self, String> {
        match v {
            Value::Int(n) => Ok(*n != 0),
            _ => Err("not a truth value".into()),
        }
    }
}
impl FromValue for String {
    fn from_value(v: &Value) -> Result<Self, String> {
        match v {
            Value::Text(s) => Ok(s.clone()),
            _ => Err("not text".into()),
        }
    }
}
impl FromValue for Vec<u8> {
    fn from_value(v: &Value) -> Result<Self, String> {
        match v {
            Value::Blob(b) => Ok(b.clone()),
            Value::Text(s) => Ok(s.as_bytes().to_vec()),
            _ => Err("not bytes".into()),
        }
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(v: &Value) -> Result<Self, String> {
        match v {
            Value::Null => Ok(None),
            v => T::from_value(v).map(Some),
        }
    }
}

// ---------------------------------------------------------------- statements

impl Sql {
    /// Connect to `db`: a PostgreSQL URL, or else a SQLite file.
    pub fn open(db: &str) -> Sql {
        if db.starts_with("postgres://") || db.starts_with("postgresql://") {
            let client =
                postgres::Client::connect(db, postgres::NoTls).unwrap_or_else(|e| panic!("connect to {db}: {e}"));
            Sql::Pg(Box::new(RefCell::new(client)))
        } else {
            Sql::Lite(rusqlite::Connection::open(db).expect("open db"))
        }
    }

    /// The SQLite connection itself, for what only SQLite has (PRAGMAs); the tests that use it
    /// are SQLite only.
    pub fn lite(&self) -> &rusqlite::Connection {
        match self {
            Sql::Lite(c) => c,
            Sql::Pg(_) => panic!("a SQLite connection asked of PostgreSQL: mark the test sqlite_only"),
        }
    }

    pub fn is_pg(&self) -> bool {
        matches!(self, Sql::Pg(_))
    }

    /// Every row the statement gives.
    pub fn rows(&self, sql: &str, params: impl Params) -> SqlResult<Vec<Row>> {
        let values = params.values();
        match self {
            Sql::Lite(c) => {
                let mut stmt = c.prepare(sql)?;
                let names: std::rc::Rc<Vec<String>> =
                    std::rc::Rc::new(stmt.column_names().into_iter().map(str::to_string).collect());
                let n = names.len();
                let mut rows = stmt.query(rusqlite::params_from_iter(values.iter().map(lite_value)))?;
                let mut out = vec![];
                while let Some(r) = rows.next()? {
                    let values = (0..n).map(|i| r.get_ref(i).map(from_lite)).collect::<Result<Vec<_>, _>>()?;
                    out.push(Row { names: names.clone(), values });
                }
                Ok(out)
            }
            Sql::Pg(c) => {
                let (names, rows) = pg_run(&mut c.borrow_mut(), sql, &values)?;
                let names = std::rc::Rc::new(names);
                rows.iter()
                    .map(|r| {
                        let values = (0..names.len())
                            .map(|i| r.try_get::<_, PgValue>(i).map(|v| v.0))
                            .collect::<Result<Vec<_>, _>>()?;
                        Ok(Row { names: names.clone(), values })
                    })
                    .collect()
            }
        }
    }

    /// The first row, through `f` (`NoRows` if there is none).
    pub fn query_row<T>(&self, sql: &str, params: impl Params, f: impl FnOnce(&Row) -> SqlResult<T>) -> SqlResult<T> {
        let rows = self.rows(sql, params)?;
        f(rows.first().ok_or(SqlError::NoRows)?)
    }

    /// Run one statement; how many rows it changed.
    pub fn execute(&self, sql: &str, params: impl Params) -> SqlResult<usize> {
        let values = params.values();
        match self {
            Sql::Lite(c) => Ok(c.execute(sql, rusqlite::params_from_iter(values.iter().map(lite_value)))?),
            Sql::Pg(c) => {
                let mut client = c.borrow_mut();
                let stmt = client.prepare(&dollar_placeholders(sql))?;
                let params =
                    values.iter().zip(stmt.params()).map(|(v, ty)| pg_param(v, ty)).collect::<Result<Vec<_>, _>>()?;
                let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref()).collect();
                Ok(client.execute(&stmt, &refs)? as usize)
            }
        }
    }

    /// Several statements, no parameters.
    pub fn execute_batch(&self, sql: &str) -> SqlResult<()> {
        match self {
            Sql::Lite(c) => Ok(c.execute_batch(sql)?),
            Sql::Pg(c) => Ok(c.borrow_mut().batch_execute(sql)?),
        }
    }

    /// A statement to run with `query_map` (rusqlite's shape: the rows come back as an iterator).
    pub fn prepare<'a>(&'a self, sql: &str) -> SqlResult<Stmt<'a>> {
        Ok(Stmt { conn: self, sql: sql.to_string() })
    }

    /// Tamper with the audit trail as someone with the database in hand could, with `sql`: on
    /// SQLite the named guard trigger (`audit_no_update`, `audit_no_delete`) dropped first; on
    /// PostgreSQL, as its superuser, the table's triggers disabled for the statement and enabled
    /// again (eip refuses a database whose audit triggers are off). How many rows it changed.
    pub fn tamper_audit(&self, trigger: &str, sql: &str, params: impl Params) -> SqlResult<usize> {
        match self {
            Sql::Lite(_) => {
                self.execute_batch(&format!("DROP TRIGGER IF EXISTS {trigger}"))?;
                self.execute(sql, params)
            }
            Sql::Pg(_) => {
                self.execute_batch("ALTER TABLE audit DISABLE TRIGGER USER")?;
                let changed = self.execute(sql, params);
                self.execute_batch("ALTER TABLE audit ENABLE TRIGGER USER")?;
                changed
            }
        }
    }
}

pub struct Stmt<'a> {
    conn: &'a Sql,
    sql: String,
}

impl Stmt<'_> {
    pub fn query_map<T>(
        &mut self,
        params: impl Params,
        mut f: impl FnMut(&Row) -> SqlResult<T>,
    ) -> SqlResult<std::vec::IntoIter<SqlResult<T>>> {
        let rows = self.conn.rows(&self.sql, params)?;
        Ok(rows.iter().map(&mut f).collect::<Vec<_>>().into_iter())
    }
}

/// `?1`/`?` placeholders as PostgreSQL's `$1`, outside quoted text and names.
pub fn dollar_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    let mut next = 0;
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
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
                while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                    digits.push(*d);
                    chars.next();
                }
                if digits.is_empty() {
                    next += 1;
                    digits = next.to_string();
                }
                out.push('$');
                out.push_str(&digits);
            }
            c => out.push(c),
        }
    }
    out
}

fn lite_value(v: &Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as L;
    match v {
        Value::Null => L::Null,
        Value::Int(n) => L::Integer(*n),
        Value::Real(x) => L::Real(*x),
        Value::Text(s) => L::Text(s.clone()),
        Value::Blob(b) => L::Blob(b.clone()),
    }
}

fn from_lite(v: rusqlite::types::ValueRef<'_>) -> Value {
    use rusqlite::types::ValueRef as L;
    match v {
        L::Null => Value::Null,
        L::Integer(n) => Value::Int(n),
        L::Real(x) => Value::Real(x),
        L::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        L::Blob(b) => Value::Blob(b.to_vec()),
    }
}

type BoxError = Box<dyn StdError + Sync + Send>;

/// A parameter as the type PostgreSQL expects at its place.
fn pg_param(v: &Value, ty: &Type) -> Result<Box<dyn ToSql + Sync>, SqlError> {
    let bad = || SqlError::Other(format!("cannot bind {v:?} as {ty}"));
    let int = || -> Result<i64, SqlError> {
        match v {
            Value::Int(n) => Ok(*n),
            Value::Text(s) => s.trim().parse().map_err(|_| bad()),
            Value::Real(x) if x.fract() == 0.0 => Ok(*x as i64),
            _ => Err(bad()),
        }
    };
    let text = || -> Result<String, SqlError> {
        match v {
            Value::Text(s) => Ok(s.clone()),
            Value::Int(n) => Ok(n.to_string()),
            Value::Real(x) => Ok(x.to_string()),
            Value::Blob(b) => String::from_utf8(b.clone()).map_err(|_| bad()),
            Value::Null => Err(bad()),
        }
    };
    let real = || -> Result<f64, SqlError> {
        match v {
            Value::Real(x) => Ok(*x),
            Value::Int(n) => Ok(*n as f64),
            Value::Text(s) => s.trim().parse().map_err(|_| bad()),
            _ => Err(bad()),
        }
    };
    let null = *v == Value::Null;
    Ok(match *ty {
        Type::INT8 => Box::new((!null).then(int).transpose()?),
        Type::INT4 => Box::new((!null).then(|| int().and_then(|n| i32::try_from(n).map_err(|_| bad()))).transpose()?),
        Type::INT2 => Box::new((!null).then(|| int().and_then(|n| i16::try_from(n).map_err(|_| bad()))).transpose()?),
        Type::OID => Box::new((!null).then(|| int().and_then(|n| u32::try_from(n).map_err(|_| bad()))).transpose()?),
        Type::FLOAT8 => Box::new((!null).then(real).transpose()?),
        Type::FLOAT4 => Box::new((!null).then(|| real().map(|x| x as f32)).transpose()?),
        Type::BOOL => Box::new((!null).then(|| int().map(|n| n != 0)).transpose()?),
        Type::BYTEA => Box::new(match v {
            Value::Null => None,
            Value::Blob(b) => Some(b.clone()),
            _ => Some(text()?.into_bytes()),
        }),
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
            Box::new((!null).then(text).transpose()?)
        }
        _ => return Err(SqlError::Other(format!("the harness does not bind {ty} parameters: cast the placeholder"))),
    })
}

/// Run `sql` on PostgreSQL with `values` bound: the rows, or how many it changed.
fn pg_run(client: &mut postgres::Client, sql: &str, values: &[Value]) -> SqlResult<(Vec<String>, Vec<postgres::Row>)> {
    let stmt = client.prepare(&dollar_placeholders(sql))?;
    if stmt.params().len() != values.len() {
        return Err(SqlError::Other(format!(
            "{} parameters given, {} wanted: {sql}",
            values.len(),
            stmt.params().len()
        )));
    }
    let params = values.iter().zip(stmt.params()).map(|(v, ty)| pg_param(v, ty)).collect::<Result<Vec<_>, _>>()?;
    let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p.as_ref()).collect();
    let names = stmt.columns().iter().map(|c| c.name().to_string()).collect();
    Ok((names, client.query(&stmt, &refs)?))
}

/// A column read as whatever PostgreSQL sent.
struct PgValue(Value);

impl<'a> FromSql<'a> for PgValue {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> Result<Self, BoxError> {
        let v = match *ty {
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Int(i32::from_sql(ty, raw)? as i64),
            Type::INT2 => Value::Int(i16::from_sql(ty, raw)? as i64),
            Type::OID => Value::Int(u32::from_sql(ty, raw)? as i64),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f32::from_sql(ty, raw)? as f64),
            Type::BOOL => Value::Int(bool::from_sql(ty, raw)? as i64),
            Type::NUMERIC => numeric(raw)?,
            Type::BYTEA => Value::Blob(raw.to_vec()),
            Type::JSONB => Value::Text(String::from_utf8(raw.get(1..).unwrap_or_default().to_vec())?),
            Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN | Type::JSON => {
                Value::Text(String::from_utf8(raw.to_vec())?)
            }
            _ => return Err(format!("the harness does not read {ty} columns: cast it in the query").into()),
        };
        Ok(PgValue(v))
    }
    fn from_sql_null(_: &Type) -> Result<Self, BoxError> {
        Ok(PgValue(Value::Null))
    }
    fn accepts(_: &Type) -> bool {
        true
    }
}

/// PostgreSQL's binary NUMERIC: whole numbers as `Int`, others as `Real`.
fn numeric(raw: &[u8]) -> Result<Value, BoxError> {
    let word = |i: usize| -> Result<i16, BoxError> {
        raw.get(i * 2..i * 2 + 2).map(|b| i16::from_be_bytes([b[0], b[1]])).ok_or_else(|| "short NUMERIC".into())
    };
    let (ndigits, weight, sign) = (word(0)? as usize, word(1)? as i32, word(2)? as u16);
    if sign == 0xC000 {
        return Ok(Value::Real(f64::NAN));
    }
    let digits: Vec<i64> = (0..ndigits).map(|i| word(4 + i).map(|d| d as i64)).collect::<Result<_, _>>()?;
    // Digits are base 10,000; the first is worth 10,000^weight.
    let whole = digits.iter().enumerate().all(|(i, d)| *d == 0 || weight - i as i32 >= 0);
    let negative = sign == 0x4000;
    if whole {
        let mut n: i64 = 0;
        for i in 0..=weight.max(-1) {
            let d = digits.get(i as usize).copied().unwrap_or(0);
            n = n.checked_mul(10_000).and_then(|n| n.checked_add(d)).ok_or("NUMERIC beyond i64")?;
        }
        return Ok(Value::Int(if negative { -n } else { n }));
    }
    let x: f64 = digits.iter().enumerate().map(|(i, d)| *d as f64 * 10_000f64.powi(weight - i as i32)).sum();
    Ok(Value::Real(if negative { -x } else { x }))
}

/// SQL saying the JSON text in column `col` holds, at `path` (`after.name`), the SQL value
/// `value` (`1`, `o.name`): SQLite's `json_extract`, PostgreSQL's `jsonb`.
pub fn json_eq(col: &str, path: &str, value: &str) -> String {
    if super::on_pg() {
        format!("(CAST({col} AS jsonb) #> '{{{}}}') = to_jsonb({value})", path.replace('.', ","))
    } else {
        format!("json_extract({col}, '$.{path}') = {value}")
    }
}
