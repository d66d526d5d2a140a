//! Kubernetes versions as AKS spells them.
//!
//! AKS accepts a minor (`1.30`) or an exact patch (`1.30.9`) and nothing else: no `v` prefix, no
//! pre-release or build suffix, no leading zeros. LTS patches go above 100 (`1.27.102`), so a patch
//! is an ordinary unsigned number. Parsing goes through `semver` for the patch form so that the
//! rules on leading zeros and suffixes are the standard ones, then narrows them to what AKS takes.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A Kubernetes version: a minor (`1.30`) or an exact patch (`1.30.9`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KubeVersion {
    pub major: u64,
    pub minor: u64,
    /// `None` for a minor-only version such as `1.30`.
    pub patch: Option<u64>,
}

/// Why a string is not a Kubernetes version, with a fix when one is obvious.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct VersionError {
    pub message: String,
    pub help: Option<String>,
}

impl KubeVersion {
    pub const fn new(major: u64, minor: u64, patch: Option<u64>) -> Self {
        Self { major, minor, patch }
    }

    /// The minor this version belongs to (`1.30.9` → `1.30`).
    pub const fn minor_version(self) -> Self {
        Self {
            major: self.major,
            minor: self.minor,
            patch: None,
        }
    }

    pub fn parse(text: &str) -> Result<Self, VersionError> {
        let err = |message: String, help: Option<String>| VersionError { message, help };
        if text.is_empty() {
            return Err(err(
                "the version is empty".into(),
                Some("write it as `1.30` or `1.30.9`".into()),
            ));
        }
        if let Some(rest) = text.strip_prefix(['v', 'V']) {
            return Err(err(
                format!("`{text}` has a `v` prefix, which AKS does not accept"),
                Some(format!("write `{rest}`")),
            ));
        }
        if text.trim() != text {
            return Err(err(
                format!("`{text}` has surrounding whitespace"),
                Some(format!("write `{}`", text.trim())),
            ));
        }
        let parts: Vec<&str> = text.split('.').collect();
        match parts.as_slice() {
            [major, minor] => {
                let major = parse_component(text, major)?;
                let minor = parse_component(text, minor)?;
                bounded(text, Self::new(major, minor, None))
            }
            [_, _, _] => {
                let parsed = semver::Version::parse(text).map_err(|e| {
                    err(
                        format!("`{text}` is not a valid version: {e}"),
                        Some(FORMS.into()),
                    )
                })?;
                if !parsed.pre.is_empty() {
                    return Err(err(
                        format!("`{text}` is a pre-release; AKS offers only released patch versions"),
                        Some(format!(
                            "write `{}.{}.{}` or the minor `{}.{}`",
                            parsed.major, parsed.minor, parsed.patch, parsed.major, parsed.minor
                        )),
                    ));
                }
                if !parsed.build.is_empty() {
                    return Err(err(
                        format!("`{text}` has build metadata, which AKS does not accept"),
                        Some(format!(
                            "write `{}.{}.{}`",
                            parsed.major, parsed.minor, parsed.patch
                        )),
                    ));
                }
                bounded(text, Self::new(parsed.major, parsed.minor, Some(parsed.patch)))
            }
            _ => Err(err(
                format!("`{text}` is not a Kubernetes version"),
                Some(FORMS.into()),
            )),
        }
    }

    /// Compares as AKS does when it decides "newer": a minor-only version stands for the whole
    /// minor and sorts before its patches, so callers that need "same minor" use `minor_version`.
    pub fn cmp_version(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch))
    }
}

const FORMS: &str = "write a minor such as `1.30` or an exact patch such as `1.30.9`, in quotes";

/// The largest major and minor accepted. Kubernetes is at 1.3x; the bound keeps every walk over
/// the minors between two versions (rules, compiler) short, and `minor + 1` far from overflowing:
/// a target of `1.18446744073709551615` hung `aksplan check` in AKS103's walk (found by the
/// check_pipeline fuzz target).
pub const MAX_MAJOR_MINOR: u64 = 999;

fn bounded(text: &str, version: KubeVersion) -> Result<KubeVersion, VersionError> {
    if version.major > MAX_MAJOR_MINOR || version.minor > MAX_MAJOR_MINOR {
        return Err(VersionError {
            message: format!(
                "`{text}` is beyond any Kubernetes release (major and minor go up to {MAX_MAJOR_MINOR})"
            ),
            help: Some(FORMS.into()),
        });
    }
    Ok(version)
}

fn parse_component(text: &str, part: &str) -> Result<u64, VersionError> {
    let invalid = || VersionError {
        message: format!("`{text}` is not a Kubernetes version"),
        help: Some(FORMS.into()),
    };
    if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    if part.len() > 1 && part.starts_with('0') {
        return Err(VersionError {
            message: format!("`{text}` has a leading zero"),
            help: Some(FORMS.into()),
        });
    }
    part.parse().map_err(|_| invalid())
}

impl PartialOrd for KubeVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for KubeVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.cmp_version(other)
    }
}

impl fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.patch {
            Some(patch) => write!(f, "{}.{}.{}", self.major, self.minor, patch),
            None => write!(f, "{}.{}", self.major, self.minor),
        }
    }
}

impl FromStr for KubeVersion {
    type Err = VersionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_minor_patch_and_lts_patches() {
        assert_eq!(KubeVersion::parse("1.30").unwrap(), KubeVersion::new(1, 30, None));
        assert_eq!(
            KubeVersion::parse("1.30.9").unwrap(),
            KubeVersion::new(1, 30, Some(9))
        );
        assert_eq!(
            KubeVersion::parse("1.27.100").unwrap(),
            KubeVersion::new(1, 27, Some(100))
        );
        assert_eq!(KubeVersion::parse("1.27.102").unwrap().to_string(), "1.27.102");
        assert_eq!(
            KubeVersion::parse("1.999.1000").unwrap(),
            KubeVersion::new(1, MAX_MAJOR_MINOR, Some(1000))
        );
    }

    #[test]
    fn rejects_what_aks_rejects() {
        for bad in [
            "",
            "v1.30.0",
            "1",
            "1.30.1-rc",
            "1.30.1+b",
            "1.030",
            "1.30.01",
            "1.x",
            " 1.30",
            "1.30.9.1",
            "1.1000",
            "1000.1.0",
            "1.18446744073709551615",
        ] {
            let err = KubeVersion::parse(bad).unwrap_err();
            assert!(err.help.is_some(), "{bad}: {err}");
        }
        assert_eq!(
            KubeVersion::parse("v1.30.0").unwrap_err().help.as_deref(),
            Some("write `1.30.0`")
        );
    }

    #[test]
    fn orders_numerically_not_as_strings() {
        let mut versions: Vec<KubeVersion> = ["1.31.10", "1.31.2", "1.27.102", "1.28", "1.28.0"]
            .iter()
            .map(|v| v.parse().unwrap())
            .collect();
        versions.sort();
        let text: Vec<String> = versions.iter().map(ToString::to_string).collect();
        assert_eq!(text, ["1.27.102", "1.28", "1.28.0", "1.31.2", "1.31.10"]);
    }
}
