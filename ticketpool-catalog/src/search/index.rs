//! The search index and the thread that keeps it following the catalog.
//!
//! The catalog hands each changed event to [`SearchIndex::put`], which
//! only queues it (creating an event must stay cheap). One indexer thread
//! owns the `IndexWriter` (tantivy's writer is already multi-threaded; one
//! per index): it takes whatever is queued, replaces those documents,
//! commits once for the batch and reloads the reader. Waiters learn from a
//! condvar which change is searchable, so tests wait for a change rather
//! than sleep.

use std::sync::mpsc::{self, Receiver, Sender};
use std::thread::JoinHandle;
use std::time::Instant;

use parking_lot::{Condvar, Mutex};
use tantivy::query::QueryParser;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term};

use super::schema::{schema, Fields, IndexedEvent};
use crate::error::CatalogError;

/// Heap for the writer: tantivy's minimum per thread is 15 MB.
const WRITER_HEAP: usize = 50_000_000;
/// The most changes one commit takes, so a huge backlog still shows up
/// in steps.
const BATCH: usize = 20_000;

#[derive(Debug, Default)]
struct Progress {
    /// The last change number that is searchable.
    searchable: u64,
    /// The last commit's failure, if it failed.
    failure: Option<String>,
}

#[derive(Debug)]
struct Shared {
    progress: Mutex<Progress>,
    changed: Condvar,
}

/// A change for the indexer: its number, and the event as it now is.
type Change = (u64, IndexedEvent);

/// A RAM index of the catalog's events, fed by one indexer thread.
pub(crate) struct SearchIndex {
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    /// The user's words over the weighted text fields.
    pub(crate) parser: QueryParser,
    /// How those fields split text into words (the same for all four).
    pub(crate) analyzer: TextAnalyzer,
    /// The queue to the indexer and the number of the last change queued,
    /// together, so numbers follow queue order.
    queue: Mutex<Option<(Sender<Change>, u64)>>,
    shared: std::sync::Arc<Shared>,
    indexer: Option<JoinHandle<()>>,
}

impl SearchIndex {
    pub(crate) fn new() -> Result<Self, CatalogError> {
        let (schema, fields) = schema();
        let index = Index::create_in_ram(schema);
        let writer: IndexWriter = index.writer_with_num_threads(1, WRITER_HEAP)?;
        // Manual: the indexer reloads right after each commit, so a reader
        // never waits for a timer to see a change.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let shared = std::sync::Arc::new(Shared {
            progress: Mutex::new(Progress::default()),
            changed: Condvar::new(),
        });
        let mut parser =
            QueryParser::for_index(&index, fields.weighted_text().map(|(f, _)| f).to_vec());
        for (field, weight) in fields.weighted_text() {
            parser.set_field_boost(field, weight);
        }
        let analyzer = index.tokenizer_for_field(fields.name)?;
        let (tx, rx) = mpsc::channel();
        let indexer = {
            let (reader, shared) = (IndexReader::clone(&reader), std::sync::Arc::clone(&shared));
            std::thread::Builder::new()
                .name("catalog-indexer".into())
                .spawn(move || run(writer, reader, fields, rx, &shared))
                .map_err(|e| CatalogError::Search(format!("cannot start the indexer: {e}")))?
        };
        Ok(Self {
            reader,
            fields,
            parser,
            analyzer,
            queue: Mutex::new(Some((tx, 0))),
            shared,
            indexer: Some(indexer),
        })
    }

    /// Queues `event` to replace its document; returns its change number.
    pub(crate) fn put(&self, event: IndexedEvent) -> u64 {
        let mut queue = self.queue.lock();
        let Some((tx, last)) = queue.as_mut() else {
            return 0;
        };
        *last += 1;
        // The indexer only stops when the index drops: a send never fails
        // while `self` lives.
        let _ = tx.send((*last, event));
        *last
    }

    /// The number of the last change queued.
    pub(crate) fn last_queued(&self) -> u64 {
        self.queue.lock().as_ref().map_or(0, |(_, last)| *last)
    }

    /// Waits until change `change` is searchable, or `deadline` passes.
    ///
    /// # Errors
    ///
    /// [`CatalogError::Search`] if a commit failed.
    pub(crate) fn wait(&self, change: u64, deadline: Instant) -> Result<bool, CatalogError> {
        let mut progress = self.shared.progress.lock();
        loop {
            if let Some(failure) = &progress.failure {
                return Err(CatalogError::Search(failure.clone()));
            }
            if progress.searchable >= change {
                return Ok(true);
            }
            if self
                .shared
                .changed
                .wait_until(&mut progress, deadline)
                .timed_out()
            {
                return Ok(progress.searchable >= change);
            }
        }
    }
}

impl Drop for SearchIndex {
    fn drop(&mut self) {
        // Closing the queue ends the indexer once it has drained it.
        self.queue.lock().take();
        if let Some(indexer) = self.indexer.take() {
            let _ = indexer.join();
        }
    }
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("last_queued", &self.last_queued())
            .finish_non_exhaustive()
    }
}

/// The indexer: batch, replace, commit, reload, announce.
fn run(
    mut writer: IndexWriter,
    reader: IndexReader,
    fields: Fields,
    rx: Receiver<Change>,
    shared: &Shared,
) {
    while let Ok(first) = rx.recv() {
        let mut last = first.0;
        let mut batch = vec![first.1];
        while batch.len() < BATCH {
            match rx.try_recv() {
                Ok((change, event)) => {
                    last = change;
                    batch.push(event);
                }
                Err(_) => break,
            }
        }
        let outcome = apply(&mut writer, &reader, &fields, &batch);
        let mut progress = shared.progress.lock();
        match outcome {
            Ok(()) => progress.searchable = last,
            Err(error) => progress.failure = Some(error.to_string()),
        }
        shared.changed.notify_all();
    }
}

fn apply(
    writer: &mut IndexWriter,
    reader: &IndexReader,
    fields: &Fields,
    batch: &[IndexedEvent],
) -> tantivy::Result<()> {
    for event in batch {
        // Deletes apply to documents added before them in the same commit
        // only, so a change queued twice in one batch leaves the last.
        writer.delete_term(Term::from_field_u64(fields.id, event.id.0));
        writer.add_document(event.document(fields))?;
    }
    writer.commit()?;
    reader.reload()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::EventId;
    use std::time::Duration;

    fn event(id: u64, name: &str) -> IndexedEvent {
        IndexedEvent {
            id: EventId(id),
            name: name.into(),
            performers: Vec::new(),
            venue: String::new(),
            description: String::new(),
            city: String::new(),
            categories: Vec::new(),
            starts: 0,
            status: "on_sale",
        }
    }

    #[test]
    fn a_change_queued_twice_leaves_one_document_the_last() {
        let index = SearchIndex::new().unwrap();
        index.put(event(1, "first"));
        let last = index.put(event(1, "second"));
        assert!(index
            .wait(last, Instant::now() + Duration::from_secs(5))
            .unwrap());
        let searcher = index.reader.searcher();
        assert_eq!(searcher.num_docs(), 1);
    }

    #[test]
    fn waiting_for_a_change_never_queued_times_out() {
        let index = SearchIndex::new().unwrap();
        let soon = Instant::now() + Duration::from_millis(20);
        assert!(!index.wait(index.last_queued() + 1, soon).unwrap());
        assert!(
            index.wait(index.last_queued(), soon).unwrap(),
            "nothing queued: searchable"
        );
    }
}
