//! Which units may act on a dossier (phạm vi đơn vị xử lý hồ sơ): the one unit-scope rule of the
//! JSON API and the back-office pages.
//!
//! The role rule stays in the core (`motcua_core::dossiers::permission::permitted`: which roles
//! may run which command, and that a role held in a unit acts only where that unit handles the
//! dossier). This module says which units handle a dossier for a given command:
//!
//! * the receiving unit (bộ phận tiếp nhận — it guides, receives fees, returns the result);
//! * the unit holding the dossier now (the current step's unit, or the partner agency during
//!   liên thông);
//! * during liên thông, the partner agency itself (its leaders act on its steps, whichever of
//!   its units is responsible for the current one);
//! * the current step's unit of the pinned workflow;
//! * for the leader's decisions (approve, deny, stop) also the unit of the workflow's last step,
//!   whose leader decides even while an earlier step is still open.
//!
//! A leader of any other unit gets a 403, whatever the dossier's state.

use motcua_core::dossiers::{Command, permission};
use motcua_core::identity::Role;
use motcua_store::dossiers::DossierRecord;

/// The unit codes that handle `rec` for `command` (see the module doc); deduplicated.
pub fn units_for<'a>(rec: &'a DossierRecord, command: &Command) -> Vec<&'a str> {
    let steps: Vec<&str> = rec.steps.iter().map(|s| s.unit_code.as_str()).collect();
    let mut units = handling_units(
        &rec.row.receiving_unit,
        &rec.row.current_unit,
        &steps,
        rec.row.current_step.max(0) as usize,
        command,
    );
    if let Some(partner) = &rec.dossier.partner_agency
        && !units.contains(&partner.as_str())
    {
        units.push(partner.as_str());
    }
    units
}

/// The rule itself, over the receiving unit, the holding unit, the workflow's step units and
/// the current step's index.
fn handling_units<'a>(
    receiving: &'a str,
    holding: &'a str,
    steps: &[&'a str],
    current_step: usize,
    command: &Command,
) -> Vec<&'a str> {
    let mut units = vec![receiving, holding];
    if let Some(step) = steps.get(current_step) {
        units.push(step);
    }
    if is_decision(command)
        && let Some(last) = steps.last()
    {
        units.push(last);
    }
    units.sort_unstable();
    units.dedup();
    units
}

/// The leader's decisions on a dossier (quyết định giải quyết, dừng xử lý).
fn is_decision(command: &Command) -> bool {
    matches!(
        command,
        Command::Approve { .. } | Command::Deny { .. } | Command::Stop { .. }
    )
}

/// Whether someone holding `roles` (role, unit code; `None` = every unit) may run `command`
/// on `rec`.
pub fn permitted(command: &Command, roles: &[(Role, Option<String>)], rec: &DossierRecord) -> bool {
    permission::permitted(command, roles, &units_for(rec, command))
}

/// The first of `roles` that permits `command` on `rec` (the role the actor acts in).
pub fn acting_role<'r>(
    command: &Command,
    roles: &'r [(Role, Option<String>)],
    rec: &DossierRecord,
) -> Option<&'r (Role, Option<String>)> {
    let units = units_for(rec, command);
    roles
        .iter()
        .find(|g| permission::permitted(command, std::slice::from_ref(*g), &units))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Desk → division → Department leadership → planning division, now at the division.
    const STEPS: [&str; 4] = ["000.05.15.H50", "000.03.15.H50", "000.00.15.H50", "000.02.15.H50"];

    fn leader_may(unit: &str, command: &Command) -> bool {
        let units = handling_units("000.05.15.H50", "000.03.15.H50", &STEPS, 1, command);
        permission::permitted(command, &[(Role::Leader, Some(unit.to_owned()))], &units)
    }

    #[test]
    fn leaders_of_the_desk_and_the_current_step_act_others_do_not() {
        let assign = Command::Assign { assignee: "u".into() };
        assert!(leader_may("000.03.15.H50", &assign));
        assert!(leader_may("000.05.15.H50", &assign));
        // A later step's unit does not act before the dossier reaches it.
        assert!(!leader_may("000.00.15.H50", &assign));
        assert!(!leader_may("000.04.15.H50", &assign));
    }

    #[test]
    fn the_last_steps_leader_decides_and_stops_but_does_not_assign() {
        let approve = Command::Approve {
            number: "1/GP".into(),
            date: chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        };
        assert!(leader_may("000.02.15.H50", &approve));
        assert!(leader_may("000.02.15.H50", &Command::Stop { reason: "x".into() }));
        assert!(leader_may("000.02.15.H50", &Command::Deny { reason: "x".into() }));
        assert!(!leader_may("000.02.15.H50", &Command::Assign { assignee: "u".into() }));
        assert!(!leader_may("000.00.15.H50", &approve));
        assert!(!leader_may("000.04.15.H50", &approve));
    }

    #[test]
    fn during_lien_thong_the_partner_agency_acts() {
        let back = Command::ReturnFromAgency;
        let units = handling_units("000.05.15.H50", "000.00.00.H50", &STEPS, 1, &back);
        assert!(units.contains(&"000.00.00.H50") && units.contains(&"000.03.15.H50"));
    }
}
