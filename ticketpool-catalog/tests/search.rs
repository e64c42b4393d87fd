//! Full-text search: words, typos, filters, ranking, paging, and the index
//! following every change (the 1 s freshness figure is the bench's).

mod common;

use std::sync::Arc;

use common::*;
use ticketpool_catalog::*;

/// Three events on sale: jazz in Paris, rock in Paris, jazz in Lyon.
fn three() -> (Fixture, [EventId; 3]) {
    let f = fixture();
    let lyon = f
        .catalog
        .add_venue(venue("Halle Tony Garnier", "Lyon", 5_000))
        .unwrap();
    let mut jazz = new_event("Blue Note Night", f.venue, "2030-03-01T20:00:00Z");
    jazz.performers = vec![f.performer];
    jazz.categories = vec!["jazz".into()];
    jazz.description = "Standards and ballads".into();
    let mut rock = new_event("Electric Evening", f.venue, "2030-04-01T20:00:00Z");
    rock.categories = vec!["rock".into()];
    rock.description = "Loud guitars, a little jazz".into();
    let mut far = new_event("Trumpet Summit", lyon, "2030-05-01T20:00:00Z");
    far.performers = vec![f.performer];
    far.categories = vec!["jazz".into()];
    let ids = [jazz, rock, far].map(|new| {
        let id = f.catalog.create_event(new).unwrap();
        f.catalog.put_on_sale(id).unwrap();
        id
    });
    settle(&f.catalog);
    (f, ids)
}

#[test]
fn words_match_name_performers_venue_and_description() {
    let (f, [jazz, rock, far]) = three();
    let find = |text: &str| ids(&f.catalog.search(&SearchQuery::text(text)).unwrap());
    assert_eq!(find("blue note"), vec![jazz]);
    let mut by_performer = find("miles davis");
    by_performer.sort();
    assert_eq!(by_performer, vec![jazz, far]);
    assert_eq!(find("tony garnier"), vec![far]);
    assert_eq!(find("guitars"), vec![rock]);
    assert!(find("polka").is_empty());
}

#[test]
fn a_one_letter_typo_still_finds_the_event() {
    let (f, [jazz, rock, far]) = three();
    let find = |text: &str| ids(&f.catalog.search(&SearchQuery::text(text)).unwrap());
    assert_eq!(find("electirc"), vec![rock], "transposed letters");
    assert_eq!(find("trumpat"), vec![far], "one wrong letter");
    assert_eq!(find("blu note"), vec![jazz], "one missing letter");
    assert_eq!(
        find("olympiaa")[..].len(),
        2,
        "one extra letter, venue name"
    );
    assert!(find("trmpat").is_empty(), "two typos are too many");
}

#[test]
fn exact_matches_and_name_matches_rank_first() {
    let (f, [jazz, rock, _]) = three();
    // "jazz" is a category of two events (not searched text) and a word of
    // rock's description: the words decide, not the tags.
    assert_eq!(
        ids(&f.catalog.search(&SearchQuery::text("jazz")).unwrap()),
        vec![rock]
    );
    // A word in the name outweighs the same word in a description.
    let mut named = new_event("Ballads", f.venue, "2030-06-01T20:00:00Z");
    named.description = "An evening".into();
    let named = f.catalog.create_event(named).unwrap();
    f.catalog.put_on_sale(named).unwrap();
    // An exact word beats one a typo away.
    let mut typo = new_event("Electrik Evening", f.venue, "2030-07-01T20:00:00Z");
    typo.categories = vec!["rock".into()];
    let typo = f.catalog.create_event(typo).unwrap();
    f.catalog.put_on_sale(typo).unwrap();
    settle(&f.catalog);
    let hits = f.catalog.search(&SearchQuery::text("electric")).unwrap();
    assert_eq!(ids(&hits), vec![rock, typo]);
    assert!(hits.hits[0].score > hits.hits[1].score);
    let hits = f.catalog.search(&SearchQuery::text("ballads")).unwrap();
    assert_eq!(ids(&hits), vec![named, jazz], "name before description");
}

#[test]
fn filters_narrow_by_city_category_dates_and_status() {
    let (f, [jazz, rock, far]) = three();
    let all = |query: SearchQuery| {
        let mut found = ids(&f.catalog.search(&query).unwrap());
        found.sort();
        found
    };
    assert_eq!(all(SearchQuery::text("").city("PARIS")), vec![jazz, rock]);
    assert_eq!(all(SearchQuery::text("").category("Jazz")), vec![jazz, far]);
    assert_eq!(all(SearchQuery::text("miles").city("lyon")), vec![far]);
    let march_april =
        SearchQuery::text("").between(at("2030-03-01T20:00:00Z"), at("2030-04-01T20:00:00Z"));
    assert_eq!(
        all(march_april),
        vec![jazz],
        "from is inclusive, until exclusive"
    );
    let from_april = SearchQuery {
        from: Some(at("2030-04-01T00:00:00Z")),
        ..SearchQuery::text("")
    };
    assert_eq!(all(from_april), vec![rock, far]);

    f.catalog.pause(rock).unwrap();
    settle(&f.catalog);
    assert_eq!(all(SearchQuery::text("").on_sale_only()), vec![jazz, far]);
    assert_eq!(
        all(SearchQuery::text("")),
        vec![jazz, rock, far],
        "paused is still listed"
    );
}

#[test]
fn drafts_are_never_found() {
    let f = fixture();
    let id = f
        .catalog
        .create_event(new_event("Secret Show", f.venue, "2030-01-01T00:00:00Z"))
        .unwrap();
    settle(&f.catalog);
    assert_eq!(
        f.catalog
            .search(&SearchQuery::text("secret"))
            .unwrap()
            .total,
        0
    );
    f.catalog.put_on_sale(id).unwrap();
    settle(&f.catalog);
    assert_eq!(
        ids(&f.catalog.search(&SearchQuery::text("secret")).unwrap()),
        vec![id]
    );
}

#[test]
fn pages_cover_every_hit_once() {
    let f = fixture();
    let mut made = Vec::new();
    for i in 0..25 {
        let id = f
            .catalog
            .create_event(new_event(
                &format!("Festival day {i}"),
                f.venue,
                "2030-01-01T00:00:00Z",
            ))
            .unwrap();
        f.catalog.put_on_sale(id).unwrap();
        made.push(id);
    }
    settle(&f.catalog);
    let mut seen = Vec::new();
    for page in 0..3 {
        let results = f
            .catalog
            .search(&SearchQuery::text("festival").page(page * 10, 10))
            .unwrap();
        assert_eq!(results.total, 25);
        assert_eq!(results.hits.len(), if page < 2 { 10 } else { 5 });
        seen.extend(ids(&results));
    }
    seen.sort();
    assert_eq!(seen, made);
    let counted = f
        .catalog
        .search(&SearchQuery::text("festival").page(0, 0))
        .unwrap();
    assert_eq!((counted.total, counted.hits.len()), (25, 0));
    let beyond = f
        .catalog
        .search(&SearchQuery::text("festival").page(100, 10))
        .unwrap();
    assert!(beyond.hits.is_empty());
}

#[test]
fn odd_input_in_the_search_box_is_not_an_error() {
    let (f, [jazz, ..]) = three();
    for text in [
        "\"blue",
        "name:",
        "blue AND",
        "((",
        "*",
        "-",
        "blue note\u{0}",
        "ñandú 東京",
    ] {
        let results = f.catalog.search(&SearchQuery::text(text));
        assert!(results.is_ok(), "{text:?}: {results:?}");
    }
    assert_eq!(
        ids(&f.catalog.search(&SearchQuery::text("\"blue")).unwrap()),
        vec![jazz]
    );
}

#[test]
fn every_change_becomes_searchable() {
    let (f, [jazz, _, far]) = three();
    let update = EventUpdate {
        name: Some("Saxophone Colossus".into()),
        ..EventUpdate::default()
    };
    f.catalog.update_event(jazz, update).unwrap();
    settle(&f.catalog);
    assert_eq!(
        ids(&f.catalog.search(&SearchQuery::text("saxophone")).unwrap()),
        vec![jazz]
    );
    assert!(f
        .catalog
        .search(&SearchQuery::text("blue note"))
        .unwrap()
        .hits
        .is_empty());

    // A renamed performer or venue re-indexes its events.
    let renamed = NewPerformer {
        name: "Coltrane Quartet".into(),
        description: String::new(),
    };
    f.catalog.update_performer(f.performer, renamed).unwrap();
    f.catalog
        .update_venue(f.venue, venue("Salle Pleyel", "Paris", 1_000))
        .unwrap();
    settle(&f.catalog);
    let mut by_performer = ids(&f.catalog.search(&SearchQuery::text("coltrane")).unwrap());
    by_performer.sort();
    assert_eq!(by_performer, vec![jazz, far]);
    assert_eq!(
        f.catalog
            .search(&SearchQuery::text("pleyel"))
            .unwrap()
            .total,
        2
    );
    assert_eq!(
        f.catalog
            .search(&SearchQuery::text("olympia"))
            .unwrap()
            .total,
        0
    );

    f.catalog.cancel(far).unwrap();
    settle(&f.catalog);
    let on_sale = SearchQuery::text("coltrane").on_sale_only();
    assert_eq!(ids(&f.catalog.search(&on_sale).unwrap()), vec![jazz]);
}

#[test]
fn searches_run_while_events_are_created_on_other_threads() {
    let f = fixture();
    let catalog = Arc::new(f.catalog);
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let catalog = Arc::clone(&catalog);
            std::thread::spawn(move || {
                (0..40)
                    .map(|i| {
                        let name = format!("Writer{w} show {i}");
                        let id = catalog
                            .create_event(new_event(&name, f.venue, "2030-01-01T00:00:00Z"))
                            .unwrap();
                        catalog.put_on_sale(id).unwrap();
                        id
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let reader = {
        let catalog = Arc::clone(&catalog);
        std::thread::spawn(move || {
            let mut last = 0;
            // Counts only grow: a commit never shows fewer events.
            while last < 120 {
                let total = catalog
                    .search(&SearchQuery::text("show").page(0, 0))
                    .unwrap()
                    .total;
                assert!(total >= last, "{total} < {last}");
                last = total;
                catalog.wait_searchable(SEARCHABLE).unwrap();
            }
        })
    };
    let mut made: Vec<EventId> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    made.sort();
    made.dedup();
    assert_eq!(made.len(), 120, "ids are unique across threads");
    settle(&catalog);
    reader.join().unwrap();
    assert_eq!(
        catalog
            .search(&SearchQuery::text("show").page(0, 0))
            .unwrap()
            .total,
        120
    );
}
