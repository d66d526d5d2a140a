//! The `az` JSON importers (`az aks show`, `nodepool list`, `maintenanceconfiguration list` or
//! `show`, `get-upgrades`, `nodepool get-upgrades`) and the live-fact readers (`kubectl get
//! pdb,deploy,sts`, subnet, VNet and VM usage, VM sizes): each reader runs on every input, and the
//! drain analysis on what the workloads reader kept.
//!
//! Properties: no reader panics; every finding's labels can be rendered; the pools read from a
//! show output or a nodepool list each come with a pointer that names a value in that document
//! (findings about a pool are placed through it), one pointer per pool.

#![no_main]

use std::sync::Arc;

use aksplan_fuzz::{assert_labels, assert_source_map};
use aksplan_model::source::{Document, Format, parse_document};
use aksplan_model::{azure, live};
use libfuzzer_sys::fuzz_target;

fn assert_pool_pointers(doc: &Document, pools: usize, pointers: &[String]) {
    assert_eq!(pools, pointers.len(), "one pointer per pool");
    for pointer in pointers {
        assert!(
            doc.map.has_value(pointer),
            "pool pointer `{pointer}` names no value"
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let doc = match parse_document("az.json", data, Format::Json) {
        Ok(doc) => Arc::new(doc),
        Err(finding) => {
            assert_labels(&[finding]);
            return;
        }
    };
    assert_source_map(&doc);
    let mut findings = Vec::new();
    if let Some(state) = azure::read_show(&doc, &mut findings) {
        assert_pool_pointers(
            &state.pools_doc,
            state.current.node_pools.len(),
            &state.pool_pointers,
        );
    }
    if let Some((pools, pointers)) = azure::read_nodepool_list(&doc, &mut findings) {
        assert_pool_pointers(&doc, pools.len(), &pointers);
    }
    azure::read_maintenance_list(&doc, &mut findings);
    azure::read_cluster_upgrades(&doc, &mut findings);
    azure::read_pool_upgrades(&doc, &mut findings);
    let mut facts = live::LiveFacts::default();
    live::read_workloads(&doc, &mut facts, &mut findings);
    live::read_subnet(&doc, &mut facts, &mut findings);
    live::read_vnet_usage(&doc, &mut facts, &mut findings);
    live::read_vm_usage(&doc, &mut facts, &mut findings);
    live::read_vm_skus(&doc, &mut facts, &mut findings);
    // Placement and blocking on the pools of the same input, when it has any.
    let pools = azure::read_nodepool_list(&doc, &mut Vec::new())
        .map(|(pools, _)| pools)
        .unwrap_or_default();
    facts.settle(&pools);
    let _ = facts.single_replicas();
    for subnet in &facts.subnets {
        assert!(subnet.free() <= subnet.usable);
    }
    assert_labels(&findings);
});
