//! Live facts about a cluster that decide whether its upgrade can finish: the PodDisruptionBudgets
//! and workloads (`kubectl get pdb,deploy,sts -A -o json`), the subnets surge nodes take addresses
//! from (`az network vnet subnet show`, and the VNet's usages through `az rest`) and the region's vCPU quota
//! (`az vm list-usage`, `az vm list-skus`). Read from the files `currentFrom` names, each fact
//! keeping the document and pointer it was read at, so that findings can name the live object.
//!
//! The analysis (which pools a workload may run on, whether a PDB lets a drain finish, how many
//! addresses and vCPUs surge nodes take) lives here too: the rules and the duration model both
//! ask it, and must agree. The formulas and their AKS sources are in `docs/preflight.md`.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::codes;
use crate::finding::Finding;
use crate::plan::{CountOrPercent, NodePool, OsType, PoolMode, ScaleSetPriority};
use crate::source::Document;

/// The live facts read for one cluster; empty when the plan names no such files.
#[derive(Debug, Clone, Default)]
pub struct LiveFacts {
    /// Whether `currentFrom.workloads` was read: without it nothing is known about drains.
    pub workloads_read: bool,
    pub pdbs: Vec<Pdb>,
    pub controllers: Vec<Controller>,
    pub subnets: Vec<Subnet>,
    pub vm_usage: Option<VmUsage>,
    /// VM size (lower case) → its family and vCPUs.
    pub vm_skus: BTreeMap<String, VmSku>,
    /// The pools some PDB stops every drain of ([`LiveFacts::settle`]).
    pub drain_blocked: std::collections::BTreeSet<String>,
}

/// Where a live object was read: its document and the pointer of the object in it.
#[derive(Debug, Clone)]
pub struct At {
    pub doc: Arc<Document>,
    pub pointer: String,
}

impl At {
    pub fn label(&self) -> crate::finding::Label {
        self.doc.label(&self.pointer)
    }
}

/// A label selector (`matchLabels` and `matchExpressions`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    #[serde(default)]
    pub match_labels: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub match_expressions: Option<Vec<Requirement>>,
}

/// One `matchExpressions` entry (also the shape of node-affinity expressions).
#[derive(Debug, Clone, Deserialize)]
pub struct Requirement {
    pub key: String,
    pub operator: String,
    #[serde(default)]
    pub values: Option<Vec<String>>,
}

impl Requirement {
    fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        let values = self.values.as_deref().unwrap_or_default();
        let value = labels.get(&self.key);
        match self.operator.as_str() {
            "In" => value.is_some_and(|v| values.contains(v)),
            "NotIn" => value.is_none_or(|v| !values.contains(v)),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            // Node affinity only: the label is an integer greater (less) than the one value.
            "Gt" | "Lt" => {
                let (Some(v), Some(bound)) = (
                    value.and_then(|v| v.parse::<i64>().ok()),
                    values.first().and_then(|b| b.parse::<i64>().ok()),
                ) else {
                    return false;
                };
                if self.operator == "Gt" {
                    v > bound
                } else {
                    v < bound
                }
            }
            // An operator Kubernetes would have refused; match nothing rather than guess.
            _ => false,
        }
    }
}

impl LabelSelector {
    /// Whether the selector selects a pod with `labels`. An empty selector selects every pod
    /// (policy/v1).
    pub fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.match_labels
            .iter()
            .flatten()
            .all(|(k, v)| labels.get(k) == Some(v))
            && self
                .match_expressions
                .iter()
                .flatten()
                .all(|req| req.matches(labels))
    }
}

/// `minAvailable` / `maxUnavailable`: a count or a percentage of the expected pods.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum IntOrString {
    Int(i64),
    Str(String),
}

/// A PodDisruptionBudget.
#[derive(Debug, Clone)]
pub struct Pdb {
    pub namespace: String,
    pub name: String,
    /// `None`: a null selector, which selects no pod.
    pub selector: Option<LabelSelector>,
    pub min_available: Option<CountOrPercent>,
    pub max_unavailable: Option<CountOrPercent>,
    /// `status.expectedPods`: the pods the PDB covered when the snapshot was taken.
    pub expected_pods: Option<u64>,
    pub at: At,
}

/// A Deployment or StatefulSet: how many pods it keeps and where they may run.
#[derive(Debug, Clone)]
pub struct Controller {
    /// `Deployment` or `StatefulSet`.
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub replicas: u32,
    /// The pod template's labels.
    pub labels: BTreeMap<String, String>,
    pub node_selector: BTreeMap<String, String>,
    /// Required node affinity: the pod fits a node that matches any one term (all of its
    /// expressions). Empty: no required affinity.
    pub affinity_terms: Vec<Vec<Requirement>>,
    pub tolerations: Vec<Toleration>,
    pub at: At,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Toleration {
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub operator: Option<String>,
    #[serde(default)]
    pub value: Option<String>,
    #[serde(default)]
    pub effect: Option<String>,
}

/// One subnet surge nodes take addresses from.
#[derive(Debug, Clone)]
pub struct Subnet {
    /// The resource id, as `az` printed it (compared case-insensitively: ARM ids are).
    pub id: String,
    pub name: String,
    /// Addresses Azure lets resources use: the prefixes' sizes less the 5 Azure reserves in each.
    pub usable: u64,
    /// Addresses in use: from the VNet's usages (`az rest ... /virtualNetworks/VNET/usages`) when given, else the subnet's IP
    /// configurations.
    pub used: u64,
    /// Whether `used` came from the VNet's usages (`az rest ... /virtualNetworks/VNET/usages`).
    pub used_from_usage: bool,
    pub at: At,
}

impl Subnet {
    pub fn free(&self) -> u64 {
        self.usable.saturating_sub(self.used)
    }
}

/// The region's vCPU quota (`az vm list-usage`).
#[derive(Debug, Clone)]
pub struct VmUsage {
    /// Quota name (`standardDSv3Family`, `cores` for the regional total) → its entry.
    pub entries: BTreeMap<String, UsageEntry>,
}

#[derive(Debug, Clone)]
pub struct UsageEntry {
    /// `Standard DSv3 Family vCPUs`, `Total Regional vCPUs`.
    pub local_name: String,
    pub current: u64,
    pub limit: u64,
    pub at: At,
}

/// One VM size (`az vm list-skus`).
#[derive(Debug, Clone)]
pub struct VmSku {
    /// The quota family, e.g. `standardDSv3Family`.
    pub family: String,
    pub vcpus: u64,
}

// --- reading ---------------------------------------------------------------------------------

fn shape(doc: &Document, pointer: &str, message: String, hint: &str) -> Finding {
    Finding::new(codes::AZ_SHAPE, message)
        .at(doc.label(pointer))
        .pointer(pointer)
        .help(hint.to_owned())
}

fn typed<T: DeserializeOwned>(
    doc: &Document,
    value: &Value,
    pointer: &str,
    what: &str,
) -> Result<T, Finding> {
    serde_path_to_error::deserialize::<_, T>(value).map_err(|err| {
        let at = format!("{pointer}{}", crate::source::pointer_of_path(err.path()));
        Finding::new(
            codes::AZ_SHAPE,
            format!("`{}` is not {what}: {}", doc.source.name, err.inner()),
        )
        .at(doc.label(&at))
        .pointer(at)
    })
}

fn count_or_percent(value: Option<IntOrString>) -> Result<Option<CountOrPercent>, String> {
    match value {
        None => Ok(None),
        Some(IntOrString::Int(n)) => u32::try_from(n)
            .map(|n| Some(CountOrPercent::Count(n)))
            .map_err(|_| n.to_string()),
        Some(IntOrString::Str(text)) => CountOrPercent::parse(&text).map(Some).ok_or(text),
    }
}

#[derive(Deserialize)]
struct K8sMeta {
    name: String,
    #[serde(default)]
    namespace: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct K8sPdb {
    metadata: K8sMeta,
    spec: K8sPdbSpec,
    #[serde(default)]
    status: Option<K8sPdbStatus>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct K8sPdbSpec {
    #[serde(default)]
    selector: Option<LabelSelector>,
    #[serde(default)]
    min_available: Option<IntOrString>,
    #[serde(default)]
    max_unavailable: Option<IntOrString>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct K8sPdbStatus {
    #[serde(default)]
    expected_pods: Option<u64>,
}

#[derive(Deserialize)]
struct K8sController {
    metadata: K8sMeta,
    spec: K8sControllerSpec,
}

#[derive(Deserialize)]
struct K8sControllerSpec {
    /// Absent means 1 (the API server's default).
    #[serde(default)]
    replicas: Option<u32>,
    template: K8sTemplate,
}

#[derive(Deserialize)]
struct K8sTemplate {
    #[serde(default)]
    metadata: Option<K8sTemplateMeta>,
    #[serde(default)]
    spec: Option<K8sPodSpec>,
}

#[derive(Deserialize)]
struct K8sTemplateMeta {
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct K8sPodSpec {
    #[serde(default)]
    node_selector: Option<BTreeMap<String, String>>,
    #[serde(default)]
    affinity: Option<K8sAffinity>,
    #[serde(default)]
    tolerations: Option<Vec<Toleration>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct K8sAffinity {
    #[serde(default)]
    node_affinity: Option<K8sNodeAffinity>,
}

#[derive(Deserialize)]
struct K8sNodeAffinity {
    #[serde(default, rename = "requiredDuringSchedulingIgnoredDuringExecution")]
    required: Option<K8sNodeSelector>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct K8sNodeSelector {
    #[serde(default)]
    node_selector_terms: Vec<K8sNodeSelectorTerm>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct K8sNodeSelectorTerm {
    #[serde(default)]
    match_expressions: Option<Vec<Requirement>>,
}

const WORKLOADS_HINT: &str = "save it with `kubectl get pdb,deploy,sts -A -o json > FILE`";

/// Reads `kubectl get pdb,deploy,sts -A -o json` output (a `List`; other kinds are ignored).
pub fn read_workloads(doc: &Arc<Document>, live: &mut LiveFacts, findings: &mut Vec<Finding>) {
    let Some(items) = doc.value.get("items").and_then(Value::as_array) else {
        findings.push(shape(
            doc,
            "",
            format!(
                "`{}` is not `kubectl get pdb,deploy,sts -A -o json` output (no `items` list)",
                doc.source.name
            ),
            WORKLOADS_HINT,
        ));
        return;
    };
    live.workloads_read = true;
    for (idx, item) in items.iter().enumerate() {
        let pointer = format!("/items/{idx}");
        // Findings name the object: point at its name.
        let at = At {
            doc: Arc::clone(doc),
            pointer: format!("{pointer}/metadata/name"),
        };
        match item.get("kind").and_then(Value::as_str) {
            Some("PodDisruptionBudget") => {
                let pdb: K8sPdb = match typed(doc, item, &pointer, "a PodDisruptionBudget") {
                    Ok(pdb) => pdb,
                    Err(finding) => {
                        findings.push(finding.help(WORKLOADS_HINT));
                        continue;
                    }
                };
                let parse = |value, field: &str, findings: &mut Vec<Finding>| {
                    count_or_percent(value).unwrap_or_else(|text| {
                        let at = format!("{pointer}/spec/{field}");
                        findings.push(
                            Finding::new(
                                codes::INVALID_VALUE,
                                format!("`{field}` `{text}` of PodDisruptionBudget `{}` is neither a count nor a percentage", pdb.metadata.name),
                            )
                            .at(doc.label(&at))
                            .pointer(at),
                        );
                        None
                    })
                };
                let min_available = parse(pdb.spec.min_available, "minAvailable", findings);
                let max_unavailable = parse(pdb.spec.max_unavailable, "maxUnavailable", findings);
                live.pdbs.push(Pdb {
                    namespace: pdb.metadata.namespace.unwrap_or_else(|| "default".into()),
                    name: pdb.metadata.name,
                    selector: pdb.spec.selector,
                    min_available,
                    max_unavailable,
                    expected_pods: pdb.status.and_then(|s| s.expected_pods),
                    at,
                });
            }
            Some(kind @ ("Deployment" | "StatefulSet")) => {
                let what = if kind == "Deployment" {
                    "a Deployment"
                } else {
                    "a StatefulSet"
                };
                let controller: K8sController = match typed(doc, item, &pointer, what) {
                    Ok(controller) => controller,
                    Err(finding) => {
                        findings.push(finding.help(WORKLOADS_HINT));
                        continue;
                    }
                };
                let spec = controller.spec.template.spec;
                let affinity_terms = spec
                    .as_ref()
                    .and_then(|s| s.affinity.as_ref())
                    .and_then(|a| a.node_affinity.as_ref())
                    .and_then(|n| n.required.as_ref())
                    .map(|r| {
                        r.node_selector_terms
                            .iter()
                            .map(|t| t.match_expressions.clone().unwrap_or_default())
                            .collect()
                    })
                    .unwrap_or_default();
                live.controllers.push(Controller {
                    kind: kind.to_owned(),
                    namespace: controller.metadata.namespace.unwrap_or_else(|| "default".into()),
                    name: controller.metadata.name,
                    replicas: controller.spec.replicas.unwrap_or(1),
                    labels: controller
                        .spec
                        .template
                        .metadata
                        .and_then(|m| m.labels)
                        .unwrap_or_default(),
                    node_selector: spec
                        .as_ref()
                        .and_then(|s| s.node_selector.clone())
                        .unwrap_or_default(),
                    affinity_terms,
                    tolerations: spec.and_then(|s| s.tolerations).unwrap_or_default(),
                    at,
                });
            }
            _ => {}
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AzSubnet {
    id: String,
    name: String,
    #[serde(default)]
    address_prefix: Option<String>,
    #[serde(default)]
    address_prefixes: Option<Vec<String>>,
    #[serde(default)]
    ip_configurations: Option<Vec<Value>>,
}

const SUBNET_HINT: &str = "save it with `az network vnet subnet show --ids SUBNET_ID -o json > FILE`";

/// Addresses usable in an IPv4 prefix (`10.0.0.0/24` → 251): Azure reserves 5 in every subnet.
fn usable_in(prefix: &str) -> Option<u64> {
    let (address, len) = prefix.split_once('/')?;
    let len: u32 = len.parse().ok()?;
    // IPv6 prefixes are not where node addresses run out; they count as none.
    if address.contains(':') {
        return Some(0);
    }
    if len > 32 {
        return None;
    }
    Some((1u64 << (32 - len)).saturating_sub(5))
}

/// Reads one `az network vnet subnet show` output.
pub fn read_subnet(doc: &Arc<Document>, live: &mut LiveFacts, findings: &mut Vec<Finding>) {
    if !doc.value.is_object()
        || doc.value.get("addressPrefix").is_none() && doc.value.get("addressPrefixes").is_none()
    {
        findings.push(shape(
            doc,
            "",
            format!(
                "`{}` is not `az network vnet subnet show` output (no `addressPrefix`)",
                doc.source.name
            ),
            SUBNET_HINT,
        ));
        return;
    }
    let subnet: AzSubnet = match typed(doc, &doc.value, "", "`az network vnet subnet show` output") {
        Ok(subnet) => subnet,
        Err(finding) => {
            findings.push(finding.help(SUBNET_HINT));
            return;
        }
    };
    let prefixes: Vec<String> = subnet
        .address_prefixes
        .clone()
        .filter(|p| !p.is_empty())
        .or_else(|| subnet.address_prefix.clone().map(|p| vec![p]))
        .unwrap_or_default();
    let mut usable = 0;
    for prefix in &prefixes {
        match usable_in(prefix) {
            Some(n) => usable += n,
            None => {
                let field = if subnet.address_prefixes.is_some() {
                    "/addressPrefixes"
                } else {
                    "/addressPrefix"
                };
                findings.push(shape(
                    doc,
                    field,
                    format!("`{prefix}` is not an address prefix"),
                    SUBNET_HINT,
                ));
                return;
            }
        }
    }
    live.subnets.push(Subnet {
        id: subnet.id,
        name: subnet.name,
        usable,
        used: subnet.ip_configurations.map_or(0, |c| c.len() as u64),
        used_from_usage: false,
        at: At {
            doc: Arc::clone(doc),
            pointer: if doc.value.get("addressPrefix").is_some_and(|p| !p.is_null()) {
                "/addressPrefix".into()
            } else {
                "/addressPrefixes".into()
            },
        },
    });
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AzUsage {
    #[serde(default)]
    id: Option<String>,
    current_value: Value,
    limit: Value,
    name: AzUsageName,
    #[serde(default)]
    local_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AzUsageName {
    value: Option<String>,
    #[serde(default)]
    localized_value: Option<String>,
}

/// `az` prints usage numbers as numbers, some versions as strings of digits; accept both.
fn number(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

fn usage_items<'a>(
    doc: &'a Document,
    what: &str,
    hint: &str,
    findings: &mut Vec<Finding>,
) -> Option<&'a [Value]> {
    let items = doc
        .value
        .as_array()
        .or_else(|| doc.value.get("value").and_then(Value::as_array));
    if items.is_none() {
        findings.push(shape(
            doc,
            "",
            format!("`{}` is not `{what}` output (not a JSON array)", doc.source.name),
            hint,
        ));
    }
    items.map(Vec::as_slice)
}

fn read_usage_entries(
    doc: &Arc<Document>,
    what: &str,
    hint: &str,
    findings: &mut Vec<Finding>,
) -> Vec<(AzUsage, At)> {
    let Some(items) = usage_items(doc, what, hint, findings) else {
        return Vec::new();
    };
    let base = if doc.value.is_array() { "" } else { "/value" };
    let mut out = Vec::new();
    for (idx, item) in items.iter().enumerate() {
        let pointer = format!("{base}/{idx}");
        match typed::<AzUsage>(doc, item, &pointer, &format!("`{what}` output")) {
            Ok(usage) => {
                for (field, value) in [("currentValue", &usage.current_value), ("limit", &usage.limit)] {
                    if number(value).is_none() {
                        let at = format!("{pointer}/{field}");
                        findings.push(shape(doc, &at, format!("`{field}` is not a count"), hint));
                    }
                }
                out.push((
                    usage,
                    At {
                        doc: Arc::clone(doc),
                        pointer: format!("{pointer}/limit"),
                    },
                ));
            }
            Err(finding) => findings.push(finding.help(hint.to_owned())),
        }
    }
    out
}

const VNET_USAGE_HINT: &str = "save it with `az rest --method get --url /subscriptions/SUB/resourceGroups/RG/providers/Microsoft.Network/virtualNetworks/VNET/usages?api-version=2024-05-01 > FILE` (or run `aksplan snapshot`)";

/// Reads one VNet's usages (`az rest ... /virtualNetworks/VNET/usages`, a `value` list); applies to the subnets read so far, so call it
/// after [`read_subnet`].
pub fn read_vnet_usage(doc: &Arc<Document>, live: &mut LiveFacts, findings: &mut Vec<Finding>) {
    for (usage, _) in read_usage_entries(doc, "the VNet usages (az rest)", VNET_USAGE_HINT, findings) {
        let Some(id) = usage.id.as_deref() else { continue };
        let (Some(current), Some(limit)) = (number(&usage.current_value), number(&usage.limit)) else {
            continue;
        };
        if let Some(subnet) = live.subnets.iter_mut().find(|s| s.id.eq_ignore_ascii_case(id)) {
            subnet.used = current;
            subnet.usable = limit;
            subnet.used_from_usage = true;
        }
    }
}

const VM_USAGE_HINT: &str = "save it with `az vm list-usage -l LOCATION -o json > FILE`";

/// Reads `az vm list-usage -l LOCATION -o json` output.
pub fn read_vm_usage(doc: &Arc<Document>, live: &mut LiveFacts, findings: &mut Vec<Finding>) {
    let mut entries = BTreeMap::new();
    for (usage, at) in read_usage_entries(doc, "az vm list-usage", VM_USAGE_HINT, findings) {
        let (Some(name), Some(current), Some(limit)) = (
            usage.name.value.clone(),
            number(&usage.current_value),
            number(&usage.limit),
        ) else {
            continue;
        };
        entries.insert(
            name.to_ascii_lowercase(),
            UsageEntry {
                local_name: usage
                    .local_name
                    .or(usage.name.localized_value)
                    .unwrap_or_else(|| name.clone()),
                current,
                limit,
                at,
            },
        );
    }
    live.vm_usage = Some(VmUsage { entries });
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AzSku {
    name: String,
    #[serde(default)]
    family: Option<String>,
    #[serde(default)]
    resource_type: Option<String>,
    #[serde(default)]
    capabilities: Option<Vec<AzCapability>>,
}

#[derive(Deserialize)]
struct AzCapability {
    name: String,
    value: String,
}

const SKU_HINT: &str =
    "save it with `az vm list-skus -l LOCATION --resource-type virtualMachines -o json > FILE`";

/// Reads `az vm list-skus -o json` output.
pub fn read_vm_skus(doc: &Arc<Document>, live: &mut LiveFacts, findings: &mut Vec<Finding>) {
    let Some(items) = usage_items(doc, "az vm list-skus", SKU_HINT, findings) else {
        return;
    };
    for (idx, item) in items.iter().enumerate() {
        let pointer = format!("/{idx}");
        let sku: AzSku = match typed(doc, item, &pointer, "`az vm list-skus` output") {
            Ok(sku) => sku,
            Err(finding) => {
                findings.push(finding.help(SKU_HINT));
                continue;
            }
        };
        if sku
            .resource_type
            .as_deref()
            .is_some_and(|t| t != "virtualMachines")
        {
            continue;
        }
        let vcpus = sku
            .capabilities
            .iter()
            .flatten()
            .find(|c| c.name == "vCPUs")
            .and_then(|c| c.value.parse().ok());
        if let (Some(family), Some(vcpus)) = (sku.family, vcpus) {
            live.vm_skus
                .insert(sku.name.to_ascii_lowercase(), VmSku { family, vcpus });
        }
    }
}

// --- analysis --------------------------------------------------------------------------------

/// The labels every node of `pool` carries: its own `nodeLabels` and those AKS sets.
pub fn node_labels(pool: &NodePool) -> BTreeMap<String, String> {
    let mut labels = pool.node_labels.clone();
    labels.insert("agentpool".into(), pool.name.to_string());
    labels.insert("kubernetes.azure.com/agentpool".into(), pool.name.to_string());
    let os = match pool.os_type {
        OsType::Linux => "linux",
        OsType::Windows => "windows",
    };
    labels.insert("kubernetes.io/os".into(), os.into());
    labels.insert("beta.kubernetes.io/os".into(), os.into());
    let mode = match pool.mode {
        PoolMode::System => "system",
        PoolMode::User => "user",
        PoolMode::Gateway => "gateway",
    };
    labels.insert("kubernetes.azure.com/mode".into(), mode.into());
    if let Some(size) = &pool.vm_size {
        labels.insert("node.kubernetes.io/instance-type".into(), size.to_string());
        labels.insert("beta.kubernetes.io/instance-type".into(), size.to_string());
    }
    if pool.scale_set_priority == Some(ScaleSetPriority::Spot) {
        labels.insert("kubernetes.azure.com/scalesetpriority".into(), "spot".into());
    }
    labels
}

/// The taints every node of `pool` carries, as (key, value, effect): its `nodeTaints`, and the
/// one AKS puts on Spot nodes.
pub fn node_taints(pool: &NodePool) -> Vec<(String, String, String)> {
    let mut taints: Vec<(String, String, String)> = pool
        .node_taints
        .iter()
        .filter_map(|taint| {
            let (kv, effect) = taint.rsplit_once(':')?;
            let (key, value) = kv.split_once('=').unwrap_or((kv, ""));
            Some((key.to_owned(), value.to_owned(), effect.to_owned()))
        })
        .collect();
    if pool.scale_set_priority == Some(ScaleSetPriority::Spot) {
        taints.push((
            "kubernetes.azure.com/scalesetpriority".into(),
            "spot".into(),
            "NoSchedule".into(),
        ));
    }
    taints
}

impl Toleration {
    fn tolerates(&self, key: &str, value: &str, effect: &str) -> bool {
        let effect_ok = self.effect.as_deref().is_none_or(|e| e.is_empty() || e == effect);
        let key_ok = match self.key.as_deref() {
            None | Some("") => self.operator.as_deref() == Some("Exists"),
            Some(k) => k == key,
        };
        let value_ok = match self.operator.as_deref() {
            Some("Exists") => true,
            _ => self.value.as_deref().unwrap_or_default() == value,
        };
        effect_ok && key_ok && value_ok
    }
}

impl Controller {
    /// Whether the scheduler may place this workload's pods on `pool`'s nodes: the node selector,
    /// the required node affinity and the pool's `NoSchedule`/`NoExecute` taints all allow it.
    pub fn may_run_on(&self, pool: &NodePool) -> bool {
        let labels = node_labels(pool);
        let selected = self.node_selector.iter().all(|(k, v)| labels.get(k) == Some(v));
        let affine = self.affinity_terms.is_empty()
            || self
                .affinity_terms
                .iter()
                .any(|term| term.iter().all(|req| req.matches(&labels)));
        let tolerated = node_taints(pool)
            .iter()
            .filter(|(_, _, effect)| effect != "PreferNoSchedule")
            .all(|(key, value, effect)| self.tolerations.iter().any(|t| t.tolerates(key, value, effect)));
        selected && affine && tolerated
    }

    /// `deployment/NAMESPACE/NAME` or `statefulset/...`, as `kubectl` names it.
    pub fn display(&self) -> String {
        format!(
            "{}/{}/{}",
            self.kind.to_ascii_lowercase(),
            self.namespace,
            self.name
        )
    }
}

impl Pdb {
    pub fn display(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// The workloads whose pods this PDB covers.
    pub fn covers<'a>(&self, controllers: &'a [Controller]) -> Vec<&'a Controller> {
        let Some(selector) = &self.selector else {
            return Vec::new();
        };
        controllers
            .iter()
            .filter(|c| c.namespace == self.namespace && selector.matches(&c.labels))
            .collect()
    }
}

/// A PDB that lets no pod of its workloads be evicted, so no node that runs one can be drained.
#[derive(Debug, Clone)]
pub struct DrainBlocker<'a> {
    pub pdb: &'a Pdb,
    /// The workloads it covers (empty when none in the snapshot matches its selector and its
    /// `status.expectedPods` says it covers pods).
    pub workloads: Vec<&'a Controller>,
    /// The pods it covers.
    pub pods: u64,
    /// Why no eviction is allowed, e.g. `maxUnavailable: 0` or `minAvailable: 2 of 2 pods`.
    pub reason: String,
}

/// A count or percentage of `pods`, as the disruption controller scales it (percentages round
/// up).
fn scaled(value: CountOrPercent, pods: u64) -> u64 {
    match value {
        CountOrPercent::Count(n) => u64::from(n),
        CountOrPercent::Percent(p) => (pods * u64::from(p)).div_ceil(100),
    }
}

impl LiveFacts {
    /// The PDBs that allow no eviction of the pods they cover: `maxUnavailable` scales to 0, or
    /// `minAvailable` scales to every pod. The pods are the replicas of the Deployments and
    /// StatefulSets the PDB selects, or its `status.expectedPods` when it selects none of them.
    pub fn drain_blockers(&self) -> Vec<DrainBlocker<'_>> {
        let mut out = Vec::new();
        for pdb in &self.pdbs {
            let workloads = pdb.covers(&self.controllers);
            let pods = if workloads.is_empty() {
                pdb.expected_pods.unwrap_or(0)
            } else {
                workloads.iter().map(|c| u64::from(c.replicas)).sum()
            };
            if pods == 0 {
                continue;
            }
            let reason = match (pdb.max_unavailable, pdb.min_available) {
                (Some(max), _) if scaled(max, pods) == 0 => format!("`maxUnavailable: {max}`"),
                (None, Some(min)) if scaled(min, pods) >= pods => {
                    format!(
                        "`minAvailable: {min}` of {pods} pod{}",
                        if pods == 1 { "" } else { "s" }
                    )
                }
                _ => continue,
            };
            out.push(DrainBlocker {
                pdb,
                workloads: workloads.into_iter().filter(|c| c.replicas > 0).collect(),
                pods,
                reason,
            });
        }
        out
    }

    /// The pools of `pools` whose drain `blocker` stops: those its workloads may run on, or every
    /// pool when no workload in the snapshot matches it (where its pods run is not known).
    pub fn blocked_pools<'p>(&self, blocker: &DrainBlocker<'_>, pools: &'p [NodePool]) -> Vec<&'p NodePool> {
        pools
            .iter()
            .filter(|pool| pool.scale_set_priority != Some(ScaleSetPriority::Spot))
            .filter(|pool| {
                blocker.workloads.is_empty() || blocker.workloads.iter().any(|c| c.may_run_on(pool))
            })
            .collect()
    }

    /// Works out, once the cluster's pools are known, which of them no drain can finish on.
    pub fn settle(&mut self, pools: &[NodePool]) {
        let blocked = self
            .drain_blockers()
            .iter()
            .flat_map(|b| self.blocked_pools(b, pools))
            .map(|p| p.name.to_string())
            .collect();
        self.drain_blocked = blocked;
    }

    /// Whether some PDB stops every drain of the pool named `pool`.
    pub fn drain_blocked(&self, pool: &str) -> bool {
        self.drain_blocked.contains(pool)
    }

    /// Deployments and StatefulSets with one replica that no PDB covers: their only pod goes
    /// down while its node drains.
    pub fn single_replicas(&self) -> Vec<&Controller> {
        self.controllers
            .iter()
            .filter(|c| c.replicas == 1)
            .filter(|c| {
                !self.pdbs.iter().any(|pdb| {
                    pdb.namespace == c.namespace
                        && pdb.selector.as_ref().is_some_and(|s| s.matches(&c.labels))
                })
            })
            .collect()
    }

    /// The subnet with resource id `id` (ARM ids compare case-insensitively).
    pub fn subnet(&self, id: &str) -> Option<&Subnet> {
        self.subnets.iter().find(|s| s.id.eq_ignore_ascii_case(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Format, parse_document};

    fn live(json: &str) -> (LiveFacts, Vec<Finding>) {
        let doc = Arc::new(parse_document("w.json", json.as_bytes(), Format::Json).unwrap());
        let mut live = LiveFacts::default();
        let mut findings = Vec::new();
        read_workloads(&doc, &mut live, &mut findings);
        (live, findings)
    }

    fn pdb(spec: &str) -> String {
        format!(r#"{{"kind":"PodDisruptionBudget","metadata":{{"name":"p","namespace":"a"}},"spec":{spec}}}"#)
    }

    fn deploy(replicas: u32) -> String {
        format!(
            r#"{{"kind":"Deployment","metadata":{{"name":"web","namespace":"a"}},"spec":{{"replicas":{replicas},"template":{{"metadata":{{"labels":{{"app":"web"}}}}}}}}}}"#
        )
    }

    fn blockers(spec: &str, replicas: u32) -> Vec<String> {
        let (live, findings) = live(&format!(r#"{{"items":[{},{}]}}"#, pdb(spec), deploy(replicas)));
        assert!(findings.is_empty(), "{findings:?}");
        live.drain_blockers().iter().map(|b| b.reason.clone()).collect()
    }

    #[test]
    fn pdbs_that_allow_no_eviction() {
        let sel = r#""selector":{"matchLabels":{"app":"web"}}"#;
        assert_eq!(
            blockers(&format!(r#"{{{sel},"maxUnavailable":0}}"#), 3),
            ["`maxUnavailable: 0`"]
        );
        assert_eq!(
            blockers(&format!(r#"{{{sel},"maxUnavailable":"0%"}}"#), 3),
            ["`maxUnavailable: 0%`"]
        );
        // 10% of 3 rounds up to 1: one eviction at a time is allowed.
        assert!(blockers(&format!(r#"{{{sel},"maxUnavailable":"10%"}}"#), 3).is_empty());
        assert_eq!(
            blockers(&format!(r#"{{{sel},"minAvailable":2}}"#), 2),
            ["`minAvailable: 2` of 2 pods"]
        );
        assert!(blockers(&format!(r#"{{{sel},"minAvailable":2}}"#), 3).is_empty());
        assert_eq!(
            blockers(&format!(r#"{{{sel},"minAvailable":"100%"}}"#), 4).len(),
            1
        );
        // 50% of 1 rounds up to 1.
        assert_eq!(
            blockers(&format!(r#"{{{sel},"minAvailable":"50%"}}"#), 1).len(),
            1
        );
        // Another app's PDB, or no pods: nothing to block.
        assert!(
            blockers(
                r#"{"selector":{"matchLabels":{"app":"db"}},"maxUnavailable":0}"#,
                3
            )
            .is_empty()
        );
        assert!(blockers(&format!(r#"{{{sel},"maxUnavailable":0}}"#), 0).is_empty());
        // An empty selector covers every pod of the namespace.
        assert_eq!(blockers(r#"{"selector":{},"maxUnavailable":0}"#, 3).len(), 1);
    }

    #[test]
    fn placement_follows_selectors_affinity_and_taints() {
        let pool = |name: &str, taints: &[&str]| NodePool {
            node_taints: taints.iter().map(|t| (*t).to_owned()).collect(),
            ..serde_json::from_value(serde_json::json!({
                "name": name, "mode": "User", "orchestratorVersion": "1.33.1"
            }))
            .unwrap()
        };
        let controller = |spec: serde_json::Value| {
            let json = serde_json::json!({"items": [{"kind": "Deployment", "metadata": {"name": "x"},
                "spec": {"template": {"spec": spec}}}]});
            live(&json.to_string()).0.controllers.remove(0)
        };
        let gpu = pool("gpu", &["sku=gpu:NoSchedule"]);
        let user = pool("user", &[]);
        let plain = controller(serde_json::json!({}));
        assert!(plain.may_run_on(&user) && !plain.may_run_on(&gpu));
        let tolerant = controller(serde_json::json!({"tolerations": [{"key": "sku", "operator": "Exists"}]}));
        assert!(tolerant.may_run_on(&gpu));
        let pinned = controller(serde_json::json!({"nodeSelector": {"agentpool": "gpu"},
            "tolerations": [{"operator": "Exists"}]}));
        assert!(pinned.may_run_on(&gpu) && !pinned.may_run_on(&user));
        let affine = controller(serde_json::json!({"affinity": {"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "kubernetes.azure.com/agentpool", "operator": "In", "values": ["user"]}]}
        ]}}}}));
        assert!(affine.may_run_on(&user) && !affine.may_run_on(&pool("other", &[])));
        assert_eq!(plain.replicas, 1, "absent replicas default to 1");
    }

    #[test]
    fn subnet_sizes() {
        assert_eq!(usable_in("10.0.0.0/24"), Some(251));
        assert_eq!(usable_in("10.240.0.0/16"), Some(65531));
        assert_eq!(usable_in("10.0.0.0/29"), Some(3));
        assert_eq!(usable_in("10.0.0.0"), None);
    }
}
