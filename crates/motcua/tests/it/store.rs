//! Storage tests, run on SQLite and PostgreSQL.

use crate::support::{TestDb, on_each_db};
use motcua_core::identity::UnitCode;
use motcua_store::events::{self, Actor, NewEvent};
use motcua_store::identity::{self, NewUnit, UnitChange};
use motcua_store::{DbKind, StoreError, on_tx};
use serde_json::json;

fn actor() -> Actor {
    Actor {
        id: "tester".into(),
        role: "admin".into(),
        unit: String::new(),
    }
}

async fn append(db: &TestDb, agg: &str, expected: Option<i64>, n: i64) -> Result<events::Appended, StoreError> {
    let agg = agg.to_owned();
    db.store
        .write(move |tx| {
            Box::pin(async move {
                events::append(
                    tx,
                    NewEvent {
                        aggregate_type: "test",
                        aggregate_id: &agg,
                        expected_seq: expected,
                        kind: "test.happened",
                        actor: &actor(),
                        at: chrono::Utc::now(),
                        payload: json!({"n": n, "text": "Đăng ký"}),
                    },
                )
                .await
            })
        })
        .await
}

async fn tamper(db: &TestDb, sql: &str) {
    let sql = sql.to_owned();
    db.store
        .write(move |tx| {
            Box::pin(async move {
                on_tx!(tx, |c| sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected()))?;
                Ok(())
            })
        })
        .await
        .unwrap();
}

#[tokio::test]
async fn chains_verify_and_a_direct_edit_is_caught() {
    on_each_db("chains_verify_and_a_direct_edit_is_caught", |db| async move {
        for i in 0..5 {
            append(&db, "a", None, i).await.unwrap();
            append(&db, "b", None, i).await.unwrap();
        }
        let r = events::verify_all(db.store.db()).await.unwrap();
        assert!(r.ok(), "{r:?}");
        assert_eq!((r.events, r.aggregates), (10, 2));
        // Someone edits an event's payload directly in the database.
        let target: i64 = motcua_store::on_db!(db.store.db(), |p| sqlx::query_scalar(
            "SELECT id FROM events WHERE aggregate_id = 'b' AND seq = 3"
        )
        .fetch_one(p)
        .await)
        .unwrap();
        tamper(
            &db,
            &format!("UPDATE events SET payload = '{{\"n\": 99}}' WHERE id = {target}"),
        )
        .await;
        let r = events::verify_all(db.store.db()).await.unwrap();
        assert_eq!(r.first_break_event_id, Some(target), "{r:?}");
        assert!(r.first_break.unwrap().contains(&format!("event {target}")));
        db
    })
    .await;
}

#[tokio::test]
async fn a_deleted_tail_event_is_caught_by_the_checkpoint() {
    on_each_db("a_deleted_tail_event_is_caught_by_the_checkpoint", |db| async move {
        for i in 0..3 {
            append(&db, "c", None, i).await.unwrap();
        }
        let now = chrono::Utc::now() + chrono::Duration::seconds(1);
        let sealed = events::checkpoint(&db.store, now, now).await.unwrap();
        assert!(sealed.is_some());
        assert!(events::verify_all(db.store.db()).await.unwrap().ok());
        tamper(&db, "DELETE FROM events WHERE aggregate_id = 'c' AND seq = 3").await;
        let r = events::verify_all(db.store.db()).await.unwrap();
        assert!(!r.ok(), "deleting the newest event must be detected: {r:?}");
        assert!(r.first_break.unwrap().contains("checkpoint"));
        db
    })
    .await;
}

#[tokio::test]
async fn concurrent_writers_never_fork_an_aggregate() {
    on_each_db("concurrent_writers_never_fork_an_aggregate", |db| async move {
        append(&db, "x", Some(0), 0).await.unwrap();
        // Two writers who both read version 1: exactly one wins.
        let (a, b) = tokio::join!(append(&db, "x", Some(1), 1), append(&db, "x", Some(1), 2));
        let wins = [&a, &b].iter().filter(|r| r.is_ok()).count();
        assert_eq!(wins, 1, "{a:?} {b:?}");
        assert!([&a, &b].iter().any(|r| matches!(r, Err(StoreError::Conflict(_)))));
        // Many writers appending without a version: every append lands once, in order.
        let mut tasks = Vec::new();
        for i in 0..40 {
            let store = db.store.clone();
            tasks.push(tokio::spawn(async move {
                store
                    .write(move |tx| {
                        Box::pin(async move {
                            events::append(
                                tx,
                                NewEvent {
                                    aggregate_type: "test",
                                    aggregate_id: "y",
                                    expected_seq: None,
                                    kind: "test.many",
                                    actor: &actor(),
                                    at: chrono::Utc::now(),
                                    payload: json!({"i": i}),
                                },
                            )
                            .await
                        })
                    })
                    .await
            }));
        }
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => ok += 1,
                Err(StoreError::Conflict(_)) => {}
                Err(e) => panic!("{e}"),
            }
        }
        let evs = events::of_aggregate(db.store.db(), "test", "y").await.unwrap();
        assert_eq!(evs.len(), ok);
        assert!(evs.iter().enumerate().all(|(i, e)| e.seq == i as i64 + 1));
        assert!(events::verify_all(db.store.db()).await.unwrap().ok());
        db
    })
    .await;
}

#[tokio::test]
async fn a_failed_unit_leaves_nothing_half_written() {
    on_each_db("a_failed_unit_leaves_nothing_half_written", |db| async move {
        let r: Result<(), StoreError> = db
            .store
            .write(|tx| {
                Box::pin(async move {
                    let e = events::append(
                        tx,
                        NewEvent {
                            aggregate_type: "test",
                            aggregate_id: "z",
                            expected_seq: Some(0),
                            kind: "test.a",
                            actor: &actor(),
                            at: chrono::Utc::now(),
                            payload: json!({}),
                        },
                    )
                    .await?;
                    events::enqueue_outbox(tx, e.id, "mail", "k1", &json!({"to": "a@b"}), chrono::Utc::now()).await?;
                    Err(StoreError::rejected("nope", "test"))
                })
            })
            .await;
        assert!(r.is_err());
        assert!(
            events::of_aggregate(db.store.db(), "test", "z")
                .await
                .unwrap()
                .is_empty()
        );
        let outbox: i64 = motcua_store::on_db!(db.store.db(), |p| sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
            .fetch_one(p)
            .await)
        .unwrap();
        assert_eq!(outbox, 0);
        // And the writer keeps working after a failed unit.
        append(&db, "z", Some(0), 1).await.unwrap();
        db
    })
    .await;
}

#[tokio::test]
async fn units_are_a_tree_with_validated_changes() {
    on_each_db("units_are_a_tree_with_validated_changes", |db| async move {
        let now = chrono::Utc::now();
        let mk = |code: &str, parent: Option<String>| NewUnit {
            code: UnitCode::parse(code).unwrap(),
            name: format!("Đơn vị {code}"),
            name_en: String::new(),
            kind: "department".into(),
            parent_id: parent,
        };
        let top = identity::create_unit(&db.store, &actor(), now, mk("000.00.15.H50", None))
            .await
            .unwrap();
        let child = identity::create_unit(&db.store, &actor(), now, mk("000.01.15.H50", Some(top.id.clone())))
            .await
            .unwrap();
        // The same code twice is refused.
        let dup = identity::create_unit(&db.store, &actor(), now, mk("000.00.15.H50", None)).await;
        assert!(
            matches!(
                dup,
                Err(StoreError::Rejected {
                    code: "unit_code_taken",
                    ..
                })
            ),
            "{dup:?}"
        );
        // A cycle is refused.
        let cyc = identity::update_unit(
            &db.store,
            &actor(),
            now,
            &top.id,
            UnitChange {
                name: "Sở".into(),
                name_en: String::new(),
                kind: "agency".into(),
                parent_id: Some(child.id.clone()),
                active: true,
                version: 1,
            },
        )
        .await;
        assert!(
            matches!(
                cyc,
                Err(StoreError::Rejected {
                    code: "unit_parent_cycle",
                    ..
                })
            ),
            "{cyc:?}"
        );
        // A stale version is a conflict.
        let ok = identity::update_unit(
            &db.store,
            &actor(),
            now,
            &child.id,
            UnitChange {
                name: "Văn phòng Sở".into(),
                name_en: "Office".into(),
                kind: "department".into(),
                parent_id: Some(top.id.clone()),
                active: true,
                version: 1,
            },
        )
        .await
        .unwrap();
        assert_eq!(ok.version, 2);
        let stale = identity::update_unit(
            &db.store,
            &actor(),
            now,
            &child.id,
            UnitChange {
                name: "X".into(),
                name_en: String::new(),
                kind: "department".into(),
                parent_id: None,
                active: true,
                version: 1,
            },
        )
        .await;
        assert!(matches!(stale, Err(StoreError::Conflict(_))), "{stale:?}");
        let evs = events::of_aggregate(db.store.db(), "unit", &child.id).await.unwrap();
        assert_eq!(
            evs.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
            ["unit.created", "unit.updated"]
        );
        assert_eq!(
            identity::get_unit(db.store.db(), &child.id)
                .await
                .unwrap()
                .unwrap()
                .name,
            "Văn phòng Sở"
        );
        db
    })
    .await;
}

#[tokio::test]
async fn both_schemas_expose_the_same_tables_and_columns() {
    fn shape(sql: &str) -> Vec<(String, Vec<String>)> {
        let mut out = Vec::new();
        for stmt in sql.split(';') {
            let s = stmt.trim();
            let Some(rest) = s.split("CREATE TABLE ").nth(1) else {
                continue;
            };
            let name = rest.split_whitespace().next().unwrap().to_owned();
            let body = &rest[rest.find('(').unwrap() + 1..];
            let cols = body
                .lines()
                .map(str::trim)
                .filter(|l| {
                    !l.is_empty() && !l.starts_with("CONSTRAINT") && !l.starts_with(')') && !l.starts_with("--")
                })
                .map(|l| l.split_whitespace().next().unwrap().to_owned())
                .collect();
            out.push((name, cols));
        }
        out
    }
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../motcua-store/migrations");
    let mut files: Vec<_> = std::fs::read_dir(format!("{root}/sqlite"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for f in files {
        let a = std::fs::read_to_string(format!("{root}/sqlite/{}", f.to_string_lossy())).unwrap();
        let b = std::fs::read_to_string(format!("{root}/postgres/{}", f.to_string_lossy()))
            .expect("same migration file for PostgreSQL");
        assert_eq!(shape(&a), shape(&b), "{f:?}");
    }
    // And the PostgreSQL one really migrates when a server is configured.
    if let Some(db) = TestDb::postgres().await {
        assert_eq!(db.kind, DbKind::Postgres);
        db.cleanup().await;
    }
}

/// The SQLite writer remembers chain heads; a second process appending to the same chain must
/// neither fork it nor make the first one fail.
#[tokio::test]
async fn another_process_appending_to_the_same_sqlite_file_is_noticed() {
    let a = TestDb::sqlite().await;
    let b = motcua_store::Store::open(&motcua_store::db::StoreOptions::new(a.url.clone()))
        .await
        .unwrap();
    let b = TestDb {
        store: b,
        kind: DbKind::Sqlite,
        url: a.url.clone(),
        schema: None,
    };
    append(&a, "shared", None, 1).await.unwrap();
    append(&b, "shared", None, 2).await.unwrap();
    let third = append(&a, "shared", None, 3).await.unwrap();
    assert_eq!(third.seq, 3);
    // With a version the writer must check against the database, not its memory.
    assert!(matches!(
        append(&b, "shared", Some(2), 4).await,
        Err(StoreError::Conflict(_))
    ));
    append(&b, "shared", Some(3), 4).await.unwrap();
    assert!(events::verify_all(a.store.db()).await.unwrap().ok());
    assert_eq!(
        events::of_aggregate(a.store.db(), "test", "shared")
            .await
            .unwrap()
            .len(),
        4
    );
    b.cleanup().await;
    a.cleanup().await;
}

/// The audit search (`events::list`, what inspectors and administrators read): each filter
/// narrows as it says, newest first, and the search stays on its indexes — the newest page is
/// read backwards along the log instead of sorting the whole log, and a person's events come
/// through `events_actor` already in order (SQLite's plan; PostgreSQL's depends on its
/// statistics, so there it is only asked for).
#[tokio::test]
async fn the_audit_search_filters_and_stays_on_its_indexes() {
    on_each_db("the_audit_search_filters_and_stays_on_its_indexes", |db| async move {
        for i in 0..6 {
            append(&db, if i % 2 == 0 { "a" } else { "b" }, None, i).await.unwrap();
        }
        let store = db.store.clone();
        let list = |f: events::EventFilter| {
            let store = store.clone();
            async move { events::list(store.db(), &f).await.unwrap() }
        };
        let page = |f: events::EventFilter| events::EventFilter { limit: 100, ..f };
        let all = list(page(Default::default())).await;
        assert_eq!(all.len(), 6);
        assert!(all.windows(2).all(|w| w[0].id > w[1].id), "newest first");
        let b = list(page(events::EventFilter {
            aggregate_type: Some("test".into()),
            aggregate_id: Some("b".into()),
            ..Default::default()
        }))
        .await;
        assert_eq!(b.len(), 3);
        assert!(b.iter().all(|e| e.aggregate_id == "b"));
        let older = list(events::EventFilter {
            before_id: Some(all[1].id),
            limit: 2,
            ..Default::default()
        })
        .await;
        assert_eq!(older.iter().map(|e| e.id).collect::<Vec<_>>(), [all[2].id, all[3].id]);
        for (who, n) in [(actor().id, 6), ("nobody".to_owned(), 0)] {
            let f = page(events::EventFilter {
                actor_id: Some(who.clone()),
                ..Default::default()
            });
            assert_eq!(list(f).await.len(), n, "{who}");
        }
        for (kind, n) in [("test.", 6), ("unit.", 0)] {
            let f = page(events::EventFilter {
                kind_prefix: Some(kind.into()),
                ..Default::default()
            });
            assert_eq!(list(f).await.len(), n, "{kind}");
        }
        let later = page(events::EventFilter {
            from_us: Some(all[0].occurred_at + 1),
            ..Default::default()
        });
        assert!(list(later).await.is_empty());

        let newest = events::list_plan(db.store.db(), &page(Default::default()))
            .await
            .unwrap();
        let by_person = events::list_plan(
            db.store.db(),
            &page(events::EventFilter {
                actor_id: Some(actor().id),
                ..Default::default()
            }),
        )
        .await
        .unwrap();
        if db.store.kind() == DbKind::Sqlite {
            let (newest, by_person) = (newest.join(" / "), by_person.join(" / "));
            assert!(!newest.contains("TEMP B-TREE"), "{newest}");
            assert!(
                by_person.contains("events_actor") && !by_person.contains("TEMP B-TREE"),
                "{by_person}"
            );
        } else {
            assert!(!newest.is_empty() && !by_person.is_empty());
        }
        db
    })
    .await;
}
