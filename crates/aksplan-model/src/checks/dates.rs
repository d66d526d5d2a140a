//! Dates, timestamps and durations parse, and ranges are not backwards.

use super::Context;
use crate::codes;
use crate::finding::Finding;
use crate::time::{parse_date, parse_duration, parse_timestamp};

pub fn check(ctx: &Context<'_>, findings: &mut Vec<Finding>) {
    let doc = ctx.doc;
    let mut bad = |pointer: String, message: String, help: &str| {
        findings.push(
            Finding::new(codes::INVALID_TIME, message)
                .at(doc.label(&pointer))
                .pointer(pointer)
                .help(help),
        );
    };
    let date_help = "write dates as `YYYY-MM-DD`, e.g. `2026-12-01`";
    let spec = &ctx.plan.spec;
    if let Some(as_of) = &spec.as_of
        && let Err(message) = parse_date(as_of)
    {
        bad("/spec/asOf".into(), message, date_help);
    }
    for (w, window) in spec.change_windows.iter().enumerate() {
        if let Err(message) = parse_timestamp(&window.start) {
            bad(
                format!("/spec/changeWindows/{w}/start"),
                message,
                "write RFC 3339 with an offset, e.g. `2026-12-05T22:00:00+01:00`",
            );
        }
    }
    for (w, waiver) in spec.waivers.iter().enumerate() {
        if let Some(expires) = &waiver.expires
            && let Err(message) = parse_date(expires)
        {
            bad(format!("/spec/waivers/{w}/expires"), message, date_help);
        }
    }
    if let Some(rollout) = &spec.rollout {
        for (s, stage) in rollout.stages.iter().enumerate() {
            if let Some(wait) = &stage.after_stage_wait
                && let Err(message) = parse_duration(wait)
            {
                bad(
                    format!("/spec/rollout/stages/{s}/afterStageWait"),
                    message,
                    "units are d, h, m, s, largest first: `48h`, `1d12h`, `90m`",
                );
            }
        }
    }
    for (c, cluster) in spec.clusters.iter().enumerate() {
        let planned = cluster
            .maintenance
            .as_ref()
            .map(|m| (format!("/spec/clusters/{c}/maintenance"), m));
        let current = cluster
            .current
            .as_ref()
            .and_then(|current| current.maintenance.as_ref())
            .map(|m| (format!("/spec/clusters/{c}/current/maintenance"), m));
        for (prefix, maintenance) in planned.into_iter().chain(current) {
            for (name, window) in maintenance.entries() {
                let base = format!("{prefix}/{name}");
                if let Some(start) = &window.start_date
                    && let Err(message) = parse_date(start)
                {
                    bad(format!("{base}/startDate"), message, date_help);
                }
                for (d, span) in window.not_allowed_dates.iter().enumerate() {
                    let start = parse_date(&span.start);
                    let end = parse_date(&span.end);
                    if let Err(message) = &start {
                        bad(
                            format!("{base}/notAllowedDates/{d}/start"),
                            message.clone(),
                            date_help,
                        );
                    }
                    if let Err(message) = &end {
                        bad(
                            format!("{base}/notAllowedDates/{d}/end"),
                            message.clone(),
                            date_help,
                        );
                    }
                    if let (Ok(start), Ok(end)) = (start, end)
                        && end < start
                    {
                        bad(
                            format!("{base}/notAllowedDates/{d}/end"),
                            format!("the range ends (`{end}`) before it starts (`{start}`)"),
                            "swap `start` and `end`",
                        );
                    }
                }
            }
        }
    }
}
