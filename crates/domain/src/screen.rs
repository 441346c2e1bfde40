//! Screening of free text before it is published (issue 16, finding 9): what a resident or an
//! officer typed into a need's title, a project's title or a call's requirements leaves on the
//! public site and in the open-contracting export, and people type their mobile number, an
//! identity number or a neighbour's name into such fields. Before text is published, mobile
//! numbers become `138****5678`, 18-digit identity numbers `110***********1234`, and the names
//! of people registered in the territory `张*` / `张**`.
//!
//! Digits are recognised in both ASCII and full width (a Chinese input method types `１３８…`),
//! and a number is only recognised as a whole run of digits: a mobile number inside a longer run
//! (`+8613812345678`, an order number) masks the whole run but its first three and last four,
//! so nothing that looks like a mobile number survives.

use std::collections::HashSet;

/// The value of an ASCII or full-width decimal digit.
fn digit(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '０'..='９' => Some((c as u32 - '０' as u32) as u8),
        _ => None,
    }
}

fn is_x(c: char) -> bool {
    matches!(c, 'X' | 'x' | 'Ｘ' | 'ｘ')
}

/// Whether the digits contain a mainland mobile number (`1[3-9]` and nine more digits).
fn holds_mobile(digits: &[u8]) -> bool {
    digits.len() >= 11
        && digits
            .windows(11)
            .any(|w| w[0] == 1 && (3..=9).contains(&w[1]))
}

/// Masks mobile numbers and identity numbers in `text`.
pub fn mask_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        if digit(chars[i]).is_none() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && digit(chars[i]).is_some() {
            i += 1;
        }
        // An identity number ends in a check character that may be X.
        if i - start == 17 && i < chars.len() && is_x(chars[i]) {
            i += 1;
        }
        let run = &chars[start..i];
        let digits: Vec<u8> = run.iter().filter_map(|c| digit(*c)).collect();
        let identity = run.len() == 18;
        if identity || holds_mobile(&digits) {
            let keep_tail = 4;
            for (k, c) in run.iter().enumerate() {
                if k < 3 || k >= run.len() - keep_tail {
                    out.push(*c);
                } else {
                    out.push('*');
                }
            }
        } else {
            out.extend(run);
        }
    }
    out
}

/// The masked form of a name: its first character, then one `*` for each other one.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    let mut out = String::new();
    if let Some(first) = chars.next() {
        out.push(first);
    }
    out.extend(chars.map(|_| '*'));
    out
}

/// The screen of one territory: the names of the people registered in it. Names shorter than
/// two characters are ignored (one character is a common word, not a name); matching is by exact
/// substring, longest name first at each position.
#[derive(Debug, Clone, Default)]
pub struct Screen {
    names: HashSet<String>,
    longest: usize,
}

/// The longest name kept: it bounds the work per character of text (a scan is linear in the text
/// whatever the number of names). Chinese names, minority names written in Chinese included, are
/// far shorter.
const MAX_NAME_CHARS: usize = 12;

impl Screen {
    pub fn new<I, S>(names: I) -> Screen
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut set = HashSet::new();
        let mut longest = 0;
        for n in names {
            let n = n.as_ref().trim();
            let len = n.chars().count();
            if (2..=MAX_NAME_CHARS).contains(&len) {
                longest = longest.max(len);
                set.insert(n.to_string());
            }
        }
        Screen {
            names: set,
            longest,
        }
    }

    /// How many names it masks.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// `text` with its numbers and the registered names masked.
    pub fn apply(&self, text: &str) -> String {
        let text = mask_numbers(text);
        if self.names.is_empty() {
            return text;
        }
        let chars: Vec<char> = text.chars().collect();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        let mut probe = String::new();
        'scan: while i < chars.len() {
            let most = self.longest.min(chars.len() - i);
            for len in (2..=most).rev() {
                probe.clear();
                probe.extend(&chars[i..i + len]);
                if self.names.contains(&probe) {
                    out.push_str(&mask_name(&probe));
                    i += len;
                    continue 'scan;
                }
            }
            out.push(chars[i]);
            i += 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn masks_a_mobile_number_keeping_its_ends() {
        assert_eq!(
            mask_numbers("请联系13812345678张阿姨"),
            "请联系138****5678张阿姨"
        );
        assert_eq!(
            mask_numbers("电话：１３８１２３４５６７８"),
            "电话：１３８****５６７８"
        );
        assert_eq!(mask_numbers("+8613812345678"), "+861******5678");
    }

    #[test]
    fn masks_an_identity_number_with_or_without_x() {
        assert_eq!(
            mask_numbers("身份证110105194912310021。"),
            "身份证110***********0021。"
        );
        assert_eq!(mask_numbers("11010519491231002X号"), "110***********002X号");
    }

    #[test]
    fn leaves_ordinary_numbers_alone() {
        for s in [
            "2026 年 12 月服务 30 户",
            "预算 12000 元",
            "12345678901",   // 11 digits, but not 1[3-9]
            "0551-12345678", // a landline
        ] {
            assert_eq!(mask_numbers(s), s);
        }
    }

    #[test]
    fn masks_registered_names_longest_first() {
        let s = Screen::new(["张三", "欧阳娜娜", "王", "欧阳"]);
        assert_eq!(
            s.apply("张三和欧阳娜娜来了，王老师也来了"),
            "张*和欧***来了，王老师也来了"
        );
        assert_eq!(s.len(), 3, "one-character names are not matched");
    }

    #[test]
    fn masks_names_and_numbers_together() {
        let s = Screen::new(["汪晓梅"]);
        assert_eq!(
            s.apply("汪晓梅 13912345678 11010519491231002X"),
            "汪** 139****5678 110***********002X"
        );
    }

    proptest! {
        /// Whatever surrounds it, a mobile number never survives whole.
        #[test]
        fn no_mobile_number_survives(
            before in "[^0-9０-９]{0,8}",
            second in 3u8..=9,
            rest in "[0-9]{9}",
            after in "[^0-9０-９xX]{0,8}",
        ) {
            let number = format!("1{second}{rest}");
            let text = format!("{before}{number}{after}");
            let masked = Screen::new(["张三"]).apply(&text);
            prop_assert!(!masked.contains(&number), "{masked}");
            let kept = format!("1{second}{}****{}", &rest[..1], &rest[5..]);
            prop_assert!(masked.contains(&kept), "{masked}");
        }

        /// An identity number never survives, and masking keeps the length in characters.
        #[test]
        fn no_identity_number_survives(
            before in "[^0-9０-９]{0,8}",
            body in "[1-9][0-9]{16}",
            check in "[0-9X]",
            after in "[^0-9０-９xX]{0,8}",
        ) {
            let number = format!("{body}{check}");
            let text = format!("{before}{number}{after}");
            let masked = mask_numbers(&text);
            prop_assert!(!masked.contains(&number));
            prop_assert_eq!(masked.chars().count(), text.chars().count());
        }

        /// Text without digits or names passes unchanged.
        #[test]
        fn plain_text_is_unchanged(text in "[^0-9０-９张]{0,40}") {
            prop_assert_eq!(Screen::new(["张三"]).apply(&text), text);
        }
    }
}
