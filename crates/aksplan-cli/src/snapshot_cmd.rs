//! `aksplan snapshot`: runs the real `az` (and `kubectl`) through [`aksplan_pipeline::snapshot`]
//! and writes the folder. Progress goes to stderr; the first failing command stops everything and
//! nothing is written.

use std::process::{Command, Stdio};

use aksplan_model::finding::Finding;
use aksplan_pipeline::snapshot::{self, RunError, Runner, Target};

use crate::Invocation;
use crate::args::SnapshotArgs;
use crate::output::{ExitStatus, tool_errors, write_stderr};

/// Runs programs from `PATH`, stdin closed, stdout kept, stderr kept for the diagnosis.
struct Processes;

impl Runner for Processes {
    fn run(&mut self, program: &str, args: &[String]) -> Result<Vec<u8>, RunError> {
        let output = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            // `az` must not ask anything or colour its errors: the snapshot runs unattended.
            .env("AZURE_CORE_NO_COLOR", "1")
            .env("AZURE_CORE_COLLECT_TELEMETRY", "0")
            .output()
            .map_err(|err| RunError::NotInstalled(err.to_string()))?;
        if output.status.success() {
            Ok(output.stdout)
        } else {
            Err(RunError::Failed {
                status: output.status.code(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            })
        }
    }
}

pub fn run(args: &SnapshotArgs, inv: &Invocation) -> ExitStatus {
    let targets = match targets(args) {
        Ok(targets) => targets,
        Err(finding) => return tool_errors(&[finding], inv.human),
    };
    let quiet = args.quiet;
    let mut progress = |line: &str| {
        if !quiet {
            write_stderr(&format!("{line}\n"));
        }
    };
    let taken = snapshot::take(&targets, &mut Processes, &mut progress)
        .and_then(|snap| snapshot::write(&snap, &args.output, args.force).map(|()| snap));
    match taken {
        Ok(snap) => {
            if !quiet {
                write_stderr(&format!(
                    "wrote `{}` ({} files from {} commands); next: `aksplan init --from {} -o plan.yaml`\n",
                    args.output.display(),
                    snap.files.len() + 1,
                    snap.commands.len(),
                    args.output.display()
                ));
            }
            ExitStatus::Success
        }
        Err(finding) => {
            let nothing = format!("nothing was written to `{}`", args.output.display());
            let help = match finding.help.clone() {
                Some(help) => format!("{help}; {nothing}"),
                None => nothing,
            };
            let finding = finding.help(help);
            tool_errors(&[finding], inv.human)
        }
    }
}

/// The clusters to snapshot: `-g`/`-n` pairs, or every cluster of `--plan`; each with its
/// `kubectl` context.
fn targets(args: &SnapshotArgs) -> Result<Vec<Target>, Finding> {
    let usage = |message: String, help: &str| {
        Finding::new(aksplan_model::codes::SNAPSHOT, message).help(help.to_owned())
    };
    let mut targets: Vec<Target> = match &args.plan {
        Some(path) => {
            let input = aksplan_pipeline::inputs::read_plan(&path.to_string_lossy(), None)?;
            let loaded = aksplan_model::load_plan(&input.name, input.bytes, input.format, &input.base);
            let Some(plan) = loaded.plan else {
                return Err(usage(
                    format!("`{}` could not be read as a plan", path.display()),
                    "run `aksplan check` on it to see why",
                ));
            };
            plan.spec
                .clusters
                .iter()
                .map(|c| Target {
                    resource_group: c.resource_group.clone(),
                    name: c.name.clone(),
                    subscription: c.subscription.clone().or(args.subscription.clone()),
                    kube_context: None,
                })
                .collect()
        }
        None => {
            let groups = &args.resource_group;
            if groups.len() != 1 && groups.len() != args.name.len() {
                return Err(usage(
                    format!(
                        "{} resource groups for {} clusters",
                        groups.len(),
                        args.name.len()
                    ),
                    "give one `-g` for all clusters, or one `-g` before each `-n`",
                ));
            }
            args.name
                .iter()
                .enumerate()
                .map(|(i, name)| Target {
                    resource_group: groups[if groups.len() == 1 { 0 } else { i }].clone(),
                    name: name.clone(),
                    subscription: args.subscription.clone(),
                    kube_context: None,
                })
                .collect()
        }
    };
    for context in &args.kube_context {
        match context.split_once('=') {
            Some((cluster, ctx)) => {
                let Some(target) = targets.iter_mut().find(|t| t.name == cluster) else {
                    return Err(usage(
                        format!("`--kube-context {context}` names no cluster being snapshotted"),
                        "write `CLUSTER=CONTEXT` with one of the clusters named by `-n` or the plan",
                    ));
                };
                target.kube_context = Some(ctx.to_owned());
            }
            None if targets.len() == 1 => targets[0].kube_context = Some(context.clone()),
            None => {
                return Err(usage(
                    format!("`--kube-context {context}` does not say which cluster it reaches"),
                    "with several clusters write `--kube-context CLUSTER=CONTEXT`",
                ));
            }
        }
    }
    Ok(targets)
}
