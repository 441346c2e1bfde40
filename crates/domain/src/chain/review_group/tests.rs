use super::*;
use proptest::prelude::*;

fn account(id: &str, orgs: &[&str]) -> Account {
    Account {
        user_id: id.into(),
        display_name: format!("账号{id}"),
        organizations: orgs.iter().map(|s| s.to_string()).collect(),
        committee: false,
    }
}

fn member(name: &str, category: Category, account: Option<Account>) -> Member {
    Member {
        name: name.into(),
        category,
        account,
        organization: None,
        chair: false,
    }
}

/// Five clean members: a representative, a resident, a department representative, an expert
/// (the chair, with an account) and a third party.
fn clean() -> Vec<Member> {
    let mut expert = member("专家甲", Category::Expert, Some(account("e1", &["uni"])));
    expert.chair = true;
    let mut third = member("评估员乙", Category::ThirdParty, None);
    third.organization = Some("黄山评估中心".into());
    vec![
        member(
            "代表丙",
            Category::Representatives,
            Some(account("r1", &[])),
        ),
        member("居民丁", Category::Residents, None),
        member("民政戊", Category::Department, None),
        expert,
        third,
    ]
}

fn interests() -> Interests {
    Interests {
        organization_id: "org".into(),
        organization_name: "屯溪区乐龄社工服务中心".into(),
        organization_accounts: ["mgr".to_string()].into(),
        employed_social_workers: names(["社工赵晴"]),
        team_volunteer_accounts: ["vol-acct".to_string()].into(),
        team_volunteer_names: names(["志愿者吴昊"]),
        team_social_workers: names(["社工钱红"]),
        recipient_accounts: ["served".to_string()].into(),
        recipient_names: names(["王奶奶"]),
    }
}

fn codes(r: Result<(), DomainError>) -> Vec<&'static str> {
    match r {
        Ok(()) => Vec::new(),
        Err(DomainError::Invalid(e)) => e.iter().map(|x| x.code).collect(),
        Err(other) => panic!("{other:?}"),
    }
}

#[test]
fn a_clean_group_of_five_with_an_expert_and_a_chair_is_accepted() {
    assert_eq!(
        codes(check_group(&clean(), &interests(), 5)),
        Vec::<&str>::new()
    );
}

#[test]
fn every_category_has_a_chinese_name_and_parses_back_and_unrecorded_is_never_chosen() {
    for c in Category::CHOSEN {
        assert_eq!(Category::parse(c.as_str()), Some(c));
        assert!(!c.zh().is_empty());
    }
    assert_eq!(Category::parse("unrecorded"), Some(Category::Unrecorded));
    assert!(!Category::CHOSEN.contains(&Category::Unrecorded));
    let f = GroupForm {
        members: vec![MemberForm {
            name: "某人".into(),
            category: "unrecorded".into(),
            login: "x".into(),
            chair: true,
            ..Default::default()
        }],
    };
    let DomainError::Invalid(e) = f.validate().unwrap_err() else {
        panic!()
    };
    assert_eq!(e[0].code, "invalid_category");
    assert!(e[0].message.contains("权威机构专家"));
}

#[test]
fn a_group_without_an_expert_or_third_party_is_refused() {
    let mut g = clean();
    g[3].category = Category::Residents;
    g[4].category = Category::Department;
    assert_eq!(codes(check_group(&g, &interests(), 5)), ["expert_required"]);
    // A third party alone is enough.
    let mut g = clean();
    g[3].category = Category::Residents;
    assert!(check_group(&g, &interests(), 5).is_ok());
}

#[test]
fn a_group_below_the_minimum_is_refused_with_the_count() {
    let g = clean();
    let r = check_group(&g[1..], &interests(), 5);
    let DomainError::Invalid(e) = r.unwrap_err() else {
        panic!()
    };
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].code, "panel_too_small");
    assert!(
        e[0].message.contains("至少 5 人，现有 4 人"),
        "{}",
        e[0].message
    );
    assert!(check_group(&g, &interests(), 6).is_err());
}

#[test]
fn an_account_of_the_organization_is_affiliated() {
    let mut g = clean();
    g[0].account = Some(account("r1", &["org"]));
    assert_eq!(
        codes(check_group(&g, &interests(), 5)),
        ["affiliated_member"]
    );
    let mut g = clean();
    g[0].account = Some(account("mgr", &[]));
    assert_eq!(
        codes(check_group(&g, &interests(), 5)),
        ["affiliated_member"]
    );
}

#[test]
fn a_third_party_member_from_the_evaluated_organization_is_affiliated() {
    let mut g = clean();
    g[4].organization = Some(" 屯溪区乐龄社工服务中心 ".into());
    assert_eq!(
        codes(check_group(&g, &interests(), 5)),
        ["affiliated_member"]
    );
}

#[test]
fn a_social_worker_the_organization_employs_is_recused_by_name() {
    let mut g = clean();
    g[1].name = " 社工赵晴 ".into();
    let r = check_group(&g, &interests(), 5);
    assert_eq!(codes(r.clone()), ["employed_social_worker"]);
    let DomainError::Invalid(e) = r.unwrap_err() else {
        panic!()
    };
    assert!(e[0].message.contains("聘用的社工") && e[0].message.contains("须回避"));
    assert_eq!(e[0].field, "members[1]");
}

#[test]
fn the_teams_volunteers_are_recused_by_account_and_by_name() {
    let mut g = clean();
    g[0].account = Some(account("vol-acct", &[]));
    assert_eq!(codes(check_group(&g, &interests(), 5)), ["team_volunteer"]);
    let mut g = clean();
    g[2].name = "志愿者吴昊".into();
    assert_eq!(codes(check_group(&g, &interests(), 5)), ["team_volunteer"]);
    // The account's display name counts too.
    let mut g = clean();
    g[0].account = Some(Account {
        display_name: "志愿者吴昊".into(),
        ..account("r1", &[])
    });
    assert_eq!(codes(check_group(&g, &interests(), 5)), ["team_volunteer"]);
}

#[test]
fn the_teams_social_workers_are_recused_by_name() {
    let mut g = clean();
    g[2].name = "社工钱红".into();
    assert_eq!(
        codes(check_group(&g, &interests(), 5)),
        ["team_social_worker"]
    );
}

#[test]
fn recipients_are_refused_by_account_and_by_name() {
    let mut g = clean();
    g[0].account = Some(account("served", &[]));
    let r = check_group(&g, &interests(), 5);
    assert_eq!(codes(r.clone()), ["beneficiary_member"]);
    assert!(format!("{r:?}").contains("按账号登记"));
    let mut g = clean();
    g[1].name = "王奶奶 ".into();
    let r = check_group(&g, &interests(), 5);
    assert_eq!(codes(r.clone()), ["beneficiary_member"]);
    assert!(format!("{r:?}").contains("按姓名登记"));
}

#[test]
fn a_person_is_named_once_by_name_or_by_account() {
    let mut g = clean();
    g.push(member("代表丙", Category::Residents, None));
    assert_eq!(
        codes(check_group(&g, &interests(), 5)),
        ["duplicate_member"]
    );
    let mut g = clean();
    g.push(member(
        "另一人",
        Category::Residents,
        Some(account("r1", &[])),
    ));
    assert_eq!(
        codes(check_group(&g, &interests(), 5)),
        ["duplicate_member"]
    );
}

#[test]
fn the_group_has_one_chair_with_an_account_who_is_not_of_the_committee() {
    let mut g = clean();
    g[3].chair = false;
    assert_eq!(codes(check_group(&g, &interests(), 5)), ["one_chair"]);
    let mut g = clean();
    g[0].chair = true;
    assert_eq!(codes(check_group(&g, &interests(), 5)), ["one_chair"]);
    let mut g = clean();
    g[3].chair = false;
    g[1].chair = true;
    assert_eq!(
        codes(check_group(&g, &interests(), 5)),
        ["chair_without_account"]
    );
    let mut g = clean();
    if let Some(a) = g[3].account.as_mut() {
        a.committee = true;
    }
    assert_eq!(codes(check_group(&g, &interests(), 5)), ["committee_chair"]);
}

#[test]
fn each_reason_is_named_at_once() {
    let mut g = clean();
    g[0].account = Some(account("served", &["org"]));
    g[1].name = "社工赵晴".into();
    g[3].category = Category::Residents;
    let got = codes(check_group(&g[..4], &interests(), 5));
    assert_eq!(
        got,
        [
            "affiliated_member",
            "beneficiary_member",
            "employed_social_worker",
            "expert_required",
            "panel_too_small"
        ]
    );
}

#[test]
fn the_form_checks_each_rows_shape_and_skips_blank_rows() {
    let row = |name: &str, category: &str, login: &str, chair: bool| MemberForm {
        name: name.into(),
        category: category.into(),
        login: login.into(),
        organization: String::new(),
        chair,
    };
    let f = GroupForm {
        members: vec![
            row("专家甲", "expert", "e1", true),
            MemberForm::default(),
            row("", "residents", "", false),
            row("评估员", "third_party", "", false),
            row("组长二", "department", "", true),
        ],
    };
    let DomainError::Invalid(e) = f.validate().unwrap_err() else {
        panic!()
    };
    let got: Vec<(&str, &str)> = e.iter().map(|x| (x.field.as_str(), x.code)).collect();
    assert_eq!(
        got,
        [
            ("members[2].name", "required"),
            ("members[3].organization", "required"),
            ("members[4].login", "chair_without_account"),
            ("chair", "one_chair"),
        ]
    );
    assert!(e[0].message.starts_with("第 3 行"));
    let ok = GroupForm {
        members: vec![
            row(" 专家甲 ", "expert", " e1 ", true),
            MemberForm::default(),
        ],
    }
    .validate()
    .unwrap();
    assert_eq!(ok.len(), 1);
    assert_eq!(
        (ok[0].name.as_str(), ok[0].login.as_deref(), ok[0].row),
        ("专家甲", Some("e1"), 0)
    );
}

#[test]
fn the_meeting_has_a_method_more_than_half_the_members_and_the_chair() {
    let today = NaiveDate::from_ymd_opt(2027, 3, 10).unwrap();
    let f = MeetingForm {
        method: "查阅台账、走访服务对象".into(),
        held_on: "2027-03-09".into(),
        place: "社区议事厅".into(),
        present: "1,2,4".into(),
    };
    let m = f.validate(5, Some(4), today).unwrap();
    assert_eq!(m.present, BTreeSet::from([1, 2, 4]));
    // Half is not more than half.
    let half = MeetingForm {
        present: "1,4".into(),
        ..f.clone()
    };
    let DomainError::Invalid(e) = half.validate(4, Some(4), today).unwrap_err() else {
        panic!()
    };
    assert_eq!(e[0].code, "quorum_not_met");
    assert!(e[0].message.contains("至少 3 人"), "{}", e[0].message);
    let no_chair = MeetingForm {
        present: "1,2,3".into(),
        ..f.clone()
    };
    let DomainError::Invalid(e) = no_chair.validate(5, Some(4), today).unwrap_err() else {
        panic!()
    };
    assert_eq!(e[0].code, "chair_absent");
    let bad = MeetingForm {
        method: "看".into(),
        held_on: "2027-03-11".into(),
        place: " ".into(),
        present: "1,9".into(),
    };
    let DomainError::Invalid(e) = bad.validate(5, Some(1), today).unwrap_err() else {
        panic!()
    };
    let got: Vec<&str> = e.iter().map(|x| x.code).collect();
    assert_eq!(
        got,
        ["required", "future_date", "required", "unknown_member"]
    );
}

#[test]
fn only_the_chair_records_the_meeting_and_signs_the_report() {
    assert!(may_sign_report("chair", Some("chair")).is_ok());
    assert!(may_record_meeting("chair", Some("chair")).is_ok());
    for (who, chair) in [
        ("committee", Some("chair")),
        ("member", Some("chair")),
        ("chair", None),
    ] {
        let d = may_sign_report(who, chair).unwrap_err();
        assert_eq!(d.code, "not_chair");
        assert!(d.message.contains("签署评议报告") && d.message.contains("组长"));
        assert_eq!(
            may_record_meeting(who, chair).unwrap_err().code,
            "not_chair"
        );
    }
}

#[test]
fn the_report_follows_the_meeting_and_the_present_members_scores() {
    let code = |r: Result<(), DomainError>| match r {
        Err(DomainError::Conflict { code, .. }) => code,
        other => panic!("{other:?}"),
    };
    assert_eq!(code(report_ready(false, 0, 0)), "meeting_before_report");
    assert_eq!(code(report_ready(false, 3, 3)), "meeting_before_report");
    assert_eq!(code(report_ready(true, 3, 2)), "scores_missing");
    assert!(report_ready(true, 3, 3).is_ok());
    assert!(report_ready(true, 0, 0).is_ok());
}

proptest! {
    /// A random group is accepted exactly when no member is affiliated, served, repeated or a
    /// committee chair, one chair with an account is named, an expert or third party sits on it,
    /// and it has the minimum.
    #[test]
    fn only_clean_groups_are_accepted(
        rows in proptest::collection::vec(
            (0usize..10, 0usize..5, proptest::option::of(0usize..8), any::<bool>(), any::<bool>()),
            0..10,
        ),
        minimum in 1usize..7,
    ) {
        // Names 0..10: 7 is an employed social worker, 8 a team volunteer, 9 a recipient.
        // Accounts 0..8: 5 is the organization's, 6 a team volunteer's, 7 a recipient's.
        let it = Interests {
            organization_id: "org".into(),
            organization_name: "被评议组织".into(),
            organization_accounts: ["a5".to_string()].into(),
            employed_social_workers: names(["n7"]),
            team_volunteer_accounts: ["a6".to_string()].into(),
            team_volunteer_names: names(["n8"]),
            team_social_workers: BTreeSet::new(),
            recipient_accounts: ["a7".to_string()].into(),
            recipient_names: names(["n9"]),
        };
        let group: Vec<Member> = rows
            .iter()
            .map(|(n, c, a, chair, committee)| Member {
                name: format!("n{n}"),
                category: Category::CHOSEN[*c],
                account: a.map(|a| Account {
                    user_id: format!("a{a}"),
                    display_name: format!("n{n}"),
                    organizations: BTreeSet::new(),
                    committee: *committee && a % 2 == 0,
                }),
                organization: None,
                chair: *chair,
            })
            .collect();
        let distinct_names: BTreeSet<&str> = group.iter().map(|m| m.name.as_str()).collect();
        let accounts: Vec<&str> = group.iter().filter_map(|m| m.account.as_ref()).map(|a| a.user_id.as_str()).collect();
        let distinct_accounts: BTreeSet<&str> = accounts.iter().copied().collect();
        let bad_member = group.iter().any(|m| {
            let acct = m.account.as_ref().map(|a| a.user_id.as_str());
            matches!(m.name.as_str(), "n7" | "n8" | "n9") || matches!(acct, Some("a5" | "a6" | "a7"))
        });
        let chairs: Vec<&Member> = group.iter().filter(|m| m.chair).collect();
        let chair_ok = chairs.len() == 1
            && chairs[0].account.as_ref().is_some_and(|a| !a.committee);
        let clean = !bad_member
            && distinct_names.len() == group.len()
            && distinct_accounts.len() == accounts.len()
            && chair_ok
            && group.iter().any(|m| m.category.is_expert())
            && group.len() >= minimum;
        prop_assert_eq!(check_group(&group, &it, minimum).is_ok(), clean);
    }
}
