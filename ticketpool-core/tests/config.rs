//! Configuration loading and validation: every bad config gets its error,
//! naming the field; and a property test of pricing.

use proptest::prelude::*;
use ticketpool_core::{
    BoxOfficeConfig, ConfigError, DemandPricing, Money, PriceContext, PricingConfig, PricingPolicy,
    Strategy,
};

const GOOD: &str = r#"
event_name = "gig"
total_tickets = 100
max_capacity = 10
strategy = "condvar"
hold_ttl_ms = 1500
purchase_limit = 4

[[ticket_types]]
name = "stalls"
price = 42.50
quota = 60

[[ticket_types]]
name = "balcony"
price = "19.99"

[pricing]
kind = "demand"
scarcity_bps = 5000
ceiling_bps = 20000

[[vendors]]
name = "north"
ticket_types = ["stalls"]
"#;

fn invalid(toml: &str) -> ConfigError {
    let err = BoxOfficeConfig::from_toml_str(toml).unwrap_err();
    assert!(matches!(err, ConfigError::Invalid(_)), "{err}");
    err
}

#[test]
fn good_toml_loads_exactly() {
    let config = BoxOfficeConfig::from_toml_str(GOOD).unwrap();
    assert_eq!(config.strategy, Strategy::Condvar);
    assert_eq!(config.hold_ttl.as_millis(), 1500);
    assert_eq!(config.ticket_types[0].price, Money::from_minor(4_250));
    assert_eq!(config.ticket_types[1].price, Money::from_minor(1_999));
    assert_eq!(config.ticket_types[0].quota, Some(60));
    assert_eq!(config.purchase_limit, Some(4));
    let PricingConfig::Demand(demand) = config.pricing else {
        panic!("demand pricing expected");
    };
    assert_eq!((demand.scarcity_bps, demand.ceiling_bps), (5_000, 20_000));
    assert_eq!(demand.floor_bps, DemandPricing::default().floor_bps);
    // Round trips through TOML and JSON unchanged.
    assert_eq!(
        BoxOfficeConfig::from_toml_str(&config.to_toml_string()).unwrap(),
        config
    );
    let json = serde_json::to_string(&config).unwrap();
    assert_eq!(BoxOfficeConfig::from_json_str(&json).unwrap(), config);
}

#[test]
fn every_problem_is_reported_at_once_with_its_field() {
    let err = invalid(
        r#"
        event_name = ""
        total_tickets = 5
        max_capacity = 0
        hold_ttl_ms = 0
        purchase_limit = 0
        [[ticket_types]]
        name = "a"
        price = -1
        quota = 4
        [[ticket_types]]
        name = "a"
        price = nan
        quota = 3
        [[ticket_types]]
        name = "b"
        price = 1.234
        [pricing]
        kind = "demand"
        floor_bps = 30000
        ceiling_bps = 10000
        [[vendors]]
        name = "v"
        ticket_types = ["a", "opera"]
        [[vendors]]
        name = "v"
        "#,
    );
    for field in [
        "event_name",
        "max_capacity",
        "hold_ttl_ms",
        "purchase_limit",
        "ticket_types[0].price",
        "ticket_types[1].name",
        "ticket_types[1].price",
        "ticket_types[2].price",
        "ticket_types",
        "pricing.floor_bps",
        "vendors[0].ticket_types[1]",
        "vendors[1].name",
    ] {
        assert!(err.names_field(field), "{field} missing from: {err}");
    }
    assert_eq!(err.problems().len(), 12, "{err}");
    let text = err.to_string();
    assert!(text.contains("duplicate ticket type \"a\""), "{text}");
    assert!(
        text.contains("quotas add up to 7, past total_tickets 5"),
        "{text}"
    );
    assert!(text.contains("must be a finite number, got NaN"), "{text}");
    assert!(text.contains("unknown ticket type \"opera\""), "{text}");
}

#[test]
fn zero_sizes_and_no_types_are_rejected() {
    let err =
        invalid("event_name = \"x\"\ntotal_tickets = 0\nmax_capacity = 1\nticket_types = []\n");
    assert!(err.names_field("total_tickets"));
    assert!(err.names_field("ticket_types"));
}

#[test]
fn malformed_documents_get_a_parse_error_not_a_panic() {
    for text in ["event_name = ", "[ticket_types]]", "a = 1\na = 2"] {
        let err = BoxOfficeConfig::from_toml_str(text).unwrap_err();
        assert!(
            matches!(err, ConfigError::Parse { format: "TOML", .. }),
            "{err}"
        );
    }
    let err = BoxOfficeConfig::from_json_str("{\"event_name\": ").unwrap_err();
    assert!(
        matches!(err, ConfigError::Parse { format: "JSON", .. }),
        "{err}"
    );
}

#[test]
fn a_wrong_type_names_its_field_line_and_what_was_expected() {
    let err = invalid(&GOOD.replace("total_tickets = 100", "total_tickets = \"ten\""));
    let text = err.to_string();
    assert!(
        text.contains(
            "total_tickets: expected a whole number of 0 or more, got the text \"ten\" (line 3)"
        ),
        "{text}"
    );
    assert!(!text.contains("u64"), "{text}");
    let err = invalid(&GOOD.replace("strategy = \"condvar\"", "strategy = \"spin\""));
    assert!(
        err.to_string()
            .contains("strategy: expected one of \"lockfree\", \"condvar\", got \"spin\" (line 5)"),
        "{err}"
    );
    let err = invalid(&GOOD.replace("purchase_limit", "purchase_limt"));
    assert!(
        err.to_string()
            .contains("purchase_limt: unknown field; expected one of: event_name,"),
        "{err}"
    );
}

#[test]
fn type_errors_and_rule_problems_are_all_listed_at_once() {
    let err = invalid(
        r#"
event_name = 3
total_tickets = -1
max_capacity = 0
hold_ttl_ms = 1.5
[[ticket_types]]
name = "a"
price = true
[[ticket_types]]
price = "1.999"
[pricing]
kind = "demand"
floor_bps = "high"
"#,
    );
    let expected = [
        ("event_name", 2, "expected a text in quotes, got 3"),
        (
            "total_tickets",
            3,
            "expected a whole number of 0 or more, got -1",
        ),
        ("max_capacity", 4, "must be at least 1"),
        (
            "hold_ttl_ms",
            5,
            "expected a whole number of 0 or more, got 1.5",
        ),
        (
            "ticket_types[0].price",
            8,
            "expected a price like 42.50 or \"42.50\", got true",
        ),
        ("ticket_types[1].name", 9, "missing: the type's name"),
        (
            "ticket_types[1].price",
            10,
            "\"1.999\" has more than two decimals",
        ),
        (
            "pricing.floor_bps",
            13,
            "expected a whole number of 0 or more, got the text \"high\"",
        ),
    ];
    for (field, line, message) in expected {
        let problem = err
            .problems()
            .iter()
            .find(|p| p.field == field)
            .unwrap_or_else(|| panic!("{field} missing from: {err}"));
        assert!(problem.message.starts_with(message), "{problem}");
        assert_eq!(problem.line, Some(line), "{problem}");
    }
    assert_eq!(err.problems().len(), expected.len(), "{err}");
}

#[test]
fn json_problems_name_their_field_and_line() {
    let err = BoxOfficeConfig::from_json_str(
        "{\n  \"event_name\": \"x\",\n  \"total_tickets\": 10,\n  \"max_capacity\": \"big\",\n  \
         \"ticket_types\": [\n    {\"name\": \"a\", \"price\": [1]}\n  ]\n}",
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains(
            "max_capacity: expected a whole number of 0 or more, got the text \"big\" (line 4)"
        ),
        "{text}"
    );
    assert!(
        text.contains(
            "ticket_types[0].price: expected a price like 42.50 or \"42.50\", got a list (line 6)"
        ),
        "{text}"
    );
}

#[test]
fn sizes_past_their_bound_are_config_errors_from_files_and_code() {
    let err = invalid(&GOOD.replace("max_capacity = 10", "max_capacity = 4294967296"));
    assert!(
        err.to_string()
            .contains("max_capacity: must be at most 1000000, got 4294967296 (line 4)"),
        "{err}"
    );
    let err = invalid(&GOOD.replace("hold_ttl_ms = 1500", "hold_ttl_ms = 18446744073709551615"));
    assert!(err.names_field("hold_ttl_ms"), "{err}");
    let err = invalid(&GOOD.replace("purchase_limit = 4", "purchase_limit = 4294967296"));
    assert!(err.names_field("purchase_limit"), "{err}");
    // Built in code, the office refuses it as a config error, not as a
    // failure to allocate its pools.
    let config = BoxOfficeConfig::simple("gig", 10, 1 << 32, Money::from_minor(100));
    let err = ticketpool_core::BoxOffice::new(config).unwrap_err();
    assert!(
        matches!(&err, ticketpool_core::BoxOfficeError::Config(c) if c.names_field("max_capacity")),
        "{err}"
    );
    let config = BoxOfficeConfig::simple(
        "gig",
        ticketpool_core::bounds::MAX_TOTAL_TICKETS + 1,
        1,
        Money::from_minor(100),
    );
    assert!(config.validate().unwrap_err().names_field("total_tickets"));
}

#[test]
fn serde_reads_through_the_same_checks() {
    let err = serde_json::from_str::<BoxOfficeConfig>(
        r#"{"event_name": "x", "total_tickets": 1, "max_capacity": 1,
            "ticket_types": [{"name": "a", "price": {"amount": 1}}]}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains(
            "ticket_types[0].price: expected a price like 42.50 or \"42.50\", got a table"
        ),
        "{err}"
    );
    assert!(!err.contains("untagged"), "{err}");
}

#[test]
fn files_are_read_by_extension() {
    let dir = std::env::temp_dir().join(format!("ticketpool-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let toml = dir.join("event.toml");
    std::fs::write(&toml, GOOD).unwrap();
    let config = BoxOfficeConfig::from_path(&toml).unwrap();
    let json = dir.join("event.json");
    std::fs::write(&json, serde_json::to_string(&config).unwrap()).unwrap();
    assert_eq!(BoxOfficeConfig::from_path(&json).unwrap(), config);
    let yaml = dir.join("event.yaml");
    std::fs::write(&yaml, "x").unwrap();
    assert!(matches!(
        BoxOfficeConfig::from_path(&yaml),
        Err(ConfigError::Io { .. })
    ));
    assert!(matches!(
        BoxOfficeConfig::from_path(dir.join("missing.toml")),
        Err(ConfigError::Io { .. })
    ));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn invalid_config_is_refused_by_the_office() {
    let mut config = BoxOfficeConfig::simple("gig", 10, 5, Money::from_minor(100));
    config.max_capacity = 0;
    let err = ticketpool_core::BoxOffice::new(config).unwrap_err();
    assert!(
        matches!(&err, ticketpool_core::BoxOfficeError::Config(c) if c.names_field("max_capacity"))
    );
}

proptest! {
    /// Validation agrees with a model of the quota rule, and a valid config
    /// survives a TOML round trip.
    #[test]
    fn quota_rule_matches_model(total in 1_u64..200, quotas in proptest::collection::vec(proptest::option::of(1_u64..100), 1..5)) {
        let mut config = BoxOfficeConfig::simple("p", total, 4, Money::from_minor(100));
        config.ticket_types = quotas.iter().enumerate().map(|(i, quota)| ticketpool_core::TicketTypeConfig {
            name: format!("t{i}"),
            price: Money::from_minor(100 + i as i64),
            quota: *quota,
            capacity: None,
        }).collect();
        let sum: u64 = quotas.iter().flatten().sum();
        let result = config.validate();
        prop_assert_eq!(result.is_ok(), sum <= total);
        if result.is_ok() {
            prop_assert_eq!(BoxOfficeConfig::from_toml_str(&config.to_toml_string()).unwrap(), config);
        }
    }

    /// Demand prices never fall as supply falls or waiting grows, and stay
    /// within floor and ceiling.
    #[test]
    fn demand_price_is_monotone_and_clamped(
        base in 0_i64..1_000_000,
        total in 1_u64..10_000,
        remaining in 0_u64..10_000,
        waiting in 0_u64..500,
        scarcity in 0_u32..50_000,
        per_waiting in 0_u32..1_000,
        floor in 0_u32..20_000,
        extra in 0_u32..40_000,
    ) {
        let policy = DemandPricing {
            scarcity_bps: scarcity,
            per_waiting_bps: per_waiting,
            max_waiting_counted: 200,
            floor_bps: floor,
            ceiling_bps: floor + extra,
        };
        let remaining = remaining.min(total);
        let ctx = |remaining, waiting| PriceContext {
            ticket_type: "t",
            base_price: Money::from_minor(base),
            total_tickets: total,
            remaining,
            waiting,
        };
        let price = policy.price(&ctx(remaining, waiting));
        prop_assert!(policy.price(&ctx(remaining.saturating_sub(1), waiting)) >= price);
        prop_assert!(policy.price(&ctx(remaining, waiting + 1)) >= price);
        prop_assert!(price.minor() >= base * i64::from(floor) / 10_000);
        prop_assert!(price.minor() <= base * i64::from(floor + extra) / 10_000);
    }
}
