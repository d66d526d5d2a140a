//! `aksplan init`: a plan skeleton for one cluster from its saved `az aks show` output.
//!
//! The current state is written into the plan (so reviewers see it), the target is set to the
//! next minor as a placeholder, and comments mark what the author must choose. The text is built
//! by hand rather than serialized so that it can carry those comments; every scalar that is not a
//! plain identifier is written as a JSON string, which is valid YAML and cannot be misread.

use std::fmt::Write as _;

use crate::azure::AzState;
use crate::plan::{Channels, NodePool};

fn scalar(text: &str) -> String {
    let plain = text.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && !matches!(
            text.to_ascii_lowercase().as_str(),
            "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "y" | "n"
        );
    if plain {
        text.to_owned()
    } else {
        serde_json::to_string(text).unwrap_or_default()
    }
}

fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

fn enum_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// The plan text for `state`, as read from `show_name` (and `pools_name`, if given).
/// `target` is the proposed target written into the skeleton (the caller picks one AKS offers the
/// cluster's support plan); `as_of` the date it was judged on, written as `asOf` when given.
pub fn skeleton(
    state: &AzState,
    cluster_name: &str,
    resource_group: &str,
    sources: &[String],
    target: &str,
    as_of: Option<&str>,
) -> String {
    let mut out = String::new();
    let current = &state.current;
    let next = target.to_owned();
    let _ = writeln!(
        out,
        "# yaml-language-server: $schema=https://aksplan.dev/schemas/plan.schema.json"
    );
    let _ = writeln!(out, "# Written by `aksplan init` from {}.", sources.join(", "));
    let _ = writeln!(
        out,
        "# Review every line; choose the target, the pool order and the windows."
    );
    let _ = writeln!(out, "apiVersion: aksplan/v1");
    let _ = writeln!(out, "kind: UpgradePlan");
    let _ = writeln!(out, "metadata:");
    let _ = writeln!(out, "  name: {}", scalar(&format!("upgrade-{cluster_name}")));
    let _ = writeln!(out, "  # change: CHG-0000        # the change ticket");
    let _ = writeln!(out, "  # owner: platform-team");
    let _ = writeln!(out, "spec:");
    match as_of {
        Some(date) => {
            let _ = writeln!(
                out,
                "  asOf: {}   # support status is judged as of this date",
                quoted(date)
            );
        }
        None => {
            let _ = writeln!(
                out,
                "  # asOf: YYYY-MM-DD        # support status is judged as of this date"
            );
        }
    }
    let _ = writeln!(out, "  target:");
    let _ = writeln!(
        out,
        "    kubernetesVersion: {}   # TODO: choose (a minor, or an exact patch)",
        quoted(&next)
    );
    let _ = writeln!(out, "    nodeImage: latest");
    let _ = writeln!(out, "  clusters:");
    let _ = writeln!(out, "    - name: {}", scalar(cluster_name));
    let _ = writeln!(out, "      resourceGroup: {}", scalar(resource_group));
    // The subscription and region the cluster is in: the script selects the subscription, so it
    // never runs against whatever `az account` is current.
    if let Some(subscription) = &state.subscription {
        let _ = writeln!(out, "      subscription: {}", scalar(subscription));
    }
    if let Some(location) = &state.location {
        let _ = writeln!(out, "      location: {}", scalar(location));
    }
    let _ = writeln!(out, "      current:");
    let _ = writeln!(
        out,
        "        kubernetesVersion: {}",
        quoted(&current.kubernetes_version)
    );
    if let Some(tier) = &current.tier {
        let _ = writeln!(out, "        tier: {}", enum_text(tier));
    }
    if let Some(plan) = &current.support_plan {
        let _ = writeln!(out, "        supportPlan: {}", enum_text(plan));
    }
    write_channels(&mut out, state.channels.as_ref());
    if current.node_pools.is_empty() {
        let _ = writeln!(
            out,
            "        nodePools: []   # TODO: the saved output listed no pools"
        );
    } else {
        let _ = writeln!(out, "        nodePools:");
        for pool in &current.node_pools {
            write_pool(&mut out, pool);
        }
    }
    if state.channels.is_some() {
        let _ = writeln!(
            out,
            "      # channels: {{ upgradeChannel: none }}   # channels to set by this change, if any"
        );
    }
    write_pool_order(&mut out, &current.node_pools);
    let _ = writeln!(out, "  # changeWindows:");
    let _ = writeln!(
        out,
        "  #   - {{ start: \"YYYY-MM-DDT22:00:00+01:00\", durationHours: 6 }}"
    );
    out
}

/// `poolOrder:` for a skeleton: the System pools one by one, then the others in parallel; the
/// author reviews it.
fn write_pool_order(out: &mut String, pools: &[NodePool]) {
    if pools.is_empty() {
        return;
    }
    let mut system: Vec<&str> = Vec::new();
    let mut user: Vec<&str> = Vec::new();
    for pool in pools {
        if pool.mode == crate::plan::PoolMode::System {
            system.push(&pool.name)
        } else {
            user.push(&pool.name)
        }
    }
    let mut waves: Vec<String> = system.iter().map(|name| scalar(name)).collect();
    if !user.is_empty() {
        waves.push(format!(
            "[{}]",
            user.iter()
                .map(|name| scalar(name))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    let _ = writeln!(
        out,
        "      poolOrder: [{}]   # TODO: review (waves: a list runs in parallel)",
        waves.join(", ")
    );
}

/// One cluster of a snapshot, for [`from_snapshot`]: its state (for the pool order) and the
/// files the plan reads, relative to the plan.
pub struct SnapshotCluster<'a> {
    pub name: &'a str,
    pub resource_group: &'a str,
    pub subscription: Option<&'a str>,
    pub location: Option<&'a str>,
    pub pools: &'a [NodePool],
    pub current_from: &'a crate::plan::CurrentFiles,
    pub upgrade_profiles: &'a crate::plan::UpgradeProfileFiles,
}

/// The plan text for the clusters of an `aksplan snapshot` folder: each reads its state through
/// `currentFrom`, so that taking the snapshot again updates the plan's facts without editing it.
/// `catalogs` are the saved `get-versions` files (relative to the plan), named in a comment.
pub fn from_snapshot(
    clusters: &[SnapshotCluster<'_>],
    source: &str,
    target: &str,
    as_of: Option<&str>,
    catalogs: &[String],
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# yaml-language-server: $schema=https://aksplan.dev/schemas/plan.schema.json"
    );
    let _ = writeln!(
        out,
        "# Written by `aksplan init` from the snapshot {source}; the state is read from its files."
    );
    let _ = writeln!(
        out,
        "# Review every line; choose the target, the pool order and the windows."
    );
    for catalog in catalogs {
        let _ = writeln!(
            out,
            "# The versions AKS offered the region were saved too: `aksplan check PLAN --catalog {catalog}`"
        );
    }
    let _ = writeln!(out, "apiVersion: aksplan/v1");
    let _ = writeln!(out, "kind: UpgradePlan");
    let _ = writeln!(out, "metadata:");
    let name = match clusters {
        [one] => format!("upgrade-{}", one.name),
        _ => "upgrade".to_owned(),
    };
    let _ = writeln!(out, "  name: {}", scalar(&name));
    let _ = writeln!(out, "  # change: CHG-0000        # the change ticket");
    let _ = writeln!(out, "spec:");
    match as_of {
        Some(date) => {
            let _ = writeln!(
                out,
                "  asOf: {}   # support status is judged as of this date",
                quoted(date)
            );
        }
        None => {
            let _ = writeln!(
                out,
                "  # asOf: YYYY-MM-DD        # support status is judged as of this date"
            );
        }
    }
    let _ = writeln!(out, "  target:");
    let _ = writeln!(
        out,
        "    kubernetesVersion: {}   # TODO: choose (a minor, or an exact patch)",
        quoted(target)
    );
    let _ = writeln!(out, "    nodeImage: latest");
    let _ = writeln!(out, "  clusters:");
    for cluster in clusters {
        let _ = writeln!(out, "    - name: {}", scalar(cluster.name));
        let _ = writeln!(out, "      resourceGroup: {}", scalar(cluster.resource_group));
        if let Some(subscription) = cluster.subscription {
            let _ = writeln!(out, "      subscription: {}", scalar(subscription));
        }
        if let Some(location) = cluster.location {
            let _ = writeln!(out, "      location: {}", scalar(location));
        }
        let files = cluster.current_from;
        let _ = writeln!(out, "      currentFrom:");
        let _ = writeln!(out, "        show: {}", quoted(&files.show));
        let one = |out: &mut String, key: &str, value: &Option<String>| {
            if let Some(path) = value {
                let _ = writeln!(out, "        {key}: {}", quoted(path));
            }
        };
        let list = |out: &mut String, key: &str, values: &[String]| {
            if !values.is_empty() {
                let items: Vec<String> = values.iter().map(|v| quoted(v)).collect();
                let _ = writeln!(out, "        {key}: [{}]", items.join(", "));
            }
        };
        one(&mut out, "nodePools", &files.node_pools);
        one(
            &mut out,
            "maintenanceConfigurations",
            &files.maintenance_configurations,
        );
        match &files.workloads {
            Some(path) => {
                let _ = writeln!(out, "        workloads: {}", quoted(path));
            }
            None => {
                let _ = writeln!(
                    out,
                    "        # workloads: not saved (snapshot with `--kube-context` to check drains)"
                );
            }
        }
        list(&mut out, "subnets", &files.subnets);
        list(&mut out, "vnetUsage", &files.vnet_usage);
        one(&mut out, "vmUsage", &files.vm_usage);
        one(&mut out, "vmSkus", &files.vm_skus);
        let profiles = cluster.upgrade_profiles;
        if profiles.control_plane.is_some() || !profiles.node_pools.is_empty() {
            let _ = writeln!(out, "      upgradeProfiles:");
            if let Some(path) = &profiles.control_plane {
                let _ = writeln!(out, "        controlPlane: {}", quoted(path));
            }
            if !profiles.node_pools.is_empty() {
                let _ = writeln!(out, "        nodePools:");
                for (pool, path) in &profiles.node_pools {
                    let _ = writeln!(out, "          {}: {}", scalar(pool), quoted(path));
                }
            }
        }
        write_pool_order(&mut out, cluster.pools);
    }
    let _ = writeln!(out, "  # changeWindows:");
    let _ = writeln!(
        out,
        "  #   - {{ start: \"YYYY-MM-DDT22:00:00+01:00\", durationHours: 6 }}"
    );
    out
}

fn write_pool(out: &mut String, pool: &NodePool) {
    let _ = writeln!(out, "          - name: {}", scalar(&pool.name));
    let _ = writeln!(out, "            mode: {}", enum_text(&pool.mode));
    let _ = writeln!(out, "            osType: {}", enum_text(&pool.os_type));
    if let Some(sku) = &pool.os_sku {
        let _ = writeln!(out, "            osSKU: {}", enum_text(sku));
    }
    let _ = writeln!(
        out,
        "            orchestratorVersion: {}",
        quoted(&pool.orchestrator_version)
    );
    if let Some(image) = &pool.node_image_version {
        let _ = writeln!(out, "            nodeImageVersion: {}", quoted(image));
    }
    if let Some(count) = pool.count {
        let _ = writeln!(out, "            count: {count}");
    }
    if let Some(size) = &pool.vm_size {
        let _ = writeln!(out, "            vmSize: {}", scalar(size));
    }
    if let Some(priority) = &pool.scale_set_priority {
        let _ = writeln!(out, "            scaleSetPriority: {}", enum_text(priority));
    }
    if let Some(auto) = pool.enable_auto_scaling {
        let _ = writeln!(out, "            enableAutoScaling: {auto}");
    }
    if let Some(min) = pool.min_count {
        let _ = writeln!(out, "            minCount: {min}");
    }
    if let Some(max) = pool.max_count {
        let _ = writeln!(out, "            maxCount: {max}");
    }
    if let Some(settings) = &pool.upgrade_settings {
        let _ = writeln!(out, "            upgradeSettings:");
        if let Some(surge) = &settings.max_surge {
            let _ = writeln!(out, "              maxSurge: {}", quoted(&surge.to_string()));
        }
        if let Some(unavailable) = &settings.max_unavailable {
            let _ = writeln!(
                out,
                "              maxUnavailable: {}",
                quoted(&unavailable.to_string())
            );
        }
        if let Some(drain) = settings.drain_timeout_in_minutes {
            let _ = writeln!(out, "              drainTimeoutInMinutes: {drain}");
        }
        if let Some(soak) = settings.node_soak_duration_in_minutes {
            let _ = writeln!(out, "              nodeSoakDurationInMinutes: {soak}");
        }
        if let Some(behavior) = &settings.undrainable_node_behavior {
            let _ = writeln!(
                out,
                "              undrainableNodeBehavior: {}",
                enum_text(behavior)
            );
        }
    }
}

fn write_channels(out: &mut String, channels: Option<&Channels>) {
    let Some(channels) = channels else { return };
    if channels.upgrade_channel.is_none() && channels.node_os_upgrade_channel.is_none() {
        return;
    }
    let _ = writeln!(out, "        channels:");
    if let Some(channel) = &channels.upgrade_channel {
        let _ = writeln!(out, "          upgradeChannel: {}", enum_text(channel));
    }
    if let Some(channel) = &channels.node_os_upgrade_channel {
        let _ = writeln!(out, "          nodeOSUpgradeChannel: {}", enum_text(channel));
    }
}
