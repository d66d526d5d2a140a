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
//! the upgrade. The compiler routes with [`control_plane_hops`] and its verifier judges every
//! move with [`control_plane_move`], so the two cannot disagree about what an LTS jump is.

use aksplan_catalog::Catalog;
use aksplan_model::version::KubeVersion;

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

/// The control plane's hops from `current` to `target` (exact: a catalog patch, or a minor the
/// catalog lists no patches for). A higher patch of the current minor is one hop; an LTS jump
/// ([`control_plane_move`]) is one hop; otherwise one hop per minor, each intermediate one on its
/// minor's latest catalog patch (or the minor itself). Empty when the target is not ahead of
/// `current` on the same major.
pub fn control_plane_hops(
    catalog: &Catalog,
    current: KubeVersion,
    target: KubeVersion,
    lts: bool,
) -> Vec<KubeVersion> {
    if target.major != current.major || target.minor_version() < current.minor_version() {
        return Vec::new();
    }
    if target.minor == current.minor {
        let higher_patch = target.patch.is_some_and(|p| current.patch.is_none_or(|c| p > c));
        return if higher_patch { vec![target] } else { Vec::new() };
    }
    if control_plane_move(catalog, current, target, lts) == ControlPlaneMove::LtsJump {
        return vec![target];
    }
    (current.minor + 1..=target.minor)
        .map(|minor| {
            if minor == target.minor {
                target
            } else {
                let step = KubeVersion::new(current.major, minor, None);
                catalog.resolve(step).unwrap_or(step)
            }
        })
        .collect()
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
        assert_eq!(
            hops("1.27.102", "1.30.14", false),
            ["1.28.101", "1.29.15", "1.30.14"]
        );
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
