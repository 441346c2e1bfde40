use super::*;
use proptest::prelude::*;

fn people(n: usize) -> BTreeSet<String> {
    (0..n).map(|i| format!("p{i}")).collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|s| s.to_string()).collect()
}

fn code(r: Result<impl std::fmt::Debug, DomainError>) -> &'static str {
    match r {
        Err(DomainError::Conflict { code, .. }) => code,
        Err(DomainError::Invalid(errors)) => errors[0].code,
        other => panic!("{other:?}"),
    }
}

fn meeting(n: usize, present: &[&str]) -> Meeting {
    let mut m = Meeting::open(people(n), VoteRules::default()).unwrap();
    let mut motions: Vec<Motion> = Vec::new();
    let change = m.change_attendance(&motions, &set(present)).unwrap();
    m.apply_attendance(&mut motions, &change);
    m
}

fn paper(yes: u64, no: u64, abstain: u64) -> PaperCount {
    PaperCount {
        yes,
        no,
        abstain,
        counter: "王".into(),
    }
}

const NOBODY: Interests = Interests {
    leads: BTreeSet::new(),
    team: BTreeSet::new(),
    organization: BTreeSet::new(),
    employed: BTreeSet::new(),
};

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
    for bad in [(3, 2), (1, 0), (0, 2)] {
        let t = Threshold {
            numerator: bad.0,
            denominator: bad.1,
            strict: true,
        };
        assert!(t.validate("q").is_err(), "{bad:?}");
    }
}

#[test]
fn a_meeting_without_representatives_cannot_open() {
    assert_eq!(
        code(Meeting::open(BTreeSet::new(), VoteRules::default())),
        "empty_roster"
    );
}

#[test]
fn attendance_names_arrivals_and_departures_and_refuses_strangers() {
    let m = meeting(5, &["p0", "p1"]);
    let change = m
        .change_attendance(&[Motion::default()], &set(&["p1", "p2"]))
        .unwrap();
    assert_eq!(change.before, set(&["p0", "p1"]));
    assert_eq!(change.arrivals, set(&["p2"]));
    assert_eq!(change.departures, set(&["p0"]));
    assert_eq!(
        code(m.change_attendance(&[Motion::default()], &set(&["p1", "stranger"]))),
        "not_on_roster"
    );
}

#[test]
fn attendance_is_refused_once_every_motion_is_sealed() {
    let mut m = meeting(3, &["p0", "p1", "p2"]);
    let mut a = Motion::default();
    let mut b = Motion::default();
    m.seal(&mut a, &NOBODY).unwrap();
    assert!(
        m.change_attendance(&[a.clone(), b.clone()], &set(&["p0"]))
            .is_ok(),
        "b is open"
    );
    m.seal(&mut b, &NOBODY).unwrap();
    assert_eq!(
        code(m.change_attendance(&[a.clone(), b.clone()], &set(&["p0"]))),
        "meeting_sealed"
    );
    let before = m.clone();
    assert!(m.attend("p0").is_ok(), "attend without motions only adds");
    assert_eq!(
        before.tally(&a),
        m.tally(&a),
        "a sealed motion's count never moves"
    );
}

#[test]
fn a_departure_after_the_first_ballot_does_not_touch_the_motion() {
    // The finding: the chair turned a 2–3 defeat into a 2–1 pass by marking two "no" voters absent.
    let mut m = meeting(5, &["p0", "p1", "p2", "p3", "p4"]);
    let mut motion = Motion::default();
    for (p, c) in [
        ("p0", Choice::Yes),
        ("p1", Choice::Yes),
        ("p2", Choice::No),
        ("p3", Choice::No),
        ("p4", Choice::No),
    ] {
        m.cast(&mut motion, p, c, None).unwrap();
    }
    let mut motions = vec![motion];
    let change = m
        .change_attendance(&motions, &set(&["p0", "p1", "p2"]))
        .unwrap();
    m.apply_attendance(&mut motions, &change);
    assert_eq!(
        m.present,
        set(&["p0", "p1", "p2"]),
        "the meeting records the departure"
    );
    let t = m.tally(&motions[0]);
    assert_eq!((t.present, t.yes, t.no, t.passed), (5, 2, 3, false));
    // A motion not started yet takes the attendance as it is when its first ballot comes.
    let mut later = Motion::default();
    m.cast(&mut later, "p0", Choice::Yes, None).unwrap();
    assert_eq!(later.present, Some(set(&["p0", "p1", "p2"])));
    assert_eq!(
        code(m.cast(&mut later, "p3", Choice::No, None)),
        "not_present"
    );
}

#[test]
fn a_late_arrival_joins_started_motions_but_not_a_paper_count() {
    let mut m = meeting(5, &["p0", "p1", "p2"]);
    let mut electronic = Motion::default();
    m.cast(&mut electronic, "p0", Choice::Yes, None).unwrap();
    let mut counted = Motion::default();
    m.enter_paper(&mut counted, &paper(2, 1, 0), &NOBODY)
        .unwrap();
    let mut motions = vec![electronic, counted];
    let change = m
        .change_attendance(&motions, &set(&["p0", "p1", "p2", "p3"]))
        .unwrap();
    m.apply_attendance(&mut motions, &change);
    assert!(motions[0].present.as_ref().unwrap().contains("p3"));
    assert!(
        !motions[1].present.as_ref().unwrap().contains("p3"),
        "counted as the room was"
    );
    m.cast(&mut motions[0], "p3", Choice::No, None).unwrap();
    assert_eq!(m.tally(&motions[0]).no, 1);
    assert_eq!(m.tally(&motions[1]).entitled, 3);
}

#[test]
fn quorum_is_checked_per_motion_on_those_entitled() {
    // Five of nine present; four of them are recused on this motion: one vote cannot pass it.
    let m = meeting(9, &["p0", "p1", "p2", "p3", "p4"]);
    assert!(m.quorum_met(), "the meeting as a whole has its quorum");
    let interests = Interests {
        organization: set(&["p1", "p2", "p3", "p4"]),
        ..Interests::default()
    };
    let mut motion = Motion::default();
    m.cast(&mut motion, "p0", Choice::Yes, None).unwrap();
    for p in ["p1", "p2"] {
        assert_eq!(
            code(m.cast(&mut motion, p, Choice::Yes, interests.of(p))),
            "recused"
        );
    }
    let before = motion.clone();
    let err = m.seal(&mut motion, &interests).unwrap_err();
    assert_eq!(motion, before, "a refused seal changes nothing");
    let msg = err.to_string();
    assert!(
        msg.contains("有表决权的代表 1 人") && msg.contains("名册 9 人") && msg.contains("过半数"),
        "{msg}"
    );
    // With the quorum of entitled voters, the pass rule counts yes against those entitled.
    let m = meeting(9, &["p0", "p1", "p2", "p3", "p4", "p5", "p6"]);
    let mut motion = Motion::default();
    for (p, c) in [("p0", Choice::Yes), ("p5", Choice::Yes), ("p6", Choice::No)] {
        m.cast(&mut motion, p, c, None).unwrap();
    }
    let interests = Interests {
        organization: set(&["p1", "p2"]),
        ..Interests::default()
    };
    let (t, new) = m.seal(&mut motion, &interests).unwrap();
    assert_eq!(
        new.len(),
        2,
        "non-voters with an interest are recused at sealing"
    );
    assert_eq!(
        (t.present, t.recused, t.entitled, t.yes, t.not_voting),
        (7, 2, 5, 2, 2)
    );
    assert!(
        t.quorum_met && !t.passed,
        "2 of 5 entitled is not more than half"
    );
}

#[test]
fn recusal_is_decided_when_the_ballot_is_cast_and_recorded_with_its_reason() {
    let m = meeting(5, &["p0", "p1", "p2", "p3", "p4"]);
    let mut motion = Motion::default();
    // No interest at opening; p1 joins the applying organization afterwards.
    let now = Interests {
        organization: set(&["p1"]),
        employed: set(&["p2"]),
        ..Interests::default()
    };
    let err = m
        .cast(&mut motion, "p1", Choice::Yes, now.of("p1"))
        .unwrap_err();
    assert!(err.to_string().contains("属申请方组织"), "{err}");
    assert_eq!(motion.recused["p1"], RecusalReason::ApplicantOrganization);
    assert!(!motion.ballots.contains_key("p1"));
    let err = m
        .cast(&mut motion, "p2", Choice::Yes, now.of("p2"))
        .unwrap_err();
    assert!(err.to_string().contains("属申请方聘用的社工"), "{err}");
    // A ballot cast without an interest stands, whatever happens after.
    m.cast(&mut motion, "p0", Choice::No, None).unwrap();
    let later = Interests {
        organization: set(&["p0", "p1"]),
        ..now
    };
    assert_eq!(m.recusal_at_ballot(&motion, "p0", later.of("p0")), None);
    let (t, new) = m
        .seal(&mut motion, &later)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(!new.contains_key("p0"));
    assert_eq!(t.no, 1, "p0's ballot still counts");
}

#[test]
fn every_refused_ballot_says_why() {
    let m = meeting(5, &["p0", "p1", "p2"]);
    let mut motion = Motion {
        recused: [("p1".to_string(), RecusalReason::ApplicantTeam)].into(),
        ..Motion::default()
    };
    assert_eq!(
        code(m.cast(&mut motion, "stranger", Choice::Yes, None)),
        "not_on_roster"
    );
    assert_eq!(
        code(m.cast(&mut motion, "p3", Choice::Yes, None)),
        "not_present"
    );
    assert_eq!(
        code(m.cast(&mut motion, "p1", Choice::Yes, None)),
        "recused"
    );
    m.cast(&mut motion, "p0", Choice::Yes, None).unwrap();
    assert_eq!(
        code(m.cast(&mut motion, "p0", Choice::No, None)),
        "already_voted"
    );
    assert_eq!(motion.ballots["p0"], Choice::Yes, "the first ballot stands");
    assert_eq!(
        code(m.enter_paper(&mut motion.clone(), &paper(1, 0, 0), &NOBODY)),
        "electronic_ballots"
    );
    m.cast(&mut motion, "p2", Choice::Yes, None).unwrap();
    // Quorum: 2 entitled of a roster of 5 is not more than half.
    assert_eq!(code(m.seal(&mut motion, &NOBODY)), "no_quorum");
    // Two late arrivals join the started motion and make its quorum.
    let mut m = m;
    let mut motions = vec![motion];
    let change = m.change_attendance(&motions, &people(5)).unwrap();
    m.apply_attendance(&mut motions, &change);
    let mut motion = motions.remove(0);
    m.seal(&mut motion, &NOBODY)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(code(m.cast(&mut motion, "p3", Choice::Yes, None)), "sealed");
    assert_eq!(code(m.seal(&mut motion, &NOBODY)), "sealed");
}

#[test]
fn paper_counts_are_signed_fit_the_room_and_recheck_recusals() {
    let m = meeting(5, &["p0", "p1", "p2", "p3"]);
    let interests = Interests {
        leads: set(&["p0"]),
        ..Interests::default()
    };
    let mut motion = Motion::default();
    assert_eq!(
        code(m.enter_paper(&mut motion, &paper(2, 1, 1), &interests)),
        "too_many_ballots"
    );
    assert_eq!(motion, Motion::default(), "a refused count changes nothing");
    let mut unsigned = paper(2, 1, 0);
    unsigned.counter = " ".into();
    assert_eq!(
        code(m.enter_paper(&mut motion, &unsigned, &interests)),
        "required"
    );
    let new = m
        .enter_paper(&mut motion, &paper(2, 1, 0), &interests)
        .unwrap();
    assert_eq!(new["p0"], RecusalReason::ProjectLead);
    assert_eq!(motion.present, Some(set(&["p0", "p1", "p2", "p3"])));
    assert_eq!(
        code(m.enter_paper(&mut motion, &paper(2, 1, 0), &interests)),
        "paper_counted"
    );
    assert_eq!(
        code(m.cast(&mut motion, "p1", Choice::No, None)),
        "paper_counted"
    );
    let (t, _) = m.seal(&mut motion, &interests).unwrap();
    assert_eq!((t.yes, t.no, t.entitled, t.passed), (2, 1, 3, true));
}

#[test]
fn recusal_reasons_are_found_and_the_strongest_kept() {
    let interests = Interests {
        leads: set(&["p0"]),
        team: set(&["p0", "p1"]),
        organization: set(&["p2", "p9"]),
        employed: set(&["p2", "p3"]),
    };
    let r = recusals(&people(4), &interests);
    assert_eq!(r.len(), 4);
    assert_eq!(r["p0"], RecusalReason::ProjectLead);
    assert_eq!(r["p1"], RecusalReason::ApplicantTeam);
    assert_eq!(r["p2"], RecusalReason::ApplicantOrganization);
    assert_eq!(r["p3"], RecusalReason::EmployedSocialWorker);
    assert!(!r.contains_key("p9"), "not among the people asked about");
    assert_eq!(
        RecusalReason::EmployedSocialWorker.zh(),
        "属申请方聘用的社工"
    );
}

/// One step of a meeting, as the chair and the representatives may take it in any order.
#[derive(Debug, Clone)]
enum Step {
    Attendance(Vec<bool>),
    Cast(usize, usize, usize),
    Join(usize),
    Paper(usize, u64, u64),
    Seal(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        proptest::collection::vec(any::<bool>(), 12).prop_map(Step::Attendance),
        (0usize..3, 0usize..14, 0usize..3).prop_map(|(m, p, c)| Step::Cast(m, p, c)),
        (0usize..12).prop_map(Step::Join),
        (0usize..3, 0u64..4, 0u64..4).prop_map(|(m, y, n)| Step::Paper(m, y, n)),
        (0usize..3).prop_map(Step::Seal),
    ]
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
        let present: Vec<String> = (0..size).filter(|i| present_mask[*i]).map(|i| format!("p{i}")).collect();
        let m = meeting(size, &present.iter().map(String::as_str).collect::<Vec<_>>());
        let interests = Interests {
            leads: (0..size).filter(|i| lead_mask[*i] && i % 7 == 0).map(|i| format!("p{i}")).collect(),
            team: (0..size).filter(|i| lead_mask[*i]).map(|i| format!("p{i}")).collect(),
            organization: (0..size).filter(|i| org_mask[*i]).map(|i| format!("p{i}")).collect(),
            employed: BTreeSet::new(),
        };
        let mut motion = Motion::default();
        let mut accepted: BTreeMap<String, Choice> = BTreeMap::new();
        for (who, c) in attempts {
            let person = format!("p{who}");
            let choice = Choice::ALL[c];
            if m.cast(&mut motion, &person, choice, interests.of(&person)).is_ok() {
                prop_assert!(roster.contains(&person));
                prop_assert!(m.present.contains(&person));
                prop_assert!(interests.of(&person).is_none());
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
        prop_assert_eq!(t.quorum_met, 2 * t.entitled > t.roster);
        prop_assert_eq!(t.passed, t.quorum_met && 2 * t.yes > t.entitled);
        let mut sealed_motion = motion.clone();
        match m.seal(&mut sealed_motion, &interests) {
            Ok((sealed, _)) => {
                prop_assert!(sealed.quorum_met);
                prop_assert_eq!((sealed.yes, sealed.no, sealed.abstain), (t.yes, t.no, t.abstain));
                for i in 0..size {
                    let person = format!("p{i}");
                    prop_assert!(m.cast(&mut sealed_motion, &person, Choice::Yes, None).is_err());
                }
                prop_assert_eq!(m.tally(&sealed_motion), sealed);
            }
            Err(e) => {
                prop_assert_eq!(code(Err::<(), _>(e)), "no_quorum");
                prop_assert_eq!(&sealed_motion, &motion, "a refused seal changes nothing");
            }
        }
    }

    /// No sequence of attendance changes, ballots, new interests, paper counts and seals lets a
    /// counted ballot disappear, a motion's attendance shrink, or a sealed result change; and a
    /// sealed meeting's attendance is refused.
    #[test]
    fn no_sequence_of_actions_bends_the_vote(
        size in 3usize..12,
        steps in proptest::collection::vec(step(), 0..80),
    ) {
        let mut m = Meeting::open(people(size), VoteRules::default()).unwrap();
        let mut motions = vec![Motion::default(), Motion::default(), Motion::default()];
        let mut interests = Interests::default();
        let mut sealed: Vec<Option<Tally>> = vec![None; 3];
        for s in steps {
            let before_m = m.clone();
            let before = motions.clone();
            let counted: Vec<BTreeMap<String, Choice>> = motions
                .iter()
                .map(|x| x.ballots.iter().filter(|(p, _)| m.entitled(x).contains(*p)).map(|(p, c)| (p.clone(), *c)).collect())
                .collect();
            match s {
                Step::Attendance(mask) => {
                    let wanted: BTreeSet<String> = (0..size).filter(|i| mask[*i]).map(|i| format!("p{i}")).collect();
                    match m.change_attendance(&motions, &wanted) {
                        Ok(change) => m.apply_attendance(&mut motions, &change),
                        Err(_) => {
                            prop_assert!(motions.iter().all(|x| x.sealed));
                            prop_assert_eq!(&m, &before_m);
                        }
                    }
                }
                Step::Cast(i, p, c) => {
                    let person = format!("p{p}");
                    let interest = interests.of(&person);
                    if m.cast(&mut motions[i], &person, Choice::ALL[c], interest).is_ok() {
                        prop_assert!(interest.is_none() && m.present_for(&motions[i]).contains(&person));
                    } else {
                        prop_assert_eq!(&motions[i].ballots, &before[i].ballots);
                    }
                }
                Step::Join(p) => {
                    interests.organization.insert(format!("p{p}"));
                }
                Step::Paper(i, y, n) => {
                    if m.enter_paper(&mut motions[i], &paper(y, n, 0), &interests).is_err() {
                        prop_assert_eq!(&motions[i], &before[i]);
                    }
                }
                Step::Seal(i) => {
                    match m.seal(&mut motions[i], &interests) {
                        Ok((t, _)) => {
                            prop_assert!(sealed[i].is_none());
                            sealed[i] = Some(t);
                        }
                        Err(_) => prop_assert_eq!(&motions[i], &before[i]),
                    }
                }
            }
            for (i, x) in motions.iter().enumerate() {
                // A motion's attendance only grows, and a counted ballot stays counted.
                if let Some(was) = &before[i].present {
                    prop_assert!(was.is_subset(x.present.as_ref().unwrap()));
                }
                let entitled = m.entitled(x);
                for (p, c) in &counted[i] {
                    prop_assert!(entitled.contains(p), "{} lost their counted ballot", p);
                    prop_assert_eq!(x.ballots.get(p), Some(c));
                }
                if let Some(t) = sealed[i] {
                    prop_assert!(x.sealed);
                    prop_assert_eq!(m.tally(x), t, "a sealed result changed");
                    prop_assert_eq!(x, &before[i].clone().sealed_or(x));
                }
                // Every ballot is of someone present for the motion.
                for p in x.ballots.keys() {
                    prop_assert!(x.present.as_ref().is_some_and(|s| s.contains(p)));
                }
            }
        }
    }
}

impl Motion {
    /// The motion as it was, if it was already sealed then (sealed motions never change);
    /// otherwise the motion as it is now.
    fn sealed_or(self, now: &Motion) -> Motion {
        if self.sealed {
            self
        } else {
            now.clone()
        }
    }
}
