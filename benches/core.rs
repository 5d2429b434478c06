//! Micro-benchmarks of the hot paths (divan): article rendering, scrolling past pictures, feed
//! parsing, writing one feed, the headline page query and full-text search. `cargo bench --bench core`.
// A benchmark, like a test, stops at the first thing that is not as set up.
#![allow(clippy::unwrap_used)]

use chrono::{TimeZone, Utc};
use divan::{black_box, Bencher};
use khabar::config::{Config, ConfigSource};
use khabar::model::{Filter, NewArticle};
use khabar::store::{FetchRecord, Store};

fn main() {
    divan::main();
}

/// About 1 MB of article HTML: paragraphs with inline markup and links, in three scripts.
fn big_article() -> String {
    let para = "<p>The <b>scheduler</b> improves <a href='http://e/x'>latency</a> for \
        भारत के वैज्ञानिकों ने नई तकनीक विकसित की and 研究人员发现更快的排序算法.</p>\n";
    para.repeat(1_000_000 / para.len())
}

#[divan::bench(sample_count = 20)]
fn render_1mb_article_at_width_100(b: Bencher) {
    let html = big_article();
    b.bench(|| khabar::text::rich::render(black_box(&html), 100));
}

/// What the reader shows first for a 1 MB article (the whole rendering follows).
#[divan::bench(sample_count = 20)]
fn render_first_screen_of_1mb_article(b: Bencher) {
    let html = big_article();
    b.bench(|| khabar::text::rich::render_first(black_box(&html), 100).unwrap());
}

/// A 1 MB article with a captioned picture in every paragraph: the worst case for the check
/// that an alt text is not said twice (it reads 8 KB around each of the first 256 long alts).
#[divan::bench(sample_count = 20)]
fn render_1mb_article_with_captioned_pictures(b: Bencher) {
    let para = "<p>The <b>scheduler</b> improves latency for भारत के वैज्ञानिकों ने नई तकनीक.</p>\n\
        <figure><img src='http://e/p.png' alt='A plot of latency against the load'>\
        <figcaption>A plot of latency against the load, by week.</figcaption></figure>\n";
    let html = para.repeat(1_000_000 / para.len());
    b.bench(|| khabar::text::rich::render(black_box(&html), 100));
}

#[divan::bench(sample_count = 10)]
fn render_20k_nested_elements(b: Bencher) {
    let html = format!("{}deep{}", "<div>".repeat(20_000), "</div>".repeat(20_000));
    b.bench(|| khabar::text::rich::render(black_box(&html), 100));
}

/// The reader with an article open whose body has 20 pictures (400x240 px, 12 rows each)
/// between short paragraphs, every one loaded and encoded for `protocol`.
fn reader_with_pictures(protocol: ratatui_image::picker::ProtocolType) -> khabar::tui::state::AppState {
    use khabar::model::{Article, ArticleId, ArticleSummary, FeedId};
    use khabar::tui::state::{AppState, ArticlePane, Focus, ImageSlot};
    let mut picker = ratatui_image::picker::Picker::halfblocks();
    picker.set_protocol_type(protocol);
    let html: String = (0..20)
        .map(|i| format!("<p>Paragraph {i} before the picture.</p><img src='http://e/{i}.png' alt='Picture {i}'>"))
        .collect();
    let rendered = khabar::text::rich::render(&html, 100);
    let mut images = std::collections::HashMap::new();
    for (i, image) in rendered.images.iter().enumerate() {
        let img = image::RgbImage::from_fn(400, 240, |x, y| image::Rgb([(x + i as u32) as u8, y as u8, 128]));
        let picture = khabar::tui::images::encode(&picker, image::DynamicImage::ImageRgb8(img), 100, 12).unwrap();
        images.insert(image.url.clone(), ImageSlot::Shown(picture));
    }
    let summary = ArticleSummary {
        id: ArticleId(1),
        feed_id: FeedId(1),
        feed_url: "http://e/feed.xml".into(),
        feed_title: "Pictures".into(),
        title: "Twenty pictures".into(),
        link: None,
        author: None,
        published: None,
        read: true,
        starred: false,
        hidden: false,
        tags: vec![],
        story: None,
        also_in: vec![],
    };
    let mut state = AppState::new(khabar::tui::keymap::Keymap::default(), vec![], (160, 50));
    state.image_rows = 12;
    state.focus = Focus::Article;
    state.fullscreen = true;
    state.article = Some(ArticlePane {
        article: Article {
            summary,
            content: Some(html),
            full_content: None,
            enclosures: vec![],
        },
        rendered: Some((100, rendered)),
        scroll: 20,
        show_full: false,
        fetching_full: false,
        piped: None,
        images,
    });
    state
}

/// One key press in the article pane with pictures in view: `update` and a full draw (the
/// terminal's own work aside), scrolling down and up a row in turn.
#[divan::bench(args = ["halfblocks", "kitty", "sixel", "iterm2"], sample_count = 200)]
fn key_press_scrolling_past_pictures(b: Bencher, protocol: &str) {
    use khabar::tui::keymap::Key;
    use khabar::tui::state::{update, Msg};
    use ratatui_image::picker::ProtocolType;
    let protocol = match protocol {
        "kitty" => ProtocolType::Kitty,
        "sixel" => ProtocolType::Sixel,
        "iterm2" => ProtocolType::Iterm2,
        _ => ProtocolType::Halfblocks,
    };
    let mut state = reader_with_pictures(protocol);
    let theme = khabar::tui::ui::theme::Theme::new(&[], khabar::tui::ui::theme::Background::Dark, false);
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 50)).unwrap();
    let mut down = true;
    b.bench_local(|| {
        let key = Key::ch(if down { 'j' } else { 'k' });
        down = !down;
        black_box(update(&mut state, Msg::Key(key)));
        terminal.draw(|f| khabar::tui::ui::draw(f, &state, &theme)).unwrap();
    });
}

fn rss(items: usize) -> String {
    let mut s = String::from("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Bench</title>");
    for i in 0..items {
        s.push_str(&format!(
            "<item><guid>g{i}</guid><title>Item {i}: कुछ शब्द &amp; 新闻</title><link>http://e/{i}</link>\
             <pubDate>Mon, 23 Nov 2026 10:{:02}:00 +0000</pubDate><description>&lt;p&gt;{}&lt;/p&gt;</description></item>",
            i % 60,
            "body words ".repeat(100)
        ));
    }
    s.push_str("</channel></rss>");
    s
}

/// Reader mode: dom_smoothie on the in-repo fixture page (a Japanese news page with boilerplate).
#[divan::bench]
fn extract_full_article_fixture_page(b: Bencher) {
    let page = include_str!("../tests/fixtures/reader/page.html");
    b.bench(|| khabar::text::reader::extract(black_box(page), "http://example.org/wind.html").unwrap());
}

/// Reader mode on the shared Hindi story (`../shared/fixtures/hindi-news/page.html`), when present.
#[divan::bench]
fn extract_full_article_hindi_page(b: Bencher) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/fixtures/hindi-news/page.html");
    let page = std::fs::read_to_string(path).unwrap_or_default();
    let url = "http://127.0.0.1:8080/hindi/science/chandrayaan-3-russia-india-space-partner.html";
    b.bench(|| khabar::text::reader::extract(black_box(&page), url).ok());
}

#[divan::bench]
fn parse_feed_of_50_items(b: Bencher) {
    let doc = rss(50);
    b.bench(|| khabar::feed::parse::parse(black_box(&doc), None).unwrap());
}

fn store_with(articles: usize) -> Store {
    let mut store = Store::open_in_memory().unwrap();
    let config = Config::parse(
        "[[feed]]\nurl = \"http://e/f\"\n",
        "bench",
        std::path::Path::new("/"),
        ConfigSource::User("bench".into()),
    )
    .unwrap();
    let id = store.sync_feeds(&config.feeds).unwrap()[0];
    let items: Vec<NewArticle> = (0..articles as i64)
        .map(|i| NewArticle {
            key: format!("id:{i}"),
            title: format!("Article {i} भारत 新闻 scheduler"),
            link: Some(format!("http://e/{i}")),
            author: None,
            published: Utc.timestamp_opt(1_700_000_000 + i * 60, 0).single(),
            content: Some(format!("<p>body {i} कुछ शब्द 上海科技大会</p>")),
            enclosures: Vec::new(),
        })
        .collect();
    let rec = FetchRecord {
        status: "200".into(),
        articles: items,
        keep_per_feed: usize::MAX,
        ..Default::default()
    };
    store.apply_fetch(id, Utc::now(), &rec).unwrap();
    store
}

#[divan::bench(sample_count = 20)]
fn store_one_new_feed_of_50_items(b: Bencher) {
    let parsed = khabar::feed::parse::parse(&rss(50), None).unwrap();
    b.with_inputs(|| store_with(0)).bench_local_values(|mut store| {
        let rec = FetchRecord {
            status: "200".into(),
            articles: parsed.articles.clone(),
            keep_per_feed: 500,
            ..Default::default()
        };
        store.apply_fetch(khabar::model::FeedId(1), Utc::now(), &rec).unwrap()
    });
}

#[divan::bench]
fn headline_page_of_200_from_100k(b: Bencher) {
    let store = store_with(100_000);
    b.bench_local(|| store.list(&Filter::default(), 200, None).unwrap());
}

#[divan::bench(args = ["भारत", "scheduler", "科技"])]
fn search_100k(b: Bencher, query: &str) {
    let store = store_with(100_000);
    let query = khabar::query::parse(query).unwrap();
    b.bench_local(|| store.search(&query, &Filter::default(), 200).unwrap());
}
