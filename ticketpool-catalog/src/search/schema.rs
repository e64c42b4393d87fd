//! The index's schema, defined once, and the document one event becomes.

use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};
use tantivy::TantivyDocument;

use crate::ids::EventId;

/// The fields of an event's document.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub(crate) id: Field,
    pub(crate) name: Field,
    pub(crate) performers: Field,
    pub(crate) venue: Field,
    pub(crate) description: Field,
    pub(crate) city: Field,
    pub(crate) category: Field,
    pub(crate) starts: Field,
    pub(crate) status: Field,
}

impl Fields {
    /// The searched text fields with their weight: a match in the name
    /// counts most, one in the description least.
    pub(crate) fn weighted_text(&self) -> [(Field, f32); 4] {
        [
            (self.name, 3.0),
            (self.performers, 2.0),
            (self.venue, 1.5),
            (self.description, 1.0),
        ]
    }
}

/// The schema and its fields.
pub(crate) fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    // Positions for phrase queries ("rolling stones" as a phrase).
    let text = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("default")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        id: builder.add_u64_field("id", INDEXED | STORED | FAST),
        name: builder.add_text_field("name", text.clone()),
        performers: builder.add_text_field("performers", text.clone()),
        venue: builder.add_text_field("venue", text.clone()),
        description: builder.add_text_field("description", text),
        // Filters match whole values, lowercased by the catalog.
        city: builder.add_text_field("city", STRING),
        category: builder.add_text_field("category", STRING),
        starts: builder.add_i64_field("starts", INDEXED | FAST),
        status: builder.add_text_field("status", STRING),
    };
    (builder.build(), fields)
}

/// What the index knows of one event: its text with the names of its
/// performers and venue resolved, and the values filters match.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct IndexedEvent {
    pub(crate) id: EventId,
    pub(crate) name: String,
    pub(crate) performers: Vec<String>,
    pub(crate) venue: String,
    pub(crate) description: String,
    pub(crate) city: String,
    pub(crate) categories: Vec<String>,
    pub(crate) starts: i64,
    pub(crate) status: &'static str,
}

impl IndexedEvent {
    pub(crate) fn document(&self, fields: &Fields) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_u64(fields.id, self.id.0);
        doc.add_text(fields.name, &self.name);
        for performer in &self.performers {
            doc.add_text(fields.performers, performer);
        }
        doc.add_text(fields.venue, &self.venue);
        doc.add_text(fields.description, &self.description);
        doc.add_text(fields.city, self.city.to_lowercase());
        for category in &self.categories {
            doc.add_text(fields.category, category.to_lowercase());
        }
        doc.add_i64(fields.starts, self.starts);
        doc.add_text(fields.status, self.status);
        doc
    }
}

/// The status as indexed: one token, for term filters.
pub(crate) fn status_token(status: crate::status::EventStatus) -> &'static str {
    use crate::status::EventStatus::*;
    match status {
        Draft => "draft",
        OnSale => "on_sale",
        Paused => "paused",
        SoldOut => "sold_out",
        Cancelled => "cancelled",
        Past => "past",
        Closed => "closed",
    }
}
