//! The JSON API under `/api/v1`, described by an OpenAPI 3.1 document generated from the code
//! (utoipa annotations beside each handler) plus each route's access policy.

pub mod audit;
pub mod calendar;
pub mod catalog;
pub mod decisions;
pub mod dossiers;
pub mod identity;
pub mod lookup;
pub mod outbox;
pub mod payments;
pub mod system;

use crate::routes::Routes;
use std::sync::OnceLock;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "motcua API",
        description = "Hệ thống thông tin giải quyết thủ tục hành chính — JSON API. Errors are RFC 9457 problems with a stable `code` and Vietnamese and English messages.",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(
        system::healthz,
        system::readyz,
        identity::me,
        identity::list_units,
        identity::create_unit,
        identity::get_unit,
        identity::update_unit,
        identity::list_users,
        identity::create_user,
        identity::grant_role,
        identity::revoke_role,
        identity::list_keys,
        identity::create_key,
        identity::revoke_key,
        audit::list_events,
        audit::verify,
        calendar::day,
        calendar::tet,
        calendar::year,
        calendar::due_date,
        calendar::list_entries,
        calendar::add_entries,
        calendar::correct_entry,
        calendar::remove_entry,
        calendar::import,
        calendar::versions,
        calendar::diff,
        calendar::agency,
        calendar::set_hours,
        calendar::add_closure,
        calendar::remove_closure,
        catalog::search,
        catalog::get_procedure,
        catalog::list_versions,
        decisions::create_procedure,
        decisions::get_draft,
        decisions::put_draft,
        decisions::version_diff,
        decisions::list,
        decisions::create,
        decisions::warnings_api,
        decisions::get,
        decisions::update,
        decisions::issue,
        decisions::made_public,
        decisions::statistics_api,
        outbox::list,
        outbox::retry,
        dossiers::create,
        dossiers::inbox,
        dossiers::get,
        dossiers::history,
        dossiers::command,
        dossiers::upload,
        dossiers::download,
        payments::start,
        payments::complete_local,
        lookup::lookup,
    ),
    components(schemas(crate::problem::Problem)),
    modifiers(&Security),
    tags(
        (name = "system", description = "Health and readiness"),
        (name = "identity", description = "Units, people, roles and API keys"),
        (name = "audit", description = "The tamper-evident event log"),
        (name = "catalog", description = "Procedure catalog: search, the version in force, versions; drafts, publication decisions, timeliness and statistics for control officers"),
        (name = "calendar", description = "Working-day calendar: lunar dates, holidays, official schedules with versions, agency hours, due dates"),
        (name = "outbox", description = "E-mail notifications to applicants and their delivery (administrator)"),
        (name = "lookup", description = "Public lookup of a dossier by its code and the applicant's phone or ID number (rate-limited)"),
        (name = "dossiers", description = "Dossiers (hồ sơ): intake, inbox and search, commands of the state machine with their permissions, history, uploads"),
    )
)]
pub struct ApiDoc;

struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("mck_<prefix>_<secret>")
                    .build(),
            ),
        );
    }
}

/// The OpenAPI document with each operation's access policy as `x-motcua-access`.
pub fn openapi_json() -> serde_json::Value {
    static DOC: OnceLock<serde_json::Value> = OnceLock::new();
    DOC.get_or_init(|| {
        let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
        for spec in crate::routes::all().table {
            let method = spec.method.to_lowercase();
            if let Some(op) = doc
                .get_mut("paths")
                .and_then(|p| p.get_mut(spec.path))
                .and_then(|i| i.get_mut(&method))
                && let Some(obj) = op.as_object_mut()
            {
                obj.insert(
                    "x-motcua-access".into(),
                    serde_json::Value::String(spec.access.describe()),
                );
            }
        }
        doc
    })
    .clone()
}

pub fn routes(r: Routes) -> Routes {
    let r = system::routes(r);
    let r = identity::routes(r);
    let r = audit::routes(r);
    let r = calendar::routes(r);
    let r = catalog::routes(r);
    let r = decisions::routes(r);
    let r = outbox::routes(r);
    let r = dossiers::routes(r);
    let r = payments::routes(r);
    lookup::routes(r)
}
