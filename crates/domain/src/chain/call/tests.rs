//! Tests of the call rules.

use super::*;
use proptest::prelude::*;

fn form() -> CallForm {
    CallForm {
        kind: "venture".into(),
        area: "3410".into(),
        fund_id: "f1".into(),
        theme: "关爱一老一小".into(),
        groups: "special_elderly, children_in_difficulty".into(),
        requirements: "在本市登记的社会组织".into(),
        pool: "500000".into(),
        ceiling: "50000".into(),
        opens_on: "2027-03-01".into(),
        closes_on: "2027-04-30".into(),
        rubric: "需求契合度 30\n方案可行性 40\n团队与经验|20\n预算合理性：10".into(),
        ..CallForm::default()
    }
}

fn fen(f: i64) -> Money {
    Money::from_fen(f).unwrap()
}

fn codes(e: DomainError) -> Vec<&'static str> {
    match e {
        DomainError::Invalid(e) => e.iter().map(|x| x.code).collect(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_call_names_every_bad_field() {
    let c = form().validate().unwrap();
    assert_eq!(
        (
            c.pool_fen,
            c.ceiling_fen,
            c.groups.len(),
            c.rubric.len(),
            c.min_panel
        ),
        (fen(50_000_000), fen(5_000_000), 2, 4, 5)
    );
    assert_eq!(
        c.rubric[2],
        Criterion {
            name: "团队与经验".into(),
            max: 20
        }
    );
    let bad = CallForm {
        groups: "rich".into(),
        ceiling: "600000".into(),
        closes_on: "2027-02-01".into(),
        rubric: "需求契合度 30\n方案 60".into(),
        min_panel: "2".into(),
        ..form()
    };
    assert_eq!(
        codes(bad.validate().unwrap_err()),
        [
            "invalid_group",
            "over_pool",
            "period_order",
            "invalid_rubric",
            "invalid_panel_size"
        ]
    );
}

#[test]
fn each_kind_has_its_own_conditions() {
    let micro = CallForm {
        kind: "micro".into(),
        area: "341002002001".into(),
        pool: "60000".into(),
        ceiling: "30000".into(),
        ..form()
    };
    assert_eq!(codes(micro.validate().unwrap_err()), ["over_micro_ceiling"]);
    let micro_at_city = CallForm {
        kind: "micro".into(),
        ..form()
    };
    assert_eq!(
        codes(micro_at_city.validate().unwrap_err()),
        ["invalid_area", "over_micro_ceiling"]
    );
    let selection = CallForm {
        kind: "selection".into(),
        ..form()
    };
    assert_eq!(codes(selection.validate().unwrap_err()), ["required"]);
    let tender = CallForm {
        kind: "facility".into(),
        area: "341002002".into(),
        ..form()
    };
    assert_eq!(
        codes(tender.validate().unwrap_err()),
        ["required", "invalid_period"]
    );
    let tender = CallForm {
        facility: "柏树街社区养老服务站".into(),
        period_months: "24".into(),
        ..tender
    };
    assert_eq!(tender.validate().unwrap().period_months, 24);
}

#[test]
fn applications_stay_within_the_ceiling_and_the_calls_area() {
    let city = AreaCode::parse("3410").unwrap();
    let ok = CallApplicationForm {
        title: "长者食堂".into(),
        proposal: "为高龄独居老人提供午餐和探访服务".into(),
        amount: "50000".into(),
        community: "341002002001".into(),
        ..Default::default()
    };
    ok.validate(CallKind::Venture, &city, fen(5_000_000))
        .unwrap();
    let bad = CallApplicationForm {
        amount: "50000.01".into(),
        community: "110101001001".into(),
        ..ok.clone()
    };
    assert_eq!(
        codes(
            bad.validate(CallKind::Facility, &city, fen(5_000_000))
                .unwrap_err()
        ),
        ["required", "over_ceiling", "invalid_community"]
    );
}

#[test]
fn score_sheets_cover_every_application_within_full_marks() {
    let rubric = form().validate().unwrap().rubric;
    let apps = vec!["a".to_string(), "b".to_string()];
    let mut sheet = ScoreSheetForm::default();
    sheet.scores.insert("a".into(), vec![30, 40, 20, 10]);
    assert_eq!(
        codes(sheet.validate(&rubric, &apps).unwrap_err()),
        ["missing_score"]
    );
    sheet.scores.insert("b".into(), vec![31, 0, 0, 0]);
    sheet.scores.insert("z".into(), vec![0, 0, 0, 0]);
    assert_eq!(
        codes(sheet.validate(&rubric, &apps).unwrap_err()),
        ["over_max", "unknown_application"]
    );
    sheet.scores.remove("z");
    sheet.scores.insert("b".into(), vec![30, 0, 0]);
    assert_eq!(
        codes(sheet.validate(&rubric, &apps).unwrap_err()),
        ["criteria_count"]
    );
    sheet.scores.insert("b".into(), vec![0, 0, 0, 0]);
    assert!(sheet.validate(&rubric, &apps).is_ok());
}

#[test]
fn a_pool_comes_from_a_fund_above_that_covers_it_and_awards_end_when_spent() {
    let call = form().validate().unwrap();
    let city = AreaCode::parse("3410").unwrap();
    let county = AreaCode::parse("341002").unwrap();
    assert!(pool_from("福彩", &city, fen(50_000_000), &call).is_ok());
    assert_eq!(
        codes(pool_from("福彩", &city, fen(49_999_999), &call).unwrap_err()),
        ["insufficient_funds"]
    );
    assert_eq!(
        codes(pool_from("区资金", &county, fen(90_000_000), &call).unwrap_err()),
        ["fund_elsewhere"]
    );
    let (f1, f10, f99, f100) = (fen(1), fen(10), fen(99), fen(100));
    assert!(finished_after_award(CallKind::Facility, f1, f100, 1, 5));
    assert!(!finished_after_award(CallKind::Venture, f99, f100, 1, 5));
    assert!(finished_after_award(CallKind::Micro, f100, f100, 1, 5));
    assert!(finished_after_award(CallKind::Venture, f10, f100, 5, 5));
}

#[test]
fn awards_follow_the_ranking_and_a_tender_has_one() {
    let ranking: Vec<String> = ["x", "y", "z"].map(String::from).to_vec();
    let conflict = |r: Result<usize, DomainError>| match r {
        Err(DomainError::Conflict { code, .. }) => code,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        award_in_order(CallKind::Venture, &ranking, &[], "x", "综合得分第一").unwrap(),
        1
    );
    assert_eq!(
        conflict(award_in_order(
            CallKind::Venture,
            &ranking,
            &[],
            "y",
            "综合得分第二"
        )),
        "out_of_order"
    );
    let done = vec!["x".to_string()];
    assert_eq!(
        award_in_order(CallKind::Venture, &ranking, &done, "y", "综合得分第二").unwrap(),
        2
    );
    assert_eq!(
        conflict(award_in_order(
            CallKind::Facility,
            &ranking,
            &done,
            "y",
            "综合得分第二"
        )),
        "already_awarded"
    );
    assert!(matches!(
        award_in_order(CallKind::Selection, &ranking, &[], "x", "好"),
        Err(DomainError::Invalid(_))
    ));
}

proptest! {
    /// Whatever awards are asked for, in any order, the sum granted never exceeds the pool
    /// and none exceeds the ceiling.
    #[test]
    fn awards_never_exceed_the_pool(asks in proptest::collection::vec(1i64..80_000, 0..40), pool in 1i64..500_000, ceiling in 1i64..60_000) {
        let mut remaining = fen(pool);
        let mut granted = 0;
        for a in asks {
            if let Ok(r) = award(remaining, fen(ceiling), fen(a)) {
                prop_assert!(a <= ceiling);
                granted += a;
                remaining = r;
            }
        }
        prop_assert!(granted <= pool);
        prop_assert_eq!(remaining.fen(), pool - granted);
    }
}
