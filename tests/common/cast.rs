//! The people: accounts issued by the Ministry admin, activated and signed in, each in their own
//! config dir; API tokens for the tests that move the clock across days (a session lasts 12 h);
//! and the admins of 石家庄's tree that several files issue alike (`admins`).

use std::process::Command;

use serde_json::Value;

use super::{Env, Run, PASSWORD};

impl Env {
    /// `account add --unit UNIT --role ROLE --name NAME --mobile MOBILE [extra…]` as the Ministry
    /// admin.
    pub fn add_account(&self, unit: &str, role: &str, name: &str, mobile: &str, extra: &[&str]) -> Run {
        let mut args = vec!["account", "add", "--unit", unit, "--role", role, "--name", name, "--mobile", mobile];
        args.extend_from_slice(extra);
        self.admin(&args)
    }

    /// Activate `user` with its one-time `code` and PASSWORD, which signs it in (its own config
    /// dir).
    pub fn activate(&self, user: &str, code: &str) -> Run {
        self.run_stdin(Some(user), &["login", user, "--activate", code, "--password-stdin"], &format!("{PASSWORD}\n"))
    }

    /// Issue an account as the Ministry admin, activate it with PASSWORD and sign it in.
    /// Returns the username.
    pub fn person(&self, unit: &str, role: &str, name: &str, mobile: &str) -> String {
        let r = self.add_account(unit, role, name, mobile, &["--format", "json"]);
        r.ok();
        let j = r.json();
        let user = j["username"].as_str().expect("username").to_string();
        let code = j["activation_code"].as_str().expect("code").to_string();
        self.activate(&user, &code).ok();
        user
    }

    /// `school add ARGS… --format json` as `by`, naming the school's own admin
    /// (`--admin-name`, `--admin-mobile`): that account is activated with PASSWORD and signed in.
    /// Returns its username.
    pub fn school_admin(&self, by: &str, args: &[&str]) -> String {
        let mut a = vec!["school", "add"];
        a.extend_from_slice(args);
        a.extend_from_slice(&["--format", "json"]);
        let j = self.run(Some(by), &a).ok().json();
        let user = j["username"].as_str().expect("username").to_string();
        let code = j["activation_code"].as_str().expect("code").to_string();
        self.activate(&user, &code).ok();
        user
    }

    /// 长安区第一小学 (2113010001) added by `county` (an admin of 130102) with its school admin
    /// `name` (`mobile`), who is activated with PASSWORD and signed in: that username.
    pub fn changan_first_school(&self, county: &str, name: &str, mobile: &str) -> String {
        let args = ["2113010001", "长安区第一小学", "--unit", "130102", "--admin-name", name, "--admin-mobile", mobile];
        self.school_admin(county, &args)
    }

    /// `account token create --name NAME --days DAYS --format json` as `user`: the record.
    pub fn token_record(&self, user: &str, name: &str, days: &str) -> Value {
        self.run(Some(user), &["account", "token", "create", "--name", name, "--days", days, "--format", "json"])
            .ok()
            .json()
    }

    /// A command with an API token instead of a session.
    pub fn command_with_token(&self, tok: &str, args: &[&str]) -> Command {
        let mut c = self.command(None, args);
        c.env("EIP_TOKEN", tok);
        c
    }
}

/// An API token for `user` (valid 365 days of the test clock).
pub fn token(env: &Env, user: &str) -> String {
    env.token_record(user, "t", "365")["token"].as_str().expect("token").to_string()
}

/// Run with an API token instead of a session (for tests that move the clock across days).
pub fn with_token(env: &Env, tok: &str, args: &[&str]) -> Run {
    Env::run_cmd(env.command_with_token(tok, args), None)
}

/// A person with an API token (sessions last 12 h of the test clock; these tests cross days).
pub struct Who {
    pub user: String,
    pub tok: String,
}

/// Issue, activate and sign in a person, and give them a token.
pub fn who(env: &Env, unit: &str, role: &str, name: &str, mobile: &str) -> Who {
    let user = env.person(unit, role, name, mobile);
    let tok = token(env, &user);
    Who { user, tok }
}

/// A command as `w`, with its token, at the env's current clock.
pub fn command(env: &Env, w: &Who, args: &[&str]) -> Command {
    env.command_with_token(&w.tok, args)
}

/// Run as `w`, with its token, at the env's current clock.
pub fn run(env: &Env, w: &Who, args: &[&str]) -> Run {
    with_token(env, &w.tok, args)
}

/// One admin at each level of 河北省 › 石家庄市 › 长安区, and at 桥西区 beside it, each signed in
/// and always the same person (tests/reporting.rs, tests/schools.rs).
pub mod admins {
    use super::super::Env;

    /// The first admin of `unit`, signed in: UNIT-A01.
    fn first_admin(env: &Env, unit: &str, name: &str, mobile: &str) -> String {
        let u = env.person(unit, "admin", name, mobile);
        assert_eq!(u, format!("{unit}-A01"));
        u
    }

    /// 长安区 (130102)'s admin, signed in: 130102-A01.
    pub fn county(env: &Env) -> String {
        first_admin(env, "130102", "长安管", "13700000101")
    }

    /// 桥西区 (130104)'s admin, another county of the same prefecture: 130104-A01.
    pub fn other_county(env: &Env) -> String {
        first_admin(env, "130104", "桥西管", "13700000102")
    }

    /// 石家庄市 (130100)'s admin: 130100-A01.
    pub fn prefecture(env: &Env) -> String {
        first_admin(env, "130100", "市管", "13700000103")
    }

    /// 河北省 (130000)'s admin: 130000-A01.
    pub fn province(env: &Env) -> String {
        first_admin(env, "130000", "省管", "13700000104")
    }
}
