//! The review group (评议小组, YQ step 7; MECHANISM §4 step 7) as a record of its own.
//!
//! "社区居(管)委会牵头组织开展第三方评估验收工作，根据评议内容成立评议小组，由评议小组负责确定评议方式
//! 等事项，并召开由部分居民代表会议组成人员、群众代表、业务部门代表或权威机构专家等人员参加的评议会，
//! 对项目……进行评估验收，并作出书面报告。被评议的社会组织应当回避，服务对象原则上不作为评议方。"
//!
//! So: the committee convenes the group and names its members, each with the category the seed
//! names; the group has at least one expert or third-party organization and the policy's minimum
//! size; nobody affiliated with the evaluated organization sits on it (its accounts, the social
//! workers it employs, the project team's volunteers and social workers) and nobody the project
//! served (recorded by account or by name). The group, through its chair, records its method and
//! its review meeting (more than half of the members present, the chair among them), and the chair
//! signs the written report that carries the verdict. The committee convenes but never writes: an
//! account of the committee may not chair, and only the chair signs.
//!
//! Names are compared after trimming surrounding white space; a member with an account is also
//! compared under the account's display name.

use crate::authz::Denied;
use crate::{DomainError, FieldError};
use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

pub use crate::chain::panel::DEFAULT_MINIMUM;

/// The category a member sits in (YQ step 7 names four kinds of participant; a third-party
/// evaluation organization is the "第三方" of the step's title).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 居民代表会议组成人员.
    Representatives,
    /// 群众代表 (residents).
    Residents,
    /// 业务部门代表.
    Department,
    /// 权威机构专家.
    Expert,
    /// 第三方评估机构 (a member sent by a third-party organization).
    ThirdParty,
    /// 未登记类别: a member of a panel formed before categories were recorded. Never chosen.
    Unrecorded,
}

impl Category {
    /// The categories a committee may choose, in the seed's order.
    pub const CHOSEN: [Category; 5] = [
        Category::Representatives,
        Category::Residents,
        Category::Department,
        Category::Expert,
        Category::ThirdParty,
    ];

    /// The stable code, as stored and sent by the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Representatives => "representatives",
            Category::Residents => "residents",
            Category::Department => "department",
            Category::Expert => "expert",
            Category::ThirdParty => "third_party",
            Category::Unrecorded => "unrecorded",
        }
    }

    /// The Chinese name shown to people.
    pub fn zh(self) -> &'static str {
        match self {
            Category::Representatives => "居民代表会议组成人员",
            Category::Residents => "群众代表",
            Category::Department => "业务部门代表",
            Category::Expert => "权威机构专家",
            Category::ThirdParty => "第三方评估机构",
            Category::Unrecorded => "未登记类别",
        }
    }

    /// The category stored as `s` (including `unrecorded`).
    pub fn parse(s: &str) -> Option<Self> {
        Self::CHOSEN
            .into_iter()
            .chain([Category::Unrecorded])
            .find(|c| c.as_str() == s)
    }

    /// Whether the category brings the expertise the group needs (an expert or a third party).
    pub fn is_expert(self) -> bool {
        matches!(self, Category::Expert | Category::ThirdParty)
    }
}

/// A member as typed by the committee: one row of the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MemberForm {
    pub name: String,
    /// A [`Category`] code.
    pub category: String,
    /// The member's login, if they have an account (the chair must: the chair signs).
    pub login: String,
    /// The third-party organization the member comes from (required for `third_party`).
    pub organization: String,
    /// This member chairs the group.
    pub chair: bool,
}

impl MemberForm {
    /// Whether the row was left blank (blank rows of the page are skipped).
    pub fn is_blank(&self) -> bool {
        [&self.name, &self.category, &self.login, &self.organization]
            .iter()
            .all(|s| s.trim().is_empty())
            && !self.chair
    }
}

/// The group as the committee typed it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GroupForm {
    pub members: Vec<MemberForm>,
}

/// A row whose shape is right: its account (by login) still to be found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposed {
    /// The row's position on the form (for errors), from 0.
    pub row: usize,
    pub name: String,
    pub category: Category,
    pub login: Option<String>,
    pub organization: Option<String>,
    pub chair: bool,
}

impl GroupForm {
    /// Checks each row's shape (blank rows skipped): a name, a chosen category, the organization
    /// of a third-party member, and exactly one chair, who has an account.
    pub fn validate(&self) -> Result<Vec<Proposed>, DomainError> {
        let mut errors = Vec::new();
        let mut out = Vec::new();
        for (row, m) in self.members.iter().enumerate() {
            if m.is_blank() {
                continue;
            }
            let field = |f: &str| format!("members[{row}].{f}");
            let name = m.name.trim();
            if name.is_empty() {
                errors.push(FieldError::new(
                    field("name"),
                    "required",
                    format!("第 {} 行：请填写成员姓名", row + 1),
                ));
            }
            let category =
                Category::parse(m.category.trim()).filter(|c| *c != Category::Unrecorded);
            if category.is_none() {
                errors.push(FieldError::new(
                    field("category"),
                    "invalid_category",
                    format!(
                        "第 {} 行：请选择成员类别（居民代表会议组成人员、群众代表、业务部门代表、权威机构专家或第三方评估机构）",
                        row + 1
                    ),
                ));
            }
            let organization = Some(m.organization.trim())
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            if category == Some(Category::ThirdParty) && organization.is_none() {
                errors.push(FieldError::new(
                    field("organization"),
                    "required",
                    format!("第 {} 行：第三方评估机构的成员须写明所在机构", row + 1),
                ));
            }
            let login = Some(m.login.trim())
                .filter(|s| !s.is_empty())
                .map(str::to_string);
            if m.chair && login.is_none() {
                errors.push(FieldError::new(
                    field("login"),
                    "chair_without_account",
                    format!(
                        "第 {} 行：组长须有平台账号（组长在平台上签署评议报告）",
                        row + 1
                    ),
                ));
            }
            if let Some(category) = category {
                out.push(Proposed {
                    row,
                    name: name.to_string(),
                    category,
                    login,
                    organization,
                    chair: m.chair,
                });
            }
        }
        let chairs = self
            .members
            .iter()
            .filter(|m| !m.is_blank() && m.chair)
            .count();
        if chairs != 1 {
            errors.push(FieldError::new(
                "chair",
                "one_chair",
                format!("请指定一名组长（现指定 {chairs} 名）"),
            ));
        }
        if errors.is_empty() {
            Ok(out)
        } else {
            Err(DomainError::Invalid(errors))
        }
    }
}

/// The account of a member who has one, with what the rules need to know of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub user_id: String,
    pub display_name: String,
    /// Organizations the account manages, works for or is a member of.
    pub organizations: BTreeSet<String>,
    /// The account holds a role of the community committee that convenes the group.
    pub committee: bool,
}

/// A member of the group, ready for the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub name: String,
    pub category: Category,
    pub account: Option<Account>,
    /// The third-party organization the member comes from.
    pub organization: Option<String>,
    pub chair: bool,
}

impl Member {
    /// The names the member is known by: the name typed and the account's display name.
    fn names(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::from([norm(&self.name)]);
        if let Some(a) = &self.account {
            out.insert(norm(&a.display_name));
        }
        out.remove("");
        out
    }
}

/// Who may not sit on the group of a project: the evaluated organization and its people, the
/// project team, and the people served.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Interests {
    /// The evaluated organization's id.
    pub organization_id: String,
    /// Its name (a third-party member may not come from it).
    pub organization_name: String,
    /// The accounts of the evaluated organization (managers and members).
    pub organization_accounts: BTreeSet<String>,
    /// Names of the social workers the organization employs (the registry's employer).
    pub employed_social_workers: BTreeSet<String>,
    /// Accounts of the volunteers of the project team (the application's current version).
    pub team_volunteer_accounts: BTreeSet<String>,
    /// Names of the volunteers of the project team.
    pub team_volunteer_names: BTreeSet<String>,
    /// Names of the social workers of the project team.
    pub team_social_workers: BTreeSet<String>,
    /// Accounts recorded as served by the project's activities.
    pub recipient_accounts: BTreeSet<String>,
    /// Names recorded as served by the project's activities.
    pub recipient_names: BTreeSet<String>,
}

/// A name as compared: without surrounding white space.
pub fn norm(name: &str) -> String {
    name.trim().to_string()
}

/// A set of names, each trimmed, empty ones dropped.
pub fn names<I: IntoIterator<Item = S>, S: AsRef<str>>(it: I) -> BTreeSet<String> {
    it.into_iter()
        .map(|s| norm(s.as_ref()))
        .filter(|s| !s.is_empty())
        .collect()
}

/// Checks the group of a project: every member who may not sit is named with the reason, and the
/// group as a whole has its minimum size, an expert or third party, and one chair who has an
/// account and is not of the committee. Nothing is accepted while any reason holds.
pub fn check_group(
    members: &[Member],
    interests: &Interests,
    minimum: usize,
) -> Result<(), DomainError> {
    let mut errors = Vec::new();
    let mut seen_accounts = BTreeSet::new();
    let mut seen_names = BTreeSet::new();
    for (i, m) in members.iter().enumerate() {
        let field = format!("members[{i}]");
        let mut push = |code: &'static str, message: String| {
            errors.push(FieldError::new(field.clone(), code, message));
        };
        let who = norm(&m.name);
        let names = m.names();
        let repeated_account = m
            .account
            .as_ref()
            .is_some_and(|a| !seen_accounts.insert(a.user_id.clone()));
        if !seen_names.insert(who.clone()) || repeated_account {
            push("duplicate_member", format!("{who} 重复列入评议小组"));
        }
        if let Some(a) = &m.account {
            if a.organizations.contains(&interests.organization_id)
                || interests.organization_accounts.contains(&a.user_id)
            {
                push(
                    "affiliated_member",
                    format!(
                        "{who} 是被评议组织（{}）的人员，须回避",
                        interests.organization_name
                    ),
                );
            }
        }
        if m.organization.as_deref().map(norm).as_deref()
            == Some(&norm(&interests.organization_name))
        {
            push(
                "affiliated_member",
                format!(
                    "{who} 来自被评议组织（{}），须回避",
                    interests.organization_name
                ),
            );
        }
        if !names.is_disjoint(&interests.employed_social_workers) {
            push(
                "employed_social_worker",
                format!(
                    "{who} 是被评议组织（{}）聘用的社工，须回避",
                    interests.organization_name
                ),
            );
        }
        let team_volunteer = m
            .account
            .as_ref()
            .is_some_and(|a| interests.team_volunteer_accounts.contains(&a.user_id))
            || !names.is_disjoint(&interests.team_volunteer_names);
        if team_volunteer {
            push(
                "team_volunteer",
                format!("{who} 是本项目团队的志愿者，须回避"),
            );
        }
        if !names.is_disjoint(&interests.team_social_workers) {
            push(
                "team_social_worker",
                format!("{who} 是本项目团队的社工，须回避"),
            );
        }
        if m.account
            .as_ref()
            .is_some_and(|a| interests.recipient_accounts.contains(&a.user_id))
        {
            push(
                "beneficiary_member",
                format!("{who} 是本项目的服务对象（按账号登记），原则上不作为评议方"),
            );
        } else if !names.is_disjoint(&interests.recipient_names) {
            push(
                "beneficiary_member",
                format!("{who} 是本项目的服务对象（按姓名登记），原则上不作为评议方"),
            );
        }
        if m.chair {
            match &m.account {
                None => push(
                    "chair_without_account",
                    format!("组长 {who} 须有平台账号（组长在平台上签署评议报告）"),
                ),
                Some(a) if a.committee => push(
                    "committee_chair",
                    format!("{who} 是召集评议小组的社区居委会人员，不能担任组长（评议报告由评议小组出具）"),
                ),
                Some(_) => {}
            }
        }
    }
    let chairs = members.iter().filter(|m| m.chair).count();
    if chairs != 1 {
        errors.push(FieldError::new(
            "chair",
            "one_chair",
            format!("请指定一名组长（现指定 {chairs} 名）"),
        ));
    }
    if !members.iter().any(|m| m.category.is_expert()) {
        errors.push(FieldError::new(
            "members",
            "expert_required",
            "评议小组须至少有一名权威机构专家或第三方评估机构人员",
        ));
    }
    if seen_names.len() < minimum {
        errors.push(FieldError::new(
            "members",
            "panel_too_small",
            format!("评议小组至少 {minimum} 人，现有 {} 人", seen_names.len()),
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errors))
    }
}

/// The review meeting as the chair typed it: the method the group set, when and where it met,
/// and who attended (members' numbers on the group, from 1, comma separated; the page sends one
/// `present` per box ticked).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MeetingForm {
    /// 评议方式: how the group reviews (documents read, visits, hearing, survey…).
    pub method: String,
    pub held_on: String,
    pub place: String,
    pub present: String,
}

/// A checked review meeting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Meeting {
    pub method: String,
    pub held_on: NaiveDate,
    pub place: String,
    /// The members present, by their number on the group (from 1).
    pub present: BTreeSet<i64>,
}

impl MeetingForm {
    /// Checks the meeting of a group of `members` members whose chair is number `chair`, held no
    /// later than `today`: more than half of the members attend, the chair among them.
    pub fn validate(
        &self,
        members: i64,
        chair: Option<i64>,
        today: NaiveDate,
    ) -> Result<Meeting, DomainError> {
        let mut errors = Vec::new();
        let method = self.method.trim();
        if method.chars().count() < 4 {
            errors.push(FieldError::new(
                "method",
                "required",
                "请写明评议小组确定的评议方式（如查阅台账、实地走访、听取汇报、满意度调查）",
            ));
        }
        let held_on = NaiveDate::parse_from_str(self.held_on.trim(), "%Y-%m-%d").ok();
        match held_on {
            None => errors.push(FieldError::new(
                "held_on",
                "invalid_date",
                "评议会日期应写作 YYYY-MM-DD",
            )),
            Some(d) if d > today => errors.push(FieldError::new(
                "held_on",
                "future_date",
                "不能记录尚未召开的评议会",
            )),
            _ => {}
        }
        if self.place.trim().is_empty() {
            errors.push(FieldError::new("place", "required", "请填写评议会地点"));
        }
        let mut present = BTreeSet::new();
        for s in self
            .present
            .split(|c: char| c == ',' || c == '，' || c.is_whitespace())
            .filter(|s| !s.is_empty())
        {
            match s.parse::<i64>() {
                Ok(n) if (1..=members).contains(&n) => {
                    present.insert(n);
                }
                _ => errors.push(FieldError::new(
                    "present",
                    "unknown_member",
                    format!("“{s}”不是评议小组成员的序号（1 到 {members}）"),
                )),
            }
        }
        let need = members / 2 + 1;
        if errors.is_empty() && (present.len() as i64) < need {
            errors.push(FieldError::new(
                "present",
                "quorum_not_met",
                format!(
                    "评议会须有过半数成员出席：小组 {members} 人，至少 {need} 人，现记录 {} 人",
                    present.len()
                ),
            ));
        }
        if errors.is_empty() && chair.is_some_and(|c| !present.contains(&c)) {
            errors.push(FieldError::new(
                "present",
                "chair_absent",
                "组长须出席评议会（组长主持评议会并签署报告）",
            ));
        }
        match held_on {
            Some(held_on) if errors.is_empty() => Ok(Meeting {
                method: method.to_string(),
                held_on,
                place: self.place.trim().to_string(),
                present,
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// Only the group's chair acts for the group (records its meeting, signs its report); the
/// committee that convened it, and any other member, does not. `what` names the act.
pub fn may_act_as_chair(user_id: &str, chair: Option<&str>, what: &str) -> Result<(), Denied> {
    if chair == Some(user_id) {
        Ok(())
    } else {
        Err(Denied {
            code: "not_chair",
            message: format!(
                "无权{what}：由评议小组组长办理（社区居委会召集评议小组，但不出具评议报告）"
            ),
        })
    }
}

/// The chair records the method and the review meeting.
pub fn may_record_meeting(user_id: &str, chair: Option<&str>) -> Result<(), Denied> {
    may_act_as_chair(user_id, chair, "记录评议会")
}

/// The chair signs the written report that carries the verdict.
pub fn may_sign_report(user_id: &str, chair: Option<&str>) -> Result<(), Denied> {
    may_act_as_chair(user_id, chair, "签署评议报告")
}

/// After a conditional pass, the chair records the conditions as met (issue 16).
pub fn may_confirm_conditions(user_id: &str, chair: Option<&str>) -> Result<(), Denied> {
    may_act_as_chair(user_id, chair, "确认整改条件已落实")
}

/// The report follows the review meeting: refused while no meeting is recorded, or while a
/// member with an account who attended has not scored (`owed` of them, `scored` done).
pub fn report_ready(meeting_recorded: bool, owed: usize, scored: usize) -> Result<(), DomainError> {
    if !meeting_recorded {
        return Err(DomainError::conflict(
            "meeting_before_report",
            "评议小组尚未记录评议方式和评议会，召开评议会后才能出具书面报告",
        ));
    }
    if scored < owed {
        return Err(DomainError::conflict(
            "scores_missing",
            format!(
                "出席评议会且有账号的成员 {owed} 人中已有 {scored} 人评分，全部评分后才能出具报告"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
