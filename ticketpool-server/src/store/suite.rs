//! One behaviour suite for both homes of the service's state: each test
//! takes a way to (re)open the same store, and runs on SQLite (a temp
//! directory) and on PostgreSQL (a schema of its own; skipped with a
//! notice when no server answers, see `tests/support/pg.rs`).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::json;
use ticketpool_catalog::EventId;
use ticketpool_persist::CatalogPg;

use super::{Claim, KeyClaim, PgState, SqliteState, StateStore, StoredAnswer, VendorRecord};
use crate::accounts::Accounts;
use crate::errors::{ApiError, ApiResult};
use crate::idempotency::{Answer, Keys};
use crate::secret::hash_token;

#[path = "../../tests/support/pg.rs"]
mod pg_support;

/// Opens the store under test again (same files or schema).
type Open<'a> = &'a dyn Fn() -> Arc<dyn StateStore>;

fn on_sqlite(test: fn(Open<'_>)) {
    let dir = tempfile::tempdir().unwrap();
    let open = || -> Arc<dyn StateStore> { Arc::new(SqliteState::open(dir.path()).unwrap()) };
    test(&open);
}

fn on_postgres(name: &str, test: fn(Open<'_>)) {
    let Some(schemas) = pg_support::schemas("tpu", name) else {
        return;
    };
    let home = CatalogPg::new(&pg_support::params(), &schemas.0).unwrap();
    let open = || -> Arc<dyn StateStore> { Arc::new(PgState::open(&home).unwrap()) };
    test(&open);
}

/// Each test, once per store.
macro_rules! on_both {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $test() { super::on_sqlite(super::$test); } )*
        }
        mod postgres {
            // The schema takes the name's start (PostgreSQL's length limit).
            $( #[test] fn $test() { super::on_postgres(&stringify!($test)[..12], super::$test); } )*
        }
    };
}

on_both!(
    accounts_survive_a_reopen_and_tokens_die_when_revoked,
    vendor_records_survive_and_replace_each_other,
    keys_are_claimed_once_answered_and_taken_over_when_abandoned,
    a_keyed_request_runs_once_across_a_restart,
);

fn accounts_survive_a_reopen_and_tokens_die_when_revoked(open: Open<'_>) {
    let accounts = Accounts::open(open()).unwrap();
    let token = accounts.sign_up("ann").unwrap();
    assert_eq!(accounts.sign_up("ann").unwrap_err().code(), "name_taken");
    assert_eq!(accounts.sign_up("a b").unwrap_err().code(), "invalid_name");
    assert_eq!(
        accounts.set_vip("nobody", true).unwrap_err().code(),
        "unknown_customer"
    );
    accounts.set_vip("ann", true).unwrap();
    let second = accounts.issue_token("ann").unwrap();
    let bob = accounts.sign_up("bob").unwrap();
    drop(accounts);

    let accounts = Accounts::open(open()).unwrap();
    assert_eq!(accounts.count(), 2);
    for token in [&token, &second] {
        let ann = accounts.authenticate(token).unwrap();
        assert_eq!((&*ann.name, ann.vip), ("ann", true));
    }
    // Only the hash is stored.
    let rows = open().load_accounts().unwrap();
    assert!(rows
        .tokens
        .iter()
        .any(|(hash, name)| *hash == hash_token(&token) && name == "ann"));
    assert_eq!(accounts.revoke_tokens("ann").unwrap(), 2);
    assert!(accounts.authenticate(&token).is_none());
    accounts.set_vip("bob", true).unwrap();
    accounts.set_vip("bob", false).unwrap();
    drop(accounts);

    let accounts = Accounts::open(open()).unwrap();
    assert!(accounts.authenticate(&token).is_none());
    assert!(accounts.authenticate(&second).is_none());
    assert!(accounts.account("ann").unwrap().vip, "VIP kept");
    let bob = accounts.authenticate(&bob).unwrap();
    assert_eq!((&*bob.name, bob.vip), ("bob", false));
    assert!(accounts.ping());
}

fn vendor_records_survive_and_replace_each_other(open: Open<'_>) {
    let mut record = VendorRecord {
        name: "north".to_owned(),
        ticket_types: vec!["general".to_owned(), "balcony".to_owned()],
        rate: Some(2.5),
        removed: false,
    };
    open().put_vendor(EventId(3), &record).unwrap();
    let store = open();
    assert_eq!(store.vendors_of(EventId(3)).unwrap(), vec![record.clone()]);
    assert!(store.vendors_of(EventId(4)).unwrap().is_empty());
    record.rate = None;
    record.removed = true;
    record.ticket_types.clear();
    store.put_vendor(EventId(3), &record).unwrap();
    assert_eq!(open().vendors_of(EventId(3)).unwrap(), vec![record]);
}

fn keys_are_claimed_once_answered_and_taken_over_when_abandoned(open: Open<'_>) {
    let store = open();
    let (ours, theirs) = ([1_u8; 32], [2_u8; 32]);
    let claim = |customer, fingerprint, now, stale_before| {
        store.claim_key(&KeyClaim {
            customer,
            key: "k",
            fingerprint,
            now,
            stale_before,
        })
    };
    let busy = Claim::Busy { fingerprint: ours };
    assert_eq!(claim("ann", &ours, 1_000, 0).unwrap(), Claim::Won);
    assert_eq!(claim("ann", &ours, 1_001, 0).unwrap(), busy);
    assert_eq!(claim("ann", &theirs, 1_001, 0).unwrap(), busy);
    // Abandoned (claimed before the stale bound): taken over once, and
    // never by another request.
    assert_eq!(claim("ann", &theirs, 90_000, 2_000).unwrap(), busy);
    assert_eq!(claim("ann", &ours, 90_000, 2_000).unwrap(), Claim::Won);
    assert_eq!(claim("ann", &ours, 90_001, 2_000).unwrap(), busy);

    let answer = StoredAnswer {
        status: 201,
        body: r#"{"id":"h1"}"#.to_owned(),
    };
    store.answer_key("ann", "k", &answer).unwrap();
    // Answered keys are never released or taken over.
    store.release_key("ann", "k").unwrap();
    let answered = Claim::Answered {
        fingerprint: ours,
        answer,
    };
    assert_eq!(claim("ann", &ours, 900_000, 800_000).unwrap(), answered);
    assert_eq!(claim("ann", &theirs, 900_000, 0).unwrap(), answered);

    // Another customer's key is its own; a released claim runs again.
    assert_eq!(claim("bob", &theirs, 5_000, 0).unwrap(), Claim::Won);
    store.release_key("bob", "k").unwrap();
    assert_eq!(claim("bob", &ours, 5_000, 0).unwrap(), Claim::Won);

    // Keys created before the bound go (ann's at 1 000, bob's at 5 000).
    assert_eq!(store.forget_keys(2_000).unwrap(), 1);
    assert_eq!(
        open()
            .claim_key(&KeyClaim {
                customer: "ann",
                key: "k",
                fingerprint: &theirs,
                now: 10_000,
                stale_before: 0,
            })
            .unwrap(),
        Claim::Won
    );
}

fn a_keyed_request_runs_once_across_a_restart(open: Open<'_>) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let runs = Arc::new(AtomicUsize::new(0));
    let work = |n: u32| {
        let runs = Arc::clone(&runs);
        move || async move {
            runs.fetch_add(1, Ordering::SeqCst);
            ApiResult::<Answer>::Ok((StatusCode::CREATED, json!({ "hold": n })))
        }
    };
    let ann: Arc<str> = Arc::from("ann");
    let keys = Keys::new(open());
    let first = runtime.block_on(async {
        let first = keys.once(&ann, Some("r-1"), "reserve", work(1)).await;
        let again = keys.once(&ann, Some("r-1"), "reserve", work(2)).await;
        assert_eq!(again.unwrap(), *first.as_ref().unwrap());
        let other = keys.once(&ann, Some("r-1"), "another", work(3)).await;
        assert_eq!(other.unwrap_err().code(), "idempotency_key_reused");
        // A 5xx is not kept: the retry runs.
        let failed = keys
            .once(&ann, Some("c-1"), "confirm", || async {
                Err(ApiError::internal("the disk is full"))
            })
            .await;
        assert_eq!(failed.unwrap().0, StatusCode::INTERNAL_SERVER_ERROR);
        let confirmed = keys.once(&ann, Some("c-1"), "confirm", work(4)).await;
        assert_eq!(confirmed.unwrap().1, json!({"hold": 4}));
        first.unwrap()
    });
    assert_eq!(first, (StatusCode::CREATED, json!({"hold": 1})));
    assert_eq!(runs.load(Ordering::SeqCst), 2);
    drop(keys);

    // A restart: only the store remembers.
    let keys = Keys::new(open());
    runtime.block_on(async {
        // Another request first: refused by what the store holds.
        let other = keys.once(&ann, Some("r-1"), "another", work(5)).await;
        assert_eq!(other.unwrap().0, StatusCode::UNPROCESSABLE_ENTITY);
        // It left no trace: the first request still gets its answer.
        let retried = keys.once(&ann, Some("r-1"), "reserve", work(6)).await;
        assert_eq!(retried.unwrap(), first);
        let other = keys.once(&ann, Some("r-1"), "another", work(7)).await;
        assert_eq!(other.unwrap_err().code(), "idempotency_key_reused");
        let bob: Arc<str> = Arc::from("bob");
        let bobs = keys.once(&bob, Some("r-1"), "reserve", work(8)).await;
        assert_eq!(bobs.unwrap().1, json!({"hold": 8}));
    });
    assert_eq!(runs.load(Ordering::SeqCst), 3);
    // Off the runtime: PostgreSQL's client must not close on its threads.
    drop(keys);
    drop(runtime);
}
