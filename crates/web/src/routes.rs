//! The one table of routes. The router, the OpenAPI document and the territory test are all built
//! from it, so a route added here is served, documented and checked at once.

use crate::answer::{Awarded, Created, Issued, Items, Paid, SavedVersion};
use crate::auth::Lang;
use crate::error::{problem, render_error_page};
use crate::identity::{account, session, users};
use crate::route_spec::r;
// What a route is lives in its own module, which the OpenAPI document reads too; the table's
// readers (the tests, the document) still find it here.
use crate::chain::{
    application, call, catalogue, consultation, contract, delivery, erratum, evaluation, need,
    purchase, vote,
};
pub use crate::route_spec::{Access, RouteSpec, SchemaFn, Success};
use crate::{
    areas, assets, audit, correction, home, people, public, registry, social, talent, volunteer,
    AppState,
};
use app::chain::application::{Comparison, ProjectDetail, ProjectList};
use app::chain::call::{CallList, CallView};
use app::chain::catalogue::{CatalogueView, ItemDetail};
use app::chain::consultation::{ConsultationDetail, ConsultationList};
use app::chain::erratum::ErratumReceipt;
use app::chain::need::{NeedBoard, NeedDetail};
use app::chain::purchase::FundList;
use app::chain::vote::{VoteList, VoteMeetingDetail};
use app::identity::CreatedToken;
use app::org_transfer::ImportSummary;
use app::people_transfer::PeopleImportSummary;
use app::public::{PublicArea, PublicProjectDetail};
use app::record_transfer::RecordImportSummary;
use app::registry::{OrgDetail, Saved};
use app::social::{PlatformDetail, SocialWorkerDetail};
use app::talent::{TalentDetail, TalentList};
use app::versioned::Edited;
use app::volunteer::{AccountChoice, UnitChoice, VerifiedCertificate, VolunteerDetail};
use app::worklist::Work;
use axum::http::{Method, StatusCode};
use axum::response::Response;
use axum::routing::{delete, get, post, put};
use axum::Router;
use domain::chain::vote::Tally;
use store::chain::need::NeedRow;
use store::identity::TokenRow;
use store::social::SocialWorkerRow;
use store::versions::VersionRow;
use store::volunteer::VolunteerRow;

pub fn route_table() -> Vec<RouteSpec> {
    use Access::*;
    let (g, p, d) = (Method::GET, Method::POST, Method::DELETE);
    vec![
        r(g.clone(), "/healthz", Public, "Liveness", get(assets::healthz)),
        r(g.clone(), "/readyz", Public, "Readiness (database answers)", get(assets::readyz)),
        r(g.clone(), "/assets/{*file}", Public, "Static assets and licences", get(assets::asset)),
        r(g.clone(), "/api/openapi.json", Public, "OpenAPI 3.1 description", get(assets::openapi)),
        r(g.clone(), "/login", Public, "Login page", get(session::login_form)),
        r(p.clone(), "/login", Public, "Log in", post(session::login_submit)),
        r(g.clone(), "/lang/{lang}", Public, "Choose the language", get(session::set_lang)),
        r(g.clone(), "/display/large", Public, "Large-text mode", get(session::set_large)),
        r(p.clone(), "/logout", Signed, "Log out", post(session::logout)),
        r(g.clone(), "/", Signed, "Home page", get(home::home)),
        r(g.clone(), "/areas", Signed, "Provinces", get(areas::areas_root)),
        r(g.clone(), "/areas/search", Signed, "Search areas", get(areas::search)),
        r(g.clone(), "/areas/{code}", Signed, "An area and its children", get(areas::area)),
        r(g.clone(), "/account", Signed, "My account", get(account::account)),
        r(p.clone(), "/account/password", Signed, "Change my password", post(account::change_password)),
        r(p.clone(), "/account/tokens", Signed, "Create an API token", post(account::create_token)),
        r(p.clone(), "/account/tokens/{token_id}/revoke", Signed, "Revoke an API token", post(account::revoke_token)),
        r(g.clone(), "/admin/users", Signed, "Accounts", get(users::users)),
        r(p.clone(), "/admin/users", Signed, "Create an account", post(users::create_user)),
        r(g.clone(), "/admin/users/{user_id}", Signed, "An account", get(users::user)),
        r(p.clone(), "/admin/users/{user_id}/roles", Signed, "Assign a role", post(users::assign_role)),
        r(p.clone(), "/admin/users/{user_id}/roles/{assignment_id}/remove", Signed, "Remove a role", post(users::remove_role)),
        r(p.clone(), "/admin/users/{user_id}/password-reset", Signed, "Reset an account's password", post(users::reset_password)),
        r(p.clone(), "/admin/users/{user_id}/unlock", Signed, "Lift an account's login locks", post(users::unlock)),
        r(p.clone(), "/admin/users/{user_id}/disable", Signed, "Disable an account", post(users::disable)),
        r(p.clone(), "/admin/users/{user_id}/enable", Signed, "Enable an account again", post(users::enable)),
        r(g.clone(), "/audit", Signed, "Audit log", get(audit::audit)),
        r(g.clone(), "/organizations", Signed, "Organization ledger", get(registry::ledger::list)),
        r(g.clone(), "/organizations/template.xlsx", Signed, "Import template (Excel)", get(registry::transfer::template_xlsx)),
        r(g.clone(), "/organizations/template.csv", Signed, "Import template (CSV)", get(registry::transfer::template_csv)),
        r(g.clone(), "/organizations/import", Signed, "Import form", get(registry::transfer::import_form)),
        r(p.clone(), "/organizations/import", Signed, "Import organizations (multipart file)", post(registry::transfer::import)),
        r(g.clone(), "/organizations/export", Signed, "Export the filtered ledger (format=csv|gb18030|xlsx)", get(registry::transfer::export)),
        r(g.clone(), "/organizations/new", Signed, "Form to record an organization", get(registry::organization::new_form)),
        r(p.clone(), "/organizations", Signed, "Record an organization", post(registry::organization::create)),
        r(g.clone(), "/organizations/{org_id}", Signed, "An organization with its history", get(registry::organization::detail)),
        r(g.clone(), "/organizations/{org_id}/edit", Signed, "Form to edit an organization", get(registry::organization::edit_form)),
        r(p.clone(), "/organizations/{org_id}", Signed, "Save an organization (optimistic locking)", post(registry::organization::update)),
        r(p.clone(), "/organizations/{org_id}/incubations", Signed, "Record an incubation period", post(registry::organization::add_incubation)),
        r(p.clone(), "/organizations/{org_id}/disclosures", Signed, "File a disclosure entry or report", post(registry::organization::add_disclosure)),
        r(g.clone(), "/platforms", Signed, "Social-work platforms and the staffing standard", get(social::platforms)),
        r(p.clone(), "/platforms", Signed, "Create a platform", post(social::create_platform)),
        r(g.clone(), "/platforms/{platform_id}", Signed, "A platform with its posts", get(social::platform)),
        r(p.clone(), "/platforms/{platform_id}/posts", Signed, "Assign a professional post", post(social::add_post)),
        r(g.clone(), "/social-workers", Signed, "Social workers", get(social::workers)),
        r(p.clone(), "/social-workers", Signed, "Record a social worker", post(social::create_worker)),
        r(g.clone(), "/social-workers/import", Signed, "Import form for social workers", get(people::worker_import_form)),
        r(p.clone(), "/social-workers/import", Signed, "Import social workers (multipart file)", post(people::import_workers)),
        r(g.clone(), "/social-workers/template.xlsx", Signed, "Social-worker import template (Excel)", get(people::worker_template_xlsx)),
        r(g.clone(), "/social-workers/template.csv", Signed, "Social-worker import template (CSV)", get(people::worker_template_csv)),
        r(g.clone(), "/social-workers/export", Signed, "Export social workers, identity numbers masked (format=csv|gb18030|xlsx)", get(people::export_workers)),
        r(g.clone(), "/social-workers/{worker_id}", Signed, "A social worker", get(social::worker)),
        r(p.clone(), "/social-workers/{worker_id}/trainings", Signed, "Record a training", post(social::add_training)),
        r(g.clone(), "/talents", Signed, "\"1+4\" talent with the backbone pool's training coverage", get(talent::talents)),
        r(p.clone(), "/talents", Signed, "Record a talent", post(talent::create_talent)),
        r(g.clone(), "/talents/{talent_id}", Signed, "A talent with their trainings", get(talent::talent)),
        r(p.clone(), "/talents/{talent_id}/trainings", Signed, "Record a talent's training", post(talent::add_training)),
        r(p.clone(), "/talents/{talent_id}/backbone", Signed, "Enter or leave the backbone-talent pool", post(talent::set_backbone)),
        r(g.clone(), "/social-workers/{worker_id}/edit", Signed, "Form to correct a social worker (on the version read)", get(correction::social::edit_worker)),
        r(p.clone(), "/social-workers/{worker_id}", Signed, "Save a social worker (optimistic locking)", post(correction::social::update_worker)),
        r(p.clone(), "/social-workers/{worker_id}/employment-end", Signed, "End a social worker's employment on a date (confirmed)", post(correction::social::end_employment)),
        r(g.clone(), "/platforms/{platform_id}/edit", Signed, "Form to correct a platform", get(correction::social::edit_platform)),
        r(p.clone(), "/platforms/{platform_id}", Signed, "Save a platform (optimistic locking)", post(correction::social::update_platform)),
        r(g.clone(), "/posts/{post_id}/edit", Signed, "Form to correct a post's title and period", get(correction::social::edit_post)),
        r(p.clone(), "/posts/{post_id}", Signed, "Save a post (optimistic locking)", post(correction::social::update_post)),
        r(p.clone(), "/posts/{post_id}/end", Signed, "End a post on a date (confirmed)", post(correction::social::end_post)),
        r(g.clone(), "/talents/{talent_id}/edit", Signed, "Form to correct a talent", get(correction::people::edit_talent)),
        r(p.clone(), "/talents/{talent_id}", Signed, "Save a talent (optimistic locking)", post(correction::people::update_talent)),
        r(g.clone(), "/volunteers/{volunteer_id}/edit", Signed, "Form to correct a volunteer's registration", get(correction::people::edit_volunteer)),
        r(p.clone(), "/volunteers/{volunteer_id}", Signed, "Save a volunteer (optimistic locking)", post(correction::people::update_volunteer)),
        r(p.clone(), "/organizations/{org_id}/incubations/{incubation_id}/end", Signed, "End an incubation period on a date (confirmed)", post(correction::people::end_incubation)),
        r(g.clone(), "/needs", Signed, "The ranked needs board of my territory, with the form to raise a need", get(need::needs)),
        r(p.clone(), "/needs", Signed, "Raise a need", post(need::raise_need)),
        r(g.clone(), "/needs/{need_id}", Signed, "A need, with support and merge", get(need::need)),
        r(p.clone(), "/needs/{need_id}/support", Signed, "Support a need (once per resident)", post(need::support)),
        r(p.clone(), "/needs/{need_id}/merge", Signed, "Merge this need into another of its community", post(need::merge)),
        r(g.clone(), "/catalogue", Signed, "The catalogue of transferable service items of my territory, with the form to add one", get(catalogue::catalogue)),
        r(p.clone(), "/catalogue", Signed, "Add an item to a community's catalogue (community officer)", post(catalogue::propose)),
        r(g.clone(), "/catalogue/{item_id}", Signed, "An item with its eligibilities", get(catalogue::item)),
        r(p.clone(), "/catalogue/{item_id}/review", Signed, "Approve or return an item (township)", post(catalogue::review)),
        r(p.clone(), "/catalogue/{item_id}/eligibilities", Signed, "Apply for undertaking eligibility (organization manager)", post(catalogue::apply)),
        r(p.clone(), "/eligibilities/{eligibility_id}/decision", Signed, "Decide an eligibility (township)", post(catalogue::decide)),
        r(g.clone(), "/projects", Signed, "Service projects of my territory, newest first, a page at a time (filters: stage; after, limit)", get(application::projects)),
        r(p.clone(), "/projects", Signed, "Write an application on an approved eligibility (organization manager)", post(application::create)),
        r(g.clone(), "/projects/new", Signed, "The application form for an eligibility (?eligibility=)", get(application::new_form)),
        r(g.clone(), "/projects/{project_id}", Signed, "A project: its current application, team, needs and versions", get(application::project)),
        r(g.clone(), "/projects/{project_id}/revise", Signed, "The form to revise the application (a new version)", get(application::revise_form)),
        r(p.clone(), "/projects/{project_id}/versions", Signed, "Save a new version of the application", post(application::revise)),
        r(p.clone(), "/projects/{project_id}/submit", Signed, "Submit the application for consultation", post(application::submit)),
        r(g.clone(), "/projects/{project_id}/compare", Signed, "Two versions side by side (a, b)", get(application::compare)),
        r(g.clone(), "/consultations", Signed, "Consultation meetings of my territory, with the form to convene one", get(consultation::consultations)),
        r(p.clone(), "/consultations", Signed, "Convene a consultation meeting on submitted applications (community committee)", post(consultation::convene)),
        r(g.clone(), "/consultations/{consultation_id}", Signed, "A consultation meeting: agenda, attendance, comments, minutes", get(consultation::consultation)),
        r(p.clone(), "/consultations/{consultation_id}/attendees", Signed, "Record an attendee (until the minutes are frozen)", post(consultation::attend)),
        r(p.clone(), "/consultations/{consultation_id}/comments", Signed, "Record a comment on an application (until the minutes are frozen)", post(consultation::comment)),
        r(p.clone(), "/consultations/{consultation_id}/freeze", Signed, "Sign and freeze the minutes", post(consultation::freeze)),
        r(p.clone(), "/consultations/{consultation_id}/errata", Signed, "Append a correction to the signed minutes (whoever signed them; the minutes never change)", post(consultation::correct)),
        r(g.clone(), "/funds", Signed, "Funds of my territory with balances, and the form to record one", get(purchase::funds)),
        r(p.clone(), "/funds", Signed, "Record a fund (township, county or city)", post(purchase::create)),
        r(g.clone(), "/calls", Signed, "Calls (selections, venture and micro calls, facility tenders) of and around my territory, with the form to open one", get(call::calls)),
        r(p.clone(), "/calls", Signed, "Open a call; its pool is drawn from a fund (organizer)", post(call::create)),
        r(g.clone(), "/calls/{call_id}", Signed, "A call: terms, rubric, applications, panel, ranking, awards", get(call::call)),
        r(p.clone(), "/calls/{call_id}/applications", Signed, "Apply (or bid) before the deadline (organization manager)", post(call::apply)),
        r(p.clone(), "/calls/{call_id}/rubric", Signed, "Revise the rubric until the panel forms (organizer)", post(call::rubric)),
        r(p.clone(), "/calls/{call_id}/panel", Signed, "Form the panel after the deadline (recusal rules; organizer)", post(call::panel)),
        r(p.clone(), "/calls/{call_id}/scores", Signed, "Submit a score sheet (panel member, once; the last seals)", post(call::score)),
        r(p.clone(), "/calls/{call_id}/awards", Signed, "Award the best applicant not yet awarded, with reasons (organizer)", post(call::award)),
        r(p.clone(), "/calls/{call_id}/close", Signed, "End the awards; the rest of the pool returns to the fund (organizer)", post(call::close)),
        r(p.clone(), "/projects/{project_id}/purchase", Signed, "The township's purchase decision (buy from a fund, or decline, with reasons)", post(purchase::decide)),
        r(p.clone(), "/projects/{project_id}/contract", Signed, "Record the signed purchase contract with its payment tranches (township)", post(contract::sign)),
        r(p.clone(), "/projects/{project_id}/activities", Signed, "Record an activity (organization; volunteers' hours become service records)", post(delivery::activity)),
        r(p.clone(), "/projects/{project_id}/notes", Signed, "Record a coordination meeting, supervision session, major-activity report or progress", post(delivery::note)),
        r(p.clone(), "/projects/{project_id}/self-evaluation", Signed, "Submit the self-evaluation (organization)", post(evaluation::self_evaluation)),
        r(p.clone(), "/projects/{project_id}/panel", Signed, "Convene the review group (the community committee of the project's community, never the purchaser; categories, recusal, an expert, a chair)", post(evaluation::panel)),
        r(p.clone(), "/projects/{project_id}/meeting", Signed, "Record the review group's method and review meeting (the group's chair)", post(evaluation::meeting)),
        r(p.clone(), "/projects/{project_id}/scores", Signed, "Score the rubric (a member of the review group with an account, once)", post(evaluation::score)),
        r(p.clone(), "/projects/{project_id}/midterm-review", Signed, "Record the mid-term review with the supervisor (the community committee, while delivering; the mid-term tranche waits for it)", post(evaluation::midterm)),
        r(p.clone(), "/projects/{project_id}/conditions-met", Signed, "Record each condition of a conditional pass as met (the review group's chair; the final tranche waits for it)", post(evaluation::conditions_met)),
        r(p.clone(), "/projects/{project_id}/errata", Signed, "Append a correction to a signed record of the project: vote minutes, contract (either party), review report, self-evaluation", post(erratum::correct)),
        r(p.clone(), "/projects/{project_id}/errata/{erratum_id}/agree", Signed, "The contract's other party agrees to its correction, which then takes effect", post(erratum::agree)),
        r(p.clone(), "/projects/{project_id}/verdict", Signed, "Sign the written report with the verdict (the group's chair, after the meeting)", post(evaluation::verdict)),
        r(p.clone(), "/projects/{project_id}/tranches/{seq}/payment", Signed, "Record a tranche as paid (township; the final one after acceptance)", post(evaluation::pay)),
        r(g.clone(), "/votes", Signed, "Representatives' meetings of my territory, with the form to open one", get(vote::votes)),
        r(p.clone(), "/votes", Signed, "Open a representatives' meeting on consulted applications (fixes roster and rules)", post(vote::open)),
        r(g.clone(), "/votes/{vote_id}", Signed, "A representatives' meeting: roster, attendance, motions, ballots and sealed results", get(vote::vote)),
        r(p.clone(), "/votes/{vote_id}/attendance", Signed, "Record who is present (the chair)", post(vote::attendance)),
        r(p.clone(), "/votes/{vote_id}/motions/{project_id}/ballots", Signed, "Cast my ballot on one application (once)", post(vote::cast)),
        r(p.clone(), "/votes/{vote_id}/motions/{project_id}/paper", Signed, "Enter a signed paper count (the chair)", post(vote::paper)),
        r(p.clone(), "/votes/{vote_id}/motions/{project_id}/seal", Signed, "Seal and announce the result (the chair; needs a quorum)", post(vote::seal)),
        r(g.clone(), "/volunteers", Signed, "Volunteers", get(volunteer::list)),
        r(g.clone(), "/volunteers/roster/import", Signed, "Import form for the volunteer roster", get(people::volunteer_import_form)),
        r(p.clone(), "/volunteers/roster/import", Signed, "Import volunteers (multipart file)", post(people::import_volunteers)),
        r(g.clone(), "/volunteers/roster/template.xlsx", Signed, "Volunteer roster template (Excel)", get(people::volunteer_template_xlsx)),
        r(g.clone(), "/volunteers/roster/template.csv", Signed, "Volunteer roster template (CSV)", get(people::volunteer_template_csv)),
        r(g.clone(), "/volunteers/records-export", Signed, "Export the service records of the volunteers in my territory (format=csv|gb18030|xlsx)", get(people::export_records)),
        r(g.clone(), "/volunteers/export", Signed, "Export the volunteer roster with totals (format=csv|gb18030|xlsx)", get(people::export_volunteers)),
        r(g.clone(), "/volunteers/import", Signed, "Import form for service records", get(volunteer::import_form)),
        r(p.clone(), "/volunteers/import", Signed, "Import service records (multipart file)", post(volunteer::import)),
        r(g.clone(), "/volunteers/records-template.csv", Signed, "Service-record import template", get(volunteer::records_template)),
        r(g.clone(), "/volunteers/records-template.xlsx", Signed, "Service-record import template (Excel: the header row and one example row)", get(volunteer::records_template_xlsx)),
        r(g.clone(), "/volunteers/new", Signed, "Form to register a volunteer", get(volunteer::new_form)),
        r(p.clone(), "/volunteers", Signed, "Register a volunteer (with consent)", post(volunteer::create)),
        r(g.clone(), "/volunteers/{volunteer_id}", Signed, "A volunteer with totals and records", get(volunteer::detail)),
        r(p.clone(), "/volunteers/{volunteer_id}/records", Signed, "Record service hours", post(volunteer::add_record)),
        r(p.clone(), "/records/{record_id}/correction", Signed, "Ask for a correction (the volunteer)", post(volunteer::request_correction)),
        r(p.clone(), "/records/{record_id}/decision", Signed, "Accept or reject a correction (the unit)", post(volunteer::decide)),
        r(p.clone(), "/volunteers/{volunteer_id}/account", Signed, "Link the volunteer to an account picked from the search on their page (the unit)", post(volunteer::link)),
        r(p.clone(), "/records/{record_id}/confirm", Signed, "Confirm a record the volunteer entered alone (its recording unit)", post(volunteer::confirm)),
        r(p.clone(), "/volunteers/{volunteer_id}/certificates", Signed, "Issue a certificate", post(volunteer::issue_certificate)),
        r(g.clone(), "/volunteers/{volunteer_id}/certificates/{cert_code}", Signed, "A printable certificate", get(volunteer::certificate)),
        r(g.clone(), "/verify", Public, "Public certificate verification", get(volunteer::verify)),
        r(g.clone(), "/public", Public, "The public site: the provinces", get(public::home)),
        r(g.clone(), "/public/areas/{code}", Public, "The public page of an area: sub-areas; projects (townships, communities) with stage, money, votes and verdicts; needs and organizations (communities)", get(public::area)),
        r(g.clone(), "/public/projects/{project_id}", Public, "A project's public facts", get(public::project)),
        r(g.clone(), "/public/calls/{call_id}", Public, "A call's public terms and, once sealed, its ranking and awards", get(public::call)),
        r(g.clone(), "/api/v1/me", Signed, "The signed-in account and its roles", get(account::api_me)).ok::<account::Me>(),
        r(g.clone(), "/api/v1/areas", Signed, "Search areas in my territory (?q=)", get(areas::api_search)).ok::<areas::AreaSearch>(),
        r(g.clone(), "/api/v1/areas/{code}", Signed, "An area with its path and visible children (`nation` for the root)", get(areas::api_area)).ok::<areas::AreaPage>(),
        r(g.clone(), "/api/v1/areas/{code}/children", Signed, "Visible children of an area, with their own child counts", get(areas::api_children)).ok::<Items<areas::ChildJson>>(),
        r(g.clone(), "/api/v1/users", Signed, "Accounts I administer, by login, a page at a time (q: login or display name; after, limit)", get(users::api_users)).ok::<app::page::Page<users::UserJson>>(),
        r(p.clone(), "/api/v1/users", Signed, "Create an account with its first role", post(users::api_create_user)).body("UserForm").created::<Created>(),
        r(g.clone(), "/api/v1/users/{user_id}", Signed, "An account and its roles", get(users::api_user)).ok::<users::UserJson>(),
        r(p.clone(), "/api/v1/users/{user_id}/roles", Signed, "Assign a role", post(users::api_assign_role)).body("RoleForm").created::<Created>(),
        r(d.clone(), "/api/v1/users/{user_id}/roles/{assignment_id}", Signed, "Remove a role", delete(users::api_remove_role)).no_content(),
        r(p.clone(), "/api/v1/users/{user_id}/password-reset", Signed, "Reset an account's password: a temporary one, shown once, to be changed at the next sign-in", post(users::api_reset_password)).ok::<users::ResetJson>(),
        r(p.clone(), "/api/v1/users/{user_id}/unlock", Signed, "Lift an account's login locks", post(users::api_unlock)).ok::<users::UnlockJson>(),
        r(p.clone(), "/api/v1/users/{user_id}/disable", Signed, "Disable an account: its sessions end and its tokens are revoked at once", post(users::api_disable)).no_content(),
        r(p.clone(), "/api/v1/users/{user_id}/enable", Signed, "Enable a disabled account again", post(users::api_enable)).no_content(),
        r(g.clone(), "/api/v1/tokens", Signed, "My API tokens", get(account::api_tokens)).ok::<Items<TokenRow>>(),
        r(p.clone(), "/api/v1/tokens", Signed, "Create an API token (the secret is returned once)", post(account::api_create_token)).body("TokenForm").created::<CreatedToken>(),
        r(d.clone(), "/api/v1/tokens/{token_id}", Signed, "Revoke an API token", delete(account::api_revoke_token)).no_content(),
        r(p.clone(), "/api/v1/account/password", Signed, "Change my password", post(account::api_change_password)).body("PasswordForm").no_content(),
        r(g.clone(), "/api/v1/organizations", Signed, "Organizations in my territory (filters: q, area, category, status, grade, hub, brand, incubated, after, limit)", get(registry::ledger::api_list)).ok::<app::page::Page<store::registry::OrgRow>>(),
        r(p.clone(), "/api/v1/organizations", Signed, "Record an organization", post(registry::organization::api_create)).body("OrganizationForm").created::<Saved>(),
        r(p.clone(), "/api/v1/organizations/import", Signed, "Import organizations: the body is the CSV or .xlsx file (?filename=); all rows or none", post(registry::transfer::api_import)).ok::<ImportSummary>(),
        r(g.clone(), "/api/v1/organizations/export", Signed, "Export the filtered ledger as a stream (format=csv|gb18030|xlsx)", get(registry::transfer::api_export)).export(),
        r(g.clone(), "/api/v1/organizations/{org_id}", Signed, "An organization with versions, incubations and disclosures", get(registry::organization::api_detail)).ok::<OrgDetail>(),
        r(Method::PUT, "/api/v1/organizations/{org_id}", Signed, "Save an organization; `version` must be the one you read (409 stale_version otherwise)", put(registry::organization::api_update)).body("OrganizationEdit").ok::<Saved>(),
        r(p.clone(), "/api/v1/organizations/{org_id}/incubations", Signed, "Record an incubation period (managing authority)", post(registry::organization::api_add_incubation)).body("IncubationForm").created::<Created>(),
        r(p.clone(), "/api/v1/organizations/{org_id}/disclosures", Signed, "File a disclosure or report (the organization's manager or its authority)", post(registry::organization::api_add_disclosure)).body("DisclosureForm").created::<Created>(),
        r(g.clone(), "/api/v1/platforms", Signed, "Platforms in my territory, with the staffing standard, a page at a time (after, limit)", get(social::api_platforms)).ok::<social::Platforms>(),
        r(p.clone(), "/api/v1/platforms", Signed, "Create a platform", post(social::api_create_platform)).body("PlatformForm").created::<Created>(),
        r(g.clone(), "/api/v1/platforms/{platform_id}", Signed, "A platform, its posts, versions and its staffing against the standard on a day (on=YYYY-MM-DD, today by default)", get(social::api_platform)).ok::<PlatformDetail>(),
        r(p.clone(), "/api/v1/platforms/{platform_id}/posts", Signed, "Assign a professional post", post(social::api_add_post)).body("PostForm").created::<Created>(),
        r(g.clone(), "/api/v1/social-workers", Signed, "Social workers (identity numbers masked), by name, a page at a time (q, after, limit)", get(social::api_workers)).ok::<app::page::Page<SocialWorkerRow>>(),
        r(p.clone(), "/api/v1/social-workers", Signed, "Record a social worker (identity number encrypted at rest)", post(social::api_create_worker)).body("SocialWorkerForm").created::<Created>(),
        r(g.clone(), "/api/v1/social-workers/{worker_id}", Signed, "A social worker with posts, trainings, versions and allowance eligibility on a day (on=YYYY-MM-DD, today by default)", get(social::api_worker)).ok::<SocialWorkerDetail>(),
        r(p.clone(), "/api/v1/social-workers/{worker_id}/trainings", Signed, "Record a training", post(social::api_add_training)).body("TrainingForm").created::<Created>(),
        r(g.clone(), "/api/v1/talents", Signed, "Talent in my territory (filters: q, category, backbone, untrained), counts per category and pool coverage; a page at a time (after, limit)", get(talent::api_talents)).ok::<TalentList>(),
        r(p.clone(), "/api/v1/talents", Signed, "Record a talent", post(talent::api_create_talent)).body("TalentForm").created::<Created>(),
        r(g.clone(), "/api/v1/talents/{talent_id}", Signed, "A talent with their trainings", get(talent::api_talent)).ok::<TalentDetail>(),
        r(p.clone(), "/api/v1/talents/{talent_id}/trainings", Signed, "Record a talent's training", post(talent::api_add_training)).body("TrainingForm").created::<Created>(),
        r(Method::PUT, "/api/v1/talents/{talent_id}/backbone", Signed, "Enter (backbone=true) or leave the backbone-talent pool", put(talent::api_set_backbone)).body("BackboneForm").ok::<TalentDetail>(),
        r(Method::PUT, "/api/v1/social-workers/{worker_id}", Signed, "Correct a social worker; `version` must be the one you read (409 stale_version otherwise); a blank id_number keeps the stored one", put(correction::social::api_update_worker)).body("SocialWorkerEdit").ok::<Edited>(),
        r(g.clone(), "/api/v1/social-workers/{worker_id}/versions", Signed, "A social worker's saved versions, newest first (identity numbers masked)", get(correction::social::api_worker_versions)).ok::<Items<VersionRow>>(),
        r(p.clone(), "/api/v1/social-workers/{worker_id}/employment-end", Signed, "End a social worker's employment on a date (422 before_start: before their latest post began)", post(correction::social::api_end_employment)).body("EndForm").ok::<Edited>(),
        r(Method::PUT, "/api/v1/platforms/{platform_id}", Signed, "Correct a platform; `version` must be the one you read (409 stale_version otherwise)", put(correction::social::api_update_platform)).body("PlatformEdit").ok::<Edited>(),
        r(g.clone(), "/api/v1/platforms/{platform_id}/versions", Signed, "A platform's saved versions, newest first", get(correction::social::api_platform_versions)).ok::<Items<VersionRow>>(),
        r(Method::PUT, "/api/v1/posts/{post_id}", Signed, "Correct a post's title and period; `version` must be the one you read", put(correction::social::api_update_post)).body("PostEdit").ok::<Edited>(),
        r(p.clone(), "/api/v1/posts/{post_id}/end", Signed, "End a post on a date (422 before_start: before it began)", post(correction::social::api_end_post)).body("EndForm").ok::<Edited>(),
        r(g.clone(), "/api/v1/posts/{post_id}/versions", Signed, "A post's saved versions, newest first", get(correction::social::api_post_versions)).ok::<Items<VersionRow>>(),
        r(Method::PUT, "/api/v1/talents/{talent_id}", Signed, "Correct a talent; `version` must be the one you read (409 stale_version otherwise)", put(correction::people::api_update_talent)).body("TalentEdit").ok::<Edited>(),
        r(g.clone(), "/api/v1/talents/{talent_id}/versions", Signed, "A talent's saved versions, newest first", get(correction::people::api_talent_versions)).ok::<Items<VersionRow>>(),
        r(Method::PUT, "/api/v1/volunteers/{volunteer_id}", Signed, "Correct a volunteer's registration; `version` must be the one you read (409 stale_version otherwise)", put(correction::people::api_update_volunteer)).body("VolunteerEdit").ok::<Edited>(),
        r(g.clone(), "/api/v1/volunteers/{volunteer_id}/versions", Signed, "A volunteer's saved versions, newest first", get(correction::people::api_volunteer_versions)).ok::<Items<VersionRow>>(),
        r(p.clone(), "/api/v1/organizations/{org_id}/incubations/{incubation_id}/end", Signed, "End an open incubation period on a date (422 before_start, already_ended)", post(correction::people::api_end_incubation)).body("IncubationEnd").no_content(),
        r(g.clone(), "/api/v1/work", Signed, "My work list: what waits for me in my territory (items to review, eligibilities to decide, needs to support, …)", get(home::api_work)).ok::<Items<Work>>(),
        r(g.clone(), "/api/v1/needs", Signed, "Needs of my territory, ranked, 50 a page (filters: q, status (default open; all), priority_group, community; after: the next_after of the page before)", get(need::api_needs)).ok::<NeedBoard>(),
        r(p.clone(), "/api/v1/needs", Signed, "Raise a need", post(need::api_raise_need)).body("NeedForm").created::<Created>(),
        r(g.clone(), "/api/v1/needs/{need_id}", Signed, "A need, with whether I supported it and may support or merge it", get(need::api_need)).ok::<NeedDetail>(),
        r(p.clone(), "/api/v1/needs/{need_id}/support", Signed, "Support a need (once per resident; a second support is 409 already_supported)", post(need::api_support)).ok::<NeedRow>(),
        r(p.clone(), "/api/v1/needs/{need_id}/merge", Signed, "Merge this need into another of its community (body: into)", post(need::api_merge)).body("MergeForm").ok::<NeedDetail>(),
        r(g.clone(), "/api/v1/catalogue", Signed, "Catalogue items of my territory, a page at a time (filter: status; after, limit)", get(catalogue::api_catalogue)).ok::<CatalogueView>(),
        r(p.clone(), "/api/v1/catalogue", Signed, "Add an item to a community's catalogue (community officer)", post(catalogue::api_propose)).body("ItemForm").created::<Created>(),
        r(g.clone(), "/api/v1/catalogue/{item_id}", Signed, "An item with its eligibilities and what I may do", get(catalogue::api_item)).ok::<ItemDetail>(),
        r(p.clone(), "/api/v1/catalogue/{item_id}/review", Signed, "Approve or return an item (township; decision approve|reject, reason)", post(catalogue::api_review)).body("DecisionForm").ok::<ItemDetail>(),
        r(p.clone(), "/api/v1/catalogue/{item_id}/eligibilities", Signed, "Apply for undertaking eligibility (organization manager)", post(catalogue::api_apply)).body("ApplyForm").created::<Created>(),
        r(p.clone(), "/api/v1/eligibilities/{eligibility_id}/decision", Signed, "Decide an eligibility (township; without professional staff a social-work item needs a written reason)", post(catalogue::api_decide)).body("DecisionForm").no_content(),
        r(g.clone(), "/api/v1/projects", Signed, "Service projects of my territory, newest first, a page at a time (filters: stage; after, limit), and the eligibilities I may write on", get(application::api_projects)).ok::<ProjectList>(),
        r(p.clone(), "/api/v1/projects", Signed, "Write an application on an approved eligibility (organization manager)", post(application::api_create)).body("NewApplication").created::<Created>(),
        r(g.clone(), "/api/v1/projects/{project_id}", Signed, "A project with its current application, team, needs and versions", get(application::api_project)).ok::<ProjectDetail>(),
        r(p.clone(), "/api/v1/projects/{project_id}/versions", Signed, "Save a new version (based_on: the version revised; 409 stale_version or application_frozen)", post(application::api_revise)).body("Revision").created::<SavedVersion>(),
        r(p.clone(), "/api/v1/projects/{project_id}/submit", Signed, "Submit the application for consultation", post(application::api_submit)).ok::<ProjectDetail>(),
        r(g.clone(), "/api/v1/projects/{project_id}/compare", Signed, "Two versions compared field by field (a, b; default first and latest)", get(application::api_compare)).ok::<Comparison>(),
        r(g.clone(), "/api/v1/consultations", Signed, "Consultation meetings of my territory, a page at a time (after, limit), and the applications I may put on an agenda", get(consultation::api_consultations)).ok::<ConsultationList>(),
        r(p.clone(), "/api/v1/consultations", Signed, "Convene a consultation meeting (community committee)", post(consultation::api_convene)).body("ConsultationForm").created::<Created>(),
        r(g.clone(), "/api/v1/consultations/{consultation_id}", Signed, "A consultation meeting with agenda, attendance and comments", get(consultation::api_consultation)).ok::<ConsultationDetail>(),
        r(p.clone(), "/api/v1/consultations/{consultation_id}/attendees", Signed, "Record an attendee (409 minutes_frozen after freezing)", post(consultation::api_attend)).body("AttendeeForm").no_content(),
        r(p.clone(), "/api/v1/consultations/{consultation_id}/comments", Signed, "Record a comment on an application of the agenda", post(consultation::api_comment)).body("CommentForm").no_content(),
        r(p.clone(), "/api/v1/consultations/{consultation_id}/freeze", Signed, "Sign and freeze the minutes (recorder, chair, summary)", post(consultation::api_freeze)).body("FreezeForm").ok::<ConsultationDetail>(),
        r(p.clone(), "/api/v1/consultations/{consultation_id}/errata", Signed, "Append a correction to the signed minutes (403 not_author; 409 not_signed; 422 field errors)", post(erratum::api_correct_minutes)).body("ErratumForm").created::<ErratumReceipt>(),
        r(g.clone(), "/api/v1/funds", Signed, "Funds of my territory with balances, a page at a time (after, limit)", get(purchase::api_funds)).ok::<FundList>(),
        r(p.clone(), "/api/v1/funds", Signed, "Record a fund (township, county or city)", post(purchase::api_create)).body("FundForm").created::<Created>(),
        r(g.clone(), "/api/v1/calls", Signed, "Calls of and around my territory, a page at a time (after, limit), the areas I may organize for and the funds I may draw on", get(call::api_calls)).ok::<CallList>(),
        r(p.clone(), "/api/v1/calls", Signed, "Open a call (409 insufficient_funds when the fund cannot cover the pool)", post(call::api_create)).body("CallForm").created::<Created>(),
        r(g.clone(), "/api/v1/calls/{call_id}", Signed, "A call as the reader may see it (applications for insiders; ranking and own scores once sealed)", get(call::api_call)).ok::<CallView>(),
        r(p.clone(), "/api/v1/calls/{call_id}/applications", Signed, "Apply (409 deadline_passed names the deadline; already_applied)", post(call::api_apply)).body("CallApplicationForm").created::<Created>(),
        r(p.clone(), "/api/v1/calls/{call_id}/rubric", Signed, "Revise the rubric (409 rubric_locked from the first score)", post(call::api_rubric)).body("RubricForm").ok::<CallView>(),
        r(p.clone(), "/api/v1/calls/{call_id}/panel", Signed, "Form the panel (422 affiliated_member, panel_too_small)", post(call::api_panel)).body("PanelForm").ok::<CallView>(),
        r(p.clone(), "/api/v1/calls/{call_id}/scores", Signed, "Submit a score sheet (409 already_scored; sealed when the last member submits)", post(call::api_score)).body("ScoreSheetForm").ok::<CallView>(),
        r(p.clone(), "/api/v1/calls/{call_id}/awards", Signed, "Award down the ranking (409 out_of_order, pool_exhausted; never more than the pool)", post(call::api_award)).body("AwardForm").created::<Awarded>(),
        r(p.clone(), "/api/v1/calls/{call_id}/close", Signed, "End the awards; the rest of the pool returns to the fund", post(call::api_close)).ok::<CallView>(),
        r(p.clone(), "/api/v1/projects/{project_id}/purchase", Signed, "The township's purchase decision (409 insufficient_funds; never overdraws a fund)", post(purchase::api_decide)).body("PurchaseForm").ok::<ProjectDetail>(),
        r(p.clone(), "/api/v1/projects/{project_id}/contract", Signed, "Record the signed purchase contract (tranches add up to the amount; the last after acceptance)", post(contract::api_sign)).body("ContractForm").ok::<ProjectDetail>(),
        r(p.clone(), "/api/v1/projects/{project_id}/activities", Signed, "Record an activity (organization; volunteers' hours become service records)", post(delivery::api_activity)).body("ActivityForm").ok::<ProjectDetail>(),
        r(p.clone(), "/api/v1/projects/{project_id}/notes", Signed, "Record a coordination meeting (committee), supervision (supervisor), major-activity report or progress (organization)", post(delivery::api_note)).body("NoteForm").ok::<ProjectDetail>(),
        r(p.clone(), "/api/v1/projects/{project_id}/self-evaluation", Signed, "Submit the self-evaluation (a case study for social-work items)", post(evaluation::api_self_evaluation)).body("SelfEvaluationForm").ok::<ProjectDetail>(),
        r(p.clone(), "/api/v1/projects/{project_id}/panel", Signed, "Convene the review group (403 purchaser_conflict, not_committee; 422 affiliated_member, employed_social_worker, team_volunteer, team_social_worker, beneficiary_member, expert_required, panel_too_small, one_chair)", post(evaluation::api_panel)).body("GroupForm").ok::<ProjectDetail>(),
        r(p.clone(), "/api/v1/projects/{project_id}/meeting", Signed, "Record the method and review meeting (the chair; 403 not_chair; 422 quorum_not_met, chair_absent)", post(evaluation::api_meeting)).body("MeetingForm").ok::<ProjectDetail>(),
        r(p.clone(), "/api/v1/projects/{project_id}/scores", Signed, "Score the rubric (a member of the review group with an account, once)", post(evaluation::api_score)).body("ScoreForm").ok::<ProjectDetail>(),
        r(p.clone(), "/api/v1/projects/{project_id}/midterm-review", Signed, "Record the mid-term review with the supervisor (403 not_committee, purchaser_conflict; 409 not_delivering, midterm_recorded)", post(evaluation::api_midterm)).body("MidtermForm").ok::<ProjectDetail>(),
        r(p.clone(), "/api/v1/projects/{project_id}/conditions-met", Signed, "Record each condition of a conditional pass as met (403 not_chair; 409 not_conditional, conditions_recorded)", post(evaluation::api_conditions_met)).body("ConditionsMetForm").ok::<ProjectDetail>(),
        r(p.clone(), "/api/v1/projects/{project_id}/errata", Signed, "Append a correction to a signed record: kind vote_minutes (record: the vote meeting), contract, review_report or self_evaluation (403 not_author, not_party; 409 not_signed; 422 field errors); a contract's waits for the other party", post(erratum::api_correct)).body("ErratumForm").created::<ErratumReceipt>(),
        r(p.clone(), "/api/v1/projects/{project_id}/errata/{erratum_id}/agree", Signed, "The contract's other party agrees to its correction (403 not_party, same_party; 409 erratum_agreed)", post(erratum::api_agree)).ok::<ProjectDetail>(),
        r(p.clone(), "/api/v1/projects/{project_id}/verdict", Signed, "Sign the report with the verdict (the chair; 403 not_chair; 409 meeting_before_report, scores_missing)", post(evaluation::api_verdict)).body("VerdictForm").ok::<ProjectDetail>(),
        r(p.clone(), "/api/v1/projects/{project_id}/tranches/{seq}/payment", Signed, "Record a tranche as paid (409 milestone_not_reached)", post(evaluation::api_pay)).ok::<Paid>(),
        r(g.clone(), "/api/v1/votes", Signed, "Representatives' meetings of my territory, a page at a time (after, limit), and the consulted applications I may put to a vote", get(vote::api_votes)).ok::<VoteList>(),
        r(p.clone(), "/api/v1/votes", Signed, "Open a representatives' meeting (community committee; fixes roster, rules and recusals)", post(vote::api_open)).body("OpenVoteForm").created::<Created>(),
        r(g.clone(), "/api/v1/votes/{vote_id}", Signed, "A representatives' meeting with roster, motions, recusals, counts and my ballot state", get(vote::api_vote)).ok::<VoteMeetingDetail>(),
        r(p.clone(), "/api/v1/votes/{vote_id}/attendance", Signed, "Record who is present (present: user ids)", post(vote::api_attendance)).body("AttendanceForm").no_content(),
        r(p.clone(), "/api/v1/votes/{vote_id}/motions/{project_id}/ballots", Signed, "Cast my ballot (choice yes|no|abstain; 409 already_voted, recused, not_present, sealed)", post(vote::api_cast)).body("BallotForm").no_content(),
        r(p.clone(), "/api/v1/votes/{vote_id}/motions/{project_id}/paper", Signed, "Enter a paper count signed by its counter", post(vote::api_paper)).body("PaperForm").no_content(),
        r(p.clone(), "/api/v1/votes/{vote_id}/motions/{project_id}/seal", Signed, "Seal the result (409 no_quorum); answers the tally", post(vote::api_seal)).ok::<Tally>(),
        r(g.clone(), "/api/v1/volunteers", Signed, "Volunteers I may see, by name, a page at a time (q, after, limit)", get(volunteer::api_list)).ok::<app::page::Page<VolunteerRow>>(),
        r(p.clone(), "/api/v1/volunteers", Signed, "Register a volunteer (consent required)", post(volunteer::api_create)).body("VolunteerForm").created::<Created>(),
        r(p.clone(), "/api/v1/social-workers/import", Signed, "Import social workers: the body is the CSV or .xlsx file (?filename=); all rows or none", post(people::api_import_workers)).ok::<PeopleImportSummary>(),
        r(g.clone(), "/api/v1/social-workers/export", Signed, "Export social workers as a stream, identity numbers masked (format=csv|gb18030|xlsx)", get(people::api_export_workers)).export(),
        r(p.clone(), "/api/v1/volunteers/import", Signed, "Import the volunteer roster: the body is the CSV or .xlsx file (?filename=); all rows or none", post(people::api_import_volunteers)).ok::<PeopleImportSummary>(),
        r(g.clone(), "/api/v1/service-records/export", Signed, "Export the service records of the volunteers in my territory as a stream (format=csv|gb18030|xlsx)", get(people::api_export_records)).export(),
        r(g.clone(), "/api/v1/volunteers/export", Signed, "Export the volunteer roster as a stream (format=csv|gb18030|xlsx)", get(people::api_export_volunteers)).export(),
        r(p.clone(), "/api/v1/service-records/import", Signed, "Import service records: the body is the CSV or .xlsx file (?filename=); all rows or none; re-imports add nothing", post(volunteer::api_import)).ok::<RecordImportSummary>(),
        r(g.clone(), "/api/v1/volunteers/{volunteer_id}", Signed, "A volunteer with maintained totals and the newest 50 records (before: the next_before of the page before)", get(volunteer::api_detail)).ok::<VolunteerDetail>(),
        r(p.clone(), "/api/v1/volunteers/{volunteer_id}/records", Signed, "Record service (late entries need late_reason)", post(volunteer::api_add_record)).body("ServiceRecordForm").created::<Created>(),
        r(p.clone(), "/api/v1/records/{record_id}/correction", Signed, "Ask for a correction (the volunteer): a new pending record", post(volunteer::api_correction)).body("CorrectionForm").created::<Created>(),
        r(p.clone(), "/api/v1/records/{record_id}/decision", Signed, "Accept or reject a correction (the unit)", post(volunteer::api_decide)).body("RecordDecisionForm").no_content(),
        r(p.clone(), "/api/v1/records/{record_id}/confirm", Signed, "Confirm a record the volunteer entered alone (its recording unit: 403 not_recording_unit; 409 not_unverified); its hours then count on a certificate", post(volunteer::api_confirm)).no_content(),
        r(g.clone(), "/api/v1/volunteers/{volunteer_id}/accounts", Signed, "Accounts the unit may link to this volunteer, by name or login (q), in the officer's area", get(volunteer::api_accounts)).ok::<Items<AccountChoice>>(),
        r(p.clone(), "/api/v1/volunteers/{volunteer_id}/account", Signed, "Link the volunteer to an account (user_id from .../accounts; 409 already_linked; 422 unknown_account)", post(volunteer::api_link)).body("LinkForm").no_content(),
        r(g.clone(), "/api/v1/volunteers/{volunteer_id}/units", Signed, "The recording units a record of this volunteer may name (the value of a record's unit)", get(volunteer::api_units)).ok::<Items<UnitChoice>>(),
        r(p.clone(), "/api/v1/volunteers/{volunteer_id}/certificates", Signed, "Issue a certificate; returns its verification code", post(volunteer::api_issue_certificate)).created::<Issued>(),
        r(g.clone(), "/api/v1/certificates/{cert_code}", Public, "Verify a certificate (public)", get(volunteer::api_verify)).ok::<VerifiedCertificate>(),
        r(g.clone(), "/api/v1/public/areas/{code}", Public, "An area's public facts (no login)", get(public::api_area)).ok::<PublicArea>(),
        r(g.clone(), "/api/v1/public/projects/{project_id}", Public, "A project's public facts (no login)", get(public::api_project)).ok::<PublicProjectDetail>(),
        r(g.clone(), "/api/v1/public/calls/{call_id}", Public, "A call's public terms, ranking and awards (no login)", get(public::api_call)).ok::<CallView>(),
        r(g.clone(), "/api/v1/public/ocds/{code}", Public, "OCDS 1.1 release package of the calls and service-purchase projects of an area (at most 10,000)", get(public::api_ocds_area)).ok_with(public::ocds_package),
        r(g.clone(), "/api/v1/public/ocds/projects/{project_id}", Public, "OCDS 1.1 release package of one project (for a project a call awarded, its call's)", get(public::api_ocds_project)).ok_with(public::ocds_package),
        r(g.clone(), "/api/v1/public/ocds/calls/{call_id}", Public, "OCDS 1.1 release package of one call: tender, bids with their scores, awards, contracts", get(public::api_ocds_call)).ok_with(public::ocds_package),
        r(g, "/api/v1/audit", Signed, "Audit events in my territory, 100 a page with the total (filters: action, outcome, actor, area, from, to; before: the next_before of the page before)", get(audit::api_audit)).ok::<audit::AuditPage>(),
    ]
}

/// Builds the router from the table; unknown paths get a Chinese 404 page or problem+json.
pub fn router(state: AppState) -> Router {
    let mut router = Router::new();
    for spec in route_table() {
        router = router.route(spec.path, spec.handler);
    }
    router
        .route("/api/{*rest}", axum::routing::any(api_not_found))
        .fallback(page_not_found)
        .with_state(state)
}

/// The Chinese 404 page for any unknown path.
async fn page_not_found(Lang(locale): Lang) -> Response {
    render_error_page(StatusCode::NOT_FOUND, "not_found", "页面不存在", locale)
}

/// Unknown API paths answer problem+json, not the HTML 404 page.
async fn api_not_found() -> Response {
    problem(
        StatusCode::NOT_FOUND,
        "not_found",
        "接口不存在",
        serde_json::json!({}),
    )
}
