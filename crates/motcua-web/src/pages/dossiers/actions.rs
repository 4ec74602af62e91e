//! The action forms of the dossier page, one route: the `action` field says which command. Each
//! is checked with the core permission rule over the shared unit scope first
//! ([`crate::dossier_access`], 403), then run through the store, which asks
//! the core (409 wrong state or stale page, 422 bad input — shown on the page in Vietnamese).

use super::input::FormInput;
use super::view::{build, channel_of, local_instant, pinned_version};
use super::{Directory, principal, refusal, roles_by_code};
use crate::AppState;
use crate::dossier_access;
use crate::extract::ReqCtx;
use crate::i18n::t;
use crate::pages::{HtmlError, render_status, safe_next};
use crate::problem::ApiError;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{NaiveDate, NaiveTime};
use motcua_core::catalog::WorkflowStep;
use motcua_core::dossiers::{
    Command, ComponentRef, Evaluation, ReturnMethod, StepVerdict, SupplementDraft, SupplementItemDraft, checklist,
};
use motcua_core::identity::UnitCode;
use motcua_store::StoreError;
use motcua_store::dossiers;
use motcua_store::files::{self, NewFile};

/// Most "other" papers one supplement request form offers.
pub const OTHER_LINES: usize = 3;

/// Input that cannot become a command: shown like a 422 from the store.
fn invalid(code: &'static str, message: &str) -> StoreError {
    StoreError::rejected(code, message.to_owned())
}

/// The partner agency's steps from the send form (rows `partner_name_N`, `partner_unit_N`,
/// `partner_slice_N`; a row left without name and slice is skipped). The store checks that each
/// unit is the agency or one of its units.
fn partner_steps(input: &FormInput, lang: crate::i18n::Lang) -> Result<Vec<WorkflowStep>, StoreError> {
    let mut steps = Vec::new();
    for n in 1..=super::view::PARTNER_ROWS {
        let name = input.get(&format!("partner_name_{n}")).trim();
        let slice = input.get(&format!("partner_slice_{n}")).trim();
        if name.is_empty() && slice.is_empty() {
            continue;
        }
        if name.is_empty() {
            return Err(invalid("partner_step_name_required", t(lang, "agency.err_step_name")));
        }
        let unit_code = UnitCode::parse(input.get(&format!("partner_unit_{n}")))
            .map_err(|_| invalid("partner_unit_unknown", t(lang, "agency.err_step_unit")))?;
        let slice = slice
            .parse()
            .map_err(|_| invalid("partner_step_slice_invalid", t(lang, "agency.err_step_slice")))?;
        steps.push(WorkflowStep {
            name: name.to_owned(),
            unit_code,
            slice,
        });
    }
    Ok(steps)
}

pub async fn act(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Path(id): Path<String>,
    input: FormInput,
) -> Result<Response, HtmlError> {
    let lang = ctx.lang;
    let who = principal(&ctx)?;
    let rec = dossiers::get(st.store.db(), &id)
        .await?
        .ok_or_else(|| HtmlError(ApiError::not_found(format!("dossier {id}"))))?;
    let dir = Directory::load(&st).await?;
    let roles = roles_by_code(who, &dir);
    let now = st.now();
    // The actor acts in the role (and unit) that permits the command here.
    let acting = |command: &Command| {
        dossier_access::acting_role(command, &roles, &rec).map(|(role, unit)| motcua_store::events::Actor {
            id: who.user_id.clone(),
            role: role.as_str().to_owned(),
            unit: unit.clone().unwrap_or_default(),
        })
    };
    let version: i64 = input.get("version").parse().unwrap_or(-1);
    let action = input.get("action").to_owned();

    let date = |name: &str| NaiveDate::parse_from_str(input.get(name), "%Y-%m-%d").ok();
    let text = |name: &str| input.get(name).to_owned();

    let command = match action.as_str() {
        "claim" => Ok(Command::Assign {
            assignee: who.user_id.clone(),
        }),
        "assign" => Ok(Command::Assign {
            assignee: text("assignee"),
        }),
        "hand_over" => Ok(Command::HandOver {
            receiver: text("receiver"),
            // The store computes the verdict from the step's slice; this one is replaced.
            verdict: StepVerdict::OnTime,
        }),
        "send_agency" => match UnitCode::parse(input.get("agency")) {
            Err(_) => Err(invalid("agency_invalid", t(lang, "desk.err_agency"))),
            Ok(agency) => partner_steps(&input, lang).map(|steps| Command::SendToAgency { agency, steps }),
        },
        "return_agency" => Ok(Command::ReturnFromAgency),
        "supplement_received" => Ok(Command::SupplementReceived { appointment: now }),
        "request_fee" => {
            let (_, v) = pinned_version(&st, &rec).await?;
            let lines = v
                .and_then(|v| checklist(&v, channel_of(&rec), rec.row.variant.as_deref()).ok())
                .map(|c| c.fees)
                .unwrap_or_default();
            let items: Vec<_> = lines
                .into_iter()
                .enumerate()
                .filter(|(i, _)| input.checked(&format!("fee_{i}")))
                .map(|(_, f)| f)
                .collect();
            Ok(Command::RequestFee { items })
        }
        "fee_paid" => match input.get("amount").replace(['.', ',', ' '], "").parse::<u64>() {
            Ok(amount) => Ok(Command::FeePaid {
                receipt: text("receipt"),
                amount,
            }),
            Err(_) => Err(invalid("amount_invalid", t(lang, "desk.err_amount"))),
        },
        "apology" => {
            let time = NaiveTime::parse_from_str(input.get("new_time"), "%H:%M")
                .ok()
                .or(NaiveTime::from_hms_opt(16, 30, 0));
            match (date("new_date"), time) {
                (Some(d), Some(tm)) => Ok(Command::IssueApology {
                    reason: text("reason"),
                    new_appointment: local_instant(d, tm),
                }),
                _ => Err(invalid("date_invalid", t(lang, "desk.err_date"))),
            }
        }
        "stop" => Ok(Command::Stop { reason: text("reason") }),
        "withdraw" => Ok(Command::Withdraw { reason: text("reason") }),
        "approve" => match date("date") {
            Some(d) => Ok(Command::Approve {
                number: text("number"),
                date: d,
            }),
            None => Err(invalid("date_invalid", t(lang, "desk.err_date"))),
        },
        "deny" => Ok(Command::Deny { reason: text("reason") }),
        "return" => match input.get("method") {
            "counter" => Ok(Command::ReturnResult {
                method: ReturnMethod::Counter {
                    received_by: text("received_by"),
                },
            }),
            "post" => Ok(Command::ReturnResult {
                method: ReturnMethod::Post {
                    tracking: text("tracking"),
                },
            }),
            "electronic" => Ok(Command::ReturnResult {
                method: ReturnMethod::Electronic,
            }),
            _ => Err(invalid("method_invalid", t(lang, "desk.err_method"))),
        },
        "evaluate" => {
            let mut scores = [0u8; 9];
            let mut bad = false;
            for (i, s) in scores.iter_mut().enumerate() {
                match input.get(&format!("score_{}", i + 1)).parse::<u8>() {
                    Ok(v) => *s = v,
                    Err(_) => bad = true,
                }
            }
            match Evaluation::new(scores) {
                Ok(scores) if !bad => Ok(Command::Evaluate { scores }),
                Ok(_) => Err(invalid("score_out_of_range", t(lang, "desk.err_scores"))),
                Err(e) => Err(invalid(e.code(), &e.message_vi())),
            }
        }
        "supplement" => {
            // Checked against the permission rule with a probe; the draft goes to the store.
            let probe = Command::RequestSupplement(motcua_core::dossiers::SupplementRequest {
                items: vec![],
                reason: String::new(),
                number: 0,
                repeated_request: false,
                repeat_reason: None,
            });
            let Some(actor) = acting(&probe) else {
                return Err(HtmlError(ApiError::forbidden()));
            };
            let (_, v) = pinned_version(&st, &rec).await?;
            let count = v.as_ref().map(|v| v.components.len()).unwrap_or(0);
            let mut items = Vec::new();
            for i in 0..count {
                if input.checked(&format!("component_{i}")) {
                    items.push(SupplementItemDraft::Component {
                        component: ComponentRef::Index(i),
                        note: input.opt(&format!("note_{i}")),
                    });
                }
            }
            for n in 1..=OTHER_LINES {
                let name = input.get(&format!("other_name_{n}"));
                let justification = input.get(&format!("other_justification_{n}"));
                if !name.is_empty() || !justification.is_empty() {
                    items.push(SupplementItemDraft::Other {
                        name: name.to_owned(),
                        justification: justification.to_owned(),
                    });
                }
            }
            let draft = SupplementDraft {
                items,
                reason: text("reason"),
                repeat_reason: input.opt("repeat_reason"),
            };
            return match dossiers::request_supplement(&st.store, st.deadlines(), &actor, now, &id, version, draft).await
            {
                Ok(_) => Ok(done(&id, "supplement", None)),
                Err(e) => fail(&st, &ctx, &id, e).await,
            };
        }
        _ => {
            return Err(HtmlError(
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_form").with_field("action"),
            ));
        }
    };
    let command = match command {
        Ok(c) => c,
        Err(e) => return fail(&st, &ctx, &id, e).await,
    };
    let Some(actor) = acting(&command) else {
        return Err(HtmlError(ApiError::forbidden()));
    };
    // Assignees and receivers must be people who exist (the core only checks non-empty).
    if let Command::Assign { assignee: p } | Command::HandOver { receiver: p, .. } = &command
        && !dir.users.iter().any(|u| &u.id == p && u.active)
    {
        return fail(&st, &ctx, &id, invalid("person_unknown", t(lang, "desk.err_person"))).await;
    }
    // The result document, when one is uploaded with the approval: stored first (checked by its
    // first bytes), attached once the decision is recorded.
    let mut result_file = None;
    if action == "approve"
        && let Some(up) = input.file("result_file")
    {
        match files::put(
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
            Ok(m) => result_file = Some(m.id),
            Err(e) => return fail(&st, &ctx, &id, e).await,
        }
    }
    match dossiers::apply_command_to(&st.store, st.deadlines(), &actor, now, rec, version, command).await {
        Ok(_) => {
            if let Some(file_id) = result_file {
                dossiers::attach_file(&st.store, &actor, now, &id, "result", &file_id).await?;
            }
            let back = input.opt("back").filter(|b| safe_next(b) == b.as_str());
            Ok(done(&id, &action, back))
        }
        Err(e) => fail(&st, &ctx, &id, e).await,
    }
}

/// The page again with the reason of the refusal (409/422); faults go on as errors.
async fn fail(st: &AppState, ctx: &ReqCtx, id: &str, e: StoreError) -> Result<Response, HtmlError> {
    match refusal(ctx.lang, &e) {
        Some((status, text)) => {
            let page = build(st, ctx, id, None, Some(text)).await?;
            Ok(render_status(status, &page))
        }
        None => Err(HtmlError::from(e)),
    }
}

fn done(id: &str, action: &str, back: Option<String>) -> Response {
    let key = format!("desk.ok_{action}");
    match back {
        Some(b) => {
            let sep = if b.contains('?') { '&' } else { '?' };
            Redirect::to(&format!("{b}{sep}ok={key}")).into_response()
        }
        None => Redirect::to(&format!("/ho-so/{id}?ok={key}")).into_response(),
    }
}
