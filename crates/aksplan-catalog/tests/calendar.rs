//! Every date of the embedded catalog against the AKS release calendar it cites, as the project's
//! AKS reference records it (`aks-upgrade-rules.md` §2.3, beside the repository): the GA and
//! end-of-life months of the calendar table, the community end of life of the earlier minors,
//! and the end of LTS. A month means its last day for an end, its first for GA.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::Path;

use aksplan_catalog::Catalog;
use aksplan_model::KubeVersion;
use jiff::civil::Date;

fn reference() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/docs/aks-upgrade-rules.md");
    std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Mar 2026` (a month: its first or last day) or `2025-08-22` (a day).
fn date(text: &str, end: bool) -> Date {
    let text = text.trim().trim_end_matches(['.', ',', ';']);
    if let Ok(day) = text.parse::<Date>() {
        return day;
    }
    let (month, year) = text
        .split_once(' ')
        .unwrap_or_else(|| panic!("not a date: {text}"));
    let month = MONTHS
        .iter()
        .position(|m| *m == month)
        .unwrap_or_else(|| panic!("not a month: {month}"));
    let first = jiff::civil::date(year.parse().unwrap(), i8::try_from(month + 1).unwrap(), 1);
    if end { first.last_of_month() } else { first }
}

/// `1.28 Jan 2025, 1.29 Mar 2025, 1.30 2025-08-22` → minor → date.
fn listed(text: &str, end: bool) -> BTreeMap<String, Date> {
    text.split(',')
        .map(|item| {
            let item = item.trim();
            let (minor, when) = item.split_once(' ').unwrap();
            (minor.to_owned(), date(when, end))
        })
        .collect()
}

/// The text after `marker` up to the end of its bullet (the next line that starts a bullet).
fn bullet(text: &str, marker: &str) -> String {
    let start = text
        .find(marker)
        .unwrap_or_else(|| panic!("`{marker}` not in the reference"))
        + marker.len();
    let rest = &text[start..];
    let end = rest.find("\n- ").unwrap_or(rest.len());
    rest[..end].split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_catalog_date_is_the_calendars() {
    let text = reference();
    let catalog = Catalog::embedded();
    let minor = |v: &str| {
        catalog
            .minor(KubeVersion::parse(v).unwrap())
            .unwrap_or_else(|| panic!("{v} not in the catalog"))
    };
    let mut checked = 0;
    // The release calendar table: | k8s | AKS GA | End of life | Platform support |
    let table = &text[text.find("**Release calendar").expect("the calendar table")..];
    let rows = table
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'));
    for line in rows.filter(|l| l.starts_with("| 1.")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let (version, ga, eol) = (cells[1], cells[2], cells[3]);
        assert_eq!(minor(version).ga, Some(date(ga, false)), "{version} GA");
        assert_eq!(
            minor(version).end_of_life,
            Some(date(eol, true)),
            "{version} end of life"
        );
        checked += 2;
    }
    // The community end of life of the earlier minors, from the LTS table.
    let earlier = bullet(&text, "1.27/1.28 rows from commit a5974798c): ");
    // The list ends with the sentence: "…, 1.31 2025-11-01. Read such dates from the calendar…".
    let earlier = earlier.split(". ").next().unwrap().to_owned();
    for (version, day) in listed(&earlier, true) {
        assert_eq!(minor(&version).end_of_life, Some(day), "{version} end of life");
        checked += 1;
    }
    // The end of LTS.
    let lts = bullet(&text, "LTS end-of-life dates: ");
    for (version, day) in listed(&lts, true) {
        assert_eq!(minor(&version).lts_end_of_life, Some(day), "{version} end of LTS");
        checked += 1;
    }
    let older = bullet(&text, "also listed ");
    for (version, month) in [("1.27", "Jul 2025"), ("1.28", "Feb 2026")] {
        assert!(older.contains(&format!("{version} LTS (end {month})")), "{older}");
        assert_eq!(
            minor(version).lts_end_of_life,
            Some(date(month, true)),
            "{version} end of LTS"
        );
        checked += 1;
    }
    assert!(checked >= 25, "{checked} dates checked");
}

/// On the snapshot date, a minor past its community end of life is offered under LTS only
/// (`aks-upgrade-rules.md` §2.4: 1.32 and 1.33 became LTS-only in 2026).
#[test]
fn minors_past_community_support_are_offered_under_lts_only() {
    let catalog = Catalog::embedded();
    let aksplan_catalog::Origin::Embedded { snapshot } = catalog.origin else {
        panic!("not the embedded catalog")
    };
    for minor in catalog.minors() {
        let past = minor.end_of_life.is_some_and(|end| end < snapshot);
        assert_eq!(
            minor.support_plans.iter().any(|p| p == "KubernetesOfficial"),
            !past,
            "{}: end of life {:?}, snapshot {snapshot}, plans {:?}",
            minor.version,
            minor.end_of_life,
            minor.support_plans
        );
    }
}
