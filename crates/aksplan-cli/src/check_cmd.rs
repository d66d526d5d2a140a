//! `aksplan check PLAN...`: every plan through the pipeline (compiled only so that policies see
//! the graph), the findings in each requested format.

use aksplan_model::codes;
use aksplan_model::finding::Finding;
use aksplan_report::{FileSummary, ReportInput};

use crate::args::{CheckArgs, FailOn, OutputFormat};
use crate::output::{ExitStatus, verdict, write_atomically, write_stderr, write_stdout};
use crate::{DOCS_URL, Invocation, config};

pub fn run(args: &CheckArgs, inv: &Invocation) -> ExitStatus {
    let effective = match config::resolve(&args.shared, &inv.sub_matches, &inv.cwd, inv.input_limit.clone()) {
        Ok(effective) => effective,
        Err(findings) => return crate::output::tool_errors(&findings, inv.human),
    };
    let mut findings = Vec::new();
    let mut files = Vec::new();
    let manifests = aksplan_pipeline::inputs::load_manifests(&args.manifests, &mut findings);
    let catalog = match aksplan_pipeline::inputs::load_catalog(effective.catalog.value.as_deref()) {
        Ok(catalog) => Some(catalog),
        Err(errors) => {
            findings.extend(errors);
            None
        }
    };
    // Policy paths from `aksplan.toml` apply when neither a flag nor `AKSPLAN_POLICY` names any.
    let mut policy_args = args.policy.clone();
    if policy_args.policies.is_empty() && !policy_args.no_policy {
        policy_args.policies = effective.policies.value.clone();
    }
    if let Some(catalog) = catalog {
        // One analysis, one verdict, whichever command: `check` reports what `plan` and `emit`
        // report, the compiler's and the scheduler's findings included (a step that fits no
        // window fails `check --fail-on warning` as it warns in `plan`).
        let options = aksplan_pipeline::Options {
            compile: true,
            report_compile: true,
            manifests: manifests.into(),
            ..aksplan_pipeline::Options::new(catalog.into(), args.as_of, crate::today)
        };
        for name in &args.plans {
            match aksplan_pipeline::inputs::read_plan(name, args.input_format.map(Into::into)) {
                Ok(input) => {
                    let start = findings.len();
                    let name = input.name.clone();
                    let mut policies = crate::policy::ChildPolicies::new(Some(&policy_args));
                    let checked = aksplan_pipeline::run(input, &options, &mut policies);
                    let clusters = checked
                        .loaded
                        .plan
                        .as_ref()
                        .map(|p| p.spec.clusters.iter().map(|c| c.name.clone()).collect())
                        .unwrap_or_default();
                    let own = start..start + checked.findings.len();
                    findings.extend(checked.findings);
                    files.push(FileSummary {
                        name,
                        clusters,
                        rules_ran: checked.rules_ran,
                        findings: own,
                    });
                }
                Err(finding) => {
                    files.push(FileSummary {
                        name: display_name(name).to_owned(),
                        clusters: Vec::new(),
                        rules_ran: false,
                        findings: findings.len()..findings.len() + 1,
                    });
                    findings.push(finding);
                }
            }
        }
    }
    // Every code `check` can report, for the SARIF rule table and the JUnit cases.
    let codes = aksplan_rules::registry::check_codes();
    let input = ReportInput {
        findings: &findings,
        files: &files,
        codes: &codes,
        tool_version: env!("CARGO_PKG_VERSION"),
        docs_url: DOCS_URL,
        fail_on: match effective.fail_on.value {
            FailOn::Error => Some(aksplan_model::finding::Severity::Error),
            FailOn::Warning => Some(aksplan_model::finding::Severity::Warning),
            FailOn::Never => None,
        },
    };
    let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
    // On the terminal: errors first, and only down to `--min-severity` (`--quiet`: warnings).
    let min = match (args.shared.quiet, args.shared.min_severity) {
        (_, Some(level)) => level.severity(),
        (true, None) => aksplan_model::finding::Severity::Warning,
        (false, None) => aksplan_model::finding::Severity::Info,
    };
    let shown = aksplan_report::for_terminal(&findings, min);
    let mut write_failures = Vec::new();
    let to_stdout = effective
        .formats
        .value
        .iter()
        .filter(|s| s.path.is_none() && !matches!(s.format, OutputFormat::Human | OutputFormat::Concise))
        .count();
    if to_stdout > 1 {
        write_failures.push(
            Finding::new(
                codes::CANNOT_WRITE,
                "more than one format would go to standard output",
            )
            .help("give all but one a file: `--format sarif=aksplan.sarif --format json`"),
        );
    }
    for spec in &effective.formats.value {
        let text = match spec.format {
            OutputFormat::Human => {
                let mut text = aksplan_report::render_human(&shown, inv.human);
                text.push_str(&aksplan_report::summary_line(&findings, args.plans.len()));
                text.push('\n');
                text
            }
            OutputFormat::Concise => {
                let mut text = aksplan_report::render_concise(&shown);
                text.push_str(&aksplan_report::summary_line(&findings, args.plans.len()));
                text.push('\n');
                text
            }
            OutputFormat::Json => aksplan_report::render_json(&findings, &names),
            OutputFormat::Sarif => aksplan_report::ci::render_sarif(&input),
            OutputFormat::Junit => aksplan_report::ci::render_junit(&input),
            OutputFormat::Github => aksplan_report::ci::render_github(&input),
            OutputFormat::AzureDevops => aksplan_report::ci::render_azure_devops(&input),
            OutputFormat::Markdown => aksplan_report::ci::render_markdown(&input),
        };
        match (&spec.path, spec.format) {
            (Some(path), _) => {
                if let Err(finding) = write_atomically(path, &text, true) {
                    write_failures.push(finding);
                }
            }
            (None, OutputFormat::Human | OutputFormat::Concise) => write_stderr(&text),
            (None, _) if to_stdout <= 1 => write_stdout(&text),
            (None, _) => {}
        }
    }
    if !write_failures.is_empty() {
        return crate::output::tool_errors(&write_failures, inv.human);
    }
    verdict(&findings, effective.fail_on.value)
}

/// The name findings show for a plan argument.
fn display_name(name: &str) -> &str {
    if name == "-" { "<stdin>" } else { name }
}
