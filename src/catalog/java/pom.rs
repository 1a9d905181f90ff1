//! Who supplies a Maven artifact, as the `pom.xml` in its jar records it.
//!
//! A pom names its project's `<organization>` (`<name>`, `<url>`) and its `<developers>`
//! (each `<id>`, `<name>`, `<email>`, `<organization>`). The organization supplies the
//! artifact; without one, the first developer does: a person by name (with the address
//! recorded beside it), else the developer's organization. A value that is a Maven
//! property reference (`${project.organization.name}`) is not resolved (the parent pom it
//! may come from is not in the jar), so it records nobody.
//!
//! The pom is read as XML elements by a small reader that follows element nesting (so a
//! `<developer>`'s `<organization>` is not taken for the project's) and skips comments,
//! processing instructions and the document type; it is bounded in depth and in the text
//! it keeps.

use crate::catalog::party::{self, Contact, Party};

/// The deepest element nesting followed; a deeper pom is read no further.
const MAX_DEPTH: usize = 64;
/// The most text kept of one element.
const MAX_TEXT: usize = 4096;

/// Who supplies the artifact whose `pom.xml` is `bytes` (see the module documentation).
pub fn supplier(bytes: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let mut organization: Option<String> = None;
    let mut developers: Vec<Developer> = Vec::new();
    // `<developer>` elements met; those past the first MAX_ENTRIES are not read.
    let mut met = 0usize;
    walk(&text, |event| match event {
        Event::Open(["project", "developers", "developer"]) => {
            met += 1;
            if met <= party::MAX_ENTRIES {
                developers.push(Developer::default());
            }
        }
        Event::Text(["project", "organization", "name"], v) => {
            organization.get_or_insert(v);
        }
        Event::Text(["project", "developers", "developer", field], v)
            if met <= party::MAX_ENTRIES =>
        {
            if let Some(d) = developers.last_mut() {
                match *field {
                    "name" => d.name = Some(v),
                    "email" => d.email = Some(v),
                    "organization" => d.organization = Some(v),
                    _ => {}
                }
            }
        }
        _ => {}
    });
    let recorded = |v: &Option<String>| v.clone().filter(|v| !v.contains("${"));
    if let Some(org) = recorded(&organization) {
        if let Some(s) = Contact::new(Some(&org), None).supplier(Party::Organization) {
            return Some(s);
        }
    }
    developers.iter().find_map(|d| {
        let person = Contact::new(recorded(&d.name).as_deref(), recorded(&d.email).as_deref());
        if !person.name.is_empty() {
            return person.supplier(Party::Person);
        }
        Contact::new(recorded(&d.organization).as_deref(), None).supplier(Party::Organization)
    })
}

/// One `<developer>` of a pom.
#[derive(Default)]
struct Developer {
    name: Option<String>,
    email: Option<String>,
    organization: Option<String>,
}

/// What the reader meets, with the path of element names (namespace prefixes removed)
/// from the root.
enum Event<'a> {
    /// An element opens.
    Open(&'a [&'a str]),
    /// An element closes, with its own text (entities replaced, trimmed).
    Text(&'a [&'a str], String),
}

/// Reads `xml`'s elements in document order, calling `on` for each; stops at the first
/// thing that is not well-formed enough to follow, or past [`MAX_DEPTH`].
fn walk<'x>(xml: &'x str, mut on: impl FnMut(Event<'_>)) {
    let mut path: Vec<&'x str> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    let mut rest = xml;
    loop {
        let Some(lt) = rest.find('<') else { return };
        if let Some(t) = texts.last_mut() {
            push_raw(t, &rest[..lt]);
        }
        rest = &rest[lt..];
        let skip = |rest: &'x str, end: &str| rest.find(end).map(|i| &rest[i + end.len()..]);
        if rest.starts_with("<!--") {
            let Some(r) = skip(rest, "-->") else { return };
            rest = r;
        } else if let Some(cdata) = rest.strip_prefix("<![CDATA[") {
            let Some(end) = cdata.find("]]>") else { return };
            if let Some(t) = texts.last_mut() {
                push_raw(t, &cdata[..end]);
            }
            rest = &cdata[end + 3..];
        } else if rest.starts_with("<?") {
            let Some(r) = skip(rest, "?>") else { return };
            rest = r;
        } else if rest.starts_with("<!") {
            let Some(r) = skip(rest, ">") else { return };
            rest = r;
        } else if let Some(close) = rest.strip_prefix("</") {
            let Some(gt) = close.find('>') else { return };
            let name = local(close[..gt].trim());
            if path.last() != Some(&name) {
                return;
            }
            let text = texts.pop().unwrap_or_default();
            on(Event::Text(&path, unescape(text.trim())));
            path.pop();
            rest = &close[gt + 1..];
        } else {
            let Some(gt) = tag_end(rest) else { return };
            let tag = &rest[1..gt];
            let empty = tag.ends_with('/');
            let name = local(
                tag.trim_end_matches('/')
                    .split(|c: char| c.is_whitespace())
                    .next()
                    .unwrap_or(""),
            );
            if name.is_empty() || path.len() >= MAX_DEPTH {
                return;
            }
            path.push(name);
            on(Event::Open(&path));
            if empty {
                on(Event::Text(&path, String::new()));
                path.pop();
            } else {
                texts.push(String::new());
            }
            rest = &rest[gt + 1..];
        }
    }
}

/// The index of the `>` that ends the tag `tag` begins, past quoted attribute values.
fn tag_end(tag: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in tag.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '>') => return Some(i),
            _ => {}
        }
    }
    None
}

/// An element name without its namespace prefix.
fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// Appends character data (entities still escaped) to an element's text, up to [`MAX_TEXT`] bytes, at a character boundary.
fn push_raw(text: &mut String, data: &str) {
    let room = MAX_TEXT.saturating_sub(text.len());
    let mut end = data.len().min(room);
    while !data.is_char_boundary(end) {
        end -= 1;
    }
    text.push_str(&data[..end]);
}

/// Replaces XML's predefined entities and character references.
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let Some(semi) = rest.find(';').filter(|&i| i <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let c = match entity {
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .map(|h| u32::from_str_radix(h, 16))
                .or_else(|| entity.strip_prefix('#').map(str::parse))
                .and_then(Result::ok)
                .and_then(char::from_u32),
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pom as Maven Central serves them (commons-lang3 3.14.0, cut down): the project's
    /// organization, and developers with their own organizations.
    const COMMONS_LANG: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!--
   Licensed to the Apache Software Foundation (ASF) under one or more
   contributor license agreements. <organization><name>Not this</name></organization>
-->
<project xmlns="http://maven.apache.org/POM/4.0.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://maven.apache.org/POM/4.0.0 https://maven.apache.org/xsd/maven-4.0.0.xsd">
  <modelVersion>4.0.0</modelVersion>
  <parent>
    <groupId>org.apache.commons</groupId>
    <artifactId>commons-parent</artifactId>
    <version>64</version>
  </parent>
  <artifactId>commons-lang3</artifactId>
  <version>3.14.0</version>
  <developers>
    <developer>
      <name>Daniel Rall</name>
      <id>dlr</id>
      <email>dlr@finemaltcoding.com</email>
      <organization>CollabNet, Inc.</organization>
    </developer>
  </developers>
  <organization>
    <name>The Apache Software Foundation</name>
    <url>https://www.apache.org/</url>
  </organization>
</project>
"#;

    #[test]
    fn the_projects_organization_supplies() {
        assert_eq!(
            supplier(COMMONS_LANG.as_bytes()).as_deref(),
            Some("Organization: The Apache Software Foundation")
        );
    }

    #[test]
    fn without_an_organization_the_first_developer_supplies() {
        // As junit 4.13.2's pom records its developers (no project organization).
        let pom = br#"<project><developers>
            <developer><id>dsaff</id><name>David Saff</name><email>david@saff.net</email></developer>
            <developer><id>kcooney</id><name>Kevin Cooney</name></developer>
          </developers></project>"#;
        assert_eq!(
            supplier(pom).as_deref(),
            Some("Person: David Saff <david@saff.net>")
        );
        let pom = br#"<project><developers><developer><id>x</id><organization>Acme &amp; Co</organization></developer></developers></project>"#;
        assert_eq!(supplier(pom).as_deref(), Some("Organization: Acme & Co"));
    }

    #[test]
    fn nested_and_unresolved_values_record_nobody() {
        // A developer's organization is not the project's; a property is not a name.
        let pom = br#"<project><developers><developer><id>x</id></developer></developers>
            <organization><name>${project.parent.organization.name}</name></organization>
            <build><plugins><plugin><configuration><organization><name>Tool</name></organization></configuration></plugin></plugins></build>
          </project>"#;
        assert_eq!(supplier(pom), None);
        // The fixture's greet pom: licenses only.
        let pom = br#"<?xml version="1.0" encoding="UTF-8"?><project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion><licenses><license><name>The Apache Software License, Version 2.0</name></license></licenses></project>"#;
        assert_eq!(supplier(pom), None);
    }

    #[test]
    fn prefixes_cdata_and_character_references_are_read() {
        let pom = br#"<m:project xmlns:m="http://maven.apache.org/POM/4.0.0"><m:organization><m:name><![CDATA[Eclipse <Foundation>]]></m:name></m:organization></m:project>"#;
        assert_eq!(
            supplier(pom).as_deref(),
            Some("Organization: Eclipse"),
            "angle brackets are cut from names"
        );
        let pom = "<project><organization><name>Caf&#xE9; &#72;Q</name></organization></project>";
        assert_eq!(
            supplier(pom.as_bytes()).as_deref(),
            Some("Organization: Café HQ")
        );
    }

    #[test]
    fn hostile_poms_stop_without_panicking() {
        let deep = "<a>".repeat(MAX_DEPTH * 4);
        assert_eq!(supplier(deep.as_bytes()), None);
        let huge = format!(
            "<project><organization><name>{}</name></organization></project>",
            "x".repeat(1 << 20)
        );
        let s = supplier(huge.as_bytes()).unwrap();
        assert!(s.chars().count() <= party::MAX_NAME + "Organization: …".len());
        for cut in [1, 10, 20, 40] {
            let _ = supplier(&COMMONS_LANG.as_bytes()[..cut]);
        }
        assert_eq!(supplier(b"<project><organization></project>"), None);
        assert_eq!(
            supplier(b"<project attr='>'><organization><name>A</name></organization></project>")
                .as_deref(),
            Some("Organization: A")
        );
        assert_eq!(supplier("<project>é&#xFFFFFFFF;&#;&".as_bytes()), None);
        assert_eq!(unescape("&#xFFFFFFFF;&#;&a &lt;"), "&#xFFFFFFFF;&#;&a <");
        // Developers past the first MAX_ENTRIES are not read, nor merged into the last one.
        let many = format!(
            "<project><developers>{}<developer><name>Late</name></developer></developers></project>",
            "<developer><id>x</id></developer>".repeat(party::MAX_ENTRIES)
        );
        assert_eq!(supplier(many.as_bytes()), None);
    }
}
