//! `ticketpool serve`: the booking service (ticketpool-server) on an
//! address and a data directory, until SIGTERM or Ctrl-C stop it cleanly
//! (requests in flight finish, the journals close, exit 0).

use std::io::Write;
use std::path::Path;

use ticketpool_server::{Durability, Server, ServerConfig, ServerError, MIN_ADMIN_TOKEN};

use super::args::{DurabilityArg, ServeArgs};
use super::CliError;

/// The environment variable holding the admin token.
pub const ADMIN_TOKEN_ENV: &str = "TICKETPOOL_ADMIN_TOKEN";

/// Runs the service until a signal stops it.
pub fn run(args: &ServeArgs) -> Result<(), CliError> {
    let admin_token = admin_token(args.admin_token_file.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Runtime(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        let config = ServerConfig {
            addr: args.addr,
            data_dir: args.data.clone(),
            database: args.database.clone(),
            database_schema: Some(args.database_schema.clone()),
            lease_node: args.lease_node.clone(),
            lease_ttl: args.lease_ttl,
            admin_token,
            rate_limit: args.rate_limit.0,
            durability: match args.durability {
                DurabilityArg::Confirmed => Durability::Confirmed,
                DurabilityArg::Batched => Durability::Batched,
            },
            waiting_grace: ticketpool_server::DEFAULT_GRACE,
            demo: args.demo,
        };
        let server = Server::bind(config).await.map_err(server_error)?;
        let stop = stop_signal();
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "ticketpool serve: listening on http://{} ({})",
            server.local_addr(),
            // Under --database nothing is kept in the data directory.
            match &args.database {
                Some(_) => format!("catalog, sales and accounts in {}", server.catalog_home()),
                None => format!("data in {}", args.data.display()),
            }
        );
        if args.demo {
            let _ = writeln!(
                out,
                "demo: events on sale with simulated fans buying; open the URL to watch"
            );
        }
        if server.admin_token_generated() {
            let _ = writeln!(
                out,
                "admin token (generated, shown only now): {}",
                server.admin_token()
            );
        }
        let _ = out.flush();
        drop(out);
        server.run_until(stop).await.map_err(server_error)?;
        eprintln!("ticketpool serve: stopped");
        Ok(())
    })
}

/// From `--admin-token-file` (it wins), else the environment, else none
/// (the server generates one).
fn admin_token(file: Option<&Path>) -> Result<Option<String>, CliError> {
    if let Some(file) = file {
        let text = std::fs::read_to_string(file).map_err(|e| {
            CliError::Usage(format!(
                "cannot read --admin-token-file {}: {e}",
                file.display()
            ))
        })?;
        return Ok(Some(text.trim().to_owned()));
    }
    match std::env::var(ADMIN_TOKEN_ENV) {
        Ok(token) => Ok(Some(token.trim().to_owned())),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(CliError::Usage(format!(
            "{ADMIN_TOKEN_ENV} is not valid UTF-8"
        ))),
    }
}

fn server_error(error: ServerError) -> CliError {
    match error {
        ServerError::WeakAdminToken => CliError::Usage(format!(
            "the admin token (from --admin-token-file or {ADMIN_TOKEN_ENV}) must be at least \
             {MIN_ADMIN_TOKEN} characters, without spaces"
        )),
        ServerError::DataDir { .. } | ServerError::LeaseWithoutDatabase => {
            CliError::Usage(error.to_string())
        }
        ServerError::BadDatabase(problem) => {
            // A schema problem is the prefix's; anything else is the URL's.
            let flag = if matches!(problem, ticketpool_persist::PersistError::LeaseRequest(_)) {
                "--lease-node"
            } else if problem.to_string().contains("schema") {
                "--database-schema"
            } else {
                "--database"
            };
            CliError::Usage(format!("{flag}: {problem}"))
        }
        other => CliError::Runtime(other.to_string()),
    }
}

/// Registers the Ctrl-C and SIGTERM handlers now and returns the future
/// that completes on either. They must be in place before the URL is
/// printed: whoever reads it may signal at once, and a signal that comes
/// before its handler kills the process instead of stopping it cleanly.
fn stop_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let (mut interrupts, mut terms) = {
        use tokio::signal::unix::{signal, SignalKind};
        // A handler that cannot be registered leaves the other one.
        (
            signal(SignalKind::interrupt()).ok(),
            signal(SignalKind::terminate()).ok(),
        )
    };
    async move {
        #[cfg(unix)]
        {
            tokio::select! {
                () = next_of(interrupts.as_mut()) => {}
                () = next_of(terms.as_mut()) => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
        eprintln!("ticketpool serve: stopping (finishing requests in flight)");
    }
}

/// The next of `signals`, or never without a handler.
#[cfg(unix)]
async fn next_of(signals: Option<&mut tokio::signal::unix::Signal>) {
    match signals {
        Some(signals) => {
            signals.recv().await;
        }
        None => std::future::pending().await,
    }
}
