//! Liberal parsing: every feed form the compatibility doc lists, each on a fixture written for
//! it, read into the same plain fields (title, link, author, date, body).

mod common;

use common::*;
use khabar::feed::parse::{parse, ParsedFeed};
use khabar::model::NewArticle;
use url::Url;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/compat/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn parsed(doc: &str) -> ParsedFeed {
    let base = Url::parse("http://feeds.example.org/path/feed.xml").unwrap();
    parse(doc, Some(&base)).unwrap_or_else(|e| panic!("refused: {e}\n{doc:.300}"))
}

fn date(a: &NewArticle) -> String {
    a.published.map(|d| d.to_rfc3339()).unwrap_or_default()
}

/// RSS in every version, and none: the same channel reads the same.
#[test]
fn rss_versions_0_91_to_2_0_1_and_none() {
    for version in [
        "",
        " version=\"0.91\"",
        " version=\"0.92\"",
        " version=\"0.93\"",
        " version=\"0.94\"",
        " version=\"2.0\"",
        " version=\"2.0.1\"",
    ] {
        let doc = format!(
            "<?xml version=\"1.0\"?><rss{version}><channel><title>V</title><link>http://v.example.org/</link>\
             <item><title>Item</title><link>http://v.example.org/1</link><author>a@v.org (Ann)</author>\
             <pubDate>Mon, 06 Sep 2010 16:45:00 GMT</pubDate><description>&lt;p&gt;Body&lt;/p&gt;</description></item></channel></rss>"
        );
        let f = parsed(&doc);
        assert_eq!(f.articles.len(), 1, "rss{version}");
        let a = &f.articles[0];
        assert_eq!(
            (a.title.as_str(), a.link.as_deref(), a.author.as_deref()),
            ("Item", Some("http://v.example.org/1"), Some("Ann")),
            "rss{version}"
        );
        assert_eq!(date(a), "2010-09-06T16:45:00+00:00", "rss{version}");
        assert_eq!(a.content.as_deref(), Some("<p>Body</p>"), "rss{version}");
    }
}

#[test]
fn rss_0_90_and_1_0_rdf() {
    let f = parsed(&fixture("rss090.xml"));
    assert_eq!(f.meta.title.as_deref(), Some("Old Netscape channel"));
    assert_eq!(
        f.articles.iter().map(|a| a.title.as_str()).collect::<Vec<_>>(),
        ["First 0.90 item", "Second 0.90 item"]
    );
    assert_eq!(f.articles[1].link.as_deref(), Some("http://old.example.org/2"));
    let f = parsed(&fixture("rss10.xml"));
    let a = &f.articles[0];
    assert_eq!(
        (a.title.as_str(), a.author.as_deref()),
        ("RDF item", Some("RDF Creator"))
    );
    assert_eq!(date(a), "2010-09-06T16:45:00+00:00");
    assert_eq!(
        a.content.as_deref(),
        Some("<p>RDF body</p>"),
        "plain text, escaped into HTML"
    );
}

#[test]
fn atom_0_3_and_1_0() {
    let f = parsed(&fixture("atom03.xml"));
    let a = &f.articles[0];
    assert_eq!(f.meta.title.as_deref(), Some("An Atom 0.3 weblog"));
    assert_eq!(a.title, "Atom 0.3 entry");
    assert_eq!(a.link.as_deref(), Some("http://atom03.example.org/2005/07/31/entry"));
    assert_eq!(
        a.author.as_deref(),
        Some("Mark"),
        "the feed's author stands for the entry's"
    );
    assert_eq!(date(a), "2005-07-31T12:29:29+00:00");
    assert_eq!(a.content.as_deref(), Some("<p>Escaped <b>HTML</b> body</p>"));

    let f = parsed(&fixture("atom10.xml"));
    assert_eq!(f.meta.title.as_deref(), Some("An XHTML title"));
    let a = &f.articles[0];
    assert_eq!(a.title, "Escaped HTML & more");
    assert_eq!(
        a.link.as_deref(),
        Some("http://atom.example.org/blog/2010/09/post.html"),
        "rel=alternate, nested xml:base"
    );
    assert_eq!(a.author.as_deref(), Some("Atom Author"));
    assert_eq!(date(a), "2010-09-06T14:45:00+00:00");
    assert!(a.content.as_deref().unwrap().contains("XHTML <b>body</b>"));
    let b = &f.articles[1];
    assert_eq!(b.title, "Plain text title with <angle> brackets");
    assert_eq!(b.link.as_deref(), Some("http://atom.example.org/blog/relative/2.html"));
    assert_eq!(b.content.as_deref(), Some("<p>Only a summary</p>"));
}

#[test]
fn json_feed_1_0_and_1_1() {
    let f = parsed(&fixture("feed11.json"));
    let (a, b) = (&f.articles[0], &f.articles[1]);
    assert_eq!(
        (a.title.as_str(), a.link.as_deref(), a.author.as_deref()),
        ("JSON item", Some("http://json.example.org/1"), Some("Item Author"))
    );
    assert_eq!(date(a), "2010-09-06T16:45:00+00:00");
    assert_eq!(a.content.as_deref(), Some("<p>JSON body</p>"));
    assert_eq!(
        b.title, "Text only item second line",
        "an untitled item is titled by its text"
    );
    assert_eq!(b.author.as_deref(), Some("Feed Author"));
    assert_eq!(date(b), "2010-09-05T21:45:00+00:00");
    let f = parsed(&fixture("feed10.json"));
    assert_eq!(f.articles[0].title, "JSON 1.0 item");
    assert_eq!(date(&f.articles[0]), "2010-09-06T16:45:00+00:00");
}

#[test]
fn titles_authors_dates_and_links_in_their_many_forms() {
    let f = parsed(&fixture("forms.xml"));
    assert_eq!(f.meta.title.as_deref(), Some("Forms & cases"));
    let by_guid = |g: usize| &f.articles[g - 1];
    assert_eq!(by_guid(1).title, "Café … it’s here", "entities decoded, nbsp folded");
    assert_eq!(by_guid(1).author.as_deref(), Some("Jane Doe"), "email (name)");
    assert_eq!(by_guid(2).title, "Bold & CDATA", "markup removed from CDATA");
    assert_eq!(by_guid(2).author.as_deref(), Some("John Roe"), "name (email)");
    assert_eq!(by_guid(3).title, "Lots of whitespace");
    assert_eq!(by_guid(3).author.as_deref(), Some("Dee Creator"), "dc:creator");
    assert_eq!(by_guid(4).author.as_deref(), Some("Pod Caster"), "itunes:author");
    assert_eq!(
        by_guid(5).author.as_deref(),
        Some("plain@example.org"),
        "an address alone is shown"
    );
    let dates: Vec<String> = f.articles.iter().map(date).collect();
    assert_eq!(
        dates,
        [
            "2010-09-06T21:45:00+00:00", // EST
            "2010-09-06T23:45:00+00:00", // PDT, no day name
            "2010-09-06T16:45:00+00:00", // RFC 850 with a two-digit year
            "2010-09-06T11:15:00+00:00", // ISO 8601 with an offset
            "2010-09-06T00:00:00+00:00", // W3CDTF date only
            "2010-09-06T16:45:00+00:00", // no seconds, one-digit day
            "2010-09-06T16:45:00+00:00", // military zone
            "",                          // unparseable: the item stays, undated
            "",
            "2010-09-06T16:45:00+00:00", // ISO without a zone
        ]
    );
    assert_eq!(
        by_guid(9).link.as_deref(),
        Some("http://forms.example.org/permalink"),
        "permalink guid"
    );
}

#[test]
fn html_entities_and_bare_ampersands_in_xml_are_repaired() {
    let f = parsed(&fixture("entities.xml"));
    assert_eq!(f.articles[0].title, "Café naïve — AT&T …");
}

#[test]
fn refused_documents_are_errors_not_panics() {
    for doc in [
        "",
        "{",
        "<rss><channel><item><title>x",
        "<?xml version='1.0'?><note>hi</note>",
        "<html><body>hi</body></html>",
    ] {
        assert!(parse(doc, None).is_err(), "{doc:?}");
    }
}

/// Relative links resolve against the Content-Location the server sends.
#[test]
fn content_location_is_the_base_for_relative_links() {
    let server = TestServer::start();
    server.route(
        "/feeds/main.xml",
        Route::ok("<rss version=\"2.0\"><channel><title>C</title><item><guid>c</guid><title>T</title><link>post/1.html</link></item></channel></rss>")
            .header("Content-Location", "/site/en/feed.xml"),
    );
    let sb = Sandbox::new();
    sb.write_config(&feed_entry(&server.url("/feeds/main.xml"), &[]));
    sb.refresh();
    assert_eq!(sb.list_json(&[])[0]["link"], server.url("/site/en/post/1.html"));
}

/// RSS 2.0 in UserLand's default namespace yielded no articles, and `&#X41;` (uppercase X)
/// failed the whole document.
#[test]
fn rss2_in_a_default_namespace_with_uppercase_hex_references() {
    let f = parsed(&fixture("rss2-default-ns.xml"));
    assert_eq!(f.meta.title.as_deref(), Some("Namespaced & old"));
    let titles: Vec<&str> = f.articles.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(titles, ["First Article", "Second"]);
    assert_eq!(f.articles[0].link.as_deref(), Some("http://ns.example.org/1"));
    assert_eq!(date(&f.articles[0]), "2010-09-07T10:00:00+00:00");
    // Uppercase X alone, in an otherwise plain feed.
    let doc = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title><item><title>&#X4B;habar</title>\
               <link>http://e/x</link></item></channel></rss>";
    assert_eq!(parsed(doc).articles[0].title, "Khabar");
}
