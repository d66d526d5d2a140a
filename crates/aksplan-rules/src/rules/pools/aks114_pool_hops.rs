//! AKS114: pools move one minor per upgrade.

use aksplan_model::finding::Finding;

use crate::Context;
use crate::skew::RouteKind;

crate::rule_code!(
    "AKS114",
    Info,
    "A node pool needs several upgrades to reach the target",
    "## What it checks
A node pool moves one minor per upgrade, unless the pool's `az aks nodepool get-upgrades` file
(`upgradeProfiles.nodePools`) offers a larger jump, or the route starts with the recovery
upgrade from a version out of support (one full upgrade carries every pool, AKS125). The note says how many pool upgrades the
plan implies, so reviewers see the node reimages coming.

## Why
`aks-upgrade-rules.md` §2.2: whether a pool may skip minors is undocumented and sources conflict
(historically `AgentPoolUpgradeVersionNotAllowed`); the conservative reading is one minor per
upgrade, each one a full rolling reimage of the pool.

## Example
```yaml
target: { kubernetesVersion: \"1.33\" }
nodePools: [ { name: web, mode: User, orchestratorVersion: \"1.30.14\" } ]   # 3 upgrades
```"
);

pub fn check(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    for cluster in ctx.clusters() {
        let Some((target, _)) = cluster.target() else {
            continue;
        };
        for (idx, pool) in cluster.pools().iter().enumerate() {
            let Some(version) = cluster.pool_version(idx) else {
                continue;
            };
            if version.major != target.major || target.minor <= version.minor + 1 {
                continue;
            }
            let offered_jump = cluster
                .resolved
                .pool_upgrade_profiles
                .get(&*pool.name)
                .is_some_and(|profile| {
                    profile
                        .upgrades
                        .iter()
                        .any(|u| u.kubernetes_version.minor_version() == target.minor_version())
                });
            if offered_jump {
                continue;
            }
            // The recovery upgrade carries every pool to its minor in one upgrade.
            let route = cluster.route(ctx.catalog, ctx.as_of);
            let (hops, how) = match route.hops.first() {
                Some(first) if route.kind == RouteKind::Recovery => (
                    1 + target.minor.saturating_sub(first.to().minor),
                    format!("the recovery upgrade to `{}`, then one minor each", first.to()),
                ),
                _ => (target.minor - version.minor, "one minor each".to_owned()),
            };
            if hops <= 1 {
                continue;
            }
            out.push(
                Finding::new(
                    CODE,
                    format!("node pool `{}` of cluster `{}` needs {hops} upgrades ({how}) from `{version}` to `{target}`", pool.name, cluster.name()),
                )
                .at(cluster.pool_label(idx, "orchestratorVersion").with_message(format!("{hops} pool upgrades from here")))
                .help("each upgrade reimages every node of the pool; if AKS offers a larger jump, name the pool's `az aks nodepool get-upgrades` output in `upgradeProfiles.nodePools`"),
            );
        }
    }
}
