//! A process of its own (an integration-test binary with one test): nothing else in it builds
//! the plan schema's validator, so what builds it here is the background thread.

use std::time::Duration;

/// `prepare_in_background` builds the validator without any validation asking for it.
#[test]
fn the_validator_is_built_in_the_background() {
    assert!(
        !aksplan_model::schema::validator_ready(),
        "nothing has built it yet"
    );
    aksplan_model::schema::prepare_in_background();
    // Waits at least a minute (60,000 naps of 1 ms) before it gives up: a hang guard, not a
    // timing assertion; the build takes a few milliseconds.
    for _ in 0..60_000 {
        if aksplan_model::schema::validator_ready() {
            return;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    panic!("the background build never finished");
}
