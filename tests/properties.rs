//! Property tests: no input makes a parser panic, and what a parser accepts it reads back the same.
//! (The CSV readers, the value parsers, periods and times: everything a user or a file controls.)

use eip::calendar::{parse_user_time, Period};
use eip::csvio::{decode, parse_sheet, Encoding};
use eip::values::Indicator;
use proptest::prelude::*;

fn indicator(kind: &str) -> Indicator {
    Indicator {
        code: "x".into(),
        name_zh: "x".into(),
        name_en: "x".into(),
        kind: kind.into(),
        unit: String::new(),
        filled_by: "school".into(),
        position: 1,
        retired_at: None,
        measure: "stock".into(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn any_bytes_decode_or_are_refused(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        for forced in [None, Some(Encoding::Utf8), Some(Encoding::Gbk)] {
            if let Ok(text) = decode("f", &bytes, forced) {
                let _ = parse_sheet("f", &text, |_| true, "");
                let _ = parse_sheet("f", &text, |h| h.iter().any(|c| c == "code"), "code");
            }
        }
    }

    #[test]
    fn csv_like_text_never_panics(text in "[a-z0-9,\"\\t\\r\\n 中文]{0,400}") {
        if let Ok(sheet) = parse_sheet("f", &text, |_| true, "") {
            // Every row's line is within the file.
            let lines = text.matches('\n').count() as u64 + 1;
            for r in &sheet.rows {
                prop_assert!(r.line >= 1 && r.line <= lines, "line {} of {}", r.line, lines);
            }
        }
    }

    #[test]
    fn values_parse_or_are_refused_and_canonical_forms_are_stable(raw in ".{0,40}") {
        for kind in ["count", "decimal", "bool", "text"] {
            let ind = indicator(kind);
            if let Ok(v) = ind.parse(&raw) {
                prop_assert_eq!(ind.parse(&v).unwrap(), v.clone(), "{} {:?}", kind, raw);
                if kind == "count" || kind == "decimal" {
                    prop_assert!(v.parse::<f64>().is_ok_and(|f| f >= 0.0), "{:?}", v);
                }
            }
        }
    }

    #[test]
    fn numbers_are_read_as_numbers(n in 0u64..1_000_000_000, frac in 0u32..10_000) {
        let ind = indicator("decimal");
        let v = ind.parse(&format!("{n}.{frac:04}")).unwrap();
        let back: f64 = v.parse().unwrap();
        prop_assert!((back - (n as f64 + frac as f64 / 10_000.0)).abs() < 1e-6);
        prop_assert_eq!(indicator("count").parse(&n.to_string()).unwrap(), n.to_string());
    }

    #[test]
    fn periods_and_times_never_panic(s in ".{0,32}") {
        if let Ok(p) = s.parse::<Period>() {
            prop_assert_eq!(p.to_string(), s.clone());
            prop_assert!(p.starts() < p.ends());
        }
        let _ = parse_user_time(&s);
    }

    #[test]
    fn every_valid_period_round_trips(y in 2000i32..3000, m in 1u32..13) {
        let p = Period::new(y, m).unwrap();
        prop_assert_eq!(p.to_string().parse::<Period>().unwrap(), p);
        prop_assert_eq!(p.next().prev(), p);
    }
}
