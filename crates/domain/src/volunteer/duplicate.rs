//! What tells one volunteer from another beyond a name: the identity number (kept only as its
//! keyed hash) and the birth date, both optional; a registration that matches a volunteer of the
//! same city by either is a duplicate.

use super::VolunteerForm;
use crate::error::{DomainError, FieldError};
use crate::ident::IdNumber;
use chrono::NaiveDate;

/// A volunteer's optional identity number and birth date, checked.
#[derive(Debug, Clone, Default)]
pub struct VolunteerIdentity {
    /// The identity number, if given (only its keyed hash is stored).
    pub id_number: Option<IdNumber>,
    /// The birth date, given or read from the identity number.
    pub birth_date: Option<NaiveDate>,
}

impl VolunteerForm {
    /// Checks the optional identity number and birth date (2026/11/5, 2026年11月5日 and Excel
    /// serial numbers accepted); the birth date defaults to the number's and must agree with it.
    pub fn identity(&self, today: NaiveDate) -> Result<VolunteerIdentity, DomainError> {
        let mut errors = Vec::new();
        let id_number = match self.id_number.trim() {
            "" => None,
            typed => match IdNumber::parse(typed, "id_number", today) {
                Ok(n) => Some(n),
                Err(DomainError::Invalid(f)) => {
                    errors.extend(f);
                    None
                }
                Err(e) => return Err(e),
            },
        };
        let typed_birth = match self.birth_date.trim() {
            "" => None,
            typed => match crate::text::parse_date(typed) {
                Some(d) if d <= today => Some(d),
                _ => {
                    errors.push(FieldError::new(
                        "birth_date",
                        "invalid_date",
                        "出生日期格式不正确（如 1960-05-01、1960/5/1 或 1960年5月1日）",
                    ));
                    None
                }
            },
        };
        let from_number = id_number.as_ref().and_then(IdNumber::birth_date);
        if let (Some(a), Some(b)) = (typed_birth, from_number) {
            if a != b {
                errors.push(FieldError::new(
                    "birth_date",
                    "birth_date_mismatch",
                    "出生日期与身份证号码中的不一致",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        Ok(VolunteerIdentity {
            birth_date: typed_birth.or(from_number),
            id_number,
        })
    }
}

/// The refusal of a registration that matches an existing volunteer: a field error naming the
/// existing record (`field`: `id_number` when the number matched, else `birth_date`).
pub fn duplicate_of(field: &str, name: &str, area: &str, id: &str) -> DomainError {
    DomainError::field(
        field,
        "duplicate_volunteer",
        format!("与已登记的志愿者重复：{name}（社区 {area}，编号 {id}）；请在该志愿者页面维护，不要重复登记"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(id: &str, birth: &str) -> VolunteerForm {
        VolunteerForm {
            name: "吴昊".into(),
            area: "341002002001".into(),
            id_number: id.into(),
            birth_date: birth.into(),
            ..Default::default()
        }
    }

    #[test]
    fn the_birth_date_comes_from_the_number_and_must_agree_with_it() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 5).unwrap();
        let none = form("", "").identity(today).unwrap();
        assert!(none.id_number.is_none() && none.birth_date.is_none());
        let i = form("11010519491231002X", "").identity(today).unwrap();
        assert_eq!(i.birth_date, NaiveDate::from_ymd_opt(1949, 12, 31));
        let i = form("", "1960年5月1日").identity(today).unwrap();
        assert_eq!(i.birth_date, NaiveDate::from_ymd_opt(1960, 5, 1));
        let e = form("11010519491231002X", "1960/5/1")
            .identity(today)
            .unwrap_err();
        assert!(matches!(e, DomainError::Invalid(ref f) if f[0].code == "birth_date_mismatch"));
        let e = form("110105194912310021", "").identity(today).unwrap_err();
        assert!(matches!(e, DomainError::Invalid(ref f) if f[0].field == "id_number"));
        assert!(form("", "明天").identity(today).is_err());
    }
}
