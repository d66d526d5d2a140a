//! Library side of the developer tasks, shared by the `xtask` binary and its benchmarks
//! (`cargo bench -p xtask`): the synthetic fleet generator.

pub mod fleet;
