//! Upgrades from older files, in order: `MIGRATIONS[i]` takes version `i + 1` to `i + 2`.
//! `schema.sql` is always the newest schema; a fresh database gets it whole, and a file upgraded
//! through every migration ends with the same tables, constraints and triggers.

pub const MIGRATIONS: &[&str] = &[];
