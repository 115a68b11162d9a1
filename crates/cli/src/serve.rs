//! `hindsight serve` and `hindsight user`: the web server over the configured store, and the
//! accounts that sign in to it.
//!
//! On a database with no account and no incident (a first start), `serve` creates the sample
//! incident and an `admin` account with a password printed once, so the page it opens can be
//! explored at once.

use crate::args::{ServeArgs, UserCommand};
use anyhow::{Context, Result, bail};
use hindsight_app::Hindsight;
use hindsight_core::{AccountRole, NewUser, Username};
use hindsight_store::IncidentQuery;
use hindsight_web::{AppState, WebConfig, auth};
use std::io::BufRead;

pub fn serve(app: Hindsight, args: ServeArgs) -> Result<()> {
    let started = std::time::Instant::now();
    first_start(&app, args.no_sample)?;
    let config = WebConfig {
        secure_cookies: args.secure_cookies,
        public_url: None,
        pagerduty_secrets: args
            .pagerduty_secrets
            .into_iter()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect(),
        session_hours: 0,
    };
    let state = AppState::new(app, config);
    // The store's work is the only blocking work, and it is CPU work: past two threads per core
    // the extra threads only queue for the connection pool, switching in and out, and each
    // keeps memory of its own (BENCHMARKS.md, web benchmark: 55–70 threads before, up to 40%
    // more requests a second on this 2-core machine with 4).
    let cores = std::thread::available_parallelism().map_or(2, usize::from);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads((2 * cores).max(4))
        .enable_all()
        .build()
        .context("cannot start the server's runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let address = listener.local_addr()?;
        eprintln!(
            "hindsight is ready on http://{address}/ ({} ms after start); Ctrl-C stops it",
            started.elapsed().as_millis()
        );
        hindsight_web::serve(listener, state, shutdown_signal())
            .await
            .context("the server stopped")
    })
}

/// Completes on Ctrl-C or SIGTERM, so requests in flight finish before the process exits.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing the requests in flight");
}

/// A first start: no account yet. Creates the admin (and the sample incident on an empty
/// database) and says how to sign in.
fn first_start(app: &Hindsight, no_sample: bool) -> Result<()> {
    if !app.store().users()?.is_empty() {
        return Ok(());
    }
    let empty = app
        .store()
        .search_incidents(&IncidentQuery {
            limit: 1,
            ..IncidentQuery::default()
        })?
        .is_empty();
    if empty && !no_sample {
        let key = crate::demo::create(&app.acting_as("hindsight"))?;
        eprintln!("First start: created the sample incident {key}.");
    }
    let password = made_up_password();
    create_user(app, "admin", "Admin", AccountRole::Admin, &password)?;
    eprintln!(
        "First start: created the account `admin` with the password\n\n    {password}\n\n\
         Sign in with it, then make accounts for your team on the Accounts page \
         (or `hindsight user add NAME --role editor`). This password is not shown again; \
         `hindsight user password admin` sets a new one."
    );
    Ok(())
}

fn made_up_password() -> String {
    // 20 hex characters: 80 bits, easy to copy.
    auth::new_secret()[..20].to_owned()
}

fn create_user(
    app: &Hindsight,
    name: &str,
    display_name: &str,
    role: AccountRole,
    password: &str,
) -> Result<()> {
    let new = NewUser::new(name, display_name, role)?;
    auth::check_new_password(password).map_err(anyhow::Error::msg)?;
    let hash = auth::hash_password(password).map_err(anyhow::Error::msg)?;
    app.store().create_user(&new, &hash, app.now())?;
    Ok(())
}

/// The password from the first line of standard input, or a made-up one to print.
fn password(from_stdin: bool) -> Result<(String, bool)> {
    if !from_stdin {
        return Ok((made_up_password(), true));
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    auth::check_new_password(&password).map_err(anyhow::Error::msg)?;
    Ok((password, false))
}

pub fn user(app: &Hindsight, command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Add {
            name,
            display_name,
            role,
            password_stdin,
        } => {
            let (password, made_up) = password(password_stdin)?;
            let display = display_name.unwrap_or_else(|| name.clone());
            create_user(app, &name, &display, role, &password)?;
            let name = Username::parse(&name)?;
            eprintln!("created the {} account `{name}`", role.as_str());
            if made_up {
                println!("{password}");
                eprintln!("(its password, printed above, is not shown again)");
            }
        }
        UserCommand::List => {
            for user in app.store().users()? {
                println!(
                    "{:<24} {:<7} {}",
                    user.name.as_str(),
                    user.role.as_str(),
                    user.display_name.as_str()
                );
            }
        }
        UserCommand::Role { name, role } => {
            let name = Username::parse(&name)?;
            let Some((user, _)) = app.store().user_credentials(&name)? else {
                bail!("no account named `{name}`");
            };
            app.store().set_user_role(user.id, role)?;
            eprintln!("`{name}` is now {}", role.as_str());
        }
        UserCommand::Password {
            name,
            password_stdin,
        } => {
            let name = Username::parse(&name)?;
            let Some((user, _)) = app.store().user_credentials(&name)? else {
                bail!("no account named `{name}`");
            };
            let (password, made_up) = password(password_stdin)?;
            let hash = auth::hash_password(&password).map_err(anyhow::Error::msg)?;
            app.store().set_password_hash(user.id, &hash)?;
            eprintln!("`{name}` has a new password and is signed out everywhere");
            if made_up {
                println!("{password}");
            }
        }
    }
    Ok(())
}
