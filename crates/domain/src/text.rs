//! Reading what people type: codes, numbers and dates as a Chinese input method writes them.
//!
//! A Chinese input method in its full-width mode types `３４１００２` for `341002` and `２０２６／１１／５`
//! for a date. Every parser of a code, a number or a date reads through [`half_width`] first, so
//! the full-width text is the same value as its ASCII twin. Free text (names, titles, comments)
//! never goes through it: there `，` and `（）` (full-width forms too) are the right punctuation.

use chrono::NaiveDate;
use std::borrow::Cow;

/// The full-width forms (U+FF01–U+FF5E: digits, Latin letters, `－／．：` …) and the ideographic
/// space as their ASCII twins; every other character unchanged. Borrows when there is nothing
/// to change.
pub fn half_width(s: &str) -> Cow<'_, str> {
    let wide = |c: char| ('\u{ff01}'..='\u{ff5e}').contains(&c) || c == '\u{3000}';
    if !s.chars().any(wide) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| match c {
                '\u{3000}' => ' ',
                c if wide(c) => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
                c => c,
            })
            .collect(),
    )
}

/// A date as people in China write it: `2026-11-05`, `2026-11-5`, `2026/11/5`, `2026.11.5` or
/// `2026年11月5日`, in full-width digits too; `None` for anything else or a day that does not
/// exist. (Excel's serial numbers are read by the importers, which know a cell is a date.)
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = half_width(s.trim());
    let b = s.as_bytes();
    let digits = |part: &[u8]| -> Option<u32> {
        part.iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    // An Excel serial number (a date cell read as a number, or typed as one): 46331.
    if !b.is_empty()
        && b.iter().all(|c| c.is_ascii_digit() || *c == b'.')
        && b.iter().filter(|c| **c == b'.').count() <= 1
    {
        return s.parse::<f64>().ok().and_then(excel_serial_date);
    }
    // The form's own format, read without splitting (imports read many).
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        let y = i32::try_from(digits(&b[0..4])?).ok()?;
        return NaiveDate::from_ymd_opt(y, digits(&b[5..7])?, digits(&b[8..10])?);
    }
    let unified: String = s
        .trim_end_matches('日')
        .chars()
        .map(|c| match c {
            '年' | '月' | '/' | '.' => '-',
            c => c,
        })
        .collect();
    let mut parts = unified.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || y.len() != 4
        || !(1..=2).contains(&m.len())
        || !(1..=2).contains(&d.len())
    {
        return None;
    }
    let y = i32::try_from(digits(y.as_bytes())?).ok()?;
    NaiveDate::from_ymd_opt(y, digits(m.as_bytes())?, digits(d.as_bytes())?)
}

/// The date of an Excel serial number in the 1900 date system, as calamine reads it: days since
/// 1899-12-30, a serial below 60 moved one day on (Excel counts a 29 February 1900 that never
/// was, serial 60, which reads as 28 February); `None` outside 1 to 2958465 (9999-12-31).
pub fn excel_serial_date(serial: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = if serial >= 60.0 { serial } else { serial + 1.0 };
    NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_signed(chrono::Duration::days(days as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excel_serial_numbers_are_dates_as_calamine_reads_them() {
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(parse_date("46331"), d(2026, 11, 5));
        assert_eq!(
            parse_date("４６３３１"),
            d(2026, 11, 5),
            "full-width digits"
        );
        assert_eq!(
            parse_date("46331.75"),
            d(2026, 11, 5),
            "a time of day is dropped"
        );
        assert_eq!(excel_serial_date(1.0), d(1900, 1, 1));
        assert_eq!(excel_serial_date(59.0), d(1900, 2, 28));
        assert_eq!(
            excel_serial_date(60.0),
            d(1900, 2, 28),
            "Excel's 29 February 1900"
        );
        assert_eq!(excel_serial_date(61.0), d(1900, 3, 1));
        assert_eq!(excel_serial_date(2_958_465.0), d(9999, 12, 31));
        for bad in ["0", "20261105", "1.2.3", "."] {
            assert_eq!(parse_date(bad), None, "{bad}");
        }
        assert_eq!(parse_date("2026/11/5"), d(2026, 11, 5));
        assert_eq!(parse_date("2026年11月5日"), d(2026, 11, 5));
    }

    #[test]
    fn full_width_becomes_ascii_and_the_rest_stays() {
        assert_eq!(half_width("３４１００２ＡＢｘ－／"), "341002ABx-/");
        assert_eq!(half_width("王　芳"), "王 芳");
        // Full-width brackets and commas are forms too: this is why free text never goes through.
        assert_eq!(half_width("（社区）、，。"), "(社区)、,。");
        assert!(matches!(half_width("341002"), Cow::Borrowed(_)));
    }

    #[test]
    fn dates_are_read_as_people_write_them() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 5);
        for s in [
            "2026-11-05",
            " 2026-11-5 ",
            "2026/11/5",
            "2026/11/05",
            "2026.11.5",
            "2026年11月5日",
            "2026年11月05日",
            "２０２６－１１－０５",
            "２０２６／１１／５",
            "２０２６年１１月５日",
        ] {
            assert_eq!(parse_date(s), d, "{s}");
        }
        for s in [
            "",
            "2026-11",
            "2026-02-30",
            "26-11-5",
            "2026-011-5",
            "2026-11-5-1",
            "十一月五日",
            "2026-1a-05",
        ] {
            assert_eq!(parse_date(s), None, "{s}");
        }
    }
}
