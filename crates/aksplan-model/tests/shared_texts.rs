//! The typed plan keeps each distinct pool name, version, image and VM size once: a large fleet
//! repeats a few of them thousands of times, and the plan lives for the whole run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::Arc;

use aksplan_model::load::load_plan;
use aksplan_model::plan::NodePool;
use aksplan_model::source::Format;

/// Some `texts` repeat, and equal ones are one allocation (distinct ones are not).
fn one_text_per_value<'a>(texts: impl Iterator<Item = &'a Arc<str>>, what: &str) {
    let texts: Vec<_> = texts.collect();
    let mut repeats = false;
    for (i, a) in texts.iter().enumerate() {
        for b in &texts[i + 1..] {
            repeats |= a == b;
            assert_eq!(a == b, Arc::ptr_eq(a, b), "{what} {a}");
        }
    }
    assert!(repeats, "some {what} repeats");
}

fn pools(name: &str, text: &str) -> Vec<NodePool> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let loaded = load_plan(name, text.as_bytes(), Format::from_path(name).unwrap(), &dir);
    let plan = loaded.plan.expect("the plan loads");
    plan.spec
        .clusters
        .iter()
        .filter_map(|c| c.current.as_ref())
        .flat_map(|current| current.node_pools.iter().cloned())
        .collect()
}

#[test]
fn pools_share_their_names_versions_images_and_sizes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let yaml = std::fs::read_to_string(dir.join("fleet-three-stages.yaml")).unwrap();
    // The YAML plan, and the same plan as JSON (read through the other parser).
    let value: serde_json::Value = serde_saphyr::from_str(&yaml).unwrap();
    let json = serde_json::to_string(&value).unwrap();
    for (name, text) in [("fleet.yaml", yaml.as_str()), ("fleet.json", json.as_str())] {
        let pools = pools(name, text);
        assert!(pools.len() > 3, "{name}");
        one_text_per_value(pools.iter().map(|p| &p.name), "pool name");
        one_text_per_value(pools.iter().map(|p| &p.orchestrator_version), "version");
        one_text_per_value(pools.iter().filter_map(|p| p.vm_size.as_ref()), "VM size");
        one_text_per_value(
            pools.iter().filter_map(|p| p.node_image_version.as_ref()),
            "node image",
        );
    }
}

/// Pools read from saved `az` output (`currentFrom`) share their texts across clusters too.
#[test]
fn pools_read_from_saved_az_output_share_their_texts() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let cluster = |name: &str| {
        format!(
            "    - name: {name}
      resourceGroup: clitest000001
      subscription: 00000000-0000-0000-0000-000000000000
      location: westus2
      currentFrom:
        show: state/cliakstest000001.json
        nodePools: state/cliakstest000001-nodepools.json
"
        )
    };
    let plan = format!(
        "apiVersion: aksplan/v1
kind: UpgradePlan
metadata: {{ name: imported }}
spec:
  target: {{ kubernetesVersion: \"1.33\" }}
  clusters:
{}{}",
        cluster("one"),
        cluster("two")
    );
    let loaded = load_plan("imported.yaml", plan.as_bytes(), Format::Yaml, &dir);
    assert_eq!(loaded.clusters.len(), 2, "{:?}", loaded.findings);
    let pools: Vec<&NodePool> = loaded
        .clusters
        .iter()
        .flat_map(|c| c.current.node_pools.iter())
        .collect();
    one_text_per_value(pools.iter().map(|p| &p.name), "pool name");
    one_text_per_value(pools.iter().map(|p| &p.orchestrator_version), "version");
    one_text_per_value(pools.iter().filter_map(|p| p.vm_size.as_ref()), "VM size");
}

/// Outside a plan's loading the texts are read as any string is, refusals included.
#[test]
fn a_shared_text_reads_and_refuses_as_a_string_does() {
    #[derive(serde::Deserialize, Debug)]
    struct Shared {
        #[serde(deserialize_with = "aksplan_model::tree::shared")]
        #[allow(dead_code)]
        name: Arc<str>,
        #[serde(default, deserialize_with = "aksplan_model::tree::shared_opt")]
        #[allow(dead_code)]
        size: Option<Arc<str>>,
    }
    #[derive(serde::Deserialize, Debug)]
    struct Owned {
        #[allow(dead_code)]
        name: String,
        #[serde(default)]
        #[allow(dead_code)]
        size: Option<String>,
    }
    let read = serde_json::from_str::<Shared>(r#"{"name": "system", "size": null}"#).unwrap();
    assert_eq!(&*read.name, "system");
    assert_eq!(read.size, None);
    let read = serde_json::from_str::<Shared>(r#"{"name": "a", "size": "Standard_D4s_v5"}"#).unwrap();
    assert_eq!(read.size.as_deref(), Some("Standard_D4s_v5"));
    for bad in [
        r#"{"name": 5}"#,
        r#"{"name": "a", "size": [1]}"#,
        r#"{"name": null}"#,
    ] {
        let shared = serde_json::from_str::<Shared>(bad).unwrap_err().to_string();
        let owned = serde_json::from_str::<Owned>(bad).unwrap_err().to_string();
        assert_eq!(shared, owned, "{bad}");
    }
}
