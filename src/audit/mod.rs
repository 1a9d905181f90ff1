//! The review an open-source program office does before a container delivery is approved:
//! what the Dockerfile fetches and from where ([`dockerfile`]), and what the image itself
//! shows that a person should look at ([`image`]), and the checklist those answer
//! ([`checklist`]); whether the base image is an approved one ([`approved`]); and the
//! reviewers' decisions kept in the configuration file ([`review`]).
//!
//! Both produce [`Finding`](crate::model::Finding)s with a kind, a severity and where they
//! point: a Dockerfile line, or a layer and a path.

pub mod approved;
pub mod checklist;
pub mod dockerfile;
pub mod image;
pub mod review;
pub mod secret;
pub mod shell;
