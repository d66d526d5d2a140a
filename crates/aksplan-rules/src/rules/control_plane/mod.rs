//! Control-plane version rules (`aks-upgrade-rules.md` §2.1, §2.3, §2.4).

use super::Rule;

pub mod aks101_no_downgrade;
mod aks102_target_offered;
mod aks103_preview;
pub mod aks104_one_minor_path;
mod aks105_lts_skip;

pub const RULES: &[Rule] = &[
    Rule {
        code: aks101_no_downgrade::CODE,
        check: aks101_no_downgrade::check,
    },
    Rule {
        code: aks102_target_offered::CODE,
        check: aks102_target_offered::check,
    },
    Rule {
        code: aks103_preview::CODE,
        check: aks103_preview::check,
    },
    Rule {
        code: aks104_one_minor_path::CODE,
        check: aks104_one_minor_path::check,
    },
    Rule {
        code: aks105_lts_skip::CODE,
        check: aks105_lts_skip::check,
    },
];
