//! Just enough of XML's surface to rewrite a document as text: the root's name, a start tag's
//! extent and attributes, and the content of elements by name. CDATA-aware where it matters.

/// Whether `inner` has a `<name>` or `<name …>` element.
pub(super) fn has_child(inner: &str, name: &str) -> bool {
    let open = format!("<{name}");
    inner.match_indices(&open).any(|(i, _)| {
        inner[i + open.len()..]
            .chars()
            .next()
            .is_some_and(|c| c == '>' || c == '/' || c.is_whitespace())
    })
}

/// Calls `rewrite` with the attributes text and the content of every `<name …>…</name>`;
/// returns the document with the contents it replaced, or None when it replaced none.
pub(super) fn rewrite_blocks(
    text: &str,
    name: &str,
    mut rewrite: impl FnMut(&str, &str) -> Option<String>,
) -> Option<String> {
    let open = format!("<{name}");
    let close = format!("</{name}>");
    let mut out = String::new();
    let mut copied = 0;
    let mut pos = 0;
    while let Some(i) = text[pos..].find(&open) {
        let start = pos + i;
        pos = start + open.len();
        let rest = &text[start..];
        if !rest[open.len()..].starts_with(|c: char| c == '>' || c.is_whitespace()) {
            continue;
        }
        let Some(tag_len) = start_tag_len(rest) else { break };
        let Some(inner_len) = rest[tag_len..].find(&close) else {
            break;
        };
        let inner = &rest[tag_len..tag_len + inner_len];
        if let Some(new_inner) = rewrite(&rest[open.len()..tag_len - 1], inner) {
            out.push_str(&text[copied..start + tag_len]);
            out.push_str(&new_inner);
            copied = start + tag_len + inner_len;
        }
        pos = start + tag_len + inner_len;
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// The root element's name, past the declaration, comments and a doctype.
pub(super) fn root_name(text: &str) -> Option<&str> {
    let mut rest = text;
    loop {
        rest = &rest[rest.find('<')?..];
        if rest.starts_with("<?") {
            rest = &rest[rest.find("?>")? + 2..];
        } else if rest.starts_with("<!--") {
            rest = &rest[rest.find("-->")? + 3..];
        } else if rest.starts_with("<!") {
            rest = &rest[rest.find('>')? + 1..];
        } else {
            let name = &rest[1..];
            let len = name
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(name.len());
            return Some(&name[..len]);
        }
    }
}

/// The length of the start tag at the head of `rest` up to and including its `>`, quotes
/// respected; None when it does not end.
pub(super) fn start_tag_len(rest: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in rest.char_indices().skip(1) {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            (None, '>') => return Some(i + 1),
            (None, '<') => return None,
            _ => {}
        }
    }
    None
}

/// `name="value"` pairs of a start tag's attribute text, values as written (still escaped).
pub(super) fn attributes(mut s: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    loop {
        s = s.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
        let Some(eq) = s.find('=') else { break };
        let name = s[..eq].trim();
        let after = s[eq + 1..].trim_start();
        let Some(quote) = after.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            break;
        };
        let Some(end) = after[1..].find(quote) else { break };
        out.push((name, &after[1..1 + end]));
        s = &after[end + 2..];
    }
    out
}

pub(super) fn push_attributes<'a>(out: &mut String, attrs: impl Iterator<Item = &'a (&'a str, &'a str)>) {
    for (name, value) in attrs {
        let quote = if value.contains('"') { '\'' } else { '"' };
        out.push_str(&format!(" {name}={quote}{value}{quote}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_and_tags_respect_quotes() {
        assert_eq!(start_tag_len("<a b=\"x>y\" c='1'>z"), Some(17));
        assert_eq!(attributes(" b=\"x>y\" c='1' /"), [("b", "x>y"), ("c", "1")]);
        assert_eq!(
            root_name("<?xml?><!-- c --><!DOCTYPE x><rdf:RDF a='1'>"),
            Some("rdf:RDF")
        );
    }
}
