//! The current state and the target against the support calendar (`aks-upgrade-rules.md` §2.3,
//! §2.4), judged as of the plan's date.

use super::Rule;

pub mod aks120_current_support;
pub mod aks121_target_support;
pub mod aks122_lts_premium;
pub mod aks123_lts_capable;
pub mod aks124_hop_not_offered;
pub mod aks125_unsupported_start;
pub mod aks126_patch_for_plan;

pub const RULES: &[Rule] = &[
    Rule {
        code: aks120_current_support::CODE,
        check: aks120_current_support::check,
    },
    Rule {
        code: aks121_target_support::CODE,
        check: aks121_target_support::check,
    },
    Rule {
        code: aks122_lts_premium::CODE,
        check: aks122_lts_premium::check,
    },
    Rule {
        code: aks123_lts_capable::CODE,
        check: aks123_lts_capable::check,
    },
    Rule {
        code: aks124_hop_not_offered::CODE,
        check: aks124_hop_not_offered::check,
    },
    Rule {
        code: aks125_unsupported_start::CODE,
        check: aks125_unsupported_start::check,
    },
    Rule {
        code: aks126_patch_for_plan::CODE,
        check: aks126_patch_for_plan::check,
    },
];
