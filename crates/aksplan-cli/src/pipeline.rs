//! The pipeline every command that looks at a plan runs: load, rules, compile, schedule,
//! policies, cluster attribution, waivers. One function, so `check`, `plan`, `emit`, `diff` and
//! `input` cannot drift apart in what they consider a plan's findings.

use std::path::Path;

use aksplan_catalog::Catalog;
use aksplan_graph::{Compiled, Schedule};
use aksplan_model::Loaded;
use aksplan_model::finding::{Finding, Severity};
use aksplan_model::source::{Document, Format};
use jiff::civil::Date;

use crate::args::PolicyArgs;

/// What to run beyond loading and the rules.
pub struct Options<'a> {
    pub catalog: &'a Catalog,
    pub as_of: Option<Date>,
    /// Compile and schedule (when the plan has no errors).
    pub compile: bool,
    /// Report the compiler's and the scheduler's own findings (`plan`, `emit`), or only use the
    /// compiled graph as the policies' input (`check`).
    pub report_compile: bool,
    /// Evaluate these policies (after compiling, so they see the graph).
    pub policy: Option<&'a PolicyArgs>,
    pub manifests: &'a [Document],
    /// Where the plan lives (for `policies/` beside it).
    pub base: &'a Path,
}

pub struct Analysed {
    pub loaded: Loaded,
    /// Every finding, clusters attributed, waivers applied, sorted.
    pub findings: Vec<Finding>,
    /// The findings of loading and the rules only (before the compiler's).
    pub early: Vec<Finding>,
    /// Whether the rules ran (the plan loaded without errors).
    pub rules_ran: bool,
    pub as_of: Option<Date>,
    pub compiled: Option<(Compiled, Schedule)>,
}

impl Analysed {
    /// The rules' view of the plan, to build more on (the policy input, say).
    pub fn context<'a>(&'a self, catalog: &'a Catalog) -> Option<aksplan_rules::Context<'a>> {
        let (Some(plan), Some(doc), Some(as_of)) = (&self.loaded.plan, &self.loaded.doc, self.as_of) else {
            return None;
        };
        Some(aksplan_rules::Context {
            doc,
            plan,
            clusters: &self.loaded.clusters,
            catalog,
            as_of,
            manifests: &[],
        })
    }
}

/// A plan named on the command line, read, with the catalog to judge it by.
pub struct Input {
    pub catalog: Catalog,
    /// The name findings show (`<stdin>` for `-`).
    pub display: String,
    pub bytes: Vec<u8>,
    pub format: Format,
    pub base: std::path::PathBuf,
}

/// Reads the catalog and the plan; problems are tool errors (exit 2).
pub fn open(
    plan: &str,
    input_format: Option<crate::args::InputFormat>,
    catalog: Option<&Path>,
) -> Result<Input, Vec<Finding>> {
    let catalog = crate::load_catalog(catalog)?;
    let (bytes, format, base) = crate::read_input(plan, input_format).map_err(|f| vec![f])?;
    let display = if plan == "-" {
        "<stdin>".to_owned()
    } else {
        plan.to_owned()
    };
    Ok(Input {
        catalog,
        display,
        bytes,
        format,
        base,
    })
}

pub fn analyse(name: &str, bytes: &[u8], format: Format, options: &Options<'_>) -> Analysed {
    // Started first: the policy evaluator prepares the policies while the plan is loaded.
    let mut policies = options
        .policy
        .map(|args| crate::policy::start(args, options.base));
    let loaded = aksplan_model::load_plan(name, bytes, format, options.base);
    let mut findings = loaded.findings.clone();
    let rules_ran = loaded.plan.is_some() && !loaded.has_errors();
    let mut compiled = None;
    let mut as_of_used = None;
    let mut early = findings.clone();
    if let (Some(plan), Some(doc), true) = (&loaded.plan, &loaded.doc, rules_ran) {
        let (as_of, note) = crate::as_of_date(options.as_of, &loaded);
        as_of_used = Some(as_of);
        findings.extend(note);
        let ctx = aksplan_rules::Context {
            doc,
            plan,
            clusters: &loaded.clusters,
            catalog: options.catalog,
            as_of,
            manifests: options.manifests,
        };
        findings.extend(aksplan_rules::check(&ctx));
        early = findings.clone();
        let clean = !findings.iter().any(|f| f.severity == Severity::Error);
        if options.compile && clean {
            let graph = aksplan_graph::compile(&ctx);
            let schedule = aksplan_graph::schedule(&ctx, &graph);
            if options.report_compile {
                findings.extend(graph.findings.iter().cloned());
                findings.extend(schedule.findings.iter().cloned());
            }
            if let Some(started) = policies.take() {
                findings.extend(crate::policy::finish(started, &ctx, Some((&graph, &schedule))));
            }
            compiled = Some((graph, schedule));
        } else if let Some(started) = policies.take() {
            findings.extend(crate::policy::finish(started, &ctx, None));
        }
    }
    aksplan_model::attribute_clusters(&loaded, &mut findings);
    if let (Some(plan), Some(doc)) = (&loaded.plan, &loaded.doc) {
        let (as_of, _) = crate::as_of_date(options.as_of, &loaded);
        aksplan_model::waivers::apply(plan, doc, as_of, rules_ran, &mut findings);
    }
    aksplan_model::finding::sort_findings(&mut findings);
    Analysed {
        loaded,
        findings,
        early,
        rules_ran,
        as_of: as_of_used,
        compiled,
    }
}
