//! `motcua` — one binary: serve, migrate, demo, user, audit, calendar, bench.

use anyhow::Context;
use clap::{Parser, Subcommand};
use motcua::config::{self, Config, ConfigError};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "motcua",
    version,
    about = "Hệ thống thông tin giải quyết thủ tục hành chính / administrative procedure information system"
)]
struct Cli {
    /// Configuration file (default: ./motcua.toml when present).
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone, Default)]
struct ServeArgs {
    /// Address and port to listen on (MOTCUA_LISTEN), default 127.0.0.1:8080.
    #[arg(long)]
    listen: Option<String>,
    /// sqlite://… or postgres://… (MOTCUA_DATABASE_URL), default sqlite://./data/motcua.db.
    #[arg(long)]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (migrates first; creates the first admin on an empty database).
    Serve(ServeArgs),
    /// Build a fresh demo database (default sqlite://./data/demo.db) and serve it.
    Demo(ServeArgs),
    /// Run the database migrations.
    Migrate {
        #[arg(long)]
        database_url: Option<String>,
    },
    /// People.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The tamper-evident event log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The working-day calendar: days, Tết, due dates, year listings (JSON on stdout).
    /// The procedure catalog: import and export.
    Catalog {
        #[command(subcommand)]
        command: motcua::catalog_cli::CatalogCommand,
    },
    Calendar {
        #[command(subcommand)]
        command: motcua::calendar_cli::CalendarCommand,
    },
    /// Benchmarks (method in BENCHMARKS.md).
    Bench {
        #[command(subcommand)]
        command: motcua::bench::BenchCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a person; prints a one-time password unless --password-stdin is given.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        full_name: String,
        #[arg(long, default_value = "")]
        email: String,
        /// citizen | clerk | specialist | leader | control_officer | inspector | admin
        #[arg(long)]
        role: String,
        /// Electronic identifier code of the unit the role is held in.
        #[arg(long)]
        unit: Option<String>,
        /// Read the password from standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
        #[arg(long)]
        database_url: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk every hash chain and checkpoint; exit 1 naming the first broken event.
    Verify {
        #[arg(long)]
        database_url: Option<String>,
    },
    /// Seal the log now (a global checkpoint over every settled event).
    Checkpoint {
        #[arg(long)]
        database_url: Option<String>,
    },
}

fn load_config(file: Option<&PathBuf>, flags: &[(&str, Option<&String>)]) -> Result<Config, ConfigError> {
    let file_layer = match file {
        Some(p) => config::file_layer(p, true)?,
        None => match std::env::var("MOTCUA_CONFIG") {
            Ok(p) => config::file_layer(&PathBuf::from(p), true)?,
            Err(_) => config::file_layer(&PathBuf::from("motcua.toml"), false)?,
        },
    };
    let env_layer = config::env_layer(std::env::vars());
    let mut flag_layer = config::Layer::new();
    for (k, v) in flags {
        if let Some(v) = v {
            flag_layer.insert((*k).to_owned(), ((*v).clone(), format!("--{}", k.replace('_', "-"))));
        }
    }
    config::resolve(&[file_layer, env_layer, flag_layer])
}

fn init_tracing(level: &str) {
    let filter =
        tracing_subscriber::EnvFilter::try_new(level).unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("motcua: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            if let Some(c) = e.downcast_ref::<ConfigError>() {
                eprintln!("{c}");
                return ExitCode::from(2);
            }
            eprintln!("motcua: {e:#}");
            ExitCode::from(1)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let file = cli.config.as_ref();
    match cli.command {
        Command::Serve(a) => {
            let cfg = load_config(
                file,
                &[("listen", a.listen.as_ref()), ("database_url", a.database_url.as_ref())],
            )?;
            init_tracing(&cfg.log);
            let store = motcua::app::open_store(&cfg).await.context("opening the database")?;
            if let Some(otp) = motcua::app::bootstrap_admin(&store).await? {
                println!("Tài khoản quản trị đầu tiên / first administrator: admin");
                println!("Mật khẩu dùng một lần / one-time password: {otp}");
                println!("(Đổi mật khẩu khi đăng nhập lần đầu / change it at first sign-in.)");
            }
            serve(cfg, store).await?;
        }
        Command::Demo(a) => {
            let demo_url = "sqlite://./data/demo.db".to_owned();
            let db = a
                .database_url
                .clone()
                .or_else(|| std::env::var("MOTCUA_DATABASE_URL").ok())
                .unwrap_or(demo_url);
            let cfg = load_config(file, &[("listen", a.listen.as_ref()), ("database_url", Some(&db))])?;
            init_tracing(&cfg.log);
            if cfg.database_url.starts_with("sqlite:") {
                let path = cfg
                    .database_url
                    .trim_start_matches("sqlite://")
                    .trim_start_matches("sqlite:");
                let path = path.split('?').next().unwrap_or(path);
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{path}{suffix}"));
                }
            }
            let store = motcua::app::open_store(&cfg).await.context("opening the database")?;
            if motcua_store::identity::count_users(store.db()).await? > 0 {
                anyhow::bail!(
                    "the demo needs an empty database; {} already has data / cơ sở dữ liệu đã có dữ liệu",
                    motcua_store::db::redact(&cfg.database_url)
                );
            }
            motcua::demo::seed(&store).await.context("loading demo data")?;
            let dossiers = motcua::demo_dossiers::seed(
                &store,
                &motcua_store::calendar::CalendarCache::new(),
                chrono::Utc::now(),
            )
            .await
            .context("loading demo dossiers")?;
            println!(
                "motcua demo: Sở Khoa học và Công nghệ tỉnh Quảng Trị ({} hồ sơ / dossiers)",
                dossiers.total
            );
            print!("{}", motcua::demo::accounts_text());
            serve(cfg, store).await?;
        }
        Command::Migrate { database_url } => {
            let cfg = load_config(file, &[("database_url", database_url.as_ref())])?;
            init_tracing(&cfg.log);
            motcua::app::open_store(&cfg).await.context("migrating")?;
            println!("migrations applied: {}", motcua_store::db::redact(&cfg.database_url));
        }
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    full_name,
                    email,
                    role,
                    unit,
                    password_stdin,
                    database_url,
                },
        } => {
            let cfg = load_config(file, &[("database_url", database_url.as_ref())])?;
            let store = motcua::app::open_store(&cfg).await?;
            let password = if password_stdin {
                let mut s = String::new();
                std::io::stdin().read_line(&mut s)?;
                Some(s.trim_end_matches(['\r', '\n']).to_owned())
            } else {
                None
            };
            let shown =
                motcua::app::add_user(&store, &username, &full_name, &email, &role, unit.as_deref(), password).await?;
            println!("added {username} ({role})");
            if let Some(otp) = shown {
                println!("one-time password / mật khẩu dùng một lần: {otp}");
            }
            store.close().await;
        }
        Command::Audit { command } => {
            let (url, checkpoint) = match command {
                AuditCommand::Verify { database_url } => (database_url, false),
                AuditCommand::Checkpoint { database_url } => (database_url, true),
            };
            let cfg = load_config(file, &[("database_url", url.as_ref())])?;
            let store = motcua::app::open_store(&cfg).await?;
            if checkpoint {
                let now = chrono::Utc::now();
                match motcua_store::events::checkpoint(&store, now, now).await? {
                    Some(id) => println!("sealed up to event {id}"),
                    None => println!("nothing new to seal"),
                }
                store.close().await;
                return Ok(ExitCode::SUCCESS);
            }
            let r = motcua_store::events::verify_all(store.db()).await?;
            store.close().await;
            println!("{}", serde_json::to_string(&r)?);
            if let Some(b) = &r.first_break {
                eprintln!("BROKEN / nhật ký bị thay đổi: {b}");
                return Ok(ExitCode::from(1));
            }
            eprintln!(
                "ok: {} events in {} chains, {} checkpoints verified",
                r.events, r.aggregates, r.checkpoints
            );
        }
        Command::Catalog { command } => {
            let cfg = load_config(file, &[("database_url", command.database_url())])?;
            init_tracing("warn");
            let store = motcua::app::open_store(&cfg).await.context("opening the database")?;
            let parse_day = |flag: &str, v: &Option<String>| -> Result<chrono::NaiveDate, String> {
                match v {
                    None => Ok(motcua::catalog_cli::today()),
                    Some(s) => chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
                        format!(
                            "motcua: {flag}: ngày không hợp lệ {s:?}, dùng YYYY-MM-DD / invalid date, use YYYY-MM-DD"
                        )
                    }),
                }
            };
            let code = match command {
                motcua::catalog_cli::CatalogCommand::Import {
                    file: path,
                    dry_run,
                    partial,
                    effective,
                    ..
                } => {
                    let effective = match parse_day("--effective", &effective) {
                        Ok(d) => d,
                        Err(line) => {
                            eprintln!("{line}");
                            return Ok(ExitCode::from(2));
                        }
                    };
                    let bytes = match std::fs::read(&path) {
                        Ok(b) => b,
                        Err(e) => {
                            eprintln!("motcua: FILE: không đọc được {} / cannot read it: {e}", path.display());
                            return Ok(ExitCode::from(2));
                        }
                    };
                    let name = path.to_string_lossy().to_lowercase();
                    let out = motcua::catalog_cli::import(&store, &name, &bytes, dry_run, partial, effective).await?;
                    for p in &out.problems {
                        eprintln!("{} / {}", p.message_vi, p.message_en);
                    }
                    println!(
                        "{}",
                        serde_json::to_string(&serde_json::json!({
                            "rows": out.rows, "created": out.created, "amended": out.amended,
                            "unchanged": out.unchanged, "written": out.written,
                            "errors": out.problems.iter().filter(|p| p.severity == motcua_core::catalog::Severity::Error).count(),
                        }))?
                    );
                    let failed = out
                        .problems
                        .iter()
                        .any(|p| p.severity == motcua_core::catalog::Severity::Error)
                        || out.rows == 0;
                    if failed && !(partial && out.written) {
                        ExitCode::from(2)
                    } else {
                        ExitCode::SUCCESS
                    }
                }
                motcua::catalog_cli::CatalogCommand::Export { format, on, out, .. } => {
                    let day = match parse_day("--on", &on) {
                        Ok(d) => d,
                        Err(line) => {
                            eprintln!("{line}");
                            return Ok(ExitCode::from(2));
                        }
                    };
                    use std::io::{IsTerminal, Write};
                    if out.is_none()
                        && format == motcua::catalog_cli::ExportFormat::Xlsx
                        && std::io::stdout().is_terminal()
                    {
                        eprintln!(
                            "motcua: --format xlsx: dùng --out FILE.xlsx hoặc chuyển hướng đầu ra / use --out FILE.xlsx or redirect the output"
                        );
                        return Ok(ExitCode::from(2));
                    }
                    let bytes = motcua::catalog_cli::export(&store, day, format).await?;
                    match &out {
                        Some(path) => {
                            if let Err(e) = std::fs::write(path, &bytes) {
                                eprintln!(
                                    "motcua: --out: không ghi được {} / cannot write it: {e}",
                                    path.display()
                                );
                                return Ok(ExitCode::from(2));
                            }
                        }
                        None => {
                            let mut stdout = std::io::stdout().lock();
                            stdout.write_all(&bytes)?;
                            stdout.flush()?;
                        }
                    }
                    ExitCode::SUCCESS
                }
            };
            store.close().await;
            return Ok(code);
        }
        Command::Calendar { command } => {
            let store = match command.database_url() {
                Some(url) => {
                    let cfg = load_config(file, &[("database_url", url)])?;
                    init_tracing("warn");
                    Some(motcua::app::open_store(&cfg).await.context("opening the database")?)
                }
                None => None,
            };
            let outcome = motcua::calendar_cli::run(&command, store.as_ref()).await;
            if let Some(s) = &store {
                s.close().await;
            }
            match outcome? {
                motcua::calendar_cli::Outcome::Json(v) => println!("{v}"),
                motcua::calendar_cli::Outcome::BadInput(line) => {
                    eprintln!("{line}");
                    return Ok(ExitCode::from(2));
                }
            }
        }
        Command::Bench { command } => {
            motcua::bench::run(command).await?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn serve(cfg: Config, store: motcua_store::Store) -> anyhow::Result<()> {
    match &cfg.smtp {
        Some(smtp) => {
            println!(
                "Gửi thư qua / mail through {}:{} (from {})",
                smtp.host, smtp.port, smtp.from
            );
            motcua::mailer::Mailer::new(store.clone(), smtp.clone()).spawn();
        }
        None => tracing::info!("smtp_host is not set: e-mail notifications wait in the outbox"),
    }
    motcua::app::spawn_reschedule_catch_up(store.clone());
    let (router, _) = motcua::app::router(store.clone(), &cfg);
    let listener = tokio::net::TcpListener::bind(cfg.listen)
        .await
        .with_context(|| format!("listening on {}", cfg.listen))?;
    println!("motcua đang chạy / listening on http://{}", listener.local_addr()?);
    motcua::app::serve(listener, router, store).await
}
