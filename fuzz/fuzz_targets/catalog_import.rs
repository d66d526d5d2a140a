//! The catalog import of saved `az aks get-versions` output, then every catalog query the rules
//! and the compiler make, on each minor and patch the file lists.
//!
//! Properties: no panic; a rejected file's findings have renderable labels; in an accepted
//! catalog every patch is filed under its own minor, `resolve` of a minor gives a patch of that
//! minor, and every listed patch is `offers`-ed.

#![no_main]

use std::sync::Arc;

use aksplan_catalog::{Catalog, Offered};
use aksplan_fuzz::assert_labels;
use aksplan_model::source::{Format, parse_document};
use jiff::civil::date;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let doc = match parse_document("versions.json", data, Format::Json) {
        Ok(doc) => Arc::new(doc),
        Err(finding) => {
            assert_labels(&[finding]);
            return;
        }
    };
    let catalog = match Catalog::from_get_versions(&doc) {
        Ok(catalog) => catalog,
        Err(findings) => {
            assert_labels(&findings);
            return;
        }
    };
    let days = [
        date(2019, 1, 1),
        date(2025, 5, 1),
        date(2026, 12, 1),
        date(2099, 12, 31),
    ];
    for day in days {
        catalog.newest_ga_minor(day);
    }
    let minors: Vec<_> = catalog.minors().cloned().collect();
    for minor in &minors {
        let version = minor.version;
        assert_eq!(catalog.offers(version), Offered::Yes);
        if let Some(resolved) = catalog.resolve(version) {
            assert_eq!(
                (resolved.major, resolved.minor),
                (version.major, version.minor),
                "`{version}` resolves to `{resolved}`"
            );
        }
        for day in days {
            for lts in [false, true] {
                catalog.support_status(version, day, lts);
            }
        }
        minor.lts_only();
        for (patch, upgrades) in minor.patches.iter().flatten() {
            assert_eq!(
                (patch.major, patch.minor),
                (version.major, version.minor),
                "patch `{patch}` listed under `{version}`"
            );
            assert_eq!(catalog.offers(*patch), Offered::Yes);
            for upgrade in upgrades {
                catalog.upgrade_listed(*patch, *upgrade);
                catalog.upgrade_listed(*patch, upgrade.minor_version());
                catalog.support_status(*upgrade, days[1], true);
            }
        }
    }
});
