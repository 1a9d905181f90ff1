//! Registry references end to end, against a real registry on loopback: the CNCF
//! distribution registry (`docker-registry`, Debian's package) started per test on a free
//! port with its storage in a temporary directory, the fixtures pushed with `skopeo`. No
//! network beyond 127.0.0.1. Both programs are required: without them these tests fail
//! and say how to install them.

mod attach;
#[path = "../common/mod.rs"]
mod common;
mod credentials;
mod faults;
mod harness;
mod pull;
