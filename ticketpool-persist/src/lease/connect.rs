//! Opening a lease inventory's connection: the same steps for tickets and
//! seats, only the table differs.

use postgres::{Client, NoTls};

use crate::error::PersistError;
use crate::postgres::check_schema;

/// Connects with libpq-style `params` and makes `schema`'s table with
/// `create_table(client, schema, location)`; returns the connection and
/// the location errors name.
///
/// # Errors
///
/// [`PersistError::Config`] for a schema name that is not a plain
/// lowercase identifier, [`PersistError::Open`] if the parameters do not
/// parse or no server answers, and `create_table`'s.
pub(super) fn connect(
    params: &str,
    schema: &str,
    create_table: impl FnOnce(&mut Client, &str, &str) -> Result<(), PersistError>,
) -> Result<(Client, String), PersistError> {
    check_schema(schema)?;
    let location = format!("PostgreSQL schema {schema}");
    let open_error = |source: Box<dyn std::error::Error + Send + Sync>| PersistError::Open {
        location: location.clone(),
        source,
    };
    let config: postgres::Config = params.parse().map_err(|e| open_error(Box::new(e)))?;
    let mut client = config.connect(NoTls).map_err(|e| open_error(Box::new(e)))?;
    create_table(&mut client, schema, &location)?;
    Ok((client, location))
}
