//! The files `ticketpool` writes: `simulate --journal` refuses every kind
//! of file that is not an older ticketpool journal and leaves it exactly
//! as it was; `--journal`, `--json` and `--plot` are checked before the run
//! (writable place, a file of their own, a chart format the command
//! draws); `config init` writes the format its file name asks for.

use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};

mod cli_support;

use self::cli_support::{ok, run, scratch, text};

/// A short run journaled to `journal` (relative to `cwd`).
fn simulate(cwd: &Path, total: &str, journal: &str) {
    ok(&run(
        cwd,
        &[
            "simulate",
            "--quiet",
            "--total",
            total,
            "--seed",
            "3",
            "--journal",
            journal,
        ],
    ));
}

/// How many sales the journal at `journal` holds.
fn sales(cwd: &Path, journal: &str) -> u64 {
    let out = ok(&run(cwd, &["sales", "--json", "--journal", journal]));
    let value: serde_json::Value = serde_json::from_str(&out).unwrap();
    value["count"].as_u64().unwrap()
}

/// Exit 2, one line on stderr naming every needle, no panic.
fn refused(cwd: &Path, args: &[&str], needles: &[&str]) {
    refused_with(cwd, args, 2, needles);
}

/// Exit `code`, one line on stderr naming every needle, no panic.
fn refused_with(cwd: &Path, args: &[&str], code: i32, needles: &[&str]) {
    let out = run(cwd, args);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "{args:?}: {needle} missing: {stderr}"
        );
    }
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// Everything about a path that a write could change: its kind, identity,
/// device number, link target and (for a regular file) its bytes.
#[derive(Debug, PartialEq)]
struct Snapshot {
    kind: &'static str,
    inode: u64,
    rdev: u64,
    link: Option<PathBuf>,
    bytes: Option<Vec<u8>>,
    entries: Option<Vec<String>>,
}

fn snapshot(path: &Path) -> Snapshot {
    let meta = std::fs::symlink_metadata(path).unwrap();
    let t = meta.file_type();
    let kind = if t.is_symlink() {
        "symlink"
    } else if t.is_file() {
        "file"
    } else if t.is_dir() {
        "directory"
    } else if t.is_char_device() {
        "character device"
    } else if t.is_fifo() {
        "fifo"
    } else if t.is_socket() {
        "socket"
    } else {
        "other"
    };
    let mut entries = t.is_dir().then(|| {
        std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
    });
    if let Some(entries) = &mut entries {
        entries.sort();
    }
    Snapshot {
        kind,
        inode: meta.ino(),
        rdev: meta.rdev(),
        link: t.is_symlink().then(|| std::fs::read_link(path).unwrap()),
        bytes: t.is_file().then(|| std::fs::read(path).unwrap()),
        entries,
    }
}

/// `simulate --journal NAME` is refused (exit 2, NAME and the reason in
/// the message) and NAME, and every other file in `cwd`, is unchanged.
fn journal_refused_and_untouched(cwd: &Path, name: &str, reason: &str) {
    let mut before: Vec<(PathBuf, Snapshot)> = std::fs::read_dir(cwd)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let s = snapshot(&p);
            (p, s)
        })
        .collect();
    before.sort_by(|a, b| a.0.cmp(&b.0));
    refused(
        cwd,
        &["simulate", "--quiet", "--total", "50", "--journal", name],
        &[name, reason],
    );
    let mut after: Vec<(PathBuf, Snapshot)> = std::fs::read_dir(cwd)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let s = snapshot(&p);
            (p, s)
        })
        .collect();
    after.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(before, after, "--journal {name}: the directory changed");
}

#[test]
fn journal_refuses_a_character_device_and_leaves_it_alone() {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: creating a character device (mknod) needs root");
        return;
    }
    let dir = scratch("device");
    let device = dir.join("mynull");
    let c_path = std::ffi::CString::new(device.to_str().unwrap()).unwrap();
    // SAFETY: a NUL-terminated path that outlives the call; mknod only
    // reads it. The device is /dev/null's (1, 3).
    let made = unsafe { libc::mknod(c_path.as_ptr(), libc::S_IFCHR | 0o666, libc::makedev(1, 3)) };
    assert_eq!(made, 0, "mknod: {}", std::io::Error::last_os_error());
    journal_refused_and_untouched(&dir, "mynull", "character device");
    let meta = std::fs::symlink_metadata(&device).unwrap();
    assert!(meta.file_type().is_char_device());
    assert_eq!(meta.rdev(), libc::makedev(1, 3));
}

#[test]
fn journal_refuses_a_fifo_and_leaves_it_alone() {
    let dir = scratch("fifo");
    let c_path = std::ffi::CString::new(dir.join("pipe").to_str().unwrap()).unwrap();
    // SAFETY: a NUL-terminated path that outlives the call; mkfifo only
    // reads it.
    let made = unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) };
    assert_eq!(made, 0, "mkfifo: {}", std::io::Error::last_os_error());
    journal_refused_and_untouched(&dir, "pipe", "FIFO");
}

#[test]
fn journal_refuses_a_unix_socket_and_leaves_it_alone() {
    let dir = scratch("socket");
    let _listener = UnixListener::bind(dir.join("sock")).unwrap();
    journal_refused_and_untouched(&dir, "sock", "socket");
}

#[test]
fn journal_refuses_a_directory_and_leaves_it_alone() {
    let dir = scratch("directory");
    std::fs::create_dir(dir.join("gig.db")).unwrap();
    std::fs::write(dir.join("gig.db").join("inside"), "kept").unwrap();
    journal_refused_and_untouched(&dir, "gig.db", "directory");
}

#[test]
fn journal_refuses_a_dangling_symlink_and_creates_nothing() {
    let dir = scratch("dangling");
    std::os::unix::fs::symlink("missing.db", dir.join("link.db")).unwrap();
    journal_refused_and_untouched(&dir, "link.db", "does not exist");
    assert!(!dir.join("missing.db").exists());
}

#[test]
fn journal_refuses_a_symlink_to_a_file_that_is_not_a_journal() {
    let dir = scratch("link-to-notes");
    std::fs::write(dir.join("notes.txt"), "my notes\n".repeat(50)).unwrap();
    std::os::unix::fs::symlink("notes.txt", dir.join("link.db")).unwrap();
    journal_refused_and_untouched(&dir, "link.db", "not a ticketpool journal");
}

#[test]
fn journal_refuses_a_text_file_and_leaves_it_alone() {
    let dir = scratch("text");
    std::fs::write(dir.join("notes.db"), "my notes\n".repeat(50)).unwrap();
    journal_refused_and_untouched(&dir, "notes.db", "not a ticketpool journal");
}

#[test]
fn journal_refuses_another_programs_sqlite_database_and_leaves_it_alone() {
    let dir = scratch("foreign");
    // A real SQLite database with tables: a journal without its
    // ticketpool marker (PRAGMA application_id, header bytes 68..72).
    simulate(&dir, "50", "other.db");
    let mut bytes = std::fs::read(dir.join("other.db")).unwrap();
    assert_eq!(&bytes[..16], b"SQLite format 3\0");
    bytes[68..72].copy_from_slice(&[0, 0, 0, 0]);
    std::fs::write(dir.join("other.db"), &bytes).unwrap();
    journal_refused_and_untouched(&dir, "other.db", "not a ticketpool journal");
}

#[test]
fn journal_through_a_symlink_replaces_the_journal_it_points_at_and_keeps_the_link() {
    let dir = scratch("link-to-journal");
    simulate(&dir, "600", "real.db");
    std::os::unix::fs::symlink("real.db", dir.join("link.db")).unwrap();
    let link_before = snapshot(&dir.join("link.db"));
    let inode = snapshot(&dir.join("real.db")).inode;
    simulate(&dir, "300", "link.db");
    assert_eq!(
        snapshot(&dir.join("link.db")),
        link_before,
        "still the link"
    );
    let real = snapshot(&dir.join("real.db"));
    assert_eq!((real.kind, real.inode), ("file", inode), "the same file");
    assert_eq!(sales(&dir, "real.db"), 300, "the new run replaced the old");
}

#[test]
fn two_outputs_naming_the_same_file_are_refused_before_the_run() {
    let dir = scratch("same-file");
    simulate(&dir, "50", "gig.db");
    let journal = snapshot(&dir.join("gig.db"));
    std::fs::hard_link(dir.join("gig.db"), dir.join("hard.db")).unwrap();
    std::os::unix::fs::symlink("gig.db", dir.join("soft.json")).unwrap();
    let simulate = ["simulate", "--quiet", "--total", "50"];
    for (extra, names) in [
        (
            &["--journal", "x.db", "--json", "./x.db"][..],
            ["x.db", "./x.db"],
        ),
        (
            &["--journal", "gig.db", "--json", "hard.db"],
            ["gig.db", "hard.db"],
        ),
        (
            &["--journal", "gig.db", "--json", "soft.json"],
            ["gig.db", "soft.json"],
        ),
        (
            &["--journal", "j.db", "--json", "r.svg", "--plot", "./r.svg"],
            ["r.svg", "./r.svg"],
        ),
        (
            &["--journal", "r.svg", "--plot", "r.svg"],
            ["--journal r.svg", "--plot r.svg"],
        ),
    ] {
        let args: Vec<&str> = simulate.iter().chain(extra).copied().collect();
        let mut needles = names.to_vec();
        needles.push("same file");
        refused(&dir, &args, &needles);
    }
    assert_eq!(
        snapshot(&dir.join("gig.db")),
        journal,
        "the journal is untouched"
    );
    for name in ["x.db", "j.db", "r.svg"] {
        assert!(!dir.join(name).exists(), "{name}: nothing ran");
    }
}

#[test]
fn outputs_that_cannot_be_written_are_refused_before_the_run() {
    let dir = scratch("unwritable");
    std::fs::create_dir(dir.join("reports")).unwrap();
    std::fs::write(dir.join("plain"), "a file, not a directory").unwrap();
    let simulate = ["simulate", "--quiet", "--total", "50"];
    let journal = ["--journal", "j.db"];
    // A path naming the wrong thing is bad input (2); a place that cannot
    // be written, a failure to write (1), as it was after the run.
    for (extra, code, needles) in [
        (
            ["--json", "missing/r.json"],
            1,
            ["cannot write missing/r.json", "does not exist"],
        ),
        (["--json", "reports"], 2, ["--json reports", "directory"]),
        (
            ["--json", "plain/r.json"],
            1,
            ["plain/r.json", "not a directory"],
        ),
        (["--plot", "reports"], 2, ["--plot reports", ".svg"]),
        (
            ["--plot", "missing/p.svg"],
            1,
            ["missing/p.svg", "does not exist"],
        ),
    ] {
        let args: Vec<&str> = simulate
            .iter()
            .chain(&journal)
            .chain(&extra)
            .copied()
            .collect();
        refused_with(&dir, &args, code, &needles);
        // The journal is opened before the run: none means no run began.
        assert!(!dir.join("j.db").exists(), "{args:?}: the run started");
    }
    let args: Vec<&str> = simulate
        .iter()
        .chain(&["--journal", "missing/j.db"])
        .copied()
        .collect();
    refused_with(&dir, &args, 1, &["missing/j.db", "does not exist"]);
}

#[test]
fn plot_refuses_a_format_it_cannot_draw_and_names_the_one_it_can() {
    let dir = scratch("plot-format");
    for name in ["out.png", "out", "out.SVG.txt"] {
        refused(
            &dir,
            &[
                "simulate",
                "--quiet",
                "--total",
                "50",
                "--journal",
                "j.db",
                "--plot",
                name,
            ],
            &[name, ".svg"],
        );
        assert!(!dir.join(name).exists());
        assert!(!dir.join("j.db").exists(), "{name}: the run started");
    }
    // The format it draws still works.
    ok(&run(
        &dir,
        &[
            "simulate",
            "--quiet",
            "--total",
            "50",
            "--no-journal",
            "--plot",
            "out.svg",
        ],
    ));
    let svg = std::fs::read_to_string(dir.join("out.svg")).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(80)]);
}

#[test]
fn config_init_writes_the_format_its_extension_names_and_refuses_others() {
    let dir = scratch("config-init");
    ok(&run(&dir, &["config", "init", "c.json"]));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("c.json")).unwrap())
            .expect("c.json holds JSON");
    assert!(json["office"]["total_tickets"].is_u64(), "{json}");
    assert!(ok(&run(&dir, &["config", "check", "c.json"])).contains("ok"));
    ok(&run(
        &dir,
        &[
            "simulate",
            "--quiet",
            "--config",
            "c.json",
            "--total",
            "40",
            "--no-journal",
        ],
    ));

    ok(&run(&dir, &["config", "init", "c.toml"]));
    let toml = std::fs::read_to_string(dir.join("c.toml")).unwrap();
    assert!(toml.starts_with("# ticketpool simulation config"), "{toml}");
    assert!(ok(&run(&dir, &["config", "check", "c.toml"])).contains("ok"));

    refused(
        &dir,
        &["config", "init", "c.yaml"],
        &["c.yaml", ".toml", ".json"],
    );
    assert!(!dir.join("c.yaml").exists());
    // An existing file needs --force, and stays as it was without it.
    let before = std::fs::read(dir.join("c.json")).unwrap();
    refused(&dir, &["config", "init", "c.json"], &["c.json", "--force"]);
    assert_eq!(std::fs::read(dir.join("c.json")).unwrap(), before);
}
