//! Emitters: pure functions from a checked, compiled plan to text. They never print; the CLI
//! decides where the text goes.

pub mod az;
pub mod command;
pub mod diff;
pub mod fleet;
pub mod graphviz;
pub mod json;
pub mod review;
