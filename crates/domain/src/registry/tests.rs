//! Tests of the registry rules.

use super::*;
use crate::testing::holding as actor;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn form() -> OrganizationForm {
    OrganizationForm {
        name: "柏树街邻里互助会".into(),
        uscc: String::new(),
        registration_status: "filed".into(),
        category: "mutual_aid".into(),
        area: "341002002001".into(),
        ..Default::default()
    }
}

#[test]
fn only_a_managing_authority_may_import_organizations_or_social_workers() {
    for (role, orgs, workers) in [
        (Role::CountyBureau, true, true),
        (Role::CityBureau, false, true),
        (Role::TownshipOfficer, true, true),
        (Role::CommunityOfficer, true, false),
        (Role::Resident, false, false),
        (Role::OrganizationManager, false, false),
        (Role::Volunteer, false, false),
    ] {
        let a = actor(&[(role, "341002002001")]);
        assert_eq!(may_import(&a).is_ok(), orgs, "{role:?} organizations");
        assert_eq!(
            crate::social::may_import(&a).is_ok(),
            workers,
            "{role:?} workers"
        );
    }
}

fn fields(e: DomainError) -> Vec<String> {
    match e {
        DomainError::Invalid(f) => f.into_iter().map(|x| x.field).collect(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_filed_organization_needs_no_code() {
    let (o, w) = form().validate(today()).unwrap();
    assert_eq!(o.registration_status, RegistrationStatus::Filed);
    assert!(o.uscc.is_none() && w.is_empty());
}

#[test]
fn a_registered_organization_needs_a_valid_code() {
    let mut f = form();
    f.registration_status = "registered".into();
    assert_eq!(fields(f.validate(today()).unwrap_err()), vec!["uscc"]);
    f.uscc = "53100000500020462H".into();
    let e = f.validate(today()).unwrap_err();
    assert!(format!("{e:?}").contains("校验码错误"));
    f.uscc = "53100000500021676K".into();
    let (o, _) = f.validate(today()).unwrap();
    assert_eq!(o.legal_form, Some(LegalForm::Foundation));
}

#[test]
fn every_bad_field_is_reported_at_once() {
    let f = OrganizationForm {
        name: " ".into(),
        registration_status: "x".into(),
        category: "y".into(),
        area: "3410".into(),
        grade: "7".into(),
        grade_date: "2030-01-01".into(),
        ..Default::default()
    };
    let got = fields(f.validate(today()).unwrap_err());
    for want in [
        "name",
        "registration_status",
        "category",
        "area",
        "grade",
        "grade_date",
    ] {
        assert!(got.contains(&want.to_string()), "{want} in {got:?}");
    }
}

#[test]
fn a_grade_needs_its_date() {
    let mut f = form();
    f.grade = "4A".into();
    assert_eq!(fields(f.validate(today()).unwrap_err()), vec!["grade_date"]);
    f.grade_date = "2025-06-30".into();
    assert_eq!(f.validate(today()).unwrap().0.grade, Some(4));
}

#[test]
fn the_managing_authority_follows_the_status() {
    let (filed, _) = form().validate(today()).unwrap();
    let township = actor(&[(Role::TownshipOfficer, "341002002")]);
    let community = actor(&[(Role::CommunityOfficer, "341002002001")]);
    let county = actor(&[(Role::CountyBureau, "341002")]);
    let other_township = actor(&[(Role::TownshipOfficer, "341002001")]);
    assert!(can_create(&township, &filed).is_ok());
    assert_eq!(
        can_create(&community, &filed).unwrap_err().code,
        "not_managing_authority"
    );
    assert!(can_create(&county, &filed).is_err());
    assert!(can_create(&other_township, &filed).is_err());
    let mut cm = filed.clone();
    cm.registration_status = RegistrationStatus::CommunityManaged;
    assert!(can_create(&community, &cm).is_ok());
}

#[test]
fn only_the_higher_authority_changes_the_status() {
    let (filed, _) = form().validate(today()).unwrap();
    let mut registered = filed.clone();
    registered.registration_status = RegistrationStatus::Registered;
    registered.uscc = Some("51100000500009247D".into());
    let township = actor(&[(Role::TownshipOfficer, "341002002")]);
    let county = actor(&[(Role::CountyBureau, "341002")]);
    let e = can_edit(&township, &filed, &registered).unwrap_err();
    assert!(e.message.contains("区县民政局"), "{e:?}");
    assert_eq!(
        can_edit(&county, &filed, &registered),
        Ok(Role::CountyBureau)
    );
    assert_eq!(
        can_edit(&county, &registered, &filed),
        Ok(Role::CountyBureau)
    );
    assert!(can_edit(&township, &registered, &filed).is_err());
}

#[test]
fn an_edit_cannot_move_an_organization_out_of_reach() {
    let (filed, _) = form().validate(today()).unwrap();
    let mut moved = filed.clone();
    moved.area = AreaCode::parse("341021100201").unwrap();
    let township = actor(&[(Role::TownshipOfficer, "341002002")]);
    let county = actor(&[(Role::CountyBureau, "341002")]);
    assert!(can_edit(&township, &filed, &moved).is_err());
    assert!(can_edit(&county, &filed, &moved).is_err());
    let mut renamed = filed.clone();
    renamed.name = "新名".into();
    assert!(can_edit(&township, &filed, &renamed).is_ok());
    assert_eq!(can_edit(&county, &filed, &renamed), Ok(Role::CountyBureau));
}
