//! Package databases: readers that turn captured database files into package records, and
//! [`view::Catalog`], which reads them for the filesystem as of any layer.

pub mod apk;
pub mod dpkg;
pub mod os_release;
pub mod purl;
pub mod rpm;
#[cfg(test)]
pub(crate) mod testutil;
pub mod view;
