//! The front of the pipeline: bytes → document → schema → typed plan → model checks → resolved
//! current state. Always returns every finding it could collect; `plan` is `None` only when the
//! input could not be understood as a plan at all.

use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use crate::checks;
use crate::codes;
use crate::finding::{Finding, Severity, sort_findings};
use crate::plan::Plan;
use crate::resolve::{ResolvedCluster, resolve};
use crate::schema;
use crate::source::{Document, Format, parse_plan_document};
use crate::tree::{Node, Strings};

/// What loading a plan produced.
#[derive(Debug, Default)]
pub struct Loaded {
    /// The plan's document, for places (source map and text). Once the typed plan is built
    /// (`plan` is `Some`), its `value` is `Null`: the plan is read from its types.
    pub doc: Option<Arc<Document>>,
    pub plan: Option<Plan>,
    pub clusters: Vec<ResolvedCluster>,
    pub findings: Vec<Finding>,
}

impl Loaded {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.severity == Severity::Error)
    }
}

/// Loads and checks one plan. `base_dir` is where `currentFrom` paths are resolved from.
pub fn load_plan(name: &str, bytes: impl Into<Vec<u8>>, format: Format, base_dir: &Path) -> Loaded {
    let mut loaded = Loaded::default();
    // The value as a compact tree: a `serde_json` tree was the largest thing alive while a large
    // plan was read (`crate::tree`). The document's own `value` stays `null` unless the plan is
    // refused before its types, when it gets the whole value (its findings were made from it).
    let (mut doc, tree) = match parse_plan_document(name, bytes, format) {
        Ok(parsed) => parsed,
        Err(finding) => {
            loaded.findings.push(finding);
            return loaded;
        }
    };
    let refused =
        |mut loaded: Loaded, mut doc: Document, value: serde_json::Value, findings: Vec<Finding>| {
            loaded.findings.extend(findings);
            sort_findings(&mut loaded.findings);
            doc.value = value;
            loaded.doc = Some(Arc::new(doc));
            loaded
        };
    if let Some(finding) = checks::check_header(&doc, &tree) {
        return refused(loaded, doc, tree.into_value(), vec![finding]);
    }
    // A plan read without the schema's validator, whose build (jsonschema compiles it in every
    // process) was the largest single cost of a one-cluster run; any other goes through the
    // schema, which reports every structural problem at once, each at its place.
    let plan: Plan = if let Some(plan) = plan_of_tree(&tree) {
        // Every debug build (the tests, the fuzzer) checks the claims on every plan it reads: the
        // schema accepts it, and the tree gives the plan the `serde_json` value gives.
        #[cfg(debug_assertions)]
        {
            let value = tree.clone().into_value();
            let errors = schema::debug_schema_errors(&value);
            assert!(
                errors.is_empty(),
                "the types accept a plan the schema refuses: {errors:?}"
            );
            assert_eq!(
                Plan::deserialize(&value).ok().as_ref(),
                Some(&plan),
                "the tree and the value give different plans"
            );
        }
        // The plan holds its own copies: the tree is not kept for the checks that follow.
        drop(tree);
        plan
    } else {
        doc.value = tree.into_value();
        let schema_findings = schema::validate(&doc);
        if !schema_findings.is_empty() {
            let value = std::mem::take(&mut doc.value);
            return refused(loaded, doc, value, schema_findings);
        }
        match serde_path_to_error::deserialize(&doc.value) {
            Ok(plan) => plan,
            Err(err) => {
                // The schema mirrors the types, so this is rare (a number too large for its field, say).
                let pointer = crate::source::pointer_of_path(err.path());
                let finding = Finding::new(
                    codes::INVALID_VALUE,
                    format!("`{}`: {}", schema::display_field(&pointer), err.inner()),
                )
                .at(doc.label(&pointer))
                .pointer(pointer);
                let value = std::mem::take(&mut doc.value);
                return refused(loaded, doc, value, vec![finding]);
            }
        }
    };
    // From here on the plan is read from its types, and the document serves for places (its
    // source map and text): the value tree goes now.
    doc.value = serde_json::Value::Null;
    let doc = Arc::new(doc);
    loaded.doc = Some(Arc::clone(&doc));
    loaded.findings.extend(checks::check_plan(&doc, &plan));
    let (clusters, resolve_findings) = resolve(&doc, &plan, base_dir);
    loaded.findings.extend(resolve_findings);
    loaded
        .findings
        .extend(checks::check_resolved(&doc, &plan, &clusters));
    sort_findings(&mut loaded.findings);
    loaded.plan = Some(plan);
    loaded.clusters = clusters;
    loaded
}

/// The plan, when the types accept the value and it holds no `null` (allowed nowhere in the
/// schema): such a value is one the schema accepts, since the types refuse everything the schema
/// refuses (`plan::refuse` for what goes beyond types; `tests/schema_mirror.rs` finds every such
/// constraint in the schema, and checks the claim on every plan of the fixtures).
pub fn without_schema(value: &serde_json::Value) -> Option<Plan> {
    plan_of_tree(&Node::from_value(value.clone(), &mut Strings::default()))
}

/// [`without_schema`] on the tree `load_plan` reads.
fn plan_of_tree(tree: &Node) -> Option<Plan> {
    if tree.holds_null() {
        return None;
    }
    crate::tree::sharing(|| Plan::deserialize(tree).ok())
}

/// Says which cluster each finding is about: from its plan pointer, from the saved `az` file it
/// points into, or from the cluster entry of the plan its span falls in.
pub fn attribute_clusters(loaded: &Loaded, findings: &mut [Finding]) {
    let (Some(doc), Some(plan)) = (&loaded.doc, &loaded.plan) else {
        return;
    };
    let mut extents = ExtentCache::default();
    let spans: Vec<(std::ops::Range<usize>, &str)> = plan
        .spec
        .clusters
        .iter()
        .enumerate()
        .map(|(idx, cluster)| {
            (
                cluster_extent(&mut extents, doc, plan.spec.clusters.len(), idx),
                cluster.name.as_str(),
            )
        })
        .collect();
    for finding in findings.iter_mut().filter(|f| f.cluster.is_none()) {
        let by_pointer = finding
            .pointer
            .as_deref()
            .and_then(|p| p.strip_prefix("/spec/clusters/"))
            .and_then(|rest| rest.split('/').next())
            .and_then(|idx| idx.parse::<usize>().ok())
            .and_then(|idx| plan.spec.clusters.get(idx))
            .map(|c| c.name.clone());
        let labels = finding.primary.iter().chain(finding.secondary.iter());
        let by_label = labels.clone().find_map(|label| {
            if Arc::ptr_eq(&label.source, &doc.source) {
                spans
                    .iter()
                    .find(|(span, _)| {
                        span.start <= label.span.start && label.span.end <= span.end && span.end > span.start
                    })
                    .map(|(_, name)| (*name).to_owned())
            } else {
                loaded
                    .clusters
                    .iter()
                    .find(|c| {
                        Arc::ptr_eq(&c.pools_doc.source, &label.source)
                            || c.state_docs.iter().any(|d| Arc::ptr_eq(&d.source, &label.source))
                    })
                    .map(|c| c.name.clone())
            }
        });
        finding.cluster = by_pointer.or(by_label);
        finding.pool = pool_of(loaded, finding, &mut extents);
    }
}

/// The bytes of cluster `idx`'s entry: up to the next cluster's start; only the last one needs
/// the (linear) extent search, so attributing findings stays linear in the plan's size.
fn cluster_extent<'a>(
    extents: &mut ExtentCache<'a>,
    doc: &'a crate::source::Document,
    count: usize,
    idx: usize,
) -> std::ops::Range<usize> {
    let start = doc.map.value_span(&format!("/spec/clusters/{idx}")).start;
    if idx + 1 < count {
        start..doc.map.value_span(&format!("/spec/clusters/{}", idx + 1)).start
    } else {
        extents.extent(doc, &format!("/spec/clusters/{idx}"))
    }
}

/// The extent indexes of the documents findings are placed in, each made when first needed and
/// dropped when the findings are attributed.
#[derive(Default)]
struct ExtentCache<'a>(Vec<crate::source::Extents<'a>>);

impl<'a> ExtentCache<'a> {
    fn extent(&mut self, doc: &'a crate::source::Document, pointer: &str) -> std::ops::Range<usize> {
        if let Some(extents) = self.0.iter().find(|e| std::ptr::eq(e.doc(), doc)) {
            return extents.extent(pointer);
        }
        let extents = doc.extents();
        let extent = extents.extent(pointer);
        self.0.push(extents);
        extent
    }
}

/// The pool a finding is about: its plan pointer or a label inside a pool's entry.
fn pool_of<'a>(loaded: &'a Loaded, finding: &Finding, extents: &mut ExtentCache<'a>) -> Option<String> {
    let cluster = loaded
        .clusters
        .iter()
        .find(|c| Some(&c.name) == finding.cluster.as_ref())?;
    if let Some(pointer) = &finding.pointer {
        for (idx, pool_pointer) in cluster.pool_pointers.iter().enumerate() {
            if Arc::ptr_eq(&cluster.pools_doc.source, &loaded.doc.as_ref()?.source)
                && (pointer == pool_pointer || pointer.starts_with(&format!("{pool_pointer}/")))
            {
                return cluster.current.node_pools.get(idx).map(|p| p.name.to_string());
            }
        }
    }
    let label = finding.primary.as_ref()?;
    if !Arc::ptr_eq(&label.source, &cluster.pools_doc.source) {
        return None;
    }
    cluster
        .pool_pointers
        .iter()
        .enumerate()
        .find_map(|(idx, pool_pointer)| {
            // Up to the next pool's start; only the last pool needs the linear extent search.
            let start = cluster.pools_doc.map.value_span(pool_pointer).start;
            let span = match cluster.pool_pointers.get(idx + 1) {
                Some(next) => start..cluster.pools_doc.map.value_span(next).start,
                None => extents.extent(&cluster.pools_doc, pool_pointer),
            };
            (span.start <= label.span.start && label.span.end <= span.end && span.end > span.start)
                .then(|| cluster.current.node_pools.get(idx).map(|p| p.name.to_string()))
                .flatten()
        })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    /// Once the typed plan is built, the document keeps its places (source map and text) but
    /// not its value tree; findings still land on their lines.
    #[test]
    fn a_loaded_plan_keeps_places_not_its_value_tree() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
        let bytes = std::fs::read(root.join("single-cluster.yaml")).unwrap();
        let loaded = load_plan("single-cluster.yaml", bytes, Format::Yaml, &root);
        assert!(loaded.plan.is_some());
        let doc = loaded.doc.unwrap();
        assert!(doc.value.is_null());
        let label = doc.label("/spec/clusters/0/name");
        assert!(doc.source.text[label.span.clone()].contains("aks-shop-weu"));
        // A plan that is refused keeps its tree (the findings were made from it).
        let refused = load_plan(
            "x.yaml",
            b"apiVersion: aksplan/v1\nkind: UpgradePlan\nspec: 3\n",
            Format::Yaml,
            &root,
        );
        assert!(refused.plan.is_none());
        assert!(refused.doc.unwrap().value.is_object());
    }

    /// A current state written in the plan is the resolved cluster's very state, not a copy of
    /// it; one read from saved `az` files is the cluster's own.
    #[test]
    fn a_written_current_state_is_shared_not_copied() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
        let bytes = std::fs::read(root.join("single-cluster.yaml")).unwrap();
        let loaded = load_plan("single-cluster.yaml", bytes, Format::Yaml, &root);
        let plan = loaded.plan.as_ref().unwrap();
        let written = plan.spec.clusters[0].current.as_ref().unwrap();
        assert!(Arc::ptr_eq(&loaded.clusters[0].current, written));
        let bytes = std::fs::read(root.join("from-az-show.yaml")).unwrap();
        let loaded = load_plan("from-az-show.yaml", bytes, Format::Yaml, &root);
        assert!(loaded.plan.as_ref().unwrap().spec.clusters[0].current.is_none());
        assert!(!loaded.clusters[0].current.node_pools.is_empty());
    }
}
