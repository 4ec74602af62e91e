//! Desk intake (tiếp nhận hồ sơ tại Bộ phận Một cửa), channels 1 and 3: pick the procedure, the
//! channel and the case variant; enter the applicant; tick the checklist of the pinned
//! version's components with a scan each; then exactly one outcome — receive (Mẫu 01), guide to
//! complete (Mẫu 02) or refuse (Mẫu 03).
//!
//! The form carries a one-time intake key: submitting it twice finds the dossier the first
//! submission made instead of making a second one. When required components are missing on
//! "receive", the form comes back with their list and nothing is written (not even the scans).

use super::input::FormInput;
use super::{DESK, Directory, principal, refusal, roles_by_code};
use crate::AppState;
use crate::extract::ReqCtx;
use crate::i18n::{Lang, t};
use crate::pages::{HtmlError, PageCtx, render_status};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use motcua_core::catalog::{Channel, CopyType, ProcedureVersion, Requirement};
use motcua_core::dossiers::{Applicant, DossierError, Organisation, Person, checklist};
use motcua_store::catalog;
use motcua_store::dossiers::{self, Intake, IntakeOutcome, PresentComponent};
use motcua_store::files::{self, NewFile};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct IntakeQuery {
    #[serde(default)]
    q: String,
    procedure: Option<String>,
    channel: Option<u8>,
    variant: Option<String>,
}

pub struct Hit {
    pub id: String,
    pub code: String,
    pub name: String,
}

pub struct ItemLine {
    pub index: usize,
    pub name: String,
    /// The copy types the clerk may pick (code, label, selected): the papers handed in may
    /// differ from what the procedure lists.
    pub copy_options: Vec<(String, String, bool)>,
    pub quantity: u32,
    pub required: bool,
    pub condition: String,
    pub present: bool,
    pub wrong: bool,
}

pub struct Chosen {
    pub procedure_id: String,
    pub name: String,
    pub code: String,
    pub version: i64,
    /// (code, label, selected)
    pub channels: Vec<(u8, String, bool)>,
    /// (id, name, selected)
    pub variants: Vec<(String, String, bool)>,
    pub channel: u8,
    pub variant: String,
    pub items: Vec<ItemLine>,
    pub time_limit: String,
    pub fees: String,
}

/// What the clerk typed, kept when the form comes back with problems.
#[derive(Default, Clone)]
pub struct Values {
    pub kind: String,
    pub full_name: String,
    pub citizen_id: String,
    pub phone: String,
    pub email: String,
    pub address: String,
    pub org_name: String,
    pub tax_code: String,
    pub representative: String,
    pub outcome: String,
    pub reason: String,
    pub missing_other: String,
    pub intake_key: String,
}

#[derive(Template)]
#[template(path = "dossier_intake.html")]
struct IntakePage {
    ctx: PageCtx,
    q: String,
    hits: Vec<Hit>,
    chosen: Option<Chosen>,
    v: Values,
    problems: Vec<String>,
}

pub(crate) fn copy_type_label(lang: Lang, c: &str) -> String {
    crate::i18n::try_t(lang, &format!("desk.copy_{c}"))
        .unwrap_or(c)
        .to_owned()
}

const COPY_TYPES: [CopyType; 4] = [
    CopyType::Original,
    CopyType::Copy,
    CopyType::CertifiedCopy,
    CopyType::Electronic,
];

/// The copy type the clerk picked for component `index` (`copy_{index}`), if any.
fn picked_copy_type(input: &FormInput, index: usize) -> Option<CopyType> {
    let code = input.get(&format!("copy_{index}"));
    COPY_TYPES.into_iter().find(|c| copy_code(*c) == code)
}

/// The number of copies the clerk entered for component `index` (`qty_{index}`), if a number.
fn entered_quantity(input: &FormInput, index: usize) -> Option<u32> {
    input.get(&format!("qty_{index}")).parse().ok()
}

fn copy_code(c: CopyType) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn desk_channels(v: &ProcedureVersion) -> Vec<Channel> {
    [Channel::InPerson, Channel::Postal]
        .into_iter()
        .filter(|c| v.channel(*c).is_some())
        .collect()
}

fn today(st: &AppState) -> chrono::NaiveDate {
    super::local(st.now()).date_naive()
}

async fn pinned(st: &AppState, procedure: &str) -> Result<Option<(String, String, i64, ProcedureVersion)>, HtmlError> {
    let db = st.store.db();
    let Some(p) = catalog::procedure_by_code(db, procedure).await? else {
        return Ok(None);
    };
    let Some(v) = catalog::in_force(db, &p.id, today(st)).await? else {
        return Ok(None);
    };
    let Ok(doc) = serde_json::from_str::<ProcedureVersion>(&v.document) else {
        return Ok(None);
    };
    let code = p.applied_code.clone().or(p.national_code.clone()).unwrap_or_default();
    Ok(Some((p.id, code, v.number, doc)))
}

/// The chosen procedure with its checklist for a channel and variant; `present` and `wrong`
/// tick the lines again when the form comes back.
fn chosen(
    lang: Lang,
    (id, code, number): (String, String, i64),
    v: &ProcedureVersion,
    channel: Option<u8>,
    variant: Option<&str>,
    input: Option<&FormInput>,
) -> Chosen {
    let offered = desk_channels(v);
    let channel = channel
        .and_then(Channel::from_code)
        .filter(|c| offered.contains(c))
        .or(offered.first().copied())
        .unwrap_or(Channel::InPerson);
    let variant = variant.filter(|x| v.variants.iter().any(|w| w.id == *x));
    let list = checklist(v, channel, variant).ok();
    let items = list
        .as_ref()
        .map(|l| {
            l.items
                .iter()
                .map(|i| ItemLine {
                    index: i.index,
                    name: i.name.clone(),
                    copy_options: {
                        let chosen = input.and_then(|f| picked_copy_type(f, i.index)).unwrap_or(i.copy_type);
                        COPY_TYPES
                            .iter()
                            .map(|c| (copy_code(*c), copy_type_label(lang, &copy_code(*c)), *c == chosen))
                            .collect()
                    },
                    quantity: input.and_then(|f| entered_quantity(f, i.index)).unwrap_or(i.quantity),
                    required: i.requirement == Requirement::Required,
                    condition: i.condition.clone().unwrap_or_default(),
                    present: input.is_some_and(|f| f.checked(&format!("present_{}", i.index))),
                    wrong: input.is_some_and(|f| f.checked(&format!("wrong_{}", i.index))),
                })
                .collect()
        })
        .unwrap_or_default();
    let spec = v.channel(channel);
    Chosen {
        procedure_id: id,
        name: v.name.clone(),
        code,
        version: number,
        channels: offered
            .iter()
            .map(|c| {
                (
                    c.code(),
                    t(lang, &format!("desk.channel_{}", c.code())).to_owned(),
                    *c == channel,
                )
            })
            .collect(),
        variants: v
            .variants
            .iter()
            .map(|w| (w.id.clone(), w.name.clone(), Some(w.id.as_str()) == variant))
            .collect(),
        channel: channel.code(),
        variant: variant.unwrap_or_default().to_owned(),
        items,
        time_limit: spec
            .and_then(|s| s.time_limit)
            .map(super::duration_vi)
            .unwrap_or_else(|| {
                if spec.is_some_and(|s| s.same_day) {
                    "Trong ngày".into()
                } else {
                    v.time_limit_text.clone()
                }
            }),
        fees: if v.free_of_charge {
            t(lang, "desk.free_of_charge").to_owned()
        } else {
            v.fees_text.clone()
        },
    }
}

fn new_key() -> String {
    uuid_like()
}

/// A random one-time key for the intake form (128 bits, hex).
fn uuid_like() -> String {
    let mut b = [0u8; 16];
    let _ = getrandom::fill(&mut b);
    hex::encode(b)
}

pub async fn form(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Query(q): Query<IntakeQuery>,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let mut hits = Vec::new();
    let mut chosen_p = None;
    if let Some(pid) = q.procedure.as_deref().filter(|p| !p.is_empty())
        && let Some((id, code, number, v)) = pinned(&st, pid).await?
    {
        chosen_p = Some(chosen(
            lang,
            (id, code, number),
            &v,
            q.channel,
            q.variant.as_deref(),
            None,
        ));
    }
    if chosen_p.is_none() {
        for h in catalog::search(st.store.db(), today(&st), &q.q, &Default::default()).await? {
            let Ok(v) = serde_json::from_str::<ProcedureVersion>(&h.version.document) else {
                continue;
            };
            if desk_channels(&v).is_empty() {
                continue;
            }
            hits.push(Hit {
                id: h.version.procedure_id.clone(),
                code: v
                    .applied_code
                    .as_ref()
                    .map(|c| c.as_str().to_owned())
                    .or(v.national_code.as_ref().map(|c| c.as_str().to_owned()))
                    .unwrap_or_default(),
                name: v.name.clone(),
            });
        }
    }
    let v = Values {
        kind: "person".into(),
        outcome: "receive".into(),
        intake_key: new_key(),
        ..Default::default()
    };
    Ok(render_status(
        StatusCode::OK,
        &IntakePage {
            ctx: PageCtx::new(&ctx),
            q: q.q,
            hits,
            chosen: chosen_p,
            v,
            problems: vec![],
        },
    ))
}

fn values(f: &FormInput) -> Values {
    Values {
        kind: if f.get("kind") == "organisation" {
            "organisation"
        } else {
            "person"
        }
        .into(),
        full_name: f.get("full_name").into(),
        citizen_id: f.get("citizen_id").into(),
        phone: f.get("phone").into(),
        email: f.get("email").into(),
        address: f.get("address").into(),
        org_name: f.get("org_name").into(),
        tax_code: f.get("tax_code").into(),
        representative: f.get("representative").into(),
        outcome: f.get("outcome").into(),
        reason: f.get("reason").into(),
        missing_other: f.get("missing_other").into(),
        intake_key: f.get("intake_key").into(),
    }
}

fn applicant(v: &Values) -> Applicant {
    let opt = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    if v.kind == "organisation" {
        Applicant::Organisation(Organisation {
            name: v.org_name.trim().into(),
            tax_code: v.tax_code.trim().into(),
            representative: v.representative.trim().into(),
            phone: v.phone.trim().into(),
            email: opt(&v.email),
            address: opt(&v.address),
        })
    } else {
        Applicant::Person(Person {
            full_name: v.full_name.trim().into(),
            citizen_id: v.citizen_id.trim().into(),
            phone: v.phone.trim().into(),
            email: opt(&v.email),
            address: opt(&v.address),
        })
    }
}

pub async fn submit(State(st): State<AppState>, ctx: ReqCtx, input: FormInput) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let who = principal(&ctx)?;
    let dir = Directory::load(&st).await?;
    let v = values(&input);
    let Some((id, code, number, version)) = pinned(&st, input.get("procedure")).await? else {
        return Err(HtmlError(crate::problem::ApiError::unprocessable(
            "procedure_not_in_force",
            "procedure",
        )));
    };
    let channel_code: u8 = input.get("channel").parse().unwrap_or(1);
    let variant = input.opt("variant");
    let page = |problems: Vec<String>, status: StatusCode, v: Values| {
        let c = chosen(
            lang,
            (id.clone(), code.clone(), number),
            &version,
            Some(channel_code),
            variant.as_deref(),
            Some(&input),
        );
        let mut pc = PageCtx::new(&ctx);
        pc.error = Some(t(lang, "desk.fix_problems").to_owned());
        render_status(
            status,
            &IntakePage {
                ctx: pc,
                q: String::new(),
                hits: vec![],
                chosen: Some(c),
                v,
                problems,
            },
        )
    };
    // A second submission of the same form: the dossier already exists.
    if !v.intake_key.is_empty()
        && let Some(row) = dossiers::by_intake_key(st.store.db(), &v.intake_key).await?
    {
        return Ok(Redirect::to(&format!("/ho-so/{}?ok=desk.ok_already_recorded", row.id)).into_response());
    }
    let Some(channel) = Channel::from_code(channel_code).filter(|c| desk_channels(&version).contains(c)) else {
        return Ok(page(
            vec![t(lang, "desk.err_channel").to_owned()],
            StatusCode::UNPROCESSABLE_ENTITY,
            v,
        ));
    };
    let Some(unit) = roles_by_code(who, &dir)
        .into_iter()
        .filter(|(r, _)| DESK.contains(r))
        .find_map(|(_, u)| u)
    else {
        return Ok(page(
            vec![t(lang, "desk.err_no_unit").to_owned()],
            StatusCode::UNPROCESSABLE_ENTITY,
            v,
        ));
    };
    let list = match checklist(&version, channel, variant.as_deref()) {
        Ok(l) => l,
        Err(e) => return Ok(page(vec![e.message_vi()], StatusCode::UNPROCESSABLE_ENTITY, v)),
    };
    let a = applicant(&v);
    let problems: Vec<String> = a
        .validate()
        .iter()
        .map(|p| {
            if lang == Lang::Vi {
                p.message_vi()
            } else {
                p.message_en()
            }
        })
        .collect();
    if !problems.is_empty() {
        return Ok(page(problems, StatusCode::UNPROCESSABLE_ENTITY, v));
    }
    let present: Vec<usize> = list
        .items
        .iter()
        .map(|i| i.index)
        .filter(|i| input.checked(&format!("present_{i}")))
        .collect();
    let outcome = match v.outcome.as_str() {
        "receive" => {
            if let Err(DossierError::MissingComponents { missing }) = list.check(&present) {
                let mut lines = vec![t(lang, "desk.missing_required").to_owned()];
                lines.extend(missing.iter().map(|m| m.name.clone()));
                return Ok(page(lines, StatusCode::UNPROCESSABLE_ENTITY, v));
            }
            IntakeOutcome::Receive
        }
        "guide" => {
            let mut missing: Vec<String> = list
                .items
                .iter()
                .filter(|i| {
                    (i.requirement == Requirement::Required && !present.contains(&i.index))
                        || input.checked(&format!("wrong_{}", i.index))
                })
                .map(|i| i.name.clone())
                .collect();
            missing.extend(
                v.missing_other
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned),
            );
            if missing.is_empty() {
                return Ok(page(
                    vec![t(lang, "desk.err_guide_nothing").to_owned()],
                    StatusCode::UNPROCESSABLE_ENTITY,
                    v,
                ));
            }
            IntakeOutcome::GuideToComplete {
                missing,
                reason: v.reason.clone(),
            }
        }
        "refuse" => IntakeOutcome::Refuse {
            reason: v.reason.clone(),
        },
        _ => {
            return Ok(page(
                vec![t(lang, "desk.err_outcome").to_owned()],
                StatusCode::UNPROCESSABLE_ENTITY,
                v,
            ));
        }
    };
    if !matches!(outcome, IntakeOutcome::Receive) && v.reason.is_empty() {
        return Ok(page(
            vec![t(lang, "desk.err_reason").to_owned()],
            StatusCode::UNPROCESSABLE_ENTITY,
            v,
        ));
    }
    let actor = who.actor();
    let now = st.now();
    // Scans last: only a dossier that will be written gets its files stored.
    let mut with_files = Vec::new();
    for i in &present {
        let file_id = match input.file(&format!("scan_{i}")) {
            Some(up) => match files::put(
                &st.store,
                &actor,
                now,
                NewFile {
                    name: up.name.clone(),
                    bytes: up.bytes.clone(),
                },
            )
            .await
            {
                Ok(m) => Some(m.id),
                Err(e) => match refusal(lang, &e) {
                    Some((status, text)) => return Ok(page(vec![format!("{}: {text}", up.name)], status, v)),
                    None => return Err(e.into()),
                },
            },
            None => None,
        };
        with_files.push(PresentComponent {
            index: *i,
            file_id,
            copy_type: picked_copy_type(&input, *i),
            quantity: entered_quantity(&input, *i),
        });
    }
    let ok_key = match &outcome {
        IntakeOutcome::Receive => "desk.ok_received",
        IntakeOutcome::GuideToComplete { .. } => "desk.ok_guided",
        IntakeOutcome::Refuse { .. } => "desk.ok_refused",
    };
    let intake = Intake {
        procedure: id.clone(),
        channel,
        variant: variant.clone(),
        applicant: a,
        present: with_files,
        receiving_unit: unit,
        outcome,
        intake_key: Some(v.intake_key.clone()).filter(|k| !k.is_empty()),
    };
    match dossiers::receive(&st.store, st.deadlines(), &actor, now, intake).await {
        Ok(row) => Ok(Redirect::to(&format!("/ho-so/{}?ok={ok_key}", row.id)).into_response()),
        Err(motcua_store::StoreError::Conflict(_)) if !v.intake_key.is_empty() => {
            // Two submissions at once: the other one made the dossier.
            match dossiers::by_intake_key(st.store.db(), &v.intake_key).await? {
                Some(row) => {
                    Ok(Redirect::to(&format!("/ho-so/{}?ok=desk.ok_already_recorded", row.id)).into_response())
                }
                None => Ok(page(
                    vec![t(lang, "desk.err_conflict").to_owned()],
                    StatusCode::CONFLICT,
                    v,
                )),
            }
        }
        Err(e) => match refusal(lang, &e) {
            Some((status, text)) => Ok(page(vec![text], status, v)),
            None => Err(e.into()),
        },
    }
}
