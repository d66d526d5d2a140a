//! Every version the plan writes parses as a Kubernetes version AKS accepts.

use super::Context;
use crate::codes;
use crate::finding::Finding;
use crate::version::KubeVersion;

pub fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    let mut check_one = |pointer: String, text: &str| {
        if let Err(err) = KubeVersion::parse(text) {
            findings.push(
                Finding::new(codes::INVALID_VERSION, err.message)
                    .at(ctx.doc.label(&pointer))
                    .pointer(pointer)
                    .help_opt(err.help),
            );
        }
    };
    check_one(
        "/spec/target/kubernetesVersion".into(),
        &ctx.plan.spec.target.kubernetes_version,
    );
    for (c, cluster) in ctx.plan.spec.clusters.iter().enumerate() {
        if let Some(target) = &cluster.target {
            check_one(
                format!("/spec/clusters/{c}/target/kubernetesVersion"),
                &target.kubernetes_version,
            );
        }
        if let Some(current) = &cluster.current {
            check_one(
                format!("/spec/clusters/{c}/current/kubernetesVersion"),
                &current.kubernetes_version,
            );
            for (p, pool) in current.node_pools.iter().enumerate() {
                check_one(
                    format!("/spec/clusters/{c}/current/nodePools/{p}/orchestratorVersion"),
                    &pool.orchestrator_version,
                );
            }
        }
    }
}
