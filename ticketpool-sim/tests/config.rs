//! The simulation's configuration: the office table inside it reads as a
//! standalone office config does, every field may be left out, and sizes
//! past their bounds are refused before a run.

use ticketpool_core::BoxOfficeConfig;
use ticketpool_sim::SimulationConfig;

#[test]
fn a_problem_in_the_office_table_points_at_its_own_line() {
    let err = SimulationConfig::from_toml_str(
        "seed = 1\n[office]\nevent_name = \"x\"\ntotal_tickets = -5\n[customers]\ncount = \"many\"\n",
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(
            "office.total_tickets: expected a whole number of 0 or more, got -5 (line 4)"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "customers.count: expected a whole number of 0 or more, got the text \"many\" (line 6)"
        ),
        "{text}"
    );
    assert!(!text.contains("JSON") && !text.contains("u64"), "{text}");
}

#[test]
fn every_simulation_field_may_be_left_out() {
    let empty = SimulationConfig::from_toml_str("[office]\n[customers]\n").unwrap();
    assert_eq!(empty, SimulationConfig::default());
    // A smaller event keeps the default types, their quotas fitted to it.
    let small = SimulationConfig::from_toml_str("[office]\ntotal_tickets = 100\n").unwrap();
    assert_eq!(small.office.total_tickets, 100);
    assert_eq!(small.office.ticket_types[0].quota, Some(100));
    assert_eq!(
        small.office.hold_ttl,
        SimulationConfig::default().office.hold_ttl
    );
}

#[test]
fn simulation_sizes_past_their_bound_are_refused_before_the_run() {
    let err = SimulationConfig::from_toml_str(
        "duration_ms = 18446744073709551615\n[office]\nmax_capacity = 4294967296\n[customers]\ncount = 4000000000\n",
    )
    .unwrap_err();
    for (field, line) in [
        ("duration_ms", 1),
        ("office.max_capacity", 3),
        ("customers.count", 5),
    ] {
        let problem = err.problems().iter().find(|p| p.field == field);
        assert!(
            problem
                .is_some_and(|p| p.message.starts_with("must be at most") && p.line == Some(line)),
            "{field} missing from {err}"
        );
    }
    let mut config = SimulationConfig::default();
    config.customers.count = 4_000_000_000;
    config.vendors[0].ticket_types = vec!["stalls".into()];
    assert!(config
        .validate()
        .unwrap_err()
        .names_field("customers.count"));
}

#[test]
fn customers_wanting_a_type_no_vendor_sells_get_a_warning() {
    let mut config = SimulationConfig::default();
    config.customers.ticket_type = Some("balcony".into());
    assert!(
        config.warnings().is_empty(),
        "every vendor sells every type"
    );
    for vendor in &mut config.vendors {
        vendor.ticket_types = vec!["stalls".into()];
    }
    config.validate().unwrap();
    let warnings = config.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!(warnings[0].field, "customers.ticket_type");
    assert!(
        warnings[0].message.contains("no vendor sells \"balcony\""),
        "{warnings:?}"
    );
}

/// `config init c.json` writes what serde writes: unset options as `null`.
/// Reading it back must give the same config, not "expected a number, got null".
#[test]
fn json_null_means_left_out_so_serde_output_reads_back() {
    let config = SimulationConfig::default();
    let json = serde_json::to_string_pretty(&config).unwrap();
    assert!(
        json.contains("null"),
        "the default has unset options: {json}"
    );
    assert_eq!(SimulationConfig::from_json_str(&json).unwrap(), config);
    let office = BoxOfficeConfig::from_json_str(
        "{\"event_name\": \"x\", \"total_tickets\": 5, \"max_capacity\": 2, \
         \"purchase_limit\": null, \"ticket_types\": [{\"name\": \"a\", \"price\": \"1.00\"}]}",
    )
    .unwrap();
    assert_eq!(office.purchase_limit, None);
}

/// TOML integers are signed: a JSON seed past i64::MAX loaded fine and
/// then could not be written back (`to_toml_string` panicked).
#[test]
fn a_seed_past_what_toml_can_write_is_a_config_error_not_a_panic() {
    let err = SimulationConfig::from_json_str("{\"seed\": 18446744073709551615}").unwrap_err();
    assert!(err.names_field("seed"), "{err}");
    let largest = SimulationConfig::from_json_str("{\"seed\": 9223372036854775807}").unwrap();
    assert_eq!(
        SimulationConfig::from_toml_str(&largest.to_toml_string()).unwrap(),
        largest
    );
}
