//! Licenses: what a package says about its license, turned into SPDX expressions.
//!
//! Distributions write license names in their own dialects: Debian's DEP-5 short names
//! (`GPL-2+ or Artistic`), Fedora's legacy `License:` tags (`GPLv2+ and BSD`) and Alpine's
//! mostly-SPDX `L:` values. [`names`] normalizes those strings into valid SPDX expressions
//! without guessing: a name it cannot map exactly becomes a `LicenseRef-` and says so.
//! [`copyright`] reads Debian copyright files, and [`conclude`] turns all of it into a
//! conclusion per package, with its evidence.
//!
//! The facts (which name means which SPDX id) live in `license-db/` as data, embedded at
//! build time; see `license-db/README.md` for where each file came from.

pub mod binary;
pub mod conclude;
pub mod copyright;
pub mod debian;
pub mod files;
pub mod freeform;
pub mod gcc;
pub mod lang;
pub mod matcher;
pub mod names;
pub mod normalize;
pub mod prose;
pub mod ranges;
pub mod text;
pub mod warm;
