//! Rebuild when a migration is added or changed: `sqlx::migrate!` embeds the folders at build
//! time, and cargo does not otherwise see a new file there.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
