//! Official forms of a dossier as PDF (`/ho-so/{id}/phieu/<form>.pdf`), the tracking ledger
//! for a period as PDF and XLSX, and downloads of scans and result documents. The form set is
//! chosen by the receipt date (TT 01/2018 before 1 July 2025, TT 03/2025 from then).

use super::view::{applicant_of, forms_of, pinned_version, regime_of};
use super::{Directory, local_naive};
use crate::AppState;
use crate::extract::ReqCtx;
use crate::pages::HtmlError;
use crate::problem::ApiError;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use motcua_core::catalog::CopyType;
use motcua_core::dossiers::{Command, FormKind, FormSet, StepVerdict};
use motcua_docs::pdf::{
    self, ApologyData, ApplicantInfo, ControlSlipData, ControlSlipRow, FormData, Issuer, LedgerData, LedgerRow,
    ReceiptData, ReceivedComponent, RefusalData, Signer, StopNoticeData, SupplementData, SupplementItem,
};
use motcua_store::dossiers::{self, DossierRecord, HistoryEntry};
use motcua_store::time::to_us;
use serde::Deserialize;

fn not_found(what: &str) -> HtmlError {
    HtmlError(ApiError::not_found(what.to_owned()))
}

fn issuer(dir: &Directory, unit: &str, date: NaiveDate) -> Issuer {
    let agency = dir
        .unit_by_code(unit)
        .and_then(|u| u.parent_id.as_deref())
        .and_then(|p| dir.units.iter().find(|x| x.id == p))
        .map(|u| u.name.clone())
        .unwrap_or_default();
    Issuer {
        agency,
        unit: dir.unit_name(unit),
        place: dir.place(unit),
        date,
    }
}

fn file_response(bytes: Vec<u8>, content_type: &str, name: &str) -> Response {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"{ascii}\"")),
        ],
        bytes,
    )
        .into_response()
}

fn pdf_response(set: &FormSet, data: &FormData, name: &str) -> Result<Response, HtmlError> {
    let bytes = pdf::render(set, data).map_err(|e| {
        HtmlError(ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "form_not_available").with_detail(e.to_string()))
    })?;
    Ok(file_response(bytes, "application/pdf", name))
}

fn copy_type(s: &str) -> CopyType {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).unwrap_or(CopyType::Copy)
}

fn event_at(h: &HistoryEntry) -> chrono::NaiveDateTime {
    local_naive(to_us(h.event.at))
}

#[derive(Deserialize, Default)]
pub struct FormQuery {
    /// Which supplement request (1-based); the last one by default.
    lan: Option<usize>,
}

pub async fn form_pdf(
    State(st): State<AppState>,
    _ctx: ReqCtx,
    Path((id, file)): Path<(String, String)>,
    Query(q): Query<FormQuery>,
) -> Result<Response, HtmlError> {
    let slug = file.strip_suffix(".pdf").ok_or_else(|| not_found(&file))?;
    let rec = dossiers::get(st.store.db(), &id).await?.ok_or_else(|| not_found(&id))?;
    let history = dossiers::history(st.store.db(), &id).await?;
    let kind = forms_of(&rec, &history)
        .into_iter()
        .find(|(s, _)| *s == slug)
        .map(|(_, k)| k)
        .ok_or_else(|| not_found(&file))?;
    let dir = Directory::load(&st).await?;
    let set = regime_of(&rec);
    let data = form_data(&st, &dir, &rec, &history, slug, kind, q.lan).await?;
    let name = format!(
        "{}-{slug}.pdf",
        rec.row.code.clone().unwrap_or_else(|| rec.row.id.clone())
    );
    pdf_response(&set, &data, &name)
}

async fn form_data(
    st: &AppState,
    dir: &Directory,
    rec: &DossierRecord,
    history: &[HistoryEntry],
    slug: &str,
    kind: FormKind,
    nth: Option<usize>,
) -> Result<FormData, HtmlError> {
    let applicant: ApplicantInfo = applicant_of(rec).as_ref().map(ApplicantInfo::from).unwrap_or_default();
    let code = rec.row.code.clone().unwrap_or_default();
    let unit = rec.row.receiving_unit.as_str();
    let received_at = rec.row.received_at.map(local_naive);
    let find = |f: &dyn Fn(&Command) -> bool| history.iter().rev().find(|h| f(&h.event.command));
    let missing = || not_found(slug);
    Ok(match (kind, slug) {
        (FormKind::Receipt, _) => {
            let h = find(&|c| matches!(c, Command::Receive { .. })).ok_or_else(missing)?;
            let (_, version) = pinned_version(st, rec).await?;
            let channel = super::view::channel_of(rec);
            let spec = version.as_ref().and_then(|v| v.channel(channel));
            FormData::Receipt(ReceiptData {
                issuer: issuer(dir, unit, event_at(h).date()),
                dossier_code: code,
                procedure_name: rec.row.procedure_name.clone(),
                applicant,
                components: rec
                    .components
                    .iter()
                    .filter(|c| c.present)
                    .map(|c| ReceivedComponent {
                        name: c.name.clone(),
                        copy_type: copy_type(&c.copy_type),
                        quantity: u32::try_from(c.quantity).unwrap_or(1),
                    })
                    .collect(),
                sets: 1,
                processing_time: spec.and_then(|s| s.time_limit).map(super::duration_vi),
                received_at: event_at(h),
                appointment_at: rec.row.original_appointment.map(local_naive).unwrap_or(event_at(h)),
                return_place: if rec.row.channel == 3 {
                    "Qua dịch vụ bưu chính công ích".into()
                } else {
                    format!("Bộ phận Một cửa — {}", dir.unit_name(unit))
                },
                fees: version.as_ref().map(|v| {
                    if v.free_of_charge {
                        "Miễn phí, lệ phí".into()
                    } else {
                        v.fees_text.clone()
                    }
                }),
                ledger_book: None,
                ledger_entry: None,
                clerk: dir.person(&h.row.actor_id),
            })
        }
        (FormKind::SupplementRequest, "huong-dan") => {
            let h = find(&|c| matches!(c, Command::GuideToComplete { .. })).ok_or_else(missing)?;
            let Command::GuideToComplete {
                missing: items, reason, ..
            } = &h.event.command
            else {
                return Err(missing());
            };
            FormData::SupplementRequest(SupplementData {
                issuer: issuer(dir, unit, event_at(h).date()),
                number: None,
                dossier_code: None,
                procedure_name: rec.row.procedure_name.clone(),
                applicant,
                items: items
                    .iter()
                    .map(|n| SupplementItem {
                        name: n.clone(),
                        note: None,
                        justification: None,
                    })
                    .collect(),
                reason: reason.clone(),
                published_at: None,
                contact_name: Some(dir.person(&h.row.actor_id)),
                contact_phone: None,
                guide: dir.person(&h.row.actor_id),
            })
        }
        (FormKind::SupplementRequest, _) => {
            let requests: Vec<&HistoryEntry> = history
                .iter()
                .filter(|h| matches!(h.event.command, Command::RequestSupplement(_)))
                .collect();
            let h = match nth {
                Some(n) => requests.get(n.wrapping_sub(1)).copied(),
                None => requests.last().copied(),
            }
            .ok_or_else(missing)?;
            let Command::RequestSupplement(r) = &h.event.command else {
                return Err(missing());
            };
            FormData::SupplementRequest(SupplementData {
                issuer: issuer(dir, &rec.row.current_unit, event_at(h).date()),
                number: Some(r.number.to_string()),
                dossier_code: Some(code),
                procedure_name: rec.row.procedure_name.clone(),
                applicant,
                items: SupplementData::items_of(r),
                reason: match &r.repeat_reason {
                    Some(x) => format!("{} ({x})", r.reason),
                    None => r.reason.clone(),
                },
                published_at: None,
                contact_name: Some(dir.person(&h.row.actor_id)),
                contact_phone: None,
                guide: dir.person(&h.row.actor_id),
            })
        }
        (FormKind::Refusal, _) => {
            let h =
                find(&|c| matches!(c, Command::RefuseAtIntake { .. } | Command::Deny { .. })).ok_or_else(missing)?;
            let (reason, title) = match &h.event.command {
                Command::RefuseAtIntake { reason } => (reason.clone(), "Người tiếp nhận hồ sơ"),
                Command::Deny { reason } => (reason.clone(), "Thủ trưởng cơ quan"),
                _ => return Err(missing()),
            };
            FormData::Refusal(RefusalData {
                issuer: issuer(dir, unit, event_at(h).date()),
                number: None,
                dossier_code: rec.row.code.clone(),
                procedure_name: rec.row.procedure_name.clone(),
                applicant,
                reason,
                signer: Signer {
                    title: title.into(),
                    name: dir.person(&h.row.actor_id),
                },
            })
        }
        (FormKind::Apology, _) => {
            let h = find(&|c| matches!(c, Command::IssueApology { .. })).ok_or_else(missing)?;
            let Command::IssueApology {
                reason,
                new_appointment,
            } = &h.event.command
            else {
                return Err(missing());
            };
            let old = h
                .event
                .previous_appointment
                .map(|a| local_naive(to_us(a)))
                .unwrap_or(event_at(h));
            FormData::Apology(ApologyData {
                issuer: issuer(dir, &rec.row.current_unit, event_at(h).date()),
                number: None,
                dossier_code: code,
                procedure_name: rec.row.procedure_name.clone(),
                applicant,
                received_at: received_at.unwrap_or(event_at(h)),
                old_appointment_at: old,
                new_appointment_at: local_naive(to_us(*new_appointment)),
                reason: reason.clone(),
                signer: Signer {
                    title: "Thủ trưởng cơ quan".into(),
                    name: dir.person(&h.row.actor_id),
                },
            })
        }
        (FormKind::StopNotice, _) => {
            let h = find(&|c| matches!(c, Command::Stop { .. })).ok_or_else(missing)?;
            let Command::Stop { reason } = &h.event.command else {
                return Err(missing());
            };
            FormData::StopNotice(StopNoticeData {
                issuer: issuer(dir, &rec.row.current_unit, event_at(h).date()),
                number: None,
                dossier_code: code,
                procedure_name: rec.row.procedure_name.clone(),
                applicant,
                received_at: received_at.unwrap_or(event_at(h)),
                legal_basis: None,
                reason: reason.clone(),
                signer: Signer {
                    title: "Thủ trưởng cơ quan".into(),
                    name: dir.person(&h.row.actor_id),
                },
            })
        }
        (FormKind::ControlSlip, _) => FormData::ControlSlip(control_slip(dir, rec, history, applicant)?),
        (FormKind::Ledger, _) => return Err(missing()),
    })
}

fn parse_verdict(v: &str) -> Option<StepVerdict> {
    match v {
        "early" => Some(StepVerdict::Early),
        "on_time" => Some(StepVerdict::OnTime),
        "late" => Some(StepVerdict::Late),
        _ => None,
    }
}

/// Mẫu 05 / 06: one row per hand-over, and the inter-agency sendings and returns, in order.
fn control_slip(
    dir: &Directory,
    rec: &DossierRecord,
    history: &[HistoryEntry],
    applicant: ApplicantInfo,
) -> Result<ControlSlipData, HtmlError> {
    let received = rec
        .row
        .received_at
        .map(local_naive)
        .ok_or_else(|| not_found("receipt"))?;
    let mut rows = Vec::new();
    let mut step = 0usize;
    let mut partners: Vec<String> = Vec::new();
    // Whether the liên thông under way has the partner's own steps (then send, hand-overs
    // inside the partner and return each close a step row).
    let mut partner_part = false;
    // "unit – name" of a step row, marked liên thông with its agency on the partner's rows.
    let step_label = |i: usize| {
        rec.steps
            .get(i)
            .map(|s| {
                let base = format!("{} – {}", dir.unit_name(&s.unit_code), s.name);
                match &s.agency_code {
                    Some(a) => format!("Liên thông ({}): {base}", dir.unit_name(a)),
                    None => base,
                }
            })
            .unwrap_or_default()
    };
    let row_verdict = |i: usize| {
        rec.steps
            .get(i)
            .and_then(|s| s.verdict.as_deref())
            .and_then(parse_verdict)
    };
    for h in history {
        match &h.event.command {
            Command::HandOver { receiver, verdict } => {
                rows.push(ControlSlipRow {
                    step: step_label(step),
                    giver: dir.person(&h.row.actor_id),
                    receiver: dir.person(receiver),
                    handed_over_at: event_at(h),
                    verdict: Some(*verdict),
                    note: None,
                });
                step += 1;
            }
            Command::SendToAgency { agency, steps } => {
                let name = dir.unit_name(agency.as_str());
                if !partners.contains(&name) {
                    partners.push(name.clone());
                }
                partner_part = !steps.is_empty();
                if partner_part {
                    rows.push(ControlSlipRow {
                        step: step_label(step),
                        giver: dir.person(&h.row.actor_id),
                        receiver: name,
                        handed_over_at: event_at(h),
                        verdict: row_verdict(step),
                        note: Some("Chuyển liên thông".into()),
                    });
                    step += 1;
                } else {
                    rows.push(ControlSlipRow {
                        step: format!("Chuyển liên thông: {name}"),
                        giver: dir.person(&h.row.actor_id),
                        receiver: name,
                        handed_over_at: event_at(h),
                        verdict: None,
                        note: None,
                    });
                }
            }
            Command::ReturnFromAgency if partner_part => {
                rows.push(ControlSlipRow {
                    step: step_label(step),
                    giver: dir.person(&h.row.actor_id),
                    receiver: dir.unit_name(&rec.row.receiving_unit),
                    handed_over_at: event_at(h),
                    verdict: row_verdict(step),
                    note: Some("Nhận lại hồ sơ liên thông".into()),
                });
                step += 1;
                partner_part = false;
            }
            Command::ReturnFromAgency => rows.push(ControlSlipRow {
                step: "Nhận lại hồ sơ liên thông".into(),
                giver: partners.last().cloned().unwrap_or_default(),
                receiver: dir.person(&h.row.actor_id),
                handed_over_at: event_at(h),
                verdict: None,
                note: None,
            }),
            _ => {}
        }
    }
    let mut lead: Vec<String> = Vec::new();
    for s in &rec.steps {
        let n = dir.unit_name(&s.unit_code);
        if s.agency_code.is_none() && s.unit_code != rec.row.receiving_unit && !lead.contains(&n) {
            lead.push(n);
        }
    }
    Ok(ControlSlipData {
        issuer: issuer(dir, &rec.row.receiving_unit, received.date()),
        dossier_code: rec.row.code.clone().unwrap_or_default(),
        applicant,
        procedure_name: rec.row.procedure_name.clone(),
        received_at: received,
        appointment_at: rec.row.appointment.map(local_naive).unwrap_or(received),
        lead_agency: if lead.is_empty() {
            dir.unit_name(&rec.row.receiving_unit)
        } else {
            lead.join("; ")
        },
        cooperating_agencies: Some(partners.join("; ")).filter(|s| !s.is_empty()),
        rows,
    })
}

#[derive(Deserialize, Default)]
pub struct LedgerQuery {
    from: Option<String>,
    to: Option<String>,
}

/// The period asked for (inclusive days, UTC+7); the current month by default.
fn period(st: &AppState, q: &LedgerQuery) -> Result<(NaiveDate, NaiveDate), HtmlError> {
    let today = super::local(st.now()).date_naive();
    let parse = |s: &Option<String>, default: NaiveDate| match s.as_deref().filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| HtmlError(ApiError::unprocessable("date_invalid", "from/to"))),
    };
    let first =
        NaiveDate::from_ymd_opt(chrono::Datelike::year(&today), chrono::Datelike::month(&today), 1).unwrap_or(today);
    let from = parse(&q.from, first)?;
    let to = parse(&q.to, today)?;
    if to < from {
        return Err(HtmlError(ApiError::unprocessable("period_invalid", "to")));
    }
    Ok((from, to))
}

async fn ledger_rows(
    st: &AppState,
    dir: &Directory,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<LedgerRow>, HtmlError> {
    let start = super::view::local_instant(from, chrono::NaiveTime::MIN);
    let end = super::view::local_instant(to + chrono::Duration::days(1), chrono::NaiveTime::MIN);
    let mut rows = Vec::new();
    for r in dossiers::received_between(st.store.db(), start, end).await? {
        let history = dossiers::history(st.store.db(), &r.id).await?;
        let first = |f: &dyn Fn(&Command) -> bool| {
            history
                .iter()
                .find(|h| f(&h.event.command))
                .map(|h| local_naive(to_us(h.event.at)))
        };
        let applicant = serde_json::from_str::<motcua_core::dossiers::Applicant>(&r.applicant).ok();
        let contact = applicant.as_ref().map(ApplicantInfo::from).map(|a| {
            [a.address, a.phone]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ")
        });
        let steps_unit = dossiers::get(st.store.db(), &r.id).await?.and_then(|rec| {
            rec.steps
                .iter()
                .find(|s| s.unit_code != rec.row.receiving_unit)
                .map(|s| dir.unit_name(&s.unit_code))
        });
        rows.push(LedgerRow {
            dossier_code: r.code.clone().unwrap_or_default(),
            procedure_name: r.procedure_name.clone(),
            sets: 1,
            applicant_name: r.applicant_name.clone(),
            applicant_contact: contact.filter(|s| !s.is_empty()),
            lead_agency: steps_unit,
            received_at: r.received_at.map(local_naive).unwrap_or_default(),
            appointment_at: r.appointment.map(local_naive),
            sent_at: first(&|c| matches!(c, Command::HandOver { .. })),
            result_received_at: first(&|c| matches!(c, Command::Approve { .. } | Command::Deny { .. })),
            returned_at: first(&|c| matches!(c, Command::ReturnResult { .. })),
            note: Some(super::state_label(crate::i18n::Lang::Vi, &r.state)),
        });
    }
    Ok(rows)
}

/// The unit whose name heads the ledger: the caller's own unit, else the first desk.
fn ledger_unit(ctx: &ReqCtx, dir: &Directory) -> String {
    ctx.principal
        .as_ref()
        .and_then(|p| p.roles.iter().find_map(|(_, u)| u.clone()))
        .and_then(|id| dir.code_of_unit_id(&id))
        .or_else(|| dir.units.iter().find(|u| u.kind == "desk").map(|u| u.code.clone()))
        .unwrap_or_default()
}

pub async fn ledger_pdf(
    State(st): State<AppState>,
    ctx: ReqCtx,
    Query(q): Query<LedgerQuery>,
) -> Result<Response, HtmlError> {
    let (from, to) = period(&st, &q)?;
    let dir = Directory::load(&st).await?;
    let rows = ledger_rows(&st, &dir, from, to).await?;
    let set = FormSet::for_receipt(to);
    let data = FormData::Ledger(LedgerData {
        issuer: issuer(&dir, &ledger_unit(&ctx, &dir), super::local(st.now()).date_naive()),
        book: None,
        from,
        to,
        rows,
    });
    pdf_response(&set, &data, &format!("so-theo-doi-{from}-{to}.pdf"))
}

pub async fn ledger_xlsx(
    State(st): State<AppState>,
    _ctx: ReqCtx,
    Query(q): Query<LedgerQuery>,
) -> Result<Response, HtmlError> {
    let (from, to) = period(&st, &q)?;
    let dir = Directory::load(&st).await?;
    let rows = ledger_rows(&st, &dir, from, to).await?;
    let fmt = |t: Option<chrono::NaiveDateTime>| t.map(|t| t.format("%H:%M %d/%m/%Y").to_string()).unwrap_or_default();
    let headers = [
        "STT",
        "Mã hồ sơ",
        "Tên thủ tục hành chính",
        "Số lượng hồ sơ (bộ)",
        "Tên cá nhân, tổ chức",
        "Địa chỉ, số điện thoại",
        "Cơ quan chủ trì giải quyết",
        "Nhận hồ sơ",
        "Hẹn trả kết quả",
        "Chuyển hồ sơ đến cơ quan giải quyết",
        "Nhận kết quả từ cơ quan giải quyết",
        "Trả kết quả cho tổ chức, cá nhân",
        "Ghi chú",
    ];
    let table: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                (i + 1).to_string(),
                r.dossier_code.clone(),
                r.procedure_name.clone(),
                r.sets.to_string(),
                r.applicant_name.clone(),
                r.applicant_contact.clone().unwrap_or_default(),
                r.lead_agency.clone().unwrap_or_default(),
                fmt(Some(r.received_at)),
                fmt(r.appointment_at),
                fmt(r.sent_at),
                fmt(r.result_received_at),
                fmt(r.returned_at),
                r.note.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let bytes = motcua_docs::xlsx::write_table("So theo doi ho so", &headers, &table)
        .map_err(|e| HtmlError(ApiError::internal().with_detail(e.to_string())))?;
    Ok(file_response(
        bytes,
        motcua_store::files::XLSX,
        &format!("so-theo-doi-{from}-{to}.xlsx"),
    ))
}

/// A scan or an attached document of the dossier (only files the dossier refers to).
pub async fn download(
    State(st): State<AppState>,
    _ctx: ReqCtx,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    let rec = dossiers::get(st.store.db(), &id).await?.ok_or_else(|| not_found(&id))?;
    let referenced = rec
        .components
        .iter()
        .any(|c| c.file_id.as_deref() == Some(file.as_str()))
        || dossiers::attachments(st.store.db(), &id)
            .await?
            .iter()
            .any(|a| a.file_id == file);
    if !referenced {
        return Err(not_found(&file));
    }
    let f = motcua_store::files::get(st.store.db(), &file)
        .await?
        .ok_or_else(|| not_found(&file))?;
    Ok(file_response(f.bytes, &f.content_type, &f.name))
}
