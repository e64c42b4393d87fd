//! Full-text search over the catalog, with tantivy: the schema, the index
//! that follows the catalog, and the queries.

pub(crate) mod index;
pub(crate) mod query;
pub(crate) mod schema;
