//! The per-type `capacity` field: read from TOML and JSON, defaulted to an
//! equal share of `max_capacity`, and every broken rule named by its field.

use ticketpool_core::{BoxOfficeConfig, ConfigError};

fn office(max_capacity: usize, types: &str) -> String {
    format!(
        r#"
event_name = "gig"
total_tickets = 100
max_capacity = {max_capacity}
{types}
"#
    )
}

const STALLS_AND_BALCONY: &str = r#"
[[ticket_types]]
name = "stalls"
price = 40
capacity = 6

[[ticket_types]]
name = "balcony"
price = 20
"#;

#[test]
fn a_set_capacity_is_read_and_the_rest_is_shared_out() {
    let config = BoxOfficeConfig::from_toml_str(&office(10, STALLS_AND_BALCONY)).unwrap();
    assert_eq!(config.ticket_types[0].capacity, Some(6));
    assert_eq!(config.ticket_types[1].capacity, None);
    assert_eq!(config.type_capacities(), vec![6, 4]);
    // Round trips through TOML and JSON unchanged.
    assert_eq!(
        BoxOfficeConfig::from_toml_str(&config.to_toml_string()).unwrap(),
        config
    );
    let json = serde_json::to_string(&config).unwrap();
    assert!(json.contains(r#""capacity":6"#), "{json}");
    assert_eq!(BoxOfficeConfig::from_json_str(&json).unwrap(), config);
}

#[test]
fn without_capacities_the_types_split_max_capacity_equally() {
    let types = r#"
[[ticket_types]]
name = "a"
price = 1

[[ticket_types]]
name = "b"
price = 1

[[ticket_types]]
name = "c"
price = 1
"#;
    let config = BoxOfficeConfig::from_toml_str(&office(11, types)).unwrap();
    assert!(config.ticket_types.iter().all(|ty| ty.capacity.is_none()));
    // 11 = 4 + 4 + 3: the first types get the remainder.
    assert_eq!(config.type_capacities(), vec![4, 4, 3]);
    // The serialized form leaves the default out.
    let toml = config.to_toml_string();
    assert!(
        !toml.lines().any(|line| line.starts_with("capacity")),
        "{toml}"
    );
}

#[test]
fn capacities_below_max_capacity_bound_the_office_at_their_sum() {
    let types = r#"
[[ticket_types]]
name = "a"
price = 1
capacity = 2

[[ticket_types]]
name = "b"
price = 1
capacity = 3
"#;
    let config = BoxOfficeConfig::from_toml_str(&office(10, types)).unwrap();
    assert_eq!(config.type_capacities(), vec![2, 3]);
}

fn problems(toml: &str) -> ConfigError {
    let err = BoxOfficeConfig::from_toml_str(toml).unwrap_err();
    assert!(matches!(err, ConfigError::Invalid(_)), "{err}");
    err
}

#[test]
fn a_zero_or_unreadable_capacity_is_named_by_its_path() {
    let types = r#"
[[ticket_types]]
name = "a"
price = 1
capacity = 0

[[ticket_types]]
name = "b"
price = 1
capacity = "lots"
"#;
    let err = problems(&office(10, types));
    assert!(err.names_field("ticket_types[0].capacity"), "{err}");
    assert!(err.names_field("ticket_types[1].capacity"), "{err}");
}

#[test]
fn capacities_past_max_capacity_are_refused() {
    let types = r#"
[[ticket_types]]
name = "a"
price = 1
capacity = 8

[[ticket_types]]
name = "b"
price = 1
capacity = 5
"#;
    let err = problems(&office(10, types));
    assert!(err.names_field("ticket_types"), "{err}");
    assert!(err.to_string().contains("capacities add up to 13"), "{err}");
}

#[test]
fn max_capacity_must_leave_each_unset_type_at_least_one() {
    let types = r#"
[[ticket_types]]
name = "a"
price = 1
capacity = 9

[[ticket_types]]
name = "b"
price = 1

[[ticket_types]]
name = "c"
price = 1
"#;
    let err = problems(&office(10, types));
    assert!(err.names_field("max_capacity"), "{err}");
    // The same rules from code, through validate().
    let config = BoxOfficeConfig::from_toml_str(&office(11, types)).unwrap();
    let mut smaller = config.clone();
    smaller.max_capacity = 10;
    let err = smaller.validate().unwrap_err();
    assert!(err.names_field("max_capacity"), "{err}");
    assert_eq!(config.type_capacities(), vec![9, 1, 1]);
}
