//! Names and values the emitted scripts carry: the Azure naming rules (resource groups, clusters,
//! node pools, subscriptions) and shell safety.
//!
//! `problems` is the rules' own validator, for tests (and tools) that need to know whether a
//! value would pass without building a plan around it.

use aksplan_model::codes::Code;
use aksplan_model::finding::Finding;
use aksplan_model::plan::{Cluster, OsType};

use super::Rule;
use crate::Context;

pub mod aks180_resource_group_name;
pub mod aks181_cluster_name;
pub mod aks182_pool_name;
pub mod aks183_shell_unsafe;
pub mod aks184_subscription;

pub const RULES: &[Rule] = &[
    Rule {
        code: aks180_resource_group_name::CODE,
        check: aks180_resource_group_name::check,
    },
    Rule {
        code: aks181_cluster_name::CODE,
        check: aks181_cluster_name::check,
    },
    Rule {
        code: aks182_pool_name::CODE,
        check: aks182_pool_name::check,
    },
    Rule {
        code: aks183_shell_unsafe::CODE,
        check: aks183_shell_unsafe::check,
    },
    Rule {
        code: aks184_subscription::CODE,
        check: aks184_subscription::check,
    },
];

/// Where a value sits in the plan, which decides the rules that judge it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// A cluster's `name`: AKS181 and AKS183.
    ClusterName,
    /// A cluster's `resourceGroup`: AKS180 and AKS183.
    ResourceGroup,
    /// A cluster's `subscription`: AKS184 and AKS183.
    Subscription,
    /// A node pool's `name`: AKS182 and AKS183.
    PoolName(OsType),
    /// Any other value AKS183 checks (`location`, `vmSize`, `metadata.owner`, ...).
    Other,
    /// A rollout stage's `name`, free text the scripts print: AKS183 (no control or invisible
    /// characters).
    StageName,
}

/// Every objection of the naming rules to `value` as `field`: the rule's code and what is wrong
/// (the end of the rule's sentence). Empty when the rules accept the value, in which case `check`
/// reports nothing about it either.
pub fn problems(field: Field, value: &str) -> Vec<(Code, String)> {
    let mut out = Vec::new();
    let azure = match field {
        Field::ClusterName => aks181_cluster_name::problem(value).map(|p| (aks181_cluster_name::CODE, p)),
        Field::ResourceGroup => {
            aks180_resource_group_name::problem(value).map(|p| (aks180_resource_group_name::CODE, p))
        }
        Field::Subscription => aks184_subscription::problem(value).map(|p| (aks184_subscription::CODE, p)),
        Field::PoolName(os) => aks182_pool_name::problem(value, os).map(|p| (aks182_pool_name::CODE, p)),
        Field::Other | Field::StageName => None,
    };
    out.extend(azure);
    let kind = match field {
        Field::ResourceGroup => aks183_shell_unsafe::Kind::ResourceGroup,
        Field::Subscription => aks183_shell_unsafe::Kind::Subscription,
        Field::StageName => aks183_shell_unsafe::Kind::Text,
        Field::ClusterName | Field::PoolName(_) | Field::Other => aks183_shell_unsafe::Kind::Other,
    };
    out.extend(aks183_shell_unsafe::problem(value, kind).map(|p| (aks183_shell_unsafe::CODE, p)));
    out
}

/// A naming rule on one field of each cluster (AKS180, AKS181, AKS184): a finding at the field
/// for each value with a problem.
struct ClusterField {
    code: Code,
    /// The field's plan name, the last step of its pointer.
    field: &'static str,
    /// The value to judge; `None` when the plan leaves the field out.
    value: fn(&Cluster) -> Option<&str>,
    problem: fn(&str) -> Option<String>,
    /// The message from the cluster and the problem (the end of the sentence).
    message: fn(&Cluster, &str) -> String,
    label: &'static str,
    help: &'static str,
}

impl ClusterField {
    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for (index, cluster) in ctx.plan.spec.clusters.iter().enumerate() {
            let Some(problem) = (self.value)(cluster).and_then(self.problem) else {
                continue;
            };
            let pointer = format!("/spec/clusters/{index}/{}", self.field);
            out.push(
                Finding::new(self.code, (self.message)(cluster, &problem))
                    .at(ctx.doc.label(&pointer).with_message(self.label))
                    .pointer(pointer)
                    .help(self.help),
            );
        }
    }
}

/// The length objection to a name of 1 to `max` characters, as the end of a sentence.
fn length_problem(name: &str, max: usize) -> Option<String> {
    let len = name.chars().count();
    if len == 0 {
        return Some("is empty".to_owned());
    }
    (len > max).then(|| format!("is {len} characters long (at most {max})"))
}
