//! Is this a plan at all? Said early, so that a Kubernetes manifest or an `az` output passed by
//! mistake gets one clear sentence instead of a page of schema errors.

use crate::codes;
use crate::finding::Finding;
use crate::source::Document;
use crate::tree::Node;

pub fn check_header(doc: &Document, root: &Node) -> Option<Finding> {
    let hint =
        "a plan starts with `apiVersion: aksplan/v1` and `kind: UpgradePlan`; `aksplan init` writes one";
    if root.as_object().is_none() {
        return Some(
            Finding::new(codes::WRONG_TYPE, "the plan must be a mapping at the top level")
                .at(doc.label(""))
                .help(hint),
        );
    };
    if root.get("agentPoolProfiles").is_some() || root.get("currentKubernetesVersion").is_some() {
        return Some(
            Finding::new(
                codes::NOT_A_PLAN,
                format!("`{}` is `az aks show` output, not a plan", doc.source.name),
            )
            .at(doc.label(""))
            .help(format!(
                "refer to it from a plan with `currentFrom`, or run `aksplan init --from {}`",
                doc.source.name
            )),
        );
    }
    let api_version = root.get("apiVersion");
    let kind = root.get("kind");
    match (api_version, kind) {
        (Some(Node::String(api)), _) if &**api != "aksplan/v1" => Some(
            Finding::new(
                codes::NOT_A_PLAN,
                format!("`apiVersion: {api}` is not an aksplan plan"),
            )
            .at(doc.label("/apiVersion"))
            .pointer("/apiVersion")
            .help(if api.starts_with("aksplan/") {
                "this aksplan understands `apiVersion: aksplan/v1`".to_owned()
            } else {
                hint.to_owned()
            }),
        ),
        (_, Some(Node::String(kind)))
            if &**kind != "UpgradePlan" && kind.eq_ignore_ascii_case("UpgradePlan") =>
        {
            None
        }
        (_, Some(Node::String(kind))) if &**kind != "UpgradePlan" => Some(
            Finding::new(
                codes::NOT_A_PLAN,
                format!("`kind: {kind}` is not an aksplan plan"),
            )
            .at(doc.label("/kind"))
            .pointer("/kind")
            .help(hint),
        ),
        _ => None,
    }
}
