//! Delivery (项目实施, YQ step 6; MECHANISM §4 step 6): activities with date, place, content,
//! number served and the priority groups reached, the social workers and volunteers who served
//! (volunteers' hours become service records of the registry) and the people recorded as
//! served, by account or by name (who then may not sit on the review group).

use crate::chain::need::PriorityGroup;
use crate::volunteer::parse_hours;
use crate::{DomainError, FieldError};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An activity of a project being delivered, as typed into a form (all text).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ActivityForm {
    pub held_on: String,
    pub place: String,
    pub content: String,
    pub served: String,
    /// Priority groups reached, codes separated by commas.
    pub groups: String,
    /// Social-worker registry ids, separated by commas.
    pub social_workers: String,
    /// `志愿者台账编号|时长（小时）` per line.
    pub volunteers: String,
    /// Login names of residents served (optional), separated by commas.
    pub recipients: String,
    /// Names of people served who have no account (optional), one per line. Kept apart from the
    /// activity's public detail: they serve only to keep recipients off the review group.
    pub recipient_names: String,
    /// Why the activity is recorded more than 10 working days late (the volunteers' records
    /// need it then).
    pub late_reason: String,
}

/// A checked activity: when and where, what was done, who was served and who served.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Activity {
    pub held_on: NaiveDate,
    pub place: String,
    pub content: String,
    pub served: i64,
    pub groups: Vec<PriorityGroup>,
    pub social_workers: Vec<String>,
    /// (volunteer id, minutes).
    pub volunteers: Vec<(String, i64)>,
    pub recipients: Vec<String>,
}

fn list(s: &str) -> Vec<String> {
    let mut v: Vec<String> = s
        .split(|c: char| c == ',' || c == '，' || c.is_whitespace())
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect();
    v.sort();
    v.dedup();
    v
}

impl ActivityForm {
    /// Checks the activity, held no later than `today`; a bad volunteer line is named by number.
    pub fn validate(&self, today: NaiveDate) -> Result<Activity, DomainError> {
        let mut errors = Vec::new();
        let held_on = NaiveDate::parse_from_str(self.held_on.trim(), "%Y-%m-%d").ok();
        match held_on {
            None => errors.push(FieldError::new(
                "held_on",
                "invalid_date",
                "活动日期应写作 YYYY-MM-DD",
            )),
            Some(d) if d > today => errors.push(FieldError::new(
                "held_on",
                "future_date",
                "不能记录尚未举行的活动",
            )),
            _ => {}
        }
        for (field, v, label) in [
            ("place", &self.place, "活动地点"),
            ("content", &self.content, "活动内容"),
        ] {
            if v.trim().is_empty() {
                errors.push(FieldError::new(field, "required", format!("请填写{label}")));
            }
        }
        let served = self.served.trim().parse::<i64>().ok().filter(|n| *n >= 0);
        if served.is_none() {
            errors.push(FieldError::new(
                "served",
                "invalid_count",
                "请填写服务人次（非负整数）",
            ));
        }
        let mut groups = Vec::new();
        for g in list(&self.groups) {
            match PriorityGroup::parse(&g) {
                Some(p) => groups.push(p),
                None => errors.push(FieldError::new(
                    "groups",
                    "invalid_group",
                    format!("“{g}”不是重点人群类别"),
                )),
            }
        }
        let mut volunteers = Vec::new();
        for (n, line) in self
            .volunteers
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let parts: Vec<&str> = line.split(['|', '｜']).map(str::trim).collect();
            match parts.as_slice() {
                [id, hours] if !id.is_empty() => match parse_hours(hours) {
                    Some(m) if m > 0 && m <= 24 * 60 => volunteers.push((id.to_string(), m)),
                    _ => errors.push(FieldError::new(
                        "volunteers",
                        "invalid_hours",
                        format!("第 {} 行：时长应为 0 到 24 之间的小时数（如 2.5）", n + 1),
                    )),
                },
                _ => errors.push(FieldError::new(
                    "volunteers",
                    "invalid_volunteer",
                    format!("第 {} 行：应写作“志愿者台账编号|时长（小时）”", n + 1),
                )),
            }
        }
        for (n, name) in self.recipient_names.lines().enumerate() {
            if name.trim().chars().count() > 30 {
                errors.push(FieldError::new(
                    "recipient_names",
                    "invalid_name",
                    format!("第 {} 行：每行写一位服务对象的姓名（不超过 30 字）", n + 1),
                ));
            }
        }
        match (held_on, served) {
            (Some(held_on), Some(served)) if errors.is_empty() => Ok(Activity {
                held_on,
                place: self.place.trim().to_string(),
                content: self.content.trim().to_string(),
                served,
                groups,
                social_workers: list(&self.social_workers),
                volunteers,
                recipients: list(&self.recipients),
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

impl ActivityForm {
    /// The names of people served who have no account: one per line, trimmed, each once.
    pub fn recipient_names(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .recipient_names
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect();
        v.sort();
        v.dedup();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_activity_names_its_bad_fields_and_lines() {
        let today = NaiveDate::from_ymd_opt(2027, 3, 10).unwrap();
        let ok = ActivityForm {
            held_on: "2027-03-08".into(),
            place: "柏树街社区活动室".into(),
            content: "上门助洁 6 户".into(),
            served: "6".into(),
            groups: "special_elderly, disabilities".into(),
            volunteers: "3410-v1|2.5\n3410-v2|3".into(),
            recipients: "resident".into(),
            ..Default::default()
        };
        let a = ok.validate(today).unwrap();
        assert_eq!(
            a.volunteers,
            [("3410-v1".to_string(), 150), ("3410-v2".to_string(), 180)]
        );
        assert_eq!(a.groups.len(), 2);
        let named = ActivityForm {
            recipient_names: " 王奶奶 \n\n李爷爷\n王奶奶".into(),
            ..ok.clone()
        };
        assert!(named.validate(today).is_ok());
        assert_eq!(named.recipient_names(), ["李爷爷", "王奶奶"]);
        let long = ActivityForm {
            recipient_names: format!("王奶奶\n{}", "长".repeat(31)),
            ..ok.clone()
        };
        let DomainError::Invalid(e) = long.validate(today).unwrap_err() else {
            panic!()
        };
        assert_eq!(
            (e[0].field.as_str(), e[0].code),
            ("recipient_names", "invalid_name")
        );
        assert!(e[0].message.starts_with("第 2 行"));
        let bad = ActivityForm {
            held_on: "2027-03-11".into(),
            served: "-1".into(),
            groups: "rich".into(),
            volunteers: "3410-v1|30\nno-hours".into(),
            ..ok
        };
        let DomainError::Invalid(e) = bad.validate(today).unwrap_err() else {
            panic!()
        };
        let got: Vec<(&str, &str)> = e.iter().map(|x| (x.field.as_str(), x.code)).collect();
        assert_eq!(
            got,
            [
                ("held_on", "future_date"),
                ("served", "invalid_count"),
                ("groups", "invalid_group"),
                ("volunteers", "invalid_hours"),
                ("volunteers", "invalid_volunteer")
            ]
        );
    }
}
