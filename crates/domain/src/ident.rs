//! Identifiers: the unified social credit code (GB 32100-2015) and the resident identity number
//! (GB 11643-1999). Both are cross-checked in CI against PyPI's python-stdnum.

use crate::error::DomainError;
use chrono::{Datelike, NaiveDate};
use schemars::JsonSchema;
use serde::Serialize;

/// The 31 characters of GB 32100 (no I, O, S, V, Z), value = position.
const USCC_ALPHABET: &str = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const USCC_WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];
/// Registration authorities: 1–9 and A (central military commission), N (agriculture), Y (other).
const USCC_AUTHORITIES: &str = "123456789ANY";

/// Legal form of a civil-affairs registered organization, from the USCC's first two characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LegalForm {
    /// 51 社会团体
    SocialGroup,
    /// 52 民办非企业单位 / 社会服务机构
    SocialServiceAgency,
    /// 53 基金会
    Foundation,
    /// 59 other civil-affairs entities
    Other,
}

impl LegalForm {
    /// The stable snake_case code of the legal form, as stored and sent by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            LegalForm::SocialGroup => "social_group",
            LegalForm::SocialServiceAgency => "social_service_agency",
            LegalForm::Foundation => "foundation",
            LegalForm::Other => "other",
        }
    }
    /// The legal form with this code, if any.
    pub fn parse(s: &str) -> Option<Self> {
        [
            LegalForm::SocialGroup,
            LegalForm::SocialServiceAgency,
            LegalForm::Foundation,
            LegalForm::Other,
        ]
        .into_iter()
        .find(|f| f.as_str() == s)
    }
    /// The Chinese name of the legal form shown in the UI.
    pub fn zh(self) -> &'static str {
        match self {
            LegalForm::SocialGroup => "社会团体",
            LegalForm::SocialServiceAgency => "社会服务机构",
            LegalForm::Foundation => "基金会",
            LegalForm::Other => "其他",
        }
    }
}

fn uscc_value(c: char) -> Option<u32> {
    USCC_ALPHABET.find(c).map(|i| i as u32)
}

/// The check character for the first 17 characters (which must be in the alphabet).
pub fn uscc_check_char(first17: &str) -> Option<char> {
    let mut total = 0u32;
    for (c, w) in first17.chars().zip(USCC_WEIGHTS) {
        total += uscc_value(c)? * w;
    }
    USCC_ALPHABET.chars().nth(((31 - total % 31) % 31) as usize)
}

/// GB 11714 check of the embedded organization code (positions 9–17).
pub fn organization_code_is_valid(code9: &str) -> bool {
    const W: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let chars: Vec<char> = code9.chars().collect();
    if chars.len() != 9 {
        return false;
    }
    let mut total = 0u32;
    for (c, w) in chars[..8].iter().zip(W) {
        let v = match c {
            '0'..='9' => *c as u32 - '0' as u32,
            'A'..='Z' => *c as u32 - 'A' as u32 + 10,
            _ => return false,
        };
        total += v * w;
    }
    let expected = match 11 - total % 11 {
        10 => 'X',
        11 => '0',
        n => char::from_digit(n, 10).unwrap_or('?'),
    };
    chars[8] == expected
}

/// A unified social credit code that passed GB 32100's checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Uscc(String);

/// The result of validating a USCC: the code, and warnings that do not reject it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsccChecked {
    pub code: Uscc,
    /// Chinese warnings (e.g. the embedded organization code's own check fails, which happens
    /// with some newer civil-affairs codes).
    pub warnings: Vec<String>,
}

impl Uscc {
    /// Validates a code as typed (spaces ignored, lower case accepted).
    pub fn parse(input: &str, field: &str) -> Result<UsccChecked, DomainError> {
        let s: String = crate::text::half_width(input)
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_uppercase();
        let err = |m: String| DomainError::field(field, "invalid_uscc", m);
        let n = s.chars().count();
        if n != 18 {
            return Err(err(format!("统一社会信用代码应为 18 位，现为 {n} 位")));
        }
        let chars: Vec<char> = s.chars().collect();
        if !USCC_AUTHORITIES.contains(chars[0]) {
            return Err(err(format!("第 1 位登记管理部门代码“{}”无效", chars[0])));
        }
        if !chars[1].is_ascii_digit() || chars[1] == '0' {
            return Err(err(format!("第 2 位机构类别代码“{}”无效", chars[1])));
        }
        if !chars[2..8].iter().all(|c| c.is_ascii_digit()) {
            return Err(err("第 3–8 位登记管理机关行政区划码应为数字".into()));
        }
        if let Some((i, c)) = chars
            .iter()
            .enumerate()
            .skip(8)
            .find(|(_, c)| uscc_value(**c).is_none())
        {
            return Err(err(format!(
                "第 {} 位字符“{c}”不在代码字符集中（不使用 I、O、S、V、Z）",
                i + 1
            )));
        }
        let expected = uscc_check_char(&s[..17]).unwrap_or('?');
        if chars[17] != expected {
            return Err(err(format!(
                "校验码错误：第 18 位应为“{expected}”，而不是“{}”",
                chars[17]
            )));
        }
        let mut warnings = Vec::new();
        if !organization_code_is_valid(&s[8..17]) {
            warnings.push(
                "第 9–17 位组织机构代码的校验位不符（部分新赋码的社会组织如此，请核对）"
                    .to_string(),
            );
        }
        Ok(UsccChecked {
            code: Uscc(s),
            warnings,
        })
    }

    /// Reads a code as stored (already validated).
    pub fn from_stored(s: &str) -> Self {
        Uscc(s.to_string())
    }

    /// The 18-character code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The civil-affairs legal form from the first two characters, when the code is one.
    pub fn legal_form(&self) -> Option<LegalForm> {
        match &self.0[..2] {
            "51" => Some(LegalForm::SocialGroup),
            "52" => Some(LegalForm::SocialServiceAgency),
            "53" => Some(LegalForm::Foundation),
            "59" => Some(LegalForm::Other),
            _ => None,
        }
    }
}

/// A resident identity number that passed GB 11643's checks. Personal information: store it
/// encrypted, look it up by a keyed hash, show it masked, never log it (Debug is masked too).
#[derive(Clone, PartialEq, Eq)]
pub struct IdNumber(String);

impl std::fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

const ID_WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// The check character of the first 17 digits.
pub fn id_check_char(first17: &str) -> Option<char> {
    let mut total = 0u32;
    for (c, w) in first17.chars().zip(ID_WEIGHTS) {
        total += c.to_digit(10)? * w;
    }
    "10X98765432".chars().nth((total % 11) as usize)
}

impl IdNumber {
    /// Validates a number as typed: 18 characters, a real birth date not in the future, the check
    /// character (lower-case x accepted, stored as X). The region code is not checked: it is where
    /// the number was first issued and may be long retired.
    pub fn parse(input: &str, field: &str, today: NaiveDate) -> Result<IdNumber, DomainError> {
        // Full-width digits (a Chinese input method) are the same number; after the checks below
        // every character is ASCII, so the slices by position are slices by character.
        let s = crate::text::half_width(input.trim()).to_uppercase();
        // Never echo the number back: a message about it may end up in a log.
        let err = |m: &str| DomainError::field(field, "invalid_id_number", m.to_string());
        let chars: Vec<char> = s.chars().collect();
        if chars.len() != 18 {
            return Err(err("身份证号码应为 18 位"));
        }
        if !chars[..17].iter().all(char::is_ascii_digit) {
            return Err(err("身份证号码前 17 位应为数字"));
        }
        if !chars[17].is_ascii_alphanumeric() {
            return Err(err("身份证号码校验位错误"));
        }
        let (y, m, d) = (
            s[6..10].parse::<i32>().unwrap_or(0),
            s[10..12].parse::<u32>().unwrap_or(0),
            s[12..14].parse::<u32>().unwrap_or(0),
        );
        match NaiveDate::from_ymd_opt(y, m, d) {
            Some(date) if date <= today && date.year() >= 1880 => {}
            _ => return Err(err("身份证号码中的出生日期不存在")),
        }
        let expected = id_check_char(&s[..17]).unwrap_or('?');
        if s.chars().nth(17) != Some(expected) {
            return Err(err("身份证号码校验位错误"));
        }
        Ok(IdNumber(s))
    }

    /// The full number, only for encryption and the keyed hash.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Shown to people: region and the last four, e.g. `341002********001X`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }

    /// Odd sequence = male (GB 11643).
    pub fn is_male(&self) -> bool {
        self.0[16..17]
            .parse::<u32>()
            .map(|d| d % 2 == 1)
            .unwrap_or(false)
    }

    /// The date of birth in digits 7–14, if it is a real date.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    #[test]
    fn the_data_md_uscc_examples_hold() {
        for ok in [
            "51100000500009247D",
            "53100000500021676K",
            "91110000600037341L",
        ] {
            assert!(Uscc::parse(ok, "uscc").is_ok(), "{ok}");
        }
        let e = Uscc::parse("53100000500020462H", "uscc").unwrap_err();
        assert!(format!("{e:?}").contains("应为“K”"), "{e:?}");
    }

    #[test]
    fn lower_case_and_spaces_are_accepted_and_normalised() {
        let c = Uscc::parse(" 51100000500009247d ", "uscc").unwrap();
        assert_eq!(c.code.as_str(), "51100000500009247D");
    }

    #[test]
    fn legal_form_follows_the_first_two_characters() {
        let f = |s| Uscc::parse(s, "u").unwrap().code.legal_form();
        assert_eq!(f("51100000500009247D"), Some(LegalForm::SocialGroup));
        assert_eq!(f("53100000500021676K"), Some(LegalForm::Foundation));
        assert_eq!(f("91110000600037341L"), None);
    }

    #[test]
    fn uscc_shape_errors_name_the_position() {
        let msg = |s: &str| match Uscc::parse(s, "uscc").unwrap_err() {
            DomainError::Invalid(f) => f[0].message.clone(),
            e => panic!("{e:?}"),
        };
        assert!(msg("5110000050000924").contains("18 位"));
        assert!(msg("0110000050000924AD").contains("第 1 位"));
        assert!(msg("5011000050000924AD").contains("第 2 位"));
        assert!(msg("511A000050000924AD").contains("第 3–8 位"));
        assert!(msg("51100000500009I47D").contains("第 15 位"));
    }

    #[test]
    fn a_bad_embedded_organization_code_only_warns() {
        // Build a code with a valid USCC check but a wrong GB 11714 check in positions 9–17.
        let body = "511000005000092470";
        let first17 = &body[..17];
        let code = format!("{first17}{}", uscc_check_char(first17).unwrap());
        let c = Uscc::parse(&code, "u").unwrap();
        assert_eq!(
            organization_code_is_valid(&code[8..17]),
            c.warnings.is_empty()
        );
        let good = Uscc::parse("51100000500009247D", "u").unwrap();
        assert!(organization_code_is_valid("500009247") == good.warnings.is_empty());
    }

    #[test]
    fn the_data_md_id_number_examples_hold() {
        assert!(IdNumber::parse("11010519491231002X", "id", today()).is_ok());
        assert!(IdNumber::parse("11010519491231002x", "id", today()).is_ok());
        assert!(IdNumber::parse("440524188001010014", "id", today()).is_ok());
        assert!(IdNumber::parse("110101202311012171", "id", today()).is_err());
        let e = IdNumber::parse("341023198502290010", "id", today()).unwrap_err();
        assert!(format!("{e:?}").contains("出生日期"));
    }

    #[test]
    fn an_id_number_is_masked_everywhere_it_is_printed() {
        let n = IdNumber::parse("11010519491231002X", "id", today()).unwrap();
        assert_eq!(n.masked(), "110105********002X");
        assert!(!format!("{n:?}").contains("19491231"));
        assert!(!n.is_male());
        assert_eq!(n.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31));
    }

    #[test]
    fn a_future_birth_date_is_refused_and_the_message_never_repeats_the_number() {
        let first17 = "11010520300101001";
        let n = format!("{first17}{}", id_check_char(first17).unwrap());
        let e = IdNumber::parse(&n, "id", today()).unwrap_err();
        assert!(!format!("{e:?}").contains("2030"));
    }

    /// A Chinese input method's full-width digits are the same number (they panicked the
    /// request before: the check sliced bytes after counting characters); any other non-ASCII
    /// character is refused with a message, never a panic.
    #[test]
    fn full_width_input_is_the_same_number_and_nothing_panics() {
        let wide = |s: &str| -> String {
            s.chars()
                .map(|c| char::from_u32(c as u32 + 0xfee0).unwrap())
                .collect()
        };
        let id = IdNumber::parse(&wide("11010519491231002X"), "id", today()).unwrap();
        assert_eq!(id.expose(), "11010519491231002X");
        assert_eq!(id.masked(), "110105********002X");
        let uscc = Uscc::parse(&wide("51100000500009247D"), "uscc").unwrap();
        assert_eq!(uscc.code.as_str(), "51100000500009247D");
        for odd in [
            "１１０１０５１９４９１２３１００２王",
            "王王王王王王王王王王王王王王王王王王",
            "11010519491231002王",
            "110105194912310０２Ｘ",
        ] {
            let _ = IdNumber::parse(odd, "id", today());
            let _ = Uscc::parse(odd, "uscc");
        }
        assert!(IdNumber::parse("11010519491231002王", "id", today()).is_err());
        assert!(IdNumber::parse("110105194912310０２Ｘ", "id", today()).is_ok());
    }

    proptest::proptest! {
        /// No string of up to 20 characters from digits, letters, full-width forms and Chinese
        /// panics either parser.
        #[test]
        fn no_input_panics(s in "[0-9Xx０-９Ｘ王年\\- ]{0,20}") {
            let _ = IdNumber::parse(&s, "id", today());
            let _ = Uscc::parse(&s, "uscc");
            let _ = crate::text::parse_date(&s);
        }
    }
}
