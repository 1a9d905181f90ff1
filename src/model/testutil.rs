//! Small reports built in code, for the tests of every stage that reads a report.

use super::*;

/// Layer `index`, of `origin`, with nothing else known about it.
pub fn layer(index: usize, origin: Origin) -> LayerInfo {
    LayerInfo {
        supplier: None,
        index,
        diff_id: None,
        digest: None,
        media_type: None,
        compression: "none".into(),
        size: 0,
        uncompressed_size: None,
        entries: 0,
        whiteouts: 0,
        created_by: None,
        created: None,
        comment: None,
        origin,
        packages: PackageDelta::default(),
    }
}

/// A report with `layers` layers of the given origins and no packages.
pub fn report(origins: &[Origin]) -> Report {
    Report {
        schema: Schema,
        image: ImageInfo {
            source: "test.tar".into(),
            format: "docker-archive".into(),
            compression: None,
            config_digest: Some("sha256:00".into()),
            manifest_digest: None,
            repo_tags: vec![],
            platform: None,
            created: None,
            os: Some(OsInfo {
                id: "debian".into(),
                version_id: Some("12".into()),
                name: None,
            }),
            supplier: None,
            labels: Default::default(),
            annotations: Default::default(),
            registry: None,
        },
        base: BaseInfo {
            method: "flag".into(),
            layers: Some(1),
            name: None,
            digest: None,
            reason: "test".into(),
        },
        layers: origins
            .iter()
            .enumerate()
            .map(|(index, &origin)| layer(index, origin))
            .collect(),
        packages: vec![],
        removed_packages: vec![],
        license_files: vec![],
        findings: vec![],
    }
}

/// A one-layer report holding Debian 12's libstdc++6 as the license stage concludes it:
/// `GPL-3.0-or-later WITH GCC-exception-3.1`, from its copyright file's sentence.
pub fn gcc_runtime_report() -> Report {
    let mut r = report(&[Origin::Base]);
    let mut p = deb(
        "libstdc++6",
        "12.2.0-14+deb12u1",
        ("gcc-12", "12.2.0-14+deb12u1"),
        0,
        Origin::Base,
        "GPL-3.0-or-later WITH GCC-exception-3.1",
    );
    p.license.declared = Some("The following runtime libraries are licensed under the terms of the GNU General Public License (v3 or later) with version 3.1 of the GCC Runtime Library Exception (included in this file): - libstdc++-v3".into());
    p.license.declared_spdx = Some(p.license.concluded.as_str().to_string());
    p.license.concluded = Concluded::expression(
        p.license.concluded.as_str(),
        vec![Evidence {
            path: "usr/share/doc/gcc-12-base/copyright".into(),
            layer: 0,
            method: "gcc-runtime-library-exception".into(),
            confidence: 0.9,
            lines: vec![100, 113],
            excluded: Vec::new(),
            reviewed: None,
        }],
    );
    r.packages = vec![p];
    r
}

/// A deb package in `layer` with `license`, built from `source`.
pub fn deb(
    name: &str,
    version: &str,
    source: (&str, &str),
    layer: usize,
    origin: Origin,
    license: &str,
) -> Package {
    Package {
        kind: "deb".into(),
        name: name.into(),
        version: version.into(),
        arch: Some("amd64".into()),
        purl: format!("pkg:deb/debian/{name}@{version}"),
        source: Some(SourceRef {
            name: source.0.into(),
            version: Some(source.1.into()),
            commit: None,
        }),
        layer: LayerRef {
            index: layer,
            diff_id: None,
        },
        origin,
        upgraded_from: None,
        license: License {
            declared: None,
            declared_spdx: None,
            concluded: concluded(license),
            texts: Default::default(),
        },
        copyright: vec![format!("Copyright {name} authors")],
        supplier: None,
        homepage: None,
        found_in: FoundIn {
            path: "var/lib/dpkg/status".into(),
            layer,
        },
        depends_on: vec![],
        files: None,
        offer: Offer {
            name: source.0.into(),
            version: source.1.into(),
            commit: None,
            obtain: crate::catalog::dpkg::source::obtain(Some("debian"), source.0, source.1),
        },
    }
}

/// `license` as the license stage would conclude it: an expression without evidence,
/// or no assertion.
pub fn concluded(license: &str) -> Concluded {
    match license {
        NOASSERTION => Concluded::none("nothing is known (a test)"),
        e => Concluded::expression(e, vec![]),
    }
}
