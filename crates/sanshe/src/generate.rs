//! `sanshe generate ledger`: a national-scale registry ledger on the areas already loaded, for
//! benchmarks — organizations, social workers (identity numbers encrypted like real ones),
//! volunteers with their totals, and their service records.
//!
//! Rows go in through the store's bulk insert, in batches of one transaction each, in key
//! order (people by community, records by volunteer) so that every index fills page after page.
//! Generated rows carry no version history and no per-row audit events; one audit event records
//! the generation. Identity numbers and names are synthetic.

use crate::progress::Bar;
use app::area::Progress;
use domain::ident::{id_check_char, organization_code_is_valid, uscc_check_char};
use domain::registry::{OrgCategory, RegistrationStatus};
use domain::social::CertificateLevel;
use domain::{AreaCode, AreaLevel};
use std::time::Instant;
use store::bulk::Param;

pub struct Sizes {
    pub organizations: usize,
    pub social_workers: usize,
    pub volunteers: usize,
    pub records: usize,
}

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "程", "汪",
];
const GIVEN: [&str; 16] = [
    "婷", "磊", "静", "军", "敏", "洁", "强", "芳", "伟", "丽", "杰", "霞", "涛", "燕", "斌", "慧",
];

fn person_name(i: usize) -> String {
    format!(
        "{}{}{}",
        SURNAMES[i % SURNAMES.len()],
        GIVEN[(i / 20) % GIVEN.len()],
        GIVEN[(i / 320) % GIVEN.len()]
    )
}

/// A generated id: the tenant, then 32 hex digits that grow with `i` (key order = generation
/// order). `kind` keeps the ids of different tables apart.
fn gen_id(tenant: &str, kind: u8, i: usize) -> String {
    format!("{tenant}-{kind:02x}{i:030x}")
}

/// A valid USCC for registered organization `i` at `county`: authority 5 (civil affairs),
/// category 1–3, the county, a unique organization code with its check digit.
fn uscc(county: &str, i: usize) -> String {
    let base = format!("{:08}", i % 100_000_000);
    let code9 = "0123456789X"
        .chars()
        .map(|c| format!("{base}{c}"))
        .find(|c| organization_code_is_valid(c))
        .unwrap_or_else(|| format!("{base}0"));
    let first17 = format!("5{}{county}{code9}", 1 + i % 3);
    let check = uscc_check_char(&first17).unwrap_or('0');
    format!("{first17}{check}")
}

/// Which community (index into `n_communities`) the `i`-th of `total` people lives in:
/// contiguous runs, so that people are generated in community (and so tenant) order.
fn community_of(i: usize, total: usize, n_communities: usize) -> usize {
    ((i as u128 * n_communities as u128) / total.max(1) as u128) as usize
}

/// How many records volunteer `v` has: 1 to 39, averaging `records / volunteers`.
fn records_of(v: usize, volunteers: usize, records: usize) -> usize {
    let per = records / volunteers.max(1);
    let extra = usize::from(v < records % volunteers.max(1));
    per + extra
}

/// The columns of `service_records` a generator fills (the rest keep their defaults).
pub const RECORD_COLUMNS: [&str; 16] = [
    "tenant_id",
    "id",
    "volunteer_id",
    "activity_name",
    "activity_date",
    "place",
    "content",
    "minutes",
    "organizing_unit",
    "person_in_charge",
    "late",
    "late_reason",
    "status",
    "correction_note",
    "entered_by",
    "entered_at",
];

/// One batch, one transaction.
async fn write(
    db: &store::Db,
    table: &str,
    columns: &[&str],
    rows: &[Vec<Param<'_>>],
) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    tx.bulk_insert(table, columns, rows).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn ledger(app: &app::App, db: &store::Db, sizes: Sizes) -> anyhow::Result<()> {
    let t0 = Instant::now();
    let communities = db
        .areas_below_at_level(&AreaCode::nation(), AreaLevel::Community)
        .await?;
    if communities.is_empty() {
        anyhow::bail!("no communities: import the areas first (sanshe areas import --from DIR)");
    }
    let codes: Vec<String> = communities
        .iter()
        .map(|c| c.code.as_str().to_string())
        .collect();
    let names: Vec<String> = communities
        .iter()
        .map(|c| {
            c.name
                .trim_end_matches("居委会")
                .trim_end_matches("村委会")
                .trim_end_matches("居民委员会")
                .trim_end_matches("村民委员会")
                .to_string()
        })
        .collect();
    println!("{} communities; generating {} organizations, {} social workers, {} volunteers, {} service records",
        codes.len(), sizes.organizations, sizes.social_workers, sizes.volunteers, sizes.records);
    let now = store::time::now();
    let batch = 100_000;

    // Organizations.
    let t = Instant::now();
    let bar = Bar::new();
    bar.stage("organizations", sizes.organizations as u64);
    let cats = OrgCategory::ALL;
    for start in (0..sizes.organizations).step_by(batch) {
        let end = (start + batch).min(sizes.organizations);
        let mut owned: Vec<[String; 6]> = Vec::with_capacity(end - start);
        let mut meta = Vec::with_capacity(end - start);
        for i in start..end {
            let c = community_of(i, sizes.organizations, codes.len());
            let code = &codes[c];
            let tenant = &code[..4];
            let status = [
                RegistrationStatus::Registered,
                RegistrationStatus::Filed,
                RegistrationStatus::CommunityManaged,
            ][i % 3];
            let category = cats[(i / 3) % cats.len()];
            let u = if status == RegistrationStatus::Registered {
                uscc(&code[..6], i)
            } else {
                String::new()
            };
            owned.push([
                tenant.to_string(),
                gen_id(tenant, 1, i),
                format!(
                    "{}{}{}",
                    names[c],
                    category.zh().trim_end_matches('类'),
                    ["协会", "服务队", "互助会", "服务社"][i % 4]
                ),
                u,
                code.clone(),
                format!("第{}号", i % 997),
            ]);
            meta.push((
                status,
                category,
                (i % 41 == 0).then_some(3 + (i % 3) as i64),
            ));
        }
        let rows: Vec<Vec<Param>> = owned
            .iter()
            .zip(&meta)
            .map(|(o, (status, category, grade))| {
                let registered = *status == RegistrationStatus::Registered;
                vec![
                    o[0].as_str().into(),
                    o[1].as_str().into(),
                    o[2].as_str().into(),
                    if registered {
                        Param::Text(&o[3])
                    } else {
                        Param::Null
                    },
                    if registered {
                        Param::Text("social_group")
                    } else {
                        Param::Null
                    },
                    status.as_str().into(),
                    category.as_str().into(),
                    o[4].as_str().into(),
                    false.into(),
                    false.into(),
                    (*grade).into(),
                    if grade.is_some() {
                        Param::Text("2025-06-30")
                    } else {
                        Param::Null
                    },
                    o[5].as_str().into(),
                    "".into(),
                    1i64.into(),
                    now.as_str().into(),
                    now.as_str().into(),
                ]
            })
            .collect();
        write(
            db,
            "organizations",
            &[
                "tenant_id",
                "id",
                "name",
                "uscc",
                "legal_form",
                "registration_status",
                "category",
                "area_code",
                "is_hub",
                "is_brand",
                "grade",
                "grade_date",
                "address",
                "description",
                "version",
                "created_at",
                "updated_at",
            ],
            &rows,
        )
        .await?;
        bar.advance((end - start) as u64);
    }
    bar.finish();
    println!(
        "organizations:   {:>10} in {:.1} s",
        sizes.organizations,
        t.elapsed().as_secs_f64()
    );

    // Social workers: identity numbers built from the community's county, encrypted and hashed
    // with the deployment's keys exactly as a real entry.
    let t = Instant::now();
    let bar = Bar::new();
    bar.stage("social workers", sizes.social_workers as u64);
    let pii = &app.settings.pii;
    let levels = CertificateLevel::ALL;
    let base = chrono::NaiveDate::from_ymd_opt(1960, 1, 1).unwrap_or_default();
    for start in (0..sizes.social_workers).step_by(batch) {
        let end = (start + batch).min(sizes.social_workers);
        let mut owned: Vec<[String; 9]> = Vec::with_capacity(end - start);
        for i in start..end {
            let code = &codes[community_of(i, sizes.social_workers, codes.len())];
            let tenant = &code[..4];
            let birth = base + chrono::Duration::days((i % 15_000) as i64);
            let first17 = format!(
                "{}{}{:03}",
                &code[..6],
                birth.format("%Y%m%d"),
                (i / 15_000) % 1000
            );
            let number = format!("{first17}{}", id_check_char(&first17).unwrap_or('0'));
            let level = levels[i % levels.len()];
            owned.push([
                tenant.to_string(),
                gen_id(tenant, 2, i),
                person_name(i),
                pii.encrypt(&number),
                pii.lookup_hash(&number),
                format!("{}********{}", &number[..6], &number[14..]),
                level.as_str().to_string(),
                if level.is_certified() {
                    format!("G{i:09}")
                } else {
                    String::new()
                },
                code.clone(),
            ]);
        }
        let rows: Vec<Vec<Param>> = owned
            .iter()
            .enumerate()
            .map(|(k, o)| {
                let certified = !o[7].is_empty();
                vec![
                    o[0].as_str().into(),
                    o[1].as_str().into(),
                    o[2].as_str().into(),
                    if (start + k) % 2 == 0 {
                        "female"
                    } else {
                        "male"
                    }
                    .into(),
                    o[3].as_str().into(),
                    o[4].as_str().into(),
                    o[5].as_str().into(),
                    o[6].as_str().into(),
                    if certified {
                        Param::Text(&o[7])
                    } else {
                        Param::Null
                    },
                    if certified {
                        Param::Text("2022-06-30")
                    } else {
                        Param::Null
                    },
                    Param::Null,
                    o[8].as_str().into(),
                    1i64.into(),
                    now.as_str().into(),
                    now.as_str().into(),
                ]
            })
            .collect();
        write(
            db,
            "social_workers",
            &[
                "tenant_id",
                "id",
                "name",
                "gender",
                "id_cipher",
                "id_lookup",
                "id_masked",
                "certificate_level",
                "certificate_number",
                "certificate_date",
                "employer_org_id",
                "area_code",
                "version",
                "created_at",
                "updated_at",
            ],
            &rows,
        )
        .await?;
        bar.advance((end - start) as u64);
    }
    bar.finish();
    println!(
        "social workers:  {:>10} in {:.1} s",
        sizes.social_workers,
        t.elapsed().as_secs_f64()
    );

    // Volunteers with their totals, then their records (the totals are the records' sums).
    let minutes_of = |v: usize, k: usize| 30 + ((v + k) % 8) as i64 * 30;
    let t = Instant::now();
    let bar = Bar::new();
    bar.stage("volunteers", sizes.volunteers as u64);
    for start in (0..sizes.volunteers).step_by(batch) {
        let end = (start + batch).min(sizes.volunteers);
        let mut owned: Vec<[String; 4]> = Vec::with_capacity(end - start);
        let mut totals = Vec::with_capacity(end - start);
        for v in start..end {
            let code = &codes[community_of(v, sizes.volunteers, codes.len())];
            let tenant = &code[..4];
            let n = records_of(v, sizes.volunteers, sizes.records);
            totals.push(((0..n).map(|k| minutes_of(v, k)).sum::<i64>(), n as i64));
            owned.push([
                tenant.to_string(),
                gen_id(tenant, 3, v),
                person_name(v + 7),
                code.clone(),
            ]);
        }
        let rows: Vec<Vec<Param>> = owned
            .iter()
            .zip(&totals)
            .map(|(o, (m, n))| {
                vec![
                    o[0].as_str().into(),
                    o[1].as_str().into(),
                    Param::Null,
                    o[2].as_str().into(),
                    "".into(),
                    o[3].as_str().into(),
                    "".into(),
                    domain::volunteer::CONSENT_VERSION.into(),
                    now.as_str().into(),
                    (*m).into(),
                    (*n).into(),
                    1i64.into(),
                    now.as_str().into(),
                    now.as_str().into(),
                ]
            })
            .collect();
        write(
            db,
            "volunteers",
            &[
                "tenant_id",
                "id",
                "user_id",
                "name",
                "gender",
                "area_code",
                "skills",
                "consent_version",
                "consent_at",
                "total_minutes",
                "record_count",
                "version",
                "created_at",
                "updated_at",
            ],
            &rows,
        )
        .await?;
        bar.advance((end - start) as u64);
    }
    bar.finish();
    println!(
        "volunteers:      {:>10} in {:.1} s",
        sizes.volunteers,
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let bar = Bar::new();
    bar.stage("service records", sizes.records as u64);
    let today = chrono::Utc::now().date_naive();
    let mut v = 0usize;
    let mut done = 0usize;
    let mut seq = 0usize;
    while v < sizes.volunteers {
        // Whole volunteers per batch, about `batch * 2` records.
        let mut owned: Vec<(String, String, String, String)> = Vec::new();
        let mut minutes = Vec::new();
        while v < sizes.volunteers && owned.len() < batch * 2 {
            let code = &codes[community_of(v, sizes.volunteers, codes.len())];
            let tenant = &code[..4];
            let vid = gen_id(tenant, 3, v);
            for k in 0..records_of(v, sizes.volunteers, sizes.records) {
                let date = today - chrono::Duration::days(((k * 17 + v) % 360) as i64 + 1);
                owned.push((
                    tenant.to_string(),
                    gen_id(tenant, 4, seq),
                    vid.clone(),
                    date.to_string(),
                ));
                minutes.push(minutes_of(v, k));
                seq += 1;
            }
            v += 1;
        }
        let rows: Vec<Vec<Param>> = owned
            .iter()
            .zip(&minutes)
            .map(|((tenant, id, vid, date), m)| {
                vec![
                    tenant.as_str().into(),
                    id.as_str().into(),
                    vid.as_str().into(),
                    "社区志愿服务".into(),
                    date.as_str().into(),
                    "社区活动室".into(),
                    "关爱老人、环境整治".into(),
                    (*m).into(),
                    "社区居委会".into(),
                    "刘敏".into(),
                    false.into(),
                    "".into(),
                    "valid".into(),
                    "".into(),
                    "generator".into(),
                    now.as_str().into(),
                ]
            })
            .collect();
        write(db, "service_records", &RECORD_COLUMNS, &rows).await?;
        done += rows.len();
        bar.advance(rows.len() as u64);
    }
    bar.finish();
    println!(
        "service records: {:>10} in {:.1} s",
        done,
        t.elapsed().as_secs_f64()
    );

    let mut tx = db.begin().await?;
    tx.append_audit(app::audit::event(None, None, domain::audit::EventKind::GenerateLedger, domain::audit::Outcome::Ok, &app::audit::Subject { kind: "ledger", id: "generated", area: &AreaCode::nation() }, &app::Ctx::default()).after(serde_json::json!({ "organizations": sizes.organizations, "social_workers": sizes.social_workers, "volunteers": sizes.volunteers, "records": done })))
    .await?;
    tx.commit().await?;
    println!("total:           {:.1} s", t0.elapsed().as_secs_f64());
    Ok(())
}

/// `sanshe generate projects`: `count` service projects on a generated ledger, spread over the
/// communities like the organizations that undertake them (project `i` belongs to organization
/// `i × organizations / count`, so `organizations` must be the ledger's), each with its approved
/// catalogue item and eligibility and its first application version, in every stage in turn.
pub async fn projects(db: &store::Db, count: usize, organizations: usize) -> anyhow::Result<()> {
    use domain::chain::stage::Stage;
    let t0 = Instant::now();
    let codes: Vec<String> = db
        .areas_below_at_level(&AreaCode::nation(), AreaLevel::Community)
        .await?
        .iter()
        .map(|c| c.code.as_str().to_string())
        .collect();
    if codes.is_empty() {
        anyhow::bail!("no communities: import the areas and generate the ledger first");
    }
    let content = domain::chain::application::ApplicationForm {
        title: "社区居家养老服务项目".into(),
        background:
            "入户走访显示独居高龄老人需要上门助洁、助浴和陪伴，居民议事会提出由专业组织承接。"
                .into(),
        goals: "为高龄老人提供上门服务|服务户数|≥ 20 户\n服务满意度|回访问卷|≥ 90%".into(),
        phases: "筹备|2027-01-01|2027-01-31|招募培训志愿者\n实施|2027-02-01|2027-11-30|每周上门"
            .into(),
        budget: "上门服务补贴|24000\n耗材|3000".into(),
        lead: "generator".into(),
        social_workers: "generator".into(),
        ..Default::default()
    }
    .validate()
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let json = serde_json::to_string(&content)?;
    let budget = content.total().fen();
    let now = store::time::now();
    let batch = 50_000;
    let bar = Bar::new();
    bar.stage("projects", count as u64);
    for start in (0..count).step_by(batch) {
        let end = (start + batch).min(count);
        // (tenant, community, organization, item, eligibility, project, title, stage)
        let mut owned = Vec::with_capacity(end - start);
        for i in start..end {
            let j = ((i as u128 * organizations as u128) / count.max(1) as u128) as usize;
            let code = &codes[community_of(j, organizations, codes.len())];
            let tenant = &code[..4];
            owned.push((
                tenant.to_string(),
                code.clone(),
                gen_id(tenant, 1, j),
                gen_id(tenant, 0x11, i),
                gen_id(tenant, 0x12, i),
                gen_id(tenant, 0x13, i),
                format!("社区居家养老服务项目（第 {} 期）", 1 + i % 9),
                Stage::ALL[i % Stage::ALL.len()].as_str(),
            ));
        }
        let items: Vec<Vec<Param>> = owned
            .iter()
            .map(|o| {
                vec![
                    o.0.as_str().into(),
                    o.3.as_str().into(),
                    o.1.as_str().into(),
                    "居家养老上门服务".into(),
                    "".into(),
                    false.into(),
                    "approved".into(),
                    "".into(),
                    "generator".into(),
                    "generator".into(),
                    now.as_str().into(),
                    now.as_str().into(),
                    now.as_str().into(),
                ]
            })
            .collect();
        let eligibilities: Vec<Vec<Param>> = owned
            .iter()
            .map(|o| {
                vec![
                    o.0.as_str().into(),
                    o.4.as_str().into(),
                    o.3.as_str().into(),
                    o.2.as_str().into(),
                    "approved".into(),
                    0i64.into(),
                    "".into(),
                    "generator".into(),
                    now.as_str().into(),
                    "generator".into(),
                    now.as_str().into(),
                ]
            })
            .collect();
        let projects: Vec<Vec<Param>> = owned
            .iter()
            .map(|o| {
                vec![
                    o.0.as_str().into(),
                    o.5.as_str().into(),
                    o.1.as_str().into(),
                    o.3.as_str().into(),
                    o.2.as_str().into(),
                    o.4.as_str().into(),
                    o.6.as_str().into(),
                    o.7.into(),
                    1i64.into(),
                    budget.into(),
                    "generator".into(),
                    "generator".into(),
                    now.as_str().into(),
                    now.as_str().into(),
                ]
            })
            .collect();
        let versions: Vec<Vec<Param>> = owned
            .iter()
            .map(|o| {
                vec![
                    o.0.as_str().into(),
                    o.5.as_str().into(),
                    1i64.into(),
                    json.as_str().into(),
                    budget.into(),
                    "".into(),
                    "generator".into(),
                    now.as_str().into(),
                ]
            })
            .collect();
        let mut tx = db.begin().await?;
        tx.bulk_insert(
            "catalogue_items",
            &[
                "tenant_id",
                "id",
                "area_code",
                "name",
                "description",
                "social_work",
                "status",
                "decision_reason",
                "created_by",
                "decided_by",
                "decided_at",
                "created_at",
                "updated_at",
            ],
            &items,
        )
        .await?;
        tx.bulk_insert(
            "eligibilities",
            &[
                "tenant_id",
                "id",
                "item_id",
                "organization_id",
                "status",
                "social_workers",
                "reason",
                "applied_by",
                "applied_at",
                "decided_by",
                "decided_at",
            ],
            &eligibilities,
        )
        .await?;
        tx.bulk_insert(
            "projects",
            &[
                "tenant_id",
                "id",
                "area_code",
                "item_id",
                "organization_id",
                "eligibility_id",
                "title",
                "stage",
                "version",
                "budget_fen",
                "lead_user_id",
                "created_by",
                "created_at",
                "updated_at",
            ],
            &projects,
        )
        .await?;
        tx.bulk_insert(
            "application_versions",
            &[
                "tenant_id",
                "project_id",
                "version",
                "content",
                "budget_fen",
                "note",
                "created_by",
                "created_at",
            ],
            &versions,
        )
        .await?;
        tx.commit().await?;
        bar.advance((end - start) as u64);
    }
    bar.finish();
    let mut tx = db.begin().await?;
    tx.append_audit(
        app::audit::event(
            None,
            None,
            domain::audit::EventKind::GenerateProjects,
            domain::audit::Outcome::Ok,
            &app::audit::Subject {
                kind: "projects",
                id: "generated",
                area: &AreaCode::nation(),
            },
            &app::Ctx::default(),
        )
        .after(serde_json::json!({ "projects": count })),
    )
    .await?;
    tx.commit().await?;
    println!("projects: {count} in {:.1} s", t0.elapsed().as_secs_f64());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_are_valid_and_people_come_in_community_order() {
        let u = uscc("341002", 12345);
        assert!(
            domain::ident::Uscc::parse(&u, "uscc")
                .unwrap()
                .warnings
                .is_empty(),
            "{u}"
        );
        let mut last = 0;
        for i in 0..1000 {
            let c = community_of(i, 1000, 37);
            assert!(c >= last && c < 37);
            last = c;
        }
        let total: usize = (0..1000).map(|v| records_of(v, 1000, 20_500)).sum();
        assert_eq!(total, 20_500);
        assert!(gen_id("3410", 3, 9) < gen_id("3410", 3, 10));
    }
}
