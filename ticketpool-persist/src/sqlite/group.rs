//! Cross-event group commit: the journals of a catalog's events share one
//! SQLite connection, and each event's writer thread commits its own
//! groups. Committing them one transaction (one `fsync`) each made events
//! selling at once queue behind each other's syncs. Instead, while one
//! transaction commits, the groups of other events wait here, and the
//! next writer to get the turn commits all of them in one transaction,
//! each under a savepoint of its own (one event's bad group fails alone).
//! A group is answered only once the transaction holding it committed, so
//! Confirmed keeps its promise; each group is applied once, by one leader.

use std::collections::HashMap;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use rusqlite::{Connection, Transaction};
use ticketpool_core::Event;

use super::SqliteTables;
use crate::apply::apply;
use crate::error::PersistError;
use crate::store::Outcome;

/// One event's group: the event's key and its records.
pub(super) type Group<'a> = (i64, &'a [Event]);

/// What committing one group gave: its outcomes, or why it failed.
type Answer = Result<Vec<Outcome>, PersistError>;

/// The groups waiting for the next shared transaction.
#[derive(Default)]
pub(super) struct Combiner {
    state: Mutex<State>,
    turn: Condvar,
}

#[derive(Default)]
struct State {
    /// A transaction is being committed.
    committing: bool,
    waiting: Vec<(u64, i64, Vec<Event>)>,
    next_id: u64,
    answers: HashMap<u64, Answer>,
}

impl Combiner {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Commits `events` as event `event`'s, alone if nothing else is
    /// committing, else with whatever else waits once the turn comes.
    /// `commit` runs one shared transaction: one answer per group.
    pub(super) fn append(
        &self,
        event: i64,
        events: &[Event],
        commit: impl Fn(&[Group<'_>]) -> Vec<Answer>,
    ) -> Answer {
        let mut state = self.state();
        if !state.committing && state.waiting.is_empty() {
            // Nobody else: commit in place, without copying the group.
            state.committing = true;
            drop(state);
            let turn = Turn {
                combiner: self,
                ids: Vec::new(),
            };
            let answer = commit(&[(event, events)]).pop();
            drop(turn.finish(Vec::new()));
            return answer.unwrap_or_else(|| Err(lost()));
        }
        let id = state.next_id;
        state.next_id += 1;
        state.waiting.push((id, event, events.to_vec()));
        loop {
            if let Some(answer) = state.answers.remove(&id) {
                return answer;
            }
            if state.committing {
                state = self
                    .turn
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            }
            // This writer's turn: commit every waiting group, its own too.
            state.committing = true;
            let taken = std::mem::take(&mut state.waiting);
            drop(state);
            let turn = Turn {
                combiner: self,
                ids: taken.iter().map(|(id, _, _)| *id).collect(),
            };
            let groups: Vec<Group<'_>> = taken
                .iter()
                .map(|(_, event, events)| (*event, events.as_slice()))
                .collect();
            let answers = commit(&groups);
            state = turn.finish(answers);
        }
    }
}

/// The commit in progress; answers its groups and hands the turn on, also
/// if the commit panicked (its groups then fail instead of waiting forever).
struct Turn<'c> {
    combiner: &'c Combiner,
    ids: Vec<u64>,
}

impl<'c> Turn<'c> {
    fn finish(mut self, answers: Vec<Answer>) -> MutexGuard<'c, State> {
        let ids = std::mem::take(&mut self.ids);
        let mut answers = answers.into_iter();
        let mut state = self.combiner.state();
        for id in ids {
            let answer = answers.next().unwrap_or_else(|| Err(lost()));
            state.answers.insert(id, answer);
        }
        state.committing = false;
        self.combiner.turn.notify_all();
        std::mem::forget(self);
        state
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let mut state = self.combiner.state();
        for id in self.ids.drain(..) {
            state.answers.insert(id, Err(lost()));
        }
        state.committing = false;
        self.combiner.turn.notify_all();
    }
}

fn lost() -> PersistError {
    PersistError::Stopped("the shared commit ended without an answer".into())
}

/// Applies each group under its own savepoint in one transaction and
/// commits it: one answer per group, in order. A group that fails is
/// rolled back alone; if the commit fails, every group fails (the first
/// with the database's error, the others naming it).
pub(super) fn commit_groups(conn: &mut Connection, groups: &[Group<'_>]) -> Vec<Answer> {
    let mut tx = match conn.transaction() {
        Ok(tx) => tx,
        Err(error) => return fail_all(error.into(), groups.len()),
    };
    let mut answers: Vec<Answer> = Vec::with_capacity(groups.len());
    for &(event, events) in groups {
        answers.push(apply_group(&mut tx, event, events));
        if answers.last().is_some_and(Result::is_err) && tx.is_autocommit() {
            // SQLite rolled the whole transaction back (a full disk, an
            // I/O error), not just this group's savepoint: nothing stands,
            // and applying the rest would commit each on its own.
            return rolled_back(answers, groups.len());
        }
    }
    if let Err(error) = tx.commit() {
        return fail_all(error.into(), groups.len());
    }
    answers
}

fn apply_group(tx: &mut Transaction<'_>, event: i64, events: &[Event]) -> Answer {
    let savepoint = tx.savepoint()?;
    let mut outcomes = Vec::with_capacity(events.len());
    {
        let mut tables = SqliteTables::new(&savepoint, event)?;
        for record in events {
            // An error drops the savepoint, which rolls this group back.
            outcomes.push(apply(&mut tables, record)?);
        }
    }
    savepoint.commit()?;
    Ok(outcomes)
}

/// Every one of `groups` fails: the failed keep their error, the others
/// (applied or not) name it.
fn rolled_back(mut answers: Vec<Answer>, groups: usize) -> Vec<Answer> {
    answers.resize_with(groups, || Ok(Vec::new()));
    let why = answers
        .iter()
        .find_map(|answer| answer.as_ref().err())
        .map(ToString::to_string)
        .unwrap_or_default();
    answers
        .into_iter()
        .map(|answer| {
            answer.and_then(|_| {
                Err(PersistError::Stopped(format!(
                    "the shared transaction was rolled back: {why}"
                )))
            })
        })
        .collect()
}

fn fail_all(error: PersistError, groups: usize) -> Vec<Answer> {
    let shared = format!("the shared commit failed: {error}");
    let mut answers = vec![Err(error)];
    answers.extend((1..groups).map(|_| Err(PersistError::Stopped(shared.clone()))));
    answers
}
