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

/// How much of a file an import may read. A spreadsheet is a zip of XML: a 1.5 KB file naming
/// the cell XFD1048576 made the parser allocate 512 GiB, and 2 MB of compressed XML took 87 s of
/// CPU and 5.9 GB. Every dimension is bounded before and while parsing, and so is the time.
#[derive(Debug, Clone, Copy)]
pub struct ReadLimits {
    /// Bytes of all the parts of an .xlsx once unzipped (counted as they unzip, whatever the
    /// archive claims).
    pub unzipped_bytes: u64,
    /// Parts in an .xlsx archive.
    pub zip_entries: usize,
    /// Data rows (blank lines not counted).
    pub rows: usize,
    /// Columns a row may reach (a template has about a dozen).
    pub columns: usize,
    /// Cells in all.
    pub cells: usize,
    /// Longest the reading may take.
    pub time: std::time::Duration,
}

impl Default for ReadLimits {
    fn default() -> Self {
        Self {
            unzipped_bytes: 256 * 1024 * 1024,
            zip_entries: 2_000,
            rows: 500_000,
            columns: 100,
            cells: 5_000_000,
            time: std::time::Duration::from_secs(20),
        }
    }
}

/// Counts what is read against the limits; the error says which was passed.
struct Budget {
    limits: ReadLimits,
    deadline: std::time::Instant,
    cells: usize,
}

impl Budget {
    fn new(limits: ReadLimits) -> Budget {
        Budget {
            limits,
            deadline: std::time::Instant::now() + limits.time,
            cells: 0,
        }
    }

    fn out_of_time(&self) -> Option<String> {
        (std::time::Instant::now() > self.deadline).then(|| {
            format!(
                "文件读取超过 {} 秒仍未完成，请拆分成较小的文件分批导入",
                self.limits.time.as_secs()
            )
        })
    }

    /// One more row of `width` cells at `line`; an error message past a limit.
    fn row(&mut self, rows_so_far: usize, width: usize) -> Result<(), String> {
        if rows_so_far >= self.limits.rows {
            return Err(format!(
                "文件超过 {} 行的上限，请拆分后分批导入",
                self.limits.rows
            ));
        }
        if width > self.limits.columns {
            return Err(format!(
                "该行有 {width} 列，超过 {} 列的上限（请使用模板）",
                self.limits.columns
            ));
        }
        self.cells(width)
    }

    /// `width` more cells.
    fn cells(&mut self, width: usize) -> Result<(), String> {
        self.cells += width;
        if self.cells > self.limits.cells {
            return Err(format!(
                "文件超过 {} 个单元格的上限，请拆分后分批导入",
                self.limits.cells
            ));
        }
        if self.cells % 4096 < width {
            if let Some(m) = self.out_of_time() {
                return Err(m);
            }
        }
        Ok(())
    }
}

/// Reads an .xlsx (by its zip signature) or a CSV file within the default limits.
pub fn read_table(bytes: &[u8], file: &str) -> Result<Table, AppError> {
    read_table_within(bytes, file, ReadLimits::default())
}

/// Reads an .xlsx or a CSV file. CSV bytes that are not UTF-8 are read as GB18030 (which covers
/// GBK and GB2312), the encoding Chinese spreadsheets save by default. A cell holding a NUL
/// character is refused with its line (no database stores it).
pub fn read_table_within(bytes: &[u8], file: &str, limits: ReadLimits) -> Result<Table, AppError> {
    let mut budget = Budget::new(limits);
    let table = if bytes.starts_with(b"PK\x03\x04") {
        read_xlsx(bytes, file, &mut budget)?
    } else {
        read_csv(bytes, file, &mut budget)?
    };
    let mut errors = Vec::new();
    if table.headers.iter().any(|h| h.contains('\0')) {
        errors.push(ImportError {
            file: file.to_string(),
            line: 1,
            column: None,
            message: "表头含有不允许的控制字符（NUL）".into(),
        });
    }
    for (line, row) in &table.rows {
        if let Some(i) = row.iter().position(|c| c.contains('\0')) {
            errors.push(ImportError {
                file: file.to_string(),
                line: *line,
                column: table.headers.get(i).cloned(),
                message: "单元格含有不允许的控制字符（NUL），请删除后重新导入".into(),
            });
        }
    }
    if errors.is_empty() {
        Ok(table)
    } else {
        Err(AppError::Import(errors))
    }
}

fn read_csv(bytes: &[u8], file: &str, budget: &mut Budget) -> Result<Table, AppError> {
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
    budget
        .row(0, headers.len())
        .map_err(|m| file_error(file, 1, m))?;
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
        budget
            .row(rows.len(), rec.len())
            .map_err(|m| file_error(file, line, m))?;
        rows.push((line, rec.iter().map(|c| restore(c).to_string()).collect()));
    }
    Ok(Table { headers, rows })
}

/// Unzips every part of the archive into nothing, counting the bytes as they come, so that a
/// part that claims to be small but inflates without end (a zip bomb) is stopped at the limit.
fn check_zip(bytes: &[u8], file: &str, budget: &Budget) -> Result<(), AppError> {
    let bad = |m: String| file_error(file, 0, m);
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| bad(format!("无法读取 Excel 文件：{e}")))?;
    if zip.len() > budget.limits.zip_entries {
        return Err(bad(format!(
            "Excel 文件的组成部分过多（{} 个），不是一个正常的表格",
            zip.len()
        )));
    }
    let limit = budget.limits.unzipped_bytes;
    let too_big = || {
        bad(format!(
            "Excel 文件解压后超过 {} MB，请拆分后分批导入",
            limit / 1024 / 1024
        ))
    };
    let mut total: u64 = 0;
    let mut chunk = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        let mut part = zip
            .by_index(i)
            .map_err(|e| bad(format!("无法读取 Excel 文件：{e}")))?;
        if total.saturating_add(part.size()) > limit {
            return Err(too_big());
        }
        loop {
            use std::io::Read;
            let n = part
                .read(&mut chunk)
                .map_err(|e| bad(format!("无法读取 Excel 文件：{e}")))?;
            if n == 0 {
                break;
            }
            total += n as u64;
            if total > limit {
                return Err(too_big());
            }
            if total % (8 * 1024 * 1024) < n as u64 {
                if let Some(m) = budget.out_of_time() {
                    return Err(bad(m));
                }
            }
        }
    }
    Ok(())
}

/// The first sheet, cell by cell as the file lists them (never as the rectangle the sheet
/// declares, which may be a million rows by 16,384 columns), within the budget.
fn read_xlsx(bytes: &[u8], file: &str, budget: &mut Budget) -> Result<Table, AppError> {
    use calamine::{DataRef, Reader, Xlsx};
    check_zip(bytes, file, budget)?;
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .map_err(|e| file_error(file, 0, format!("无法读取 Excel 文件：{e}")))?;
    let sheet = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| file_error(file, 0, "Excel 文件没有工作表".into()))?;
    let mut cells = wb
        .worksheet_cells_reader(&sheet)
        .map_err(|e| file_error(file, 0, format!("无法读取工作表：{e}")))?;
    let text = |d: &DataRef<'_>| match d {
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        // A date cell: its serial number read as calamine reads it (Excel's 1900 leap day).
        DataRef::DateTime(dt) => domain::text::excel_serial_date(dt.as_f64())
            .map(|d| d.to_string())
            .unwrap_or_default(),
        DataRef::SharedString(s) => s.to_string(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => f.to_string(),
        DataRef::Bool(b) => b.to_string(),
        DataRef::Error(e) => format!("#{e:?}"),
        DataRef::Empty => String::new(),
    };
    // Rows as the sheet numbers them (0-based), each with its cells by column.
    let mut rows: Vec<(u32, Vec<String>)> = Vec::new();
    loop {
        let cell = match cells.next_cell() {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => return Err(file_error(file, 0, format!("无法读取工作表：{e}"))),
        };
        let (r, c) = cell.get_position();
        let line = u64::from(r) + 1;
        let value = text(cell.get_value());
        if value.is_empty() {
            continue;
        }
        let col = c as usize;
        if col >= budget.limits.columns {
            return Err(file_error(
                file,
                line,
                format!(
                    "第 {} 列有内容，超过 {} 列的上限（请使用模板）",
                    col + 1,
                    budget.limits.columns
                ),
            ));
        }
        if rows.last().is_none_or(|(last, _)| *last != r) {
            budget
                .row(rows.len(), 0)
                .map_err(|m| file_error(file, line, m))?;
            rows.push((r, Vec::new()));
        }
        if let Some((_, row)) = rows.last_mut() {
            if row.len() <= col {
                budget
                    .cells(col + 1 - row.len())
                    .map_err(|m| file_error(file, line, m))?;
                row.resize(col + 1, String::new());
            }
            row[col] = value;
        }
    }
    // Cells normally come row by row; a file that lists them otherwise is put in order.
    if rows.windows(2).any(|w| w[0].0 >= w[1].0) {
        rows.sort_by_key(|(r, _)| *r);
        let mut merged: Vec<(u32, Vec<String>)> = Vec::with_capacity(rows.len());
        for (r, cells) in rows {
            match merged.last_mut() {
                Some((last, existing)) if *last == r => {
                    if existing.len() < cells.len() {
                        existing.resize(cells.len(), String::new());
                    }
                    for (i, v) in cells.into_iter().enumerate() {
                        if !v.is_empty() {
                            existing[i] = v;
                        }
                    }
                }
                _ => merged.push((r, cells)),
            }
        }
        rows = merged;
    }
    let mut rows = rows.into_iter();
    let headers: Vec<String> = rows
        .next()
        .map(|(_, r)| r.into_iter().map(|c| c.trim().to_string()).collect())
        .unwrap_or_default();
    let rows = rows
        .filter(|(_, r)| !r.iter().all(|v| v.trim().is_empty()))
        .map(|(r, v)| (u64::from(r) + 1, v))
        .collect();
    Ok(Table { headers, rows })
}

impl crate::App {
    /// Reads an uploaded file off the async threads, one file per core at a time (a bounded wait,
    /// then busy), within [`ReadLimits`]. Callers check that the person may import at all first:
    /// nobody without that right gets a file parsed.
    pub(crate) async fn read_upload(&self, bytes: Vec<u8>, file: &str) -> Result<Table, AppError> {
        let permit = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            self.parsing.clone().acquire_owned(),
        )
        .await
        .ok()
        .and_then(Result::ok)
        .ok_or(AppError::Busy { retry_after: 5 })?;
        let file = file.to_string();
        let limits = self.settings.read_limits;
        tokio::task::spawn_blocking(move || {
            let t = read_table_within(&bytes, &file, limits);
            drop(permit);
            t
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
    }
}

/// Whether a spreadsheet would read `cell` as a formula: it begins with `=`, `+`, `-`, `@`, a
/// tab or a carriage return, and is not simply a number.
fn reads_as_formula(cell: &str) -> bool {
    let Some(first) = cell.chars().next() else {
        return false;
    };
    if !matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r') {
        return false;
    }
    let number = cell.strip_prefix(['-', '+']).is_some_and(|rest| {
        !rest.is_empty()
            && rest.chars().all(|c| c.is_ascii_digit() || c == '.')
            && rest.matches('.').count() <= 1
    });
    !number
}

/// A cell as a CSV export writes it: text a spreadsheet would run as a formula (a volunteer
/// once typed `=HYPERLINK(…)` and it reached the bureau's export) gets a leading apostrophe,
/// which spreadsheets show as text (OWASP's advice).
pub fn neutralize(cell: &str) -> std::borrow::Cow<'_, str> {
    if needs_guard(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// Whether a cell is guarded on export: it reads as a formula, or is apostrophes before one (so
/// that [`restore`] gives back exactly what was written).
fn needs_guard(cell: &str) -> bool {
    reads_as_formula(cell) || cell.strip_prefix('\'').is_some_and(needs_guard)
}

/// The inverse of [`neutralize`] for an imported cell, so an exported file imports unchanged.
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if needs_guard(rest) => rest,
        _ => cell,
    }
}

/// CSV bytes: UTF-8 with a BOM (so Excel opens it correctly) or GB18030. Cells that would run
/// as formulas are neutralized.
pub fn write_csv_row(out: &mut Vec<u8>, cells: &[String], gb18030: bool) {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    let _ = w.write_record(cells.iter().map(|c| neutralize(c).into_owned()));
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
/// Rows an Excel export holds at most: a workbook is built whole in memory (the format is a zip),
/// so a larger ledger is cut here with a notice; CSV exports stream every row.
pub const XLSX_EXPORT_ROWS: usize = 100_000;

/// The notice an Excel export cut at [`XLSX_EXPORT_ROWS`] ends with.
pub fn xlsx_cut_notice() -> String {
    format!("（仅导出前 {XLSX_EXPORT_ROWS} 行；记录更多时请缩小筛选范围，或导出 CSV 获取全部）")
}

/// An Excel export: at most [`XLSX_EXPORT_ROWS`] rows; when `rows` holds more (or `more` says
/// there were), the rows past the limit are dropped and the sheet ends, after a blank row, with
/// the notice. Tells whether it was cut.
pub fn write_xlsx_export(
    sheet: &str,
    headers: &[&str],
    mut rows: Vec<Vec<String>>,
    more: bool,
) -> Result<(Vec<u8>, bool), AppError> {
    let cut = more || rows.len() > XLSX_EXPORT_ROWS;
    if cut {
        rows.truncate(XLSX_EXPORT_ROWS);
        rows.push(Vec::new());
        rows.push(vec![xlsx_cut_notice()]);
    }
    Ok((write_xlsx(sheet, headers, &rows)?, cut))
}

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
    fn an_excel_export_is_cut_with_a_notice() {
        let row = |i: usize| vec![format!("组织{i}")];
        let (bytes, cut) =
            write_xlsx_export("组织", &["组织名称"], (0..3).map(row).collect(), false).unwrap();
        assert!(!cut);
        assert_eq!(read_table(&bytes, "a.xlsx").unwrap().rows.len(), 3);
        let rows: Vec<_> = (0..XLSX_EXPORT_ROWS + 2).map(row).collect();
        let (bytes, cut) = write_xlsx_export("组织", &["组织名称"], rows, false).unwrap();
        assert!(cut);
        let t = read_table(&bytes, "a.xlsx").unwrap();
        let last = t.rows.last().unwrap();
        assert_eq!(last.1[0], xlsx_cut_notice());
        assert_eq!(
            t.rows.len(),
            XLSX_EXPORT_ROWS + 1,
            "the rows kept and the notice"
        );
    }

    /// A sheet whose only cells are A1 and XFD1048576: 1.5 KB that once asked for 512 GiB.
    pub(crate) fn far_corner_xlsx() -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "组织名称").unwrap();
        ws.write_string(1_048_575, 16_383, "x").unwrap();
        wb.save_to_buffer().unwrap()
    }

    /// A valid workbook with one more part that inflates to `size` bytes of the same letter.
    pub(crate) fn bomb_xlsx(size: usize) -> Vec<u8> {
        use std::io::Write;
        let base = write_xlsx("组织", &["组织名称"], &[vec!["柏树街互助会".into()]]).unwrap();
        let mut src = zip::ZipArchive::new(std::io::Cursor::new(base)).unwrap();
        let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for i in 0..src.len() {
            let f = src.by_index_raw(i).unwrap();
            out.raw_copy_file(f).unwrap();
        }
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        out.start_file("xl/media/padding.xml", opts).unwrap();
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..size / chunk.len() {
            out.write_all(&chunk).unwrap();
        }
        out.finish().unwrap().into_inner()
    }

    #[test]
    fn a_cell_in_the_far_corner_is_refused_without_allocating_the_rectangle() {
        let bytes = far_corner_xlsx();
        assert!(bytes.len() < 10_000, "{} bytes", bytes.len());
        let started = std::time::Instant::now();
        let Err(AppError::Import(e)) = read_table(&bytes, "corner.xlsx") else {
            panic!("accepted");
        };
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
        assert_eq!(e[0].line, 1_048_576);
        assert!(e[0].message.contains("16384 列"), "{}", e[0].message);
    }

    #[test]
    fn a_part_that_inflates_past_the_limit_is_refused() {
        let bytes = bomb_xlsx(8 << 20);
        assert!(bytes.len() < 100_000, "{} bytes compressed", bytes.len());
        let limits = ReadLimits {
            unzipped_bytes: 4 << 20,
            ..ReadLimits::default()
        };
        let Err(AppError::Import(e)) = read_table_within(&bytes, "bomb.xlsx", limits) else {
            panic!("accepted");
        };
        assert!(e[0].message.contains("解压后超过 4 MB"), "{}", e[0].message);
        // Within a large enough limit the same file reads (the padding is not a sheet).
        let t = read_table(&bytes, "bomb.xlsx").unwrap();
        assert_eq!(t.rows.len(), 1);
    }

    #[test]
    fn rows_cells_and_time_are_bounded_in_csv_and_xlsx() {
        let csv: String = std::iter::once("a,b\n".to_string())
            .chain((0..50).map(|i| format!("{i},x\n")))
            .collect();
        let few = ReadLimits {
            rows: 10,
            ..ReadLimits::default()
        };
        let Err(AppError::Import(e)) = read_table_within(csv.as_bytes(), "a.csv", few) else {
            panic!("accepted");
        };
        assert_eq!(e[0].line, 12, "the eleventh data row");
        let rows: Vec<Vec<String>> = (0..50).map(|i| vec![i.to_string(), "x".into()]).collect();
        let xlsx = write_xlsx("s", &["a", "b"], &rows).unwrap();
        assert!(read_table_within(&xlsx, "a.xlsx", few).is_err());
        let narrow = ReadLimits {
            cells: 20,
            ..ReadLimits::default()
        };
        assert!(read_table_within(csv.as_bytes(), "a.csv", narrow).is_err());
        let no_time = ReadLimits {
            time: std::time::Duration::ZERO,
            ..ReadLimits::default()
        };
        let big: String = std::iter::once("a,b\n".to_string())
            .chain((0..20_000).map(|i| format!("{i},x\n")))
            .collect();
        let Err(AppError::Import(e)) = read_table_within(big.as_bytes(), "a.csv", no_time) else {
            panic!("accepted");
        };
        assert!(e[0].message.contains("秒"), "{}", e[0].message);
        assert_eq!(
            read_table(big.as_bytes(), "a.csv").unwrap().rows.len(),
            20_000
        );
    }

    #[test]
    fn a_nul_in_a_cell_is_named_by_line() {
        let csv = "组织名称,类别\n甲,乙\n丙\0,丁\n";
        let Err(AppError::Import(e)) = read_table(csv.as_bytes(), "a.csv") else {
            panic!("accepted");
        };
        assert_eq!((e[0].line, e[0].column.as_deref()), (3, Some("组织名称")));
    }

    #[test]
    fn cells_that_would_run_as_formulas_are_written_as_text_and_read_back() {
        let cells: Vec<String> = [
            "=HYPERLINK(\"http://evil\",\"点我\")",
            "+1+2",
            "-1+2",
            "@SUM(A1)",
            "\t=1",
            "-12.5",
            "+86",
            "王芳",
            "",
            "'=已带撇号",
        ]
        .map(str::to_string)
        .to_vec();
        let mut out = b"h0,h1,h2,h3,h4,h5,h6,h7,h8,h9\n".to_vec();
        write_csv_row(&mut out, &cells, false);
        let text = String::from_utf8(out.clone()).unwrap();
        let row = text.lines().nth(1).unwrap();
        for bad in [",=", ",+1", ",-1+", ",@", "\"="] {
            assert!(!row.contains(bad), "{bad} in {row}");
        }
        assert!(row.contains(",-12.5,+86,"), "numbers stay numbers: {row}");
        let t = read_table(&out, "a.csv").unwrap();
        assert_eq!(t.rows[0].1, cells, "an export imports unchanged");
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
