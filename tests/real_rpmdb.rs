//! Real rpm databases, read as rpm reads them: go-rpmdb's test databases (CBL-Mariner 2.0 and
//! Amazon Linux 2023 SQLite, a RHEL 8.8 BerkeleyDB `Packages`, three SLE 15 SP3 NDB
//! `Packages.db`), each put where its distribution keeps it, beside that distribution's
//! os-release, and scanned as a root filesystem directory and as an OCI archive. Every package
//! of each report must match its line in `tests/fixtures/real-rpmdb/*.expected` (name, epoch,
//! version, release, arch, license, source rpm), and the counts must be equal.
//!
//! The databases are not in this repository: they are read from
//! `../shared/external-fixtures/go-rpmdb/` (relative to the crate root), and a missing one is a
//! failure, not a skip. How each expected list was made (rpm itself, or go-rpmdb's own lists
//! for NDB, which Debian's rpm cannot read) is written in
//! `tests/fixtures/real-rpmdb/make-expected.sh`.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// Where go-rpmdb's databases are kept, relative to the crate root.
const DATA: &str = "../shared/external-fixtures/go-rpmdb";

/// One real database and the image it is put in.
struct Case {
    /// The stem of its `.expected` file in `tests/fixtures/real-rpmdb/`.
    expected: &'static str,
    /// The database, under [`DATA`].
    db: &'static str,
    /// Where the distribution keeps it in an image.
    at: &'static str,
    os_release: &'static [u8],
    /// The purl namespace and `distro` qualifier the os-release gives.
    namespace: &'static str,
    distro: &'static str,
    /// How many lines the expected list has, and how many of them are packages (all but
    /// rpm's `gpg-pubkey` pseudo-packages, which layerbom leaves out of the bill of materials).
    lines: usize,
    packages: usize,
}

/// os-release files of the releases the databases come from, as the release packages in each
/// database name them (`mariner-release 2.0`, `system-release 2023.1.20230825`, `sles-release
/// 15.3`, the `el8_8` of libuuid's release, signed with Red Hat's release key 2): the
/// identifying fields as those distributions write them. CBL-Mariner writes its build date
/// after `2.0.` in `VERSION`, which the database does not record; `2.0` stands for it.
mod os {
    pub const MARINER_2_0: &[u8] = b"NAME=\"Common Base Linux Mariner\"\nVERSION=\"2.0\"\nID=mariner\nVERSION_ID=\"2.0\"\nPRETTY_NAME=\"CBL-Mariner/Linux\"\nANSI_COLOR=\"1;34\"\nHOME_URL=\"https://aka.ms/cbl-mariner\"\n";
    pub const AMAZON_2023: &[u8] = b"NAME=\"Amazon Linux\"\nVERSION=\"2023\"\nID=\"amzn\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"2023\"\nPLATFORM_ID=\"platform:al2023\"\nPRETTY_NAME=\"Amazon Linux 2023\"\nCPE_NAME=\"cpe:2.3:o:amazon:amazon_linux:2023\"\n";
    pub const RHEL_8_8: &[u8] = b"NAME=\"Red Hat Enterprise Linux\"\nVERSION=\"8.8 (Ootpa)\"\nID=\"rhel\"\nID_LIKE=\"fedora\"\nVERSION_ID=\"8.8\"\nPLATFORM_ID=\"platform:el8\"\nPRETTY_NAME=\"Red Hat Enterprise Linux 8.8 (Ootpa)\"\nCPE_NAME=\"cpe:/o:redhat:enterprise_linux:8::baseos\"\n";
    pub const SLES_15_SP3: &[u8] = b"NAME=\"SLES\"\nVERSION=\"15-SP3\"\nVERSION_ID=\"15.3\"\nPRETTY_NAME=\"SUSE Linux Enterprise Server 15 SP3\"\nID=\"sles\"\nID_LIKE=\"suse\"\nCPE_NAME=\"cpe:/o:suse:sles:15:sp3\"\n";
}

const MARINER_2_0_SQLITE: Case = Case {
    expected: "master-cbl-mariner-2.0",
    db: "master/pkg/testdata/cbl-mariner-2.0/rpmdb.sqlite",
    at: "var/lib/rpm/rpmdb.sqlite",
    os_release: os::MARINER_2_0,
    namespace: "mariner",
    distro: "mariner-2.0",
    lines: 129,
    packages: 129,
};

const AMAZON_2023_SQLITE: Case = Case {
    expected: "pr42-amazonlinux2023-plain",
    db: "pr42/pkg/testdata/amazonlinux2023-plain/rpmdb.sqlite",
    at: "var/lib/rpm/rpmdb.sqlite",
    os_release: os::AMAZON_2023,
    namespace: "amzn",
    distro: "amzn-2023",
    lines: 103,
    packages: 102,
};

const RHEL_8_8_BDB: Case = Case {
    expected: "master-libuuid",
    db: "master/pkg/testdata/libuuid/Packages",
    at: "var/lib/rpm/Packages",
    os_release: os::RHEL_8_8,
    namespace: "redhat",
    distro: "rhel-8.8",
    lines: 1,
    packages: 1,
};

const SLE_15_NDB_MASTER: Case = Case {
    expected: "master-sle15-bci",
    db: "master/pkg/testdata/sle15-bci/Packages.db",
    at: "var/lib/rpm/Packages.db",
    os_release: os::SLES_15_SP3,
    namespace: "sles",
    distro: "sles-15.3",
    lines: 35,
    packages: 35,
};

const SLE_15_NDB_PR17: Case = Case {
    expected: "pr17-sle15-bci",
    db: "pr17/pkg/testdata/sle15-bci/Packages.db",
    at: "var/lib/rpm/Packages.db",
    os_release: os::SLES_15_SP3,
    namespace: "sles",
    distro: "sles-15.3",
    lines: 35,
    packages: 35,
};

const SLE_15_NDB_PR42: Case = Case {
    expected: "pr42-sle15-bci",
    db: "pr42/pkg/testdata/sle15-bci/Packages.db",
    at: "var/lib/rpm/Packages.db",
    os_release: os::SLES_15_SP3,
    namespace: "sles",
    distro: "sles-15.3",
    lines: 36,
    packages: 36,
};

fn crate_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The database's bytes; a missing file fails the test and says where it is expected.
fn database(case: &Case) -> Vec<u8> {
    let path: PathBuf = crate_root().join(DATA).join(case.db);
    std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "go-rpmdb's test database {} is expected at {} ({e}): tests/real_rpmdb.rs needs \
             the shared external fixtures next to the crate root",
            case.db,
            path.display()
        )
    })
}

/// The expected `rpm -qa` lines (make.sh's query format), sorted.
fn expected(case: &Case) -> Vec<String> {
    let path = crate_root()
        .join("tests/fixtures/real-rpmdb")
        .join(format!("{}.expected", case.expected));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.sort();
    lines
}

/// A package of the JSON report as a line of `rpm -qa --qf '%{NAME} %{EPOCH} %{VERSION}
/// %{RELEASE} %{ARCH} %{LICENSE} %{SOURCERPM}\n'`: `version` is `[EPOCH:]VERSION-RELEASE`
/// (rpm allows no `-` in either part), `license.declared` the `License` tag as written,
/// `source.name` the `SOURCERPM`; what rpm prints as `(none)` is missing or empty there.
fn qa_line(p: &Value) -> String {
    let evr = p["version"].as_str().expect("version");
    let (epoch, vr) = match evr.split_once(':') {
        Some((e, vr)) => (e, vr),
        None => ("(none)", evr),
    };
    let (version, release) = vr
        .rsplit_once('-')
        .unwrap_or_else(|| panic!("{evr}: no release"));
    let or_none = |v: &Value| match v.as_str() {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => "(none)".to_string(),
    };
    format!(
        "{} {epoch} {version} {release} {} {} {}",
        p["name"].as_str().expect("name"),
        or_none(&p["arch"]),
        or_none(&p["license"]["declared"]),
        or_none(&p["source"]["name"]),
    )
}

/// The purl carries the distribution and the same epoch as `version`.
fn check_purl(case: &Case, form: &str, p: &Value) {
    let purl = p["purl"].as_str().expect("purl");
    let name = p["name"].as_str().expect("name");
    assert!(
        purl.starts_with(&format!("pkg:rpm/{}/", case.namespace))
            && purl.contains(&format!("distro={}", case.distro)),
        "{} {form}: {purl}",
        case.expected
    );
    let evr = p["version"].as_str().expect("version");
    match evr.split_once(':') {
        Some((epoch, _)) => assert!(
            purl.contains(&format!("epoch={epoch}")),
            "{} {form} {name}: {purl}",
            case.expected
        ),
        None => assert!(
            !purl.contains("epoch="),
            "{} {form} {name}: {purl}",
            case.expected
        ),
    }
}

/// Scans `case` in both forms and compares every package with its expected line.
fn reads_as_rpm_lists_it(case: &Case) {
    let want = expected(case);
    assert_eq!(want.len(), case.lines, "{}.expected", case.expected);
    let want: Vec<String> = want
        .into_iter()
        .filter(|l| !l.starts_with("gpg-pubkey "))
        .collect();
    assert_eq!(want.len(), case.packages, "{}.expected", case.expected);

    let db = database(case);
    let image = forms(&[vec![
        E::File("etc/os-release", case.os_release),
        E::File(case.at, &db),
    ]]);
    for (form, doc) in image.scan() {
        let packages = doc["packages"].as_array().expect("packages");
        let mut got: Vec<String> = packages.iter().map(qa_line).collect();
        got.sort();
        let only_got: Vec<&String> = got.iter().filter(|l| !want.contains(l)).collect();
        let only_want: Vec<&String> = want.iter().filter(|l| !got.contains(l)).collect();
        assert!(
            got == want,
            "{} {form}: {} packages read, {} expected\nread, not expected: {only_got:#?}\n\
             expected, not read: {only_want:#?}",
            case.expected,
            got.len(),
            want.len()
        );
        for p in packages {
            check_purl(case, form, p);
            assert_eq!(p["found_in"]["path"], case.at, "{} {form}", case.expected);
        }
        let trouble: Vec<&Value> = doc["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["kind"] == "database-damaged" || f["kind"] == "unknown-distribution")
            .collect();
        assert!(trouble.is_empty(), "{} {form}: {trouble:?}", case.expected);
    }
}

#[test]
fn cbl_mariner_2_0_sqlite() {
    reads_as_rpm_lists_it(&MARINER_2_0_SQLITE);
}

#[test]
fn amazon_linux_2023_sqlite() {
    reads_as_rpm_lists_it(&AMAZON_2023_SQLITE);
}

#[test]
fn rhel_8_8_berkeleydb_packages() {
    reads_as_rpm_lists_it(&RHEL_8_8_BDB);
}

#[test]
fn sle_15_sp3_ndb_from_go_rpmdb_master() {
    reads_as_rpm_lists_it(&SLE_15_NDB_MASTER);
}

#[test]
fn sle_15_sp3_ndb_from_go_rpmdb_pr17() {
    reads_as_rpm_lists_it(&SLE_15_NDB_PR17);
}

#[test]
fn sle_15_sp3_ndb_from_go_rpmdb_pr42() {
    reads_as_rpm_lists_it(&SLE_15_NDB_PR42);
}
