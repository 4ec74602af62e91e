//! The binary itself: configuration errors, migrate, user add, audit verify.

use std::process::Command;

fn motcua() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_motcua"));
    c.env_remove("MOTCUA_DATABASE_URL").env_remove("MOTCUA_LISTEN");
    c
}

fn temp_db(name: &str) -> (std::path::PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("motcua-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/m.db", dir.display());
    (dir, url)
}

#[test]
fn a_bad_setting_names_the_key_and_exits_2() {
    let out = motcua().args(["serve", "--listen", "not-an-address"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--listen") && err.lines().count() == 1, "{err}");
    let out = motcua()
        .args(["serve"])
        .env("MOTCUA_DATABASE_URL", "mysql://x")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("MOTCUA_DATABASE_URL"));
}

#[test]
fn audit_verify_exits_non_zero_after_a_direct_edit() {
    let (dir, url) = temp_db("verify");
    let out = motcua().args(["migrate", "--database-url", &url]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = motcua()
        .args([
            "user",
            "add",
            "--username",
            "lan",
            "--full-name",
            "Nguyễn Thị Lan",
            "--role",
            "clerk",
            "--database-url",
            &url,
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("one-time password"));
    let bad = motcua()
        .args([
            "user",
            "add",
            "--username",
            "X Y",
            "--full-name",
            "x",
            "--role",
            "clerk",
            "--database-url",
            &url,
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    let ok = motcua()
        .args(["audit", "verify", "--database-url", &url])
        .output()
        .unwrap();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    // Edit the event directly, as an attacker with database access would.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let id: i64 = rt.block_on(async {
        let store = motcua_store::Store::connect(&motcua_store::db::StoreOptions::new(url.clone()))
            .await
            .unwrap();
        let id: i64 = motcua_store::on_db!(store.db(), |p| sqlx::query_scalar("SELECT MIN(id) FROM events")
            .fetch_one(p)
            .await)
        .unwrap();
        store
            .write(move |tx| {
                Box::pin(async move {
                    motcua_store::on_tx!(tx, |c| sqlx::query(
                        "UPDATE events SET payload = '{\"username\":\"mallory\"}' WHERE id = $1"
                    )
                    .bind(id)
                    .execute(c)
                    .await
                    .map(|r| r.rows_affected()))?;
                    Ok(())
                })
            })
            .await
            .unwrap();
        store.close().await;
        id
    });
    let broken = motcua()
        .args(["audit", "verify", "--database-url", &url])
        .output()
        .unwrap();
    assert_eq!(broken.status.code(), Some(1));
    let err = String::from_utf8_lossy(&broken.stderr);
    assert!(err.contains(&format!("event {id}")), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}
