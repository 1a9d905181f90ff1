//! apk database reader.
