//! The widgets drawn on ratatui's TestBackend: text snapshots (insta) of each pane, the help
//! overlay, a narrow terminal and the Hindi article; buffer checks where style and exact cell
//! placement matter (selection, unread bold, nothing crossing a pane border).

use chrono::{TimeZone, Utc};
use khabar::model::{Article, ArticleId, ArticleSummary, Feed, FeedId};
use khabar::text::rich;
use khabar::tui::keymap::Keymap;
use khabar::tui::layout;
use khabar::tui::state::{update, AppState, Focus, LoadKind, Mode, Msg};
use khabar::tui::ui::theme::{Background, Element};
use khabar::tui::ui::{self, theme::Theme};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use ratatui::Terminal;

const HINDI_FEED: &str = include_str!("../fixtures/hindi-feed.xml");

fn summary(id: i64, feed: i64, feed_title: &str, title: &str, read: bool) -> ArticleSummary {
    ArticleSummary {
        id: ArticleId(id),
        feed_id: FeedId(feed),
        feed_url: format!("http://127.0.0.1/{feed}.xml"),
        feed_title: feed_title.into(),
        title: title.into(),
        link: Some(format!("http://127.0.0.1/a/{id}")),
        author: None,
        published: Utc
            .with_ymd_and_hms(2026, 11, 20, 9, 30, 0)
            .single()
            .map(|t| t + chrono::Duration::hours(id)),
        read,
        starred: id == 3,
        hidden: false,
        tags: vec![],
        story: None,
        also_in: vec![],
    }
}

fn feed(id: i64, title: &str, unread: u64, error: Option<&str>) -> Feed {
    Feed {
        id: FeedId(id),
        url: format!("http://127.0.0.1/{id}.xml"),
        fetch_url: None,
        title: Some(title.into()),
        site_url: None,
        tags: vec![],
        articles: unread + 2,
        unread,
        unread_folded: 0,
        last_fetched: None,
        last_status: None,
        last_error: error.map(str::to_string),
        account: None,
    }
}

/// A reader with mixed-script headlines; the first is the Hindi story from the fixture feed.
fn state(size: (u16, u16)) -> AppState {
    let parsed = khabar::feed::parse::parse(HINDI_FEED, None).unwrap();
    let hindi = &parsed.articles[0];
    let mut s = AppState::new(Keymap::default(), vec!["news".into(), "हिंदी".into()], size);
    let _ = s.start();
    update(
        &mut s,
        Msg::Feeds(vec![
            feed(1, "हिंदी समाचार - विज्ञान", 2, None),
            feed(2, "世界新闻", 1, None),
            feed(3, "Broken feed", 0, Some("HTTP 500 Internal Server Error")),
        ]),
    );
    let rows = vec![
        ArticleSummary {
            author: hindi.author.clone(),
            ..summary(9, 1, "हिंदी समाचार - विज्ञान", &hindi.title, false)
        },
        summary(
            8,
            2,
            "世界新闻",
            "上海科技大会今日开幕：研究人员发现更快的排序算法",
            false,
        ),
        summary(7, 2, "世界新闻", "مؤتمر التقنية في القاهرة يبدأ اليوم", true),
        summary(
            3,
            1,
            "Emoji 👩‍💻",
            "Team 🇮🇳 and team 🇧🇷 share the prize 👩‍🔬👨🏽‍🔬 for sensors",
            true,
        ),
        summary(
            2,
            1,
            "Plain",
            "A plain ASCII headline that is long enough to be cut at the pane edge",
            false,
        ),
    ];
    crate::common::reader::first_page(&mut s, rows, 5);
    s
}

/// Opens the first article as the app would: the article arrives, then its rendering.
fn open_hindi(s: &mut AppState) {
    let parsed = khabar::feed::parse::parse(HINDI_FEED, None).unwrap();
    update(
        s,
        Msg::Key(khabar::tui::keymap::Key::plain(khabar::tui::keymap::Code::Enter)),
    );
    // As the cache answers: the article was marked read before it was loaded.
    let summary = s.headlines.rows[0].clone();
    let content = parsed.articles[0].content.clone();
    update(
        s,
        Msg::Article(Box::new(Article {
            summary,
            content: content.clone(),
            full_content: None,
            enclosures: Vec::new(),
        })),
    );
    let width = layout::article_text_width(layout::panes(s.shape()).article);
    let rendered = rich::render(content.as_deref().unwrap(), width);
    update(
        s,
        Msg::Rendered {
            id: ArticleId(9),
            width,
            full: false,
            rendered,
        },
    );
}

fn draw(s: &AppState) -> Buffer {
    let (w, h) = s.size;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| ui::draw(f, s, &Theme::default())).unwrap();
    terminal.backend().buffer().clone()
}

fn text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut skip = 0;
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            skip = unicode_width::UnicodeWidthStr::width(sym).saturating_sub(1);
            out.push_str(sym);
        }
        out.push('\n');
    }
    out
}

/// No grapheme crosses a pane border: every cell on each pane's frame holds a border symbol.
fn assert_borders_intact(s: &AppState, buf: &Buffer) {
    let panes = layout::panes(s.shape());
    for r in [panes.sidebar, panes.headlines, panes.article].into_iter().flatten() {
        for y in r.y..r.y + r.height {
            for x in [r.x, r.x + r.width - 1] {
                let sym = buf[(x, y)].symbol();
                assert!(
                    "│┃┌┐└┘┏┓┗┛║".contains(sym) || sym == "█" || sym == "║",
                    "({x},{y}) holds {sym:?}\n{}",
                    text(buf)
                );
            }
        }
    }
}

#[test]
fn three_panes_with_the_hindi_article() {
    let mut s = state((120, 30));
    open_hindi(&mut s);
    let buf = draw(&s);
    assert_borders_intact(&s, &buf);
    insta::assert_snapshot!("three_panes_hindi_article", text(&buf));
}

#[test]
fn the_header_says_which_body_is_shown() {
    let mut s = state((120, 30));
    open_hindi(&mut s);
    assert!(!text(&draw(&s)).contains("full article"));
    s.article.as_mut().unwrap().fetching_full = true;
    assert!(text(&draw(&s)).contains("· fetching the full article…"));
    let pane = s.article.as_mut().unwrap();
    pane.fetching_full = false;
    pane.show_full = true;
    assert!(text(&draw(&s)).contains("· full article"));
}

#[test]
fn headlines_and_sidebar_with_a_failed_feed_selected() {
    let mut s = state((100, 16));
    for _ in 0..6 {
        update(&mut s, Msg::Key(khabar::tui::keymap::Key::ch('h')));
    }
    // Down to the broken feed: All, Unread, Starred, #news, #हिंदी, (no tag), three feeds.
    for _ in 0..8 {
        update(&mut s, Msg::Key(khabar::tui::keymap::Key::ch('j')));
    }
    let buf = draw(&s);
    assert_borders_intact(&s, &buf);
    let screen = text(&buf);
    assert!(screen.contains("last fetch failed: HTTP 500"), "{screen}");
    insta::assert_snapshot!("sidebar_failed_feed", screen);
}

/// A story's lead names the other feeds; expanded (`=`), its rows say so instead; the sidebar's
/// Unread counts the story once.
#[test]
fn a_story_reads_as_one_headline_with_its_other_feeds() {
    let mut s = state((100, 12));
    let members = |ids: &[(i64, &str)]| -> Vec<khabar::model::StoryMember> {
        ids.iter()
            .map(|&(id, title)| khabar::model::StoryMember {
                id: ArticleId(id),
                read: false,
                feed_title: title.into(),
            })
            .collect()
    };
    s.headlines.rows[1].story = Some(5);
    s.headlines.rows[1].also_in = members(&[(40, "Dainik"), (41, "Amar Ujala")]);
    let mut feeds = s.feeds.clone();
    feeds[0].unread_folded = 2;
    let before: u64 = s.feeds.iter().map(|f| f.unread).sum();
    update(&mut s, Msg::Feeds(feeds));
    let screen = text(&draw(&s));
    assert!(screen.contains("+2 Dainik, Amar Ujala"), "{screen}");
    let unread = screen.lines().find(|l| l.contains("Unread")).unwrap();
    assert!(unread.contains(&(before - 2).to_string()), "{unread}");
    s.view.expanded = Some(5);
    let screen = text(&draw(&s));
    assert!(!screen.contains("+2 Dainik") && screen.contains(" ▾"), "{screen}");
    s.view.stories = false;
    s.view.expanded = None;
    let screen = text(&draw(&s));
    assert!(!screen.contains("+2 Dainik"), "{screen}");
}

#[test]
fn help_overlay_lists_the_live_keymap() {
    let user = vec![("open_link".to_string(), vec!["ctrl-o".to_string()])];
    let mut s = state((90, 44));
    s.keymap = Keymap::with_overrides(&user).unwrap();
    update(&mut s, Msg::Key(khabar::tui::keymap::Key::ch('?')));
    assert_eq!(s.mode, Mode::Help { scroll: 0 });
    let screen = text(&draw(&s));
    assert!(
        screen.contains("ctrl-o") && screen.contains("Open the article's link"),
        "{screen}"
    );
    insta::assert_snapshot!("help_overlay", screen);
}

#[test]
fn narrow_terminal_shows_one_pane_at_a_time() {
    let mut s = state((40, 10));
    let buf = draw(&s);
    assert_borders_intact(&s, &buf);
    insta::assert_snapshot!("narrow_headlines", text(&buf));
    open_hindi(&mut s);
    assert_eq!(s.focus, Focus::Article);
    let buf = draw(&s);
    assert_borders_intact(&s, &buf);
    insta::assert_snapshot!("narrow_article", text(&buf));
}

#[test]
fn selection_is_highlighted_and_unread_is_bold() {
    let s = state((120, 30));
    let buf = draw(&s);
    let r = layout::panes(s.shape()).headlines.unwrap();
    let row = |i: u16| r.y + 1 + i;
    let title_x = r.x + r.width - 10;
    let theme = Theme::default();
    let sel_bg = theme.style(khabar::tui::ui::theme::Element::Selection).bg;
    assert_eq!(
        buf[(title_x, row(0))].bg,
        sel_bg.unwrap(),
        "the selected row is highlighted"
    );
    assert_ne!(buf[(title_x, row(1))].bg, sel_bg.unwrap());
    let first_title_cell = |i: u16| {
        (r.x + 1..r.x + r.width)
            .find(|&x| buf[(x, row(i))].symbol() == "A")
            .unwrap()
    };
    // Row 4 is "A plain ASCII headline" (unread): bold. Row 2 (Arabic, read) is not.
    assert!(buf[(first_title_cell(4), row(4))].modifier.contains(Modifier::BOLD));
    let arabic_x = (r.x + 1..r.x + r.width)
        .find(|&x| buf[(x, row(2))].symbol() == "م")
        .unwrap();
    assert!(!buf[(arabic_x, row(2))].modifier.contains(Modifier::BOLD));
    assert_eq!(buf[(r.x + 1, row(3))].symbol(), "★", "starred is marked");
}

#[test]
fn every_size_draws_without_panic_and_within_panes() {
    for (w, h) in [
        (1, 1),
        (2, 2),
        (10, 3),
        (40, 10),
        (41, 11),
        (59, 20),
        (60, 20),
        (99, 30),
        (100, 30),
        (300, 100),
    ] {
        let mut s = state((w, h));
        let buf = draw(&s);
        if w >= 20 && h >= 5 {
            assert_borders_intact(&s, &buf);
        }
        open_hindi(&mut s);
        let buf = draw(&s);
        if w >= 20 && h >= 5 {
            assert_borders_intact(&s, &buf);
        }
        update(&mut s, Msg::Key(khabar::tui::keymap::Key::ch('?')));
        draw(&s);
    }
}

/// Each script's headline, cut at many widths so the cut falls inside clusters: the row holds
/// exactly the grapheme-cut title, whole graphemes only, and the border cell after it is intact.
#[test]
fn headlines_in_every_script_are_cut_exactly() {
    use unicode_segmentation::UnicodeSegmentation;
    let titles = [
        "क्षत्रिय राष्ट्रपति ने स्पेस रेस में भारत को बधाई दी",
        "上海科技大会今日开幕研究人员发现更快的排序算法",
        "新しいリリースが公開されましたカタカナテスト",
        "مؤتمر التقنية في القاهرة يبدأ اليوم بحضور واسع",
        "👩‍💻👨🏽‍🔬🇮🇳🇧🇷 e\u{301}te\u{301} flags and family 👨‍👩‍👧‍👦",
    ];
    for title in titles {
        for width in 62..=76u16 {
            let mut s = AppState::new(Keymap::default(), vec![], (width, 8));
            let _ = s.start();
            let generation = s.headlines.generation;
            let row = ArticleSummary {
                title: title.into(),
                ..summary(1, 1, "F", "", true)
            };
            update(
                &mut s,
                Msg::Page {
                    generation,
                    kind: LoadKind::First,
                    rows: vec![row],
                    first_index: Some(0),
                    total: Some(1),
                },
            );
            let buf = draw(&s);
            let r = layout::panes(s.shape()).headlines.unwrap();
            let y = r.y + 1;
            assert!(
                "│┃".contains(buf[(r.x + r.width - 1, y)].symbol()),
                "{title} at {width}: border overwritten"
            );
            // The row as text: the cells a wide grapheme covers are skipped.
            let mut line = String::new();
            let mut x = r.x + 1;
            while x < r.x + r.width - 1 {
                let sym = buf[(x, y)].symbol();
                line.push_str(sym);
                x += (unicode_width::UnicodeWidthStr::width(sym) as u16).max(1);
            }
            let cols = (r.width - 3) as usize; // borders and the scrollbar column
            let feed_cols = (cols / 5).clamp(6, 18);
            let title_cols = cols - (1 + 11 + 1 + feed_cols + 1);
            let expected = khabar::text::width::fit(title, title_cols);
            assert!(
                line.contains(expected.trim_end()),
                "{title} at {width}:\nrow      {line:?}\nexpected {expected:?}"
            );
            let shown = expected.trim_end().trim_end_matches('…');
            assert!(title.starts_with(shown), "cut inside a grapheme: {shown:?}");
            let original: Vec<&str> = title.graphemes(true).collect();
            assert!(
                shown.graphemes(true).all(|g| original.contains(&g)),
                "partial cluster in {shown:?}"
            );
            assert!(khabar::text::width::width(&expected) == title_cols);
        }
    }
}

/// Article text in five scripts at widths that wrap inside clusters: every row of the pane holds
/// exactly the renderer's line for that width (cell by cell), and nothing crosses the border.
#[test]
fn article_text_in_every_script_is_exact_in_the_buffer() {
    let body = "<p>क्षत्रिय राष्ट्रपति ने स्पेस रेस में भारत को बधाई दी और सहयोग की बात कही।</p>\
        <p>上海科技大会今日开幕，研究人员发现更快的排序算法。</p><p>新しいリリースが公開されました。カタカナとひらがな。</p>\
        <p>مؤتمر التقنية في القاهرة يبدأ اليوم بحضور واسع من الباحثين.</p>\
        <p>Team 👩‍💻👨🏽‍🔬 and 🇮🇳🇧🇷 flags, cafe\u{301} and family 👨‍👩‍👧‍👦 together.</p>";
    for width in [41u16, 43, 46, 52, 57] {
        // Narrow terminals give the article the whole screen: its width is the terminal's.
        let mut s = state((width, 40));
        update(
            &mut s,
            Msg::Key(khabar::tui::keymap::Key::plain(khabar::tui::keymap::Code::Enter)),
        );
        let summary = s.headlines.rows[0].clone();
        let article = Article {
            summary,
            content: Some(body.into()),
            full_content: None,
            enclosures: Vec::new(),
        };
        let cmds = update(&mut s, Msg::Article(Box::new(article)));
        let Some(khabar::tui::state::Command::Render { width: cols, .. }) = cmds.first().cloned() else {
            panic!("expected a render request, got {cmds:?}");
        };
        let rendered = rich::render(body, cols);
        update(
            &mut s,
            Msg::Rendered {
                id: ArticleId(9),
                width: cols,
                full: false,
                rendered: rendered.clone(),
            },
        );
        let buf = draw(&s);
        assert_borders_intact(&s, &buf);
        let r = layout::panes(s.shape()).article.unwrap();
        // Body rows start after the header; find the first body line on screen.
        let rows: Vec<String> = (r.y + 1..r.y + r.height - 1)
            .map(|y| {
                let mut line = String::new();
                let mut x = r.x + 2;
                while x < r.x + 2 + cols as u16 {
                    let sym = buf[(x, y)].symbol();
                    line.push_str(sym);
                    x += (unicode_width::UnicodeWidthStr::width(sym) as u16).max(1);
                }
                line.trim_end().to_string()
            })
            .collect();
        let expected: Vec<String> = rendered.lines.iter().map(|l| l.text().trim_end().to_string()).collect();
        let start = rows
            .iter()
            .position(|l| *l == expected[0])
            .unwrap_or_else(|| panic!("width {width}: first body line not on screen:\n{rows:#?}"));
        for (i, want) in expected.iter().enumerate().take(rows.len() - start) {
            assert_eq!(&rows[start + i], want, "width {width}, body line {i}");
        }
    }
}

/// The RGB a terminal shows for a colour: xterm's defaults for the 16 named colours, its
/// 256-colour cube and grey ramp for indexed ones; `Reset` (the terminal's own colour) is None.
fn rgb(c: Color) -> Option<(u8, u8, u8)> {
    const ANSI: [(u8, u8, u8); 16] = [
        (0, 0, 0),
        (205, 0, 0),
        (0, 205, 0),
        (205, 205, 0),
        (0, 0, 238),
        (205, 0, 205),
        (0, 205, 205),
        (229, 229, 229),
        (127, 127, 127),
        (255, 0, 0),
        (0, 255, 0),
        (255, 255, 0),
        (92, 92, 255),
        (255, 0, 255),
        (0, 255, 255),
        (255, 255, 255),
    ];
    let indexed = |i: u8| match i {
        0..=15 => ANSI[i as usize],
        16..=231 => {
            let i = i - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
            (level(i / 36), level(i / 6 % 6), level(i % 6))
        }
        _ => {
            let v = 8 + 10 * (i - 232);
            (v, v, v)
        }
    };
    Some(match c {
        Color::Reset => return None,
        Color::Black => ANSI[0],
        Color::Red => ANSI[1],
        Color::Green => ANSI[2],
        Color::Yellow => ANSI[3],
        Color::Blue => ANSI[4],
        Color::Magenta => ANSI[5],
        Color::Cyan => ANSI[6],
        Color::Gray => ANSI[7],
        Color::DarkGray => ANSI[8],
        Color::LightRed => ANSI[9],
        Color::LightGreen => ANSI[10],
        Color::LightYellow => ANSI[11],
        Color::LightBlue => ANSI[12],
        Color::LightMagenta => ANSI[13],
        Color::LightCyan => ANSI[14],
        Color::White => ANSI[15],
        Color::Indexed(i) => indexed(i),
        Color::Rgb(r, g, b) => (r, g, b),
    })
}

/// WCAG contrast ratio of two colours (1 to 21).
fn contrast(a: (u8, u8, u8), b: (u8, u8, u8)) -> f64 {
    use khabar::tui::background::luminance;
    let (la, lb) = (luminance(a.0, a.1, a.2), luminance(b.0, b.1, b.2));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// xterm's own default background and foreground for each palette: white on black, black on white.
fn terminal_colours(bg: Background) -> ((u8, u8, u8), (u8, u8, u8)) {
    match bg {
        Background::Dark => ((0, 0, 0), (229, 229, 229)),
        Background::Light => ((255, 255, 255), (0, 0, 0)),
    }
}

#[test]
fn each_palette_reads_on_its_background() {
    for background in [Background::Dark, Background::Light] {
        let theme = Theme::new(&[], background, false);
        let (bg, fg) = terminal_colours(background);
        for &e in Element::ALL {
            let colour = theme.color(e);
            if e.is_background() {
                // Text in the terminal's colour on a selection or status bar stays readable.
                let shade = rgb(colour).expect("backgrounds are concrete colours");
                assert!(contrast(shade, fg) >= 4.5, "{background:?} {}: text on it", e.name());
                assert_ne!(shade, bg, "{background:?} {} equals the background", e.name());
            } else if let Some(c) = rgb(colour) {
                assert!(
                    contrast(c, bg) >= 3.0,
                    "{background:?} {}: {colour:?} has contrast {:.2} on the background",
                    e.name(),
                    contrast(c, bg)
                );
            }
        }
        // Unread is bold in the terminal's own colour, never a fixed white or black.
        let unread = theme.style(Element::Unread);
        assert_eq!(unread.fg, Some(Color::Reset));
        assert!(unread.add_modifier.contains(Modifier::BOLD));
    }
}

#[test]
fn a_light_terminal_gets_no_colour_equal_to_its_background() {
    let s = state((120, 30));
    for background in [Background::Dark, Background::Light] {
        let theme = Theme::new(&[], background, false);
        let mut terminal = Terminal::new(TestBackend::new(120, 30)).unwrap();
        terminal.draw(|f| ui::draw(f, &s, &theme)).unwrap();
        let buf = terminal.backend().buffer().clone();
        let (bg, _) = terminal_colours(background);
        for cell in buf.content() {
            if cell.symbol().trim().is_empty() {
                continue;
            }
            if let Some(c) = rgb(cell.fg) {
                assert_ne!(
                    c,
                    bg,
                    "{background:?}: {:?} drawn in the background colour",
                    cell.symbol()
                );
            }
        }
    }
}

/// Every character of a selected row, in the sidebar and the headline list, focused or not,
/// in both palettes, reads on the selection (xterm on black made an unfocused selected row dark
/// grey on blue).
#[test]
fn selected_rows_read_focused_or_not_in_both_palettes() {
    for background in [Background::Dark, Background::Light] {
        let theme = Theme::new(&[], background, false);
        let (term_bg, term_fg) = terminal_colours(background);
        for focus in [Focus::Sidebar, Focus::Headlines] {
            let mut s = state((120, 30));
            // A read and starred article selected: dim and coloured parts on one row.
            s.headlines.selected = 2;
            s.headlines.rows[2].starred = true;
            s.sidebar_selected = s.sidebar_entries().len() - 1;
            s.focus = focus;
            let mut terminal = Terminal::new(TestBackend::new(120, 30)).unwrap();
            terminal.draw(|f| ui::draw(f, &s, &theme)).unwrap();
            let buf = terminal.backend().buffer().clone();
            let selection_bgs = [
                theme.color(Element::Selection),
                theme.color(Element::SelectionUnfocused),
            ];
            let mut checked = 0;
            for cell in buf.content() {
                if !selection_bgs.contains(&cell.bg) || cell.symbol().trim().is_empty() {
                    continue;
                }
                assert!(
                    !cell.modifier.contains(Modifier::DIM),
                    "{background:?}, {focus:?}: {:?} is dimmed on the selection",
                    cell.symbol()
                );
                let fg = rgb(cell.fg).unwrap_or(term_fg);
                let bg = rgb(cell.bg).unwrap_or(term_bg);
                assert!(
                    contrast(fg, bg) >= 4.5,
                    "{background:?}, {focus:?}: {:?} in {:?} on {:?} has contrast {:.2}",
                    cell.symbol(),
                    cell.fg,
                    cell.bg,
                    contrast(fg, bg)
                );
                checked += 1;
            }
            assert!(
                checked > 40,
                "{background:?}, {focus:?}: both selected rows drawn ({checked} cells)"
            );
        }
    }
}

/// `?` on an empty search prompt shows the query language on one screen; any key goes back to
/// the prompt; a query with a mistake shows why beside the prompt.
#[test]
fn search_prompt_has_a_query_summary_and_names_mistakes() {
    use khabar::tui::keymap::Key;
    let mut s = state((90, 30));
    update(&mut s, Msg::Key(Key::ch('/')));
    update(&mut s, Msg::Key(Key::ch('?')));
    assert_eq!(s.mode, Mode::QueryHelp);
    let screen = text(&draw(&s));
    assert!(screen.contains("age:<7d") && screen.contains("is:unread"), "{screen}");
    insta::assert_snapshot!("query_summary", screen);
    update(&mut s, Msg::Key(Key::ch('x')));
    assert!(matches!(&s.mode, Mode::Input { text, .. } if text.is_empty()));
    for c in "is:new".chars() {
        update(&mut s, Msg::Key(Key::ch(c)));
    }
    update(&mut s, Msg::Key(Key::plain(khabar::tui::keymap::Code::Enter)));
    let buf = draw(&s);
    let status = text(&buf).lines().last().unwrap_or_default().to_string();
    assert!(
        status.starts_with("/is:new█") && status.contains("unknown state `new`"),
        "{status}"
    );
}
