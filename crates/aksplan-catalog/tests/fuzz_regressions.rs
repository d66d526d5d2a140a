//! Inputs the `catalog_import` fuzz target (fuzz/fuzz_targets/catalog_import.rs) once broke, run
//! through the same code path and the same properties, so that `cargo test` keeps them fixed.
//! See docs/reliability.md, "Fuzzing".

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::sync::Arc;

use aksplan_catalog::{Catalog, Offered};
use aksplan_model::source::{Format, parse_document};

fn check(path: &Path) {
    let bytes = std::fs::read(path).unwrap();
    let name = path.display().to_string();
    let Ok(doc) = parse_document(&name, bytes.as_slice(), Format::Json) else {
        return;
    };
    let catalog = match Catalog::from_get_versions(&Arc::new(doc)) {
        Ok(catalog) => catalog,
        Err(findings) => {
            for label in findings.iter().flat_map(|f| f.primary.iter().chain(&f.secondary)) {
                assert!(
                    label.source.text.get(label.span.clone()).is_some(),
                    "{name}: bad span"
                );
            }
            return;
        }
    };
    for minor in catalog.minors() {
        let version = minor.version;
        assert_eq!(catalog.offers(version), Offered::Yes, "{name}");
        if let Some(resolved) = catalog.resolve(version) {
            assert_eq!(
                (resolved.major, resolved.minor),
                (version.major, version.minor),
                "{name}: `{version}` resolves to `{resolved}`"
            );
        }
        for patch in minor.patches.iter().flat_map(|patches| patches.keys()) {
            assert_eq!(
                (patch.major, patch.minor),
                (version.major, version.minor),
                "{name}: patch `{patch}` filed under `{version}`"
            );
        }
    }
}

#[test]
fn catalog_import_regressions() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/fuzz-regressions/catalog_import");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no inputs in {}", dir.display());
    for file in files {
        check(&file);
    }
}

/// The first one: `get-versions` output listing `2.28.0` among the patches of `1.28` made the
/// catalog resolve a `1.28` target to `2.28.0`. Such a file is now rejected at the patch.
#[test]
fn a_patch_of_another_minor_is_rejected_at_its_key() {
    let text = r#"{"values": [{"version": "1.28", "patchVersions": {"2.28.0": {"upgrades": []}}}]}"#;
    let doc = Arc::new(parse_document("versions.json", text.as_bytes(), Format::Json).unwrap());
    let findings = Catalog::from_get_versions(&doc).expect_err("rejected");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].code.id(), "AKS015");
    assert_eq!(
        findings[0].message,
        "patch `2.28.0` is listed under `1.28`, not its own minor"
    );
    assert_eq!(
        findings[0].pointer.as_deref(),
        Some("/values/0/patchVersions/2.28.0")
    );
}
