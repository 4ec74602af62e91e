//! Citizen evaluation of service quality (đánh giá chất lượng giải quyết TTHC): the nine
//! indices (chỉ số) of TT 01/2018/TT-VPCP Điều 13, each scored 0, 1 or 2 (legal-facts §1.7,
//! §2.4). The maximum per dossier is 18.
//!
//! Labels of indices 1–4 are certain (Tiền Giang and Tuyên Quang scoring sheets); labels of 5–9
//! are likely (Huế satisfaction page and memory). Rating bands were not found, so none is
//! computed here.

use serde::{Deserialize, Serialize};

use super::error::DossierError;

/// One of the nine indices (chỉ số đánh giá), numbered 1–9 as in TT 01/2018 Điều 13.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    /// 1 — Tổng thời gian giải quyết TTHC so với thời gian cho phép.
    TotalTime = 1,
    /// 2 — Thời gian thực hiện của từng cơ quan, đơn vị tham gia giải quyết.
    AgencyTime = 2,
    /// 3 — Số lần phải liên hệ với nơi tiếp nhận để hoàn thiện hồ sơ.
    ReturnVisits = 3,
    /// 4 — Số lượng cơ quan, đơn vị, tổ chức phải liên hệ để hoàn thiện hồ sơ.
    BodiesContacted = 4,
    /// 5 — Thực hiện tiếp nhận, giải quyết, trả kết quả tại Bộ phận Một cửa.
    OneStop = 5,
    /// 6 — Tính đúng quy định của kết quả giải quyết TTHC.
    Lawfulness = 6,
    /// 7 — Thái độ của cán bộ, công chức.
    Attitude = 7,
    /// 8 — Công khai TTHC.
    Publicity = 8,
    /// 9 — Tiếp thu, giải trình ý kiến phản ánh, kiến nghị.
    FeedbackHandling = 9,
}

impl Indicator {
    /// The nine indices in order.
    pub const ALL: [Indicator; 9] = [
        Self::TotalTime,
        Self::AgencyTime,
        Self::ReturnVisits,
        Self::BodiesContacted,
        Self::OneStop,
        Self::Lawfulness,
        Self::Attitude,
        Self::Publicity,
        Self::FeedbackHandling,
    ];

    /// Number 1–9.
    pub fn number(self) -> u8 {
        self as u8
    }

    /// Vietnamese label.
    pub fn label_vi(self) -> &'static str {
        match self {
            Self::TotalTime => "Tổng thời gian giải quyết TTHC so với thời gian cho phép",
            Self::AgencyTime => {
                "Thời gian thực hiện của từng cơ quan, đơn vị tham gia giải quyết, kể cả đơn vị phối hợp"
            }
            Self::ReturnVisits => "Số lần phải liên hệ với nơi tiếp nhận để hoàn thiện hồ sơ, kể cả trực tuyến",
            Self::BodiesContacted => "Số lượng cơ quan, đơn vị, tổ chức phải liên hệ để hoàn thiện hồ sơ",
            Self::OneStop => "Thực hiện tiếp nhận, giải quyết, trả kết quả tại Bộ phận Một cửa",
            Self::Lawfulness => "Tính đúng quy định của kết quả giải quyết TTHC",
            Self::Attitude => "Thái độ của cán bộ, công chức",
            Self::Publicity => "Công khai thủ tục hành chính",
            Self::FeedbackHandling => "Tiếp thu, giải trình ý kiến phản ánh, kiến nghị",
        }
    }

    /// English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Self::TotalTime => "Total processing time against the time allowed",
            Self::AgencyTime => "Time taken by each agency or unit involved, co-operating units included",
            Self::ReturnVisits => "Times the applicant had to contact the receiving point to complete the dossier",
            Self::BodiesContacted => "Number of bodies the applicant had to contact to complete the dossier",
            Self::OneStop => "Receipt, handling and return done through the one-stop unit",
            Self::Lawfulness => "Lawfulness of the result",
            Self::Attitude => "Attitude of the officials",
            Self::Publicity => "Publicity of the procedure",
            Self::FeedbackHandling => "Handling of feedback and petitions",
        }
    }
}

/// A dossier's evaluation (phiếu đánh giá): one score 0–2 per index, index 1 first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "[u8; 9]", into = "[u8; 9]")]
pub struct Evaluation([u8; 9]);

impl Evaluation {
    /// Validates the nine scores (each 0, 1 or 2; error `score_out_of_range`).
    pub fn new(scores: [u8; 9]) -> Result<Self, DossierError> {
        if let Some(i) = scores.iter().position(|s| *s > 2) {
            return Err(DossierError::ScoreOutOfRange {
                indicator: i as u8 + 1,
                value: scores[i],
            });
        }
        Ok(Self(scores))
    }

    /// Score of one index.
    pub fn score(&self, indicator: Indicator) -> u8 {
        self.0[usize::from(indicator.number() - 1)]
    }

    /// The nine scores, index 1 first.
    pub fn scores(&self) -> [u8; 9] {
        self.0
    }

    /// Total, 0..=18.
    pub fn total(&self) -> u8 {
        self.0.iter().sum()
    }
}

impl TryFrom<[u8; 9]> for Evaluation {
    type Error = DossierError;
    fn try_from(s: [u8; 9]) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl From<Evaluation> for [u8; 9] {
    fn from(e: Evaluation) -> Self {
        e.0
    }
}

/// Suggested score of index 3 from the number of times the applicant had to come back (intake
/// guidance and supplement requests): 2 for none, 1 for once, 0 for more (TT 01/2018 Điều 13,
/// Chỉ số 3; the "applicant's own fault" exception is for the person scoring to judge).
pub fn return_visits_score(times: u32) -> u8 {
    match times {
        0 => 2,
        1 => 1,
        _ => 0,
    }
}

/// Suggested score of indices 1 and 2 from a hand-over verdict: 2 early, 1 on time, 0 late
/// (TT 01/2018 Điều 13, Chỉ số 1 and 2).
pub fn time_score(verdict: super::StepVerdict) -> u8 {
    match verdict {
        super::StepVerdict::Early => 2,
        super::StepVerdict::OnTime => 1,
        super::StepVerdict::Late => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nine_indices_each_zero_to_two_tt01_2018_dieu_13() {
        let e = Evaluation::new([2, 2, 1, 2, 2, 2, 1, 2, 0]).unwrap();
        assert_eq!(e.total(), 14);
        assert_eq!(e.score(Indicator::ReturnVisits), 1);
        assert_eq!(e.score(Indicator::FeedbackHandling), 0);
        assert_eq!(Evaluation::new([2; 9]).unwrap().total(), 18);
        let err = Evaluation::new([2, 2, 3, 0, 0, 0, 0, 0, 0]).unwrap_err();
        assert_eq!(err.code(), "score_out_of_range");
        assert!(err.message_vi().contains("Chỉ số 3"));
        assert!(serde_json::from_str::<Evaluation>("[0,0,0,0,0,0,0,0,5]").is_err());
        assert_eq!(serde_json::to_string(&e).unwrap(), "[2,2,1,2,2,2,1,2,0]");
        for (i, ind) in Indicator::ALL.iter().enumerate() {
            assert_eq!(usize::from(ind.number()), i + 1);
            assert!(!ind.label_vi().is_empty() && !ind.label_en().is_empty());
        }
    }

    #[test]
    fn chi_so_3_return_visits_tt01_2018() {
        assert_eq!(return_visits_score(0), 2);
        assert_eq!(return_visits_score(1), 1);
        assert_eq!(return_visits_score(2), 0);
        assert_eq!(time_score(crate::dossiers::StepVerdict::Early), 2);
        assert_eq!(time_score(crate::dossiers::StepVerdict::Late), 0);
    }
}
