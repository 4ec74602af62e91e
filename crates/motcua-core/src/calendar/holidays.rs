//! Public holidays and official day-off schedules (ngày lễ, Tết và lịch nghỉ chính thức).
//!
//! Two sources feed the national calendar:
//!
//! 1. **Computed defaults** ([`computed_entries`]) from the Labour Code: Bộ luật Lao động 2019,
//!    Điều 112 (from 2021; before that Bộ luật Lao động 2012, Điều 115, with one Quốc khánh
//!    day), plus nghỉ bù (compensatory days) for holidays on the weekly rest day (Điều 111
//!    khoản 3 / BLLĐ 2012 Điều 115 khoản 3). The Tết span and the second Quốc khánh day are
//!    decided each year by the Prime Minister (Điều 112 khoản 3), so they are rules
//!    ([`HolidayRules`]) rather than constants.
//! 2. **Official schedules** as data ([`ScheduleEntry`]): the days off that the Government
//!    Office (VPCP) letters announce for civil servants, shipped in `data/vn_holidays.csv`
//!    ([`shipped_entries`]) or imported by an administrator ([`parse_schedule_csv`]).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use super::lunar::{LunarDate, lunar_to_solar};

/// Tết of `year`, or `None` outside the computable years (so that no input can panic).
fn tet_of(year: i32) -> Option<NaiveDate> {
    lunar_to_solar(LunarDate {
        year,
        month: 1,
        day: 1,
        leap: false,
    })
}

/// Giỗ Tổ of `year`, or `None` outside the computable years.
fn gio_to_of(year: i32) -> Option<NaiveDate> {
    lunar_to_solar(LunarDate {
        year,
        month: 3,
        day: 10,
        leap: false,
    })
}

/// The shipped official schedules, 2019–2026 (`date,kind,name,source`).
const SHIPPED_CSV: &str = include_str!("../../data/vn_holidays.csv");

/// Number of statutory Tết days (Điều 112 khoản 1 điểm b: 05 ngày).
const TET_STATUTORY_DAYS: i64 = 5;

/// Kind of an entry of a day-off schedule (loại ngày trong lịch nghỉ).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    /// A public holiday, ngày lễ, Tết (also the weekend days listed inside an announced break,
    /// see [`shipped_entries`]).
    Holiday,
    /// A compensatory day off, nghỉ bù, for a holiday that fell on the weekly rest day.
    Compensatory,
    /// A working day swapped to a day off, hoán đổi ngày nghỉ, made up on a Saturday.
    SwappedOff,
    /// A Saturday or Sunday worked to make up a swapped day, làm bù.
    MakeupWorkday,
}

impl EntryKind {
    /// The snake_case name used in CSV and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Holiday => "holiday",
            Self::Compensatory => "compensatory",
            Self::SwappedOff => "swapped_off",
            Self::MakeupWorkday => "makeup_workday",
        }
    }

    /// Whether the entry makes the day a day off (ngày nghỉ).
    pub fn is_off(self) -> bool {
        !matches!(self, Self::MakeupWorkday)
    }
}

/// One day of a day-off schedule (một ngày trong lịch nghỉ), with its legal basis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleEntry {
    /// The day (UTC+7 civil date).
    pub date: NaiveDate,
    /// What the day is.
    pub kind: EntryKind,
    /// Name in Vietnamese, e.g. "Tết Nguyên đán Giáp Thìn".
    pub name: String,
    /// Legal basis and source (căn cứ), e.g. "Công văn 8726/VPCP-KGVX ngày 26/11/2024".
    pub reference: String,
}

/// Which day next to 2/9 is the second Quốc khánh day (ngày liền kề), Điều 112 khoản 1 điểm đ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdjacentDay {
    /// 1/9, as in the 2022, 2023, 2025 and 2026 schedules.
    Before,
    /// 3/9, as in the 2021 and 2024 schedules.
    After,
}

/// The Prime Minister's choices for one year (quyết định của Thủ tướng cho một năm).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearRules {
    /// Tết days taken from the end of the old lunar year (ngày cuối năm âm lịch). Default 1.
    pub tet_days_before: u8,
    /// Tết days from mùng 1 of the new lunar year. Default 4 (mùng 1–4).
    pub tet_days_from: u8,
    /// The second Quốc khánh day, or `None` where the law gives only 2/9 (before 2021).
    pub national_day_adjacent: Option<AdjacentDay>,
}

impl Default for YearRules {
    /// BLLĐ 2019: last day of the lunar year + mùng 1–4, Quốc khánh 1/9 + 2/9.
    fn default() -> Self {
        Self {
            tet_days_before: 1,
            tet_days_from: 4,
            national_day_adjacent: Some(AdjacentDay::Before),
        }
    }
}

/// Rules for the computed holidays (quy tắc tính ngày nghỉ lễ mặc định).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayRules {
    /// Rules for years from 2021 without an override.
    pub default: YearRules,
    /// Per-year decisions that replace the default (e.g. a decided Tết span).
    pub per_year: BTreeMap<i32, YearRules>,
    /// Weekly rest days of civil servants (ngày nghỉ hằng tuần), Saturday and Sunday
    /// (Nghị định 101/2013 on 40-hour weeks for civil servants).
    pub weekly_rest: Vec<Weekday>,
}

impl Default for HolidayRules {
    fn default() -> Self {
        Self {
            default: YearRules::default(),
            per_year: BTreeMap::new(),
            weekly_rest: vec![Weekday::Sat, Weekday::Sun],
        }
    }
}

impl HolidayRules {
    /// The rules that apply to `year`: an override, else the default; before 2021 the Labour
    /// Code 2012 (Điều 115) had a single Quốc khánh day.
    pub fn for_year(&self, year: i32) -> YearRules {
        if let Some(r) = self.per_year.get(&year) {
            return *r;
        }
        if year < 2021 {
            YearRules {
                national_day_adjacent: None,
                ..self.default
            }
        } else {
            self.default
        }
    }

    /// Whether `date` falls on a weekly rest day.
    pub fn is_rest_day(&self, date: NaiveDate) -> bool {
        self.weekly_rest.contains(&date.weekday())
    }
}

/// Legal basis of the statutory holidays in force in `year`.
fn holiday_law(year: i32) -> &'static str {
    if year >= 2021 {
        "Bộ luật Lao động 2019, Điều 112"
    } else {
        "Bộ luật Lao động 2012, Điều 115"
    }
}

/// Legal basis of a compensatory day in `year`.
fn compensatory_law(year: i32) -> &'static str {
    if year >= 2021 {
        "Bộ luật Lao động 2019, Điều 111 khoản 3"
    } else {
        "Bộ luật Lao động 2012, Điều 115 khoản 3"
    }
}

/// Sexagenary name of a lunar year (tên năm can chi), e.g. 2026 → "Bính Ngọ".
pub fn can_chi_year(year: i32) -> String {
    const CAN: [&str; 10] = ["Canh", "Tân", "Nhâm", "Quý", "Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ"];
    const CHI: [&str; 12] = [
        "Thân", "Dậu", "Tuất", "Hợi", "Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi",
    ];
    format!(
        "{} {}",
        CAN[year.rem_euclid(10) as usize],
        CHI[year.rem_euclid(12) as usize]
    )
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// The statutory holidays of `year` as computed by the Labour Code, with the compensatory
/// days (nghỉ bù) of those that fall on a weekly rest day, in date order.
///
/// Tết spans `tet_days_before` days before Tết and `tet_days_from` days from it; Giỗ Tổ is
/// 10/3 lunar; Quốc khánh is 2/9 plus the adjacent day chosen in the rules. A holiday on a
/// rest day gives a compensatory day on the next day that is neither a rest day nor a holiday
/// (Điều 111 khoản 3).
pub fn computed_entries(year: i32, rules: &HolidayRules) -> Vec<ScheduleEntry> {
    let r = rules.for_year(year);
    let law = holiday_law(year);
    let mut days: Vec<(NaiveDate, String)> = Vec::with_capacity(16);
    if let Some(d) = date(year, 1, 1) {
        days.push((d, "Tết Dương lịch".into()));
    }
    let tet_name = format!("Tết Nguyên đán {}", can_chi_year(year));
    let tet_days = tet_of(year).map_or(0..0, |_| -i64::from(r.tet_days_before)..i64::from(r.tet_days_from));
    for i in tet_days {
        let Some(d) = tet_of(year).and_then(|t| t.checked_add_signed(chrono::TimeDelta::days(i))) else {
            continue;
        };
        let lunar = super::lunar::solar_to_lunar(d);
        let label = if i < 0 {
            format!("{tet_name} ({} tháng Chạp)", lunar.day)
        } else {
            format!("{tet_name} (mùng {})", lunar.day)
        };
        days.push((d, label));
    }
    days.extend(gio_to_of(year).map(|d| (d, "Giỗ Tổ Hùng Vương (10/3 âm lịch)".to_string())));
    if let Some(d) = date(year, 4, 30) {
        days.push((d, "Ngày Chiến thắng (30/4)".into()));
    }
    if let Some(d) = date(year, 5, 1) {
        days.push((d, "Ngày Quốc tế Lao động (1/5)".into()));
    }
    if let Some(d) = date(year, 9, 2) {
        days.push((d, "Quốc khánh (2/9)".into()));
    }
    match r.national_day_adjacent {
        Some(AdjacentDay::Before) => days.extend(date(year, 9, 1).map(|d| (d, "Quốc khánh (ngày liền kề 1/9)".into()))),
        Some(AdjacentDay::After) => days.extend(date(year, 9, 3).map(|d| (d, "Quốc khánh (ngày liền kề 3/9)".into()))),
        None => {}
    }
    days.sort_by_key(|(d, _)| *d);
    days.dedup_by_key(|(d, _)| *d);

    let holiday_set: BTreeSet<NaiveDate> = days.iter().map(|(d, _)| *d).collect();
    let mut taken: BTreeSet<NaiveDate> = BTreeSet::new();
    let mut out = Vec::with_capacity(days.len() + 4);
    for (d, name) in &days {
        out.push(ScheduleEntry {
            date: *d,
            kind: EntryKind::Holiday,
            name: name.clone(),
            reference: law.into(),
        });
        if rules.is_rest_day(*d) && !rules.weekly_rest.is_empty() && rules.weekly_rest.len() < 7 {
            let mut c = *d;
            loop {
                c = c.succ_opt().unwrap_or(c);
                if !rules.is_rest_day(c) && !holiday_set.contains(&c) && !taken.contains(&c) {
                    break;
                }
            }
            taken.insert(c);
            out.push(ScheduleEntry {
                date: c,
                kind: EntryKind::Compensatory,
                name: format!("Nghỉ bù {} ({})", name, d.format("%d/%m")),
                reference: compensatory_law(year).into(),
            });
        }
    }
    out.sort_by_key(|e| e.date);
    out
}

/// Whether a rest-day date is "the holiday date itself", for reporting a Saturday or Sunday
/// inside an official break as `holiday` rather than `weekend`: 1/1, 30/4, 1/5, 2/9,
/// Giỗ Tổ, and the core Tết days (last day of the lunar year, mùng 1–3). The other weekend
/// days of a break (e.g. 26 tháng Chạp) are plain weekend days.
pub(crate) fn is_core_holiday_date(d: NaiveDate) -> bool {
    let y = d.year();
    let (m, day) = (d.month(), d.day());
    if matches!((m, day), (1, 1) | (4, 30) | (5, 1) | (9, 2)) || Some(d) == gio_to_of(y) {
        return true;
    }
    tet_of(y).is_some_and(|t| (-1..=2).contains(&(d - t).num_days()))
}

// ---------------------------------------------------------------------------------------------
// Problems
// ---------------------------------------------------------------------------------------------

/// A problem found in a schedule (lỗi trong lịch nghỉ): where, a stable code, and messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduleProblem {
    /// Row number: for CSV, the line of the record (the header is row 1); for
    /// [`validate_entries`], the 1-based position in the list. `None` for the whole file.
    pub row: Option<usize>,
    /// Column name (`date`, `kind`, `name`, `reference`), if the problem is in one column.
    pub column: Option<&'static str>,
    /// Stable machine code, e.g. `makeup_not_weekend`.
    pub code: &'static str,
    /// Message in Vietnamese.
    pub message_vi: String,
    /// Message in English.
    pub message_en: String,
}

impl ScheduleProblem {
    fn new(row: Option<usize>, column: Option<&'static str>, code: &'static str, vi: String, en: String) -> Self {
        Self {
            row,
            column,
            code,
            message_vi: vi,
            message_en: en,
        }
    }
}

impl std::fmt::Display for ScheduleProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.row {
            Some(r) => write!(f, "row {r}: {} ({})", self.message_en, self.code),
            None => write!(f, "{} ({})", self.message_en, self.code),
        }
    }
}

/// Checks a list of schedule entries (kiểm tra lịch nghỉ).
///
/// Rejected: a date that is both a day off and a make-up day (`off_and_makeup`); the same date
/// with two different kinds of day off (`duplicate_conflict`); a make-up day that is not a
/// Saturday or Sunday (`makeup_not_weekend`); a compensatory or swapped day on a Saturday or
/// Sunday (`weekday_kind_on_weekend`); a date outside 1900–2101 (`date_out_of_range`).
/// Identical kinds on the same date (e.g. two names) are accepted.
pub fn validate_entries(entries: &[ScheduleEntry]) -> Result<(), Vec<ScheduleProblem>> {
    let mut problems = Vec::new();
    let mut first_by_date: BTreeMap<NaiveDate, (usize, EntryKind)> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        let row = Some(i + 1);
        let ds = e.date.format("%d/%m/%Y");
        let weekend = matches!(e.date.weekday(), Weekday::Sat | Weekday::Sun);
        if !(1900..=2101).contains(&e.date.year()) {
            problems.push(ScheduleProblem::new(
                row,
                Some("date"),
                "date_out_of_range",
                format!("Ngày {ds} nằm ngoài phạm vi 1900–2101."),
                format!("Date {} is outside 1900–2101.", e.date),
            ));
        }
        if e.kind == EntryKind::MakeupWorkday && !weekend {
            problems.push(ScheduleProblem::new(
                row,
                Some("date"),
                "makeup_not_weekend",
                format!("Ngày làm bù {ds} không phải thứ Bảy hoặc Chủ nhật."),
                format!("Make-up working day {} is not a Saturday or Sunday.", e.date),
            ));
        }
        if matches!(e.kind, EntryKind::Compensatory | EntryKind::SwappedOff) && weekend {
            problems.push(ScheduleProblem::new(
                row,
                Some("kind"),
                "weekday_kind_on_weekend",
                format!("Ngày {ds} là thứ Bảy/Chủ nhật nên không thể là ngày nghỉ bù hoặc hoán đổi."),
                format!(
                    "{} is a Saturday or Sunday, so it cannot be a compensatory or swapped day.",
                    e.date
                ),
            ));
        }
        match first_by_date.get(&e.date) {
            None => {
                first_by_date.insert(e.date, (i + 1, e.kind));
            }
            Some(&(first_row, k)) if k != e.kind => {
                let (code, vi, en) = if k.is_off() != e.kind.is_off() {
                    (
                        "off_and_makeup",
                        format!("Ngày {ds} vừa là ngày nghỉ vừa là ngày làm bù (xem dòng {first_row})."),
                        format!(
                            "{} is both a day off and a make-up working day (see row {first_row}).",
                            e.date
                        ),
                    )
                } else {
                    (
                        "duplicate_conflict",
                        format!(
                            "Ngày {ds} có hai loại khác nhau: {} và {} (xem dòng {first_row}).",
                            k.as_str(),
                            e.kind.as_str()
                        ),
                        format!(
                            "{} has two different kinds: {} and {} (see row {first_row}).",
                            e.date,
                            k.as_str(),
                            e.kind.as_str()
                        ),
                    )
                };
                problems.push(ScheduleProblem::new(row, Some("kind"), code, vi, en));
            }
            Some(_) => {}
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

// ---------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------

/// Splits CSV text into records (RFC 4180: quoted fields may hold commas, `""` and newlines).
/// Returns `(line of the record's start, fields)`; blank lines are skipped.
fn csv_records(text: &str) -> Result<Vec<(usize, Vec<String>)>, ScheduleProblem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut line = 1usize;
    let mut record_line = 1usize;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                '\n' => {
                    line += 1;
                    field.push('\n');
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => {
                in_quotes = true;
                any = true;
            }
            ',' => {
                fields.push(std::mem::take(&mut field));
                any = true;
            }
            '\r' => {}
            '\n' => {
                if any || !field.is_empty() {
                    fields.push(std::mem::take(&mut field));
                    out.push((record_line, std::mem::take(&mut fields)));
                }
                any = false;
                line += 1;
                record_line = line;
            }
            _ => {
                field.push(c);
                any = true;
            }
        }
    }
    if in_quotes {
        return Err(ScheduleProblem::new(
            Some(record_line),
            None,
            "csv_unclosed_quote",
            "Dấu ngoặc kép không được đóng.".into(),
            "A quoted field is not closed.".into(),
        ));
    }
    if any || !field.is_empty() {
        fields.push(field);
        out.push((record_line, fields));
    }
    Ok(out)
}

/// A row as read, before `off` rows are classified.
struct RawRow {
    row: usize,
    date: NaiveDate,
    kind: RawKind,
    name: String,
    reference: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RawKind {
    Exact(EntryKind),
    /// Shipped `off`: a day off to classify.
    Off,
}

fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .or_else(|| NaiveDate::parse_from_str(s, "%d/%m/%Y").ok())
}

/// Parses an official schedule in CSV (nhập lịch nghỉ từ CSV) for administrators.
///
/// Header: `date,kind,name,reference` (`source` is accepted for the 4th column, as in the
/// shipped file). `date` is `YYYY-MM-DD` (or `DD/MM/YYYY`); `kind` is one of `holiday`,
/// `compensatory`, `swapped_off`, `makeup_workday`, or the shipped `off` / `workday_swap`.
/// `off` rows are classified as in [`shipped_entries`]. Every problem found is returned, with
/// its row (the header is row 1), column, code and messages; the entries are then checked with
/// [`validate_entries`] (rows mapped back to CSV rows).
pub fn parse_schedule_csv(text: &str) -> Result<Vec<ScheduleEntry>, Vec<ScheduleProblem>> {
    let records = csv_records(text).map_err(|p| vec![p])?;
    let mut problems = Vec::new();
    let Some((_, header)) = records.first() else {
        return Err(vec![ScheduleProblem::new(
            None,
            None,
            "csv_empty",
            "Tệp CSV trống.".into(),
            "The CSV file is empty.".into(),
        )]);
    };
    let h: Vec<String> = header.iter().map(|s| s.trim().to_lowercase()).collect();
    if h.len() != 4 || h[0] != "date" || h[1] != "kind" || h[2] != "name" || !(h[3] == "reference" || h[3] == "source")
    {
        return Err(vec![ScheduleProblem::new(
            Some(1),
            None,
            "csv_header",
            "Dòng tiêu đề phải là: date,kind,name,reference.".into(),
            "The header must be: date,kind,name,reference.".into(),
        )]);
    }
    let mut rows = Vec::with_capacity(records.len());
    for (line, fields) in &records[1..] {
        let row = Some(*line);
        if fields.len() != 4 {
            problems.push(ScheduleProblem::new(
                row,
                None,
                "csv_column_count",
                format!("Dòng có {} cột, cần 4 cột.", fields.len()),
                format!("The row has {} columns; 4 are required.", fields.len()),
            ));
            continue;
        }
        let raw_date = fields[0].trim();
        let d = parse_date(raw_date);
        if d.is_none() {
            problems.push(ScheduleProblem::new(
                row,
                Some("date"),
                "date_invalid",
                format!("Ngày \"{raw_date}\" không hợp lệ (định dạng YYYY-MM-DD)."),
                format!("Date \"{raw_date}\" is not valid (format YYYY-MM-DD)."),
            ));
        }
        let raw_kind = fields[1].trim().to_lowercase();
        let kind = match raw_kind.as_str() {
            "holiday" => Some(RawKind::Exact(EntryKind::Holiday)),
            "compensatory" => Some(RawKind::Exact(EntryKind::Compensatory)),
            "swapped_off" => Some(RawKind::Exact(EntryKind::SwappedOff)),
            "makeup_workday" | "workday_swap" => Some(RawKind::Exact(EntryKind::MakeupWorkday)),
            "off" => Some(RawKind::Off),
            _ => None,
        };
        if kind.is_none() {
            problems.push(ScheduleProblem::new(
                row,
                Some("kind"),
                "kind_invalid",
                format!(
                    "Loại ngày \"{raw_kind}\" không hợp lệ: dùng holiday, compensatory, swapped_off hoặc makeup_workday."
                ),
                format!("Kind \"{raw_kind}\" is not valid: use holiday, compensatory, swapped_off or makeup_workday."),
            ));
        }
        let name = fields[2].trim().to_string();
        if name.is_empty() {
            problems.push(ScheduleProblem::new(
                row,
                Some("name"),
                "name_empty",
                "Tên ngày nghỉ không được để trống.".into(),
                "The name must not be empty.".into(),
            ));
        }
        let reference = fields[3].trim().to_string();
        if reference.is_empty() {
            problems.push(ScheduleProblem::new(
                row,
                Some("reference"),
                "reference_empty",
                "Căn cứ (số công văn) không được để trống.".into(),
                "The reference (legal basis) must not be empty.".into(),
            ));
        }
        if let (Some(date), Some(kind)) = (d, kind) {
            rows.push(RawRow {
                row: *line,
                date,
                kind,
                name,
                reference,
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let entries = classify(&rows);
    if let Err(mut ps) = validate_entries(&entries) {
        for p in &mut ps {
            p.row = p.row.map(|i| rows[i - 1].row);
        }
        return Err(ps);
    }
    Ok(entries)
}

/// Day/month tokens such as `29/4` or `2/5/2025` in a text (dates named in the notes).
fn day_month_tokens(text: &str, default_year: i32) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let bytes: Vec<char> = text.chars().collect();
    let mut i = 0;
    let num = |i: &mut usize| -> Option<u32> {
        let s = *i;
        while *i < bytes.len() && bytes[*i].is_ascii_digit() {
            *i += 1;
        }
        if *i == s || *i - s > 4 {
            return None;
        }
        bytes[s..*i].iter().collect::<String>().parse().ok()
    };
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_digit()) {
            let mut j = i;
            if let Some(d) = num(&mut j)
                && j < bytes.len()
                && bytes[j] == '/'
            {
                j += 1;
                if let Some(m) = num(&mut j) {
                    let mut y = default_year;
                    if j + 1 < bytes.len() && bytes[j] == '/' && bytes[j + 1].is_ascii_digit() {
                        let mut k = j + 1;
                        if let Some(yy) = num(&mut k) {
                            y = yy as i32;
                            j = k;
                        }
                    }
                    if let Some(dt) = NaiveDate::from_ymd_opt(y, m, d) {
                        out.push(dt);
                    }
                }
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Classifies rows; `off` rows are grouped into breaks (runs of consecutive days off).
///
/// Rules for a weekday of a break, in order:
/// 1. named by a make-up row ("Làm bù cho 29/4/2024") → [`EntryKind::SwappedOff`];
/// 2. a statutory holiday date (1/1, 30/4, 1/5, 2/9, Giỗ Tổ; the Quốc khánh adjacent day named
///    in the notes, else the first of 1/9, 3/9 in the break, from 2021; the 5 Tết days, taken as
///    the earliest 5-day run of the break that holds mùng 1 and starts on a weekday)
///    → [`EntryKind::Holiday`];
/// 3. otherwise, if a statutory day of the break fell on a weekend or the notes say
///    "nghỉ bù" → [`EntryKind::Compensatory`]; else → [`EntryKind::Holiday`] (an announced
///    day off that is not in our statutory list, e.g. a new holiday).
///
/// Weekend days of a break are listed as [`EntryKind::Holiday`]; the national calendar reports
/// them as `weekend` unless they are the holiday date itself (see `NationalCalendar`).
fn classify(rows: &[RawRow]) -> Vec<ScheduleEntry> {
    let swapped: BTreeSet<NaiveDate> = rows
        .iter()
        .filter(|r| r.kind == RawKind::Exact(EntryKind::MakeupWorkday))
        .flat_map(|r| {
            day_month_tokens(&r.name, r.date.year())
                .into_iter()
                .filter(|d| !is_weekend(*d))
        })
        .collect();
    let mut off: Vec<&RawRow> = rows.iter().filter(|r| r.kind == RawKind::Off).collect();
    off.sort_by_key(|r| r.date);

    let mut kinds: BTreeMap<NaiveDate, EntryKind> = BTreeMap::new();
    let mut i = 0;
    while i < off.len() {
        let mut j = i + 1;
        while j < off.len() && (off[j].date - off[j - 1].date).num_days() <= 1 {
            j += 1;
        }
        let brk = &off[i..j];
        classify_break(brk, &swapped, &mut kinds);
        i = j;
    }

    rows.iter()
        .map(|r| ScheduleEntry {
            date: r.date,
            kind: match r.kind {
                RawKind::Exact(k) => k,
                RawKind::Off => kinds.get(&r.date).copied().unwrap_or(EntryKind::Holiday),
            },
            name: r.name.clone(),
            reference: r.reference.clone(),
        })
        .collect()
}

fn classify_break(brk: &[&RawRow], swapped: &BTreeSet<NaiveDate>, kinds: &mut BTreeMap<NaiveDate, EntryKind>) {
    let dates: Vec<NaiveDate> = brk.iter().map(|r| r.date).collect();
    let first = dates[0];
    let last = dates[dates.len() - 1];
    let in_break = |d: NaiveDate| d >= first && d <= last && dates.contains(&d);
    let mut statutory: BTreeSet<NaiveDate> = BTreeSet::new();
    for &d in &dates {
        let y = d.year();
        if matches!((d.month(), d.day()), (1, 1) | (4, 30) | (5, 1) | (9, 2)) || Some(d) == gio_to_of(y) {
            statutory.insert(d);
        }
    }
    // Quốc khánh adjacent day (from 2021, BLLĐ 2019 Điều 112 khoản 1 điểm đ).
    if let Some(qk) = dates
        .iter()
        .copied()
        .find(|d| d.month() == 9 && d.day() == 2 && d.year() >= 2021)
    {
        let y = qk.year();
        let named: Vec<NaiveDate> = brk.iter().flat_map(|r| day_month_tokens(&r.name, y)).collect();
        let cands = [date(y, 9, 1), date(y, 9, 3)];
        let chosen = cands
            .iter()
            .flatten()
            .copied()
            .find(|d| named.contains(d) && in_break(*d))
            .or_else(|| {
                cands
                    .iter()
                    .flatten()
                    .copied()
                    .find(|d| in_break(*d) && !is_weekend(*d) && !swapped.contains(d))
            });
        statutory.extend(chosen);
    }
    // Tết: the statutory 5 days.
    if let Some(t) = dates.iter().copied().find(|d| Some(*d) == tet_of(d.year())) {
        let window_start = |need_weekday: bool| {
            dates.iter().copied().find(|&s| {
                let e = s + chrono::TimeDelta::days(TET_STATUTORY_DAYS - 1);
                s <= t && t <= e && in_break(e) && (!need_weekday || (!is_weekend(s) && !swapped.contains(&s)))
            })
        };
        match window_start(true).or_else(|| window_start(false)) {
            Some(s) => {
                for k in 0..TET_STATUTORY_DAYS {
                    statutory.insert(s + chrono::TimeDelta::days(k));
                }
            }
            None => statutory.extend(dates.iter().copied()),
        }
    }
    let weekend_statutory = statutory.iter().any(|d| is_weekend(*d));
    let notes_say_comp = brk.iter().any(|r| r.name.to_lowercase().contains("nghỉ bù"));
    for &d in &dates {
        let k = if is_weekend(d) {
            EntryKind::Holiday
        } else if swapped.contains(&d) {
            EntryKind::SwappedOff
        } else if statutory.contains(&d) {
            EntryKind::Holiday
        } else if weekend_statutory || notes_say_comp {
            EntryKind::Compensatory
        } else {
            EntryKind::Holiday
        };
        kinds.insert(d, k);
    }
}

/// VPCP letters known from the legal research (legal-facts §9.2), by date range.
const VPCP_LETTERS: &[(&str, &str, &str)] = &[
    ("2023-01-20", "2023-01-26", "Công văn 8056/VPCP-KGVX ngày 01/12/2022"),
    ("2025-01-25", "2025-02-02", "Công văn 8726/VPCP-KGVX ngày 26/11/2024"),
    ("2026-01-01", "2026-01-10", "Công văn 12729/VPCP-KGVX ngày 25/12/2025"),
];

/// The official schedules shipped with motcua (`data/vn_holidays.csv`, 2019–2026), classified.
///
/// Each `off` row becomes [`EntryKind::Holiday`], [`EntryKind::Compensatory`] or
/// [`EntryKind::SwappedOff`] by the rules of the classifier (a weekday named by a "Làm bù cho
/// …" row is swapped; statutory dates are holidays; other weekdays of a break with a holiday on
/// the weekend are nghỉ bù). Saturday/Sunday rows of a break are listed too, as `Holiday`; the
/// calendar reports them as `weekend` unless they are the holiday date itself (1/1, 30/4, 1/5,
/// 2/9, Giỗ Tổ, or last day of the lunar year to mùng 3). `workday_swap` rows become
/// [`EntryKind::MakeupWorkday`].
///
/// The reference is the VPCP letter where known, the article of the Labour Code, and the
/// source column (`nguồn: …`).
pub fn shipped_entries() -> Vec<ScheduleEntry> {
    let mut entries = parse_schedule_csv(SHIPPED_CSV).unwrap_or_else(|p| {
        // The file is part of the build and is checked by a unit test; an error here is a bug.
        panic!("shipped data/vn_holidays.csv is invalid: {p:?}")
    });
    for e in &mut entries {
        let mut parts: Vec<String> = Vec::with_capacity(3);
        for (from, to, letter) in VPCP_LETTERS {
            if let (Some(f), Some(t)) = (parse_date(from), parse_date(to))
                && e.date >= f
                && e.date <= t
            {
                parts.push((*letter).to_string());
            }
        }
        let y = e.date.year() + i32::from(e.date.month() == 12 && e.date.day() >= 29);
        parts.push(
            match e.kind {
                EntryKind::Holiday => holiday_law(y),
                EntryKind::Compensatory => compensatory_law(y),
                EntryKind::SwappedOff | EntryKind::MakeupWorkday => "Hoán đổi ngày làm việc theo công văn của VPCP",
            }
            .to_string(),
        );
        parts.push(format!("nguồn: {}", e.reference));
        e.reference = parts.join("; ");
    }
    entries
}

#[cfg(test)]
#[path = "holidays_tests.rs"]
mod tests;
