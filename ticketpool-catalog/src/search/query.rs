//! What a search asks ([`SearchQuery`]) and finds ([`SearchResults`]), and
//! how it becomes a tantivy query: the user's words parsed as typed, or
//! each word within one typo, inside the filters.

use std::ops::Bound;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use super::index::SearchIndex;
use super::schema::{status_token, Fields};
use crate::error::CatalogError;
use crate::ids::EventId;
use crate::status::EventStatus;

/// The most hits one page may hold.
pub const MAX_PAGE: usize = 1_000;
/// Words shorter than this are matched exactly only: within one typo, a
/// two-letter word matches half the dictionary.
const FUZZY_MIN_CHARS: usize = 3;
/// How much more an exact match weighs than a match within one typo.
const EXACT_BOOST: f32 = 4.0;

/// A search: words, filters and a page.
///
/// Drafts are never found; cancelled, past, paused, sold-out and
/// sales-closed events are,
/// unless [`on_sale_only`](Self::on_sale_only) is set.
///
/// # Examples
///
/// ```
/// use ticketpool_catalog::SearchQuery;
/// let query = SearchQuery::text("rolling stones")
///     .city("Paris")
///     .category("rock")
///     .on_sale_only()
///     .page(20, 10);
/// assert_eq!(query.offset, 20);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// The user's words, matched against the name, performers, venue and
    /// description (empty: every event, by the filters alone).
    pub text: String,
    /// Only events in this city (case-insensitive, whole name).
    pub city: Option<String>,
    /// Only events starting at or after this.
    pub from: Option<Timestamp>,
    /// Only events starting before this.
    pub until: Option<Timestamp>,
    /// Only events with this category (case-insensitive).
    pub category: Option<String>,
    /// Only events on sale now.
    pub on_sale_only: bool,
    /// Hits to skip.
    pub offset: usize,
    /// Hits to return (at most [`MAX_PAGE`]; 0 counts without returning).
    pub limit: usize,
}

impl SearchQuery {
    /// A search for `text`, first page of 10.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            limit: 10,
            ..Self::default()
        }
    }

    /// Only events in `city`.
    pub fn city(mut self, city: impl Into<String>) -> Self {
        self.city = Some(city.into());
        self
    }

    /// Only events with `category`.
    pub fn category(mut self, category: impl Into<String>) -> Self {
        self.category = Some(category.into());
        self
    }

    /// Only events starting in `[from, until)`.
    pub fn between(mut self, from: Timestamp, until: Timestamp) -> Self {
        self.from = Some(from);
        self.until = Some(until);
        self
    }

    /// Only events on sale now.
    pub fn on_sale_only(mut self) -> Self {
        self.on_sale_only = true;
        self
    }

    /// The page of `limit` hits after the first `offset`.
    pub fn page(mut self, offset: usize, limit: usize) -> Self {
        self.offset = offset;
        self.limit = limit;
        self
    }
}

/// One event found, with its relevance (higher is better).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    /// The event.
    pub event: EventId,
    /// Its score.
    pub score: f32,
}

/// A page of hits, best first, and how many events matched in all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// Every event that matched, for paging.
    pub total: usize,
    /// This page.
    pub hits: Vec<SearchHit>,
}

impl SearchIndex {
    /// Runs `query` on the last committed state of the index.
    pub(crate) fn search(&self, query: &SearchQuery) -> Result<SearchResults, CatalogError> {
        let built = self.build(query)?;
        let searcher = self.reader.searcher();
        let limit = query.limit.min(MAX_PAGE);
        if limit == 0 {
            let total = searcher.search(&built, &Count)?;
            return Ok(SearchResults {
                total,
                hits: Vec::new(),
            });
        }
        let top = TopDocs::with_limit(limit).and_offset(query.offset);
        let (top, total) = searcher.search(&built, &(top, Count))?;
        let mut hits = Vec::with_capacity(top.len());
        for (score, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            if let Some(id) = doc.get_first(self.fields.id).and_then(|v| v.as_u64()) {
                hits.push(SearchHit {
                    event: EventId(id),
                    score,
                });
            }
        }
        Ok(SearchResults { total, hits })
    }

    fn build(&self, query: &SearchQuery) -> Result<Box<dyn Query>, CatalogError> {
        let fields = &self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        match self.words(&query.text)? {
            Some(words) => clauses.push((Occur::Must, words)),
            None => clauses.push((Occur::Must, Box::new(AllQuery))),
        }
        let term = |field, text: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(field, text),
                IndexRecordOption::Basic,
            ))
        };
        if let Some(city) = &query.city {
            clauses.push((Occur::Must, term(fields.city, &city.trim().to_lowercase())));
        }
        if let Some(category) = &query.category {
            let category = category.trim().to_lowercase();
            clauses.push((Occur::Must, term(fields.category, &category)));
        }
        if query.from.is_some() || query.until.is_some() {
            let from = query
                .from
                .map_or(Bound::Unbounded, |t| Bound::Included(t.as_second()));
            let until = query
                .until
                .map_or(Bound::Unbounded, |t| Bound::Excluded(t.as_second()));
            clauses.push((
                Occur::Must,
                Box::new(RangeQuery::new_i64_bounds("starts".into(), from, until)),
            ));
        }
        if query.on_sale_only {
            let on_sale = status_token(EventStatus::OnSale);
            clauses.push((Occur::Must, term(fields.status, on_sale)));
        } else {
            let draft = status_token(EventStatus::Draft);
            clauses.push((Occur::MustNot, term(fields.status, draft)));
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    /// The user's words: the query as parsed (boosted), or any word within
    /// one typo in any text field. `None` for no words.
    ///
    /// The parser and the analyzer are built once, with the index.
    fn words(&self, text: &str) -> Result<Option<Box<dyn Query>>, CatalogError> {
        let fields: &Fields = &self.fields;
        if text.trim().is_empty() {
            return Ok(None);
        }
        let weighted = fields.weighted_text();
        // Lenient: a stray quote or colon in a search box is not an error.
        let (exact, _ignored) = self.parser.parse_query_lenient(text);
        let mut any: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Should, Box::new(BoostQuery::new(exact, EXACT_BOOST)))];
        let mut analyzer = self.analyzer.clone();
        let mut stream = analyzer.token_stream(text);
        while let Some(token) = stream.next() {
            if token.text.chars().count() < FUZZY_MIN_CHARS {
                continue;
            }
            for (field, weight) in weighted {
                let fuzzy = FuzzyTermQuery::new(Term::from_field_text(field, &token.text), 1, true);
                any.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(fuzzy), weight)),
                ));
            }
        }
        Ok(Some(Box::new(BooleanQuery::new(any))))
    }
}
