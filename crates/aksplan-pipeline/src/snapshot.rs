//! `aksplan snapshot`: the live facts of one or more clusters, collected in one command and saved
//! as the files `currentFrom` reads (`az aks show`, `nodepool list`, `maintenanceconfiguration
//! list`, `get-upgrades` for the cluster and each pool, the pools' subnets and their VNet's usages,
//! `get-versions`, `vm list-usage` and `vm list-skus` for the region, and `kubectl get
//! pdb,deploy,sts` when given a context).
//!
//! The commands run through a [`Runner`] (the binary's runs the real programs; tests serve
//! recorded output), so this module neither spawns nor prints. [`take`] collects everything in
//! memory and fails on the first command that fails, naming it; [`write()`] then makes the folder
//! appear whole: written beside the target under a temporary name, and renamed into place.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use aksplan_model::codes;
use aksplan_model::finding::Finding;
use aksplan_model::plan::{CurrentFiles, UpgradeProfileFiles};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The Microsoft.Network API version of the VNet usages call.
const VNET_API: &str = "2024-05-01";

/// The manifest's file name inside a snapshot folder.
pub const MANIFEST: &str = "snapshot.json";

/// Why a command did not give its output.
#[derive(Debug, Clone)]
pub enum RunError {
    /// The program could not be started (not installed, not on `PATH`).
    NotInstalled(String),
    /// It ran and failed: its exit code (when it had one) and what it printed on stderr.
    Failed { status: Option<i32>, stderr: String },
}

/// Runs one command and hands back its standard output.
pub trait Runner {
    fn run(&mut self, program: &str, args: &[String]) -> Result<Vec<u8>, RunError>;
}

/// One cluster to snapshot.
#[derive(Debug, Clone)]
pub struct Target {
    pub resource_group: String,
    pub name: String,
    /// The subscription to run `az` against; `None`: the current one (the cluster's own, read
    /// from its resource id, is used for every command after `az aks show`).
    pub subscription: Option<String>,
    /// The `kubectl` context of the cluster; `None`: no workloads are saved.
    pub kube_context: Option<String>,
}

/// What a snapshot folder holds, as `snapshot.json` records it (paths relative to the folder).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Manifest {
    pub api_version: String,
    pub kind: String,
    pub clusters: Vec<ManifestCluster>,
    /// Location → its `az aks get-versions` output (a version catalog for `--catalog`).
    pub catalogs: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManifestCluster {
    pub name: String,
    pub resource_group: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    pub current_from: CurrentFiles,
    pub upgrade_profiles: UpgradeProfileFiles,
}

/// A snapshot taken, not yet written: each file's path in the folder and its bytes.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub files: Vec<(String, Vec<u8>)>,
    pub manifest: Manifest,
    /// Every command run, in order (for `--verbose` and tests).
    pub commands: Vec<String>,
}

/// Shell-style text of a command, for messages (quoted where a word needs it).
pub fn command_text(program: &str, args: &[String]) -> String {
    let mut words = vec![program.to_owned()];
    for arg in args {
        let plain = !arg.is_empty()
            && arg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./=:,@%+".contains(c));
        words.push(if plain {
            arg.clone()
        } else {
            format!("'{}'", arg.replace('\'', "'\\''"))
        });
    }
    words.join(" ")
}

/// A resource group name as ARM takes it: 1–90 letters, digits, `-_.()`, not ending in `.`.
fn valid_group(name: &str) -> bool {
    (1..=90).contains(&name.chars().count())
        && name.chars().all(|c| c.is_alphanumeric() || "-_.()".contains(c))
        && !name.ends_with('.')
}

/// A name used as a folder or file name: letters, digits, `-` and `_` (AKS cluster and pool
/// names, Azure locations, subnets after [`file_name`]).
fn valid_name(name: &str) -> bool {
    (1..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && !name.starts_with('-')
}

/// Any text as a safe file name: characters other than letters, digits, `-`, `_` and `.` become
/// `_`; never `.` or `..`.
fn file_name(text: &str) -> String {
    let name: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.trim_matches('.').is_empty() {
        "_".into()
    } else {
        name
    }
}

fn failure(message: String, help: &str) -> Finding {
    Finding::new(codes::SNAPSHOT, message).help(help.to_owned())
}

/// Checks the targets before anything runs: names `az` would refuse, or that would not make a
/// safe folder name, stop the snapshot at once.
pub fn validate(targets: &[Target]) -> Result<(), Finding> {
    let mut seen = std::collections::BTreeSet::new();
    for target in targets {
        if !valid_group(&target.resource_group) {
            return Err(failure(
                format!(
                    "`{}` is not a resource group name",
                    target.resource_group.escape_debug()
                ),
                "resource group names are 1 to 90 letters, digits, `-`, `_`, `.`, `(` and `)`, not ending in `.`",
            ));
        }
        if !valid_name(&target.name) {
            return Err(failure(
                format!("`{}` is not an AKS cluster name", target.name.escape_debug()),
                "cluster names are 1 to 63 letters, digits, `-` and `_`",
            ));
        }
        if !seen.insert(target.name.to_ascii_lowercase()) {
            return Err(failure(
                format!("cluster `{}` is named twice", target.name),
                "a plan names each cluster once; snapshot clusters of the same name into separate folders",
            ));
        }
    }
    if targets.is_empty() {
        return Err(failure(
            "no cluster to snapshot".into(),
            "name one with `-g RG -n NAME`, or give `--plan PLAN`",
        ));
    }
    Ok(())
}

/// Why a command failed, in a few words, and what to do: read from what `az`/`kubectl` printed.
fn diagnose(program: &str, stderr: &str) -> (&'static str, String) {
    let text = stderr.to_ascii_lowercase();
    if program == "az"
        && (text.contains("az login") || text.contains("aadsts") || text.contains("no subscription found"))
    {
        return (
            "not logged in",
            "run `az login` (and `az account set --subscription SUB`), then run the snapshot again".into(),
        );
    }
    if text.contains("authorizationfailed")
        || text.contains("does not have authorization")
        || text.contains("forbidden")
        || text.contains("unauthorized")
    {
        return (
            "no permission",
            format!(
                "the snapshot only reads: ask for the Reader role on the cluster, its VNet and the subscription (and read access to the cluster's API for `kubectl`), or run it as someone who has it; {program} said so above"
            ),
        );
    }
    if text.contains("resourcenotfound")
        || text.contains("resourcegroupnotfound")
        || text.contains("was not found")
        || text.contains("could not be found")
        || text.contains("does not exist")
    {
        return (
            "not found",
            "check the resource group, the name and the subscription (`--subscription`); for `kubectl`, the context (`kubectl config get-contexts`)".into(),
        );
    }
    (
        "it failed",
        format!("run the command by hand to see what {program} says"),
    )
}

/// The collector: runs each command once, keeps what it printed, stops at the first failure.
struct Taker<'r> {
    runner: &'r mut dyn Runner,
    progress: &'r mut dyn FnMut(&str),
    files: Vec<(String, Vec<u8>)>,
    commands: Vec<String>,
}

impl Taker<'_> {
    /// Runs `program args`, checks its output is JSON, and keeps it as `path`.
    fn save(&mut self, path: &str, program: &str, args: Vec<String>) -> Result<Value, Finding> {
        let shown = command_text(program, &args);
        (self.progress)(&format!("snapshot: {shown}"));
        self.commands.push(shown.clone());
        let bytes = match self.runner.run(program, &args) {
            Ok(bytes) => bytes,
            Err(RunError::NotInstalled(why)) => {
                let help = if program == "az" {
                    "install the Azure CLI (https://aka.ms/installazurecli) and log in"
                } else {
                    "install kubectl, or leave out `--kube-context` to snapshot without workloads"
                };
                return Err(failure(
                    format!("`{shown}` could not start: `{program}` is not installed or not on PATH ({why})"),
                    help,
                ));
            }
            Err(RunError::Failed { status, stderr }) => {
                let (why, help) = diagnose(program, &stderr);
                let said: String = stderr
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .take(3)
                    .collect::<Vec<_>>()
                    .join(" / ");
                // What the program said goes in the message, shortened and without control
                // characters: it is echoed to a terminal.
                let said: String = said.chars().filter(|c| !c.is_control()).take(400).collect();
                let status = status.map_or_else(|| "a signal".to_owned(), |s| format!("exit code {s}"));
                let mut message = format!("`{shown}` failed ({status}): {why}");
                if !said.is_empty() {
                    message.push_str(&format!(": {said}"));
                }
                return Err(failure(message, &help));
            }
        };
        let value: Value = serde_json::from_slice(&bytes).map_err(|err| {
            failure(
                format!("`{shown}` did not print JSON: {err}"),
                "the snapshot runs every command with `-o json`; check that no `AZURE_CORE_OUTPUT` or alias changes the output",
            )
        })?;
        self.files.push((path.to_owned(), bytes));
        Ok(value)
    }
}

fn az(words: &[&str], subscription: Option<&str>) -> Vec<String> {
    let mut args: Vec<String> = words.iter().map(|w| (*w).to_owned()).collect();
    if let Some(sub) = subscription {
        args.push("--subscription".into());
        args.push(sub.to_owned());
    }
    args.push("-o".into());
    args.push("json".into());
    args
}

/// `/subscriptions/S/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/V/subnets/N`
/// → (S, RG, V, N); ARM ids are case-insensitive in their segment names.
fn subnet_parts(id: &str) -> Option<(String, String, String, String)> {
    let parts: Vec<&str> = id.split('/').filter(|p| !p.is_empty()).collect();
    let at = |i: usize, name: &str| parts.get(i).is_some_and(|p| p.eq_ignore_ascii_case(name));
    (parts.len() == 10
        && at(0, "subscriptions")
        && at(2, "resourceGroups")
        && at(4, "providers")
        && at(5, "Microsoft.Network")
        && at(6, "virtualNetworks")
        && at(8, "subnets"))
    .then(|| {
        (
            parts[1].to_owned(),
            parts[3].to_owned(),
            parts[7].to_owned(),
            parts[9].to_owned(),
        )
    })
}

/// A field of an `az` object, whichever casing the CLI version printed.
fn field<'v>(value: &'v Value, names: &[&str]) -> Option<&'v str> {
    names.iter().find_map(|n| value.get(*n).and_then(Value::as_str))
}

/// Takes the snapshot of `targets`: every command, in order; the first failure stops it.
/// `progress` hears each command before it runs.
pub fn take(
    targets: &[Target],
    runner: &mut dyn Runner,
    progress: &mut dyn FnMut(&str),
) -> Result<Snapshot, Finding> {
    validate(targets)?;
    let mut taker = Taker {
        runner,
        progress,
        files: Vec::new(),
        commands: Vec::new(),
    };
    let mut clusters = Vec::new();
    // Location → (subscription, VM sizes of the pools there).
    let mut regions: BTreeMap<String, (Option<String>, std::collections::BTreeSet<String>)> = BTreeMap::new();
    let mut region_of = Vec::new();
    for target in targets {
        let (group, name) = (target.resource_group.as_str(), target.name.as_str());
        let dir = name.to_owned();
        let sub = target.subscription.as_deref();
        let show = taker.save(
            &format!("{dir}/show.json"),
            "az",
            az(&["aks", "show", "-g", group, "-n", name], sub),
        )?;
        // Every later command runs in the cluster's own subscription, as its resource id says.
        let subscription = show
            .get("id")
            .and_then(Value::as_str)
            .and_then(|id| {
                let mut parts = id.split('/').filter(|p| !p.is_empty());
                parts
                    .next()
                    .filter(|p| p.eq_ignore_ascii_case("subscriptions"))
                    .and_then(|_| parts.next())
                    .map(str::to_owned)
            })
            .or_else(|| target.subscription.clone());
        let sub = subscription.as_deref();
        let location = show
            .get("location")
            .and_then(Value::as_str)
            .map(str::to_ascii_lowercase)
            .filter(|l| valid_name(l));
        let pools = taker.save(
            &format!("{dir}/nodepools.json"),
            "az",
            az(
                &["aks", "nodepool", "list", "-g", group, "--cluster-name", name],
                sub,
            ),
        )?;
        taker.save(
            &format!("{dir}/maintenance.json"),
            "az",
            az(
                &[
                    "aks",
                    "maintenanceconfiguration",
                    "list",
                    "-g",
                    group,
                    "--cluster-name",
                    name,
                ],
                sub,
            ),
        )?;
        taker.save(
            &format!("{dir}/get-upgrades.json"),
            "az",
            az(&["aks", "get-upgrades", "-g", group, "-n", name], sub),
        )?;
        let mut profiles = UpgradeProfileFiles {
            control_plane: Some(format!("{dir}/get-upgrades.json")),
            node_pools: BTreeMap::new(),
        };
        let pools: Vec<Value> = match pools {
            Value::Array(items) => items,
            _ => Vec::new(),
        };
        let mut subnet_ids: Vec<String> = Vec::new();
        for pool in &pools {
            let Some(pool_name) = field(pool, &["name"]) else {
                continue;
            };
            if !valid_name(pool_name) {
                return Err(failure(
                    format!(
                        "`az aks nodepool list` printed a pool named `{}`",
                        pool_name.escape_debug()
                    ),
                    "AKS pool names are lower-case letters and digits; the output is not what AKS returns",
                ));
            }
            let path = format!("{dir}/pool-upgrades/{pool_name}.json");
            taker.save(
                &path,
                "az",
                az(
                    &[
                        "aks",
                        "nodepool",
                        "get-upgrades",
                        "-g",
                        group,
                        "--cluster-name",
                        name,
                        "--nodepool-name",
                        pool_name,
                    ],
                    sub,
                ),
            )?;
            profiles.node_pools.insert(pool_name.to_owned(), path);
            for id in [
                field(pool, &["vnetSubnetId", "vnetSubnetID"]),
                field(pool, &["podSubnetId", "podSubnetID"]),
            ]
            .into_iter()
            .flatten()
            {
                if !subnet_ids.iter().any(|s| s.eq_ignore_ascii_case(id)) {
                    subnet_ids.push(id.to_owned());
                }
            }
            if let (Some(location), Some(size)) = (&location, field(pool, &["vmSize"])) {
                let entry = regions
                    .entry(location.clone())
                    .or_insert_with(|| (subscription.clone(), Default::default()));
                // Sizes go into a JMESPath query: only names made of these characters.
                if size
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
                {
                    entry.1.insert(size.to_owned());
                }
            }
        }
        let mut files = CurrentFiles {
            show: format!("{dir}/show.json"),
            node_pools: Some(format!("{dir}/nodepools.json")),
            maintenance_configurations: Some(format!("{dir}/maintenance.json")),
            workloads: None,
            subnets: Vec::new(),
            vnet_usage: Vec::new(),
            vm_usage: None,
            vm_skus: None,
        };
        let mut vnets: Vec<(String, String, String)> = Vec::new();
        for id in &subnet_ids {
            let Some((s, rg, vnet, subnet)) = subnet_parts(id) else {
                return Err(failure(
                    format!(
                        "the pools' subnet id `{}` is not a subnet's resource id",
                        id.escape_debug()
                    ),
                    "a subnet id reads `/subscriptions/S/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/VNET/subnets/NAME`",
                ));
            };
            let path = format!("{dir}/subnets/{}-{}.json", file_name(&vnet), file_name(&subnet));
            if !files.subnets.contains(&path) {
                taker.save(
                    &path,
                    "az",
                    az(
                        &[
                            "network",
                            "vnet",
                            "subnet",
                            "show",
                            "-g",
                            &rg,
                            "--vnet-name",
                            &vnet,
                            "-n",
                            &subnet,
                        ],
                        Some(&s),
                    ),
                )?;
                files.subnets.push(path);
            }
            if !vnets.iter().any(|(vs, vrg, vn)| {
                vs.eq_ignore_ascii_case(&s) && vrg.eq_ignore_ascii_case(&rg) && vn.eq_ignore_ascii_case(&vnet)
            }) {
                let path = format!("{dir}/vnet-usage/{}.json", file_name(&vnet));
                // The Azure CLI has no command for a VNet's usages (the addresses in use in each
                // subnet); `az rest` calls the ARM operation, Virtual Networks - List Usage.
                let url = format!(
                    "/subscriptions/{s}/resourceGroups/{rg}/providers/Microsoft.Network/virtualNetworks/{vnet}/usages?api-version={VNET_API}"
                );
                taker.save(&path, "az", az(&["rest", "--method", "get", "--url", &url], None))?;
                files.vnet_usage.push(path);
                vnets.push((s, rg, vnet));
            }
        }
        if let Some(context) = &target.kube_context {
            let path = format!("{dir}/workloads.json");
            taker.save(
                &path,
                "kubectl",
                vec![
                    "--context".into(),
                    context.clone(),
                    "get".into(),
                    "pdb,deploy,sts".into(),
                    "-A".into(),
                    "-o".into(),
                    "json".into(),
                ],
            )?;
            files.workloads = Some(path);
        }
        region_of.push(location.clone());
        clusters.push(ManifestCluster {
            name: name.to_owned(),
            resource_group: group.to_owned(),
            subscription,
            location,
            current_from: files,
            upgrade_profiles: profiles,
        });
    }
    let mut catalogs = BTreeMap::new();
    for (location, (subscription, sizes)) in &regions {
        let sub = subscription.as_deref();
        let dir = format!("locations/{location}");
        taker.save(
            &format!("{dir}/get-versions.json"),
            "az",
            az(&["aks", "get-versions", "-l", location], sub),
        )?;
        catalogs.insert(location.clone(), format!("{dir}/get-versions.json"));
        taker.save(
            &format!("{dir}/vm-usage.json"),
            "az",
            az(&["vm", "list-usage", "-l", location], sub),
        )?;
        if sizes.is_empty() {
            continue;
        }
        let query = format!(
            "[?{}]",
            sizes
                .iter()
                .map(|s| format!("name=='{s}'"))
                .collect::<Vec<_>>()
                .join(" || ")
        );
        taker.save(
            &format!("{dir}/vm-skus.json"),
            "az",
            az(
                &[
                    "vm",
                    "list-skus",
                    "-l",
                    location,
                    "--resource-type",
                    "virtualMachines",
                    "--query",
                    &query,
                ],
                sub,
            ),
        )?;
    }
    for (cluster, location) in clusters.iter_mut().zip(&region_of) {
        if let Some(location) = location
            && regions.contains_key(location)
        {
            cluster.current_from.vm_usage = Some(format!("locations/{location}/vm-usage.json"));
            if !regions[location].1.is_empty() {
                cluster.current_from.vm_skus = Some(format!("locations/{location}/vm-skus.json"));
            }
        }
    }
    let manifest = Manifest {
        api_version: "aksplan/v1".into(),
        kind: "Snapshot".into(),
        clusters,
        catalogs,
    };
    Ok(Snapshot {
        files: taker.files,
        manifest,
        commands: taker.commands,
    })
}

/// Writes `snapshot` as the folder `dir`, whole or not at all: into a temporary folder beside it,
/// then renamed into place. An existing `dir` is replaced only with `force` (moved aside first,
/// removed once the new one is in place).
pub fn write(snapshot: &Snapshot, dir: &Path, force: bool) -> Result<(), Finding> {
    let fail = |what: &Path, err: &dyn std::fmt::Display| {
        Finding::new(
            codes::CANNOT_WRITE,
            format!("cannot write `{}`: {err}", what.display()),
        )
    };
    if dir.exists() && !force {
        return Err(
            Finding::new(codes::CANNOT_WRITE, format!("`{}` exists already", dir.display()))
                .help("pass `--force` to replace it, or choose another folder with `-o`"),
        );
    }
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| fail(parent, &e))?;
    let base = dir
        .file_name()
        .map_or_else(|| "snapshot".into(), |n| n.to_string_lossy().into_owned());
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{base}.partial-"))
        .tempdir_in(parent)
        .map_err(|e| fail(parent, &e))?;
    let mut manifest = serde_json::to_vec_pretty(&snapshot.manifest).map_err(|e| fail(dir, &e))?;
    manifest.push(b'\n');
    for (path, bytes) in snapshot
        .files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .chain([(MANIFEST, manifest.as_slice())])
    {
        let full: PathBuf = staging.path().join(path);
        if let Some(folder) = full.parent() {
            std::fs::create_dir_all(folder).map_err(|e| fail(folder, &e))?;
        }
        std::fs::write(&full, bytes).map_err(|e| fail(&full, &e))?;
    }
    #[cfg(unix)]
    {
        // Made as any new folder is, not 0700 as temporary ones are: CI steps read it.
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(staging.path(), std::fs::Permissions::from_mode(0o755));
    }
    let staged = staging.keep();
    let aside = if dir.exists() {
        let aside = parent.join(format!(".{base}.old-{}", std::process::id()));
        if let Err(err) = std::fs::rename(dir, &aside) {
            let _ = std::fs::remove_dir_all(&staged);
            return Err(fail(dir, &err));
        }
        Some(aside)
    } else {
        None
    };
    if let Err(err) = std::fs::rename(&staged, dir) {
        let _ = std::fs::remove_dir_all(&staged);
        if let Some(aside) = &aside {
            let _ = std::fs::rename(aside, dir);
        }
        return Err(fail(dir, &err));
    }
    if let Some(aside) = aside {
        let _ = std::fs::remove_dir_all(aside);
    }
    Ok(())
}

/// Reads a snapshot folder's manifest.
pub fn read_manifest(dir: &Path) -> Result<Manifest, Finding> {
    let path = dir.join(MANIFEST);
    let bytes = std::fs::read(&path).map_err(|err| {
        Finding::new(
            codes::CANNOT_READ,
            format!("cannot read `{}`: {err}", path.display()),
        )
        .help("`init --from DIR` takes a folder written by `aksplan snapshot`, or a saved `az aks show -o json` file")
    })?;
    serde_json::from_slice(&bytes).map_err(|err| {
        Finding::new(
            codes::AZ_SHAPE,
            format!("`{}` is not an aksplan snapshot manifest: {err}", path.display()),
        )
        .help("take the snapshot again with `aksplan snapshot`")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnet_ids_split_case_insensitively() {
        assert_eq!(
            subnet_parts(
                "/subscriptions/s/resourcegroups/rg/providers/microsoft.network/virtualnetworks/v/subnets/n"
            ),
            Some(("s".into(), "rg".into(), "v".into(), "n".into()))
        );
        assert_eq!(subnet_parts("/subscriptions/s/resourceGroups/rg"), None);
    }

    #[test]
    fn names_that_would_escape_the_folder_are_refused() {
        let target = |group: &str, name: &str| Target {
            resource_group: group.into(),
            name: name.into(),
            subscription: None,
            kube_context: None,
        };
        assert!(validate(&[target("rg", "aks-prod")]).is_ok());
        assert!(validate(&[target("rg", "../x")]).is_err());
        assert!(validate(&[target("rg", "a/b")]).is_err());
        assert!(validate(&[target("rg;rm", "a")]).is_err());
        assert!(validate(&[target("rg", "a"), target("rg2", "A")]).is_err());
        assert!(validate(&[]).is_err());
        assert_eq!(file_name(".."), "_");
        assert_eq!(file_name("a/b"), "a_b");
    }

    #[test]
    fn command_text_quotes_what_a_shell_would_split() {
        assert_eq!(
            command_text("az", &["--query".into(), "[?name=='a']".into()]),
            "az --query '[?name=='\\''a'\\'']'"
        );
    }
}
