//! Excel workbooks (README, "Excel workbooks"): every import reads `.xlsx` (the first sheet or
//! `--sheet NAME`, the sheet's row numbers as line numbers) and every export writes one when its
//! file ends in `.xlsx` — typed cells, codes and mobiles as text, the personnel form in its
//! official layout. Round trips for units, schools, the personnel form and the monthly values; a
//! form built here as Excel saves it, with mobiles Excel turned into scientific notation (refused,
//! explained) and full-width digits (read as ASCII); a damaged workbook refused cleanly.

mod common;
use common::admins::*;
use common::*;

use std::io::Read;
use std::path::Path;

use calamine::{Data, Reader};
use rust_xlsxwriter::{Format, Workbook};

// ---------------------------------------------------------------- helpers

const COUNTY: &str = "130102";
const S1: &str = "2113010001";
const S2: &str = "2113010002";
const TP6: &str = "2213010006";

/// The first sheet of a workbook, as calamine reads it: rows of cells.
fn cells(p: &Path) -> Vec<Vec<Data>> {
    let mut book = calamine::open_workbook_auto(p).expect("a workbook");
    let first = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&first).expect("its first sheet");
    assert_eq!(range.start(), Some((0, 0)), "the sheet starts at A1");
    range.rows().map(|r| r.to_vec()).collect()
}

/// The column of `header` in a header row.
fn col(header: &[Data], name: &str) -> usize {
    header.iter().position(|c| c == &Data::String(name.into())).unwrap_or_else(|| panic!("no column {name}"))
}

/// One part of the .xlsx zip archive, as text.
fn part(p: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(p).unwrap()).unwrap();
    let mut s = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// The sheet's header row `row` (1-based) is frozen, and the workbook has a bold font.
#[track_caller]
fn assert_header_frozen_and_bold(p: &Path, row: u32) {
    let sheet = part(p, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains(&format!("ySplit=\"{row}\"")), "frozen below row {row}: {sheet}");
    assert!(sheet.contains("<col "), "column widths are set");
    assert!(part(p, "xl/styles.xml").contains("<b/>"), "a bold header");
}

#[cfg(unix)]
#[track_caller]
fn assert_private(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(p).unwrap().permissions().mode() & 0o777, 0o600, "{}", p.display());
}

#[cfg(not(unix))]
fn assert_private(_: &Path) {}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// The county admin and its 14 schools with a few values in 2026-11 (as tests/reporting.rs).
fn filled_county(env: &Env) -> String {
    let c = county(env);
    env.run(Some(&c), &["school", "import", &example("changan-schools.csv")]).ok();
    let set = |org: &str, pairs: &[&str]| {
        let args = [&["report", "set", "--org", org, "--period", "2026-11"][..], pairs].concat();
        env.run(Some(&c), &args).ok();
    };
    set(S1, &["classrooms=30", "internet_access=1", "bandwidth_mbps=12.5"]);
    set(S2, &["classrooms=24", "internet_access=0"]);
    set(TP6, &["tp_equipment_in_place=1", "tp_resources_in_place=0"]);
    c
}

// ---------------------------------------------------------------- round trips

#[test]
fn units_export_as_a_workbook_and_import_back_unchanged() {
    let env = Env::national();
    // A formula-like name is a text cell in the workbook: never a formula, the same on re-import.
    env.admin(&["unit", "rename", "130104", "=HYPERLINK(\"x\")"]).ok();
    let file = env.path("units.xlsx");
    env.admin(&["unit", "export", "--under", "130100", "-o", &s(&file)]).ok();
    assert!(std::fs::read(&file).unwrap().starts_with(b"PK\x03\x04"), "a workbook, not CSV");
    assert_private(&file);
    let rows = cells(&file);
    assert_eq!(rows[0], ["code", "name", "level", "parent"].map(|h| Data::String(h.into())));
    let changan = rows.iter().find(|r| r[0] == Data::String(COUNTY.into())).expect("长安区");
    assert_eq!(changan[1], Data::String("长安区".into()));
    assert_eq!(changan[3], Data::String("130100".into()), "codes stay text");
    let qiaoxi = rows.iter().find(|r| r[0] == Data::String("130104".into())).unwrap();
    assert_eq!(qiaoxi[1], Data::String("=HYPERLINK(\"x\")".into()));
    assert_header_frozen_and_bold(&file, 1);

    let audit = env.audit_count();
    let n = rows.len() - 1;
    env.admin(&["unit", "import", &s(&file)])
        .ok()
        .stderr_has(&format!("{n} rows: 0 added, 0 changed, {n} unchanged"))
        .stderr_lacks("GB18030");
    assert_eq!(env.audit_count(), audit, "nothing written");

    // .xls is a format eip reads, not one it writes: refused before any file is made.
    let xls = env.path("units.xls");
    env.admin(&["unit", "export", "-o", &s(&xls)]).code(2).stderr_has("eip writes workbooks as .xlsx");
    assert!(!xls.exists());
}

#[test]
fn schools_export_counts_as_numbers_codes_as_text_and_import_back_unchanged() {
    let env = Env::national();
    let c = county(&env);
    env.run(Some(&c), &["school", "import", &example("changan-schools.csv")]).ok();
    let file = env.path("schools.xlsx");
    env.run(Some(&c), &["school", "export", "-o", &s(&file)]).ok();
    assert_private(&file);
    let rows = cells(&file);
    let (code, students, unit) = (col(&rows[0], "code"), col(&rows[0], "students"), col(&rows[0], "unit"));
    assert_eq!(rows.len(), 1 + 14);
    let first = rows.iter().find(|r| r[code] == Data::String(S1.into())).expect("长安区第一小学");
    assert!(matches!(first[students], Data::Float(_)), "a count is a number: {:?}", first[students]);
    assert_eq!(first[unit], Data::String(COUNTY.into()));
    assert_header_frozen_and_bold(&file, 1);

    let audit = env.audit_count();
    env.run(Some(&c), &["school", "import", &s(&file)]).ok().stderr_has("14 rows: 0 added, 0 changed, 14 unchanged");
    assert_eq!(env.audit_count(), audit);
}

#[test]
fn values_export_as_a_workbook_wide_and_long_and_import_back_changing_nothing() {
    let env = Env::national();
    let c = filled_county(&env);
    let wide = env.path("wide.xlsx");
    env.run(Some(&c), &["report", "export", "--period", "2026-11", "--under", COUNTY, "-o", &s(&wide)]).ok();
    assert_private(&wide);
    let rows = cells(&wide);
    let (org, bw, rooms) = (col(&rows[0], "org"), col(&rows[0], "bandwidth_mbps"), col(&rows[0], "classrooms"));
    let s1 = rows.iter().find(|r| r[org] == Data::String(S1.into())).expect("S1");
    assert_eq!(s1[bw], Data::Float(12.5));
    assert_eq!(s1[rooms], Data::Float(30.0));
    assert_eq!(s1[col(&rows[0], "period")], Data::String("2026-11".into()));
    assert_header_frozen_and_bold(&wide, 1);

    let audit = env.audit_count();
    env.run(Some(&c), &["report", "import", &s(&wide)]).ok().stderr_has("14 rows: 0 values changed, 7 unchanged");
    assert_eq!(env.audit_count(), audit);

    let long = env.path("long.xlsx");
    let args = ["report", "export", "--period", "2026-11", "--under", COUNTY, "--layout", "long", "-o", &s(&long)];
    env.run(Some(&c), &args).ok();
    let rows = cells(&long);
    assert_eq!(rows.len(), 1 + 7);
    assert!(rows.contains(&vec![
        Data::String(S1.into()),
        Data::String("2026-11".into()),
        Data::String("bandwidth_mbps".into()),
        Data::Float(12.5)
    ]));
    env.run(Some(&c), &["report", "import", &s(&long)]).ok().stderr_has("7 rows: 0 values changed, 7 unchanged");
    assert_eq!(env.audit_count(), audit);
}

#[test]
fn the_personnel_form_exports_in_the_official_layout_and_imports_back_unchanged() {
    let env = Env::national();
    env.person("130102", "admin", "长安管", "13700000101");
    env.person("130102", "reviewer", "长安审", "13700000102");
    let file = env.path("form.xlsx");
    env.admin(&["account", "export", "--under", "130100", "-o", &s(&file)]).ok();
    assert_private(&file);
    let rows = cells(&file);
    assert_eq!(rows[0][0], Data::String("全国教育信息化工作进展信息系统管理人员信息表".into()));
    assert_eq!(rows[1][0], Data::String("单位名称（盖章）：石家庄市".into()));
    assert!(matches!(&rows[2][0], Data::String(d) if d.starts_with("填表日期：2026-")), "{:?}", rows[2][0]);
    let header: Vec<Data> =
        ["序号", "姓名", "单位", "单位代码", "类别", "处室", "职务", "办公电话", "手机号", "电子邮箱"]
            .map(|h| Data::String(h.into()))
            .to_vec();
    assert_eq!(rows[3], header);
    assert_eq!(rows.len(), 4 + 2);
    let mobile = col(&rows[3], "手机号");
    assert_eq!(rows[4][0], Data::Float(1.0), "序号 is a number");
    let mobiles: Vec<&Data> = rows[4..].iter().map(|r| &r[mobile]).collect();
    assert!(mobiles.contains(&&Data::String("13700000101".into())), "a mobile is text, never a number: {mobiles:?}");
    assert!(mobiles.contains(&&Data::String("13700000102".into())), "{mobiles:?}");
    assert_eq!(rows[4][col(&rows[3], "单位代码")], Data::String(COUNTY.into()));
    assert_header_frozen_and_bold(&file, 4);

    let audit = env.audit_count();
    env.admin(&["account", "import", &s(&file)]).ok().stderr_has("2 people on the form: 2 unchanged");
    assert_eq!(env.audit_count(), audit);
}

// ---------------------------------------------------------------- a form as Excel saves it

const FORM_HEADER: [&str; 9] = ["序号", "姓名", "单位", "类别", "处室", "职务", "办公电话", "手机号", "电子邮箱"];

/// A mobile cell of the hand-made form.
enum Mobile<'a> {
    Text(&'a str),
    /// A number shown as Excel's scientific format shows it.
    Scientific(f64),
    /// A number in a General cell.
    Number(f64),
}

/// The personnel form as Excel saves it: the title merged across the table, 单位名称（盖章）and
/// 填表日期 rows, the bold header on row 4, then one row per person (unit, category, name,
/// mobile), and a trailing numbered blank row.
fn excel_form(env: &Env, name: &str, people: &[(&str, &str, &str, Mobile)]) -> String {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("Sheet1").unwrap();
    let title = Format::new().set_bold().set_font_size(16).set_align(rust_xlsxwriter::FormatAlign::Center);
    sheet.merge_range(0, 0, 0, 8, "全国教育信息化工作进展信息系统管理人员信息表", &title).unwrap();
    sheet.merge_range(1, 0, 1, 8, "单位名称（盖章）：河北省教育厅", &Format::new()).unwrap();
    sheet.merge_range(2, 0, 2, 8, "填表日期：2026年11月20日", &Format::new()).unwrap();
    let bold = Format::new().set_bold().set_border(rust_xlsxwriter::FormatBorder::Thin);
    for (c, h) in FORM_HEADER.iter().enumerate() {
        sheet.write_string_with_format(3, c as u16, *h, &bold).unwrap();
    }
    let scientific = Format::new().set_num_format("0.00000E+00");
    let mut row = 4;
    for (i, (unit, category, person, mobile)) in people.iter().enumerate() {
        sheet.write_number(row, 0, (i + 1) as f64).unwrap();
        sheet.write_string(row, 1, *person).unwrap();
        sheet.write_string(row, 2, *unit).unwrap();
        sheet.write_string(row, 3, *category).unwrap();
        sheet.write_string(row, 4, "电教站").unwrap();
        match mobile {
            Mobile::Text(t) => sheet.write_string(row, 7, *t).unwrap(),
            Mobile::Scientific(n) => sheet.write_number_with_format(row, 7, *n, &scientific).unwrap(),
            Mobile::Number(n) => sheet.write_number(row, 7, *n).unwrap(),
        };
        row += 1;
    }
    // A numbered row left blank, as the printed form has.
    sheet.write_number(row, 0, (people.len() + 1) as f64).unwrap();
    sheet.set_column_width(2, 20).unwrap();
    let path = env.path(name);
    book.save(&path).unwrap();
    s(&path)
}

#[test]
fn a_form_saved_by_excel_with_mobiles_in_scientific_notation_is_refused_with_the_way_to_fix_it() {
    let env = Env::national();
    let form = excel_form(
        &env,
        "form.xlsx",
        &[
            ("130102", "区县级管理员", "张三", Mobile::Scientific(1.391e10)),
            ("130102", "区县级审核员", "李四", Mobile::Text("1.39100E+10")),
            ("１３０１０２", "区县级视察员", "王五", Mobile::Text("１３９１２３４５６７８")),
            ("130104", "区县级管理员", "赵六", Mobile::Number(13_912_345_679.0)),
        ],
    );
    let audit = env.audit_count();
    let r = env.admin(&["account", "import", &form]);
    r.code(6)
        .stderr_has("line 5: the mobile 13910000000 is stored as a number whose last digits are zeros")
        .stderr_has("line 6: the mobile 1.39100E+10 is a number Excel showed in scientific notation")
        .stderr_has("cannot be recovered")
        .stderr_has("format the 手机号 column as Text (设置单元格格式 → 文本)")
        .stderr_lacks("line 7:")
        .stderr_lacks("line 8:")
        .stderr_lacks("panicked")
        .stderr_has("2 of 4 rows are bad");
    assert_eq!(env.audit_count(), audit, "nothing written");
    assert_eq!(env.count("SELECT count(*) FROM account WHERE mobile LIKE '139%'"), 0);
    // The bad rows, with their errors, into a workbook to fix.
    let rejects = env.path("rejects.xlsx");
    env.admin(&["account", "import", &form, "--rejects", &s(&rejects)]).code(6);
    let rows = cells(&rejects);
    assert_eq!(rows.len(), 1 + 2, "the header and the two bad rows");
    let error = col(&rows[0], "error");
    assert!(matches!(&rows[2][error], Data::String(e) if e.contains("scientific notation")), "{:?}", rows[2]);

    // Fixed as the message says: the two mobiles typed again as text. The full-width one is
    // stored in ASCII, the one kept whole as a number as its digits.
    let form = excel_form(
        &env,
        "fixed.xlsx",
        &[
            ("130102", "区县级管理员", "张三", Mobile::Text("13910000001")),
            ("130102", "区县级审核员", "李四", Mobile::Text("13910000002")),
            ("１３０１０２", "区县级视察员", "王五", Mobile::Text("１３９１２３４５６７８")),
            ("130104", "区县级管理员", "赵六", Mobile::Number(13_912_345_679.0)),
        ],
    );
    env.admin(&["account", "import", &form]).ok().stderr_has("4 people on the form");
    let mobile = |user: &str| -> String {
        env.conn().query_row("SELECT mobile FROM account WHERE username = ?1", [user], |r| r.get(0)).unwrap()
    };
    assert_eq!(mobile("130102-I01"), "13912345678");
    assert_eq!(mobile("130104-A01"), "13912345679");
    assert_eq!(mobile("130102-A01"), "13910000001");
}

#[test]
fn the_csv_path_refuses_scientific_mobiles_and_reads_full_width_digits_too() {
    let env = Env::national();
    let text = "管理人员信息表\n单位名称（盖章）：x\n序号,单位,类别,手机号\n\
                1,１３０１０２,区县级管理员,１３９１２３４５６７８\n2,130102,区县级审核员,1.39123E+10\n";
    let f = env.write_file("form.csv", text.as_bytes());
    env.admin(&["account", "import", &f])
        .code(6)
        .stderr_has("line 5: the mobile 1.39123E+10 is a number Excel showed in scientific notation")
        .stderr_lacks("line 4:");
    let text = "管理人员信息表\n序号,单位,类别,手机号\n1,１３０１０２,区县级管理员,１３９１２３４５６７８\n";
    let f = env.write_file("ok.csv", text.as_bytes());
    env.admin(&["account", "import", &f]).ok();
    let stored: String =
        env.conn().query_row("SELECT mobile FROM account WHERE username = '130102-A01'", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, "13912345678");
}

// ---------------------------------------------------------------- sheets, dates, damage

/// A workbook with a notes sheet first and the units on a sheet named 单位, from row 3 (a title
/// above), one name a date cell.
fn two_sheets(env: &Env) -> String {
    let mut book = Workbook::new();
    let notes = book.add_worksheet();
    notes.set_name("说明").unwrap();
    notes.write_string(0, 0, "请在“单位”表中填写").unwrap();
    let units = book.add_worksheet();
    units.set_name("单位").unwrap();
    units.write_string(0, 0, "新增单位").unwrap();
    for (c, h) in ["code", "name", "level", "parent"].iter().enumerate() {
        units.write_string(2, c as u16, *h).unwrap();
    }
    units.write_string(3, 0, "１３０１９８").unwrap();
    units.write_string(3, 1, "新区").unwrap();
    units.write_string(3, 2, "county").unwrap();
    units.write_number(3, 3, 130100).unwrap();
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 11, 20).unwrap();
    units.write_string(4, 0, "130197").unwrap();
    units.write_datetime_with_format(4, 1, &date, &Format::new().set_num_format("yyyy/m/d")).unwrap();
    units.write_string(4, 2, "county").unwrap();
    units.write_string(4, 3, "130100").unwrap();
    let path = env.path("two.xlsx");
    book.save(&path).unwrap();
    s(&path)
}

#[test]
fn sheet_chooses_a_sheet_and_an_unknown_one_is_refused_naming_those_present() {
    let env = Env::national();
    let file = two_sheets(&env);
    // The first sheet holds notes, not units.
    env.admin(&["unit", "import", &file]).code(6).stderr_has("has no header row");
    env.admin(&["unit", "import", &file, "--sheet", "表三"])
        .code(6)
        .stderr_has("has no sheet named 表三; its sheets: 说明, 单位")
        .stderr_has("--sheet");
    // The sheet's own row numbers, the code in full-width digits read as ASCII, a number cell
    // read without ".0", a date as YYYY-MM-DD.
    let r = env.admin(&["unit", "import", &file, "--sheet", "单位", "--dry-run", "--format", "csv"]);
    let rows = csv_maps(&r.ok().stdout);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!((rows[0]["line"].as_str(), rows[0]["code"].as_str()), ("4", "130198"));
    assert_eq!((rows[1]["line"].as_str(), rows[1]["name"].as_str()), ("5", "2026-11-20"));
    env.admin(&["unit", "import", &file, "--sheet", "单位"]).ok().stderr_has("2 rows: 2 added");
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code IN ('130198', '130197') AND parent_id IS NOT NULL"), 2);
    // --sheet with a CSV file is a mistake said as such.
    let csv = env.write_file("u.csv", b"code,name,level,parent\n130196,x,county,130100\n");
    env.admin(&["unit", "import", &csv, "--sheet", "单位"]).code(2).stderr_has("is a CSV file");
}

#[test]
fn a_damaged_workbook_is_refused_cleanly_and_nothing_is_written() {
    let env = Env::national();
    let good = env.path("units.xlsx");
    env.admin(&["unit", "export", "--under", "130100", "-o", &s(&good)]).ok();
    let bytes = std::fs::read(&good).unwrap();
    let broken = env.write_file("broken.xlsx", &bytes[..bytes.len() / 2]);
    let audit = env.audit_count();
    for file in [broken, env.write_file("random.xls", &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 7, 7, 7])] {
        env.admin(&["unit", "import", &file])
            .code(6)
            .stderr_has("cannot be read as an Excel workbook")
            .stderr_has("save it again as .xlsx")
            .stderr_lacks("panicked")
            .stderr_lacks("GB18030");
    }
    // Binary that is neither a workbook nor text, named .xlsx.
    let junk = env.write_file("junk.xlsx", &[0xFF, 0x00, 0x81, 0x30, 0xFE, 0x01]);
    env.admin(&["unit", "import", &junk])
        .code(6)
        .stderr_has("is named as an Excel workbook but is neither")
        .stderr_lacks("not valid");
    assert_eq!(env.audit_count(), audit, "nothing written");
}

#[test]
fn a_workbook_where_text_is_expected_and_csv_named_xlsx_are_named_as_such() {
    let env = Env::national();
    let prov = province(&env);
    // The monthly text is a document: a workbook is said to be one, not a bad encoding.
    let book = env.path("units.xlsx");
    env.admin(&["unit", "export", "--under", "130100", "-o", &s(&book)]).ok();
    env.run(Some(&prov), &["report", "text", "--period", "2026-11", "--file", &s(&book)])
        .code(6)
        .stderr_has("is an Excel workbook (.xlsx), not a text file")
        .stderr_lacks("not valid");
    // CSV renamed .xlsx is read as what it is, and said so.
    let csv = env.write_file("renamed.xlsx", "code,name,level,parent\n130195,改名区,county,130100\n".as_bytes());
    env.admin(&["unit", "import", &csv]).ok().stderr_has("is a CSV text file named as a workbook: read as CSV");
    assert_eq!(env.count("SELECT count(*) FROM org WHERE code = '130195'"), 1);
}

#[test]
fn the_bulletin_as_a_workbook_holds_the_csv_table_with_its_figures_as_numbers() {
    let env = Env::national();
    let reviewer = who(&env, "130100", "reviewer", "市审", "13700000204");
    let bulletin = |ext: &str| {
        let f = env.path(&format!("通报.{ext}"));
        let args =
            ["report", "bulletin", "--period", "2026-10", "--under", "130100", "--level", "county", "-o", &s(&f)];
        run(&env, &reviewer, &args).ok();
        assert_private(&f);
        f
    };
    let csv = csv_rows(std::fs::read_to_string(bulletin("csv")).unwrap().trim_start_matches('\u{feff}'));
    let book = cells(&bulletin("xlsx"));
    assert_eq!(book.len(), csv.len(), "a row per unit under the same header");
    assert!(book.len() > 2, "the prefecture's counties");
    let mut numbers = 0;
    for (b, c) in book.iter().zip(&csv) {
        for (got, want) in b.iter().zip(c) {
            match got {
                Data::Float(n) => {
                    assert_eq!(*n, want.parse::<f64>().unwrap(), "{want}");
                    numbers += 1;
                }
                Data::String(t) => assert_eq!(t, want),
                Data::Empty => assert_eq!(want, ""),
                other => panic!("unexpected cell {other:?}"),
            }
        }
        assert!(matches!(&b[1], Data::String(_)), "the code is text: {:?}", b[1]);
    }
    assert!(numbers > 0, "figures are numbers");
    assert_header_frozen_and_bold(&env.path("通报.xlsx"), 1);
    // Excel's own charts: the ranking as bars of the score column labelled by the names, beside
    // the table; the reporting month by month as lines on a sheet of its own ("By month" in
    // English, as the harness runs; 各月 in Chinese).
    let f = env.path("通报.xlsx");
    let n = csv.len() as u32; // the header and a row per unit: the data are rows 2..=n
    let bars = part(&f, "xl/charts/chart1.xml");
    assert!(bars.contains("<c:barChart>"), "{bars}");
    assert!(bars.contains(&format!("$C$2:$C${n}")) && bars.contains(&format!("$D$2:$D${n}")), "{bars}");
    let lines = part(&f, "xl/charts/chart2.xml");
    assert!(lines.contains("<c:lineChart>") && lines.contains("'By month'!$B$2"), "{lines}");
    assert!(part(&f, "xl/workbook.xml").contains("name=\"By month\""));
}

#[test]
fn activation_codes_go_into_a_workbook_when_the_codes_file_ends_in_xlsx() {
    let env = Env::national();
    let text = "序号,单位,类别,手机号\n1,130102,区县级管理员,13912345678\n";
    let form = env.write_file("form.csv", text.as_bytes());
    let codes = env.path("codes.xlsx");
    env.admin(&["account", "import", &form, "--codes-out", &s(&codes)])
        .ok()
        .stderr_has("1 activation codes written to");
    assert_private(&codes);
    let rows = cells(&codes);
    assert_eq!(rows[0][0], Data::String("username".into()));
    assert_eq!(rows[1][col(&rows[0], "username")], Data::String("130102-A01".into()));
    assert_eq!(rows[1][col(&rows[0], "mobile")], Data::String("13912345678".into()), "a mobile is text");
    let code = &rows[1][col(&rows[0], "activation_code")];
    assert!(matches!(code, Data::String(c) if !c.is_empty()), "{code:?}");
    assert_header_frozen_and_bold(&codes, 1);
}
