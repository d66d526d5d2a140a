//! The version catalog: which Kubernetes versions AKS offers, which patch may upgrade to which,
//! which minors are LTS-capable, and the support calendar, so that support status can be judged
//! **as of** a date (the plan's `asOf`), never the wall clock.
//!
//! Two sources: the embedded snapshot (`data/catalog.json`, with its date and sources, so that
//! everything works offline), or a file the user saved with `az aks get-versions -l LOC -o json`
//! (`--catalog`). That output has no dates, so the calendar of the embedded snapshot is kept for
//! the minors both know.

use std::collections::BTreeMap;
use std::sync::Arc;

use aksplan_model::codes;
use aksplan_model::finding::Finding;
use aksplan_model::source::Document;
use aksplan_model::version::KubeVersion;
use jiff::civil::Date;
use serde::Deserialize;

const EMBEDDED: &str = include_str!("../data/catalog.json");

/// Where a catalog came from, for headers and messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The snapshot built into aksplan, taken on this date.
    Embedded { snapshot: Date },
    /// A saved `az aks get-versions` output.
    File { name: String },
}

/// One minor version as the catalog knows it.
#[derive(Debug, Clone)]
pub struct Minor {
    pub version: KubeVersion,
    pub is_preview: bool,
    /// Support plans AKS offers on this minor (`KubernetesOfficial`, `AKSLongTermSupport`).
    pub support_plans: Vec<String>,
    pub ga: Option<Date>,
    /// Last day of community support.
    pub end_of_life: Option<Date>,
    /// Last day of LTS support.
    pub lts_end_of_life: Option<Date>,
    /// Offered patches and the versions each may upgrade to; `None` when the source lists no
    /// patches for this minor (then only the minor itself is known to exist).
    pub patches: Option<BTreeMap<KubeVersion, Vec<KubeVersion>>>,
}

impl Minor {
    pub fn lts_capable(&self) -> bool {
        self.support_plans.iter().any(|p| p == "AKSLongTermSupport")
    }

    /// Only available under LTS (community support has ended).
    pub fn lts_only(&self) -> bool {
        self.lts_capable() && !self.support_plans.iter().any(|p| p == "KubernetesOfficial")
    }

    pub fn latest_patch(&self) -> Option<KubeVersion> {
        self.patches
            .as_ref()
            .and_then(|patches| patches.keys().next_back().copied())
    }
}

/// Support status of a version on a given date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupportStatus {
    /// Offered as a preview: not for production, never chosen by auto-upgrade.
    Preview,
    /// Within community support.
    Supported,
    /// Past community support, within LTS (for clusters on the LTS plan).
    Lts,
    /// Past community support, in AKS platform support (N-3): upgrades out are supported, little else.
    PlatformSupport,
    /// Out of support.
    Unsupported,
    /// The catalog does not know this minor or its dates.
    Unknown,
}

/// Whether the catalog offers a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offered {
    Yes,
    /// The minor is known but its patches are not listed by this catalog.
    MinorOnly,
    No,
}

/// Whether a patch is one of AKS's LTS-only patches, numbered from 100 (`1.27.100`).
pub fn is_lts_patch(version: KubeVersion) -> bool {
    version.patch.is_some_and(|p| p >= 100)
}

/// What a version of a route is, once resolved against the catalog for one support plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolution {
    /// An exact patch the catalog offers the plan (or, for a minor without patch data, the
    /// exact patch the plan names).
    Exact(KubeVersion),
    /// A minor whose patches the catalog does not list: the patch is read live when the step runs.
    MinorOnly(KubeVersion),
    /// The catalog lists patches of the minor, but none (or not this one) for the plan.
    NotForPlan(KubeVersion),
    /// The catalog does not know the minor, or does not list the patch.
    Unknown(KubeVersion),
}

impl Resolution {
    /// The version a step uses: the exact patch, or the minor as given.
    pub fn version(self) -> KubeVersion {
        match self {
            Resolution::Exact(v)
            | Resolution::MinorOnly(v)
            | Resolution::NotForPlan(v)
            | Resolution::Unknown(v) => v,
        }
    }
}

/// A node image version AKS published, as some source saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeImage {
    /// The full name, e.g. `AKSUbuntu-2204gen2containerd-202510.01.0`.
    pub image: String,
    /// Where it was seen (a recording, or a `nodepool get-upgrades` file).
    pub source: String,
    /// When it was recorded, when known.
    pub recorded: Option<Date>,
}

/// Splits a node image name into its family (OS, generation, runtime) and its release:
/// `AKSUbuntu-2204gen2containerd-202510.01.0` → (`AKSUbuntu-2204gen2containerd`, `202510.01.0`);
/// `AKSWindows-2022-containerd-20348.1787.230614` → (`AKSWindows-2022-containerd`, `20348.1787.230614`).
pub fn node_image_family(image: &str) -> Option<(&str, &str)> {
    let (family, release) = image.rsplit_once('-')?;
    (!family.is_empty() && release.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .then_some((family, release))
}

/// Orders node image releases numerically, segment by segment (`202405.27.0` < `202510.1.0`).
pub fn compare_node_image_releases(a: &str, b: &str) -> std::cmp::Ordering {
    let parts = |s: &str| {
        s.split('.')
            .map(|p| p.parse::<u64>().unwrap_or(0))
            .collect::<Vec<_>>()
    };
    parts(a).cmp(&parts(b))
}

#[derive(Debug, Clone)]
pub struct Catalog {
    pub origin: Origin,
    minors: BTreeMap<(u64, u64), Minor>,
    /// The newest node image known per family.
    node_images: BTreeMap<String, NodeImage>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmbeddedFile {
    snapshot_date: String,
    minors: Vec<EmbeddedMinor>,
    #[serde(default)]
    node_images: Vec<EmbeddedNodeImage>,
}

#[derive(Deserialize)]
struct EmbeddedNodeImage {
    image: String,
    recorded: Option<String>,
    source: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct EmbeddedMinor {
    version: String,
    ga: Option<String>,
    end_of_life: Option<String>,
    lts_end_of_life: Option<String>,
    is_preview: bool,
    support_plans: Vec<String>,
    patches: Option<BTreeMap<String, Vec<String>>>,
}

fn date(text: Option<&str>) -> Option<Date> {
    text.and_then(|t| t.parse().ok())
}

fn versions(texts: &[String]) -> Vec<KubeVersion> {
    let mut out: Vec<KubeVersion> = texts.iter().filter_map(|t| KubeVersion::parse(t).ok()).collect();
    out.sort();
    out
}

impl Catalog {
    /// The snapshot built into aksplan.
    pub fn embedded() -> Self {
        // The embedded file is checked by a test; an unreadable one yields an empty catalog rather
        // than a panic in front of a user.
        let Ok(file) = serde_json::from_str::<EmbeddedFile>(EMBEDDED) else {
            return Self {
                origin: Origin::Embedded {
                    snapshot: Date::constant(1970, 1, 1),
                },
                minors: BTreeMap::new(),
                node_images: BTreeMap::new(),
            };
        };
        let snapshot = file.snapshot_date.parse().unwrap_or(Date::constant(1970, 1, 1));
        let mut minors = BTreeMap::new();
        for minor in file.minors {
            let Ok(version) = KubeVersion::parse(&minor.version) else {
                continue;
            };
            let patches = minor.patches.map(|patches| {
                patches
                    .iter()
                    .filter_map(|(patch, upgrades)| {
                        Some((KubeVersion::parse(patch).ok()?, versions(upgrades)))
                    })
                    .collect()
            });
            minors.insert(
                (version.major, version.minor),
                Minor {
                    version,
                    is_preview: minor.is_preview,
                    support_plans: minor.support_plans,
                    ga: date(minor.ga.as_deref()),
                    end_of_life: date(minor.end_of_life.as_deref()),
                    lts_end_of_life: date(minor.lts_end_of_life.as_deref()),
                    patches,
                },
            );
        }
        let mut catalog = Self {
            origin: Origin::Embedded { snapshot },
            minors,
            node_images: BTreeMap::new(),
        };
        for image in file.node_images {
            catalog.learn_node_image(NodeImage {
                image: image.image,
                source: image.source,
                recorded: date(image.recorded.as_deref()),
            });
        }
        catalog
    }

    /// A catalog from saved `az aks get-versions -l LOC -o json` output. Calendar dates come from
    /// the embedded snapshot for the minors it knows.
    pub fn from_get_versions(doc: &Arc<Document>) -> Result<Self, Vec<Finding>> {
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Versions {
            values: Vec<Value>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Value {
            version: String,
            is_preview: Option<bool>,
            capabilities: Option<Capabilities>,
            patch_versions: Option<BTreeMap<String, PatchVersion>>,
        }
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Capabilities {
            support_plan: Option<Vec<String>>,
        }
        #[derive(Deserialize)]
        struct PatchVersion {
            upgrades: Option<Vec<String>>,
        }
        let hint = "save it with `az aks get-versions -l LOCATION -o json > FILE`";
        let parsed: Versions = serde_path_to_error::deserialize(&doc.value).map_err(|err| {
            // At the value that does not fit (`/values/0/isPreview`), not at the top of the file.
            let pointer = aksplan_model::source::pointer_of_path(err.path());
            let mut finding = Finding::new(
                codes::AZ_SHAPE,
                format!(
                    "`{}` is not `az aks get-versions` output: {}",
                    doc.source.name,
                    err.inner()
                ),
            )
            .at(doc.label(&pointer))
            .help(hint);
            if !pointer.is_empty() {
                finding = finding.pointer(pointer);
            }
            if doc.value.get("controlPlaneProfile").is_some() {
                finding = finding.help(format!(
                    "this is `az aks get-upgrades` output (one cluster's upgrades); {hint}"
                ));
            }
            vec![finding]
        })?;
        let embedded = Self::embedded();
        let mut findings = Vec::new();
        if parsed.values.is_empty() {
            // Nothing could be judged against it: every version would be "not offered".
            findings.push(
                Finding::new(
                    codes::AZ_SHAPE,
                    format!("`{}` lists no Kubernetes versions", doc.source.name),
                )
                .at(doc.label("/values"))
                .pointer("/values")
                .help(hint),
            );
        }
        let mut minors = BTreeMap::new();
        for (idx, value) in parsed.values.iter().enumerate() {
            let pointer = format!("/values/{idx}/version");
            let version = match KubeVersion::parse(&value.version) {
                Ok(v) => v.minor_version(),
                Err(err) => {
                    findings.push(
                        Finding::new(codes::INVALID_VERSION, err.message)
                            .at(doc.label(&pointer))
                            .pointer(pointer),
                    );
                    continue;
                }
            };
            let known = embedded.minor(version);
            // A patch or an upgrade that is not a version is reported, not dropped: a catalog
            // that silently lost entries would call offered versions unavailable.
            let patches = value.patch_versions.as_ref().map(|patches| {
                let mut out = BTreeMap::new();
                for (patch, info) in patches {
                    let base = format!(
                        "/values/{idx}/patchVersions/{}",
                        aksplan_model::source::escape_pointer_segment(patch)
                    );
                    let upgrades = info.upgrades.as_deref().unwrap_or_default();
                    for (j, upgrade) in upgrades.iter().enumerate() {
                        if let Err(err) = KubeVersion::parse(upgrade) {
                            let pointer = format!("{base}/upgrades/{j}");
                            findings.push(
                                Finding::new(codes::INVALID_VERSION, err.message)
                                    .at(doc.label(&pointer))
                                    .pointer(pointer),
                            );
                        }
                    }
                    match KubeVersion::parse(patch) {
                        // A patch filed under another minor would make that minor's targets
                        // resolve to it (`1.28` to `2.28.0`; found by the catalog_import fuzz
                        // target).
                        Ok(listed) if listed.minor_version() != version => findings.push(
                            Finding::new(
                                codes::INVALID_VERSION,
                                format!("patch `{listed}` is listed under `{version}`, not its own minor"),
                            )
                            .at(doc.key_label(&base))
                            .pointer(base),
                        ),
                        Ok(listed) => {
                            out.insert(listed, versions(upgrades));
                        }
                        Err(err) => findings.push(
                            Finding::new(codes::INVALID_VERSION, err.message)
                                .at(doc.key_label(&base))
                                .pointer(base),
                        ),
                    }
                }
                out
            });
            minors.insert(
                (version.major, version.minor),
                Minor {
                    version,
                    is_preview: value.is_preview.unwrap_or(false),
                    support_plans: value
                        .capabilities
                        .as_ref()
                        .and_then(|c| c.support_plan.clone())
                        .unwrap_or_else(|| vec!["KubernetesOfficial".into()]),
                    ga: known.and_then(|m| m.ga),
                    end_of_life: known.and_then(|m| m.end_of_life),
                    lts_end_of_life: known.and_then(|m| m.lts_end_of_life),
                    patches,
                },
            );
        }
        if !findings.is_empty() {
            return Err(findings);
        }
        Ok(Self {
            origin: Origin::File {
                name: doc.source.name.clone(),
            },
            minors,
            node_images: embedded.node_images,
        })
    }

    pub fn minor(&self, version: KubeVersion) -> Option<&Minor> {
        self.minors.get(&(version.major, version.minor))
    }

    pub fn minors(&self) -> impl Iterator<Item = &Minor> {
        self.minors.values()
    }

    /// Whether the catalog offers `version` (a minor is offered when the catalog lists it).
    pub fn offers(&self, version: KubeVersion) -> Offered {
        let Some(minor) = self.minor(version) else {
            return Offered::No;
        };
        match (&minor.patches, version.patch) {
            (_, None) => Offered::Yes,
            (None, Some(_)) => Offered::MinorOnly,
            (Some(patches), Some(_)) if patches.contains_key(&version) => Offered::Yes,
            (Some(_), Some(_)) => Offered::No,
        }
    }

    /// The exact version a target means: itself if it names a patch, else the minor's latest patch.
    pub fn resolve(&self, version: KubeVersion) -> Option<KubeVersion> {
        match version.patch {
            Some(_) => Some(version),
            None => self.minor(version).and_then(Minor::latest_patch),
        }
    }

    /// Whether AKS offers the minor of `version` to a cluster on the LTS plan (`lts`) or on
    /// `KubernetesOfficial` on `date`.
    ///
    /// `KubernetesOfficial`: from the minor's GA to the last day of its community support. For a
    /// saved `get-versions` file the region's own `supportPlan` list must name the plan too (the
    /// stricter of the two: a file recorded before the calendar's end still loses the minor on
    /// that end). The embedded snapshot's plan lists describe its own date, so for it only the
    /// calendar decides. LTS: what `KubernetesOfficial` is offered, and an LTS-capable minor until
    /// its LTS end. A minor without dates is judged by its plan list alone; a minor the catalog
    /// does not know is not offered.
    pub fn offered(&self, version: KubeVersion, lts: bool, date: Date) -> bool {
        let Some(minor) = self.minor(version) else {
            return false;
        };
        let embedded = matches!(self.origin, Origin::Embedded { .. });
        let listed = |plan: &str| embedded || minor.support_plans.iter().any(|p| p == plan);
        // A minor is not offered before its GA month (an early region may have it sooner; the
        // stricter reading is used). Only the embedded calendar is held to it: a saved file
        // lists what its region offered when it was saved.
        let released = !embedded || minor.is_preview || minor.ga.is_none_or(|ga| ga <= date);
        let community =
            listed("KubernetesOfficial") && released && minor.end_of_life.is_none_or(|end| date <= end);
        if community || !lts {
            return community;
        }
        minor.lts_capable() && released && minor.lts_end_of_life.is_none_or(|end| date <= end)
    }

    /// The patches of the minor of `version` that AKS offers a cluster on the LTS plan (`lts`)
    /// or on `KubernetesOfficial`, oldest first; `None` when the catalog lists no patches of it.
    /// AKS numbers LTS-only patches from 100 (`1.28.100`, §2.1): they are not offered to a
    /// `KubernetesOfficial` cluster.
    pub fn patches_for(&self, version: KubeVersion, lts: bool) -> Option<Vec<KubeVersion>> {
        let patches = self.minor(version)?.patches.as_ref()?;
        Some(
            patches
                .keys()
                .copied()
                .filter(|p| lts || !is_lts_patch(*p))
                .collect(),
        )
    }

    /// The exact version a hop to `version` means for a cluster on the LTS plan (`lts`) or not.
    pub fn resolve_for(&self, version: KubeVersion, lts: bool) -> Resolution {
        if self.minor(version).is_none() {
            return Resolution::Unknown(version);
        }
        let Some(patches) = self.patches_for(version, lts) else {
            return match version.patch {
                Some(_) => Resolution::Exact(version),
                None => Resolution::MinorOnly(version),
            };
        };
        let listed = self
            .minor(version)
            .and_then(|m| m.patches.as_ref())
            .is_some_and(|all| all.contains_key(&version));
        match version.patch {
            Some(_) if patches.contains(&version) => Resolution::Exact(version),
            // Listed, but for the other plan.
            Some(_) if listed => Resolution::NotForPlan(version),
            // Not listed at all: not offered (AKS102).
            Some(_) => Resolution::Unknown(version),
            None => patches
                .last()
                .copied()
                .map_or(Resolution::NotForPlan(version), Resolution::Exact),
        }
    }

    /// Whether AKS lists `to` as an upgrade from the patch `from` (`None`: the catalog has no
    /// patch data for `from`).
    pub fn upgrade_listed(&self, from: KubeVersion, to: KubeVersion) -> Option<bool> {
        let upgrades = self.minor(from)?.patches.as_ref()?.get(&from)?;
        Some(
            upgrades
                .iter()
                .any(|u| *u == to || (to.patch.is_none() && u.minor_version() == to)),
        )
    }

    /// Support status of `version` on `date`; `lts` says whether the cluster is on the LTS plan.
    pub fn support_status(&self, version: KubeVersion, date: Date, lts: bool) -> SupportStatus {
        let Some(minor) = self.minor(version) else {
            return SupportStatus::Unknown;
        };
        if minor.is_preview {
            return SupportStatus::Preview;
        }
        let (Some(ga), Some(end)) = (minor.ga, minor.end_of_life) else {
            return SupportStatus::Unknown;
        };
        if date < ga {
            // Before the calendar's GA month (an early region, or a catalog file that offers it).
            return SupportStatus::Supported;
        }
        if date <= end {
            return SupportStatus::Supported;
        }
        if lts && minor.lts_end_of_life.is_some_and(|lts_end| date <= lts_end) {
            return SupportStatus::Lts;
        }
        // Platform support lasts until minor + 4 reaches GA (the minor is then N-4).
        let n_plus_4 = KubeVersion::new(version.major, version.minor + 4, None);
        match self.minor(n_plus_4).and_then(|m| m.ga) {
            Some(ga4) if date < ga4 => SupportStatus::PlatformSupport,
            Some(_) => SupportStatus::Unsupported,
            // The calendar does not reach minor + 4: the version is past community support for
            // certain, and at best in platform support; say that rather than "unknown".
            None => SupportStatus::PlatformSupport,
        }
    }

    /// Records a node image seen somewhere (a recording, a pool's `get-upgrades`); the newest
    /// release per family wins.
    pub fn learn_node_image(&mut self, image: NodeImage) {
        let Some((family, release)) = node_image_family(&image.image) else {
            return;
        };
        let newer = match self.node_images.get(family) {
            Some(known) => node_image_family(&known.image)
                .is_none_or(|(_, known_release)| compare_node_image_releases(release, known_release).is_gt()),
            None => true,
        };
        if newer {
            self.node_images.insert(family.to_owned(), image);
        }
    }

    /// The newest node image known for the family of `image`.
    pub fn latest_node_image(&self, image: &str) -> Option<&NodeImage> {
        let (family, _) = node_image_family(image)?;
        self.node_images.get(family)
    }

    /// The newest GA minor on `date` (N of the support window).
    pub fn newest_ga_minor(&self, date: Date) -> Option<KubeVersion> {
        self.minors
            .values()
            .filter(|m| !m.is_preview && m.ga.is_some_and(|ga| ga <= date))
            .map(|m| m.version)
            .max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> KubeVersion {
        KubeVersion::parse(text).unwrap()
    }

    #[test]
    fn embedded_snapshot_loads_with_dates_and_patches() {
        let catalog = Catalog::embedded();
        assert!(matches!(catalog.origin, Origin::Embedded { .. }));
        assert!(catalog.minors().count() >= 11);
        for minor in catalog.minors() {
            assert!(
                minor.ga.is_some() && minor.end_of_life.is_some() && minor.lts_end_of_life.is_some(),
                "{}",
                minor.version
            );
        }
        assert_eq!(
            catalog.minor(v("1.33")).unwrap().latest_patch(),
            Some(v("1.33.2"))
        );
        assert_eq!(
            catalog.resolve(v("1.31")),
            Some(v("1.31.10")),
            "numeric, not string, order"
        );
        assert_eq!(catalog.offers(v("1.27.102")), Offered::Yes);
        assert_eq!(catalog.offers(v("1.27.7")), Offered::No);
        assert_eq!(catalog.offers(v("1.35.1")), Offered::MinorOnly);
        assert_eq!(catalog.offers(v("1.40")), Offered::No);
        assert_eq!(
            catalog.upgrade_listed(v("1.29.14"), v("1.32.6")),
            Some(true),
            "LTS patches jump minors"
        );
        assert_eq!(catalog.upgrade_listed(v("1.32.0"), v("1.33")), Some(true));
    }

    #[test]
    fn offered_per_support_plan_and_date() {
        let catalog = Catalog::embedded();
        let d = |s: &str| s.parse::<Date>().unwrap();
        // (minor, lts, date, offered): community from GA to end of life, LTS until the LTS end.
        let rows = [
            ("1.32", false, "2026-03-31", true),
            ("1.32", false, "2026-04-01", false),
            ("1.32", true, "2026-04-01", true),
            ("1.32", true, "2027-04-01", false),
            ("1.35", false, "2026-02-28", false),
            ("1.35", false, "2026-03-01", true),
            ("1.35", true, "2026-02-28", false),
            ("1.40", true, "2026-03-01", false),
        ];
        for (minor, lts, date, offered) in rows {
            assert_eq!(
                catalog.offered(v(minor), lts, d(date)),
                offered,
                "{minor} lts {lts} on {date}"
            );
        }
        // A saved get-versions file also needs the plan in the minor's supportPlan list.
        let text = r#"{"values":[{"version":"1.29","capabilities":{"supportPlan":["AKSLongTermSupport"]},"patchVersions":{"1.29.15":{"upgrades":[]}}}]}"#;
        let doc = Arc::new(
            aksplan_model::source::parse_document(
                "versions.json",
                text.as_bytes(),
                aksplan_model::source::Format::Json,
            )
            .unwrap(),
        );
        let file = Catalog::from_get_versions(&doc).unwrap();
        assert!(
            !file.offered(v("1.29"), false, d("2025-01-01")),
            "LTS-only in the file"
        );
        assert!(file.offered(v("1.29"), true, d("2025-01-01")));
    }

    #[test]
    fn resolution_per_support_plan() {
        let catalog = Catalog::embedded();
        use Resolution::*;
        let rows = [
            ("1.28", false, NotForPlan(v("1.28"))),
            ("1.28", true, Exact(v("1.28.101"))),
            ("1.28.101", false, NotForPlan(v("1.28.101"))),
            ("1.28.100", true, Exact(v("1.28.100"))),
            ("1.29", false, Exact(v("1.29.15"))),
            ("1.31", false, Exact(v("1.31.10"))),
            ("1.35", false, MinorOnly(v("1.35"))),
            ("1.35.2", false, Exact(v("1.35.2"))),
            ("1.45", false, Unknown(v("1.45"))),
            ("1.33.9", false, Unknown(v("1.33.9"))),
        ];
        for (version, lts, expected) in rows {
            assert_eq!(
                catalog.resolve_for(v(version), lts),
                expected,
                "{version} lts {lts}"
            );
        }
        assert!(is_lts_patch(v("1.27.100")) && !is_lts_patch(v("1.27.99")) && !is_lts_patch(v("1.27")));
    }

    #[test]
    fn node_images_by_family_newest_wins() {
        let mut catalog = Catalog::embedded();
        let seen = |image: &str| NodeImage {
            image: image.into(),
            source: "test".into(),
            recorded: None,
        };
        assert_eq!(
            node_image_family("AKSWindows-2022-containerd-20348.1787.230614"),
            Some(("AKSWindows-2022-containerd", "20348.1787.230614"))
        );
        assert!(
            catalog
                .latest_node_image("AKSUbuntu-2204gen2TLcontainerd-202401.01.0")
                .is_some()
        );
        catalog.learn_node_image(seen("AKSUbuntu-2204gen2containerd-202405.27.0"));
        catalog.learn_node_image(seen("AKSUbuntu-2204gen2containerd-202510.1.0"));
        catalog.learn_node_image(seen("AKSUbuntu-2204gen2containerd-202409.30.0"));
        let latest = catalog
            .latest_node_image("AKSUbuntu-2204gen2containerd-202306.19.0")
            .unwrap();
        assert_eq!(
            latest.image, "AKSUbuntu-2204gen2containerd-202510.1.0",
            "numeric, not string, order"
        );
        assert!(
            catalog
                .latest_node_image("AKSAzureLinux-V3gen2-202510.01.0")
                .is_none()
        );
    }

    #[test]
    fn support_status_is_computed_as_of_a_date() {
        let catalog = Catalog::embedded();
        let d = |s: &str| s.parse::<Date>().unwrap();
        assert_eq!(
            catalog.support_status(v("1.33.2"), d("2026-07-31"), false),
            SupportStatus::Supported
        );
        assert_eq!(
            catalog.support_status(v("1.33.2"), d("2026-08-01"), false),
            SupportStatus::PlatformSupport
        );
        assert_eq!(
            catalog.support_status(v("1.33.2"), d("2026-08-01"), true),
            SupportStatus::Lts
        );
        // 1.29 + 4 = 1.33, GA June 2025.
        assert_eq!(
            catalog.support_status(v("1.29.15"), d("2025-05-01"), false),
            SupportStatus::PlatformSupport
        );
        assert_eq!(
            catalog.support_status(v("1.29.15"), d("2025-06-01"), false),
            SupportStatus::Unsupported
        );
        assert_eq!(
            catalog.support_status(v("1.50"), d("2025-06-01"), false),
            SupportStatus::Unknown
        );
        assert_eq!(catalog.newest_ga_minor(d("2026-12-01")), Some(v("1.37")));
    }
}
