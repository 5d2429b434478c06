//! An article's attachments as a block of HTML after its body: each a link (so the reader
//! numbers it like the body's links and `o` with its number opens it) saying type, size, length.

use crate::model::Enclosure;

/// The body with its attachments after it; the body alone when there are none.
pub fn with_attachments(body: &str, enclosures: &[Enclosure]) -> String {
    if enclosures.is_empty() {
        return body.to_string();
    }
    let mut html = String::with_capacity(body.len() + 200 * enclosures.len());
    html.push_str(body);
    html.push_str("<hr><p><b>Attachments</b></p><ul>");
    for e in enclosures {
        html.push_str(&format!(
            "<li><a href=\"{}\">{}</a></li>",
            html_escape::encode_double_quoted_attribute(&e.url),
            html_escape::encode_text(&describe(e))
        ));
    }
    html.push_str("</ul>");
    html
}

/// "audio/mpeg, 23.4 MB, 45:12" (what is known of it), else the file's name.
pub fn describe(e: &Enclosure) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(m) = &e.mime {
        parts.push(m.clone());
    }
    if let Some(n) = e.length {
        parts.push(size(n));
    }
    if let Some(d) = e.duration {
        parts.push(duration(d));
    }
    if parts.is_empty() {
        let name = e.url.rsplit('/').find(|s| !s.is_empty()).unwrap_or(&e.url);
        parts.push(name.split('?').next().unwrap_or(name).to_string());
    }
    parts.join(", ")
}

fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64;
    let mut unit = "B";
    for u in UNITS {
        if value < 1000.0 {
            break;
        }
        value /= 1000.0;
        unit = u;
    }
    format!("{value:.1} {unit}")
}

fn duration(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(url: &str, mime: Option<&str>, length: Option<u64>, duration: Option<u64>) -> Enclosure {
        Enclosure {
            url: url.into(),
            mime: mime.map(str::to_string),
            length,
            duration,
        }
    }

    #[test]
    fn attachments_say_what_is_known_of_them() {
        assert_eq!(
            describe(&enc(
                "https://a/ep.mp3",
                Some("audio/mpeg"),
                Some(23_456_789),
                Some(2712)
            )),
            "audio/mpeg, 23.5 MB, 45:12"
        );
        assert_eq!(
            describe(&enc("https://a/v", None, Some(999), Some(4000))),
            "999 B, 1:06:40"
        );
        assert_eq!(
            describe(&enc("https://a/files/report.pdf?x=1", None, None, None)),
            "report.pdf"
        );
        assert_eq!(with_attachments("<p>x</p>", &[]), "<p>x</p>");
        let html = with_attachments("<p>x</p>", &[enc("https://a/\"><script>", Some("a<b"), None, None)]);
        assert!(
            html.contains("&quot;&gt;&lt;script&gt;") && html.contains("a&lt;b"),
            "{html}"
        );
    }
}
