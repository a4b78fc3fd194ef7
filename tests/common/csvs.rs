//! Reading the CSV eip writes.

use std::collections::BTreeMap;
use std::path::Path;

/// CSV text (a UTF-8 BOM allowed) as rows of fields, header first.
pub fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let text = text.trim_start_matches('\u{feff}');
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.expect("valid CSV").iter().map(str::to_string).collect())
        .collect()
}

/// CSV text (a UTF-8 BOM allowed) as one map per data row, keyed by the header.
pub fn csv_maps(text: &str) -> Vec<BTreeMap<String, String>> {
    let rows = csv_rows(text);
    let (head, body) = rows.split_first().expect("a header row");
    body.iter().map(|r| head.iter().cloned().zip(r.iter().cloned()).collect()).collect()
}

/// A CSV file written by eip: checks the UTF-8 BOM and returns (header, rows).
pub fn read_bom_csv(p: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let bytes = std::fs::read(p).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "{} lacks the UTF-8 BOM", p.display());
    let mut r = csv::ReaderBuilder::new().has_headers(true).from_reader(&bytes[3..]);
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r.records().map(|rec| rec.unwrap().iter().map(str::to_string).collect()).collect();
    (header, rows)
}
