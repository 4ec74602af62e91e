//! `motcua demo`: a fresh database for the Quảng Trị Department of Science and Technology.
//!
//! Unit codes follow the QĐ 20/2020/QĐ-TTg shape with H50 for Quảng Trị (legal-facts §10: likely,
//! not confirmed); the level-2 code of the Department (15) is illustrative.

use motcua_core::identity::{Role, UnitCode};
use motcua_store::events::Actor;
use motcua_store::identity::{self, NewUnit, NewUser};
use motcua_store::{Store, StoreError};

/// A demo person: username, password, full name, role, unit code.
pub struct DemoPerson {
    pub username: &'static str,
    pub password: &'static str,
    pub full_name: &'static str,
    pub role: Role,
    pub unit: Option<&'static str>,
}

/// One person per role, and for every unit in the demo catalog's workflows (desk, the three
/// appraising divisions, the Department's leadership) a specialist and a leader, so that a
/// dossier can go through the pages step by step with the unit-scope rule.
pub const PEOPLE: [DemoPerson; 17] = [
    DemoPerson {
        username: "admin",
        password: "demo-admin-2026",
        full_name: "Quản trị hệ thống",
        role: Role::Admin,
        unit: None,
    },
    DemoPerson {
        username: "lan",
        password: "demo-clerk-2026",
        full_name: "Nguyễn Thị Lan",
        role: Role::Clerk,
        unit: Some("000.05.15.H50"),
    },
    DemoPerson {
        username: "hung",
        password: "demo-specialist-2026",
        full_name: "Trần Văn Hùng",
        role: Role::Specialist,
        unit: Some("000.03.15.H50"),
    },
    DemoPerson {
        username: "hoa",
        password: "demo-leader-2026",
        full_name: "Lê Thị Hoa",
        role: Role::Leader,
        unit: Some("000.03.15.H50"),
    },
    DemoPerson {
        username: "binh",
        password: "demo-leader-2026",
        full_name: "Võ Thanh Bình",
        role: Role::Leader,
        unit: Some("000.00.15.H50"),
    },
    DemoPerson {
        username: "vy",
        password: "demo-specialist-2026",
        full_name: "Lý Thảo Vy",
        role: Role::Specialist,
        unit: Some("000.00.15.H50"),
    },
    DemoPerson {
        username: "nga",
        password: "demo-specialist-2026",
        full_name: "Đặng Thị Nga",
        role: Role::Specialist,
        unit: Some("000.05.15.H50"),
    },
    DemoPerson {
        username: "quang",
        password: "demo-leader-2026",
        full_name: "Bùi Văn Quang",
        role: Role::Leader,
        unit: Some("000.05.15.H50"),
    },
    DemoPerson {
        username: "mai",
        password: "demo-specialist-2026",
        full_name: "Đỗ Thị Mai",
        role: Role::Specialist,
        unit: Some("000.02.15.H50"),
    },
    DemoPerson {
        username: "son",
        password: "demo-leader-2026",
        full_name: "Hồ Văn Sơn",
        role: Role::Leader,
        unit: Some("000.02.15.H50"),
    },
    DemoPerson {
        username: "khoa",
        password: "demo-specialist-2026",
        full_name: "Phan Minh Khoa",
        role: Role::Specialist,
        unit: Some("000.04.15.H50"),
    },
    DemoPerson {
        username: "hai",
        password: "demo-leader-2026",
        full_name: "Ngô Thanh Hải",
        role: Role::Leader,
        unit: Some("000.04.15.H50"),
    },
    // The provincial committee's specialist works the committee's steps of liên thông dossiers.
    DemoPerson {
        username: "dung",
        password: "demo-specialist-2026",
        full_name: "Nguyễn Tiến Dũng",
        role: Role::Specialist,
        unit: Some("000.00.00.H50"),
    },
    // … and its leader assigns and hands over inside the committee's part.
    DemoPerson {
        username: "phong",
        password: "demo-leader-2026",
        full_name: "Lê Văn Phong",
        role: Role::Leader,
        unit: Some("000.00.00.H50"),
    },
    DemoPerson {
        username: "thao",
        password: "demo-control-2026",
        full_name: "Phạm Thị Thảo",
        role: Role::ControlOfficer,
        unit: Some("000.01.15.H50"),
    },
    DemoPerson {
        username: "tuan",
        password: "demo-inspector-2026",
        full_name: "Hoàng Văn Tuấn",
        role: Role::Inspector,
        unit: Some("000.00.15.H50"),
    },
    DemoPerson {
        username: "minh",
        password: "demo-citizen-2026",
        full_name: "Trần Văn Minh",
        role: Role::Citizen,
        unit: None,
    },
];

/// (code, name, English name, kind, parent code)
pub const UNITS: [(&str, &str, &str, &str, Option<&str>); 8] = [
    (
        "000.00.00.H50",
        "Ủy ban nhân dân tỉnh Quảng Trị",
        "Quảng Trị Provincial People's Committee",
        "agency",
        None,
    ),
    (
        "000.00.15.H50",
        "Sở Khoa học và Công nghệ tỉnh Quảng Trị",
        "Quảng Trị Department of Science and Technology",
        "agency",
        Some("000.00.00.H50"),
    ),
    (
        "000.01.15.H50",
        "Văn phòng Sở",
        "Department Office",
        "department",
        Some("000.00.15.H50"),
    ),
    (
        "000.02.15.H50",
        "Phòng Kế hoạch – Tài chính",
        "Planning and Finance Division",
        "department",
        Some("000.00.15.H50"),
    ),
    (
        "000.03.15.H50",
        "Phòng Quản lý chuyên ngành",
        "Specialised Management Division",
        "department",
        Some("000.00.15.H50"),
    ),
    (
        "000.04.15.H50",
        "Chi cục Tiêu chuẩn Đo lường Chất lượng",
        "Sub-department of Standards, Metrology and Quality",
        "department",
        Some("000.00.15.H50"),
    ),
    (
        "000.00.30.H50",
        "Trung tâm Phục vụ hành chính công tỉnh Quảng Trị",
        "Provincial Public Administration Service Centre",
        "agency",
        Some("000.00.00.H50"),
    ),
    (
        "000.05.15.H50",
        "Quầy Sở Khoa học và Công nghệ tại Trung tâm Phục vụ hành chính công",
        "Department of Science and Technology desk at the Service Centre",
        "desk",
        Some("000.00.30.H50"),
    ),
];

/// Load the demo units and people into an empty store.
pub async fn seed(store: &Store) -> Result<(), StoreError> {
    let actor = Actor::system();
    let now = chrono::Utc::now();
    let mut ids = std::collections::HashMap::new();
    for (code, name, name_en, kind, parent) in UNITS {
        let parent_id = parent.and_then(|p| ids.get(p).cloned());
        let code = UnitCode::parse(code).map_err(|e| StoreError::rejected("unit_code_invalid", e.to_string()))?;
        let u = identity::create_unit(
            store,
            &actor,
            now,
            NewUnit {
                code,
                name: name.into(),
                name_en: name_en.into(),
                kind: kind.into(),
                parent_id,
            },
        )
        .await?;
        ids.insert(u.code.clone(), u.id);
    }
    for p in PEOPLE {
        let unit = p.unit.and_then(|c| ids.get(c).cloned());
        identity::create_user(
            store,
            &actor,
            now,
            NewUser {
                username: p.username.into(),
                full_name: p.full_name.into(),
                email: format!("{}@demo.motcua.vn", p.username),
                password_hash: motcua_web::auth::password::hash_password(p.password),
                must_change_password: false,
                roles: vec![(p.role, unit)],
            },
        )
        .await?;
    }
    seed_catalog(store).await?;
    Ok(())
}

/// The shared sample of Science-and-Technology procedures (29 rows from public portals).
pub const PROCEDURES_CSV: &[u8] = include_bytes!("../../motcua-core/data/tthc_skhcn.csv");

/// Load the sample procedures, completed and brought into force through publication decisions
/// (see [`crate::demo_catalog`]).
pub async fn seed_catalog(store: &Store) -> Result<usize, StoreError> {
    let today = (chrono::Utc::now() + chrono::Duration::hours(7)).date_naive();
    Ok(crate::demo_catalog::seed(store, PROCEDURES_CSV, today)
        .await?
        .procedures)
}

/// The printed table of demo accounts.
pub fn accounts_text() -> String {
    let mut s = String::from("Tài khoản demo / demo accounts (tên đăng nhập / mật khẩu — vai trò):\n");
    for p in PEOPLE {
        s.push_str(&format!(
            "  {:<8} {:<22} {:<12} {}\n",
            p.username,
            p.password,
            p.role.as_str(),
            p.unit.unwrap_or("")
        ));
    }
    s
}
