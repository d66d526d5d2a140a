//! `aksplan schema [plan]`: the JSON Schema of the plan language.

use crate::Invocation;
use crate::args::{SchemaArgs, SchemaKind};
use crate::output::{ExitStatus, write_stdout};

pub fn run(args: &SchemaArgs, _inv: &Invocation) -> ExitStatus {
    match args.kind {
        SchemaKind::Plan => write_stdout(&aksplan_model::schema::plan_schema_text()),
    }
    ExitStatus::Success
}
