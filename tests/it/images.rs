//! Pictures in the article pane: fetched from a local server with the feed limits and then
//! from the cache, asked for only as they come into view, placed below their "[image: alt]"
//! line without moving the text in view, and drawn (half blocks on ratatui's TestBackend).

use std::io::Cursor;
use std::time::Duration;

use crate::common::reader::*;
use crate::common::{Route, TestServer};
use khabar::feed::{Fetcher, Limits};
use khabar::model::ArticleId;
use khabar::tui::images::{self, Picture};
use khabar::tui::state::{update, AppState, Command, ImageSlot, Msg};
use khabar::tui::ui::{self, theme::Background, theme::Theme};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use ratatui_image::picker::Picker;

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x * 3) as u8, 200, (y * 3) as u8]));
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

fn fetcher(max_body: u64) -> Fetcher {
    Fetcher::new(Limits {
        timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(5),
        max_body,
        max_redirects: 3,
        user_agent: "khabar-test".into(),
    })
    .unwrap()
}

/// A picture that does not compress: larger than the test's 64 KiB body limit.
fn noise(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        let h = (x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)).wrapping_mul(2_246_822_519);
        image::Rgb([(h >> 24) as u8, (h >> 16) as u8, (h >> 8) as u8])
    });
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Png)
        .unwrap();
    out.into_inner()
}

/// A picture as the effects make it: half blocks at 10x20 pixels a cell.
fn picture(width: u32, height: u32) -> Picture {
    let image = images::decode(&png(width, height)).unwrap();
    images::encode(&Picker::halfblocks(), image, 80, 12).unwrap()
}

#[tokio::test]
async fn pictures_are_fetched_once_with_the_feed_limits_then_read_from_the_cache() {
    let server = TestServer::start();
    server.route(
        "/chart.png",
        Route::ok(png(200, 100)).header("Content-Type", "image/png"),
    );
    server.route("/page.html", Route::ok("<html><body>not a picture</body></html>"));
    server.route("/huge.png", Route::ok(noise(300, 300)));
    let dir = std::env::temp_dir().join(format!("khabar-picture-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let fetcher = fetcher(64 * 1024);
    let load = |url: String| {
        let (fetcher, dir) = (&fetcher, &dir);
        async move { images::load(fetcher, dir, Picker::halfblocks(), &url, 60, 12).await }
    };

    let first = load(server.url("/chart.png")).await.unwrap();
    assert_eq!(
        (first.protocol().size().width, first.rows()),
        (20, 5),
        "200x100 px in 10x20 px cells"
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1, "kept in the cache");
    let again = load(server.url("/chart.png")).await.unwrap();
    assert_eq!(again.rows(), 5);
    assert_eq!(
        server.hits("/chart.png").len(),
        1,
        "the second time comes from the cache"
    );

    let e = load(server.url("/page.html")).await.unwrap_err().to_string();
    assert!(e.starts_with("cannot decode"), "{e}");
    let e = load(server.url("/missing.png")).await.unwrap_err().to_string();
    assert!(e.contains("404"), "{e}");
    let e = load(server.url("/huge.png")).await.unwrap_err().to_string();
    assert!(e.contains("65536-byte limit (max_body_size)"), "{e}");
    let e = load("file:///etc/passwd".into()).await.unwrap_err().to_string();
    assert_eq!(e, "not a web address");
    assert!(server.hits("/etc/passwd").is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A body with three images far apart: the first near the top, the others pages below.
fn long_body() -> String {
    let filler = |n: usize| {
        (0..n)
            .map(|i| format!("<p>Paragraph {i} of the story.</p>"))
            .collect::<String>()
    };
    format!(
        "<p>Top.</p><img src='http://img.test/one.png' alt='First'>{}<img src='http://img.test/two.png' \
         alt='Second'>{}<img src='http://img.test/three.png' alt='Third'><p>End.</p>",
        filler(60),
        filler(60)
    )
}

/// The reader with article 1 open, its body rendered at the pane's width.
fn opened(image_rows: u16, html: &str) -> (AppState, Vec<Command>) {
    let (mut s, _) = loaded(3);
    s.image_rows = image_rows;
    keys(&mut s, "enter");
    let article = khabar::model::Article {
        summary: s.headlines.rows[0].clone(),
        content: Some(html.into()),
        full_content: None,
        enclosures: Vec::new(),
    };
    let cmds = update(&mut s, Msg::Article(Box::new(article)));
    let width = cmds
        .iter()
        .find_map(|c| match c {
            Command::Render { width, .. } => Some(*width),
            _ => None,
        })
        .expect("the body is rendered");
    let rendered = khabar::text::rich::render(html, width);
    let cmds = update(
        &mut s,
        Msg::Rendered {
            id: ArticleId(1),
            width,
            full: false,
            rendered,
        },
    );
    (s, cmds)
}

fn asked(cmds: &[Command]) -> Vec<&str> {
    cmds.iter()
        .filter_map(|c| match c {
            Command::LoadImage { url, .. } => Some(url.as_str()),
            _ => None,
        })
        .collect()
}

fn arrive(s: &mut AppState, url: &str, result: Result<Picture, String>) -> Vec<Command> {
    let cols = s.article.as_ref().unwrap().rendered.as_ref().unwrap().0 as u16;
    update(
        s,
        Msg::Image {
            id: ArticleId(1),
            url: url.into(),
            cols,
            result,
        },
    )
}

#[test]
fn pictures_are_asked_for_as_they_come_into_view_and_only_once() {
    let (_, cmds) = opened(0, &long_body());
    assert!(asked(&cmds).is_empty(), "pictures off: nothing is fetched");

    let (mut s, cmds) = opened(12, &long_body());
    assert_eq!(asked(&cmds), ["http://img.test/one.png"], "only the one in view");
    assert!(matches!(&cmds[..], [.., Command::LoadImage { max_rows: 12, .. }]));
    assert!(asked(&keys(&mut s, "j")).is_empty(), "already asked for");
    let before = s.article.as_ref().unwrap().body_rows();
    arrive(&mut s, "http://img.test/one.png", Ok(picture(200, 100)));
    let pane = s.article.as_ref().unwrap();
    assert_eq!(pane.body_rows(), before + 5, "its rows follow its line");
    assert!(matches!(
        pane.images.get("http://img.test/one.png"),
        Some(ImageSlot::Shown(_))
    ));

    // Page down until the second comes within a page: it is asked for then, once.
    let mut second = Vec::new();
    for _ in 0..10 {
        second.extend(asked(&keys(&mut s, "space")).into_iter().map(str::to_string));
    }
    assert_eq!(second, ["http://img.test/two.png", "http://img.test/three.png"]);
    arrive(
        &mut s,
        "http://img.test/two.png",
        Err("cannot decode: not a picture".into()),
    );
    let pane = s.article.as_ref().unwrap();
    assert!(matches!(
        pane.images.get("http://img.test/two.png"),
        Some(ImageSlot::Failed)
    ));
    assert_eq!(pane.body_rows(), before + 5, "a picture that failed takes no rows");
}

#[test]
fn a_picture_arriving_above_the_view_does_not_move_the_text_in_view() {
    let (mut s, _) = opened(12, &long_body());
    keys(&mut s, "space space");
    let scroll = s.article.as_ref().unwrap().scroll;
    assert!(scroll > 20, "{scroll}");
    arrive(&mut s, "http://img.test/one.png", Ok(picture(200, 100)));
    assert_eq!(s.article.as_ref().unwrap().scroll, scroll + 5);
    // A picture for another width (the pane was resized meanwhile) is dropped.
    let before = s.article.as_ref().unwrap().body_rows();
    update(
        &mut s,
        Msg::Image {
            id: ArticleId(1),
            url: "http://img.test/two.png".into(),
            cols: 7,
            result: Ok(picture(200, 100)),
        },
    );
    assert_eq!(s.article.as_ref().unwrap().body_rows(), before);
}

fn screen(s: &AppState) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(s.size.0, s.size.1)).unwrap();
    let theme = Theme::new(&[], Background::Dark, false);
    terminal.draw(|f| ui::draw(f, s, &theme)).unwrap();
    let buf = terminal.backend().buffer().clone();
    (0..buf.area.height)
        .map(|y| (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect())
        .collect()
}

/// Half blocks are drawn with the upper and lower half-block characters.
fn picture_row(row: &str) -> bool {
    row.contains('▀') || row.contains('▄')
}

#[test]
fn a_picture_is_drawn_below_its_line_and_half_of_it_when_half_is_in_view() {
    let body = "<p>Before the chart.</p><img src='http://img.test/one.png' alt='The chart'><p>After the chart.</p>";
    let (mut s, _) = opened(12, body);
    arrive(&mut s, "http://img.test/one.png", Ok(picture(200, 160)));
    let rows = screen(&s);
    let caption = rows
        .iter()
        .position(|r| r.contains("[image: The chart]"))
        .expect("the caption stays");
    let blocks: Vec<usize> = (0..rows.len()).filter(|&y| picture_row(&rows[y])).collect();
    assert_eq!(
        blocks,
        (caption + 1..caption + 9).collect::<Vec<_>>(),
        "8 rows below the caption: {rows:#?}"
    );
    let after = rows.iter().position(|r| r.contains("After the chart.")).unwrap();
    assert!(after > caption + 8, "the text continues below the picture");

    // Scrolled a row at a time: the picture leaves the pane a row at a time (and never draws
    // outside it, where the caption and the header went).
    let shown: Vec<usize> = (0..30)
        .map(|scroll| {
            s.article.as_mut().unwrap().scroll = scroll;
            screen(&s).iter().filter(|r| picture_row(r)).count()
        })
        .collect();
    assert_eq!(shown[0], 8);
    for partial in 1..8 {
        assert!(
            shown.contains(&partial),
            "{partial} rows of it at some scroll: {shown:?}"
        );
    }
    assert_eq!(shown.last(), Some(&0));
    assert!(shown.windows(2).all(|w| w[1] <= w[0]), "{shown:?}");
}
