//! The one catalogue of every word shown to a person, in English and Chinese (SPEC §8).
//!
//! Machine formats (csv/tsv/json field names, exit codes) never go through here.
//! Templates name their arguments as `{name}`; [`tf`] fills them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

static LANG: AtomicU8 = AtomicU8::new(0);

pub fn set_lang(lang: Lang) {
    LANG.store(if lang == Lang::Zh { 1 } else { 0 }, Ordering::Relaxed);
}

pub fn lang() -> Lang {
    if LANG.load(Ordering::Relaxed) == 1 {
        Lang::Zh
    } else {
        Lang::En
    }
}

/// The language from `--lang`, else `LC_ALL`, else `LANG` (Chinese when it starts with `zh`).
pub fn detect(flag: Option<&str>) -> Lang {
    if let Some(f) = flag {
        return if f.starts_with("zh") { Lang::Zh } else { Lang::En };
    }
    for var in ["LC_ALL", "LANG"] {
        if let Ok(v) = std::env::var(var) {
            if !v.is_empty() {
                return if v.starts_with("zh") { Lang::Zh } else { Lang::En };
            }
        }
    }
    Lang::En
}

fn table() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static T: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    T.get_or_init(|| CATALOG.iter().map(|(k, en, zh)| (*k, (*en, *zh))).collect())
}

/// The text for `key` in the current language. An unknown key is shown as itself (a test keeps
/// every key used in the source present in the catalogue).
pub fn t(key: &'static str) -> &'static str {
    match table().get(key) {
        Some((en, zh)) => {
            if lang() == Lang::Zh {
                zh
            } else {
                en
            }
        }
        None => key,
    }
}

/// `t(key)` with `{name}` placeholders filled from `args`.
pub fn tf(key: &'static str, args: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut s = t(key).to_string();
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), &value.to_string());
    }
    s
}

/// Every entry: key, English, Chinese.
pub static CATALOG: &[(&str, &str, &str)] = &[
    // --- general ---
    ("error", "error: ", "错误："),
    ("hint", "hint: ", "提示："),
    ("warning", "warning: ", "警告："),
    ("yes", "yes", "是"),
    ("no", "no", "否"),
    ("none", "none", "无"),
    ("cst", "CST", "北京时间"),
    // --- levels ---
    ("level.ministry", "ministry", "部级"),
    ("level.province", "province", "省级"),
    ("level.prefecture", "prefecture", "地市级"),
    ("level.county", "county", "区县级"),
    ("level.school", "school", "学校"),
    // --- roles ---
    ("role.admin", "admin", "管理员"),
    ("role.reviewer", "reviewer", "审核员"),
    ("role.inspector", "inspector", "视察员"),
    ("role.school_admin", "school admin", "学校管理员"),
    ("role.support", "support", "技术支持"),
    // --- account status ---
    ("status.pending", "pending", "待审批"),
    ("status.active", "active", "正常"),
    ("status.disabled", "disabled", "已停用"),
    // --- column headers ---
    ("col.code", "Code", "代码"),
    ("col.name", "Name", "名称"),
    ("col.level", "Level", "级别"),
    ("col.parent", "Parent", "上级代码"),
    ("col.parent_name", "Parent name", "上级名称"),
    ("col.path", "Path", "路径"),
    ("col.units_below", "Units below", "下级单位数"),
    ("col.schools", "Schools", "学校数"),
    ("col.accounts", "Accounts", "账号数"),
    ("col.created_at", "Created", "创建时间"),
    ("col.depth", "Depth", "层级"),
    ("col.field", "Field", "字段"),
    ("col.value", "Value", "值"),
    ("col.username", "Username", "用户名"),
    ("col.person", "Name", "姓名"),
    ("col.role", "Role", "角色"),
    ("col.unit", "Unit", "单位"),
    ("col.unit_name", "Unit name", "单位名称"),
    ("col.status", "Status", "状态"),
    ("col.mobile", "Mobile", "手机号"),
    ("col.email", "Email", "电子邮箱"),
    ("col.office_phone", "Office phone", "办公电话"),
    ("col.department", "Department", "处室"),
    ("col.title", "Title", "职务"),
    ("col.activation_code", "Activation code", "激活码"),
    ("col.activation_expires", "Code valid until", "激活码有效期至"),
    ("col.scope", "Scope", "范围"),
    ("col.signed_in_via", "Signed in via", "登录方式"),
    ("col.expires_at", "Expires", "到期时间"),
    ("col.period", "Period", "月份"),
    ("col.opens", "Opens", "开始"),
    ("col.closes", "Closes", "截止"),
    ("col.deadline", "Deadline", "截止时间"),
    ("col.seq", "Seq", "序号"),
    ("col.at", "Time", "时间"),
    ("col.actor", "Actor", "操作人"),
    ("col.actor_unit", "Actor unit", "操作人单位"),
    ("col.action", "Action", "操作"),
    ("col.target", "Target", "对象"),
    ("col.detail", "Detail", "详情"),
    ("col.reason", "Reason", "原因"),
    ("col.change", "Change", "变更"),
    ("col.line", "Line", "行号"),
    ("col.id", "ID", "编号"),
    ("col.token", "Token", "令牌"),
    ("col.token_name", "Token name", "令牌名称"),
    ("col.revoked_at", "Revoked", "撤销时间"),
    ("col.issued_by", "Issued by", "发放人"),
    ("col.disabled_at", "Disabled", "停用时间"),
    ("col.locked_until", "Locked until", "锁定至"),
    ("col.database", "Database", "数据库"),
    ("col.test_clock", "Test clock", "测试时钟"),
    ("col.now", "Now", "当前时间"),
    // --- sign-in via ---
    ("via.session", "session", "会话"),
    ("via.token", "API token", "API令牌"),
    // --- changes in imports ---
    ("change.added", "added", "新增"),
    ("change.renamed", "renamed", "更名"),
    ("change.unchanged", "unchanged", "无变化"),
    // --- database ---
    ("db.missing", "no eip database at {path}", "{path} 处没有 eip 数据库"),
    ("db.missing.hint", "create one with: eip init --db {path}", "请先创建：eip init --db {path}"),
    ("db.not_initialised", "{path} is not an initialised eip database", "{path} 不是已初始化的 eip 数据库"),
    ("db.too_new", "{path} was written by a newer eip (schema version {found}; this eip knows up to {known})", "{path} 由更新版本的 eip 写入（架构版本 {found}，本程序最高支持 {known}）"),
    ("db.too_new.hint", "upgrade eip before using this database", "请先升级 eip 再使用该数据库"),
    ("db.already", "{path} is already an initialised eip database; init never overwrites one", "{path} 已是初始化过的 eip 数据库；init 不会覆盖"),
    ("db.already.hint", "use it with --db {path}, or choose another path", "用 --db {path} 使用它，或换一个路径"),
    ("db.busy", "the database is busy (another eip is writing) and did not free up in time", "数据库繁忙（另一个 eip 正在写入），等待超时"),
    ("db.unusable", "the database cannot be used", "数据库无法使用"),
    ("db.writable_warning", "{path} can be written by other users of this machine (mode {mode}); chmod 600 it", "{path} 可被本机其他用户写入（权限 {mode}）；请执行 chmod 600"),
    // --- clock ---
    ("clock.refused", "EIP_NOW is set, but this database was not created with --test-clock; a production database never takes its time from the environment", "设置了 EIP_NOW，但此数据库不是用 --test-clock 创建的；生产数据库不接受环境变量指定的时间"),
    ("clock.refused.hint", "unset EIP_NOW", "请取消 EIP_NOW 环境变量"),
    ("clock.bad", "EIP_NOW is not an RFC 3339 time: {value}", "EIP_NOW 不是 RFC 3339 时间：{value}"),
    ("clock.no_db", "EIP_NOW is set, but there is no database at {path} to tell whether it has a test clock", "设置了 EIP_NOW，但 {path} 处没有可判断是否为测试时钟的数据库"),
    // --- init ---
    ("init.done", "initialised {path}: Ministry 000000 and its first admin {username}", "已初始化 {path}：教育部 000000 及首个管理员 {username}"),
    ("init.test_clock", "test clock on: EIP_NOW sets the time for this database", "测试时钟已开启：EIP_NOW 可设定此数据库的时间"),
    ("init.code_hint", "give the code to {name}; they sign in with: eip login {username} --activate CODE", "请将激活码交给 {name}；其登录方式：eip login {username} --activate 激活码"),
    ("init.need_admin", "--admin-name and --admin-mobile are required when not running interactively", "非交互运行时必须提供 --admin-name 和 --admin-mobile"),
    ("prompt.admin_name", "Name of the Ministry's first administrator (姓名)", "教育部首位管理员姓名"),
    ("prompt.admin_mobile", "Mobile (手机号)", "手机号"),
    // --- passwords / sign-in ---
    ("prompt.password", "Password", "密码"),
    ("prompt.new_password", "New password", "新密码"),
    ("prompt.password_again", "Repeat the password", "再次输入密码"),
    ("prompt.mismatch", "the passwords do not match", "两次输入的密码不一致"),
    ("password.no_tty", "a password is needed and stdin is not a terminal", "需要密码，但标准输入不是终端"),
    ("password.no_tty.hint", "pass it on standard input with --password-stdin", "请用 --password-stdin 从标准输入提供密码"),
    ("password.empty", "no password was given on standard input", "标准输入中没有密码"),
    ("password.too_short", "the password must have at least 10 characters", "密码至少需要 10 个字符"),
    ("password.all_digits", "the password must not be all digits", "密码不能全是数字"),
    ("login.bad", "wrong username or password", "用户名或密码错误"),
    ("login.bad.hint", "a new account is first activated with: eip login {username} --activate CODE; after 5 failures an account is locked for 15 minutes", "新账号须先激活：eip login {username} --activate 激活码；连续失败 5 次将锁定 15 分钟"),
    ("login.locked", "account {username} is locked after 5 failed sign-ins, until {until}", "账号 {username} 因连续 5 次登录失败被锁定，至 {until}"),
    ("login.locked.hint", "wait until then, or ask the issuer (or support) to run: eip account reset {username}", "请等待，或请发放人（或技术支持）执行：eip account reset {username}"),
    ("login.disabled", "account {username} is disabled", "账号 {username} 已停用"),
    ("login.disabled.hint", "a person who changed post gets a new account from the issuer", "人员变动后请向发放人申请新账号"),
    ("login.pending", "account {username} is awaiting the Ministry's approval", "账号 {username} 等待教育部审批"),
    ("login.bad_code", "the activation code is wrong, already used or expired", "激活码错误、已使用或已过期"),
    ("login.bad_code.hint", "ask the issuer for a new one: eip account reset {username}", "请发放人重新生成：eip account reset {username}"),
    ("login.done", "signed in as {username} ({name}, {role} of {unit}) until {until}", "已登录：{username}（{name}，{unit} {role}），有效至 {until}"),
    ("logout.done", "signed out of {path}", "已退出 {path}"),
    ("logout.none", "no session for {path}", "{path} 没有登录会话"),
    ("auth.none", "not signed in to {path}", "未登录 {path}"),
    ("auth.none.hint", "sign in with: eip login USERNAME (or set EIP_TOKEN for scripts)", "请登录：eip login 用户名（脚本可设置 EIP_TOKEN）"),
    ("auth.expired", "the session for {path} has expired", "{path} 的登录会话已过期"),
    ("auth.bad_token", "EIP_TOKEN is not a valid token for this database (wrong, revoked or expired)", "EIP_TOKEN 不是此数据库的有效令牌（错误、已撤销或已过期）"),
    ("auth.bad_token.hint", "create a new one: eip account token create --name NAME --days N", "请新建令牌：eip account token create --name 名称 --days 天数"),
    ("auth.inactive", "account {username} is no longer active", "账号 {username} 已不可用"),
    ("session.unsafe", "the session file {path} can be read by other users (mode {mode}); it was not used", "会话文件 {path} 可被其他用户读取（权限 {mode}），已拒绝使用"),
    ("session.unsafe.hint", "remove it and sign in again: rm {path}; eip login USERNAME", "请删除后重新登录：rm {path}; eip login 用户名"),
    // --- permission ---
    ("perm.denied", "{role} {username} may not {action}; {who} may", "{role} {username} 无权{action}；可执行者：{who}"),
    ("perm.or", " or ", "或"),
    // --- permission: actions and who may ---
    ("action.unit_manage", "add, rename or import units here", "在此新增、更名或导入单位"),
    ("action.issue_staff_account", "issue unit staff accounts (Art. 9)", "发放行政单位人员账号（第九条）"),
    ("action.issue_school_account", "issue this school's accounts (Art. 9)", "发放该校账号（第九条）"),
    ("action.account_disable", "disable or enable this account", "停用或启用此账号"),
    ("action.account_reset", "reset this account", "重置此账号"),
    ("action.roster_import", "import the personnel form", "导入人员信息表"),
    ("action.roster_decide", "approve or reject roster requests", "审批人员名单申请"),
    ("action.audit_verify", "verify the audit chain", "校验审计链"),
    ("who.ministry_admin", "a Ministry admin", "教育部管理员"),
    ("who.province_admin_within", "a province admin inside its province", "本省范围内的省级管理员"),
    ("who.supervising_admin", "an admin of the school's supervising unit", "学校主管单位的管理员"),
    ("who.issuer", "whoever issues the account (the Ministry for unit staff, the supervising unit for a school)", "账号发放方（行政单位人员由教育部发放，学校由主管单位发放）"),
    ("who.support", "support", "技术支持"),
    ("who.unit_admin", "an admin of that unit", "该单位的管理员"),
    ("who.school_own_admin", "the school's own admin", "学校本校管理员"),
    ("action.school_add", "add schools under this unit (Art. 11)", "在此单位下创建学校（第十一条）"),
    ("action.school_manage", "manage this school (Art. 11)", "管理此学校（第十一条）"),
    ("action.school_edit", "edit this school's information (Art. 12)", "修改此学校信息（第十二条）"),
    ("action.school_delete_decide", "decide school deletion requests", "审批学校删除申请"),
    ("action.transfer_decide", "decide this transfer at this step (Art. 13)", "审批此学校隶属关系变更（第十三条）"),
    // --- units ---
    ("unit.none", "no unit {code} in your scope", "您的范围内没有单位 {code}"),
    ("unit.exists", "unit {code} already exists ({name})", "单位 {code} 已存在（{name}）"),
    ("unit.exists.hint", "rename it with: eip unit rename {code} NAME", "如需改名：eip unit rename {code} 新名称"),
    ("unit.bad_code", "{code} is not a unit code: a unit code has 6 digits", "{code} 不是单位代码：单位代码为 6 位数字"),
    ("unit.ministry_code", "000000 is the Ministry's code and no other unit may use it", "000000 是教育部专用代码"),
    ("unit.ministry_level", "there is exactly one ministry (000000), created by eip init", "部级单位只有一个（000000），由 eip init 创建"),
    ("unit.bad_level", "{value} is not a level: use province, prefecture or county (省级, 地市级, 区县级)", "{value} 不是级别：请用 province、prefecture、county（省级、地市级、区县级）"),
    ("unit.parent_level", "a {level} cannot be under {parent} ({parent_level}): a parent must be of a strictly higher level", "{level}不能隶属于 {parent}（{parent_level}）：上级必须是更高的级别"),
    ("unit.no_level_below", "{parent} is a county; no unit can be created under a county", "{parent} 是区县级，其下不能再建单位"),
    ("unit.no_parent", "the parent {code} does not exist in your scope or in the file", "上级 {code} 既不在您的范围内，也不在文件中"),
    ("unit.empty_name", "the name is empty", "名称为空"),
    ("unit.name_too_long", "the name is longer than 100 characters", "名称超过 100 个字符"),
    ("unit.added", "added unit {code} {name} ({level}) under {parent}", "已新增单位 {code} {name}（{level}），上级 {parent}"),
    ("unit.renamed", "renamed {code}: {old} → {new}", "已更名 {code}：{old} → {new}"),
    ("unit.unchanged", "{code} is already named {name}; nothing changed", "{code} 已名为 {name}，未作更改"),
    ("unit.moved", "{code} exists under {old_parent} as a {old_level}; units do not move or change level", "{code} 已存在，隶属于 {old_parent}，级别{old_level}；单位不能改变上级或级别"),
    ("unit.dup_in_file", "{code} appears more than once in the file (first on line {line})", "{code} 在文件中重复出现（首次在第 {line} 行）"),
    ("unit.province_scope", "a province admin adds units inside its own province only", "省级管理员只能在本省内添加单位"),
    ("unit.tree_depth", "--depth must be at least 0", "--depth 不能小于 0"),
    ("unit.rename_ministry", "the Ministry's name is fixed", "教育部名称不可更改"),
    // --- CSV ---
    ("csv.bad_encoding", "{file} is not valid {encoding} (line {line})", "{file} 不是有效的 {encoding} 编码（第 {line} 行）"),
    ("csv.bad_encoding.hint", "save it as UTF-8 or GBK, or say which it is with --encoding", "请另存为 UTF-8 或 GBK，或用 --encoding 指定编码"),
    ("csv.unknown_encoding", "{value} is not an encoding eip reads: use utf-8, gbk or gb18030", "{value} 不是支持的编码：请用 utf-8、gbk 或 gb18030"),
    ("csv.no_header", "{file} has no header row with the columns {columns}", "{file} 中找不到包含 {columns} 列的表头"),
    ("csv.missing_column", "{file} lacks the column {column}", "{file} 缺少 {column} 列"),
    ("csv.malformed", "{file} is not a readable CSV file: {detail}", "{file} 不是可读的 CSV 文件：{detail}"),
    ("csv.cannot_read", "cannot read {file}: {detail}", "无法读取 {file}：{detail}"),
    ("csv.empty", "{file} has no data rows", "{file} 没有数据行"),
    ("csv.line_error", "line {line}: {message}", "第 {line} 行：{message}"),
    ("csv.rejected", "{file}: {bad} of {rows} rows are bad; nothing was written", "{file}：{rows} 行中有 {bad} 行有误；未写入任何数据"),
    ("csv.rejected.hint", "fix the rows above and import again (--rejects FILE writes the bad rows with their errors)", "请修正上述行后重新导入（--rejects 文件 可导出有误的行及原因）"),
    ("csv.rejects_written", "the bad rows are in {file}", "有误的行已写入 {file}"),
    ("csv.summary", "{rows} rows: {added} added, {changed} changed, {unchanged} unchanged", "共 {rows} 行：新增 {added}，修改 {changed}，无变化 {unchanged}"),
    ("csv.dry_run", "dry run: nothing was written", "试运行：未写入任何数据"),
    // --- calendar ---
    ("calendar.bad_period", "{value} is not a period: write YYYY-MM, e.g. 2026-11", "{value} 不是有效月份：格式为 YYYY-MM，例如 2026-11"),
    ("calendar.period_used", "period {period}", "月份 {period}"),
    ("school.none", "no school {code} in your scope", "您的范围内没有学校 {code}"),
    // --- schools ---
    ("school.bad_code", "{code} is not a 学校标识码: 10 digits (2-digit type, 2-digit province, 6-digit serial)", "{code} 不是学校标识码：应为 10 位数字（2 位类型、2 位省份、6 位序号）"),
    ("school.bad_type", "{code}: {type} is not a school type; known types: {known}", "{code}：{type} 不是学校类型代码；可用：{known}"),
    ("school.bad_province", "{code}: {province} is not a province code", "{code}：{province} 不是省份代码"),
    ("school.province_mismatch", "{code}: its province part {part} differs from {unit}'s province {province}", "{code}：省份代码 {part} 与 {unit} 所在省份 {province} 不一致"),
    ("school.bad_kind", "{value} is not a kind: school or teaching_point (学校, 教学点)", "{value} 不是有效类型：school 或 teaching_point（学校、教学点）"),
    ("school.bad_category", "{value} is not a category: {known}", "{value} 不是有效办学类型：{known}"),
    ("school.bad_location", "{value} is not a location: 城区, 镇区 or 乡村", "{value} 不是有效城乡分类：城区、镇区或乡村"),
    ("school.negative", "{field} cannot be negative", "{field} 不能为负数"),
    ("school.bad_count", "{field} must be a whole number: {value}", "{field} 须为整数：{value}"),
    ("school.exists", "school {code} already exists ({name})", "学校 {code} 已存在（{name}）"),
    ("school.code_taken", "the code {code} is already in use by another school", "代码 {code} 已被其他学校使用"),
    ("school.added", "added {kind} {code} {name} under {unit}", "已在 {unit} 下创建{kind} {code} {name}"),
    ("school.edited", "updated {code}", "已更新 {code}"),
    ("school.unchanged", "{code}: nothing changed", "{code}：未作更改"),
    ("school.support_reason", "support corrects school information only with --reason", "技术支持修改学校信息须提供 --reason"),
    ("school.wrong_status", "{code} is {status}; {action} does not apply", "{code} 当前为{status}，不能执行 {action}"),
    ("school.merge_self", "{code} cannot be merged into itself", "{code} 不能合并到自身"),
    ("school.merge_inactive", "{code} is {status}: a school can only be merged into an active school", "{code} 为{status}：只能合并到正常学校"),
    ("school.status_done", "{code}: {before} → {after}", "{code}：{before} → {after}"),
    ("school.accounts_disabled", "{count} of its accounts disabled", "已停用其 {count} 个账号"),
    ("school.accounts_disabled_reason", "school {code} {status}", "学校 {code} 已{status}"),
    ("school.deleted_reason", "school {code} deleted", "学校 {code} 已删除"),
    ("school.filled", "{code} has filled in its information, so it cannot simply be deleted (Art. 11)", "{code} 已完成信息填报，不能直接删除（第十一条）"),
    ("school.filled.hint", "ask the Ministry: eip school delete {code} --request --reason …", "请向教育部申请：eip school delete {code} --request --reason …"),
    ("school.deleted", "deleted {code} {name}", "已删除 {code} {name}"),
    ("school.delete_confirm", "Delete {code} {name}?", "确认删除 {code} {name}？"),
    ("school.delete_needs_reason", "--request needs --reason", "--request 需要 --reason"),
    ("school.request_pending", "request #{id} about {code} is still pending", "关于 {code} 的申请 #{id} 尚待处理"),
    ("school.requested_delete", "school_delete request #{id} filed for the Ministry's decision", "已提交学校删除申请 #{id}，等待教育部审批"),
    ("school.requested_transfer", "school_transfer request #{id} filed; {unit} decides first", "已提交隶属关系变更申请 #{id}，首先由 {unit} 审批"),
    ("school.transfer_inactive", "{code} is {status}; only an active school is transferred", "{code} 为{status}，只有正常学校可以变更隶属关系"),
    ("school.transfer_same", "{code} is already supervised by {unit}", "{code} 已隶属于 {unit}"),
    ("school.transfer_step", "approved request #{id} at {unit}; {next} decides next", "{unit} 已批准申请 #{id}；下一步由 {next} 审批"),
    ("school.transferred", "approved request #{id}: {code} is now supervised by {unit}", "已批准申请 #{id}：{code} 现隶属于 {unit}"),
    ("school.delete_approved", "approved request #{id}: {code} deleted (its history stays)", "已批准申请 #{id}：{code} 已删除（历史记录保留）"),
    ("school.moved_unit", "{code} is supervised by {unit}; a change of supervising unit goes through eip school transfer (Art. 13)", "{code} 隶属于 {unit}；变更隶属关系请使用 eip school transfer（第十三条）"),
    ("school.not_own_unit", "{unit} is not your unit: an admin adds schools under its own unit only (Art. 11)", "{unit} 不是您的单位：管理员只能在本单位下创建学校（第十一条）"),
    ("school.status.normal", "normal", "正常"),
    ("school.status.suspended", "suspended", "暂停招生"),
    ("school.status.merged", "merged", "合并"),
    ("school.status.revoked", "revoked", "撤销"),
    ("kind.school", "school", "学校"),
    ("kind.teaching_point", "teaching point", "教学点"),
    ("col.kind_school", "Kind", "类型"),
    ("col.category", "Category", "办学类型"),
    ("col.location", "Location", "城乡"),
    ("col.address", "Address", "地址"),
    ("col.students", "Students", "学生数"),
    ("col.teachers", "Teachers", "教师数"),
    ("col.classes", "Classes", "班级数"),
    ("col.info_filled_at", "Info filled", "信息填报时间"),
    ("col.merged_into", "Merged into", "并入"),
    ("col.status_changed_at", "Status changed", "状态变更时间"),
    ("col.deleted_at", "Deleted", "删除时间"),
    // --- accounts ---
    ("account.none", "no account {username} in your scope", "您的范围内没有账号 {username}"),
    ("account.bad_mobile", "{value} is not a mobile number: 11 digits starting with 1", "{value} 不是手机号：应为以 1 开头的 11 位数字"),
    ("account.mobile_taken", "mobile {mobile} already belongs to the active account {username}: one person, one account (Art. 10)", "手机号 {mobile} 已属于正常账号 {username}：专人专号（第十条）"),
    ("account.mobile_taken.hint", "if the person changed post, disable the old account first: eip account disable {username} --reason …", "如人员变动，请先停用旧账号：eip account disable {username} --reason …"),
    ("account.role_taken", "{unit} already has an active {role}: {username}", "{unit} 已有正常的{role}：{username}"),
    ("account.role_taken.hint", "disable it first: eip account disable {username} --reason …", "请先停用：eip account disable {username} --reason …"),
    ("account.username_taken", "the username {username} is taken; usernames are never reused", "用户名 {username} 已被使用；用户名不可重复使用"),
    ("account.bad_role", "{value} is not a role: admin, reviewer, inspector, school_admin or support", "{value} 不是角色：admin、reviewer、inspector、school_admin 或 support"),
    ("account.role_unit", "a {role} account belongs to {where}", "{role}账号应属于{where}"),
    ("account.where.unit", "an admin unit", "行政单位"),
    ("account.where.school", "a school", "学校"),
    ("account.where.ministry", "the Ministry (000000)", "教育部（000000）"),
    ("account.empty_name", "the person's name (姓名) is required: accounts are real-name (Art. 10)", "必须填写姓名：账号实名认证（第十条）"),
    ("account.bad_email", "{value} is not an email address", "{value} 不是电子邮箱地址"),
    ("account.added", "added {role} {username} ({name}) at {unit}", "已新增{role} {username}（{name}），单位 {unit}"),
    ("account.code_hint", "the activation code is shown once; {name} signs in with: eip login {username} --activate CODE", "激活码仅显示一次；{name} 登录方式：eip login {username} --activate 激活码"),
    ("account.passwd_done", "password changed for {username}", "{username} 的密码已修改"),
    ("account.activated", "password set for {username}", "{username} 已设置密码"),
    ("token.created", "token {name} created for {username}, valid until {until}; it is shown once", "已为 {username} 创建令牌 {name}，有效至 {until}；令牌仅显示一次"),
    ("token.hint", "scripts use it as: EIP_TOKEN=… eip …", "脚本使用方式：EIP_TOKEN=… eip …"),
    ("token.name_taken", "you already have an unrevoked token named {name}", "您已有名为 {name} 的有效令牌"),
    ("token.name_taken.hint", "revoke it first: eip account token revoke {id}", "请先撤销：eip account token revoke {id}"),
    ("token.none", "you have no token {id}", "您没有编号为 {id} 的令牌"),
    ("token.revoked", "token {id} ({name}) revoked", "令牌 {id}（{name}）已撤销"),
    ("token.already_revoked", "token {id} was already revoked", "令牌 {id} 已撤销"),
    ("token.bad_days", "--days must be between 1 and 3650", "--days 须在 1 到 3650 之间"),
    // --- account lifecycle ---
    ("account.enable_pending", "{username} is proposed in a roster request; it is activated by approving that request", "{username} 属于待审批的人员名单申请；审批通过后才会启用"),
    ("account.reset_inactive", "{username} is {status}; only an active account can be reset", "{username} 状态为 {status}；只有正常账号可以重置"),
    ("account.disabled", "disabled {username}; it is kept for history and its username is never reused", "已停用 {username}；账号保留备查，用户名不再使用"),
    ("account.already_disabled", "{username} was already disabled; nothing changed", "{username} 已是停用状态，未作更改"),
    ("account.enabled", "enabled {username}", "已启用 {username}"),
    ("account.already_active", "{username} is already active; nothing changed", "{username} 已是正常状态，未作更改"),
    ("account.reset_done", "reset {username}: unlocked, old password void, new activation code below", "已重置 {username}：已解锁，旧密码失效，新激活码如下"),
    ("reason.empty", "--reason must say why", "--reason 不能为空"),
    ("passwd.two_lines", "--password-stdin takes two lines: the current password, then the new one", "--password-stdin 需要两行：当前密码和新密码"),
    ("passwd.no_tty.hint", "pass the current and the new password on two lines with --password-stdin", "请用 --password-stdin 分两行提供当前密码和新密码"),
    ("passwd.bad_current", "the current password is wrong; nothing changed", "当前密码错误；未作更改"),
    ("prompt.current_password", "Current password", "当前密码"),
    // --- personnel form ---
    ("roster.summary", "{add} new, {change} changed, {disable} to disable", "新增 {add}，修改 {change}，停用 {disable}"),
    ("roster.rows", "{rows} people on the form: {unchanged} unchanged; {diff}", "表中 {rows} 人：无变化 {unchanged}；{diff}"),
    ("roster.nothing", "the form matches the accounts; nothing to do", "人员信息表与现有账号一致，无需处理"),
    ("roster.no_name_column", "{file} has no 姓名 (name) column: the form as printed lacks one, but accounts are real-name (Art. 10)", "{file} 没有“姓名”列：印发的表格没有此列，但账号须实名（第十条）"),
    ("roster.no_name_column.hint", "add a 姓名 column (anywhere) with each person's name, and import again", "请添加“姓名”列（位置不限）填写每人姓名后重新导入"),
    ("roster.name_empty", "姓名 (name) is empty: accounts are real-name (Art. 10)", "姓名为空：账号须实名（第十条）"),
    ("roster.unit_unknown", "no unit {unit} in your scope", "您的范围内没有单位 {unit}"),
    ("roster.unit_ambiguous", "{unit} names more than one unit in your scope: {candidates}; write the code instead", "{unit} 对应多个单位：{candidates}；请改填单位代码"),
    ("roster.bad_category", "{value} is not a 类别: write e.g. 区县级审核员 (省级/地市级/区县级 + 视察员/审核员/管理员)", "{value} 不是有效类别：例如 区县级审核员（省级/地市级/区县级 + 视察员/审核员/管理员）"),
    ("roster.category_level", "{category} is for a {level} unit, but {unit} {name} is a {unit_level}", "{category} 适用于{level}单位，而 {unit} {name} 是{unit_level}"),
    ("roster.dup_mobile", "mobile {mobile} is already on line {line}: one person, one account (Art. 10)", "手机号 {mobile} 已在第 {line} 行出现：专人专号（第十条）"),
    ("roster.two_in_role", "{unit} already has a {role} on line {line}: a unit has one", "{unit} 的{role}已在第 {line} 行：每个单位只有一名"),
    ("roster.sync_hint", "if that person left, disable them first, or import with --sync", "如该人员已离任，请先停用，或使用 --sync 导入"),
    ("roster.sync_needs_under", "a Ministry import with --sync needs --under UNIT: the form covers one region, not the country", "教育部导入使用 --sync 时须指定 --under 单位：表格只覆盖一个地区"),
    ("roster.codes_out_province", "--codes-out is for the Ministry: a province's import becomes a request, and codes are issued when it is approved", "--codes-out 仅供教育部使用：省级导入将形成申请，审批通过后才生成激活码"),
    ("roster.disables_you", "the form does not list you: with --sync it would disable your own account {username}", "表中没有您本人：使用 --sync 将停用您自己的账号 {username}"),
    ("roster.filed", "roster request #{id} filed for the Ministry's approval", "已提交人员名单申请 #{id}，等待教育部审批"),
    ("roster.already_pending", "roster request #{id} from {unit} is still pending", "{unit} 的人员名单申请 #{id} 尚待审批"),
    ("roster.already_pending.hint", "wait for the Ministry's decision on #{id}, then import again", "请等待教育部对 #{id} 的审批结果后再导入"),
    ("roster.stale", "{username} changed since the request was filed", "{username} 在申请提交后已发生变化"),
    ("roster.stale.hint", "reject the request and have the province import its form again", "请驳回该申请，由省级重新导入人员信息表"),
    ("roster.disable_reason", "no longer listed on the personnel form {file}", "人员信息表 {file} 中已无此人"),
    ("roster.disable_reason_request", "no longer listed (roster request #{id})", "人员名单申请 #{id} 中已无此人"),
    ("roster.rejected_reason", "roster request #{id} rejected: {reason}", "人员名单申请 #{id} 被驳回：{reason}"),
    ("codes.exists", "{file} exists; activation codes are never written over a file", "{file} 已存在；激活码不会覆盖已有文件"),
    ("codes.exists.hint", "choose a new file name for --codes-out", "请为 --codes-out 指定新文件名"),
    ("codes.written", "{count} activation codes written to {file} (mode 0600); hand each to its person", "已将 {count} 个激活码写入 {file}（权限 0600）；请分别交给本人"),
    ("change.changed", "changed", "修改"),
    ("change.disable", "to disable", "停用"),
    // --- requests ---
    ("request.none", "no request {id} in your scope", "您的范围内没有申请 {id}"),
    ("request.decided", "request #{id} was already {status} by {by}", "申请 #{id} 已由 {by} 处理（{status}）"),
    ("request.approved", "approved request #{id}: {summary}", "已批准申请 #{id}：{summary}"),
    ("request.rejected", "rejected request #{id}: {reason}", "已驳回申请 #{id}：{reason}"),
    ("request.stale", "request #{id} is about {code}, which is no longer there; reject it", "申请 #{id} 涉及的 {code} 已不存在；请驳回"),
    ("request.reject_hint", "reject the request: eip request reject ID --reason …", "请驳回该申请：eip request reject 编号 --reason …"),
    ("request.kind_unsupported", "{kind} requests are not decided here yet", "暂不支持处理 {kind} 类申请"),
    ("request.status.pending", "pending", "待审批"),
    ("request.status.approved", "approved", "已批准"),
    ("request.status.rejected", "rejected", "已驳回"),
    ("request.kind.roster", "roster", "人员名单"),
    ("request.kind.school_delete", "school deletion", "学校删除"),
    ("request.kind.school_transfer", "school transfer", "学校隶属变更"),
    ("request.kind.withdraw", "withdrawal", "撤报"),
    ("col.kind", "Kind", "类型"),
    ("col.summary", "Summary", "摘要"),
    ("col.awaiting", "Awaiting", "待审批单位"),
    ("col.filed_by", "Filed by", "提交人"),
    ("col.filed_at", "Filed", "提交时间"),
    ("col.decided_by", "Decided by", "审批人"),
    ("col.decided_at", "Decided", "审批时间"),
    ("col.decision_reason", "Decision reason", "审批意见"),
    // --- audit ---
    ("audit.intact", "intact: {count} events", "完整：{count} 条事件"),
    ("audit.broken", "the audit chain is broken at event {seq}: {why}", "审计链在第 {seq} 条事件处断裂：{why}"),
    ("audit.broken.hint", "the database was changed outside eip; keep a copy and contact support", "数据库在 eip 之外被修改；请保留副本并联系技术支持"),
    ("audit.why.hash", "its contents do not match its hash", "内容与哈希不符"),
    ("audit.why.prev", "it does not follow the event before it", "与前一条事件不衔接"),
    ("audit.why.gap", "events are missing before it", "其前有事件缺失"),
    ("audit.bad_time", "{value} is not a date or time: write 2026-12-01 or 2026-12-01T08:00+08:00", "{value} 不是日期或时间：格式如 2026-12-01 或 2026-12-01T08:00+08:00"),
    // --- misc commands ---
    ("whoami.none", "not signed in", "未登录"),
    ("yes.required", "--yes is required when not running interactively", "非交互运行时需要 --yes"),
    ("demo.building", "building the demonstration database {path}", "正在生成演示数据库 {path}"),
    ("demo.done", "demo database ready: {path}", "演示数据库已就绪：{path}"),
    ("demo.explore", "explore it with:", "可继续执行："),
    ("demo.no_province", "{code} is not a province in the embedded national list", "{code} 不是内置全国名单中的省级单位"),
];
