//! Spreadsheet import and export: Excel (.xlsx) and CSV (UTF-8, with or without BOM, or GB18030).
//! An import applies every row or none and names every bad row by line and column.

use crate::error::ImportError;
use crate::AppError;

/// A table read from a file: its header row and the data rows with their line numbers
/// (1-based, as a spreadsheet shows them; the header is line 1).
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<(u64, Vec<String>)>,
}

impl Table {
    /// The cell under `header` in `row`, trimmed, or "".
    pub fn cell<'a>(&self, row: &'a [String], header: &str) -> &'a str {
        self.headers
            .iter()
            .position(|h| h == header)
            .and_then(|i| row.get(i))
            .map(|s| s.trim())
            .unwrap_or("")
    }
}

fn file_error(file: &str, line: u64, message: String) -> AppError {
    AppError::Import(vec![ImportError {
        file: file.to_string(),
        line,
        column: None,
        message,
    }])
}

/// Reads an .xlsx (by its zip signature) or a CSV file. CSV bytes that are not UTF-8 are read as
/// GB18030 (which covers GBK and GB2312), the encoding Chinese spreadsheets save by default.
pub fn read_table(bytes: &[u8], file: &str) -> Result<Table, AppError> {
    if bytes.starts_with(b"PK\x03\x04") {
        return read_xlsx(bytes, file);
    }
    let text: std::borrow::Cow<str> = match std::str::from_utf8(bytes) {
        Ok(t) => t.trim_start_matches('\u{feff}').into(),
        Err(_) => {
            let (t, _, bad) = encoding_rs::GB18030.decode(bytes);
            if bad {
                return Err(file_error(
                    file,
                    0,
                    "文件既不是 UTF-8 也不是 GB18030 编码的 CSV，也不是 Excel(.xlsx) 文件".into(),
                ));
            }
            t
        }
    };
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| file_error(file, 1, format!("无法读取表头：{e}")))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    // The csv crate does not count blank lines; a person counts every line of the file. Records
    // come in file order, so the count moves forward from the previous record (linear, not
    // quadratic, in the size of the file).
    let b = text.as_bytes();
    let mut seen = (0usize, 1u64);
    let mut line_at = |byte: u64| {
        let mut i = (byte as usize).min(b.len());
        // A record's position may point at the blank lines before it.
        while i < b.len() && (b[i] == b'\n' || b[i] == b'\r') {
            i += 1;
        }
        let (from, mut line) = if i >= seen.0 { seen } else { (0, 1) };
        line += b[from..i].iter().filter(|c| **c == b'\n').count() as u64;
        seen = (i, line);
        line
    };
    let mut rows = Vec::new();
    // One record buffer for the whole file (no allocation per line).
    let mut rec = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map(|p| line_at(p.byte())).unwrap_or(0);
                return Err(file_error(file, line, format!("行格式不正确：{e}")));
            }
        }
        let line = rec.position().map(|p| line_at(p.byte())).unwrap_or(0);
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push((line, rec.iter().map(str::to_string).collect()));
    }
    Ok(Table { headers, rows })
}

fn read_xlsx(bytes: &[u8], file: &str) -> Result<Table, AppError> {
    use calamine::{Data, Reader, Xlsx};
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))
        .map_err(|e| file_error(file, 0, format!("无法读取 Excel 文件：{e}")))?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or_else(|| file_error(file, 0, "Excel 文件没有工作表".into()))?
        .map_err(|e| file_error(file, 0, format!("无法读取工作表：{e}")))?;
    let start_row = range.start().map(|(r, _)| r as u64).unwrap_or(0);
    let cell = |d: &Data| match d {
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::DateTime(dt) => {
            // Excel serial days since 1899-12-30.
            let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30).unwrap_or_default();
            (base + chrono::Duration::days(dt.as_f64().floor() as i64)).to_string()
        }
        other => other.to_string(),
    };
    let mut rows_iter = range.rows();
    let headers: Vec<String> = rows_iter
        .next()
        .map(|r| r.iter().map(|c| cell(c).trim().to_string()).collect())
        .unwrap_or_default();
    let mut rows = Vec::new();
    for (i, r) in rows_iter.enumerate() {
        let values: Vec<String> = r.iter().map(cell).collect();
        if values.iter().all(|v| v.trim().is_empty()) {
            continue;
        }
        rows.push((start_row + i as u64 + 2, values));
    }
    Ok(Table { headers, rows })
}

/// CSV bytes: UTF-8 with a BOM (so Excel opens it correctly) or GB18030.
pub fn write_csv_row(out: &mut Vec<u8>, cells: &[String], gb18030: bool) {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let _ = w.write_record(cells);
    let bytes = w.into_inner().unwrap_or_default();
    if gb18030 {
        let text = String::from_utf8_lossy(&bytes);
        let (enc, _, _) = encoding_rs::GB18030.encode(&text);
        out.extend_from_slice(&enc);
    } else {
        out.extend_from_slice(&bytes);
    }
}

/// An .xlsx file of one sheet.
pub fn write_xlsx(
    sheet: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<Vec<u8>, AppError> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let err = |e: rust_xlsxwriter::XlsxError| AppError::Internal(e.to_string());
    ws.set_name(sheet).map_err(err)?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)
            .map_err(err)?;
        ws.set_column_width(c as u16, 18).map_err(err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, v).map_err(err)?;
        }
    }
    wb.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_in_utf8_with_bom_and_in_gb18030_read_the_same() {
        let text = "组织名称,类别\n柏树街互助会,邻里互助类\n\n杨梅山舞蹈队,文体活动类\n";
        let with_bom = format!("\u{feff}{text}");
        let (gb, _, _) = encoding_rs::GB18030.encode(text);
        for bytes in [
            text.as_bytes().to_vec(),
            with_bom.into_bytes(),
            gb.into_owned(),
        ] {
            let t = read_table(&bytes, "a.csv").unwrap();
            assert_eq!(t.headers, vec!["组织名称", "类别"]);
            assert_eq!(t.rows.len(), 2, "blank lines are skipped");
            assert_eq!(t.rows[0].0, 2);
            assert_eq!(t.rows[1].0, 4, "line numbers count the skipped line");
            assert_eq!(t.cell(&t.rows[1].1, "类别"), "文体活动类");
        }
    }

    #[test]
    fn an_xlsx_written_here_reads_back() {
        let bytes = write_xlsx(
            "组织",
            &["组织名称", "评估等级"],
            &[vec!["柏树街互助会".into(), "4A".into()]],
        )
        .unwrap();
        let t = read_table(&bytes, "a.xlsx").unwrap();
        assert_eq!(t.headers, vec!["组织名称", "评估等级"]);
        assert_eq!(
            t.rows,
            vec![(2, vec!["柏树街互助会".to_string(), "4A".to_string()])]
        );
    }

    #[test]
    fn gb18030_export_round_trips() {
        let mut out = Vec::new();
        write_csv_row(&mut out, &["柏树街".to_string(), "a,b".to_string()], true);
        assert!(std::str::from_utf8(&out).is_err(), "not UTF-8");
        let t = read_table(&[b"x,y\n".to_vec(), out].concat(), "a.csv").unwrap();
        assert_eq!(t.rows[0].1, vec!["柏树街", "a,b"]);
    }
}
