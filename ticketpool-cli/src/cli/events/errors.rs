//! Catalog failures as the command reports them: what the admin asked for
//! that cannot be (exit 2), or what failed underneath (exit 1).

use std::path::Path;

use ticketpool_catalog::CatalogError;
use ticketpool_core::BoxOfficeError;

use crate::cli::CliError;

/// `err`, from the catalog in the journal at `journal`, as a one-line
/// error: the admin's mistakes (an unknown id, a rule broken, a change the
/// event's status forbids) are usage errors.
pub fn catalog_error(journal: &Path, err: &CatalogError) -> CliError {
    let message = format!("{}: {err}", journal.display());
    match err {
        CatalogError::UnknownEvent(_)
        | CatalogError::UnknownVenue(_)
        | CatalogError::UnknownPerformer(_)
        | CatalogError::UnknownTimeZone(_)
        | CatalogError::Invalid { .. }
        | CatalogError::Config(_)
        | CatalogError::OverCapacity { .. }
        | CatalogError::VenueTooSmall { .. }
        | CatalogError::Frozen { .. }
        | CatalogError::Transition { .. }
        | CatalogError::NoOffice(_)
        // An office that cannot be rebuilt: its journal is missing or
        // damaged.
        | CatalogError::Office(BoxOfficeError::Restore(_)) => CliError::Usage(message),
        _ => CliError::Runtime(message),
    }
}
