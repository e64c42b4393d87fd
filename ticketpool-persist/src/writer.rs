//! The writer thread: it owns the database connection and commits records
//! in groups, so sellers never wait on the disk one by one.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::Instant;

use crossbeam_channel::{Receiver, Sender};
use ticketpool_core::{Event, Journal, JournalError};

use crate::config::{Durability, JournalConfig};
use crate::error::PersistError;
use crate::settings::EventSettings;
use crate::store::{Outcome, Store};

/// Where the writer answers one caller: a one-shot channel.
type Ack = Sender<Result<(), JournalError>>;

enum Message {
    /// An event; `ack` is `Some` when the caller waits for the commit.
    Record(Event, Option<Ack>),
    /// Answer once everything before it is committed.
    Flush(Ack),
    /// Record the event's settings once everything before is committed.
    Settings(EventSettings, &'static str, Ack),
}

/// What the writer and the callers share: the first failure, after which
/// every write fails (sales stop instead of going unrecorded).
struct Shared {
    stopped: AtomicBool,
    failure: Mutex<Option<String>>,
}

impl Shared {
    fn stop(&self, why: String) {
        let mut failure = self.failure.lock().unwrap_or_else(PoisonError::into_inner);
        if failure.is_none() {
            *failure = Some(why);
        }
        // Release pairs with the Acquire in `check`: whoever sees the flag
        // also sees the reason.
        self.stopped.store(true, Ordering::Release);
    }

    fn check(&self) -> Result<(), JournalError> {
        if !self.stopped.load(Ordering::Acquire) {
            return Ok(());
        }
        let failure = self.failure.lock().unwrap_or_else(PoisonError::into_inner);
        let why = failure.clone().unwrap_or_else(|| "unknown failure".into());
        Err(PersistError::Stopped(why).into_journal_error())
    }
}

/// A [`Journal`] backed by a [`Store`] on its own writer thread.
///
/// `record` queues the event; the writer drains the queue in groups of up
/// to [`JournalConfig::max_records`] (for at most
/// [`JournalConfig::max_delay`]), commits each group in one transaction and
/// then answers. Under [`Durability::Confirmed`] `record` returns only
/// after that commit, so concurrent customers share one disk sync; under
/// [`Durability::Batched`] it returns at once.
///
/// If a commit fails (disk full, connection lost), the journal stops: that
/// call and every later `record` or `flush` return an error naming the
/// first failure, until the journal is reopened. Dropping the journal
/// commits what is queued and joins the writer.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use ticketpool_core::{Event, Journal};
/// use ticketpool_persist::{DurableJournal, JournalConfig, SqliteStore, Store};
///
/// let dir = tempfile::tempdir().unwrap();
/// let path = dir.path().join("sales.db");
/// let journal = DurableJournal::start(SqliteStore::open(&path).unwrap(), JournalConfig::default())
///     .unwrap();
/// journal
///     .record(&Event::VendorAdded { vendor: Arc::from("acme"), ticket_types: vec![] })
///     .unwrap();
/// drop(journal);
///
/// let state = SqliteStore::open(&path).unwrap().recover().unwrap();
/// assert_eq!(&*state.vendors[0].0, "acme");
/// ```
pub struct DurableJournal {
    queue: Option<Sender<Message>>,
    shared: Arc<Shared>,
    durability: Durability,
    writer: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for DurableJournal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DurableJournal")
            .field("durability", &self.durability)
            .field("stopped", &self.shared.stopped.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl DurableJournal {
    /// Applies `config.durability` to `store` and starts the writer thread.
    ///
    /// Recover first (`store.recover()`), then start: the journal appends
    /// to what is there.
    ///
    /// # Errors
    ///
    /// [`PersistError::Setting`] for invalid settings; the store's error if
    /// it refuses the durability setting; [`PersistError::Io`] if the
    /// thread cannot be spawned.
    pub fn start<S: Store + 'static>(
        mut store: S,
        config: JournalConfig,
    ) -> Result<Self, PersistError> {
        config.validate()?;
        store.set_durability(config.durability)?;
        let (queue, inbox) = crossbeam_channel::bounded(config.queue_capacity);
        let shared = Arc::new(Shared {
            stopped: AtomicBool::new(false),
            failure: Mutex::new(None),
        });
        let writer = Writer {
            store,
            inbox,
            shared: Arc::clone(&shared),
            config,
        };
        let writer = thread::Builder::new()
            .name("ticketpool-journal".into())
            .spawn(move || writer.run())?;
        Ok(Self {
            queue: Some(queue),
            shared,
            durability: config.durability,
            writer: Some(writer),
        })
    }

    /// The durability this journal was started with.
    pub fn durability(&self) -> Durability {
        self.durability
    }

    /// Commits everything queued, stops the writer and reports whether the
    /// journal ended healthy.
    ///
    /// # Errors
    ///
    /// The failure that stopped the journal, if any.
    pub fn close(mut self) -> Result<(), JournalError> {
        self.shutdown();
        self.shared.check()
    }

    fn shutdown(&mut self) {
        // Closing the queue ends the writer's loop after the last group.
        self.queue = None;
        if let Some(writer) = self.writer.take() {
            if writer.join().is_err() {
                self.shared
                    .stop("the journal writer thread panicked".into());
            }
        }
    }

    fn send(&self, message: Message) -> Result<(), JournalError> {
        let queue = self
            .queue
            .as_ref()
            .ok_or_else(|| JournalError::new("the journal is closed"))?;
        queue.send(message).map_err(|_| {
            self.shared.check().err().unwrap_or_else(|| {
                JournalError::new("the journal writer has stopped; reopen the journal")
            })
        })
    }

    /// Records the event's settings on the writer's connection, after
    /// everything queued before; for [`open_office`](crate::open_office),
    /// once the office built from the journal is known to fit them.
    pub(crate) fn record_settings(
        &self,
        settings: EventSettings,
        reason: &'static str,
    ) -> Result<(), JournalError> {
        self.shared.check()?;
        let (ack, answer) = crossbeam_channel::bounded(1);
        self.send(Message::Settings(settings, reason, ack))?;
        self.wait(&answer)
    }

    fn wait(&self, answer: &Receiver<Result<(), JournalError>>) -> Result<(), JournalError> {
        answer.recv().unwrap_or_else(|_| {
            // The writer died without answering (a panic in the store).
            self.shared.check()?;
            Err(JournalError::new(
                "the journal writer stopped before answering",
            ))
        })
    }
}

impl Journal for DurableJournal {
    fn record(&self, event: &Event) -> Result<(), JournalError> {
        self.shared.check()?;
        match self.durability {
            Durability::Batched => self.send(Message::Record(event.clone(), None)),
            Durability::Confirmed => {
                let (ack, answer) = crossbeam_channel::bounded(1);
                self.send(Message::Record(event.clone(), Some(ack)))?;
                self.wait(&answer)
            }
        }
    }

    fn flush(&self) -> Result<(), JournalError> {
        self.shared.check()?;
        let (ack, answer) = crossbeam_channel::bounded(1);
        self.send(Message::Flush(ack))?;
        self.wait(&answer)
    }
}

impl Drop for DurableJournal {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// The thread's side: owns the store.
struct Writer<S> {
    store: S,
    inbox: Receiver<Message>,
    shared: Arc<Shared>,
    config: JournalConfig,
}

impl<S: Store> Writer<S> {
    fn run(mut self) {
        // Grown on demand past this: a large `max_records` reserves nothing
        // until groups that large actually come.
        let initial = self.config.max_records.min(1_024);
        let mut events = Vec::with_capacity(initial);
        let mut acks: Vec<Option<Ack>> = Vec::with_capacity(initial);
        let mut flushes: Vec<Ack> = Vec::new();
        let mut settings = None;
        let mut outcomes = Vec::with_capacity(initial);
        while let Ok(first) = self.inbox.recv() {
            // `validate` bounds the delay; saturate anyway rather than panic.
            let now = Instant::now();
            let deadline = now.checked_add(self.config.max_delay).unwrap_or(now);
            let mut next = Some(first);
            while let Some(message) = next.take() {
                match message {
                    Message::Record(event, ack) => {
                        events.push(event);
                        acks.push(ack);
                    }
                    Message::Flush(ack) => flushes.push(ack),
                    Message::Settings(recorded, reason, ack) => {
                        // Ends the group: what came before commits first.
                        settings = Some((recorded, reason, ack));
                        break;
                    }
                }
                if events.len() >= self.config.max_records || Instant::now() >= deadline {
                    break;
                }
                // Take only what is already queued: an empty queue commits
                // now rather than making a lone customer wait.
                next = self.inbox.try_recv().ok();
            }
            self.commit(&mut events, &mut acks, &mut outcomes);
            if let Some((recorded, reason, ack)) = settings.take() {
                let answer = self.shared.check().and_then(|()| {
                    self.store
                        .record_settings(&recorded, reason)
                        .map_err(PersistError::into_journal_error)
                });
                let _ = ack.send(answer);
            }
            let answer = self.shared.check();
            for ack in flushes.drain(..) {
                // A caller that gave up waiting is no error.
                let _ = ack.send(clone_result(&answer));
            }
        }
    }

    fn commit(
        &mut self,
        events: &mut Vec<Event>,
        acks: &mut Vec<Option<Ack>>,
        outcomes: &mut Vec<Outcome>,
    ) {
        if events.is_empty() {
            return;
        }
        outcomes.clear();
        let result = match self.shared.check() {
            Ok(()) => self.store.append(events, outcomes),
            Err(stopped) => Err(PersistError::Stopped(stopped.message().to_owned())),
        };
        match result {
            Ok(()) => {
                for ((ack, outcome), event) in acks.drain(..).zip(outcomes.drain(..)).zip(&*events)
                {
                    let answer = match outcome {
                        Outcome::Recorded | Outcome::AlreadyRecorded => Ok(()),
                        Outcome::DoubleSale { ticket, holder } => {
                            let error = PersistError::DoubleSale {
                                ticket,
                                holder: holder.to_string(),
                            };
                            if ack.is_none() {
                                // Nobody waits to hear it (Batched): stop,
                                // since the office sold a ticket twice.
                                self.shared.stop(format!("{error} (event {event:?})"));
                            }
                            Err(error.into_journal_error())
                        }
                    };
                    if let Some(ack) = ack {
                        let _ = ack.send(answer);
                    }
                }
            }
            Err(error) => {
                let unconfirmed = acks.iter().filter(|ack| ack.is_none()).count();
                let why = if unconfirmed > 0 {
                    format!("{error}; {unconfirmed} batched events were not committed")
                } else {
                    error.to_string()
                };
                self.shared.stop(why);
                let answer = self.shared.check();
                for ack in acks.drain(..).flatten() {
                    let _ = ack.send(clone_result(&answer));
                }
            }
        }
        events.clear();
        acks.clear();
    }
}

fn clone_result(result: &Result<(), JournalError>) -> Result<(), JournalError> {
    match result {
        Ok(()) => Ok(()),
        Err(error) => Err(JournalError::new(error.message())),
    }
}
