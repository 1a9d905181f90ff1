//! rpm database reader.
