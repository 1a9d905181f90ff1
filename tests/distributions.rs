//! Every mainstream distribution, read right, end to end: each image is scanned twice, as
//! a root filesystem directory (its layers flattened) and as an OCI archive, and both
//! reports must list the packages the distribution's package manager would, with the purl
//! namespace and `distro` qualifier the purl specification gives that distribution.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

fn packages(doc: &Value) -> &Vec<Value> {
    doc["packages"].as_array().unwrap()
}

fn purls(doc: &Value) -> Vec<&str> {
    packages(doc)
        .iter()
        .map(|p| p["purl"].as_str().unwrap())
        .collect()
}

fn findings<'a>(doc: &'a Value, kind: &str) -> Vec<&'a Value> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == kind)
        .collect()
}

/// A small apk database, as apk-tools writes it.
const APK_INSTALLED: &[u8] = b"C:Q1yJ2mV1AuH4Ppo5mwzaGIJ4OJ6ak=\nP:ca-certificates-bundle\nV:20241121-r1\nA:x86_64\nS:156384\nI:223312\nT:Mozilla CA certificate bundle\nU:https://www.mozilla.org/en-US/about/governance/policies/security-group/certs/\nL:MPL-2.0 AND MIT\no:ca-certificates\nm:Wolfi <wolfi@example.invalid>\nt:1732147200\nc:5e5b1ad9b0e2a3b2a1f0c9d8e7f6a5b4c3d2e1f0\nF:etc\nF:etc/ssl\nF:etc/ssl/certs\nR:ca-certificates.crt\n\nC:Q1Pg9p3b1ltQ6W2iWw0wfb8Y2H8xk=\nP:glibc\nV:2.40-r3\nA:x86_64\nS:2900000\nI:6100000\nT:the GNU C library\nU:https://www.gnu.org/software/libc\nL:LGPL-2.1-or-later\no:glibc\nm:Wolfi <wolfi@example.invalid>\nt:1732147200\nc:5e5b1ad9b0e2a3b2a1f0c9d8e7f6a5b4c3d2e1f0\nD:ca-certificates-bundle\nF:usr\nF:usr/lib\nR:libc.so.6\n\n";

/// os-release files as the distributions ship them (their identifying fields).
mod os {
    pub const DEBIAN: &[u8] = b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION=\"12 (bookworm)\"\nVERSION_CODENAME=bookworm\nID=debian\n";
    pub const UBUNTU: &[u8] = b"PRETTY_NAME=\"Ubuntu 24.04.1 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"24.04\"\nVERSION=\"24.04.1 LTS (Noble Numbat)\"\nVERSION_CODENAME=noble\nID=ubuntu\nID_LIKE=debian\n";
    pub const ALPINE: &[u8] = b"NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.20.3\nPRETTY_NAME=\"Alpine Linux v3.20\"\n";
    pub const WOLFI: &[u8] = b"ID=wolfi\nNAME=\"Wolfi\"\nPRETTY_NAME=\"Wolfi\"\nVERSION_ID=\"20230201\"\nHOME_URL=\"https://wolfi.dev\"\n";
    pub const CHAINGUARD: &[u8] = b"ID=chainguard\nNAME=\"Chainguard\"\nPRETTY_NAME=\"Chainguard\"\nVERSION_ID=\"20230214\"\nHOME_URL=\"https://chainguard.dev/\"\n";
    pub const RHEL: &[u8] = b"NAME=\"Red Hat Enterprise Linux\"\nVERSION=\"9.4 (Plow)\"\nID=\"rhel\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"9.4\"\nPLATFORM_ID=\"platform:el9\"\nPRETTY_NAME=\"Red Hat Enterprise Linux 9.4 (Plow)\"\n";
    pub const CENTOS: &[u8] = b"NAME=\"CentOS Stream\"\nVERSION=\"9\"\nID=\"centos\"\nID_LIKE=\"rhel fedora\"\nVERSION_ID=\"9\"\nPLATFORM_ID=\"platform:el9\"\nPRETTY_NAME=\"CentOS Stream 9\"\n";
    pub const FEDORA: &[u8] = b"NAME=\"Fedora Linux\"\nVERSION=\"40 (Container Image)\"\nID=fedora\nVERSION_ID=40\nPLATFORM_ID=\"platform:f40\"\nPRETTY_NAME=\"Fedora Linux 40 (Container Image)\"\nVARIANT_ID=container\n";
    pub const ROCKY: &[u8] = b"NAME=\"Rocky Linux\"\nVERSION=\"9.4 (Blue Onyx)\"\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.4\"\nPLATFORM_ID=\"platform:el9\"\nPRETTY_NAME=\"Rocky Linux 9.4 (Blue Onyx)\"\n";
    pub const ALMA: &[u8] = b"NAME=\"AlmaLinux\"\nVERSION=\"9.4 (Seafoam Ocelot)\"\nID=\"almalinux\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.4\"\nPLATFORM_ID=\"platform:el9\"\nPRETTY_NAME=\"AlmaLinux 9.4 (Seafoam Ocelot)\"\n";
    pub const AMAZON: &[u8] = b"NAME=\"Amazon Linux\"\nVERSION=\"2023\"\nID=\"amzn\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"2023\"\nPLATFORM_ID=\"platform:al2023\"\nPRETTY_NAME=\"Amazon Linux 2023.5.20240722\"\n";
    pub const LEAP: &[u8] = b"NAME=\"openSUSE Leap\"\nVERSION=\"15.6\"\nID=\"opensuse-leap\"\nID_LIKE=\"suse opensuse\"\nVERSION_ID=\"15.6\"\nPRETTY_NAME=\"openSUSE Leap 15.6\"\n";
    pub const SLES: &[u8] = b"NAME=\"SLES\"\nVERSION=\"15-SP6\"\nVERSION_ID=\"15.6\"\nPRETTY_NAME=\"SUSE Linux Enterprise Server 15 SP6\"\nID=\"sles\"\nID_LIKE=\"suse\"\n";
    pub const MARINER: &[u8] = b"NAME=\"Common Base Linux Mariner\"\nVERSION=\"2.0.20240609\"\nID=mariner\nVERSION_ID=\"2.0\"\nPRETTY_NAME=\"CBL-Mariner/Linux\"\n";
    pub const AZURE: &[u8] = b"NAME=\"Microsoft Azure Linux\"\nVERSION=\"3.0.20240824\"\nID=azurelinux\nVERSION_ID=\"3.0\"\nPRETTY_NAME=\"Microsoft Azure Linux 3.0\"\n";
    pub const ORACLE: &[u8] = b"NAME=\"Oracle Linux Server\"\nVERSION=\"9.4\"\nID=\"ol\"\nID_LIKE=\"fedora\"\nVARIANT=\"Server\"\nVARIANT_ID=\"server\"\nVERSION_ID=\"9.4\"\nPLATFORM_ID=\"platform:el9\"\nPRETTY_NAME=\"Oracle Linux Server 9.4\"\n";
}

const DPKG_STATUS: &[u8] = b"Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4+deb12u7\n\nPackage: zlib1g\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1:1.2.13.dfsg-1\nSource: zlib\n";

#[test]
fn apk_tools_3_databases_under_usr_lib_are_read() {
    for (os_release, namespace, distro) in [
        (os::WOLFI, "wolfi", "wolfi-20230201"),
        (os::CHAINGUARD, "chainguard", "chainguard-20230214"),
    ] {
        let image = forms(&[vec![
            E::File("etc/os-release", os_release),
            E::File("usr/lib/apk/db/installed", APK_INSTALLED),
        ]]);
        for (form, doc) in image.scan() {
            assert_eq!(
                purls(&doc),
                [
                    format!("pkg:apk/{namespace}/ca-certificates-bundle@20241121-r1?arch=x86_64&distro={distro}&upstream=ca-certificates"),
                    format!("pkg:apk/{namespace}/glibc@2.40-r3?arch=x86_64&distro={distro}"),
                ],
                "{namespace} {form}"
            );
            assert_eq!(
                packages(&doc)[1]["found_in"]["path"],
                "usr/lib/apk/db/installed"
            );
            assert_eq!(
                packages(&doc)[1]["license"]["declared"],
                "LGPL-2.1-or-later"
            );
            assert!(findings(&doc, "unknown-distribution").is_empty(), "{form}");
        }
    }
}

#[test]
fn a_merged_usr_lib_symlink_in_another_layer_leads_to_the_apk_database() {
    // apk-tools 2's path through `lib -> /usr/lib` (absolute: resolved inside the root),
    // the symlink in a layer above the database.
    let image = forms(&[
        vec![
            E::File("etc/os-release", os::ALPINE),
            E::File("usr/lib/apk/db/installed", APK_INSTALLED),
        ],
        vec![E::Symlink("lib", "/usr/lib")],
    ]);
    for (form, doc) in image.scan() {
        assert_eq!(packages(&doc).len(), 2, "{form}");
        assert!(purls(&doc)[0].starts_with("pkg:apk/alpine/ca-certificates-bundle@"));
    }
}

#[test]
fn a_symlinked_dpkg_directory_is_followed_inside_the_root() {
    // `var/lib/dpkg` climbs further than the root allows: `..` stops at the root, so the
    // link lands on `usr/lib/dpkg`, never outside the image.
    let image = forms(&[
        vec![
            E::File("etc/os-release", os::DEBIAN),
            E::Dir("var/lib"),
            E::Symlink("var/lib/dpkg", "../../../../../usr/lib/dpkg"),
        ],
        vec![
            E::File("usr/lib/dpkg/status", DPKG_STATUS),
            E::File(
                "usr/lib/dpkg/info/zlib1g:amd64.list",
                b"/.\n/usr\n/usr/lib\n/usr/lib/x86_64-linux-gnu/libz.so.1\n",
            ),
        ],
    ]);
    for (form, doc) in image.scan() {
        let zlib = &packages(&doc)[1];
        assert_eq!(
            zlib["purl"],
            "pkg:deb/debian/zlib1g@1:1.2.13.dfsg-1?arch=amd64&distro=debian-12&upstream=zlib",
            "{form}"
        );
        assert_eq!(zlib["found_in"]["path"], "usr/lib/dpkg/status", "{form}");
        assert_eq!(zlib["files"], 3, "{form}: the .list file through the link");
    }
}

#[test]
fn a_symlinked_rpm_directory_in_a_later_layer_leads_to_the_database() {
    // rpm-ostree keeps the database in usr/share/rpm, reached through var/lib/rpm.
    let image = forms(&[
        vec![
            E::File("etc/os-release", os::FEDORA),
            E::File(
                "usr/share/rpm/rpmdb.sqlite",
                &catalog_fixture("rpm/test-fixtures/rpmdb.sqlite"),
            ),
        ],
        vec![
            E::Dir("var/lib"),
            E::Symlink("var/lib/rpm", "../../usr/share/rpm"),
        ],
    ]);
    for (form, doc) in image.scan() {
        assert!(!packages(&doc).is_empty(), "{form}");
        for p in packages(&doc) {
            assert_eq!(
                p["found_in"]["path"], "usr/share/rpm/rpmdb.sqlite",
                "{form}"
            );
            assert!(p["purl"].as_str().unwrap().starts_with("pkg:rpm/fedora/"));
        }
    }
}

#[test]
fn dpkg_records_dpkg_does_not_count_as_installed_are_left_out() {
    let status = b"Package: base-files\nStatus: install ok installed\nArchitecture: amd64\nVersion: 12.4\n\n\
        Package: nostatus\nArchitecture: amd64\nVersion: 1.0\n\n\
        Package: noversion\nStatus: install ok installed\nArchitecture: amd64\n\n\
        Package: gone\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 2.0\n";
    let image = forms(&[vec![
        E::File("etc/os-release", os::DEBIAN),
        E::File("var/lib/dpkg/status", status),
        // distroless: no Status is normal, a missing Version is not.
        E::File(
            "var/lib/dpkg/status.d/tzdata",
            b"Package: tzdata\nArchitecture: all\nVersion: 2024a-0+deb12u1\n",
        ),
        E::File(
            "var/lib/dpkg/status.d/broken",
            b"Package: broken\nArchitecture: all\n",
        ),
    ]]);
    for (form, doc) in image.scan() {
        let names: Vec<&str> = packages(&doc)
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["base-files", "tzdata"], "{form}");
        assert!(purls(&doc).iter().all(|p| p.contains('@')), "{form}");
        let damaged: Vec<&str> = findings(&doc, "database-damaged")
            .iter()
            .map(|f| f["message"].as_str().unwrap())
            .collect();
        assert_eq!(damaged.len(), 3, "{form}: {damaged:?}");
        for (name, why) in [
            ("nostatus", "no Status"),
            ("noversion", "no Version"),
            ("broken", "no Version"),
        ] {
            assert!(
                damaged.iter().any(|m| m.contains(name) && m.contains(why)),
                "{form}: {name}: {damaged:?}"
            );
        }
    }
}

#[test]
fn apk_records_without_a_version_are_left_out() {
    let installed = [APK_INSTALLED, b"P:broken\nA:x86_64\nL:MIT\n\n"].concat();
    let image = forms(&[vec![
        E::File("etc/os-release", os::ALPINE),
        E::File("lib/apk/db/installed", &installed),
    ]]);
    for (form, doc) in image.scan() {
        assert_eq!(packages(&doc).len(), 2, "{form}");
        assert!(purls(&doc).iter().all(|p| p.contains('@')), "{form}");
        let damaged = findings(&doc, "database-damaged");
        assert_eq!(damaged.len(), 1, "{form}");
        assert!(damaged[0]["message"]
            .as_str()
            .unwrap()
            .contains("package broken has no V: version"));
    }
}

#[test]
fn each_rpm_distribution_names_its_own_vendor() {
    let db = catalog_fixture("rpm/test-fixtures/rpmdb.sqlite");
    for (os_release, namespace, distro) in [
        (os::RHEL, "redhat", "rhel-9.4"),
        (os::CENTOS, "centos", "centos-9"),
        (os::FEDORA, "fedora", "fedora-40"),
        (os::ROCKY, "rocky", "rocky-9.4"),
        (os::ALMA, "almalinux", "almalinux-9.4"),
        (os::AMAZON, "amzn", "amzn-2023"),
        (os::LEAP, "opensuse", "opensuse-leap-15.6"),
        (os::SLES, "sles", "sles-15.6"),
        (os::MARINER, "mariner", "mariner-2.0"),
        (os::AZURE, "azurelinux", "azurelinux-3.0"),
        (os::ORACLE, "oracle", "ol-9.4"),
    ] {
        let image = forms(&[vec![
            E::File("etc/os-release", os_release),
            E::File("var/lib/rpm/rpmdb.sqlite", &db),
        ]]);
        for (form, doc) in image.scan() {
            assert!(!packages(&doc).is_empty(), "{namespace} {form}");
            for purl in purls(&doc) {
                assert!(
                    purl.starts_with(&format!("pkg:rpm/{namespace}/"))
                        && purl.contains(&format!("distro={distro}")),
                    "{namespace} {form}: {purl}"
                );
            }
            assert!(findings(&doc, "unknown-distribution").is_empty());
        }
    }
}

#[test]
fn debian_ubuntu_and_alpine_name_their_own_vendors() {
    for (os_release, path, db, namespace, distro) in [
        (
            os::DEBIAN,
            "var/lib/dpkg/status",
            DPKG_STATUS,
            "deb/debian",
            "debian-12",
        ),
        (
            os::UBUNTU,
            "var/lib/dpkg/status",
            DPKG_STATUS,
            "deb/ubuntu",
            "ubuntu-24.04",
        ),
        (
            os::ALPINE,
            "lib/apk/db/installed",
            APK_INSTALLED,
            "apk/alpine",
            "alpine-3.20.3",
        ),
    ] {
        let image = forms(&[vec![
            E::File("etc/os-release", os_release),
            E::File(path, db),
        ]]);
        for (form, doc) in image.scan() {
            assert_eq!(packages(&doc).len(), 2, "{namespace} {form}");
            for purl in purls(&doc) {
                assert!(
                    purl.starts_with(&format!("pkg:{namespace}/"))
                        && purl.contains(&format!("distro={distro}")),
                    "{form}: {purl}"
                );
            }
        }
    }
}

#[test]
fn an_unknown_distribution_is_a_finding_and_keeps_its_own_id() {
    let os_release = b"NAME=\"VMware Photon OS\"\nVERSION=\"5.0\"\nID=photon\nVERSION_ID=5.0\nPRETTY_NAME=\"VMware Photon OS/Linux\"\n";
    let image = forms(&[vec![
        E::File("etc/os-release", os_release),
        E::File(
            "var/lib/rpm/rpmdb.sqlite",
            &catalog_fixture("rpm/test-fixtures/rpmdb.sqlite"),
        ),
    ]]);
    for (form, doc) in image.scan() {
        assert!(purls(&doc)
            .iter()
            .all(|p| p.starts_with("pkg:rpm/photon/") && p.contains("distro=photon-5.0")));
        let unknown = findings(&doc, "unknown-distribution");
        assert_eq!(unknown.len(), 1, "{form}");
        assert_eq!(unknown[0]["severity"], "warning");
        assert_eq!(unknown[0]["path"], "var/lib/rpm/rpmdb.sqlite");
        assert!(unknown[0]["message"]
            .as_str()
            .unwrap()
            .contains("\"photon\""));
    }
}

#[test]
fn without_os_release_the_purl_names_no_vendor() {
    let image = forms(&[
        vec![E::File("var/lib/dpkg/status", DPKG_STATUS)],
        // A later layer rewrites the database: still one finding, for the top view.
        vec![E::File("var/lib/dpkg/status", DPKG_STATUS)],
    ]);
    for (form, doc) in image.scan() {
        assert_eq!(
            purls(&doc),
            [
                "pkg:deb/base-files@12.4%2Bdeb12u7?arch=amd64",
                "pkg:deb/zlib1g@1:1.2.13.dfsg-1?arch=amd64&upstream=zlib"
            ],
            "{form}"
        );
        let unknown = findings(&doc, "unknown-distribution");
        assert_eq!(unknown.len(), 1, "{form}");
        assert!(unknown[0]["message"]
            .as_str()
            .unwrap()
            .contains("no os-release ID"));
    }
}

#[test]
fn azure_linux_distroless_reads_the_rpm_manifest() {
    let image = forms(&[vec![
        E::File("etc/os-release", os::AZURE),
        E::File(
            "var/lib/rpmmanifest/container-manifest-2",
            &catalog_fixture("rpm/test-fixtures/container-manifest-2"),
        ),
        E::File(
            "var/lib/rpmmanifest/container-manifest-1",
            b"filesystem-1.1-21.azl3.x86_64\n",
        ),
    ]]);
    for (form, doc) in image.scan() {
        let names: Vec<&str> = packages(&doc)
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "filesystem",
                "glibc",
                "openssl-libs",
                "prebuilt-ca-certificates",
                "tzdata"
            ],
            "{form}"
        );
        let ssl = &packages(&doc)[2];
        assert_eq!(
            ssl["purl"],
            "pkg:rpm/azurelinux/openssl-libs@3.3.3-2.azl3?arch=x86_64&distro=azurelinux-3.0&epoch=1&upstream=openssl-3.3.3-2.azl3.src.rpm",
            "{form}"
        );
        assert_eq!(ssl["version"], "1:3.3.3-2.azl3");
        assert_eq!(ssl["supplier"], "Microsoft Corporation");
        assert_eq!(ssl["source"]["name"], "openssl-3.3.3-2.azl3.src.rpm");
        assert_eq!(ssl["license"]["concluded"], "NOASSERTION");
        assert_eq!(
            ssl["found_in"]["path"],
            "var/lib/rpmmanifest/container-manifest-2"
        );
    }
}

#[test]
fn a_replaced_version_is_listed_with_what_replaced_it() {
    let status = |v: &str| {
        format!(
            "Package: openssl\nStatus: install ok installed\nArchitecture: amd64\nVersion: {v}\n"
        )
    };
    let (old, new) = (status("3.0.11-1~deb12u2"), status("3.0.15-1~deb12u1"));
    let image = forms(&[
        vec![
            E::File("etc/os-release", os::DEBIAN),
            E::File("var/lib/dpkg/status", old.as_bytes()),
        ],
        vec![E::File("var/lib/dpkg/status", new.as_bytes())],
    ]);
    let [(_, rootfs), (_, archive)] = image.scan();
    // A root filesystem is one layer: only the version it holds.
    assert_eq!(packages(&rootfs)[0]["version"], "3.0.15-1~deb12u1");
    assert_eq!(rootfs["removed_packages"], serde_json::json!([]));
    // The archive's lower layer still carries the old version.
    assert_eq!(packages(&archive)[0]["upgraded_from"], "3.0.11-1~deb12u2");
    assert_eq!(
        archive["removed_packages"],
        serde_json::json!([{
            "type": "deb", "name": "openssl", "version": "3.0.11-1~deb12u2", "arch": "amd64",
            "added_in": 0, "removed_in": 1, "replaced_by": "3.0.15-1~deb12u1"
        }])
    );
    assert_eq!(archive["layers"][1]["packages"]["removed"], 0);
    assert_eq!(archive["layers"][1]["packages"]["upgraded"], 1);
}

/// Amazon Linux 2 (yum), beside the 2023 release (dnf) of [`os::AMAZON`].
const AMAZON_2: &[u8] = b"NAME=\"Amazon Linux\"\nVERSION=\"2\"\nID=\"amzn\"\nID_LIKE=\"centos rhel fedora\"\nVERSION_ID=\"2\"\nPRETTY_NAME=\"Amazon Linux 2\"\n";

/// The source archives the obligations are written with: one for each distribution whose
/// history archive is laid out by name and version, on a neutral host.
const ARCHIVES: [&str; 5] = [
    "debian=https://archive.example/debian/package/{name}/{version}/",
    "ubuntu=https://archive.example/ubuntu/+source/{name}/{version}",
    "fedora=https://archive.example/koji/packages/{name}/{version}/{release}/src/{file}",
    "alpine=https://archive.example/aports/-/tree/{commit}",
    "wolfi=https://archive.example/wolfi-os/tree/{commit}",
];

/// The obligations document (`-o obligations-json`, every layer distributed) of each form,
/// with the [`ARCHIVES`].
fn obligations(image: &Forms) -> [(&'static str, Value); 2] {
    let args: Vec<&str> = ARCHIVES
        .iter()
        .flat_map(|a| ["--source-archive", a])
        .collect();
    let run = |path: &Path| document_with(path, "obligations-json", &args);
    [
        ("rootfs", run(&image.rootfs)),
        ("archive", run(&image.archive)),
    ]
}

/// A DEP-5 copyright file for bash: GPL-3+, a license that owes its source.
fn bash_copyright() -> String {
    format!(
        "{}\n\nFiles: *\nCopyright: 1987-2022 Free Software Foundation, Inc.\nLicense: GPL-3+\n",
        dep5_format()
    )
}

/// What the obligations must say of one source: command, URL and file exactly, and a part
/// of the note that names what to ask for and where.
struct Expected {
    source: &'static str,
    command: Option<&'static str>,
    url: Option<&'static str>,
    file: Option<&'static str>,
    note: &'static str,
}

/// A distribution's name, its os-release, its database's path and content, and what its
/// obligations must say.
type Case<'a> = (&'a str, &'a [u8], &'a str, &'a [u8], Expected);

#[test]
fn each_distribution_says_how_to_obtain_the_exact_source() {
    let rpmdb = catalog_fixture("rpm/test-fixtures/rpmdb.sqlite");
    let srpm = "layerbom-doc-2024.1-3.src.rpm";
    let rpm = |command, url, note| Expected {
        source: "layerbom-doc-2024.1-3.src.rpm",
        command,
        url,
        file: Some(srpm),
        note,
    };
    let commit = "5e5b1ad9b0e2a3b2a1f0c9d8e7f6a5b4c3d2e1f0";
    let apk = |url, note| Expected {
        source: "glibc",
        command: None,
        url,
        file: None,
        note,
    };
    let status = b"Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.21-2ubuntu4\n";
    let copyright = bash_copyright();
    let copyright = copyright.as_bytes();
    let deb = |command, url, note| Expected {
        source: "bash",
        command,
        url,
        file: None,
        note,
    };
    let azure: &[u8] = b"NAME=\"Microsoft Azure Linux\"\nVERSION=\"3.0.20240824\"\nID=azurelinux\nVERSION_ID=\"3.0\"\n";
    let cases: Vec<Case> = vec![
        (
            "ubuntu", os::UBUNTU, "var/lib/dpkg/status", status,
            deb(
                Some("apt-get source bash=5.2.21-2ubuntu4"),
                Some("https://archive.example/ubuntu/+source/bash/5.2.21-2ubuntu4"),
                "Launchpad keeps the source of every version published in Ubuntu",
            ),
        ),
        (
            "debian", os::DEBIAN, "var/lib/dpkg/status", status,
            deb(
                Some("apt-get source bash=5.2.21-2ubuntu4"),
                Some("https://archive.example/debian/package/bash/5.2.21-2ubuntu4/"),
                "Debian's snapshot archive keeps every source version",
            ),
        ),
        (
            "fedora", os::FEDORA, "var/lib/rpm/rpmdb.sqlite", &rpmdb,
            rpm(
                Some("dnf download --source layerbom-doc-2024.1-3"),
                Some("https://archive.example/koji/packages/layerbom-doc/2024.1/3/src/layerbom-doc-2024.1-3.src.rpm"),
                "Fedora's Koji keeps the source RPM of every build",
            ),
        ),
        (
            "centos", os::CENTOS, "var/lib/rpm/rpmdb.sqlite", &rpmdb,
            rpm(
                Some("dnf download --source layerbom-doc-2024.1-3"),
                None,
                "CentOS Stream's Koji keeps every Stream build, and the CentOS vault",
            ),
        ),
        (
            "rhel", os::RHEL, "var/lib/rpm/rpmdb.sqlite", &rpmdb,
            rpm(
                Some("dnf download --source layerbom-doc-2024.1-3"),
                None,
                "the image's tag with -source appended (for UBI: ubi9/ubi:TAG-source in Red Hat's registry",
            ),
        ),
        (
            "rocky", os::ROCKY, "var/lib/rpm/rpmdb.sqlite", &rpmdb,
            rpm(
                Some("dnf download --source layerbom-doc-2024.1-3"),
                None,
                "the Rocky Linux vault keeps those of earlier minor releases",
            ),
        ),
        (
            "almalinux", os::ALMA, "var/lib/rpm/rpmdb.sqlite", &rpmdb,
            rpm(
                Some("dnf download --source layerbom-doc-2024.1-3"),
                None,
                "the AlmaLinux vault keeps those of earlier minor releases",
            ),
        ),
        (
            "amzn 2023", os::AMAZON, "var/lib/rpm/rpmdb.sqlite", &rpmdb,
            rpm(
                Some("dnf download --source layerbom-doc-2024.1-3"),
                None,
                "Amazon Linux's source repositories serve it",
            ),
        ),
        (
            "amzn 2", AMAZON_2, "var/lib/rpm/rpmdb.sqlite", &rpmdb,
            rpm(
                Some("yumdownloader --source layerbom-doc-2024.1-3"),
                None,
                "Amazon Linux's source repositories serve it",
            ),
        ),
        (
            "oracle", os::ORACLE, "var/lib/rpm/rpmdb.sqlite", &rpmdb,
            rpm(None, None, "on its open-source site, in the SRPMS directories of each release: ask Oracle for it"),
        ),
        (
            "opensuse-leap", os::LEAP, "var/lib/rpm/rpmdb.sqlite", &rpmdb,
            rpm(
                Some("zypper source-install --no-build-deps layerbom-doc=2024.1-3"),
                None,
                "openSUSE's source repository serves it (repo-source",
            ),
        ),
        (
            "sles", os::SLES, "var/lib/rpm/rpmdb.sqlite", &rpmdb,
            rpm(
                Some("zypper source-install --no-build-deps layerbom-doc=2024.1-3"),
                None,
                "each module's Source-Pool repository",
            ),
        ),
        (
            "azurelinux", azure, "var/lib/rpm/rpmdb.sqlite", &rpmdb,
            rpm(
                None,
                None,
                "SPECS/layerbom-doc in the azurelinux repository at the release tag 3.0.20240824-3.0 the image's os-release names",
            ),
        ),
        (
            "mariner", os::MARINER, "var/lib/rpm/rpmdb.sqlite", &rpmdb,
            rpm(
                None,
                None,
                "at the release tag 2.0.20240609-2.0",
            ),
        ),
        (
            "alpine", os::ALPINE, "lib/apk/db/installed", APK_INSTALLED,
            apk(
                Some("https://archive.example/aports/-/tree/5e5b1ad9b0e2a3b2a1f0c9d8e7f6a5b4c3d2e1f0"),
                "main/glibc/ or community/glibc/",
            ),
        ),
        (
            "wolfi", os::WOLFI, "usr/lib/apk/db/installed", APK_INSTALLED,
            apk(
                Some("https://archive.example/wolfi-os/tree/5e5b1ad9b0e2a3b2a1f0c9d8e7f6a5b4c3d2e1f0"),
                "glibc.yaml is the melange recipe that built the package",
            ),
        ),
        (
            "chainguard", os::CHAINGUARD, "usr/lib/apk/db/installed", APK_INSTALLED,
            apk(None, "ask Chainguard for the source of glibc as built from commit 5e5b1ad9b0e2a3b2a1f0c9d8e7f6a5b4c3d2e1f0"),
        ),
    ];
    assert!(APK_INSTALLED
        .windows(commit.len())
        .any(|w| w == commit.as_bytes()));
    for (name, os_release, path, db, want) in cases {
        let image = forms(&[vec![
            E::File("etc/os-release", os_release),
            E::File(path, db),
            E::File("usr/share/doc/bash/copyright", copyright),
        ]]);
        for (form, doc) in obligations(&image) {
            let sources = doc["sources"].as_array().unwrap();
            let s = sources
                .iter()
                .find(|s| s["name"] == want.source)
                .unwrap_or_else(|| panic!("{name} {form}: no {} in {sources:?}", want.source));
            let o = &s["obtain"];
            assert_eq!(o["command"].as_str(), want.command, "{name} {form}");
            assert_eq!(o["url"].as_str(), want.url, "{name} {form}");
            assert_eq!(o["file"].as_str(), want.file, "{name} {form}");
            let note = o["note"].as_str().unwrap();
            assert!(note.contains(want.note), "{name} {form}: {note}");
            if let Some(file) = want.file {
                assert!(
                    note.starts_with(&format!("the source RPM {file} ")),
                    "{name} {form}: {note}"
                );
            }
        }
    }
}

/// layerbom names no archive of its own: without `--source-archive` an offer has no URL; the
/// archive is taken from the command line, its variable or `layerbom.toml`, and converting
/// the native document with the same archive writes the same bytes.
#[test]
fn source_archives_come_from_the_configuration() {
    let status = b"Package: bash\nStatus: install ok installed\nArchitecture: amd64\nVersion: 5.2.15-2+b2\nSource: bash (5.2.15-2)\n";
    let copyright = bash_copyright();
    let image = forms(&[vec![
        E::File("etc/os-release", os::DEBIAN),
        E::File("var/lib/dpkg/status", status),
        E::File("usr/share/doc/bash/copyright", copyright.as_bytes()),
    ]]);
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_layerbom"));
        cmd.current_dir(dir.path())
            .args(args)
            .env("LAYERBOM_NO_CACHE", "1")
            .env("SOURCE_DATE_EPOCH", "1700000000");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().unwrap()
    };
    let image = image.archive.to_str().unwrap();
    let url = |out: &std::process::Output| -> Option<String> {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
        doc["sources"][0]["obtain"]["url"]
            .as_str()
            .map(str::to_string)
    };
    let plain = run(&["scan", image, "-q", "-o", "obligations-json"], &[]);
    assert_eq!(url(&plain), None);
    let want = Some("http://127.0.0.1:9/debian/bash/5.2.15-2/".to_string());
    let template = "debian=http://127.0.0.1:9/debian/{name}/{version}/";
    let flag = run(
        &[
            "scan",
            image,
            "-q",
            "-o",
            "obligations-json",
            "--source-archive",
            template,
        ],
        &[],
    );
    assert_eq!(url(&flag), want);
    let variable = run(
        &["scan", image, "-q", "-o", "obligations-json"],
        &[("LAYERBOM_SOURCE_ARCHIVE", template)],
    );
    assert_eq!(url(&variable), want);
    std::fs::write(
        dir.path().join("layerbom.toml"),
        format!("source-archive = [\"{template}\", \"fedora=http://127.0.0.1:9/{{file}}\"]\n"),
    )
    .unwrap();
    let file = run(&["scan", image, "-q", "-o", "obligations-json"], &[]);
    assert_eq!(url(&file), want);
    // The native document carries the URL to `convert`, which writes the same bytes.
    let native = dir.path().join("scan.json");
    let scan = run(
        &[
            "scan",
            image,
            "-q",
            "-o",
            &format!("json={}", native.display()),
        ],
        &[],
    );
    assert!(scan.status.success());
    let again = run(&["convert", native.to_str().unwrap(), "-o", "json"], &[]);
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(again.stdout, std::fs::read(&native).unwrap());
    std::fs::remove_file(dir.path().join("layerbom.toml")).unwrap();
    // Malformed archives are usage errors that say what is wrong.
    for (bad, says) in [
        (
            "debian=https://archive.example/{nmae}",
            "unknown placeholder {nmae}",
        ),
        ("debian", "expected ID=URL"),
        ("debian=file:///srv/{name}", "https:// or http://"),
    ] {
        let out = run(&["scan", image, "-q", "--source-archive", bad], &[]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{bad}: {err}");
    }
    let twice = run(
        &[
            "scan",
            image,
            "-q",
            "--source-archive",
            template,
            "--source-archive",
            "debian=https://archive.example/{name}",
        ],
        &[],
    );
    assert_eq!(twice.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&twice.stderr).contains("two archives for debian"));
}
