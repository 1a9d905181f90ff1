//! layerbom reads a container image and reports what is inside, which layer put it there
//! (the base image or our own Dockerfile), under which license, and what distributing it
//! obliges us to do.
//!
//! The library mirrors the pipeline: [`source`] opens the input, [`scan`] reads each layer
//! once, [`overlay`] stacks the layers, [`catalog`] reads package databases,
//! [`obligations`] works out what shipping the image obliges us to do, and [`render`]
//! writes documents. [`pipeline`] runs the stages; [`model`] holds what crosses them; [`fleet`] scans
//! many images as one job.

pub mod attribute;
pub mod audit;
pub mod bundle;
pub mod cache;
pub mod catalog;
pub mod config;
pub mod deb822;
pub mod dockerfile;
pub mod error;
pub mod fleet;
pub mod license;
pub mod model;
pub mod obligations;
pub mod output;
pub mod overlay;
pub mod pipeline;
mod progress;
pub mod render;
pub mod scan;
pub mod source;

pub use error::{Error, Result};
