//! A process of its own (an integration-test binary with one test): nothing else in it builds
//! the plan schema's validator, so whether it is built says whether loading needed it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use aksplan_model::load::load_plan;
use aksplan_model::schema::validator_ready;
use aksplan_model::source::Format;

/// What a run costs: a valid plan is checked without the validator ever being built (its build
/// was the largest single cost of a one-cluster run); a plan with a structural mistake builds it
/// and gets the schema's findings. (The check every debug build makes of a plan read without
/// the schema uses a validator of its own.)
#[test]
fn a_valid_plan_never_builds_the_schema_validator() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    for name in [
        "single-cluster.yaml",
        "complete.yaml",
        "fleet-three-stages.yaml",
        "single-cluster.toml",
    ] {
        let text = std::fs::read(dir.join(name)).unwrap();
        let format = Format::from_path(name).unwrap();
        let loaded = load_plan(name, text, format, &dir);
        assert!(
            loaded.plan.is_some() && !loaded.has_errors(),
            "{name}: {:?}",
            loaded.findings
        );
        assert!(!validator_ready(), "{name} built the validator");
    }
    let text = std::fs::read_to_string(dir.join("single-cluster.yaml")).unwrap();
    let broken = text.replacen("kind: UpgradePlan", "kind: UpgradePlan\nunknownField: 1", 1);
    assert_ne!(broken, text);
    let loaded = load_plan("broken.yaml", broken.as_bytes(), Format::Yaml, &dir);
    assert!(
        loaded.findings.iter().any(|f| f.message.contains("unknownField")),
        "{:?}",
        loaded.findings
    );
    assert!(validator_ready());
}
