//! dpkg database reader.
