//! A cluster's `poolOrder` names its pools, each exactly once.

use std::collections::{BTreeMap, BTreeSet};

use super::Context;
use crate::codes;
use crate::finding::Finding;
use crate::schema::closest;

pub fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    for cluster in ctx.clusters {
        let Some(order) = &ctx.plan.spec.clusters[cluster.index].pool_order else {
            continue;
        };
        let base = format!("/spec/clusters/{}/poolOrder", cluster.index);
        // Unique and in declaration order: a duplicate pool is reported by the names check.
        let mut names: Vec<String> = Vec::new();
        for pool in &cluster.current.node_pools {
            if !names.iter().any(|name| **name == *pool.name) {
                names.push(pool.name.to_string());
            }
        }
        let mut seen: BTreeMap<&str, String> = BTreeMap::new();
        // Pools that an unknown (misspelt) entry most likely meant: reported with that entry, not
        // a second time as "left out".
        let mut meant: BTreeSet<String> = BTreeSet::new();
        for (w, wave) in order.iter().enumerate() {
            let parallel = matches!(wave, crate::plan::PoolWave::Parallel(_));
            for (i, pool) in wave.pools().iter().enumerate() {
                let pointer = if parallel {
                    format!("{base}/{w}/{i}")
                } else {
                    format!("{base}/{w}")
                };
                if !names.iter().any(|n| n == pool) {
                    let finding = Finding::new(
                        codes::POOL_ORDER_UNKNOWN,
                        format!(
                            "`poolOrder` of cluster `{}` names `{pool}`, which is not one of its pools",
                            cluster.name
                        ),
                    )
                    .at(ctx.doc.label(&pointer).with_message("no such pool"))
                    .pointer(pointer.clone());
                    findings.push(match closest(pool, &names) {
                        Some(best) => {
                            meant.insert(best.clone());
                            finding.help(format!("did you mean `{best}`?"))
                        }
                        None => finding.help(format!("the pools are: {}", names.join(", "))),
                    });
                    continue;
                }
                if let Some(first) = seen.get(pool.as_str()) {
                    findings.push(
                        Finding::new(
                            codes::POOL_ORDER_INCOMPLETE,
                            format!("`poolOrder` of cluster `{}` lists `{pool}` twice", cluster.name),
                        )
                        .at(ctx.doc.label(&pointer).with_message("again here"))
                        .also(ctx.doc.label(first).with_message("first here"))
                        .pointer(pointer)
                        .help("list every pool exactly once"),
                    );
                    continue;
                }
                seen.insert(pool, pointer);
            }
        }
        let missing: Vec<&str> = names
            .iter()
            .map(String::as_str)
            .filter(|n| !seen.contains_key(n) && !meant.contains(*n))
            .collect();
        if !missing.is_empty() {
            let list = missing
                .iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(", ");
            findings.push(
                Finding::new(
                    codes::POOL_ORDER_INCOMPLETE,
                    format!("`poolOrder` of cluster `{}` leaves out {list}", cluster.name),
                )
                .at(ctx.doc.key_label(&base).with_message("incomplete order"))
                .pointer(base.clone())
                .help(format!(
                    "add {list} to a wave; a wave is a pool name, or a list of pools upgraded in parallel"
                )),
            );
        }
    }
}
