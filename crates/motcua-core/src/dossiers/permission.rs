//! Who may run which dossier command (phân quyền xử lý hồ sơ), as a pure rule shared by the API
//! and the back-office pages.
//!
//! The split follows the one-stop mechanism (NĐ 61/2018 Điều 18–20, legal-facts §1): the one-stop
//! clerk (cán bộ một cửa) receives, guides, refuses, records fees and returns results; the
//! specialist (chuyên viên) processes the steps; the unit leader (lãnh đạo) assigns, approves,
//! denies and stops. Which role signs the apology is not fixed by the texts we hold (legal-facts
//! §8 marks it as the agency's); clerks, specialists and leaders may issue it here.
//!
//! Unit scope: a role held in one unit only acts on dossiers that unit handles — the receiving
//! unit, or the unit of the current step. A role held without a unit acts everywhere.

use super::Command;
use crate::identity::Role;

/// Roles that may run `command` (any of them suffices).
pub fn roles_for(command: &Command) -> &'static [Role] {
    use Role::*;
    match command {
        Command::GuideToComplete { .. } | Command::RefuseAtIntake { .. } | Command::Receive { .. } => &[Clerk],
        Command::Assign { .. } => &[Leader, Specialist],
        Command::HandOver { .. } => &[Specialist, Leader],
        Command::SendToAgency { .. } | Command::ReturnFromAgency => &[Specialist, Leader, Clerk],
        Command::RequestSupplement(_) => &[Specialist, Leader, Clerk],
        Command::SupplementReceived { .. } => &[Clerk, Specialist],
        Command::RequestFee { .. } => &[Clerk, Specialist],
        Command::FeePaid { .. } => &[Clerk],
        Command::IssueApology { .. } => &[Leader, Specialist, Clerk],
        Command::Reschedule { .. } => &[Admin],
        Command::Approve { .. } | Command::Deny { .. } | Command::Stop { .. } => &[Leader],
        Command::Withdraw { .. } | Command::ReturnResult { .. } | Command::Evaluate { .. } => &[Clerk],
    }
}

/// Whether someone holding `roles` (role, unit it is held in; `None` = every unit) may run
/// `command` on a dossier handled by `units` (receiving unit and current step's unit, in the
/// same notation as the role's unit).
pub fn permitted(command: &Command, roles: &[(Role, Option<String>)], units: &[&str]) -> bool {
    let allowed = roles_for(command);
    roles.iter().any(|(role, unit)| {
        allowed.contains(role)
            && match unit {
                None => true,
                Some(u) => units.contains(&u.as_str()),
            }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dossiers::{Evaluation, ReturnMethod};
    use chrono::NaiveDate;

    fn approve() -> Command {
        Command::Approve {
            number: "12/GP-SKHCN".into(),
            date: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
        }
    }

    /// NĐ 61/2018 Điều 19–20: the leader decides, the clerk returns the result.
    #[test]
    fn leader_decides_and_clerk_returns_nd61_2018_dieu_19_20() {
        let leader = vec![(Role::Leader, None)];
        let clerk = vec![(Role::Clerk, None)];
        assert!(permitted(&approve(), &leader, &["u1"]));
        assert!(!permitted(&approve(), &clerk, &["u1"]));
        let ret = Command::ReturnResult {
            method: ReturnMethod::Counter {
                received_by: "Nguyễn Văn A".into(),
            },
        };
        assert!(permitted(&ret, &clerk, &["u1"]));
        assert!(!permitted(&ret, &leader, &["u1"]));
        let ev = Command::Evaluate {
            scores: Evaluation::new([2; 9]).unwrap(),
        };
        assert!(!permitted(&ev, &[(Role::Inspector, None)], &["u1"]));
    }

    #[test]
    fn a_role_held_in_one_unit_acts_only_on_that_units_dossiers() {
        let roles = vec![(Role::Leader, Some("u2".to_owned()))];
        assert!(permitted(&approve(), &roles, &["u1", "u2"]));
        assert!(!permitted(&approve(), &roles, &["u1", "u3"]));
    }

    #[test]
    fn nobody_but_an_administrator_reschedules_by_hand() {
        let cmd = Command::Reschedule {
            appointment: chrono::DateTime::from_timestamp(1_790_000_000, 0).unwrap(),
            calendar_version: 2,
        };
        for r in Role::ALL {
            assert_eq!(permitted(&cmd, &[(r, None)], &[]), r == Role::Admin, "{r:?}");
        }
    }
}
