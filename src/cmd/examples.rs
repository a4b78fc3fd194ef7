//! Every command's examples, the same in both languages: the help prints them after the options
//! ("Examples:" / "示例："), each man page in its EXAMPLES section. A line may continue on the next
//! with ` \` as in a shell. A test parses every example with the command definition, so an example
//! cannot name an option that no longer exists, and fails when a command has none.

/// The examples of each command, by its full name.
pub static EXAMPLES: &[(&str, &[&str])] = &[
    ("eip", &["eip demo", "eip --lang zh report status --period 2026-11", "eip report --help"]),
    ("eip init", &["eip init --admin-name 王芳 --admin-mobile 13800000001", "eip --db /srv/eip/eip.db init", "eip --db postgres://eip_owner@db.example/nation init"]),
    (
        "eip login",
        &[
            "eip login 130102-R01",
            "eip login 130102-R01 --activate K7Q4-…",
            "eip login 130102-R01 --activate K7Q4-… --name 孙强",
            "eip login 130102-R01 --password-stdin < password.txt",
        ],
    ),
    ("eip logout", &["eip logout"]),
    ("eip whoami", &["eip whoami", "eip whoami --format json"]),
    ("eip demo", &["eip --db demo.db demo", "eip --db demo.db demo --province 130000"]),
    ("eip doctor", &["eip doctor", "eip doctor --format json"]),
    ("eip db", &["eip db copy --from eip.db --to postgres://eip@db.example/nation"]),
    (
        "eip db copy",
        &[
            "eip db copy --from eip.db --to postgres://eip@db.example/nation",
            "eip db copy --from postgres://eip@db.example/nation --to backup.db",
        ],
    ),
    ("eip completions", &["eip completions bash > /etc/bash_completion.d/eip", "eip completions zsh > ~/.zfunc/_eip"]),
    ("eip unit", &["eip unit tree 130000 --depth 2", "eip unit list --under 130100 --format csv"]),
    ("eip unit add", &["eip unit add 130199 测试区 --parent 130100", "eip unit add 139900 测试市 --parent 130000 --level prefecture"]),
    ("eip unit list", &["eip unit list", "eip unit list --under 130100 --level county --format csv"]),
    ("eip unit tree", &["eip unit tree", "eip unit tree 130000 --depth 2"]),
    ("eip unit show", &["eip unit show 130102"]),
    ("eip unit rename", &["eip unit rename 130102 长安区教育局"]),
    (
        "eip unit import",
        &["eip unit import examples/data/divisions.csv --dry-run", "eip unit import divisions.csv --rejects rejects.csv"],
    ),
    ("eip unit export", &["eip unit export --under 130000 > hebei.csv", "eip unit export --encoding gbk -o units.csv"]),
    ("eip unit staffing", &["eip unit staffing", "eip unit staffing --under 130100 --format csv"]),
    ("eip account", &["eip account list --under 130000 --role reviewer", "eip account show 130102-R01"]),
    (
        "eip account add",
        &[
            "eip account add --unit 130102 --role reviewer --name 李强 --mobile 13912345678",
            "eip account add --unit 130000 --role support --name 周杰 --mobile 13912345600 \\\n    --email zhou@example.cn",
        ],
    ),
    ("eip account list", &["eip account list", "eip account list --under 130000 --role reviewer --status active --format csv"]),
    ("eip account show", &["eip account show 130102-R01"]),
    ("eip account disable", &["eip account disable 130102-R01 --reason 调离"]),
    ("eip account enable", &["eip account enable 130102-R01"]),
    ("eip account reset", &["eip account reset 130102-R01", "eip account reset 130102-R01 --new-code"]),
    ("eip account passwd", &["eip account passwd", "printf '%s\\n%s\\n' \"$OLD\" \"$NEW\" | eip account passwd --password-stdin"]),
    (
        "eip account import",
        &[
            "eip account import examples/hebei-personnel-form-gbk.csv --dry-run",
            "eip account import 人员信息表.csv --sync --under 130100",
            "eip account import 人员信息表.csv --codes-out codes.csv",
        ],
    ),
    ("eip account export", &["eip account export --under 130000 --encoding gbk > 人员信息表.csv"]),
    ("eip account token", &["eip account token create --name cron --days 365 > tok", "eip account token list"]),
    (
        "eip account token create",
        &["eip account token create --name cron --days 365 > tok", "EIP_TOKEN=\"$(cat tok)\" eip whoami"],
    ),
    ("eip account token list", &["eip account token list", "eip account token list --format json"]),
    ("eip account token revoke", &["eip account token revoke 3"]),
    ("eip school", &["eip school list --under 130100 --search 第一", "eip school show 2113010001"]),
    (
        "eip school add",
        &[
            "eip school add 2113010001 长安区第一小学 --unit 130102 --category 小学 \\\n    --location 城区 --students 1200 --teachers 80 --classes 30",
            "eip school add 2213010006 北村教学点 --unit 130102 --kind teaching-point",
            "eip school add 2113010002 长安区第二小学 --unit 130102 \\\n    --admin-name 赵敏 --admin-mobile 13912340001",
        ],
    ),
    ("eip school list", &["eip school list", "eip school list --under 130100 --status normal --search 第一 --format csv"]),
    ("eip school show", &["eip school show 2113010001", "eip school show 2113010009 --deleted"]),
    ("eip school edit", &["eip school edit 2113010001 --students 1200 --teachers 80 --classes 30", "eip school edit 2113010001 --address 建设北大街1号"]),
    ("eip school suspend", &["eip school suspend 2113010005 --reason 生源不足"]),
    ("eip school resume", &["eip school resume 2113010005 --reason 恢复招生"]),
    ("eip school merge", &["eip school merge 2213010007 --into 2113010004 --reason 布局调整"]),
    ("eip school revoke", &["eip school revoke 2113010005 --reason 撤销"]),
    ("eip school delete", &["eip school delete 2113010009 --yes", "eip school delete 2113010001 --request --reason 重复建档"]),
    ("eip school transfer", &["eip school transfer 2113010002 --to 130104 --reason 区划调整"]),
    (
        "eip school import",
        &[
            "eip school import examples/changan-schools-gbk.csv --dry-run",
            "eip school import schools-with-admins.csv --codes-out codes.csv",
        ],
    ),
    ("eip school export", &["eip school export --under 130000 > schools.csv", "eip school export --encoding gbk -o 学校.csv"]),
    ("eip report", &["eip report status --period 2026-11", "eip report missing --period 2026-11 --under 130102"]),
    ("eip report indicators", &["eip report indicators", "eip report indicators --format csv"]),
    (
        "eip report indicators add",
        &["eip report indicators add smart_classrooms --name-zh 智慧教室数 \\\n    --name-en 'Smart classrooms' --kind count --unit 间 --filled-by school"],
    ),
    ("eip report indicators retire", &["eip report indicators retire smart_classrooms"]),
    ("eip report rules", &["eip report rules", "eip report rules retire classrooms_vs_classes"]),
    (
        "eip report rules add",
        &[
            "eip report rules add computers_le_students --applies-to school --severity warning \\\n    --expression 'student_computers <= school.students' \\\n    --message-zh 学生用计算机数超过学生数 --message-en 'More computers than students'",
            "eip report rules add funding_jump --applies-to unit --severity warning \\\n    --expression 'change(funding) within 0.1..10' \\\n    --message-zh 经费投入变化超过十倍 --message-en 'Funding changed tenfold'",
        ],
    ),
    ("eip report rules retire", &["eip report rules retire classrooms_vs_classes"]),
    (
        "eip report set",
        &[
            "eip report set internet_access=是 bandwidth_mbps=100 classrooms=30",
            "eip report set --org 2213010006 --period 2026-11 tp_equipment_in_place=1",
        ],
    ),
    ("eip report confirm", &["eip report confirm", "eip report confirm --org 2113010001 --org 2113010002 --period 2026-11"]),
    ("eip report show", &["eip report show", "eip report show --org 2113010001 --period 2026-11"]),
    ("eip report import", &["eip report import values.csv --period 2026-11 --dry-run", "eip report import values.csv --rejects rejects.csv"]),
    (
        "eip report export",
        &[
            "eip report export --period 2026-11 --level county --headers zh > 汇总.csv",
            "eip report export --period 2026-01..2026-06 --layout long -o 上半年.csv",
        ],
    ),
    ("eip report status", &["eip report status", "eip report status --period 2026-09..2026-11 --under 130100"]),
    ("eip report missing", &["eip report missing --period 2026-11 --under 130102 --format csv", "eip report missing --period 2026-11 --notify"]),
    (
        "eip report validate",
        &["eip report validate --period 2026-11 --under 130102", "eip report validate --period 2026-11 --format csv > 校验提示.csv"],
    ),
    ("eip report text", &["eip report text --period 2026-11 --file 月报.md", "eip report text --period 2026-11 --missing"]),
    ("eip report return", &["eip report return 130102 --period 2026-11 \\\n    --due 2026-12-08T18:00+08:00 --reason 数据有误"]),
    ("eip report ratify", &["eip report ratify --period 2026-11"]),
    ("eip report calendar", &["eip report calendar", "eip report calendar --period 2026-11"]),
    (
        "eip report timeliness",
        &[
            "eip report timeliness --period 2026-01..2026-06",
            "eip report timeliness --period 2026-11 --under 130000 --level county \\\n    --format csv > 及时性.csv",
        ],
    ),
    (
        "eip report bulletin",
        &[
            "eip report bulletin --period 2026-09..2026-11 -o 通报.md",
            "eip report bulletin --period 2026-11 --under 130000 --level county \\\n    --correct-by 2026-12-31 -o 通报.html",
            "eip report bulletin --period 2026-11 --weights 权重.txt -o 排名.csv --lang en",
        ],
    ),
    (
        "eip report trend",
        &[
            "eip report trend --indicator classrooms --period 2026-01..2026-06 --under 130000",
            "eip report trend --rate internet_access_rate --period 2025-12..2026-11 \\\n    --under 130100 --chart 接入率.svg",
            "eip report trend --indicator funding --period 2026-01..2026-12 --format csv > 经费.csv",
        ],
    ),
    ("eip submit", &["eip submit --period 2026-11", "eip submit --period 2026-11 --allow-incomplete", "eip submit --sweep"]),
    ("eip withdraw", &["eip withdraw request --period 2026-11 --reason 学校数据漏报", "eip withdraw list"]),
    ("eip withdraw request", &["eip withdraw request --period 2026-11 --reason 学校数据漏报"]),
    ("eip withdraw list", &["eip withdraw list", "eip withdraw list --all"]),
    ("eip withdraw approve", &["eip withdraw approve 41 --due 2026-12-09T12:00+08:00"]),
    ("eip withdraw reject", &["eip withdraw reject 42 --reason 数据无误"]),
    ("eip request", &["eip request list", "eip request approve 1 --codes-out codes.csv"]),
    ("eip request list", &["eip request list", "eip request list --all --format csv"]),
    ("eip request show", &["eip request show 1"]),
    (
        "eip request approve",
        &["eip request approve 1 --codes-out codes.csv", "eip request approve 4 --due 2026-12-09T12:00+08:00"],
    ),
    ("eip request reject", &["eip request reject 1 --reason 缺少审核员"]),
    ("eip audit", &["eip audit log --limit 20", "eip audit verify"]),
    (
        "eip audit log",
        &[
            "eip audit log --limit 20",
            "eip audit log --under 130100 --since 2026-12-01 --action submit --format csv",
            "eip audit log --actor 130102-R01 --period 2026-11",
        ],
    ),
    ("eip audit verify", &["eip audit verify", "eip audit verify --checkpoint /backup/eip-head-2026-11.json"]),
    (
        "eip audit checkpoint",
        &["eip audit checkpoint -o /backup/eip-head-2026-11.json", "eip audit verify --checkpoint /backup/eip-head-2026-11.json"],
    ),
    ("eip audit export", &["eip audit export --since 2026-01-01 -o audit-2026.jsonl", "eip audit export --under 130100 --as csv > 审计.csv"]),
];

/// The examples of the command named `path` (`eip report status`); none for a name not listed.
pub fn of(path: &str) -> &'static [&'static str] {
    EXAMPLES.iter().find(|(p, _)| *p == path).map_or(&[], |(_, e)| e)
}
