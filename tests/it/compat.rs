//! Liberal parsing: every feed form the compatibility doc lists, each on a fixture written for
//! it, read into the same plain fields (title, link, author, date, body).

use crate::common::*;
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

/// Each article's title and link, in document order.
fn titles_and_links(f: &ParsedFeed) -> Vec<(&str, Option<&str>)> {
    f.articles
        .iter()
        .map(|a| (a.title.as_str(), a.link.as_deref()))
        .collect()
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
    assert_eq!(by_guid(1).title, "Café … it’s\u{a0}here", "entities decoded, nbsp kept");
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
    assert_eq!(f.articles[0].title, "Café naïve\u{a0}— AT&T …");
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

fn decoded_fixture(name: &str) -> ParsedFeed {
    let bytes = std::fs::read(format!("{}/tests/fixtures/compat/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    parsed(&khabar::feed::decode::decode(&bytes, None))
}

/// UTF-32 (encoding_rs has no decoder for it), with and without a BOM, in both byte orders.
#[test]
fn utf32_documents_are_read() {
    for name in [
        "utf32-bom.xml",
        "utf32be-bom.xml",
        "utf32be-nobom.xml",
        "utf32le-nobom.xml",
    ] {
        let f = decoded_fixture(&format!("encodings/{name}"));
        assert_eq!(f.meta.title.as_deref(), Some("UTF-32 समाचार"), "{name}");
        assert_eq!(f.articles[0].title, "चंद्रयान-3 🚀", "{name}");
    }
}

/// Legacy encodings with no declaration, no header and no BOM are detected (chardetng), not
/// read as UTF-8 mojibake.
#[test]
fn undeclared_legacy_encodings_are_detected() {
    for (name, title) in [
        ("big5", "台北新聞"),
        ("euc_jp", "東京のニュース"),
        ("shift_jis", "大阪のニュース"),
        ("euc_kr", "서울 뉴스"),
        ("gb2312", "北京新闻"),
        ("koi8_r", "Новости Москвы"),
    ] {
        let f = decoded_fixture(&format!("encodings/{name}.xml"));
        assert_eq!(f.articles[0].title, title, "{name}");
        assert!(
            !f.articles[0].content.as_deref().unwrap_or("").contains('\u{FFFD}'),
            "{name}"
        );
    }
    // UTF-8 with one stray Latin-1 byte stays UTF-8: only that byte is lost.
    let mixed = "<rss version=\"2.0\"><channel><title>T</title><item><title>हिंदी समाचार caf\u{0}</title>\
                 <link>http://e/1</link></item></channel></rss>"
        .replace('\u{0}', "\u{1}");
    let mut bytes = mixed.into_bytes();
    let at = bytes.iter().position(|b| *b == 1).unwrap();
    bytes[at] = 0xE9;
    let f = parsed(&khabar::feed::decode::decode(&bytes, None));
    assert_eq!(f.articles[0].title, "हिंदी समाचार caf\u{FFFD}");
}

/// Atom text constructs feed-rs refused (failing the whole feed) or misread: xhtml titles, a
/// media type instead of a text type, an empty type, markup left unescaped in a title.
#[test]
fn atom_text_constructs_of_every_type() {
    let f = parsed(&fixture("atom-text-types.xml"));
    assert_eq!(f.meta.title.as_deref(), Some("The XHTML feed"));
    let titles: Vec<&str> = f.articles.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "An xhtml title",
            "Octet title",
            "Empty type title",
            "Example Atom and more"
        ]
    );
    assert_eq!(f.articles[0].content.as_deref(), Some("<p>Body <b>one</b></p>"));
    assert_eq!(f.articles[1].content.as_deref(), Some("<p>Empty-type summary</p>"));
    // The same forms one at a time, and in RSS.
    let atom = |title: &str| {
        format!(
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>F</title><id>f</id>\
             <entry><id>1</id><link href=\"http://e/1\"/>{title}</entry></feed>"
        )
    };
    for (title, expected) in [
        ("<title type=\"application/xhtml+xml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">A <i>b</i></div></title>", "A b"),
        ("<title type=\"text/plain\">1 &lt; 2</title>", "1 < 2"),
        ("<title type=\"\">Empty</title>", "Empty"),
        ("<title type=\"html\">Tom &amp; <b>Jerry</b></title>", "Tom & Jerry"),
        ("<title>A &amp; <b>B</b></title>", "A & B"),
        ("<title type=\"html\">Unescaped <b>bold</b> end</title>", "Unescaped bold end"),
    ] {
        assert_eq!(parsed(&atom(title)).articles[0].title, expected, "{title}");
    }
    let rss = "<rss version=\"2.0\"><channel><title>T</title><item><title>Example <b>RSS</b> &amp; more</title>\
               <link>http://e/1</link></item></channel></rss>";
    assert_eq!(parsed(rss).articles[0].title, "Example RSS & more");
    // Base64 content in Atom 1.0 (a media type that is not text) is decoded when it is text.
    let b64 = atom("<title>T</title><content type=\"application/octet-stream\">aGVsbG8=</content>");
    assert_eq!(parsed(&b64).articles[0].content.as_deref(), Some("<p>hello</p>"));
}

/// Atom 0.3 `mode="base64"` text: the decoded text, not the base64 itself.
#[test]
fn atom_0_3_base64_text_is_decoded() {
    let f = parsed(&fixture("atom03-base64.xml"));
    assert_eq!(f.meta.title.as_deref(), Some("Base64 feed"));
    assert_eq!(f.articles[0].title, "Decoded title");
    assert_eq!(f.articles[0].content.as_deref(), Some("<p>Hello <b>world</b></p>"));
}

/// Titles and authors from other namespaces, typographic spaces kept, no title kept as none.
#[test]
fn titles_from_dc_and_media_spaces_kept_and_missing_titles_empty() {
    let f = parsed(&fixture("rss-alt-fields.xml"));
    assert_eq!(f.meta.title.as_deref(), Some("Alt\u{a0}fields"));
    let titles: Vec<&str> = f.articles.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Only a Dublin Core title",
            "Only a media title",
            "A media title inside content",
            "Spaces:\u{a0}nb\u{2002}en\u{2003}em\u{2009}thin",
            "",
        ]
    );
    assert_eq!(f.articles[0].author.as_deref(), Some("Dee Creator"));
}

/// RSS 1.0 items with no `<link>` (feed-rs dropped them) and RSS in an unknown namespace.
#[test]
fn rss1_items_without_links_and_unknown_root_namespaces() {
    let f = parsed(&fixture("rss10-nolink.xml"));
    let got = titles_and_links(&f);
    assert_eq!(
        got,
        [
            ("About is a web address", Some("http://nolink.example.org/a")),
            ("About is a URN", None)
        ]
    );
    assert_eq!(date(&f.articles[0]), "2010-09-06T10:00:00+00:00");
    let f = parsed(&fixture("unknown-ns.xml"));
    assert_eq!(f.meta.title.as_deref(), Some("Unknown namespace title"));
    assert_eq!(f.articles[0].title, "Unknown item");
}

/// JSON carries data: a missing title is "" (the text listing shows "(untitled)"), for articles
/// and feeds alike; typographic spaces stay.
#[test]
fn json_output_keeps_empty_titles_empty() {
    let server = TestServer::start();
    server.route(
        "/f.xml",
        Route::ok(
            "<rss version=\"2.0\"><channel><link>http://e.org/</link>\
             <item><guid>a</guid><link>http://e.org/a</link></item>\
             <item><guid>b</guid><title>Non&#160;breaking</title><link>http://e.org/b</link></item></channel></rss>",
        ),
    );
    let sb = Sandbox::new();
    sb.write_config(&feed_entry(&server.url("/f.xml"), &[]));
    sb.refresh();
    let mut titles: Vec<String> = sb
        .list_json(&[])
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_string())
        .collect();
    titles.sort();
    assert_eq!(titles, ["", "Non\u{a0}breaking"]);
    let feeds = stdout(&sb.run(&["feeds", "--json"]));
    let feed: serde_json::Value = serde_json::from_str(feeds.lines().next().unwrap()).unwrap();
    assert_eq!(feed["title"], "");
    let listing = stdout(&sb.run(&["list"]));
    assert!(listing.contains("(untitled)"), "{listing}");
}

/// Forms that came out wrong (reading quality 3): each on its fixture.
#[test]
fn spaces_angles_and_markup_in_titles() {
    let f = parsed(&fixture("spaces-entities.xml"));
    assert_eq!(
        f.meta.title.as_deref(),
        Some("Forms \u{2329}3\u{232A}"),
        "HTML 4's &lang; and &rang;"
    );
    assert_eq!(
        f.articles[0].title, "testing \u{a0} entity",
        "only runs of ordinary spaces fold"
    );
    assert_eq!(f.articles[1].title, "A photo", "a '>' in an attribute ends no tag");
}

#[test]
fn dublin_core_titles_and_authors_and_itunes_in_any_case() {
    let f = parsed(&fixture("dc-fields.xml"));
    assert_eq!(f.meta.title.as_deref(), Some("Dublin Core channel"));
    let authors: Vec<Option<&str>> = f.articles.iter().map(|a| a.author.as_deref()).collect();
    assert_eq!(authors, [Some("Ann Author"), Some("Ben Podcaster")]);
}

#[test]
fn rss_0_90_under_netscapes_other_address_and_cdf() {
    let f = parsed(&fixture("rss090-channel-ns.xml"));
    assert_eq!(f.meta.title.as_deref(), Some("Netscape channel"));
    assert_eq!(f.articles[0].link.as_deref(), Some("http://ns.example.org/9"));
    let f = parsed(&fixture("cdf.xml"));
    assert_eq!(f.meta.title.as_deref(), Some("CDF channel"));
    let got = titles_and_links(&f);
    assert_eq!(
        got,
        [
            ("First pushed story", Some("http://cdf.example.org/a.html")),
            ("Second pushed story", Some("http://cdf.example.org/sport/b.html"))
        ]
    );
    assert_eq!(date(&f.articles[0]), "1998-11-05T22:12:00+00:00");
    assert_eq!(f.articles[0].content.as_deref(), Some("What happened first."));
}
