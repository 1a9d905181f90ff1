//! os-release reader.
