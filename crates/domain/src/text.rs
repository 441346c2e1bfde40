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

#[cfg(test)]
mod tests {
    use super::*;

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
