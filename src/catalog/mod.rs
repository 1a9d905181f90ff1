//! Package databases: readers that turn captured database files into package records.

pub mod apk;
pub mod dpkg;
pub mod os_release;
pub mod rpm;
