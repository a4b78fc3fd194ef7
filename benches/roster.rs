//! Benchmark: a 10,000-person personnel form — a province's dry run, its import (a roster request
//! with 10,000 pending accounts), and the Ministry's approval (10,000 activation codes) — each a
//! whole `eip` process. Run: `cargo bench --bench roster`.

/// 10,000 people in a benchmark run, 300 in a smoke run (`cargo test`).
fn people() -> usize {
    size(10_000, 300)
}

mod common;
use common::*;

/// A synthetic province big enough for 10,000 staff: 40 prefectures × 90 counties.
fn units_csv() -> String {
    let mut s = String::from("code,name,level,parent\n990000,基准省,province,000000\n");
    for p in 1..=40 {
        s.push_str(&format!("99{p:02}00,基准市{p},prefecture,990000\n"));
        for c in 1..=90 {
            s.push_str(&format!("99{p:02}{c:02},基准县{p}-{c},county,99{p:02}00\n"));
        }
    }
    s
}

fn form_csv() -> String {
    let mut s = String::from(
        "全国教育信息化工作进展信息系统管理人员信息表\n单位名称（盖章）：基准省教育厅\n填表日期：2026-11-20\n",
    );
    s.push_str("序号,姓名,单位,类别,处室,职务,办公电话,手机号,电子邮箱\n");
    let mut n = 0;
    'outer: for p in 1..=40 {
        for c in 1..=90 {
            for (role, cat) in [("I", "区县级视察员"), ("R", "区县级审核员"), ("A", "区县级管理员")] {
                n += 1;
                s.push_str(&format!(
                    "{n},人员{n}{role},99{p:02}{c:02},{cat},电教站,科员,0311-1{n:06},139{n:08},p{n}@example.cn\n"
                ));
                if n == people() {
                    break 'outer;
                }
            }
        }
    }
    s
}

fn main() {
    let runs = size(3, 1);
    let people = people();
    let (mut dry, mut file, mut approve) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        // A test-clock database, the Ministry admin signed in; the province and its admin.
        let env = Env::new();
        let units = env.write_file("units.csv", units_csv().as_bytes());
        let form = env.write_file("form.csv", form_csv().as_bytes());
        env.admin(&["unit", "import", &units]).ok();
        let p = env.person("990000", "admin", "省管理员", "13800000002");
        dry.push(timed(&env, Some(&p), &["account", "import", &form, "--dry-run"]).0);
        let (t, r) = timed(&env, Some(&p), &["account", "import", &form, "--format", "csv"]);
        file.push(t);
        let id = r.stdout.lines().nth(1).unwrap().split(',').next().unwrap().to_string();
        let codes = env.path("codes.csv");
        approve.push(timed(&env, Some(ADMIN), &["request", "approve", &id, "--codes-out", codes.to_str().unwrap()]).0);
        let codes = std::fs::read_to_string(codes).unwrap();
        assert_eq!(codes.lines().count(), people + 1, "every person got a code");
    }
    let (a, b, c) = (median(dry), median(file), median(approve));
    println!("personnel form of {people} people, {runs} runs, medians (whole process)");
    println!("| step | median | people per second |");
    println!("|---|---|---|");
    for (what, t) in [
        ("province: account import --dry-run", a),
        ("province: account import (request, pending accounts)", b),
        ("Ministry: request approve --codes-out", c),
    ] {
        println!("| {what} | {} | {:.0} |", ms(t), people as f64 / t.as_secs_f64());
    }
}
