//! Needs (需求): what residents raise, through many channels (LN 附件二.4), each naming its
//! community and the group it concerns; residents support a need once each; duplicates are merged
//! keeping every supporter; needs are ranked and linked to the applications that answer them
//! (MECHANISM §4 step 2).

use crate::area::AreaLevel;
use crate::{labelled, Actor, AreaCode, DomainError, FieldError, Role};
use serde::{Deserialize, Serialize};

labelled! {
    /// How a need came in (LN 附件二.4).
    pub enum NeedChannel {
        RepresentativeAssembly = ("representative_assembly", "居民代表大会"),
        Council = ("council", "议事会"),
        OpenSpace = ("open_space", "开放空间"),
        DoorToDoor = ("door_to_door", "上门走访"),
        Survey = ("survey", "问卷调查"),
        SuggestionBox = ("suggestion_box", "需求箱"),
        Online = ("online", "网络投稿"),
    }
}

labelled! {
    /// The group a need concerns: the priority groups of the glossary, or all residents.
    pub enum PriorityGroup {
        AllResidents = ("all_residents", "全体居民"),
        PeopleInHardship = ("people_in_hardship", "困难人群"),
        ChildrenInDifficulty = ("children_in_difficulty", "困境儿童"),
        CommunityCorrection = ("community_correction", "社区矫正对象"),
        SpecialElderly = ("special_elderly", "特殊老人"),
        SpecialSupportFamilies = ("special_support_families", "特扶家庭"),
        SocialAssistance = ("social_assistance", "社会救助对象"),
        Migrants = ("migrants", "流动人口"),
        Disabilities = ("disabilities", "残疾人"),
        LeftBehind = ("left_behind", "留守人员"),
    }
}

labelled! {
    /// Whether a need is still open, folded into another, or answered by a purchased application.
    pub enum NeedStatus {
        /// Open for support and for applications to answer it.
        Open = ("open", "征集中"),
        /// Folded into another need, which carries its supporters.
        Merged = ("merged", "已合并"),
        /// An application that answers it has been purchased.
        Answered = ("answered", "已回应"),
    }
}

/// A need as typed into a form or sent to the API.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct NeedForm {
    /// The community's 12-digit area code.
    pub community: String,
    pub priority_group: String,
    pub channel: String,
    pub title: String,
    pub description: String,
}

/// A checked need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Need {
    pub community: AreaCode,
    pub priority_group: PriorityGroup,
    pub channel: NeedChannel,
    pub title: String,
    pub description: String,
}

impl NeedForm {
    /// Checks the need: its community, the group concerned, how it came in, title and description.
    pub fn validate(&self) -> Result<Need, DomainError> {
        let mut errors = Vec::new();
        let community = match AreaCode::parse(self.community.trim()) {
            Ok(c) if c.level() == AreaLevel::Community => Some(c),
            _ => {
                errors.push(FieldError::new(
                    "community",
                    "invalid_community",
                    "请选择需求所在的社区（12 位区划代码）",
                ));
                None
            }
        };
        let priority_group = PriorityGroup::parse(self.priority_group.trim());
        if priority_group.is_none() {
            errors.push(FieldError::new(
                "priority_group",
                "invalid_priority_group",
                "请选择需求涉及的人群",
            ));
        }
        let channel = NeedChannel::parse(self.channel.trim());
        if channel.is_none() {
            errors.push(FieldError::new(
                "channel",
                "invalid_channel",
                "请选择需求的收集渠道",
            ));
        }
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > 60 {
            errors.push(FieldError::new(
                "title",
                "required",
                "请填写需求标题（不超过 60 字）",
            ));
        }
        let description = self.description.trim();
        if description.chars().count() < 5 || description.chars().count() > 2000 {
            errors.push(FieldError::new(
                "description",
                "required",
                "请描述需求（5 至 2000 字）",
            ));
        }
        match (community, priority_group, channel) {
            (Some(community), Some(priority_group), Some(channel)) if errors.is_empty() => {
                Ok(Need {
                    community,
                    priority_group,
                    channel,
                    title: title.to_string(),
                    description: description.to_string(),
                })
            }
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

/// Who may record a need for `community`: a resident of it (for themself, online), or an
/// officer whose territory holds it (recording what came in through any channel).
pub fn can_raise(actor: &Actor, community: &AreaCode) -> bool {
    actor.assignments.iter().any(|a| match a.role {
        Role::Resident | Role::Representative => a.area == *community,
        Role::CommunityOfficer | Role::TownshipOfficer | Role::CountyBureau | Role::CityBureau => {
            a.area.contains(community)
        }
        _ => false,
    })
}

/// Who keeps a community's needs in order (merges duplicates): its community officers and the
/// township and bureaus above it.
pub fn can_curate(actor: &Actor, community: &AreaCode) -> Result<Role, crate::Denied> {
    actor
        .assignments
        .iter()
        .find(|a| {
            matches!(
                a.role,
                Role::CommunityOfficer
                    | Role::TownshipOfficer
                    | Role::CountyBureau
                    | Role::CityBureau
            ) && a.area.contains(community)
        })
        .map(|a| a.role)
        .ok_or_else(|| crate::Denied {
            code: "not_need_curator",
            message: "无权操作：需求由社区居委会或其上级整理".into(),
        })
}

/// A resident (or representative) of the need's community may support it, once (the store
/// holds one support per person), and only while it is open.
pub fn can_support(
    actor: &Actor,
    community: &AreaCode,
    status: NeedStatus,
) -> Result<(), DomainError> {
    let resident = actor
        .assignments
        .iter()
        .any(|a| matches!(a.role, Role::Resident | Role::Representative) && a.area == *community);
    if !resident {
        return Err(DomainError::conflict(
            "not_a_resident",
            "只有本社区居民可以附议本社区的需求",
        ));
    }
    match status {
        NeedStatus::Open => Ok(()),
        NeedStatus::Merged => Err(DomainError::conflict(
            "need_merged",
            "该需求已合并到另一条需求，请附议合并后的需求",
        )),
        NeedStatus::Answered => Err(DomainError::conflict(
            "need_answered",
            "该需求已有项目回应，不再征集附议",
        )),
    }
}

/// One need as the merge and ranking rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedFacts {
    pub id: String,
    pub community: AreaCode,
    pub status: NeedStatus,
    pub priority_group: PriorityGroup,
    pub supporters: u64,
    /// When it was recorded (RFC 3339, so it sorts as text).
    pub created_at: String,
}

/// Where a page of the ranked board ends, so the next page starts after it (keyset pagination
/// in the order of [`rank`]). Written in a link as `supporters|0 or 1|created_at|id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardCursor {
    pub supporters: u64,
    /// The need concerns all residents (ranked after the priority groups).
    pub all_residents: bool,
    pub created_at: String,
    pub id: String,
}

impl BoardCursor {
    /// The cursor after `n`.
    pub fn after(n: &NeedFacts) -> BoardCursor {
        BoardCursor {
            supporters: n.supporters,
            all_residents: n.priority_group == PriorityGroup::AllResidents,
            created_at: n.created_at.clone(),
            id: n.id.clone(),
        }
    }

    /// Reads a cursor as written in a link, if it is one.
    pub fn parse(s: &str) -> Option<BoardCursor> {
        let mut parts = s.splitn(4, '|');
        let supporters = parts.next()?.parse().ok()?;
        let all_residents = match parts.next()? {
            "0" => false,
            "1" => true,
            _ => return None,
        };
        let created_at = parts.next()?.to_string();
        let id = parts.next()?.to_string();
        (!created_at.is_empty() && !id.is_empty()).then_some(BoardCursor {
            supporters,
            all_residents,
            created_at,
            id,
        })
    }

    /// Whether `n` comes after the cursor in the board's order.
    pub fn precedes(&self, n: &NeedFacts) -> bool {
        let key = |s: u64, a: bool, c: &str, i: &str| {
            (std::cmp::Reverse(s), a, c.to_string(), i.to_string())
        };
        key(
            n.supporters,
            n.priority_group == PriorityGroup::AllResidents,
            &n.created_at,
            &n.id,
        ) > key(
            self.supporters,
            self.all_residents,
            &self.created_at,
            &self.id,
        )
    }
}

impl std::fmt::Display for BoardCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}|{}|{}|{}",
            self.supporters,
            u8::from(self.all_residents),
            self.created_at,
            self.id
        )
    }
}

/// Merging `duplicate` into `kept`: both open, distinct, in the same community.
pub fn can_merge(kept: &NeedFacts, duplicate: &NeedFacts) -> Result<(), DomainError> {
    let refuse = |code, message: &str| {
        Err(DomainError::Conflict {
            code,
            message: message.to_string(),
        })
    };
    if kept.id == duplicate.id {
        return refuse("merge_self", "不能把需求合并到它自己");
    }
    if kept.community != duplicate.community {
        return refuse("merge_other_community", "只能合并同一社区的需求");
    }
    if kept.status != NeedStatus::Open || duplicate.status != NeedStatus::Open {
        return refuse("merge_not_open", "只能合并征集中的需求");
    }
    Ok(())
}

/// The ranking of needs on a community's board: most supporters first; on a tie, a need of a
/// priority group before one of all residents (the groups the policy names come first); then
/// the older need (it has waited longer); then the id, so the order is total.
pub fn rank(needs: &mut [NeedFacts]) {
    needs.sort_by(|a, b| {
        b.supporters
            .cmp(&a.supporters)
            .then_with(|| {
                (a.priority_group == PriorityGroup::AllResidents)
                    .cmp(&(b.priority_group == PriorityGroup::AllResidents))
            })
            .then_with(|| a.created_at.cmp(&b.created_at))
            .then_with(|| a.id.cmp(&b.id))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::actor;

    #[test]
    fn a_board_cursor_round_trips_and_pages_in_rank_order() {
        let facts = |id: &str, s: u64, g: PriorityGroup, at: &str| NeedFacts {
            id: id.into(),
            community: AreaCode::parse("341002002001").unwrap(),
            status: NeedStatus::Open,
            priority_group: g,
            supporters: s,
            created_at: at.into(),
        };
        let mut all = vec![
            facts("a", 1, PriorityGroup::AllResidents, "2026-01-01T00:00:00Z"),
            facts(
                "b",
                3,
                PriorityGroup::SpecialElderly,
                "2026-01-03T00:00:00Z",
            ),
            facts(
                "c",
                1,
                PriorityGroup::SpecialElderly,
                "2026-01-02T00:00:00Z",
            ),
            facts(
                "d",
                1,
                PriorityGroup::SpecialElderly,
                "2026-01-02T00:00:00Z",
            ),
            facts(
                "e",
                0,
                PriorityGroup::SpecialElderly,
                "2026-01-01T00:00:00Z",
            ),
        ];
        rank(&mut all);
        let ids: Vec<&str> = all.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["b", "c", "d", "a", "e"]);
        // Pages of two, each after the last one's cursor, give the board in order.
        let mut seen = Vec::new();
        let mut cursor: Option<BoardCursor> = None;
        loop {
            let page: Vec<&NeedFacts> = all
                .iter()
                .filter(|n| cursor.as_ref().is_none_or(|c| c.precedes(n)))
                .take(2)
                .collect();
            if page.is_empty() {
                break;
            }
            seen.extend(page.iter().map(|n| n.id.clone()));
            let c = BoardCursor::after(page[page.len() - 1]);
            assert_eq!(BoardCursor::parse(&c.to_string()), Some(c.clone()));
            cursor = Some(c);
        }
        assert_eq!(seen, ["b", "c", "d", "a", "e"]);
        assert_eq!(BoardCursor::parse("x|0|t|i"), None);
        assert_eq!(BoardCursor::parse("1|2|t|i"), None);
    }

    fn form() -> NeedForm {
        NeedForm {
            community: "341002002001".into(),
            priority_group: "special_elderly".into(),
            channel: "door_to_door".into(),
            title: "独居老人助餐".into(),
            description: "小区独居老人多，午餐无人照料。".into(),
        }
    }

    #[test]
    fn a_need_names_community_group_and_channel() {
        let n = form().validate().unwrap();
        assert_eq!(n.priority_group, PriorityGroup::SpecialElderly);
        assert_eq!(n.channel, NeedChannel::DoorToDoor);
        // Chinese labels are accepted too (imports, paper forms).
        let mut f = form();
        f.channel = "需求箱".into();
        assert_eq!(f.validate().unwrap().channel, NeedChannel::SuggestionBox);
    }

    #[test]
    fn every_bad_field_is_named() {
        let f = NeedForm {
            community: "341002002".into(),
            priority_group: "x".into(),
            channel: String::new(),
            title: " ".into(),
            description: "短".into(),
        };
        let DomainError::Invalid(errors) = f.validate().unwrap_err() else {
            panic!("expected field errors")
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "community",
                "priority_group",
                "channel",
                "title",
                "description"
            ]
        );
    }

    #[test]
    fn only_residents_of_the_community_support_and_only_open_needs() {
        let c = AreaCode::parse("341002002001").unwrap();
        let me = actor(Role::Resident, "341002002001", None);
        assert!(can_support(&me, &c, NeedStatus::Open).is_ok());
        assert!(can_support(&me, &c, NeedStatus::Merged).is_err());
        assert!(can_support(&me, &c, NeedStatus::Answered).is_err());
        let neighbour = actor(Role::Resident, "341002002002", None);
        assert!(can_support(&neighbour, &c, NeedStatus::Open).is_err());
        let officer = actor(Role::CommunityOfficer, "341002002001", None);
        assert!(can_support(&officer, &c, NeedStatus::Open).is_err());
        assert!(can_raise(&officer, &c));
        assert!(can_raise(&me, &c));
        assert!(!can_raise(&neighbour, &c));
        assert!(can_raise(
            &actor(Role::TownshipOfficer, "341002002", None),
            &c
        ));
        assert!(can_curate(&officer, &c).is_ok());
        assert!(can_curate(&me, &c).is_err());
        assert!(can_curate(&actor(Role::CommunityOfficer, "341002002002", None), &c).is_err());
        assert!(!can_raise(
            &actor(Role::TownshipOfficer, "341002003", None),
            &c
        ));
    }

    fn facts(id: &str, supporters: u64, group: PriorityGroup, at: &str) -> NeedFacts {
        NeedFacts {
            id: id.into(),
            community: AreaCode::parse("341002002001").unwrap(),
            status: NeedStatus::Open,
            priority_group: group,
            supporters,
            created_at: at.into(),
        }
    }

    #[test]
    fn ranking_is_supporters_then_priority_groups_then_age() {
        let mut v = vec![
            facts("a", 3, PriorityGroup::AllResidents, "2026-01-01"),
            facts("b", 3, PriorityGroup::Disabilities, "2026-02-01"),
            facts("c", 9, PriorityGroup::AllResidents, "2026-03-01"),
            facts("d", 3, PriorityGroup::Disabilities, "2026-01-15"),
        ];
        rank(&mut v);
        let order: Vec<_> = v.iter().map(|n| n.id.as_str()).collect();
        assert_eq!(order, ["c", "d", "b", "a"]);
    }

    #[test]
    fn merging_needs_open_distinct_needs_of_one_community() {
        let a = facts("a", 1, PriorityGroup::AllResidents, "x");
        let b = facts("b", 1, PriorityGroup::AllResidents, "x");
        assert!(can_merge(&a, &b).is_ok());
        assert!(can_merge(&a, &a).is_err());
        let mut other = b.clone();
        other.community = AreaCode::parse("341002002002").unwrap();
        assert!(can_merge(&a, &other).is_err());
        let mut merged = b.clone();
        merged.status = NeedStatus::Merged;
        assert!(can_merge(&a, &merged).is_err());
        assert!(can_merge(&merged, &a).is_err());
    }
}
