//! eip: the command-line administration tool for the National Education Informatization Work
//! Progress Information System (全国教育信息化工作进展信息系统).
//!
//! The commands live in [`cmd`]; the rules live below them in modules named after the domain.

pub mod account;
pub mod aggregate;
pub mod audit;
pub mod auth;
pub mod bulletin;
pub mod calendar;
pub mod chart;
pub mod cmd;
pub mod context;
pub mod csvio;
pub mod cycle;
pub mod dataset;
pub mod doctor;
pub mod error;
pub mod evaluation;
pub mod facts;
pub mod files;
pub mod help_zh;
pub mod i18n;
pub mod import;
pub mod indicators;
pub mod model;
pub mod output;
pub mod periods;
pub mod perm;
pub mod progress;
pub mod requests;
pub mod roster;
pub mod rules;
pub mod schools;
pub mod scope;
pub mod setup;
pub mod status;
pub mod store;
pub mod submission;
pub mod terminal;
pub mod text;
pub mod texts;
pub mod trend;
pub mod units;
pub mod values;
pub mod workbook;

// The storage boundary under its old name, until every caller says `store`.
pub use store as db;
