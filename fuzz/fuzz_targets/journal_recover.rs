//! Writes arbitrary bytes as a journal file, opens it with
//! [`SqliteStore::open`] and recovers: the answer must be a state or a
//! typed [`PersistError`], never a panic.
//!
//! Seeded with a real journal (`corpus/journal_recover/`, made by
//! `tests/journal_seed.rs`), so mutations reach SQLite's page and row
//! decoding and the journal's own row checks, not only the header check.

#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use ticketpool_persist::{PersistError, SqliteStore, Store};

/// One directory per fuzzing process, made once: a temp dir per input would
/// cost more than the recovery it wraps.
fn journal_path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("ticketpool-fuzz-journal-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temp dir for the journal file");
        dir.join("journal.db")
    })
}

fuzz_target!(|data: &[u8]| {
    let path = journal_path();
    // A WAL or shared-memory file left by the previous input would be
    // replayed into this one: each input stands alone.
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut side = path.clone().into_os_string();
        side.push(suffix);
        let _ = std::fs::remove_file(side);
    }
    std::fs::write(path, data).expect("write the journal file");
    let result: Result<_, PersistError> =
        SqliteStore::open(path).and_then(|mut store| store.recover());
    if let Err(err) = result {
        // The message is what an operator reads: building it must not panic.
        drop(err.to_string());
    }
});
