//! Demonstration data: the real areas of Huangshan and one account per role.

use crate::area::{huangshan_files, NoProgress};
use crate::identity::UserForm;
use crate::{App, AppError, Ctx};

/// The password of every demonstration account (printed on start; change it in production).
pub const DEMO_PASSWORD: &str = "Sanshe2026";

/// One demonstration account.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub login: &'static str,
    pub display_name: &'static str,
    pub role: domain::Role,
    /// Area code as typed (short form).
    pub area: &'static str,
    pub organization_id: Option<&'static str>,
}

/// Huangshan: 屯溪区 341002 (a district of streets) and 歙县 341021 (a rural county), with the
/// township 昱中街道 341002002 and its community 341002002001 as the home of the grass-roots roles.
pub fn demo_accounts() -> Vec<DemoAccount> {
    use domain::Role::*;
    let a = |login, display_name, role, area, org| DemoAccount {
        login,
        display_name,
        role,
        area,
        organization_id: org,
    };
    vec![
        a(
            "admin",
            "系统管理员",
            SystemAdministrator,
            "000000000000",
            None,
        ),
        a("city", "黄山市民政局 王科长", CityBureau, "3410", None),
        a("tunxi", "屯溪区民政局 李主任", CountyBureau, "341002", None),
        a("shexian", "歙县民政局 张主任", CountyBureau, "341021", None),
        a(
            "township",
            "昱中街道 陈干事",
            TownshipOfficer,
            "341002002",
            None,
        ),
        a(
            "community",
            "社区工作人员 刘敏",
            CommunityOfficer,
            "341002002001",
            None,
        ),
        a(
            "orgmanager",
            "社会组织负责人 赵晴",
            OrganizationManager,
            "341002002001",
            Some("demo-org-1"),
        ),
        a(
            "orgmember",
            "社会组织成员 孙磊",
            OrganizationMember,
            "341002002001",
            Some("demo-org-1"),
        ),
        a("socialworker", "社工 周婷", SocialWorker, "341002002", None),
        a("volunteer", "志愿者 吴昊", Volunteer, "341002002001", None),
        a("resident", "居民 郑阿姨", Resident, "341002002001", None),
        a(
            "representative",
            "居民代表 冯师傅",
            Representative,
            "341002002001",
            None,
        ),
        a("evaluator", "评估专家 何教授", Evaluator, "3410", None),
        a("supervisor", "督导 许老师", Supervisor, "341002", None),
    ]
}

impl App {
    /// Fills an empty database with the demonstration data; does nothing when accounts exist.
    /// Returns whether it seeded.
    pub async fn seed_demo(&self) -> Result<bool, AppError> {
        if self.db.user_count().await? > 0 {
            return Ok(false);
        }
        let ctx = Ctx {
            request_id: Some("demo-seed".into()),
            client_addr: None,
        };
        self.import_areas(&huangshan_files, &NoProgress, "huangshan-fixture", &ctx)
            .await?;
        for acc in demo_accounts() {
            self.create_user(
                None,
                &UserForm {
                    login: acc.login.into(),
                    display_name: acc.display_name.into(),
                    password: DEMO_PASSWORD.into(),
                    role: acc.role.as_str().into(),
                    area: acc.area.into(),
                    organization_id: acc.organization_id.map(str::to_string),
                },
                &ctx,
            )
            .await?;
        }
        Ok(true)
    }
}
