//! The representatives' vote (居民代表会议表决, YQ step 4; MECHANISM §4 step 4).
//!
//! The roster of the community's resident representatives is snapshotted when the meeting opens,
//! and the quorum and pass rules are fixed then; neither changes afterwards. Each application is
//! a motion. Each present representative who is entitled votes once (yes / no / abstain),
//! electronically, or a paper count signed by its counter is entered instead. The sealed tally is
//! what the ballots say and nothing else.
//!
//! What keeps the vote from being bent (issue 14):
//! - Attendance is a log: the chair records arrivals and departures of the meeting. A motion
//!   takes its own attendance (a copy of the meeting's) at its first ballot or paper count; from
//!   then on a departure does not touch it, and a late arrival is appended to it (unless it was
//!   counted on paper: a paper count is the room at the moment it was counted). Once every motion
//!   is sealed the meeting's attendance changes no more.
//! - Quorum and the pass rule are per motion: the representatives present for the motion and
//!   entitled to vote on it (not recused) must reach the quorum share of the roster snapshot, and
//!   the yes votes must reach the pass share of them. A motion without that quorum cannot be
//!   sealed.
//! - Recusal is decided when each ballot is cast, against the applicant's interests as they are
//!   then (and again, for everyone present, at a paper count, and for those who have not voted,
//!   at sealing). A ballot cast without an interest stands: it never disappears later.
//!
//! Choices named here (the seeds are silent): the pass rule's base is those present and entitled
//! to vote on the motion (recused representatives do not vote, so they cannot count for or
//! against); a representative who is present but does not vote counts as not in favour.

use crate::{labelled, DomainError};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// A share that a count must reach: "more than half" is `1/2, strict`; "at least two thirds" is
/// `2/3, not strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Threshold {
    pub numerator: u32,
    pub denominator: u32,
    /// `true`: the count must exceed the share; `false`: it must reach it.
    pub strict: bool,
}

impl Threshold {
    /// More than half (过半数): the default for both the quorum and the pass rule.
    pub const MORE_THAN_HALF: Threshold = Threshold {
        numerator: 1,
        denominator: 2,
        strict: true,
    };

    /// Whether `count` out of `base` meets the threshold (exact integer arithmetic).
    pub fn met(&self, count: u64, base: u64) -> bool {
        let lhs = u128::from(count) * u128::from(self.denominator);
        let rhs = u128::from(base) * u128::from(self.numerator);
        if self.strict {
            lhs > rhs
        } else {
            lhs >= rhs
        }
    }

    /// A usable threshold: a share between 0 and 1, with a denominator.
    pub fn validate(&self, field: &str) -> Result<(), DomainError> {
        if self.denominator == 0 || self.numerator > self.denominator || self.numerator == 0 {
            return Err(DomainError::field(
                field,
                "invalid_threshold",
                "比例须在 0 与 1 之间（如 1/2）",
            ));
        }
        Ok(())
    }

    /// In Chinese, as the rules are read out: 过半数, 不少于三分之二, ….
    pub fn zh(&self) -> String {
        if *self == Threshold::MORE_THAN_HALF {
            return "过半数".into();
        }
        let share = format!("{}分之{}", self.denominator, self.numerator);
        if self.strict {
            format!("超过{share}")
        } else {
            format!("不少于{share}")
        }
    }
}

/// The quorum and pass rules of a meeting, fixed when it opens (from the policy profile).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct VoteRules {
    /// Share of the roster that must be present for each motion and entitled to vote on it.
    pub quorum: Threshold,
    /// Share of those present and entitled to vote that must vote yes.
    pub pass: Threshold,
}

impl Default for VoteRules {
    fn default() -> Self {
        VoteRules {
            quorum: Threshold::MORE_THAN_HALF,
            pass: Threshold::MORE_THAN_HALF,
        }
    }
}

labelled! {
    /// How a representative votes on a motion.
    pub enum Choice {
        Yes = ("yes", "同意"),
        No = ("no", "不同意"),
        Abstain = ("abstain", "弃权"),
    }
}

labelled! {
    /// Why a representative does not vote on a motion.
    pub enum RecusalReason {
        /// The project lead presents, then leaves (YQ: 自行回避).
        ProjectLead = ("project_lead", "项目负责人自行回避"),
        /// Named in the application's team.
        ApplicantTeam = ("applicant_team", "属申请方项目团队"),
        /// A member or manager of the applying organization.
        ApplicantOrganization = ("applicant_organization", "属申请方组织"),
        /// A social worker employed by the applying organization.
        EmployedSocialWorker = ("employed_social_worker", "属申请方聘用的社工"),
    }
}

/// The people tied to an application, by person id (user id), as they are at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Interests {
    /// The project lead.
    pub leads: BTreeSet<String>,
    /// Volunteers and social workers named in the application's current version.
    pub team: BTreeSet<String>,
    /// Accounts of the applying organization.
    pub organization: BTreeSet<String>,
    /// Social workers employed by the applying organization.
    pub employed: BTreeSet<String>,
}

impl Interests {
    /// Why `person` has an interest in the application, if they do (the strongest reason when
    /// several hold).
    pub fn of(&self, person: &str) -> Option<RecusalReason> {
        if self.leads.contains(person) {
            Some(RecusalReason::ProjectLead)
        } else if self.team.contains(person) {
            Some(RecusalReason::ApplicantTeam)
        } else if self.organization.contains(person) {
            Some(RecusalReason::ApplicantOrganization)
        } else if self.employed.contains(person) {
            Some(RecusalReason::EmployedSocialWorker)
        } else {
            None
        }
    }
}

/// Who among `people` has an interest in the application, and why (the strongest reason).
pub fn recusals(
    people: &BTreeSet<String>,
    interests: &Interests,
) -> BTreeMap<String, RecusalReason> {
    people
        .iter()
        .filter_map(|p| interests.of(p).map(|r| (p.clone(), r)))
        .collect()
}

/// A paper count entered for a motion, signed by the person who counted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PaperCount {
    pub yes: u64,
    pub no: u64,
    pub abstain: u64,
    pub counter: String,
}

/// The representatives' meeting as the rules see it: the roster snapshot, the rules fixed at
/// opening, and who is present now (the latest state of the attendance log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub roster: BTreeSet<String>,
    pub rules: VoteRules,
    pub present: BTreeSet<String>,
}

/// One motion (an application) of the meeting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Motion {
    /// The motion's own attendance, taken at its first ballot or paper count (`None` before:
    /// the meeting's attendance stands for it until then).
    pub present: Option<BTreeSet<String>>,
    /// Recusals recorded so far, with their reasons.
    pub recused: BTreeMap<String, RecusalReason>,
    pub ballots: BTreeMap<String, Choice>,
    pub paper: Option<PaperCount>,
    pub sealed: bool,
}

impl Motion {
    /// Whether the motion has taken its own attendance (first ballot or paper count).
    pub fn started(&self) -> bool {
        self.present.is_some()
    }
}

/// The count of a motion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Tally {
    pub roster: u64,
    /// Present for the motion.
    pub present: u64,
    /// Present and recused.
    pub recused: u64,
    /// Present and entitled to vote: the quorum's count and the pass rule's base.
    pub entitled: u64,
    pub yes: u64,
    pub no: u64,
    pub abstain: u64,
    /// Entitled but cast nothing.
    pub not_voting: u64,
    pub quorum_met: bool,
    pub passed: bool,
}

/// A change of the meeting's attendance, as the chair asked for it: the log appends one record
/// per arrival and per departure.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AttendanceChange {
    pub before: BTreeSet<String>,
    pub after: BTreeSet<String>,
    pub arrivals: BTreeSet<String>,
    pub departures: BTreeSet<String>,
}

fn conflict(code: &'static str, message: impl Into<String>) -> DomainError {
    DomainError::conflict(code, message)
}

impl Meeting {
    /// Opens a meeting: the roster is the snapshot taken now.
    pub fn open(roster: BTreeSet<String>, rules: VoteRules) -> Result<Meeting, DomainError> {
        rules.quorum.validate("quorum")?;
        rules.pass.validate("pass")?;
        if roster.is_empty() {
            return Err(conflict(
                "empty_roster",
                "本社区没有登记的居民代表，不能召开居民代表会议",
            ));
        }
        Ok(Meeting {
            roster,
            rules,
            present: BTreeSet::new(),
        })
    }

    /// Checks the chair's list of who is present now against the rules, and says what changes:
    /// refused once every motion is sealed, and for anyone not on the snapshot roster.
    pub fn change_attendance(
        &self,
        motions: &[Motion],
        wanted: &BTreeSet<String>,
    ) -> Result<AttendanceChange, DomainError> {
        if !motions.is_empty() && motions.iter().all(|m| m.sealed) {
            return Err(conflict(
                "meeting_sealed",
                "本次会议各项表决均已封存，出席记录不能再更改",
            ));
        }
        if let Some(stranger) = wanted.iter().find(|p| !self.roster.contains(*p)) {
            return Err(DomainError::field(
                "present",
                "not_on_roster",
                format!("“{stranger}”不在开会时的居民代表名册上"),
            ));
        }
        Ok(AttendanceChange {
            before: self.present.clone(),
            after: wanted.clone(),
            arrivals: wanted.difference(&self.present).cloned().collect(),
            departures: self.present.difference(wanted).cloned().collect(),
        })
    }

    /// Applies a checked change: the meeting's attendance becomes `after`; each arrival joins
    /// every started, unsealed motion not counted on paper; a departure touches no started
    /// motion.
    pub fn apply_attendance(&mut self, motions: &mut [Motion], change: &AttendanceChange) {
        self.present = change.after.clone();
        for m in motions.iter_mut() {
            if m.sealed || m.paper.is_some() {
                continue;
            }
            if let Some(present) = m.present.as_mut() {
                present.extend(change.arrivals.iter().cloned());
            }
        }
    }

    /// Records a representative as present (an arrival; only someone on the snapshot roster).
    pub fn attend(&mut self, person: &str) -> Result<(), DomainError> {
        let mut wanted = self.present.clone();
        wanted.insert(person.to_string());
        let change = self.change_attendance(&[], &wanted)?;
        self.apply_attendance(&mut [], &change);
        Ok(())
    }

    /// Who is present for `motion`: its own attendance once started, the meeting's before.
    pub fn present_for<'a>(&'a self, motion: &'a Motion) -> &'a BTreeSet<String> {
        motion.present.as_ref().unwrap_or(&self.present)
    }

    /// Whether enough representatives of the snapshot roster are present at the meeting (a hint
    /// for the chair: the quorum that decides is each motion's, see [`Tally::quorum_met`]).
    pub fn quorum_met(&self) -> bool {
        self.rules
            .quorum
            .met(self.present.len() as u64, self.roster.len() as u64)
    }

    /// Why `person` may not cast a ballot on `motion` now, if anything stops it.
    pub fn check_ballot(&self, motion: &Motion, person: &str) -> Result<(), DomainError> {
        if motion.sealed {
            return Err(conflict("sealed", "表决结果已封存，不能再投票"));
        }
        if !self.roster.contains(person) {
            return Err(conflict(
                "not_on_roster",
                "您不在本次会议的居民代表名册上，不能投票",
            ));
        }
        if !self.present_for(motion).contains(person) {
            return Err(conflict("not_present", "您未登记出席本项表决，不能投票"));
        }
        if let Some(reason) = motion.recused.get(person) {
            return Err(conflict(
                "recused",
                format!("您须回避本项表决（{}）", reason.zh()),
            ));
        }
        if motion.paper.is_some() {
            return Err(conflict(
                "paper_counted",
                "本项已录入纸质计票结果，不再接受电子投票",
            ));
        }
        if motion.ballots.contains_key(person) {
            return Err(conflict(
                "already_voted",
                "您已对本项投过票，每人只能投一次",
            ));
        }
        Ok(())
    }

    /// The recusal to record when `person`, with `interest` in the application now, asks to
    /// vote: only someone who could otherwise vote (present for the motion, no ballot yet, the
    /// motion open to ballots) and is not recorded yet.
    pub fn recusal_at_ballot(
        &self,
        motion: &Motion,
        person: &str,
        interest: Option<RecusalReason>,
    ) -> Option<RecusalReason> {
        let reason = interest?;
        let open = !motion.sealed && motion.paper.is_none();
        (open
            && self.roster.contains(person)
            && self.present_for(motion).contains(person)
            && !motion.ballots.contains_key(person)
            && !motion.recused.contains_key(person))
        .then_some(reason)
    }

    /// Casts a ballot, deciding recusal now: an interested voter is recorded as recused (with
    /// the reason) and refused. The first ballot gives the motion its own attendance.
    pub fn cast(
        &self,
        motion: &mut Motion,
        person: &str,
        choice: Choice,
        interest: Option<RecusalReason>,
    ) -> Result<(), DomainError> {
        if let Some(reason) = self.recusal_at_ballot(motion, person, interest) {
            motion.recused.insert(person.to_string(), reason);
        }
        self.check_ballot(motion, person)?;
        if motion.present.is_none() {
            motion.present = Some(self.present.clone());
        }
        motion.ballots.insert(person.to_string(), choice);
        Ok(())
    }

    /// Representatives present for `motion` and entitled to vote on it.
    pub fn entitled(&self, motion: &Motion) -> BTreeSet<String> {
        self.present_for(motion)
            .iter()
            .filter(|p| !motion.recused.contains_key(*p))
            .cloned()
            .collect()
    }

    /// Enters a paper count: it replaces electronic ballots, so there must be none; every
    /// representative present is re-checked for an interest now (new recusals are returned to be
    /// recorded), and it cannot count more ballots than people entitled to vote. The count gives
    /// the motion its own attendance. A refusal changes nothing.
    pub fn enter_paper(
        &self,
        motion: &mut Motion,
        count: &PaperCount,
        interests: &Interests,
    ) -> Result<BTreeMap<String, RecusalReason>, DomainError> {
        if motion.sealed {
            return Err(conflict("sealed", "表决结果已封存，不能再录入计票"));
        }
        if !motion.ballots.is_empty() {
            return Err(conflict(
                "electronic_ballots",
                "本项已有电子投票，不能再录入纸质计票",
            ));
        }
        if motion.paper.is_some() {
            return Err(conflict("paper_counted", "本项已录入纸质计票结果"));
        }
        if count.counter.trim().is_empty() {
            return Err(DomainError::field(
                "counter",
                "required",
                "请填写计票人姓名（计票人签字）",
            ));
        }
        let mut next = motion.clone();
        let present = self.present_for(motion).clone();
        let new: BTreeMap<String, RecusalReason> = recusals(&present, interests)
            .into_iter()
            .filter(|(p, _)| !motion.recused.contains_key(p))
            .collect();
        next.recused.extend(new.clone());
        next.present = Some(present);
        let entitled = self.entitled(&next).len() as u64;
        let cast = count.yes + count.no + count.abstain;
        if cast > entitled {
            return Err(DomainError::field(
                "yes",
                "too_many_ballots",
                format!("票数合计 {cast} 超过出席且有表决权的代表人数 {entitled}"),
            ));
        }
        next.paper = Some(count.clone());
        *motion = next;
        Ok(new)
    }

    /// The count of a motion as the ballots (or the paper count) say, on those present for it.
    pub fn tally(&self, motion: &Motion) -> Tally {
        let present_for = self.present_for(motion);
        let entitled_set = self.entitled(motion);
        let present = present_for.len() as u64;
        let entitled = entitled_set.len() as u64;
        let (yes, no, abstain) = match &motion.paper {
            Some(p) => (p.yes, p.no, p.abstain),
            None => {
                // Only ballots of present, entitled representatives count (the store never
                // holds others; counting them here would make that a silent trust).
                let mut c = (0, 0, 0);
                for (person, choice) in &motion.ballots {
                    if !entitled_set.contains(person) {
                        continue;
                    }
                    match choice {
                        Choice::Yes => c.0 += 1,
                        Choice::No => c.1 += 1,
                        Choice::Abstain => c.2 += 1,
                    }
                }
                c
            }
        };
        let quorum_met = self.rules.quorum.met(entitled, self.roster.len() as u64);
        Tally {
            roster: self.roster.len() as u64,
            present,
            recused: present - entitled,
            entitled,
            yes,
            no,
            abstain,
            not_voting: entitled.saturating_sub(yes + no + abstain),
            quorum_met,
            passed: quorum_met && self.rules.pass.met(yes, entitled),
        }
    }

    /// Seals the motion's result, which is then announced. Those present who have not voted
    /// are re-checked for an interest now (not after a paper count, which checked everyone when
    /// it was counted); new recusals are returned to be recorded. Refused, changing nothing,
    /// without a quorum of entitled voters: the application then stays in "voting".
    pub fn seal(
        &self,
        motion: &mut Motion,
        interests: &Interests,
    ) -> Result<(Tally, BTreeMap<String, RecusalReason>), DomainError> {
        if motion.sealed {
            return Err(conflict("sealed", "表决结果已封存"));
        }
        let mut next = motion.clone();
        let present = self.present_for(motion).clone();
        let new: BTreeMap<String, RecusalReason> = if motion.paper.is_some() {
            BTreeMap::new()
        } else {
            recusals(&present, interests)
                .into_iter()
                .filter(|(p, _)| !motion.recused.contains_key(p) && !motion.ballots.contains_key(p))
                .collect()
        };
        next.recused.extend(new.clone());
        next.present = Some(present);
        let tally = self.tally(&next);
        if !tally.quorum_met {
            return Err(conflict(
                "no_quorum",
                format!(
                    "出席本项且有表决权的代表 {} 人（出席 {} 人，回避 {} 人），未达到法定人数：名册 {} 人，须{}",
                    tally.entitled,
                    tally.present,
                    tally.recused,
                    tally.roster,
                    self.rules.quorum.zh()
                ),
            ));
        }
        next.sealed = true;
        *motion = next;
        Ok((tally, new))
    }
}

#[cfg(test)]
mod tests;
