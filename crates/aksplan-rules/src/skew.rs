//! Version-skew arithmetic, shared by the plan rules and the compiler's state verifier.
//!
//! Sources (`aks-upgrade-rules.md` §1, §2.2): a node pool has the control plane's major, is never
//! newer (compared on major.minor.patch), and is at most 3 minors older when the control plane
//! is on 1.28 or later, 2 before (AKS adopted n-3 for 1.28+, AKS-CHANGELOG 2024-04-11). Upstream,
//! a kubelet is never newer than the apiserver and at most 3 minors older, 2 when the kubelet is
//! older than 1.25 (Kubernetes 1.28 release).
//!
//! The control plane's path (§1, §2.1) lives here too: it moves one minor at a time, or jumps
//! from an LTS minor to a higher one when the cluster is on the LTS plan and the catalog lists
//! the upgrade. The compiler routes with `control_plane_hops` (through [`route`]) and its verifier judges every
//! move with [`control_plane_move`], so the two cannot disagree about what an LTS jump is.

use aksplan_catalog::{Catalog, Resolution, SupportStatus, is_lts_patch};
use aksplan_model::version::KubeVersion;
use jiff::civil::Date;

/// How far a node pool's version is from the control plane's, and what is wrong with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolSkew {
    Ok,
    /// Different major versions.
    MajorMismatch,
    /// The pool is newer than the control plane.
    Newer,
    /// The pool is more minors behind than allowed; `allowed` is the window.
    TooFarBehind {
        behind: u64,
        allowed: u64,
    },
}

/// The number of minors AKS lets a pool trail a control plane on `control_plane`.
pub fn aks_window(control_plane: KubeVersion) -> u64 {
    if (control_plane.major, control_plane.minor) >= (1, 28) {
        3
    } else {
        2
    }
}

/// AKS's rule for a pool on `pool` under a control plane on `control_plane`. Minor-only versions
/// compare as their minor (a pool on `1.30` is not "newer" than a control plane on `1.30.9`).
pub fn aks_pool_skew(control_plane: KubeVersion, pool: KubeVersion) -> PoolSkew {
    if control_plane.major != pool.major {
        return PoolSkew::MajorMismatch;
    }
    let newer = match (pool.patch, control_plane.patch) {
        (Some(_), Some(_)) => pool > control_plane,
        _ => pool.minor > control_plane.minor,
    };
    if newer {
        return PoolSkew::Newer;
    }
    let behind = control_plane.minor.saturating_sub(pool.minor);
    let allowed = aks_window(control_plane);
    if behind > allowed {
        PoolSkew::TooFarBehind { behind, allowed }
    } else {
        PoolSkew::Ok
    }
}

/// What one control-plane upgrade from `from` to `to` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlPlaneMove {
    /// To the same minor or the next one.
    OneMinor,
    /// More than one minor, as an LTS-to-LTS jump: the cluster is on the LTS plan, both minors
    /// are LTS-capable and the catalog lists `to` as an upgrade of `from`.
    LtsJump,
    /// More than one minor, without what an LTS jump needs.
    Skip,
    /// Down, or to another major.
    Down,
}

/// Judges one control-plane upgrade; `lts` says whether the cluster is on the LTS plan.
pub fn control_plane_move(
    catalog: &Catalog,
    from: KubeVersion,
    to: KubeVersion,
    lts: bool,
) -> ControlPlaneMove {
    if to.major != from.major || to < from {
        return ControlPlaneMove::Down;
    }
    if to.minor <= from.minor + 1 {
        return ControlPlaneMove::OneMinor;
    }
    let lts_capable = |v: KubeVersion| catalog.minor(v).is_some_and(|m| m.lts_capable());
    if lts && lts_capable(from) && lts_capable(to) && catalog.upgrade_listed(from, to) == Some(true) {
        ControlPlaneMove::LtsJump
    } else {
        ControlPlaneMove::Skip
    }
}

/// The minor an unsupported, non-LTS control plane on `from` recovers to: the lowest minor above
/// it that AKS offers `KubernetesOfficial` clusters on `as_of` (§2.1, "unsupported non-LTS →
/// lowest supported community version", full upgrade only). `None` when `from` is not out of
/// support (platform support N-3 is still on the calendar and steps one minor at a time) or no
/// such minor is known.
pub fn recovery_minor(catalog: &Catalog, from: KubeVersion, as_of: Date) -> Option<KubeVersion> {
    if catalog.support_status(from, as_of, false) != SupportStatus::Unsupported {
        return None;
    }
    catalog
        .minors()
        .map(|m| m.version.minor_version())
        .filter(|m| m.major == from.major && m.minor > from.minor)
        .find(|m| catalog.offered(*m, false, as_of))
}

/// What kind of route a cluster takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteKind {
    /// Nothing to do, or a higher patch of the current minor.
    Patch,
    /// One minor at a time.
    Steps,
    /// One LTS-to-LTS jump ([`ControlPlaneMove::LtsJump`]).
    LtsJump,
    /// From a version out of support: one full upgrade to the lowest community minor AKS offers
    /// (which may skip minors), then one minor at a time.
    Recovery,
}

/// One control-plane upgrade of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hop {
    /// How the version was resolved for the cluster's support plan; [`Resolution::version`] is
    /// the version the step uses (a minor when its patch is read live when the step runs).
    pub resolution: Resolution,
    /// AKS allows it only as a full upgrade (control plane and every pool): from a version out
    /// of support.
    pub full: bool,
    /// The recovery upgrade ([`recovery_minor`]): it carries every pool, however far behind.
    pub recovery: bool,
    /// AKS offers the hop's minor to the cluster's support plan on the plan's date.
    pub offered: bool,
}

impl Hop {
    pub fn to(&self) -> KubeVersion {
        self.resolution.version()
    }
}

/// A cluster's control-plane route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub kind: RouteKind,
    pub hops: Vec<Hop>,
}

impl Route {
    /// The versions the control plane moves to, in order.
    pub fn versions(&self) -> Vec<KubeVersion> {
        self.hops.iter().map(Hop::to).collect()
    }
}

/// What the route of one cluster depends on.
#[derive(Debug, Clone, Copy)]
pub struct RouteInput<'a> {
    pub current: KubeVersion,
    /// The target as the plan names it (`1.35` or `1.35.3`).
    pub target: KubeVersion,
    /// The cluster is on the LTS plan.
    pub lts: bool,
    /// The date AKS's offer is judged on.
    pub as_of: Date,
    /// The cluster's own `az aks get-upgrades` list, when the plan gives it: the authority on the
    /// first hop's patch.
    pub upgrades: &'a [KubeVersion],
}

/// The control plane's route from `current` to `target`, each version resolved for the
/// cluster's support plan ([`Catalog::resolve_for`]): a higher patch of the current minor is one
/// hop; an LTS jump ([`control_plane_move`]) is one hop; from a version out of support, one full
/// upgrade to the lowest community minor AKS offers ([`recovery_minor`]), then one hop per
/// minor; otherwise one hop per minor. Each intermediate minor goes to its latest patch offered
/// to the plan, or to the newest the cluster's `get-upgrades` lists for the first hop. Empty
/// when the target is not ahead of `current` on the same major.
pub fn route(catalog: &Catalog, input: RouteInput<'_>) -> Route {
    let RouteInput {
        current,
        target,
        lts,
        as_of,
        upgrades,
    } = input;
    let empty = Route {
        kind: RouteKind::Patch,
        hops: Vec::new(),
    };
    if target.major != current.major || target.minor_version() < current.minor_version() {
        return empty;
    }
    let resolve = |version: KubeVersion, first: bool| -> Resolution {
        let resolved = catalog.resolve_for(version, lts);
        if version.patch.is_some() || !first {
            return resolved;
        }
        // The cluster's own upgrade list names what AKS offers it now.
        upgrades
            .iter()
            .copied()
            .filter(|u| u.minor_version() == version.minor_version() && (lts || !is_lts_patch(*u)))
            .max()
            .map_or(resolved, Resolution::Exact)
    };
    let hop = |version: KubeVersion, first: bool, full: bool| Hop {
        resolution: resolve(version, first),
        full,
        recovery: false,
        offered: catalog.offered(version, lts, as_of),
    };
    let target_exact = resolve(
        target,
        target.minor == current.minor + 1 || target.minor == current.minor,
    );
    if target.minor == current.minor {
        let to = target_exact.version();
        let higher_patch = to.patch.is_some_and(|p| current.patch.is_none_or(|c| p > c));
        return if higher_patch {
            Route {
                kind: RouteKind::Patch,
                hops: vec![hop(to, true, false)],
            }
        } else {
            empty
        };
    }
    if !lts
        && let Some(recovery) = recovery_minor(catalog, current, as_of).filter(|m| m.minor <= target.minor)
    {
        let first = if recovery.minor == target.minor {
            hop(target, true, true)
        } else {
            hop(recovery, true, true)
        };
        let mut hops = vec![Hop {
            recovery: true,
            ..first
        }];
        hops.extend((recovery.minor + 1..=target.minor).map(|minor| {
            let version = if minor == target.minor {
                target
            } else {
                KubeVersion::new(current.major, minor, None)
            };
            hop(version, false, false)
        }));
        return Route {
            kind: RouteKind::Recovery,
            hops,
        };
    }
    if control_plane_move(catalog, current, target_exact.version(), lts) == ControlPlaneMove::LtsJump {
        return Route {
            kind: RouteKind::LtsJump,
            hops: vec![hop(target, false, false)],
        };
    }
    // From a version out of support every hop is a full upgrade, also where no recovery upgrade
    // reaches the target (AKS125 reports that plan).
    let unsupported_from =
        |from: KubeVersion| !lts && catalog.support_status(from, as_of, false) == SupportStatus::Unsupported;
    let mut hops: Vec<Hop> = Vec::new();
    for minor in current.minor + 1..=target.minor {
        let version = if minor == target.minor {
            target
        } else {
            KubeVersion::new(current.major, minor, None)
        };
        let from = hops.last().map_or(current, Hop::to);
        hops.push(hop(version, minor == current.minor + 1, unsupported_from(from)));
    }
    Route {
        kind: RouteKind::Steps,
        hops,
    }
}

/// The control plane's hops from `current` to `target` for a cluster with no date or upgrade
/// list to judge by: [`route`]'s versions as of the catalog's own view.
#[cfg(test)]
fn control_plane_hops(
    catalog: &Catalog,
    current: KubeVersion,
    target: KubeVersion,
    lts: bool,
) -> Vec<KubeVersion> {
    route(
        catalog,
        RouteInput {
            current,
            target,
            lts,
            as_of: Date::constant(2025, 9, 1),
            upgrades: &[],
        },
    )
    .versions()
}

/// The upstream kubelet/kube-proxy window for a kubelet on `kubelet`.
pub fn upstream_window(kubelet: KubeVersion) -> u64 {
    if (kubelet.major, kubelet.minor) < (1, 25) {
        2
    } else {
        3
    }
}

/// The upstream Kubernetes rule for a kubelet (or kube-proxy) on `kubelet` against an apiserver
/// on `apiserver` (minors only: the upstream policy is stated in minors).
pub fn upstream_kubelet_skew(apiserver: KubeVersion, kubelet: KubeVersion) -> PoolSkew {
    if apiserver.major != kubelet.major {
        return PoolSkew::MajorMismatch;
    }
    if kubelet.minor > apiserver.minor {
        return PoolSkew::Newer;
    }
    let behind = apiserver.minor - kubelet.minor;
    let allowed = upstream_window(kubelet);
    if behind > allowed {
        PoolSkew::TooFarBehind { behind, allowed }
    } else {
        PoolSkew::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> KubeVersion {
        KubeVersion::parse(text).unwrap()
    }

    #[test]
    fn aks_skew_table() {
        use PoolSkew::*;
        let cases: &[(&str, &str, PoolSkew)] = &[
            // The 1.27/1.28 boundary: N-2 before, N-3 from 1.28 on.
            ("1.27.9", "1.25.6", Ok),
            (
                "1.27.9",
                "1.24.9",
                TooFarBehind {
                    behind: 3,
                    allowed: 2,
                },
            ),
            ("1.28.0", "1.25.6", Ok),
            (
                "1.28.0",
                "1.24.9",
                TooFarBehind {
                    behind: 4,
                    allowed: 3,
                },
            ),
            // Exactly N-3 and N-4 on a current control plane.
            ("1.33.2", "1.30.14", Ok),
            (
                "1.33.2",
                "1.29.15",
                TooFarBehind {
                    behind: 4,
                    allowed: 3,
                },
            ),
            // Never newer, compared on the patch: LTS patches above 100 compare numerically.
            ("1.27.102", "1.27.100", Ok),
            ("1.27.100", "1.27.102", Newer),
            ("1.27.99", "1.27.100", Newer),
            ("1.30.9", "1.30.10", Newer),
            ("1.30.10", "1.30.9", Ok),
            ("1.30.9", "1.31.1", Newer),
            // Minor-only versions compare as minors.
            ("1.30.9", "1.30", Ok),
            ("1.30", "1.30.9", Ok),
            ("2.0.0", "1.33.0", MajorMismatch),
        ];
        for (cp, pool, expected) in cases {
            assert_eq!(
                aks_pool_skew(v(cp), v(pool)),
                *expected,
                "control plane {cp}, pool {pool}"
            );
        }
    }

    #[test]
    fn control_plane_route_and_moves() {
        let catalog = Catalog::embedded();
        let hops = |from: &str, to: &str, lts: bool| -> Vec<String> {
            control_plane_hops(&catalog, v(from), v(to), lts)
                .iter()
                .map(ToString::to_string)
                .collect()
        };
        // An LTS jump the catalog lists is one hop, only for a cluster on the LTS plan.
        assert_eq!(hops("1.27.102", "1.30.14", true), ["1.30.14"]);
        // Not on LTS, from 1.27 (out of support on 2025-09-01) the recovery upgrade goes to the
        // lowest community minor, 1.31, above this target: one minor at a time, where the LTS-only
        // patches of 1.28 are no patch for this cluster (the minor is read live; AKS126 reports it).
        assert_eq!(hops("1.27.102", "1.30.14", false), ["1.28", "1.29.15", "1.30.14"]);
        // Minors without catalog patches are hops as minors.
        assert_eq!(hops("1.33.2", "1.36", false), ["1.34", "1.35", "1.36"]);
        assert_eq!(hops("1.30.2", "1.30.14", false), ["1.30.14"]);
        assert!(hops("1.30.14", "1.30.2", false).is_empty());
        assert!(hops("1.31.1", "1.30.14", false).is_empty());

        use ControlPlaneMove::*;
        let judge = |from: &str, to: &str, lts: bool| control_plane_move(&catalog, v(from), v(to), lts);
        assert_eq!(judge("1.33.2", "1.34", false), OneMinor);
        assert_eq!(judge("1.33.2", "1.35", false), Skip);
        assert_eq!(judge("1.33.2", "1.32.6", false), Down);
        assert_eq!(judge("1.27.102", "1.30.14", true), LtsJump);
        assert_eq!(judge("1.27.102", "1.30.14", false), Skip);
    }

    /// One row: support plan, start, target, date, then the route (`!` marks a full upgrade,
    /// `?` a minor not offered on the date, `~` a version not for the plan) and its kind.
    #[test]
    fn route_table() {
        let catalog = Catalog::embedded();
        let d = |s: &str| s.parse::<Date>().unwrap();
        use RouteKind::*;
        type Row<'a> = (bool, &'a str, &'a str, &'a str, &'a [&'a str], RouteKind);
        let rows: &[Row<'_>] = &[
            // Supported community start: one minor at a time, latest community patch of each.
            (
                false,
                "1.30.2",
                "1.32",
                "2025-06-01",
                &["1.31.10", "1.32.6"],
                Steps,
            ),
            // Patch inside the minor.
            (false, "1.30.2", "1.30", "2025-06-01", &["1.30.14"], Patch),
            // Unsupported start (1.31 on 2026-12-01): one full upgrade to 1.35, then one minor.
            (
                false,
                "1.31.10",
                "1.36",
                "2026-12-01",
                &["!1.35", "1.36"],
                Recovery,
            ),
            (false, "1.31.10", "1.35", "2026-12-01", &["!1.35"], Recovery),
            // A target below the recovery minor: no recovery upgrade reaches it (AKS125); the
            // hops are full (each starts out of support), and the minors are LTS-only on the date.
            (
                false,
                "1.31.10",
                "1.33",
                "2026-12-01",
                &["!?1.32.6", "!?1.33.2"],
                Steps,
            ),
            // Platform support (N-3, on the calendar) steps one minor at a time.
            (false, "1.34.6", "1.35", "2026-12-01", &["1.35"], Steps),
            // The same start on LTS: no recovery, LTS hops offered until their LTS end.
            (
                true,
                "1.31.10",
                "1.33",
                "2026-12-01",
                &["1.32.6", "1.33.2"],
                Steps,
            ),
            // The 1.27/1.28 boundary, LTS patches from 100: a KubernetesOfficial cluster gets no
            // 1.28 patch from this catalog; an LTS cluster gets 1.28.101.
            (false, "1.27.14", "1.28", "2024-07-25", &["~1.28"], Steps),
            (false, "1.27.14", "1.28.101", "2024-07-25", &["~1.28.101"], Steps),
            (true, "1.27.102", "1.28", "2024-07-25", &["1.28.101"], Steps),
            (true, "1.27.102", "1.27.103", "2024-07-25", &["1.27.103"], Patch),
            // LTS to LTS jump listed by the catalog.
            (true, "1.27.102", "1.30.14", "2025-06-01", &["1.30.14"], LtsJump),
            // A target before its GA month.
            (false, "1.33.2", "1.35", "2025-12-01", &["1.34", "?1.35"], Steps),
            // From past its LTS end (1.28: 2026-02-28) to a supported LTS minor: the listed jump
            // (§2.1, "unsupported LTS → supported LTS").
            (true, "1.28.101", "1.30", "2026-06-01", &["1.30.14"], LtsJump),
            // An LTS target past its LTS end is not offered (AKS121 reports the target).
            (true, "1.33.2", "1.34", "2027-12-01", &["?1.34"], Steps),
        ];
        for (lts, from, to, date, expected, kind) in rows {
            let route = route(
                &catalog,
                RouteInput {
                    current: v(from),
                    target: v(to),
                    lts: *lts,
                    as_of: d(date),
                    upgrades: &[],
                },
            );
            let got: Vec<String> = route
                .hops
                .iter()
                .map(|h| {
                    let mut text = String::new();
                    if h.full {
                        text.push('!');
                    }
                    if !h.offered {
                        text.push('?');
                    }
                    if matches!(h.resolution, Resolution::NotForPlan(_)) {
                        text.push('~');
                    }
                    text.push_str(&h.to().to_string());
                    text
                })
                .collect();
            assert_eq!(got, *expected, "lts {lts}, {from} -> {to} on {date}");
            assert_eq!(route.kind, *kind, "lts {lts}, {from} -> {to} on {date}");
        }
    }

    #[test]
    fn the_clusters_own_upgrades_decide_the_first_hop() {
        let catalog = Catalog::embedded();
        let upgrades = [v("1.28.10"), v("1.28.9"), v("1.28.100"), v("1.28.3")];
        let route = route(
            &catalog,
            RouteInput {
                current: v("1.27.14"),
                target: v("1.29"),
                lts: false,
                as_of: "2024-07-25".parse().unwrap(),
                upgrades: &upgrades,
            },
        );
        // The newest non-LTS patch of the first hop's minor; later hops from the catalog.
        assert_eq!(route.versions(), [v("1.28.10"), v("1.29.15")]);
    }

    #[test]
    fn upstream_skew_table() {
        use PoolSkew::*;
        let cases: &[(&str, &str, PoolSkew)] = &[
            ("1.28", "1.25", Ok),
            (
                "1.27",
                "1.24",
                TooFarBehind {
                    behind: 3,
                    allowed: 2,
                },
            ),
            ("1.26", "1.24", Ok),
            ("1.31", "1.28", Ok),
            (
                "1.32",
                "1.28",
                TooFarBehind {
                    behind: 4,
                    allowed: 3,
                },
            ),
            ("1.30", "1.31", Newer),
        ];
        for (apiserver, kubelet, expected) in cases {
            assert_eq!(
                upstream_kubelet_skew(v(apiserver), v(kubelet)),
                *expected,
                "{apiserver} / {kubelet}"
            );
        }
    }
}
