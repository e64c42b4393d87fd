//! `ticketpool events`: a catalog on a journal, each command its own
//! process, so every read below comes from the file the previous command
//! left (a restart each time). Bad input gets a one-line error naming the
//! problem and exit code 2, and no file the user did not name is created.

use std::path::Path;
use std::process::Output;

use serde_json::Value;

mod cli_support;

use self::cli_support::{ok, run, scratch, text};

/// `ticketpool events --journal JOURNAL ARGS...` in `dir`.
fn events(dir: &Path, journal: &str, args: &[&str]) -> Output {
    let mut all = vec!["events", "--journal", journal];
    all.extend_from_slice(args);
    run(dir, &all)
}

fn events_json(dir: &Path, journal: &str, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    serde_json::from_str(&ok(&events(dir, journal, &all))).unwrap()
}

/// Asserts a usage error (exit 2) whose stderr contains every `needle`;
/// returns stderr.
fn usage_error(out: &Output, needles: &[&str]) -> String {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}{}", text(&out.stdout));
    for needle in needles {
        assert!(stderr.contains(needle), "{needle:?} not in:\n{stderr}");
    }
    assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    stderr
}

const JAZZ: &str = r#"
name = "Jazz at the Olympia"
description = "A night of standards"
performers = ["Blue Trio", "Ann Vocalist"]
starts_at = "2030-07-14T21:00:00"
time_zone = "Europe/Paris"
categories = ["Jazz"]

[venue]
name = "Olympia"
city = "Paris"
capacity = 2000

[office]
event_name = "jazz"
total_tickets = 300
max_capacity = 20

[[office.ticket_types]]
name = "stalls"
price = "45.00"
quota = 200

[[office.ticket_types]]
name = "balcony"
price = "25.00"
"#;

/// A second event at the same venue (by name only) with a performer the
/// journal already has.
const ROCK: &str = r#"{
  "name": "Rock Matinee",
  "performers": ["blue trio"],
  "venue": "OLYMPIA",
  "starts_at": "2030-08-01T14:00:00Z",
  "time_zone": "+02:00",
  "categories": ["rock"],
  "office": {
    "event_name": "rock",
    "total_tickets": 100,
    "max_capacity": 10,
    "ticket_types": [{"name": "general", "price": "30.00"}]
  }
}"#;

fn write(dir: &Path, name: &str, contents: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn events_added_put_on_sale_and_changed_come_back_in_every_later_process() {
    let dir = scratch("events-round-trip");
    let journal = dir.join("catalog.db").to_str().unwrap().to_owned();
    let jazz = write(&dir, "jazz.toml", JAZZ);
    let rock = write(&dir, "rock.json", ROCK);

    assert_eq!(ok(&events(&dir, &journal, &["add", &jazz])), "1\n");
    let added = events_json(&dir, &journal, &["add", &rock]);
    assert_eq!(added["id"], 2);
    assert_eq!(
        ok(&events(&dir, &journal, &["on-sale", "1"])),
        "event #1 is on sale\n"
    );
    // One file holds the catalog and every event's sales.
    let files = listing(&dir);
    assert!(
        !files.iter().any(|f| f.contains("-event-")),
        "no file per event: {files:?}"
    );

    // Drafts are not upcoming; --all shows them.
    let upcoming = events_json(&dir, &journal, &["list"]);
    let ids: Vec<&Value> = upcoming
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["id"])
        .collect();
    assert_eq!(ids, [1]);
    assert_eq!(upcoming[0]["status"], "on_sale");
    assert_eq!(upcoming[0]["venue"], "Olympia");
    assert_eq!(upcoming[0]["starts_at"], "2030-07-14T19:00:00Z");
    let all = events_json(&dir, &journal, &["list", "--all"]);
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert_eq!(all[1]["status"], "draft");
    assert_eq!(all[1]["venue"], "Olympia", "the venue was found by name");
    let table = ok(&events(&dir, &journal, &["list"]));
    assert!(table.contains("Jazz at the Olympia"), "{table}");
    assert!(table.contains("2030-07-14 21:00 CEST"), "{table}");
    assert!(table.contains("Olympia, Paris"), "{table}");

    // Search, one typo away, with the filters; drafts are never found.
    let found = events_json(&dir, &journal, &["search", "standrds", "--city", "paris"]);
    assert_eq!(found["total"], 1);
    assert_eq!(found["events"][0]["id"], 1);
    let in_july = events_json(
        &dir,
        &journal,
        &[
            "search",
            "--from",
            "2030-07-14",
            "--to",
            "2030-07-14",
            "--category",
            "jazz",
            "--on-sale",
        ],
    );
    assert_eq!(in_july["total"], 1);
    let after = events_json(&dir, &journal, &["search", "jazz", "--from", "2030-07-15"]);
    assert_eq!(after["total"], 0);
    let page_two = events_json(
        &dir,
        &journal,
        &["search", "--page", "2", "--per-page", "1"],
    );
    assert_eq!(page_two["page"], 2);
    assert_eq!(
        page_two["events"].as_array().unwrap().len(),
        0,
        "one event, one page"
    );

    // Show: venue, performers, types, prices and the office's counts.
    let shown = events_json(&dir, &journal, &["show", "1"]);
    assert_eq!(shown["venue"]["city"], "Paris");
    assert_eq!(
        shown["performers"],
        serde_json::json!(["Blue Trio", "Ann Vocalist"])
    );
    assert_eq!(shown["categories"], serde_json::json!(["jazz"]));
    assert_eq!(shown["ticket_types"][0]["name"], "stalls");
    assert_eq!(shown["ticket_types"][0]["price"], "45.00");
    assert_eq!(shown["ticket_types"][1]["price"], "25.00");
    assert_eq!(shown["availability"]["sold"], 0);
    assert_eq!(shown["availability"]["paused"], false);
    let rock_shown = events_json(&dir, &journal, &["show", "2"]);
    assert_eq!(rock_shown["performers"], serde_json::json!(["Blue Trio"]));
    assert_eq!(rock_shown["local_start"], "2030-08-01 16:00 +02");
    assert!(
        rock_shown["availability"].is_null(),
        "a draft has no office"
    );

    // Status changes last across processes.
    ok(&events(&dir, &journal, &["pause", "1"]));
    let paused = events_json(&dir, &journal, &["show", "1"]);
    assert_eq!(paused["status"], "paused");
    assert_eq!(paused["availability"]["paused"], true);
    ok(&events(&dir, &journal, &["cancel", "2"]));
    let table = ok(&events(&dir, &journal, &["show", "2"]));
    assert!(
        table.contains("Rock Matinee (event #2, cancelled)"),
        "{table}"
    );
    assert!(table.contains("general"), "{table}");
    // Closing the sales keeps the event (and its sales), shut.
    ok(&events(&dir, &journal, &["close", "1"]));
    let closed = events_json(&dir, &journal, &["show", "1"]);
    assert_eq!(closed["status"], "closed");
    assert_eq!(closed["availability"]["closed"], true, "{closed}");
    let table = ok(&events(&dir, &journal, &["show", "1"]));
    assert!(table.contains("sales closed"), "{table}");
    usage_error(
        &events(&dir, &journal, &["resume", "1"]),
        &["cannot resume event #1: it is sales closed"],
    );

    // Venues and performers on their own.
    assert_eq!(
        ok(&events(
            &dir,
            &journal,
            &[
                "venue",
                "add",
                "Barbican",
                "--city",
                "London",
                "--capacity",
                "1900"
            ]
        )),
        "2\n"
    );
    assert_eq!(
        ok(&events(&dir, &journal, &["performer", "add", "Solo"])),
        "3\n"
    );
}

#[test]
fn popular_ranks_upcoming_events_and_the_limit_holds() {
    let dir = scratch("events-popular");
    let journal = dir.join("catalog.db").to_str().unwrap().to_owned();
    let jazz = write(&dir, "jazz.toml", JAZZ);
    let rock = write(&dir, "rock.json", ROCK);
    ok(&events(&dir, &journal, &["add", &jazz]));
    ok(&events(&dir, &journal, &["add", &rock]));
    ok(&events(&dir, &journal, &["on-sale", "2"]));
    ok(&events(&dir, &journal, &["on-sale", "1"]));
    let popular = events_json(&dir, &journal, &["list", "--popular", "--limit", "1"]);
    assert_eq!(popular.as_array().unwrap().len(), 1);
    // Nothing sold yet: the tie keeps the soonest first.
    assert_eq!(popular[0]["id"], 1);
    assert_eq!(popular[0]["sold"], 0);
}

#[test]
fn reading_a_journal_that_is_not_there_is_refused_and_creates_nothing() {
    let dir = scratch("events-missing");
    let journal = dir.join("nope.db").to_str().unwrap().to_owned();
    for args in [
        &["list"][..],
        &["show", "1"],
        &["search", "x"],
        &["on-sale", "1"],
    ] {
        usage_error(
            &events(&dir, &journal, args),
            &["nope.db", "no such journal"],
        );
    }
    assert!(!Path::new(&journal).exists());
    let out = run(&dir, &["events", "list"]);
    usage_error(&out, &["needs --journal FILE"]);
    assert_eq!(
        std::fs::read_dir(&*dir).unwrap().count(),
        0,
        "nothing written"
    );
}

#[test]
fn a_file_that_is_not_a_journal_is_refused_and_left_alone() {
    let dir = scratch("events-corrupt");
    let garbage = write(
        &dir,
        "garbage.db",
        "this is not a database, just some text\n",
    );
    usage_error(
        &events(&dir, &garbage, &["list"]),
        &["garbage.db", "not a ticketpool journal"],
    );
    let jazz = write(&dir, "jazz.toml", JAZZ);
    usage_error(&events(&dir, &garbage, &["add", &jazz]), &["garbage.db"]);
    assert_eq!(
        std::fs::read_to_string(&garbage).unwrap(),
        "this is not a database, just some text\n"
    );
    let empty = write(&dir, "empty.db", "");
    usage_error(&events(&dir, &empty, &["list"]), &["empty.db", "empty"]);
    let folder = dir.join("folder");
    std::fs::create_dir(&folder).unwrap();
    usage_error(
        &events(&dir, folder.to_str().unwrap(), &["list"]),
        &["a directory"],
    );
}

#[test]
fn an_unknown_id_and_a_change_the_status_forbids_are_named() {
    let dir = scratch("events-unknown");
    let journal = dir.join("catalog.db").to_str().unwrap().to_owned();
    let jazz = write(&dir, "jazz.toml", JAZZ);
    ok(&events(&dir, &journal, &["add", &jazz]));
    usage_error(
        &events(&dir, &journal, &["show", "99"]),
        &["catalog.db", "there is no event #99"],
    );
    usage_error(
        &events(&dir, &journal, &["cancel", "7"]),
        &["there is no event #7"],
    );
    usage_error(
        &events(&dir, &journal, &["pause", "1"]),
        &["cannot pause event #1: it is draft"],
    );
    let out = events(&dir, &journal, &["show", "one"]);
    assert_eq!(out.status.code(), Some(2), "clap's usage error");
}

#[test]
fn bad_dates_and_pages_name_the_flag() {
    let dir = scratch("events-dates");
    let journal = dir.join("catalog.db").to_str().unwrap().to_owned();
    ok(&events(&dir, &journal, &["performer", "add", "Solo"]));
    usage_error(
        &events(&dir, &journal, &["search", "--from", "2030-13-01"]),
        &["--from", "\"2030-13-01\" is not a date", "YYYY-MM-DD"],
    );
    usage_error(
        &events(&dir, &journal, &["search", "--to", "tomorrow"]),
        &["--to", "not a date"],
    );
    usage_error(
        &events(
            &dir,
            &journal,
            &["search", "--from", "2030-06-02", "--to", "2030-06-01"],
        ),
        &["is not after --from"],
    );
    usage_error(
        &events(&dir, &journal, &["search", "--page", "0"]),
        &["--page counts from 1"],
    );
    usage_error(
        &events(&dir, &journal, &["search", "--per-page", "5000"]),
        &["--per-page"],
    );
}

#[test]
fn a_bad_event_file_lists_every_problem_and_writes_nothing() {
    let dir = scratch("events-bad-file");
    let journal = dir.join("catalog.db").to_str().unwrap().to_owned();
    let bad = JAZZ
        .replace(
            "starts_at = \"2030-07-14T21:00:00\"",
            "starts_at = \"14/07/2030 9pm\"",
        )
        .replace(
            "time_zone = \"Europe/Paris\"",
            "time_zone = \"Mars/Olympus\"",
        )
        .replace("capacity = 2000\n", "")
        .replace("max_capacity = 20", "max_capacity = 0")
        .replace("price = \"25.00\"", "price = \"cheap\"")
        .replace("description =", "descripton =");
    let file = write(&dir, "bad.toml", &bad);
    let stderr = usage_error(
        &events(&dir, &journal, &["add", &file]),
        &["bad.toml has 6 problem(s)"],
    );
    for needle in [
        "bad.toml:3: descripton: unknown field",
        "bad.toml:5: starts_at: \"14/07/2030 9pm\" is not a date and time",
        "bad.toml:6: time_zone: unknown time zone \"Mars/Olympus\"",
        "venue.capacity: missing",
        "office.max_capacity",
        "office.ticket_types[1].price",
    ] {
        assert!(stderr.contains(needle), "{needle:?} not in:\n{stderr}");
    }
    assert!(
        !Path::new(&journal).exists(),
        "a bad file creates no journal"
    );

    // The same against an existing journal: nothing is added.
    ok(&events(
        &dir,
        &journal,
        &[
            "venue",
            "add",
            "Barbican",
            "--city",
            "London",
            "--capacity",
            "10",
        ],
    ));
    usage_error(&events(&dir, &journal, &["add", &file]), &["bad.toml has"]);
    let all = events_json(&dir, &journal, &["list", "--all"]);
    assert_eq!(all, serde_json::json!([]));

    // A venue that exists but in another city, a file that is not there,
    // one in another format, malformed TOML.
    let elsewhere = JAZZ.replace("name = \"Olympia\"", "name = \"barbican\"");
    let file = write(&dir, "elsewhere.toml", &elsewhere);
    usage_error(
        &events(&dir, &journal, &["add", &file]),
        &["venue.city: \"Barbican\" (venue #1) is in London, not Paris"],
    );
    let missing = dir.join("missing.toml");
    usage_error(
        &events(&dir, &journal, &["add", missing.to_str().unwrap()]),
        &["missing.toml"],
    );
    let yaml = write(&dir, "event.yaml", "name: x\n");
    usage_error(
        &events(&dir, &journal, &["add", &yaml]),
        &["event.yaml", ".toml or .json"],
    );
    let broken = write(&dir, "broken.toml", "name = \"unterminated\n");
    usage_error(&events(&dir, &journal, &["add", &broken]), &["TOML"]);
    // A file that reads well but breaks a catalog rule: too big a venue.
    let too_big = JAZZ.replace("capacity = 2000", "capacity = 10");
    let file = write(&dir, "too_big.toml", &too_big);
    usage_error(
        &events(&dir, &journal, &["add", &file]),
        &["300 tickets do not fit"],
    );
}

/// The files in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A catalog written by the build that kept each event's sales in
/// `FILE-event-ID.db` beside it (the persist crate's committed v6 fixture,
/// under the names `ticketpool events` gave its files): events 1 and 2 on
/// sale with 3 and 2 sales, 3 a draft.
fn earlier_layout(dir: &Path) -> String {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../ticketpool-persist/tests/fixtures/catalog-dir-v6");
    for (from, to) in [
        ("catalog.db", "catalog.db"),
        ("event-1.db", "catalog.db-event-1.db"),
        ("event-2.db", "catalog.db-event-2.db"),
    ] {
        std::fs::copy(fixture.join(from), dir.join(to)).unwrap();
    }
    dir.join("catalog.db").to_str().unwrap().to_owned()
}

#[test]
fn per_event_journals_of_the_earlier_layout_move_into_the_catalog_file_with_their_sales() {
    let dir = scratch("events-earlier-layout");
    let journal = earlier_layout(&dir);
    let out = events(&dir, &journal, &["--json", "show", "1"]);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("moved 2 event journal(s)"), "{stderr}");
    let shown: Value = serde_json::from_str(&ok(&out)).unwrap();
    assert_eq!(shown["availability"]["sold"], 3, "{shown}");
    assert_eq!(
        events_json(&dir, &journal, &["show", "2"])["availability"]["sold"],
        2
    );
    // The old files are kept under a new name, and looked at no more
    // (SQLite's own -wal/-shm beside the catalog aside).
    let files: Vec<String> = listing(&dir)
        .into_iter()
        .filter(|f| !f.ends_with("-wal") && !f.ends_with("-shm"))
        .collect();
    assert_eq!(
        files,
        [
            "catalog.db",
            "catalog.db-event-1.db.migrated",
            "catalog.db-event-2.db.migrated",
        ]
    );
    // Reopening moves nothing again and finds the same sales.
    let again = events(&dir, &journal, &["--json", "show", "1"]);
    assert!(
        !text(&again.stderr).contains("moved"),
        "{}",
        text(&again.stderr)
    );
    let shown: Value = serde_json::from_str(&ok(&again)).unwrap();
    assert_eq!(shown["availability"]["sold"], 3);
}
