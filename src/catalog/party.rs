//! Who made a language package, as its own metadata records it: npm's `author`, Python's
//! `Author`/`Author-email`, a gemspec's `authors`, a pom's `organization` and `developers`,
//! Composer's `authors`.
//!
//! The supplier is an NTIA minimum element: an SBOM without one for a component does not
//! conform. Language packages have no distribution maintainer; the party their manifest
//! names is the best record of who supplies them. Nothing is guessed: a package whose
//! metadata names nobody gets no supplier (documents then say `NOASSERTION`, and the audit
//! reports it as `supplier-unknown`).
//!
//! A supplier is written as the renderers read it, `Person: NAME <EMAIL>` or
//! `Organization: NAME <EMAIL>` (SPDX 2.3 writes `Person: NAME (EMAIL)`). Whether it is a
//! person or an organization is what the *field* means in its format, never a guess from
//! the name: an author, maintainer or developer is a person (npm calls these "people
//! fields"; Python's core metadata, RubyGems and Composer describe authors as people), a
//! pom's `<organization>` is an organization. When a field lists several parties, the
//! first one listed is the supplier (SPDX and CycloneDX take one supplier).
//!
//! Values come from hostile files: names and addresses are bounded, control characters
//! and line breaks dropped, and lists read up to [`MAX_ENTRIES`] entries.

/// The longest name kept, in characters; a longer one is cut and ends with `…`.
pub const MAX_NAME: usize = 256;
/// The longest email address kept, in bytes (RFC 5321's limit on a path).
pub const MAX_EMAIL: usize = 254;
/// The most entries of one list (authors, maintainers, developers) looked at.
pub const MAX_ENTRIES: usize = 64;

/// What a supplier field names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// A person: an author, maintainer or developer.
    Person,
    /// An organization.
    Organization,
}

/// A name and, when recorded, an email address, as a metadata field gives them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Contact {
    /// The name (may be empty when only an address was recorded).
    pub name: String,
    /// The email address.
    pub email: Option<String>,
}

impl Contact {
    /// A contact from separate name and email fields (npm's `{name, email}`, Composer's
    /// author objects, a pom's `<developer>`), cleaned.
    pub fn new(name: Option<&str>, email: Option<&str>) -> Contact {
        Contact {
            name: name.map(clean_name).unwrap_or_default(),
            email: email.and_then(clean_email),
        }
    }

    /// The supplier string for this contact as `party`, or `None` when it has neither a
    /// name nor an address. A bare address stands as the name too: it is how the package
    /// recorded its author.
    pub fn supplier(&self, party: Party) -> Option<String> {
        let prefix = match party {
            Party::Person => "Person",
            Party::Organization => "Organization",
        };
        match (self.name.as_str(), self.email.as_deref()) {
            ("", None) => None,
            ("", Some(email)) => Some(format!("{prefix}: {email}")),
            (name, None) => Some(format!("{prefix}: {name}")),
            (name, Some(email)) => Some(format!("{prefix}: {name} <{email}>")),
        }
    }
}

/// Reads one party written as `Name <email> (url)` (npm's string form, every part
/// optional), `"Name" <email>` or `Name <email>` (RFC 5322, as Python's `Author-email`
/// writes it), or a bare `email`. A URL in parentheses is left out.
pub fn mailbox(raw: &str) -> Contact {
    let raw = raw.trim();
    let (name, rest) = if let Some(quoted) = raw.strip_prefix('"') {
        // A quoted display name: up to the closing quote (`\"` escapes one).
        let mut name = String::new();
        let mut chars = quoted.char_indices();
        let mut end = quoted.len();
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    if let Some((_, n)) = chars.next() {
                        name.push(n);
                    }
                }
                '"' => {
                    end = i + 1;
                    break;
                }
                _ => name.push(c),
            }
        }
        (name, &quoted[end..])
    } else {
        let cut = raw.find(['<', '(']).unwrap_or(raw.len());
        (raw[..cut].to_string(), &raw[cut..])
    };
    let email = rest
        .split_once('<')
        .and_then(|(_, r)| r.split_once('>'))
        .map(|(e, _)| e);
    let mut contact = Contact::new(Some(&name), email);
    if contact.email.is_none() && rest.trim().is_empty() && is_email(contact.name.as_str()) {
        // A bare address.
        contact.email = clean_email(&contact.name);
        contact.name.clear();
    }
    contact
}

/// Reads a comma-separated list of parties (Python's `Author-email: A <a@x>, "B, C" <b@y>`),
/// commas inside quotes or angle brackets not separating; at most [`MAX_ENTRIES`], empty
/// entries left out.
pub fn mailboxes(raw: &str) -> Vec<Contact> {
    let mut out = Vec::new();
    let (mut start, mut quoted, mut angled, mut escaped) = (0, false, false, false);
    let push = |part: &str, out: &mut Vec<Contact>| {
        let c = mailbox(part);
        if c.name.is_empty() && c.email.is_none() {
            return;
        }
        out.push(c);
    };
    for (i, c) in raw.char_indices() {
        if out.len() >= MAX_ENTRIES {
            return out;
        }
        match (escaped, c) {
            (true, _) => escaped = false,
            (false, '\\') if quoted => escaped = true,
            (false, '"') => quoted = !quoted,
            (false, '<') if !quoted => angled = true,
            (false, '>') if !quoted => angled = false,
            (false, ',') if !quoted && !angled => {
                push(&raw[start..i], &mut out);
                start = i + 1;
            }
            _ => {}
        }
    }
    if out.len() < MAX_ENTRIES {
        push(&raw[start..], &mut out);
    }
    out
}

/// Whether `s` looks like an email address alone: one `@` with text on both sides and no
/// blanks.
fn is_email(s: &str) -> bool {
    matches!(s.split_once('@'), Some((l, d)) if !l.is_empty() && !d.is_empty() && !d.contains('@'))
        && !s.contains(char::is_whitespace)
}

/// A name as documents can carry it: blanks and line breaks collapsed, control characters
/// dropped, surrounding quotes removed, and a parenthesized or angle-bracketed part (npm's
/// `(url)`, an address) left out, since SPDX reads `NAME (EMAIL)`; at most [`MAX_NAME`]
/// characters.
fn clean_name(raw: &str) -> String {
    let raw = raw.trim().trim_matches('"');
    let raw = &raw[..raw.find(['(', '<', '>', ')']).unwrap_or(raw.len())];
    let mut out = String::new();
    let mut chars = 0;
    for word in raw.split_whitespace() {
        let word: String = word.chars().filter(|c| !c.is_control()).collect();
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
            chars += 1;
        }
        for c in word.chars() {
            if chars == MAX_NAME {
                out.push('…');
                return out;
            }
            out.push(c);
            chars += 1;
        }
    }
    out
}

/// An email address as documents can carry it, or `None` when it is not one (blanks,
/// brackets, no `@`, longer than [`MAX_EMAIL`]).
fn clean_email(raw: &str) -> Option<String> {
    let e = raw.trim().trim_start_matches("mailto:");
    (e.len() <= MAX_EMAIL
        && is_email(e)
        && !e.contains(['<', '>', '(', ')', '"', ','])
        && !e.chars().any(char::is_control))
    .then(|| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(name: &str, email: Option<&str>) -> Contact {
        Contact {
            name: name.into(),
            email: email.map(Into::into),
        }
    }

    #[test]
    fn npm_person_strings_drop_the_url() {
        assert_eq!(
            mailbox("Isaac Z. Schlueter <i@izs.me> (https://izs.me)"),
            c("Isaac Z. Schlueter", Some("i@izs.me"))
        );
        assert_eq!(
            mailbox("Barney Rubble (http://barnyrubble.tumblr.com/)"),
            c("Barney Rubble", None)
        );
        assert_eq!(mailbox("Kris Zyp"), c("Kris Zyp", None));
        assert_eq!(mailbox("  <b@rubble.com>"), c("", Some("b@rubble.com")));
    }

    #[test]
    fn rfc_5322_mailboxes_and_bare_addresses() {
        assert_eq!(
            mailbox(r#""Guido van Rossum, Jukka Lehtosalo" <levkivskyi@gmail.com>"#),
            c(
                "Guido van Rossum, Jukka Lehtosalo",
                Some("levkivskyi@gmail.com")
            )
        );
        assert_eq!(
            mailbox(r#""Jane \"JD\" Doe" <jd@example.org>"#),
            c(r#"Jane "JD" Doe"#, Some("jd@example.org"))
        );
        assert_eq!(
            mailbox("gustavo@niemeyer.net"),
            c("", Some("gustavo@niemeyer.net"))
        );
        assert_eq!(mailbox("not an address <x>"), c("not an address", None));
    }

    #[test]
    fn lists_split_at_commas_outside_quotes_and_brackets() {
        let list = mailboxes(
            r#""Lehtosalo, Jukka" <jukka@example.org>, Hynek Schlawack <hs@ox.cx>, , plain@example.org"#,
        );
        assert_eq!(
            list,
            [
                c("Lehtosalo, Jukka", Some("jukka@example.org")),
                c("Hynek Schlawack", Some("hs@ox.cx")),
                c("", Some("plain@example.org")),
            ]
        );
        let many = vec!["a@b.c"; MAX_ENTRIES * 3].join(",");
        assert_eq!(mailboxes(&many).len(), MAX_ENTRIES);
    }

    #[test]
    fn suppliers_are_written_as_the_renderers_read_them() {
        let jd = c("Jane Doe", Some("jd@example.org"));
        assert_eq!(
            jd.supplier(Party::Person).as_deref(),
            Some("Person: Jane Doe <jd@example.org>")
        );
        assert_eq!(
            c("Acme", None).supplier(Party::Organization).as_deref(),
            Some("Organization: Acme")
        );
        assert_eq!(
            c("", Some("x@y.z")).supplier(Party::Person).as_deref(),
            Some("Person: x@y.z")
        );
        assert_eq!(c("", None).supplier(Party::Person), None);
    }

    #[test]
    fn hostile_values_are_bounded_and_cleaned() {
        let long = "a".repeat(10_000);
        let name = Contact::new(Some(&long), None).name;
        assert_eq!(name.chars().count(), MAX_NAME + 1);
        assert!(name.ends_with('…'));
        assert_eq!(
            Contact::new(Some("Evil\u{1b}[2J\nName\t x"), None).name,
            "Evil[2J Name x"
        );
        let long_mail = format!("{}@example.org", "a".repeat(MAX_EMAIL));
        assert_eq!(Contact::new(None, Some(&long_mail)).email, None);
        assert_eq!(Contact::new(None, Some("a b@c")).email, None);
        assert_eq!(
            Contact::new(None, Some("mailto:a@c.d")).email.as_deref(),
            Some("a@c.d")
        );
        assert_eq!(mailbox(""), Contact::default());
        assert_eq!(mailbox("\"unterminated"), c("unterminated", None));
    }
}
