//! Astronomical helpers for the lunar calendar (thiên văn cho âm lịch).
//!
//! Written from the published formulas in Jean Meeus, *Astronomical Algorithms* (2nd ed.):
//! chapter 49 (times of the mean and true new moon, with the periodic and planetary
//! corrections), chapter 25 (apparent longitude of the Sun, "low accuracy" method, about 0.01°)
//! and the Espenak–Meeus polynomial fits for ΔT (TT − UT). All times here are Julian Days.
//!
//! Accuracy: the new-moon instants are good to well under a minute for 1900–2100, and the Sun's
//! longitude to about 0.01° (≈ 15 minutes of solar motion). The calendar only needs the *civil
//! day* of each new moon and the 30° sector of the Sun at local midnight, so this is ample.

use std::f64::consts::PI;

/// Julian Day of the chrono "day 1" (0001-01-01 proleptic Gregorian) at noon, minus one:
/// `jdn = num_days_from_ce + JDN_OFFSET`.
pub(crate) const JDN_OFFSET: i32 = 1_721_425;

/// Mean synodic month in days (Meeus 49.1).
pub(crate) const SYNODIC_MONTH: f64 = 29.530_588_861;

fn rad(deg: f64) -> f64 {
    deg * PI / 180.0
}

/// Reduces an angle in degrees to `[0, 360)`.
fn norm360(deg: f64) -> f64 {
    let r = deg % 360.0;
    if r < 0.0 { r + 360.0 } else { r }
}

/// ΔT = TT − UT in seconds, Espenak–Meeus polynomials (NASA eclipse pages), by decimal year.
///
/// Why it matters: new moons are computed in Terrestrial Time; the civil day is in UT+7. ΔT is
/// about a minute in this era, which can move a new moon across local midnight.
pub(crate) fn delta_t_seconds(year: f64) -> f64 {
    let y = year;
    if !(1860.0..2150.0).contains(&y) {
        // Long-term parabola (Morrison & Stephenson), outside the supported range.
        let u = (y - 1820.0) / 100.0;
        return -20.0 + 32.0 * u * u;
    }
    if y < 1900.0 {
        let t = y - 1860.0;
        return 7.62 + 0.5737 * t - 0.251_754 * t.powi(2) + 0.016_806_68 * t.powi(3) - 0.000_447_362_4 * t.powi(4)
            + t.powi(5) / 233_174.0;
    }
    if y < 1920.0 {
        let t = y - 1900.0;
        return -2.79 + 1.494_119 * t - 0.059_893_9 * t.powi(2) + 0.006_196_6 * t.powi(3) - 0.000_197 * t.powi(4);
    }
    if y < 1941.0 {
        let t = y - 1920.0;
        return 21.20 + 0.844_93 * t - 0.076_100 * t.powi(2) + 0.002_093_6 * t.powi(3);
    }
    if y < 1961.0 {
        let t = y - 1950.0;
        return 29.07 + 0.407 * t - t.powi(2) / 233.0 + t.powi(3) / 2547.0;
    }
    if y < 1986.0 {
        let t = y - 1975.0;
        return 45.45 + 1.067 * t - t.powi(2) / 260.0 - t.powi(3) / 718.0;
    }
    if y < 2005.0 {
        let t = y - 2000.0;
        return 63.86 + 0.3345 * t - 0.060_374 * t.powi(2)
            + 0.001_727_5 * t.powi(3)
            + 0.000_651_814 * t.powi(4)
            + 0.000_023_735_99 * t.powi(5);
    }
    if y < 2050.0 {
        let t = y - 2000.0;
        return 62.92 + 0.322_17 * t + 0.005_589 * t.powi(2);
    }
    let u = (y - 1820.0) / 100.0;
    -20.0 + 32.0 * u * u - 0.5628 * (2150.0 - y)
}

/// Decimal year of a Julian Day (precise enough for ΔT).
fn decimal_year(jd: f64) -> f64 {
    2000.0 + (jd - 2_451_545.0) / 365.25
}

/// Instant (Julian Day, UT) of the true new moon with lunation number `k`
/// (k = 0 is the new moon of 2000-01-06). Meeus chapter 49.
pub(crate) fn new_moon_jd_ut(k: i32) -> f64 {
    let k = f64::from(k);
    let t = k / 1236.85;
    let t2 = t * t;
    let t3 = t2 * t;
    let t4 = t3 * t;
    // Mean phase (49.1).
    let mut jde = 2_451_550.097_66 + SYNODIC_MONTH * k + 0.000_154_37 * t2 - 0.000_000_150 * t3 + 0.000_000_000_73 * t4;
    // Eccentricity of the Earth's orbit (47.6) and the fundamental arguments (49.4–49.7).
    let e = 1.0 - 0.002_516 * t - 0.000_007_4 * t2;
    let m = rad(2.5534 + 29.105_356_70 * k - 0.000_001_4 * t2 - 0.000_000_11 * t3);
    let mp = rad(201.5643 + 385.816_935_28 * k + 0.010_758_2 * t2 + 0.000_012_38 * t3 - 0.000_000_058 * t4);
    let f = rad(160.7108 + 390.670_502_84 * k - 0.001_611_8 * t2 - 0.000_002_27 * t3 + 0.000_000_011 * t4);
    let om = rad(124.7746 - 1.563_755_88 * k + 0.002_067_2 * t2 + 0.000_002_15 * t3);

    // Periodic terms for the new moon.
    let corr = -0.407_20 * mp.sin()
        + 0.172_41 * e * m.sin()
        + 0.016_08 * (2.0 * mp).sin()
        + 0.010_39 * (2.0 * f).sin()
        + 0.007_39 * e * (mp - m).sin()
        - 0.005_14 * e * (mp + m).sin()
        + 0.002_08 * e * e * (2.0 * m).sin()
        - 0.001_11 * (mp - 2.0 * f).sin()
        - 0.000_57 * (mp + 2.0 * f).sin()
        + 0.000_56 * e * (2.0 * mp + m).sin()
        - 0.000_42 * (3.0 * mp).sin()
        + 0.000_42 * e * (m + 2.0 * f).sin()
        + 0.000_38 * e * (m - 2.0 * f).sin()
        - 0.000_24 * e * (2.0 * mp - m).sin()
        - 0.000_17 * om.sin()
        - 0.000_07 * (mp + 2.0 * m).sin()
        + 0.000_04 * (2.0 * mp - 2.0 * f).sin()
        + 0.000_04 * (3.0 * m).sin()
        + 0.000_03 * (mp + m - 2.0 * f).sin()
        + 0.000_03 * (2.0 * mp + 2.0 * f).sin()
        - 0.000_03 * (mp + m + 2.0 * f).sin()
        + 0.000_03 * (mp - m + 2.0 * f).sin()
        - 0.000_02 * (mp - m - 2.0 * f).sin()
        - 0.000_02 * (3.0 * mp + m).sin()
        + 0.000_02 * (4.0 * mp).sin();
    jde += corr;

    // Additional corrections from the planetary arguments A1..A14 (coefficients in 1e-6 day).
    const PLANETARY: [(f64, f64, f64); 14] = [
        (299.77, 0.107_408, 325.0),
        (251.88, 0.016_321, 165.0),
        (251.83, 26.651_886, 164.0),
        (349.42, 36.412_478, 126.0),
        (84.66, 18.206_239, 110.0),
        (141.74, 53.303_771, 62.0),
        (207.14, 2.453_732, 60.0),
        (154.84, 7.306_860, 56.0),
        (34.52, 27.261_239, 47.0),
        (207.19, 0.121_824, 42.0),
        (291.34, 1.844_379, 40.0),
        (161.72, 24.198_154, 37.0),
        (239.56, 25.513_099, 35.0),
        (331.55, 3.592_518, 23.0),
    ];
    let mut planetary = 0.0;
    for (i, (a0, a1, coef)) in PLANETARY.iter().enumerate() {
        let mut arg = a0 + a1 * k;
        if i == 0 {
            arg -= 0.009_173 * t2;
        }
        planetary += coef * rad(arg).sin();
    }
    jde += planetary * 1e-6;

    jde - delta_t_seconds(decimal_year(jde)) / 86_400.0
}

/// Apparent geocentric longitude of the Sun in degrees `[0, 360)` at Julian Day `jd_ut` (UT).
/// Meeus chapter 25, low-accuracy method (about 0.01°).
pub(crate) fn sun_longitude_deg(jd_ut: f64) -> f64 {
    let jde = jd_ut + delta_t_seconds(decimal_year(jd_ut)) / 86_400.0;
    let t = (jde - 2_451_545.0) / 36_525.0;
    let t2 = t * t;
    let l0 = 280.466_46 + 36_000.769_83 * t + 0.000_303_2 * t2;
    let m = rad(357.529_11 + 35_999.050_29 * t - 0.000_153_7 * t2);
    let c = (1.914_602 - 0.004_817 * t - 0.000_014 * t2) * m.sin()
        + (0.019_993 - 0.000_101 * t) * (2.0 * m).sin()
        + 0.000_289 * (3.0 * m).sin();
    let true_long = l0 + c;
    let omega = rad(125.04 - 1_934.136 * t);
    norm360(true_long - 0.005_69 - 0.004_78 * omega.sin())
}

/// Civil day (chrono `num_days_from_ce`) of the new moon `k` in the zone `tz_hours` east of UTC.
pub(crate) fn new_moon_day(k: i32, tz_hours: f64) -> i32 {
    let local = new_moon_jd_ut(k) + tz_hours / 24.0;
    // A civil day runs from JD x.5 to (x+1).5, so the Julian Day *Number* is floor(jd + 0.5).
    (local + 0.5).floor() as i32 - JDN_OFFSET
}

/// 30° sector (0..=11) of the Sun's longitude at the local midnight that starts civil day `day`
/// (chrono `num_days_from_ce`). Sector 9 starts at 270°, the winter solstice (Đông chí).
pub(crate) fn sun_sector_at_day_start(day: i32, tz_hours: f64) -> u8 {
    let jd_midnight_ut = f64::from(day + JDN_OFFSET) - 0.5 - tz_hours / 24.0;
    (sun_longitude_deg(jd_midnight_ut) / 30.0).floor() as u8 % 12
}

/// Lunation number `k` of a new moon near civil day `day` (may be off by one; callers scan).
pub(crate) fn approx_lunation(day: i32) -> i32 {
    ((f64::from(day + JDN_OFFSET) - 2_451_550.1) / SYNODIC_MONTH).floor() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_moon_meeus_example_49a() {
        // Meeus example 49.a: the new moon of 1977 February, k = −283, JDE 2443192.65118.
        let jd_ut = new_moon_jd_ut(-283);
        let jde = jd_ut + delta_t_seconds(1977.1) / 86_400.0;
        assert!((jde - 2_443_192.651_18).abs() < 0.000_1, "{jde}");
    }

    #[test]
    fn sun_longitude_meeus_example_25a() {
        // Meeus example 25.a: 1992 October 13.0 TD, apparent λ = 199.90988° (low accuracy).
        let jde = 2_448_908.5;
        let jd_ut = jde - delta_t_seconds(1992.8) / 86_400.0;
        let l = sun_longitude_deg(jd_ut);
        assert!((l - 199.909_88).abs() < 0.001, "{l}");
    }
}
