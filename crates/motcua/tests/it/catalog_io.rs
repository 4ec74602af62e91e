//! Catalog import and export in CSV and XLSX (issue 4, item 6): export then import gives the same
//! catalog; a bad file is reported by row and column in Vietnamese and writes nothing unless
//! `--partial`.

use crate::support::TestDb;
use chrono::NaiveDate;
use motcua::catalog_cli::{self, ExportFormat};
use motcua_core::catalog::{CSV_COLUMNS, Severity};
use motcua_store::catalog;

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

fn effective() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 7, 1).unwrap()
}

/// The 29 procedures of the shared sample, exported in `format`, imported into a fresh database:
/// the same catalog (the native JSON export, every field, is identical); importing again changes
/// nothing. (The demo completes them with parts this shape does not carry — components, steps —
/// so the round trip starts from the shared file itself.)
async fn round_trip(format: ExportFormat, name: &str) {
    let a = TestDb::sqlite().await;
    let seeded = catalog_cli::import(
        &a.store,
        "tthc_skhcn.csv",
        motcua::demo::PROCEDURES_CSV,
        false,
        false,
        effective(),
    )
    .await
    .unwrap();
    assert_eq!(seeded.created, 29);
    let file = catalog_cli::export(&a.store, day(), format).await.unwrap();
    let b = TestDb::sqlite().await;
    let out = catalog_cli::import(&b.store, name, &file, false, false, effective())
        .await
        .unwrap();
    let errors: Vec<_> = out.problems.iter().filter(|p| p.severity == Severity::Error).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!((out.rows, out.created, out.written), (29, 29, true));
    assert_eq!(
        catalog_cli::export_json(&b.store, day()).await.unwrap(),
        catalog_cli::export_json(&a.store, day()).await.unwrap(),
        "the re-imported procedures equal the originals field by field"
    );
    assert_eq!(
        catalog_cli::export_rows(&b.store, day()).await.unwrap(),
        catalog_cli::export_rows(&a.store, day()).await.unwrap()
    );
    let again = catalog_cli::import(&b.store, name, &file, false, false, effective())
        .await
        .unwrap();
    assert_eq!((again.created, again.amended, again.unchanged), (0, 0, 29));
    a.cleanup().await;
    b.cleanup().await;
}

#[tokio::test]
async fn csv_export_then_import_gives_the_same_catalog() {
    round_trip(ExportFormat::Csv, "catalog.csv").await;
}

#[tokio::test]
async fn xlsx_export_then_import_gives_the_same_catalog() {
    round_trip(ExportFormat::Xlsx, "catalog.xlsx").await;
}

#[tokio::test]
async fn an_xlsx_with_a_wrong_header_names_the_column_and_writes_nothing() {
    let db = TestDb::sqlite().await;
    let mut header: Vec<&str> = CSV_COLUMNS.to_vec();
    header[2] = "ten";
    let row: Vec<String> = ["1.003542", "", "Thủ tục cấp giấy chứng nhận"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    let file = motcua_docs::xlsx::write_table("Sheet1", &header, &[row]).unwrap();
    let out = catalog_cli::import(&db.store, "sai-tieu-de.xlsx", &file, false, false, effective())
        .await
        .unwrap();
    assert!(!out.written);
    let p = out
        .problems
        .iter()
        .find(|p| p.code == "csv_header_invalid")
        .expect("the header is reported");
    assert!(
        p.message_vi.contains("Dòng tiêu đề thiếu cột: ten_thu_tuc"),
        "{}",
        p.message_vi
    );
    assert!(
        out.problems
            .iter()
            .any(|p| p.code == "csv_header_unknown" && p.column.as_deref() == Some("ten"))
    );
    assert!(catalog::list_procedures(db.store.db()).await.unwrap().is_empty());
    // Not a workbook at all: a clear message, nothing written.
    let out = catalog_cli::import(&db.store, "x.xlsx", b"ma_so,ten\n", false, false, effective())
        .await
        .unwrap();
    assert_eq!(out.problems[0].code, "xlsx_unreadable");
    assert!(out.problems[0].message_vi.contains(".xlsx"));
    assert!(!out.written);
    db.cleanup().await;
}

#[tokio::test]
async fn partial_xlsx_import_writes_only_the_valid_rows() {
    let a = TestDb::sqlite().await;
    motcua::demo::seed_catalog(&a.store).await.unwrap();
    let mut rows = catalog_cli::export_rows(&a.store, day()).await.unwrap();
    a.cleanup().await;
    let mut bad = vec![String::new(); CSV_COLUMNS.len()];
    bad[0] = "9.99".into();
    bad[2] = "Thủ tục có mã sai".into();
    rows.push(bad);
    let file = motcua_docs::xlsx::write_table("Sheet1", &CSV_COLUMNS, &rows).unwrap();
    let db = TestDb::sqlite().await;
    let out = catalog_cli::import(&db.store, "x.xlsx", &file, false, false, effective())
        .await
        .unwrap();
    assert!(!out.written);
    let p = out
        .problems
        .iter()
        .find(|p| p.code == "national_code_invalid")
        .expect("the bad code is reported");
    assert_eq!((p.row, p.line, p.column.as_deref()), (31, 31, Some("ma_so")));
    assert!(
        p.message_vi.starts_with("Dòng 31, cột \"ma_so\" (ô A31): "),
        "{}",
        p.message_vi
    );
    assert!(catalog::list_procedures(db.store.db()).await.unwrap().is_empty());
    let out = catalog_cli::import(&db.store, "x.xlsx", &file, false, true, effective())
        .await
        .unwrap();
    assert!(out.written);
    assert_eq!((out.rows, out.created), (30, 29));
    let names: Vec<String> = catalog::list_procedures(db.store.db())
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.name)
        .collect();
    assert_eq!(names.len(), 29);
    assert!(!names.iter().any(|n| n == "Thủ tục có mã sai"));
    db.cleanup().await;
}

#[test]
fn the_cli_exports_and_imports_csv_and_xlsx() {
    let dir = std::env::temp_dir().join(format!("motcua-catio-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = |n: &str| format!("sqlite://{}/{n}.db", dir.display());
    let path = |n: &str| dir.join(n).display().to_string();
    let shared = concat!(env!("CARGO_MANIFEST_DIR"), "/../motcua-core/data/tthc_skhcn.csv");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_motcua"))
            .args(args)
            .env_remove("MOTCUA_DATABASE_URL")
            .output()
            .unwrap()
    };
    let ok = |o: &std::process::Output| {
        assert!(
            o.status.success(),
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };
    let a = url("a");
    ok(&run(&[
        "catalog",
        "import",
        shared,
        "--effective",
        "2025-07-01",
        "--database-url",
        &a,
    ]));
    let (xlsx, csv) = (path("danh-muc.xlsx"), path("danh-muc.csv"));
    ok(&run(&[
        "catalog",
        "export",
        "--format",
        "xlsx",
        "--out",
        &xlsx,
        "--database-url",
        &a,
    ]));
    ok(&run(&[
        "catalog",
        "export",
        "--format",
        "csv",
        "--out",
        &csv,
        "--database-url",
        &a,
    ]));
    assert!(std::fs::read(&xlsx).unwrap().starts_with(b"PK"));
    assert!(std::fs::read_to_string(&csv).unwrap().starts_with('\u{feff}'));
    // Standard output carries the file when --out is not given.
    let piped = run(&["catalog", "export", "--format", "csv", "--database-url", &a]);
    ok(&piped);
    assert_eq!(piped.stdout, std::fs::read(&csv).unwrap());
    for (file, db) in [(&xlsx, url("b")), (&csv, url("c"))] {
        let dry = run(&["catalog", "import", file, "--dry-run", "--database-url", &db]);
        ok(&dry);
        assert!(String::from_utf8_lossy(&dry.stdout).contains("\"rows\":29,"));
        let imp = run(&[
            "catalog",
            "import",
            file,
            "--effective",
            "2025-07-01",
            "--database-url",
            &db,
        ]);
        ok(&imp);
        assert!(String::from_utf8_lossy(&imp.stdout).contains("\"created\":29"));
        let json = |u: &str| {
            run(&[
                "catalog",
                "export",
                "--format",
                "json",
                "--on",
                "2026-01-01",
                "--database-url",
                u,
            ])
            .stdout
        };
        assert_eq!(json(&db), json(&a), "{file}");
    }
    // A wrong format or file type: exit 2 with the reason.
    let bad = run(&["catalog", "export", "--format", "xls", "--database-url", &a]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("xlsx"));
    std::fs::write(path("x.txt"), "ma_so\n").unwrap();
    let bad = run(&["catalog", "import", &path("x.txt"), "--database-url", &a]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains(".xlsx"));
    let _ = std::fs::remove_dir_all(dir);
}
