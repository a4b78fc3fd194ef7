//! Where an export goes: the interchange CSV (UTF-8 with a BOM, or GBK) is its default
//! for a file or a pipe; on a terminal, or when `--format` asks for a table, TSV or JSON, the
//! rows print like any list. `--format csv` is the interchange CSV.

use crate::error::{self, Result};
use crate::i18n::tf;
use crate::output::{Format, Out};

use super::ExportFile;

/// Whether this export prints its rows through the output format rather than writing the
/// interchange CSV. A file (`-o FILE`) is always the interchange CSV: another format asked for
/// with it is refused (exit 2) before anything is written.
pub fn as_rows(out: &Out, file: &ExportFile) -> Result<bool> {
    let to_file = file.output.as_ref().is_some_and(|p| p.as_os_str() != "-");
    if out.explicit {
        if out.format == Format::Csv {
            return Ok(false);
        }
        if to_file {
            let format = match out.format {
                Format::Table => "table",
                Format::Tsv => "tsv",
                _ => "json",
            };
            return Err(error::usage(tf("export.format_with_file", &[("format", &format)]))
                .hint(crate::i18n::t("export.format_with_file.hint"))
                .into());
        }
        return Ok(true);
    }
    Ok(!to_file && out.format == Format::Table)
}
