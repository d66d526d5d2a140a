//! The pipeline every command that looks at a plan runs: load, rules, compile, schedule,
//! policies, cluster attribution, waivers. One function, [`run`], so that `check`, `plan`,
//! `emit`, `diff` and `input`, the fuzz targets, the benchmarks and the tests cannot drift apart
//! in what they consider a plan's findings.
//!
//! Policies run in a child process that only the binary can start; the pipeline reaches them
//! through the [`Policies`] trait. It reads files (through [`inputs`]) but never prints, never
//! exits and never reads the clock: "today" is the caller's [`Options::today`].

pub mod inputs;
pub mod snapshot;

use std::path::Path;
use std::sync::Arc;

use aksplan_catalog::Catalog;
use aksplan_graph::{Compiled, Schedule};
use aksplan_model::Loaded;
use aksplan_model::codes;
use aksplan_model::finding::{Finding, Severity};
use aksplan_model::plan::Plan;
use aksplan_model::source::Document;
use aksplan_rules::Context;
use jiff::civil::Date;

pub use inputs::PlanInput;

/// The team's policies, as the pipeline sees them: started before the plan is loaded (so that
/// they are parsed and compiled meanwhile), finished on the checked plan and its graph.
pub trait Policies: Send {
    /// Called first, before the plan is read: find the policies (beside `base`, the plan's
    /// folder, or where the caller was told) and start preparing them.
    fn start(&mut self, base: &Path);
    /// The policies' findings on the plan (or coded errors: a policy that cannot run is never a
    /// pass). Called once, when the rules ran; `compiled` is `None` when the plan has errors.
    fn finish(&mut self, ctx: &Context<'_>, compiled: Option<(&Compiled, &Schedule)>) -> Vec<Finding>;
}

/// No policies: the fuzz targets, the benchmarks, `diff`, and `--no-policy`.
pub struct NoPolicies;

impl Policies for NoPolicies {
    fn start(&mut self, _base: &Path) {}
    fn finish(&mut self, _ctx: &Context<'_>, _compiled: Option<(&Compiled, &Schedule)>) -> Vec<Finding> {
        Vec::new()
    }
}

/// What to run beyond loading and the rules, and what to judge by.
#[derive(Clone)]
pub struct Options {
    pub catalog: Arc<Catalog>,
    /// `--as-of`: the date support status is judged on, before the plan's `asOf`.
    pub as_of: Option<Date>,
    /// The date used when neither `--as-of` nor `asOf` gives one (with a note, AKS007), asked
    /// only then: the binary passes the calendar, everything else a fixed day, so runs repeat.
    pub today: fn() -> Date,
    /// Compile and schedule (when the plan has no errors).
    pub compile: bool,
    /// Report the compiler's and the scheduler's own findings (`plan`, `emit`), or only use the
    /// compiled graph as the policies' input (`check`).
    pub report_compile: bool,
    /// Kubernetes manifests (`--manifests`), one document per object.
    pub manifests: Arc<[Document]>,
}

impl Options {
    /// Compile and report everything, no manifests.
    pub fn new(catalog: Arc<Catalog>, as_of: Option<Date>, today: fn() -> Date) -> Self {
        Self {
            catalog,
            as_of,
            today,
            compile: true,
            report_compile: true,
            manifests: Arc::from(Vec::new()),
        }
    }
}

/// One plan, checked and (when it has no errors) compiled and scheduled.
pub struct Checked {
    pub loaded: Loaded,
    pub catalog: Arc<Catalog>,
    /// Every finding, clusters attributed, waivers applied, sorted.
    pub findings: Vec<Finding>,
    /// The findings of loading and the rules only (before the compiler's and the policies').
    pub early: Vec<Finding>,
    /// Whether the rules ran (the plan loaded without errors).
    pub rules_ran: bool,
    /// The date support was judged on, when the rules ran.
    pub as_of: Option<Date>,
    pub compiled: Option<(Compiled, Schedule)>,
}

impl Checked {
    /// The rules' view of the plan, to build more on (the policy input, say).
    pub fn context(&self) -> Option<Context<'_>> {
        let (Some(plan), Some(doc), Some(as_of)) = (&self.loaded.plan, &self.loaded.doc, self.as_of) else {
            return None;
        };
        Some(Context::new(
            doc,
            plan,
            &self.loaded.clusters,
            &self.catalog,
            as_of,
            &[],
        ))
    }

    /// Whether a finding stops the plan from being executed: an error that is not waived.
    pub fn rejected(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.waived.is_none() && f.severity == Severity::Error)
    }

    /// Whether aksplan could not give a verdict (a policy or catalog that could not be used).
    pub fn could_not_run(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.code.category() == codes::Category::Tool)
    }

    /// The plan and its compiled, scheduled graph, when the plan is accepted (no error that is
    /// not waived): what the emitters may turn into something to execute.
    pub fn accepted(&self) -> Option<(&Plan, &Compiled, &Schedule)> {
        let (Some((compiled, schedule)), Some(plan)) = (&self.compiled, &self.loaded.plan) else {
            return None;
        };
        (!self.rejected() && !self.could_not_run()).then_some((plan, compiled, schedule))
    }
}

/// Checks, compiles and schedules one plan, and runs the policies on it. The input is taken, not
/// borrowed: its bytes become the plan's text without a copy (a second copy of the file lived
/// for the whole run).
pub fn run(input: PlanInput, options: &Options, policies: &mut dyn Policies) -> Checked {
    run_with(input, options, policies, None)
}

/// The compiled plan, handed to the caller while the policies evaluate it.
pub struct Meanwhile<'a> {
    pub plan: &'a Plan,
    pub compiled: &'a Compiled,
    pub schedule: &'a Schedule,
}

/// [`run`], calling `meanwhile` with the compiled plan while the policies evaluate it
/// (`meanwhile` on a thread of its own, the policies on the caller's): an emitter makes its
/// output then, and keeps it only if the plan is accepted with the policies' findings. Without a
/// compiled plan `meanwhile` is not called.
pub fn run_with(
    input: PlanInput,
    options: &Options,
    policies: &mut dyn Policies,
    meanwhile: Option<&mut (dyn FnMut(Meanwhile<'_>) + Send)>,
) -> Checked {
    // Started first: the policy evaluator prepares the policies while the plan is loaded.
    policies.start(&input.base);
    let PlanInput {
        name,
        bytes,
        format,
        base,
    } = input;
    let loaded = aksplan_model::load_plan(&name, bytes, format, &base);
    let mut findings = loaded.findings.clone();
    let rules_ran = loaded.plan.is_some() && !loaded.has_errors();
    let mut compiled = None;
    let mut as_of_used = None;
    let mut early = findings.clone();
    // Only a plan that loaded has a date to be judged on (and only then is the clock asked).
    let (as_of, note) = match &loaded.plan {
        Some(_) => {
            let (as_of, note) = as_of_date(options.as_of, options.today, &loaded);
            (Some(as_of), note)
        }
        None => (None, None),
    };
    if let (Some(plan), Some(doc), Some(as_of), true) = (&loaded.plan, &loaded.doc, as_of, rules_ran) {
        as_of_used = Some(as_of);
        findings.extend(note);
        let ctx = Context::new(
            doc,
            plan,
            &loaded.clusters,
            &options.catalog,
            as_of,
            &options.manifests,
        );
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
            let evaluated = match meanwhile {
                Some(meanwhile) => beside(&ctx, &graph, &schedule, policies, meanwhile),
                None => policies.finish(&ctx, Some((&graph, &schedule))),
            };
            findings.extend(evaluated);
            compiled = Some((graph, schedule));
        } else {
            findings.extend(policies.finish(&ctx, None));
        }
    }
    aksplan_model::attribute_clusters(&loaded, &mut findings);
    if let (Some(plan), Some(doc), Some(as_of)) = (&loaded.plan, &loaded.doc, as_of) {
        aksplan_model::waivers::apply(plan, doc, as_of, rules_ran, &mut findings);
    }
    aksplan_model::finding::sort_findings(&mut findings);
    Checked {
        loaded,
        catalog: Arc::clone(&options.catalog),
        findings,
        early,
        rules_ran,
        as_of: as_of_used,
        compiled,
    }
}

/// The policies' findings on the compiled plan, evaluated on this thread while another runs
/// `meanwhile` on the plan; in turn when no thread can be started. The policies' input is made
/// here because each thread allocates from an arena of its own: this thread's holds what reading
/// the plan freed, which the input's index reuses (made on the other thread, it was 3.3 MiB of
/// new memory at the peak of a 1,000-cluster run); the output is written as it is made.
fn beside(
    ctx: &Context<'_>,
    graph: &Compiled,
    schedule: &Schedule,
    policies: &mut dyn Policies,
    meanwhile: &mut (dyn FnMut(Meanwhile<'_>) + Send),
) -> Vec<Finding> {
    let compiled = || Meanwhile {
        plan: ctx.plan,
        compiled: graph,
        schedule,
    };
    // Shared by the thread and the fallback below (only one of them runs it).
    let meanwhile = std::sync::Mutex::new(meanwhile);
    let run = || {
        let mut meanwhile = meanwhile
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        meanwhile(compiled());
    };
    std::thread::scope(|scope| {
        match std::thread::Builder::new()
            .name("aksplan-output".into())
            .spawn_scoped(scope, run)
        {
            Ok(running) => {
                let findings = policies.finish(ctx, Some((graph, schedule)));
                // A panic there is the process's, as it would have been on this thread.
                running
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                findings
            }
            Err(_) => {
                let findings = policies.finish(ctx, Some((graph, schedule)));
                run();
                findings
            }
        }
    })
}

/// The date support is judged on: `--as-of`, else the plan's `asOf`, else `today` (and a note).
pub fn as_of_date(flag: Option<Date>, today: fn() -> Date, loaded: &Loaded) -> (Date, Option<Finding>) {
    if let Some(date) = flag {
        return (date, None);
    }
    let from_plan = loaded
        .plan
        .as_ref()
        .and_then(|plan| plan.spec.as_of.as_deref())
        .and_then(|d| d.parse().ok());
    if let Some(date) = from_plan {
        return (date, None);
    }
    let today = today();
    let mut note = Finding::new(
        codes::AS_OF_TODAY,
        format!("no `asOf`: support status is judged as of today, {today}"),
    )
    .help("set `spec.asOf` (or pass `--as-of`) so that the result does not change with the calendar");
    if let Some(doc) = &loaded.doc {
        note = note.at(doc.key_label("/spec"));
    }
    (today, Some(note))
}
