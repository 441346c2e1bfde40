//! The representatives' vote (居民代表会议表决, YQ step 4; MECHANISM §4 step 4).
//!
//! The roster of the community's resident representatives is snapshotted when the meeting opens,
//! and the quorum and pass rules are fixed then; neither changes afterwards. Each application is
//! a motion. Project leads recuse; representatives in the applicant's team or organization are
//! recused automatically, and the reason is kept. Each present representative who is not recused
//! votes once (yes / no / abstain), electronically, or a paper count signed by its counter is
//! entered instead. The sealed tally is what the ballots say and nothing else.
//!
//! Choices named here (the seeds are silent): the quorum counts everyone present, recused or not
//! (they attended); the pass rule's base is those present and entitled to vote on the motion
//! (recused representatives do not vote, so they cannot count for or against); a
//! representative who is present but does not vote counts as not in favour.

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
    /// Share of the roster that must be present.
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
    }
}

/// The people tied to an application, by person id (user id).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Interests {
    pub leads: BTreeSet<String>,
    pub team: BTreeSet<String>,
    pub organization: BTreeSet<String>,
}

/// Who on the roster is recused from a motion, and why (the strongest reason when several hold).
pub fn recusals(
    roster: &BTreeSet<String>,
    interests: &Interests,
) -> BTreeMap<String, RecusalReason> {
    roster
        .iter()
        .filter_map(|p| {
            let reason = if interests.leads.contains(p) {
                RecusalReason::ProjectLead
            } else if interests.team.contains(p) {
                RecusalReason::ApplicantTeam
            } else if interests.organization.contains(p) {
                RecusalReason::ApplicantOrganization
            } else {
                return None;
            };
            Some((p.clone(), reason))
        })
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
/// opening, and who is present.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Meeting {
    pub roster: BTreeSet<String>,
    pub rules: VoteRules,
    pub present: BTreeSet<String>,
}

/// One motion (an application) of the meeting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Motion {
    pub recused: BTreeMap<String, RecusalReason>,
    pub ballots: BTreeMap<String, Choice>,
    pub paper: Option<PaperCount>,
    pub sealed: bool,
}

/// The count of a motion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Tally {
    pub roster: u64,
    pub present: u64,
    /// Present and recused.
    pub recused: u64,
    /// Present and entitled to vote: the pass rule's base.
    pub entitled: u64,
    pub yes: u64,
    pub no: u64,
    pub abstain: u64,
    /// Entitled but cast nothing.
    pub not_voting: u64,
    pub quorum_met: bool,
    pub passed: bool,
}

impl Meeting {
    /// Opens a meeting: the roster is the snapshot taken now.
    pub fn open(roster: BTreeSet<String>, rules: VoteRules) -> Result<Meeting, DomainError> {
        rules.quorum.validate("quorum")?;
        rules.pass.validate("pass")?;
        if roster.is_empty() {
            return Err(DomainError::conflict(
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

    /// Records a representative as present (only someone on the snapshot roster).
    pub fn attend(&mut self, person: &str) -> Result<(), DomainError> {
        if !self.roster.contains(person) {
            return Err(DomainError::conflict(
                "not_on_roster",
                "此人不在开会时的居民代表名册上",
            ));
        }
        self.present.insert(person.to_string());
        Ok(())
    }

    /// Whether enough representatives of the snapshot roster are present for the quorum rule.
    pub fn quorum_met(&self) -> bool {
        self.rules
            .quorum
            .met(self.present.len() as u64, self.roster.len() as u64)
    }

    /// Why `person` may not cast a ballot on `motion` now, if anything stops it.
    pub fn check_ballot(&self, motion: &Motion, person: &str) -> Result<(), DomainError> {
        if motion.sealed {
            return Err(DomainError::conflict(
                "sealed",
                "表决结果已封存，不能再投票",
            ));
        }
        if !self.roster.contains(person) {
            return Err(DomainError::conflict(
                "not_on_roster",
                "您不在本次会议的居民代表名册上，不能投票",
            ));
        }
        if !self.present.contains(person) {
            return Err(DomainError::conflict(
                "not_present",
                "您未登记出席本次会议，不能投票",
            ));
        }
        if let Some(reason) = motion.recused.get(person) {
            return Err(DomainError::conflict(
                "recused",
                format!("您已回避本项表决（{}）", reason.zh()),
            ));
        }
        if motion.paper.is_some() {
            return Err(DomainError::conflict(
                "paper_counted",
                "本项已录入纸质计票结果，不再接受电子投票",
            ));
        }
        if motion.ballots.contains_key(person) {
            return Err(DomainError::conflict(
                "already_voted",
                "您已对本项投过票，每人只能投一次",
            ));
        }
        Ok(())
    }

    /// Casts a ballot.
    pub fn cast(
        &self,
        motion: &mut Motion,
        person: &str,
        choice: Choice,
    ) -> Result<(), DomainError> {
        self.check_ballot(motion, person)?;
        motion.ballots.insert(person.to_string(), choice);
        Ok(())
    }

    /// Representatives present and entitled to vote on `motion`.
    pub fn entitled(&self, motion: &Motion) -> u64 {
        self.present
            .iter()
            .filter(|p| !motion.recused.contains_key(*p))
            .count() as u64
    }

    /// Checks a paper count against the room: it replaces electronic ballots, so there must be
    /// none, and it cannot count more ballots than people entitled to vote.
    pub fn check_paper(&self, motion: &Motion, count: &PaperCount) -> Result<(), DomainError> {
        if motion.sealed {
            return Err(DomainError::conflict(
                "sealed",
                "表决结果已封存，不能再录入计票",
            ));
        }
        if !motion.ballots.is_empty() {
            return Err(DomainError::conflict(
                "electronic_ballots",
                "本项已有电子投票，不能再录入纸质计票",
            ));
        }
        if motion.paper.is_some() {
            return Err(DomainError::conflict(
                "paper_counted",
                "本项已录入纸质计票结果",
            ));
        }
        if count.counter.trim().is_empty() {
            return Err(DomainError::field(
                "counter",
                "required",
                "请填写计票人姓名（计票人签字）",
            ));
        }
        let entitled = self.entitled(motion);
        let cast = count.yes + count.no + count.abstain;
        if cast > entitled {
            return Err(DomainError::field(
                "yes",
                "too_many_ballots",
                format!("票数合计 {cast} 超过出席且有表决权的代表人数 {entitled}"),
            ));
        }
        Ok(())
    }

    /// The count of a motion as the ballots (or the paper count) say.
    pub fn tally(&self, motion: &Motion) -> Tally {
        let present = self.present.len() as u64;
        let recused = self
            .present
            .iter()
            .filter(|p| motion.recused.contains_key(*p))
            .count() as u64;
        let entitled = present - recused;
        let (yes, no, abstain) = match &motion.paper {
            Some(p) => (p.yes, p.no, p.abstain),
            None => {
                // Only ballots of present, entitled representatives count (the store never
                // holds others; counting them here would make that a silent trust).
                let mut c = (0, 0, 0);
                for (person, choice) in &motion.ballots {
                    if !self.present.contains(person) || motion.recused.contains_key(person) {
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
        let quorum_met = self.quorum_met();
        Tally {
            roster: self.roster.len() as u64,
            present,
            recused,
            entitled,
            yes,
            no,
            abstain,
            not_voting: entitled.saturating_sub(yes + no + abstain),
            quorum_met,
            passed: quorum_met && self.rules.pass.met(yes, entitled),
        }
    }

    /// Seals the motion's result, which is then announced; refused without a quorum.
    pub fn seal(&self, motion: &mut Motion) -> Result<Tally, DomainError> {
        if motion.sealed {
            return Err(DomainError::conflict("sealed", "表决结果已封存"));
        }
        if !self.quorum_met() {
            return Err(DomainError::conflict(
                "no_quorum",
                format!(
                    "出席代表 {} 人，未达到法定人数（名册 {} 人，须{}出席）",
                    self.present.len(),
                    self.roster.len(),
                    self.rules.quorum.zh()
                ),
            ));
        }
        motion.sealed = true;
        Ok(self.tally(motion))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn people(n: usize) -> BTreeSet<String> {
        (0..n).map(|i| format!("p{i}")).collect()
    }

    #[test]
    fn thresholds_are_exact() {
        let half = Threshold::MORE_THAN_HALF;
        assert!(!half.met(5, 10));
        assert!(half.met(6, 10));
        assert!(half.met(4, 7));
        assert!(!half.met(0, 0));
        let two_thirds = Threshold {
            numerator: 2,
            denominator: 3,
            strict: false,
        };
        assert!(two_thirds.met(2, 3));
        assert!(!two_thirds.met(5, 8));
        assert_eq!(half.zh(), "过半数");
        assert_eq!(two_thirds.zh(), "不少于3分之2");
        assert!(Threshold {
            numerator: 3,
            denominator: 2,
            strict: true
        }
        .validate("q")
        .is_err());
        assert!(Threshold {
            numerator: 1,
            denominator: 0,
            strict: true
        }
        .validate("q")
        .is_err());
    }

    #[test]
    fn a_meeting_without_representatives_cannot_open() {
        assert!(Meeting::open(BTreeSet::new(), VoteRules::default()).is_err());
    }

    #[test]
    fn sealing_without_quorum_is_refused_and_names_it() {
        let mut m = Meeting::open(people(10), VoteRules::default()).unwrap();
        for p in ["p0", "p1", "p2", "p3", "p4"] {
            m.attend(p).unwrap();
        }
        let mut motion = Motion::default();
        let err = m.seal(&mut motion).unwrap_err();
        assert!(err.to_string().contains("未达到法定人数"), "{err}");
        assert!(!motion.sealed);
        m.attend("p5").unwrap();
        assert!(m.seal(&mut motion).is_ok());
        assert!(m.seal(&mut motion).is_err(), "sealed once");
    }

    #[test]
    fn every_refused_ballot_says_why() {
        let mut m = Meeting::open(people(5), VoteRules::default()).unwrap();
        for p in ["p0", "p1", "p2"] {
            m.attend(p).unwrap();
        }
        assert!(m.attend("stranger").is_err());
        let mut motion = Motion {
            recused: [("p1".to_string(), RecusalReason::ApplicantTeam)].into(),
            ..Motion::default()
        };
        let code = |r: Result<(), DomainError>| match r {
            Err(DomainError::Conflict { code, .. }) => code,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            code(m.cast(&mut motion, "stranger", Choice::Yes)),
            "not_on_roster"
        );
        assert_eq!(code(m.cast(&mut motion, "p3", Choice::Yes)), "not_present");
        assert_eq!(code(m.cast(&mut motion, "p1", Choice::Yes)), "recused");
        m.cast(&mut motion, "p0", Choice::Yes).unwrap();
        assert_eq!(code(m.cast(&mut motion, "p0", Choice::No)), "already_voted");
        assert_eq!(motion.ballots["p0"], Choice::Yes, "the first ballot stands");
        let paper = PaperCount {
            yes: 1,
            no: 0,
            abstain: 0,
            counter: "王".into(),
        };
        assert!(
            m.check_paper(&motion, &paper).is_err(),
            "electronic ballots exist"
        );
        m.seal(&mut motion).unwrap();
        assert_eq!(code(m.cast(&mut motion, "p2", Choice::Yes)), "sealed");
    }

    #[test]
    fn paper_counts_are_signed_and_fit_the_room() {
        let mut m = Meeting::open(people(5), VoteRules::default()).unwrap();
        for p in ["p0", "p1", "p2", "p3"] {
            m.attend(p).unwrap();
        }
        let motion = Motion {
            recused: [("p0".to_string(), RecusalReason::ProjectLead)].into(),
            ..Motion::default()
        };
        let mut paper = PaperCount {
            yes: 2,
            no: 1,
            abstain: 1,
            counter: "王".into(),
        };
        assert!(
            m.check_paper(&motion, &paper).is_err(),
            "4 ballots, 3 entitled"
        );
        paper.abstain = 0;
        assert!(m.check_paper(&motion, &paper).is_ok());
        paper.counter = " ".into();
        assert!(m.check_paper(&motion, &paper).is_err(), "unsigned");
    }

    #[test]
    fn recusal_reasons_are_found_and_the_strongest_kept() {
        let roster = people(4);
        let interests = Interests {
            leads: ["p0".to_string()].into(),
            team: ["p0".to_string(), "p1".to_string()].into(),
            organization: ["p2".to_string(), "p9".to_string()].into(),
        };
        let r = recusals(&roster, &interests);
        assert_eq!(r.len(), 3);
        assert_eq!(r["p0"], RecusalReason::ProjectLead);
        assert_eq!(r["p1"], RecusalReason::ApplicantTeam);
        assert_eq!(r["p2"], RecusalReason::ApplicantOrganization);
        assert!(!r.contains_key("p9"), "not on the roster");
    }

    proptest! {
        /// Over random rosters, attendance, interests and ballot attempts (with repeats): no
        /// recused or absent person's vote counts, nobody counts twice, and the sealed tally is
        /// exactly the accepted ballots.
        #[test]
        fn the_tally_is_the_ballots_and_nothing_else(
            size in 1usize..40,
            present_mask in proptest::collection::vec(any::<bool>(), 40),
            lead_mask in proptest::collection::vec(any::<bool>(), 40),
            org_mask in proptest::collection::vec(any::<bool>(), 40),
            attempts in proptest::collection::vec((0usize..45, 0usize..3), 0..120),
        ) {
            let roster = people(size);
            let mut m = Meeting::open(roster.clone(), VoteRules::default()).unwrap();
            for (i, _) in present_mask.iter().enumerate().take(size).filter(|(_, p)| **p) {
                m.attend(&format!("p{i}")).unwrap();
            }
            let interests = Interests {
                leads: (0..size).filter(|i| lead_mask[*i] && i % 7 == 0).map(|i| format!("p{i}")).collect(),
                team: (0..size).filter(|i| lead_mask[*i]).map(|i| format!("p{i}")).collect(),
                organization: (0..size).filter(|i| org_mask[*i]).map(|i| format!("p{i}")).collect(),
            };
            let mut motion = Motion { recused: recusals(&roster, &interests), ..Motion::default() };
            let mut accepted: BTreeMap<String, Choice> = BTreeMap::new();
            for (who, c) in attempts {
                let person = format!("p{who}");
                let choice = Choice::ALL[c];
                if m.cast(&mut motion, &person, choice).is_ok() {
                    prop_assert!(roster.contains(&person));
                    prop_assert!(m.present.contains(&person));
                    prop_assert!(!motion.recused.contains_key(&person));
                    prop_assert!(accepted.insert(person, choice).is_none(), "counted twice");
                }
            }
            let t = m.tally(&motion);
            let count = |c: Choice| accepted.values().filter(|v| **v == c).count() as u64;
            prop_assert_eq!(t.yes, count(Choice::Yes));
            prop_assert_eq!(t.no, count(Choice::No));
            prop_assert_eq!(t.abstain, count(Choice::Abstain));
            prop_assert_eq!(t.yes + t.no + t.abstain + t.not_voting, t.entitled);
            prop_assert_eq!(t.entitled + t.recused, t.present);
            prop_assert_eq!(t.passed, t.quorum_met && 2 * t.yes > t.entitled);
            match m.seal(&mut motion) {
                Ok(sealed) => {
                    prop_assert!(t.quorum_met);
                    prop_assert_eq!(sealed, t);
                    // After sealing, nothing changes the result.
                    for i in 0..size {
                        let person = format!("p{i}");
                        prop_assert!(m.cast(&mut motion, &person, Choice::Yes).is_err());
                    }
                    prop_assert_eq!(m.tally(&motion), sealed);
                }
                Err(_) => prop_assert!(!t.quorum_met),
            }
        }

        /// A ballot smuggled into the motion for a recused or absent person never counts.
        #[test]
        fn ballots_of_recused_or_absent_people_never_count(size in 2usize..30, extra in 0usize..30) {
            let roster = people(size);
            let mut m = Meeting::open(roster.clone(), VoteRules::default()).unwrap();
            m.attend("p0").unwrap();
            m.attend("p1").unwrap();
            let mut motion = Motion {
                recused: [("p1".to_string(), RecusalReason::ApplicantOrganization)].into(),
                ..Motion::default()
            };
            motion.ballots.insert("p1".into(), Choice::Yes);
            motion.ballots.insert(format!("p{}", 2 + extra % size.max(3)), Choice::Yes);
            let t = m.tally(&motion);
            prop_assert_eq!(t.yes, 0);
        }
    }
}
