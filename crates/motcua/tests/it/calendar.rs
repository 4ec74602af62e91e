//! The working-day calendar: versions in the store (both databases), the JSON API, the pages,
//! the command line and the calculator in a browser.

use crate::support::{Client, TestApp, TestDb, on_each_db};
use chrono::NaiveDate;
use motcua_core::calendar::{EntryKind, ScheduleEntry};
use motcua_store::calendar::{self as cal, CalendarCache, Change};
use motcua_store::events::{self, Actor};
use serde_json::json;
use std::process::Command;

fn actor() -> Actor {
    Actor {
        id: "tester".into(),
        role: "admin".into(),
        unit: String::new(),
    }
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn entry(date: &str, kind: EntryKind, name: &str) -> ScheduleEntry {
    ScheduleEntry {
        date: d(date),
        kind,
        name: name.into(),
        reference: "Công văn 9999/VPCP-KGVX ngày 01/12/2026 (thử nghiệm)".into(),
    }
}

fn at(s: &str) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(s).unwrap()
}

async fn due_of(db: &TestDb, cache: &CalendarCache, from: &str, version: Option<i64>) -> String {
    let c = cache.agency(&db.store, None, version).await.unwrap();
    let opts = motcua_core::calendar::DueOptions::default();
    let r = motcua_core::calendar::due(&c, at(from), "5wd".parse().unwrap(), &opts).unwrap();
    r.due.format("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

// ------------------------------------------------------------------------------------- store

#[tokio::test]
async fn calendar_versions_rebuild_any_past_calendar() {
    on_each_db("calendar_versions_rebuild_any_past_calendar", |db| async move {
        let now = chrono::Utc::now();
        // Seeding is idempotent and makes version 1 from the shipped schedules.
        assert_eq!(cal::ensure_seeded(&db.store, now).await.unwrap(), 1);
        assert_eq!(cal::ensure_seeded(&db.store, now).await.unwrap(), 1);
        let v1 = cal::entries_as_of(db.store.db(), 1).await.unwrap();
        assert_eq!(v1.len(), motcua_core::calendar::shipped_entries().len());
        let cache = CalendarCache::new();
        assert_eq!(
            due_of(&db, &cache, "2024-02-07T10:00:00+07:00", None).await,
            "2024-02-21T10:00:00+07:00"
        );

        // Version 2: the agency-wide day off on Friday 2026-03-06 (fictitious, for the test).
        let r = cal::change(
            &db.store,
            &actor(),
            now,
            Change::Add(vec![entry("2026-03-06", EntryKind::SwappedOff, "Nghỉ hoán đổi (thử)")]),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(r.version, 2);
        assert_eq!(
            due_of(&db, &cache, "2026-03-05T10:00:00+07:00", None).await,
            "2026-03-13T10:00:00+07:00"
        );
        // Version 3: corrected to a compensatory day on Monday 2026-03-09 instead.
        let id = r.added[0].clone();
        let r3 = cal::change(
            &db.store,
            &actor(),
            now,
            Change::Correct {
                id: id.clone(),
                entry: entry("2026-03-09", EntryKind::Compensatory, "Nghỉ bù (thử)"),
            },
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(r3.version, 3);
        assert_eq!(r3.removed, vec![id.clone()]);
        // Version 4: removed.
        let r4 = cal::change(
            &db.store,
            &actor(),
            now,
            Change::Remove {
                id: r3.added[0].clone(),
            },
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(r4.version, 4);
        // As of each version, the same receipt gives that version's deadline.
        let from = "2026-03-05T10:00:00+07:00";
        assert_eq!(due_of(&db, &cache, from, Some(1)).await, "2026-03-12T10:00:00+07:00");
        assert_eq!(due_of(&db, &cache, from, Some(2)).await, "2026-03-13T10:00:00+07:00");
        assert_eq!(due_of(&db, &cache, from, Some(3)).await, "2026-03-13T10:00:00+07:00");
        assert_eq!(due_of(&db, &cache, from, Some(4)).await, "2026-03-12T10:00:00+07:00");
        let n = |v: i64| {
            let db = db.store.db().clone();
            async move { cal::entries_as_of(&db, v).await.unwrap().len() }
        };
        assert_eq!(n(2).await, v1.len() + 1);
        assert_eq!(n(3).await, v1.len() + 1);
        assert_eq!(n(4).await, v1.len());
        // Every version is an event on calendar/national, and the chain verifies.
        let evs = events::of_aggregate(db.store.db(), "calendar", "national")
            .await
            .unwrap();
        let kinds: Vec<&str> = evs.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "calendar.seeded",
                "calendar.entries_added",
                "calendar.entry_corrected",
                "calendar.entry_removed"
            ]
        );
        let versions = cal::list_versions(db.store.db()).await.unwrap();
        assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), [1, 2, 3, 4]);
        assert!(events::verify_all(db.store.db()).await.unwrap().ok());
        // An unknown version is refused.
        let err = cache.national(&db.store, Some(5)).await.unwrap_err();
        assert!(matches!(
            err,
            motcua_store::StoreError::Rejected {
                code: "calendar_version_unknown",
                ..
            }
        ));
        db
    })
    .await;
}

#[tokio::test]
async fn contradictory_entries_are_rejected_and_nothing_is_saved() {
    on_each_db(
        "contradictory_entries_are_rejected_and_nothing_is_saved",
        |db| async move {
            let now = chrono::Utc::now();
            cal::ensure_seeded(&db.store, now).await.unwrap();
            let before = events::of_aggregate(db.store.db(), "calendar", "national")
                .await
                .unwrap()
                .len();
            // The same date both off and make-up, inside one change.
            let p = cal::change(
                &db.store,
                &actor(),
                now,
                Change::Add(vec![
                    entry("2027-01-09", EntryKind::Holiday, "Nghỉ (thử)"),
                    entry("2027-01-09", EntryKind::MakeupWorkday, "Làm bù (thử)"),
                ]),
            )
            .await
            .unwrap()
            .unwrap_err();
            assert!(p.iter().any(|p| p.code == "off_and_makeup"), "{p:?}");
            // A make-up day on a date the shipped schedule has off (Tết 2024, Saturday 10/2).
            let p = cal::change(
                &db.store,
                &actor(),
                now,
                Change::Add(vec![entry("2024-02-10", EntryKind::MakeupWorkday, "Làm bù (thử)")]),
            )
            .await
            .unwrap()
            .unwrap_err();
            assert!(
                p.iter().any(|p| p.code == "off_and_makeup" && p.row == Some(1)),
                "{p:?}"
            );
            // A missing reference is refused too.
            let mut e = entry("2027-01-08", EntryKind::SwappedOff, "x");
            e.reference = " ".into();
            let p = cal::change(&db.store, &actor(), now, Change::Add(vec![e]))
                .await
                .unwrap()
                .unwrap_err();
            assert_eq!(p[0].code, "entry_reference_required");
            // Nothing was saved: same version, same events, same entries.
            assert_eq!(cal::current_version(db.store.db()).await.unwrap(), Some(1));
            let after = events::of_aggregate(db.store.db(), "calendar", "national")
                .await
                .unwrap()
                .len();
            assert_eq!(before, after);
            let rows: i64 = motcua_store::on_db!(db.store.db(), |p| sqlx::query_scalar(
                "SELECT COUNT(*) FROM calendar_entries"
            )
            .fetch_one(p)
            .await)
            .unwrap();
            assert_eq!(rows as usize, motcua_core::calendar::shipped_entries().len());
            // An unknown entry id is not found.
            let e = cal::change(&db.store, &actor(), now, Change::Remove { id: "nope".into() })
                .await
                .unwrap_err();
            assert!(matches!(e, motcua_store::StoreError::NotFound(_)));
            db
        },
    )
    .await;
}

#[tokio::test]
async fn csv_import_replaces_the_years_it_contains_and_agency_settings_are_evented() {
    on_each_db("csv_import_replaces_the_years_it_contains", |db| async move {
        let now = chrono::Utc::now();
        cal::ensure_seeded(&db.store, now).await.unwrap();
        let n2026 = cal::entries_as_of(db.store.db(), 1)
            .await
            .unwrap()
            .iter()
            .filter(|e| e.year == 2026)
            .count();
        assert!(n2026 > 5);
        let csv = "date,kind,name,reference\n2026-01-01,holiday,Tết Dương lịch,CV thử\n2026-01-02,swapped_off,Nghỉ hoán đổi,CV thử\n2026-01-10,makeup_workday,Làm bù,CV thử\n";
        let entries = motcua_core::calendar::parse_schedule_csv(csv).unwrap();
        let r = cal::change(&db.store, &actor(), now, Change::Import(entries))
            .await
            .unwrap()
            .unwrap();
        assert_eq!((r.version, r.added.len(), r.removed.len()), (2, 3, n2026));
        let now2026 = cal::entries_as_of(db.store.db(), 2)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.year == 2026)
            .count();
        assert_eq!(now2026, 3);
        // Other years are untouched.
        let y2024 = |v| {
            let db = db.store.db().clone();
            async move {
                cal::entries_as_of(&db, v)
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|e| e.year == 2024)
                    .count()
            }
        };
        assert_eq!(y2024(1).await, y2024(2).await);

        // Agency hours and closures, per unit code, evented.
        motcua::demo::seed(&db.store).await.unwrap();
        let code = "000.05.15.H50";
        let hours = motcua_core::calendar::WorkingHours {
            periods: vec![
                motcua_core::calendar::Period::hm(7, 0, 11, 0).unwrap(),
                motcua_core::calendar::Period::hm(13, 0, 17, 0).unwrap(),
            ],
            ..Default::default()
        };
        let v = cal::set_agency_hours(&db.store, &actor(), now, code, hours.clone()).await.unwrap();
        assert_eq!(v, 1);
        cal::add_closure(&db.store, &actor(), now, code, d("2024-02-15"), "Sự kiện địa phương (thử)")
            .await
            .unwrap();
        let dup = cal::add_closure(&db.store, &actor(), now, code, d("2024-02-15"), "again").await;
        assert!(matches!(dup, Err(motcua_store::StoreError::Rejected { code: "closure_exists", .. })));
        let s = cal::agency_settings(db.store.db(), code).await.unwrap();
        assert_eq!((s.hours, s.closures.len(), s.version), (Some(hours), 1, 2));
        let cache = CalendarCache::new();
        let c = cache.agency(&db.store, Some(code), None).await.unwrap();
        let r = motcua_core::calendar::due(
            &c,
            at("2024-02-07T10:00:00+07:00"),
            "5wd".parse().unwrap(),
            &Default::default(),
        )
        .unwrap();
        // 15/2 closed: one working day later, and the 07:00 hours shift the clock time.
        assert_eq!(r.due, at("2024-02-22T10:00:00+07:00"));
        cal::remove_closure(&db.store, &actor(), now, code, d("2024-02-15")).await.unwrap();
        let unknown = cal::agency_settings(db.store.db(), "000.99.99.H50").await;
        assert!(matches!(unknown, Err(motcua_store::StoreError::Rejected { code: "agency_unknown", .. })));
        let evs = events::of_aggregate(db.store.db(), "calendar", &cal::agency_aggregate(code)).await.unwrap();
        assert_eq!(evs.len(), 3);
        db
    })
    .await;
}

// -------------------------------------------------------------------------------------- HTTP

#[tokio::test]
async fn calendar_api_answers_the_documented_examples() {
    let app = TestApp::sqlite_demo().await;
    let mut anon = Client::default();
    let r = app.get(&mut anon, "/api/v1/calendar/day/2024-02-08").await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = r.json();
    assert_eq!(j["date"], "2024-02-08");
    assert_eq!(j["working"], false);
    assert_eq!(j["kind"], "holiday");
    assert!(j["name"].as_str().unwrap().contains("Tết Nguyên đán"));
    assert!(j["reference"].as_str().unwrap().contains("Điều 112"));
    assert_eq!(j["lunar"], json!({"year": 2023, "month": 12, "day": 29, "leap": false}));

    let r = app.get(&mut anon, "/api/v1/calendar/tet/1985").await;
    assert_eq!(r.json(), json!({"year": 1985, "date": "1985-01-21"}));

    let r = app
        .get(
            &mut anon,
            "/api/v1/calendar/due?from=2024-02-07T10:00:00%2B07:00&duration=5wd",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = r.json();
    assert_eq!(j["due"], "2024-02-21T10:00:00+07:00");
    assert_eq!(j["calendar_version"], 1);
    let skipped = j["skipped"].as_array().unwrap();
    assert_eq!(skipped[0]["date"], "2024-02-08");
    assert_eq!(skipped[0]["kind"], "holiday");
    let dates: Vec<&str> = skipped.iter().map(|s| s["date"].as_str().unwrap()).collect();
    assert_eq!(
        dates,
        [
            "2024-02-08",
            "2024-02-09",
            "2024-02-10",
            "2024-02-11",
            "2024-02-12",
            "2024-02-13",
            "2024-02-14",
            "2024-02-17",
            "2024-02-18"
        ]
    );
    // Cut-off: received at 16:00 with a 15:00 cut-off counts from the next working day.
    let r = app
        .get(
            &mut anon,
            "/api/v1/calendar/due?from=2024-02-07T16:00:00%2B07:00&duration=1wd&cutoff=15:00",
        )
        .await;
    assert_eq!(r.json()["due"], "2024-02-15T17:30:00+07:00");

    let r = app.get(&mut anon, "/api/v1/calendar/year/2026").await;
    let j = r.json();
    let days: Vec<(&str, &str)> = j["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["date"].as_str().unwrap(), d["kind"].as_str().unwrap()))
        .collect();
    assert!(days.contains(&("2026-01-02", "swapped_off")), "{days:?}");
    assert!(days.contains(&("2026-01-10", "makeup_workday")), "{days:?}");
    // Only weekdays off and make-up days: no plain weekend.
    for (date, kind) in &days {
        let wd = chrono::Datelike::weekday(&d(date));
        assert!(
            *kind == "makeup_workday" || !matches!(wd, chrono::Weekday::Sat | chrono::Weekday::Sun),
            "{date} {kind}"
        );
    }
}

#[tokio::test]
async fn calendar_api_names_the_field_of_bad_input() {
    let app = TestApp::sqlite_demo().await;
    let mut anon = Client::default();
    let cases = [
        (
            "/api/v1/calendar/due?from=2024-02-07T10:00:00%2B07:00&duration=0wd",
            "duration_zero",
            "duration",
        ),
        (
            "/api/v1/calendar/due?from=2024-02-07T10:00:00%2B07:00&duration=-3d",
            "duration_negative",
            "duration",
        ),
        (
            "/api/v1/calendar/due?from=2024-02-07T10:00:00%2B07:00&duration=abc",
            "duration_invalid",
            "duration",
        ),
        (
            "/api/v1/calendar/due?from=2024-02-30T10:00:00%2B07:00&duration=5wd",
            "instant_invalid",
            "from",
        ),
        ("/api/v1/calendar/due?duration=5wd", "field_required", "from"),
        (
            "/api/v1/calendar/due?from=2024-02-07T10:00&duration=5wd&cutoff=25:00",
            "cutoff_invalid",
            "cutoff",
        ),
        (
            "/api/v1/calendar/due?from=2024-02-07T10:00&duration=5wd&agency=000.99.99.H50",
            "agency_unknown",
            "agency",
        ),
        (
            "/api/v1/calendar/due?from=2024-02-07T10:00&duration=5wd&version=99",
            "calendar_version_unknown",
            "version",
        ),
        ("/api/v1/calendar/day/2024-02-30", "date_invalid", "date"),
        ("/api/v1/calendar/day/abc", "date_invalid", "date"),
        ("/api/v1/calendar/year/abc", "year_invalid", "year"),
        ("/api/v1/calendar/tet/abc", "year_invalid", "year"),
    ];
    for (path, code, field) in cases {
        let r = app.get(&mut anon, path).await;
        assert_eq!(r.status, 422, "{path}: {}", r.body);
        assert!(
            r.headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("application/problem+json"),
            "{path}"
        );
        let j = r.json();
        assert_eq!(
            (j["code"].as_str().unwrap(), j["field"].as_str().unwrap()),
            (code, field),
            "{path}: {j}"
        );
        assert!(
            !j["message_vi"].as_str().unwrap().starts_with("Lỗi:"),
            "{path}: no locale text for {code}"
        );
        assert!(!j["message_en"].as_str().unwrap().starts_with("Error:"), "{path}");
    }
    // The local form of an instant and a known agency work.
    let r = app
        .get(
            &mut anon,
            "/api/v1/calendar/due?from=2024-02-07T10:00&duration=5wd&agency=000.05.15.H50",
        )
        .await;
    assert_eq!(r.json()["due"], "2024-02-21T10:00:00+07:00");
}

#[tokio::test]
async fn admin_changes_the_schedule_over_the_api_and_recomputes_as_of_a_version() {
    let app = TestApp::sqlite_demo().await;
    let mut admin = app.login("admin", "demo-admin-2026").await;
    let mut clerk = app.login("lan", "demo-clerk-2026").await;
    let body = json!({"entries": [{"date": "2026-03-06", "kind": "swapped_off", "name": "Nghỉ hoán đổi (thử)", "reference": "CV thử"}]});
    // Other roles may not write.
    let r = app.json(&mut clerk, "POST", "/api/v1/calendar/entries", &body).await;
    assert_eq!(r.status, 403);
    let r = app.json(&mut admin, "POST", "/api/v1/calendar/entries", &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let j = r.json();
    assert_eq!(j["version"], 2);
    let id = j["added"][0].as_str().unwrap().to_owned();
    // Contradictory: a make-up day on the same date → 422, nothing saved.
    let bad = json!({"entries": [{"date": "2026-03-06", "kind": "makeup_workday", "name": "x", "reference": "y"}]});
    let r = app.json(&mut admin, "POST", "/api/v1/calendar/entries", &bad).await;
    assert_eq!(r.status, 422, "{}", r.body);
    let p = r.json();
    assert_eq!(p["code"], "schedule_invalid");
    assert!(
        p["detail"].as_str().unwrap().contains("makeup_not_weekend")
            || p["detail"].as_str().unwrap().contains("off_and_makeup")
    );
    let bad_kind = json!({"entries": [{"date": "2026-03-06", "kind": "party", "name": "x", "reference": "y"}]});
    let r = app
        .json(&mut admin, "POST", "/api/v1/calendar/entries", &bad_kind)
        .await;
    assert_eq!(
        (r.status, r.json()["field"].as_str().unwrap().to_owned()),
        (422, "entries[0].kind".to_owned())
    );
    // Correct it (version 3), then import a CSV (version 4).
    let r = app
        .json(
            &mut admin,
            "PUT",
            &format!("/api/v1/calendar/entries/{id}"),
            &json!({"date": "2026-03-09", "kind": "compensatory", "name": "Nghỉ bù (thử)", "reference": "CV thử"}),
        )
        .await;
    assert_eq!((r.status, r.json()["version"].as_i64()), (200, Some(3)), "{}", r.body);
    let csv = "date,kind,name,reference\n2027-02-05,holiday,Tết Nguyên đán Đinh Mùi,CV thử\n";
    let r = app
        .request(
            &mut admin,
            "POST",
            "/api/v1/calendar/import",
            Some("text/csv"),
            csv.as_bytes().to_vec(),
        )
        .await;
    assert_eq!((r.status, r.json()["version"].as_i64()), (201, Some(4)), "{}", r.body);
    let bad_csv = "date,kind,name,reference\n2027-02-30,holiday,x,y\n";
    let r = app
        .request(
            &mut admin,
            "POST",
            "/api/v1/calendar/import",
            Some("text/csv"),
            bad_csv.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.body);
    let r = app.get(&mut admin, "/api/v1/calendar/versions").await;
    let versions: Vec<i64> = r
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [1, 2, 3, 4]);
    // Recompute a deadline as of version 2 and compare with the current one.
    let r = app
        .get(
            &mut admin,
            "/api/v1/calendar/diff?from=2026-03-05T10:00&duration=5wd&a=2",
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let j = r.json();
    assert_eq!(j["a"]["due"], "2026-03-13T10:00:00+07:00");
    assert_eq!(j["b"]["due"], "2026-03-13T10:00:00+07:00");
    assert_eq!(j["b"]["calendar_version"], 4);
    assert_eq!(j["entries_only_in_a"][0]["date"], "2026-03-06");
    assert_eq!(j["entries_only_in_b"].as_array().unwrap().len(), 2);
    let r = app
        .get(
            &mut admin,
            "/api/v1/calendar/diff?from=2026-03-05T10:00&duration=5wd&a=1",
        )
        .await;
    assert_eq!(r.json()["changed"], true);
    assert_eq!(r.json()["a"]["due"], "2026-03-12T10:00:00+07:00");
    // Remove (version 5); as of version 5 the computed date is back.
    let r = app
        .request(
            &mut admin,
            "DELETE",
            &format!("/api/v1/calendar/entries/{id}"),
            None,
            vec![],
        )
        .await;
    assert_eq!(r.status, 404, "the corrected row is no longer current");
    // Agency hours and closures.
    let r = app
        .json(
            &mut admin,
            "POST",
            "/api/v1/calendar/agencies/000.05.15.H50/closures",
            &json!({"date": "2024-02-15", "reason": "Sự kiện địa phương"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let r = app
        .get(
            &mut clerk,
            "/api/v1/calendar/due?from=2024-02-07T10:00&duration=5wd&agency=000.05.15.H50",
        )
        .await;
    let j = r.json();
    assert_eq!(j["due"], "2024-02-22T10:00:00+07:00");
    assert!(
        j["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["kind"] == "agency_closure")
    );
    let r = app
        .json(
            &mut admin,
            "PUT",
            "/api/v1/calendar/agencies/000.05.15.H50/hours",
            &json!({"periods": [{"start": "11:00:00", "end": "08:00:00"}], "seasonal": [], "rest_days": ["Sat", "Sun"]}),
        )
        .await;
    assert_eq!(
        (r.status, r.json()["code"].as_str().unwrap().to_owned()),
        (422, "working_hours_invalid".to_owned())
    );
    let r = app
        .request(
            &mut admin,
            "DELETE",
            "/api/v1/calendar/agencies/000.05.15.H50/closures?date=2024-02-15",
            None,
            vec![],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = app.get(&mut admin, "/api/v1/calendar/agencies/000.99.99.H50").await;
    assert_eq!(
        (r.status, r.json()["field"].as_str().unwrap().to_owned()),
        (422, "agency".to_owned())
    );
}

#[tokio::test]
async fn calendar_pages_compute_and_manage_the_schedule() {
    let app = TestApp::sqlite_demo().await;
    let mut anon = Client::default();
    let r = app
        .get(&mut anon, "/calendar/due?date=07%2F02%2F2024&time=10%3A00&duration=5wd")
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("Thứ Tư, 21/02/2024 10:00"), "{}", r.body);
    assert!(r.body.contains("Tết Nguyên đán Giáp Thìn") && r.body.contains("Điều 112"));
    let r = app
        .get(&mut anon, "/calendar/due?date=2024-02-07&time=10:00&duration=0wd")
        .await;
    assert_eq!(r.status, 422);
    assert!(r.body.contains("aria-invalid=\"true\"") && r.body.contains("Thời hạn phải lớn hơn 0"));
    // The admin calendar: anonymous people are sent to sign in.
    let r = app.get(&mut anon, "/admin/calendar").await;
    assert_eq!(r.status, 303);
    let mut admin = app.login("admin", "demo-admin-2026").await;
    let r = app.get(&mut admin, "/admin/calendar?year=2026").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("<caption>Tháng 2/2026</caption>"));
    assert!(r.body.contains("Làm bù cho 2/1/2026"));
    // 17/2/2026 is Tết Bính Ngọ (1/1 âm lịch).
    assert!(r.body.contains("Thứ Ba 17/02/2026 — Ngày lễ, Tết"), "{}", r.body);
    let r = app
        .form(
            &mut admin,
            "/admin/calendar/entries",
            &[
                ("id", ""),
                ("year", "2026"),
                ("date", "2026-03-06"),
                ("kind", "swapped_off"),
                ("name", "Nghỉ hoán đổi (thử)"),
                ("reference", "CV thử"),
            ],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.body);
    let r = app
        .form(
            &mut admin,
            "/admin/calendar/import",
            &[
                ("year", "2026"),
                (
                    "csv",
                    "date,kind,name,reference\n2026-03-07,holiday,a,b\n2026-03-07,makeup_workday,c,d\n",
                ),
            ],
        )
        .await;
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("id=\"problems\"") && r.body.contains("Dòng 3"),
        "{}",
        r.body
    );
    let r = app
        .get(
            &mut admin,
            "/admin/calendar?year=2026&a=1&date=2026-03-05&time=10:00&duration=5wd",
        )
        .await;
    assert!(r.body.contains("Ngày hẹn trả thay đổi"), "{}", r.body);
    assert!(r.body.contains("Thứ Năm, 12/03/2026 10:00") && r.body.contains("Thứ Sáu, 13/03/2026 10:00"));
}

// --------------------------------------------------------------------------------------- CLI

fn motcua() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_motcua"));
    c.env_remove("MOTCUA_DATABASE_URL").env_remove("MOTCUA_LISTEN");
    c
}

fn run_json(args: &[&str]) -> serde_json::Value {
    let out = motcua().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1, "one object: {text}");
    serde_json::from_str(&text).unwrap()
}

#[test]
fn cli_calendar_prints_the_documented_json() {
    let dir = std::env::temp_dir().join(format!("motcua-cli-{}-calendar", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/c.db", dir.display());
    let j = run_json(&["calendar", "day", "2024-02-08", "--database-url", &url]);
    assert_eq!(j["date"], "2024-02-08");
    assert_eq!(j["working"], false);
    assert_eq!(j["kind"], "holiday");
    assert!(j["name"].as_str().unwrap().starts_with("Tết Nguyên đán"));
    assert!(j["reference"].as_str().unwrap().contains("Bộ luật Lao động 2019"));
    assert_eq!(j["lunar"], json!({"year": 2023, "month": 12, "day": 29, "leap": false}));
    assert_eq!(
        run_json(&["calendar", "tet", "1985"]),
        json!({"year": 1985, "date": "1985-01-21"})
    );
    let j = run_json(&[
        "calendar",
        "due",
        "--from",
        "2024-02-07T10:00:00+07:00",
        "--duration",
        "5wd",
        "--database-url",
        &url,
    ]);
    assert_eq!(j["due"], "2024-02-21T10:00:00+07:00");
    assert_eq!(j["calendar_version"], 1);
    assert_eq!(j["skipped"][0]["date"], "2024-02-08");
    assert_eq!(j["skipped"][0]["kind"], "holiday");
    assert!(j["skipped"][0]["name"].as_str().unwrap().contains("Tết"));
    assert_eq!(j["skipped"].as_array().unwrap().len(), 9);
    let j = run_json(&[
        "calendar",
        "due",
        "--from",
        "2024-02-07T16:00:00+07:00",
        "--duration",
        "1wd",
        "--cutoff",
        "15:00",
        "--database-url",
        &url,
    ]);
    assert_eq!(j["due"], "2024-02-15T17:30:00+07:00");
    let j = run_json(&["calendar", "year", "2026", "--database-url", &url]);
    assert_eq!(j["year"], 2026);
    let days = j["days"].as_array().unwrap();
    assert!(
        days.iter()
            .any(|d| d["date"] == "2026-01-02" && d["kind"] == "swapped_off")
    );
    assert!(
        days.iter()
            .any(|d| d["date"] == "2026-01-10" && d["kind"] == "makeup_workday")
    );
    assert!(days.iter().any(|d| d["date"] == "2026-02-17" && d["kind"] == "holiday"));

    // Bad input: one line naming the flag, exit status 2.
    let bad: [(&[&str], &str); 7] = [
        (
            &[
                "calendar",
                "due",
                "--from",
                "2024-02-07T10:00:00+07:00",
                "--duration",
                "0wd",
            ],
            "--duration",
        ),
        (
            &[
                "calendar",
                "due",
                "--from",
                "2024-02-07T10:00:00+07:00",
                "--duration=-3d",
            ],
            "--duration",
        ),
        (
            &[
                "calendar",
                "due",
                "--from",
                "2024-02-07T10:00:00+07:00",
                "--duration",
                "abc",
            ],
            "--duration",
        ),
        (
            &["calendar", "due", "--from", "2024-02-30T10:00", "--duration", "5wd"],
            "--from",
        ),
        (
            &[
                "calendar",
                "due",
                "--from",
                "2024-02-07T10:00",
                "--duration",
                "5wd",
                "--agency",
                "000.99.99.H50",
            ],
            "--agency",
        ),
        (&["calendar", "day", "2024-02-30"], "DATE"),
        (&["calendar", "year", "abc"], "YEAR"),
    ];
    for (args, flag) in bad {
        let mut a: Vec<&str> = args.to_vec();
        a.extend(["--database-url", &url]);
        let out = motcua().args(&a).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{a:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(flag) && err.lines().count() == 1, "{a:?}: {err}");
        assert!(out.stdout.is_empty());
    }
    let out = motcua().args(["calendar", "tet", "abc"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(dir);
}

// ------------------------------------------------------------------------------------ browser

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_calculator_explains_a_deadline_across_tet() {
    use fantoccini::Locator;
    let Some(b) = crate::browser::browser("browser_calculator").await else {
        return;
    };
    let base = crate::browser::serve_demo().await;
    let c = &b.client;
    c.goto(&base).await.unwrap();
    c.find(Locator::LinkText("Tính ngày hẹn trả"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let h1 = c.find(Locator::Css("h1")).await.unwrap().text().await.unwrap();
    assert_eq!(h1, "Tính ngày hẹn trả");
    for (id, value) in [("date", "2024-02-07"), ("time", "10:00"), ("duration", "5wd")] {
        let f = c.find(Locator::Id(id)).await.unwrap();
        f.clear().await.unwrap();
        f.send_keys(value).await.unwrap();
    }
    c.find(Locator::Css("#due-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let due = c
        .wait()
        .for_element(Locator::Id("due"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(due.contains("21/02/2024 10:00"), "{due}");
    let table = c.find(Locator::Id("skipped")).await.unwrap().text().await.unwrap();
    assert!(
        table.contains("Tết Nguyên đán Giáp Thìn") && table.contains("08/02/2024") && table.contains("Nghỉ bù"),
        "{table}"
    );
    c.clone().close().await.unwrap();
}
