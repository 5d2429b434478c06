//! End to end: the real binary in a real terminal (tmux) against a local feed server. It opens,
//! navigates with keys, opens an article, toggles read, refreshes, and quits with the terminal
//! restored (alternate screen left, mouse reporting off, cursor visible).

use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::*;

/// A private tmux server, killed when the test ends however it ends.
pub(crate) struct Tmux {
    socket: String,
    /// Every byte the program wrote to its terminal (tmux pipe-pane).
    output: std::path::PathBuf,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("run tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub(crate) fn screen(&self) -> String {
        self.cmd(&["capture-pane", "-p", "-t", "main"])
    }

    pub(crate) fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.cmd(&["send-keys", "-t", "main", k]);
            std::thread::sleep(Duration::from_millis(80));
        }
    }

    /// Types text literally (tmux `send-keys -l`), so words like "Enter" are not keys.
    pub(crate) fn type_text(&self, text: &str) {
        self.cmd(&["send-keys", "-t", "main", "-l", text]);
        std::thread::sleep(Duration::from_millis(80));
    }

    fn var(&self, name: &str) -> String {
        self.cmd(&["display-message", "-p", "-t", "main", &format!("#{{{name}}}")])
            .trim()
            .to_string()
    }

    /// Every byte the program has written to its terminal so far.
    fn written(&self) -> String {
        let out =
            std::fs::read(&self.output).unwrap_or_else(|e| panic!("pipe-pane wrote no {}: {e}", self.output.display()));
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Waits (at most 15 s) until the screen satisfies `pred`.
    pub(crate) fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "timed out waiting for {what}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["-L", &self.socket, "kill-server"]).output();
    }
}

/// Whether these tests can run (see `program_available`).
fn tmux_available() -> bool {
    program_available("tmux", "-V")
}

/// The count beside "Unread" in the sidebar (the first box of the screen), if shown.
fn unread_count(screen: &str) -> Option<u32> {
    let line = screen.lines().find(|l| l.contains("Unread"))?;
    let cell = line.split(['│', '┃']).find(|cell| cell.contains("Unread"))?;
    cell.split_whitespace().last()?.parse().ok()
}

#[test]
fn reader_in_a_real_terminal() {
    let server = TestServer::start();
    server.route(
        "/news.xml",
        Route::ok(rss(
            "Local news",
            &[
                ("a", "Alpha story", "&lt;p&gt;Alpha body text&lt;/p&gt;"),
                (
                    "b",
                    "Beta story",
                    "&lt;p&gt;Beta body text with &lt;b&gt;bold&lt;/b&gt; words&lt;/p&gt;",
                ),
                ("c", "गामा ख़बर", "&lt;p&gt;हिंदी में पूरी ख़बर&lt;/p&gt;"),
            ],
        )),
    );
    let Some((_sb, tmux)) = reader_on("main", |_| {
        format!(
            "[general]\nrequest_timeout = \"5s\"\n{}",
            feed_entry(&server.url("/news.xml"), &["news"])
        )
    }) else {
        return;
    };

    // The first scheduled check finds the never-fetched feed due and refreshes it.
    let screen = tmux.wait_for("headlines", |s| s.contains("Alpha story") && s.contains("Beta story"));
    assert!(screen.contains("गामा ख़बर"), "{screen}");
    assert_eq!(tmux.var("alternate_on"), "1", "the reader uses the alternate screen");
    let dates: Vec<&str> = screen
        .lines()
        .filter(|l| l.contains("story") || l.contains("ख़बर"))
        .collect();
    assert_eq!(dates.len(), 3, "{screen}");
    assert_eq!(unread_count(&screen), Some(3), "{screen}");

    // j moves to the second headline (items are newest first: Alpha, Beta, गामा by date).
    let order: Vec<&str> = ["Alpha story", "Beta story", "गामा ख़बर"]
        .into_iter()
        .filter(|t| screen.contains(t))
        .collect();
    assert_eq!(order.len(), 3);
    tmux.keys(&["j", "Enter"]);
    let screen = tmux.wait_for("the article pane", |s| s.contains("Article") && s.contains("body text"));
    assert_eq!(unread_count(&screen), Some(2), "opening marks read:\n{screen}");

    // m in the article pane toggles it back to unread.
    tmux.keys(&["m"]);
    tmux.wait_for("unread again", |s| unread_count(s) == Some(3));

    // R refreshes all feeds; the server sees a second (conditional-less) request.
    let hits_before = server.hits("/news.xml").len();
    tmux.keys(&["R"]);
    tmux.wait_for("refresh notice", |s| s.contains("refreshed 1 feed"));
    assert_eq!(server.hits("/news.xml").len(), hits_before + 1);

    // ? shows help from the live keymap; any key closes it.
    tmux.keys(&["?"]);
    // It says where it is in the list, that it scrolls, and each action's name.
    tmux.wait_for("help", |s| {
        s.contains("Keys 1–") && s.contains("j/k scroll") && s.contains("move_down: Move down")
    });
    tmux.keys(&["j", "j"]);
    tmux.wait_for("help scrolled", |s| s.contains("Keys 3–"));
    tmux.keys(&["Escape"]);
    tmux.wait_for("help closed", |s| !s.contains("j/k scroll"));

    // q closes the article, q quits; the terminal is restored.
    tmux.keys(&["q", "q"]);
    wait_dead(&tmux);
    let status = tmux.var("pane_dead_status");
    assert!(status == "0" || status.is_empty(), "exit status {status}");
    assert_restored(&tmux);
}

/// Starts khabar on the sandbox in a new private tmux server, 120x30; the pane stays after exit.
/// A reader in tmux on a fresh sandbox: `setup` writes the files the config needs and returns
/// the config's text. None (the test then ends) where tmux is missing outside CI.
pub(crate) fn reader_on(name: &str, setup: impl FnOnce(&Sandbox) -> String) -> Option<(Sandbox, Tmux)> {
    reader_on_with(name, "", setup)
}

/// As `reader_on`, with extra environment (`NAME=value ...`) for khabar.
fn reader_on_with(name: &str, env: &str, setup: impl FnOnce(&Sandbox) -> String) -> Option<(Sandbox, Tmux)> {
    if !tmux_available() {
        return None;
    }
    let sb = Sandbox::new();
    let config = setup(&sb);
    sb.write_config(&config);
    let tmux = start_reader_with(&sb, name, env);
    Some((sb, tmux))
}

pub(crate) fn start_reader(sb: &Sandbox, name: &str) -> Tmux {
    start_reader_with(sb, name, "")
}

/// As `start_reader`, with extra environment (`NAME=value ...`) for khabar.
fn start_reader_with(sb: &Sandbox, name: &str, env: &str) -> Tmux {
    std::fs::create_dir_all(sb.path("home")).unwrap();
    let output = sb.path(&format!("{name}.out"));
    // The program starts only once pipe-pane's `cat` has opened the output file, so its first
    // byte is recorded however slowly tmux starts the pipe on a loaded machine (at most 10 s).
    let command = format!(
        "i=0; while [ ! -e {out} ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; \
         exec env HOME={home} TERM=xterm-256color {env} {bin} --config {config} --cache {cache}",
        out = output.display(),
        home = sb.path("home").display(),
        bin = env!("CARGO_BIN_EXE_khabar"),
        config = sb.config().display(),
        cache = sb.cache().display()
    );
    let tmux = Tmux {
        socket: format!("khabar-{name}-{}", std::process::id()),
        output,
    };
    tmux.cmd(&["new-session", "-d", "-s", "main", "-x", "120", "-y", "30", &command]);
    tmux.cmd(&["set-option", "-t", "main", "remain-on-exit", "on"]);
    tmux.cmd(&[
        "pipe-pane",
        "-t",
        "main",
        "-o",
        &format!("cat >> {}", tmux.output.display()),
    ]);
    tmux
}

pub(crate) fn wait_dead(tmux: &Tmux) {
    let start = Instant::now();
    while tmux.var("pane_dead") != "1" {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "khabar did not exit:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The terminal is as the program found it: checked on the bytes it wrote (tmux's own cursor
/// flag can be read before it has parsed a dying pane's last bytes).
pub(crate) fn assert_restored(tmux: &Tmux) {
    assert_eq!(tmux.var("alternate_on"), "0", "left the alternate screen");
    let out = tmux.written();
    let last = |seq: &str| out.rfind(seq);
    let after = |a: &str, b: &str| matches!((last(a), last(b)), (Some(x), Some(y)) if x > y);
    assert!(out.contains("\u{1b}[?1049h"), "entered the alternate screen");
    assert!(
        after("\u{1b}[?1049l", "\u{1b}[?1049h"),
        "left the alternate screen last"
    );
    assert!(
        after("\u{1b}[?1000l", "\u{1b}[?1000h"),
        "mouse reporting off at the end"
    );
    assert!(after("\u{1b}[?25h", "\u{1b}[?25l"), "cursor shown at the end");
    assert!(
        after("\u{1b}[?25h", "\u{1b}[?1049l"),
        "cursor shown after leaving the alternate screen"
    );
}

#[test]
fn signals_restore_the_terminal_and_a_second_reader_is_refused() {
    if !tmux_available() {
        return;
    }
    for signal in ["TERM", "HUP"] {
        let sb = Sandbox::new();
        sb.write_config(&feed_entry(sb.path("none.xml").to_str().unwrap(), &[]));
        let tmux = start_reader(&sb, &format!("sig{signal}"));
        tmux.wait_for("the reader", |s| s.contains("khabar") && s.contains("All"));
        assert_eq!(tmux.var("alternate_on"), "1");

        // A second reader on the same cache refuses, before touching its terminal.
        let second = sb.run(&[]);
        assert_eq!(second.status.code(), Some(1));
        assert!(
            stderr(&second).contains("another khabar is already reading"),
            "{}",
            stderr(&second)
        );

        let pid = tmux.var("pane_pid");
        let killed = Command::new("kill")
            .args([&format!("-{signal}"), &pid])
            .status()
            .unwrap();
        assert!(killed.success());
        wait_dead(&tmux);
        assert_restored(&tmux);
        assert_eq!(open_store(&sb.cache()).integrity_check().unwrap(), "ok");
    }
}

/// Feed text carrying terminal escapes (window title, clipboard, screen clear, bell, bidi)
/// never reaches the terminal: the pane title stays, and the bytes khabar wrote hold no OSC.
#[test]
fn hostile_feed_text_leaves_the_terminal_untouched() {
    let server = TestServer::start();
    let esc = "&#x1b;";
    let title = format!("Red{esc}]0;PWNED-TITLE&#x7;{esc}]52;c;cHduZWQ=&#x7;{esc}[2J alert&#x202e;txt&#x7;");
    let body = format!("&lt;p&gt;Body{esc}]2;PWNED-TITLE2&#x7; text{esc}[31m red &amp;#27;]0;PWNED3&amp;#7;&lt;/p&gt;");
    server.route(
        "/nasty.xml",
        Route::ok(format!(
            "<rss version=\"2.0\"><channel><title>Feed{esc}]0;PWNED-FEED&#x7;</title><item><guid>n</guid>\
             <title>{title}</title><author>a{esc}]52;c;eA==&#x7;b</author><description>{body}</description></item></channel></rss>"
        )),
    );
    let Some((_sb, tmux)) = reader_on("nasty", |_| {
        format!(
            "[general]\nrequest_timeout = \"5s\"\n{}",
            feed_entry(&server.url("/nasty.xml"), &[])
        )
    }) else {
        return;
    };
    let title_before = tmux.var("pane_title");
    tmux.wait_for("the headline", |s| s.contains("Red") && s.contains("alerttxt"));
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the article", |s| s.contains("Body") && s.contains("red"));
    // Escapes in the feed are removed whole, payload included. (The double-escaped one in the
    // body arrives as inert text: its ESC and BEL are gone, so "]0;PWNED3" is only characters.)
    for payload in ["PWNED-TITLE", "PWNED-FEED", "cHduZWQ="] {
        assert!(!screen.contains(payload), "{payload} on screen:\n{screen}");
    }
    assert_eq!(tmux.var("pane_title"), title_before, "the window title was changed");
    tmux.keys(&["q", "q"]);
    wait_dead(&tmux);
    let out = tmux.written();
    for seq in [
        "\u{1b}]0;",
        "\u{1b}]2;",
        "\u{1b}]52;",
        "PWNED-TITLE",
        "\u{7}",
        "\u{202e}",
    ] {
        assert!(!out.contains(seq), "khabar wrote {seq:?} to the terminal");
    }
    assert_restored(&tmux);
}

/// A panic restores the terminal first, then prints its message on the normal screen.
#[test]
fn a_panic_restores_the_terminal_and_then_reports() {
    let Some((_sb, tmux)) = reader_on_with("panic", "RUST_BACKTRACE=0 KHABAR_DEBUG_PANIC=1", |sb| {
        feed_entry(sb.path("none.xml").to_str().unwrap(), &[])
    }) else {
        return;
    };
    wait_dead(&tmux);
    assert_restored(&tmux);
    let out = tmux.written();
    let left = out.rfind("\u{1b}[?1049l").expect("left the alternate screen");
    let message = out.find("KHABAR_DEBUG_PANIC is set").expect("the panic message");
    assert!(message > left, "the message comes after the terminal is restored");
    let screen = tmux.screen();
    assert!(
        screen.contains("panicked") && screen.contains("KHABAR_DEBUG_PANIC"),
        "{screen}"
    );
}

/// Writes `feeds` feeds of `items` articles each (guids `f{f}-{i}`) beside the config.
fn write_numbered_feeds(sb: &Sandbox, feeds: usize, items: usize) {
    for f in 0..feeds {
        let items: Vec<(String, String)> = (0..items)
            .map(|i| (format!("f{f}-{i}"), format!("Feed {f} story {i}")))
            .collect();
        let refs: Vec<(&str, &str, &str)> = items
            .iter()
            .map(|(g, t)| {
                (
                    g.as_str(),
                    t.as_str(),
                    "&lt;p&gt;a body long enough to index and store&lt;/p&gt;",
                )
            })
            .collect();
        std::fs::write(sb.path(&format!("feed{f}.xml")), rss(&format!("Feed {f}"), &refs)).unwrap();
    }
}

#[test]
fn a_refresh_from_another_process_while_the_reader_writes() {
    let feeds = 80;
    let Some((sb, tmux)) = reader_on("concurrent", |sb| {
        write_numbered_feeds(sb, feeds, 20);
        (0..feeds)
            .map(|f| feed_entry(&format!("feed{f}.xml"), &["t"]))
            .collect()
    }) else {
        return;
    };
    tmux.wait_for("the first refresh", |s| s.contains("refreshed 80 feeds"));

    let mut toggled = 0;
    for round in 1..=3 {
        // Every round brings new articles to every feed, so the other process has real writes.
        let items = 20 + 10 * round;
        write_numbered_feeds(&sb, feeds, items);
        let other = sb
            .command(&["refresh"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start khabar refresh");
        // Meanwhile the reader marks headlines read, one by one down the list, and refreshes.
        for _ in 0..4 {
            tmux.keys(&["m", "j"]);
            toggled += 1;
        }
        tmux.keys(&["R"]);
        let out = other.wait_with_output().unwrap();
        let err = stderr(&out);
        assert!(out.status.success(), "round {round}: refresh failed: {err}");
        assert!(
            !err.contains("locked") && !err.contains("error"),
            "round {round}: {err}"
        );
        tmux.wait_for("the reader's refresh", |s| s.contains("refreshed 80 feeds"));
    }
    tmux.keys(&["q"]);
    wait_dead(&tmux);
    let status = tmux.var("pane_dead_status");
    assert!(status == "0" || status.is_empty(), "exit status {status}");
    let shown = tmux.written();
    for word in ["locked", "cache error", "failed"] {
        assert!(!shown.contains(word), "the reader showed {word:?}");
    }

    // Nothing lost: every article of every round, and every read mark the reader made.
    let store = open_store(&sb.cache());
    let all = khabar::model::Filter::default();
    assert_eq!(store.count(&all).unwrap(), feeds * 50);
    let unread = khabar::model::Filter {
        unread_only: true,
        ..Default::default()
    };
    assert_eq!(store.count(&all).unwrap() - store.count(&unread).unwrap(), toggled);
}

#[test]
fn the_reader_sees_what_other_processes_write_without_being_asked() {
    let Some((sb, tmux)) = reader_on("outside", |sb| {
        write_numbered_feeds(sb, 1, 5);
        feed_entry("feed0.xml", &["t"])
    }) else {
        return;
    };
    tmux.wait_for("the first refresh", |s| {
        s.contains("refreshed 1 feed") && unread_count(s) == Some(5)
    });
    // `khabar mark` from a script: the counts follow, with no key pressed.
    let ids: Vec<String> = sb.list_json(&[]).iter().take(2).map(|a| a["id"].to_string()).collect();
    assert!(sb.run(&["mark", &ids[0], &ids[1], "--read"]).status.success());
    tmux.wait_for("the counts after khabar mark", |s| unread_count(s) == Some(3));
    // A refresh from cron: its new headline is listed.
    write_numbered_feeds(&sb, 1, 6);
    sb.refresh();
    let screen = tmux.wait_for("the new headline", |s| s.contains("Feed 0 story 5"));
    assert_eq!(unread_count(&screen), Some(4), "{screen}");
    tmux.keys(&["q"]);
    wait_dead(&tmux);
}

#[test]
fn an_edit_of_the_config_applies_while_the_reader_runs() {
    let first = feed_entry("one.xml", &["alpha"]);
    let Some((sb, tmux)) = reader_on("watch", |sb| {
        std::fs::write(
            sb.path("one.xml"),
            rss("First feed", &[("a", "Story from the first", "x")]),
        )
        .unwrap();
        std::fs::write(
            sb.path("two.xml"),
            rss("Second feed", &[("b", "Story from the second", "y")]),
        )
        .unwrap();
        first.clone()
    }) else {
        return;
    };
    tmux.wait_for("the first feed", |s| s.contains("Story from the first"));

    // Another window adds a feed and a key: it is fetched and shown, the key works.
    sb.write_config(&format!(
        "{first}{}[keys]\nhelp = \"F\"\n",
        feed_entry("two.xml", &["beta"])
    ));
    tmux.wait_for("the new feed", |s| {
        s.contains("Story from the second") && s.contains("#beta")
    });
    tmux.keys(&["F"]);
    tmux.wait_for("help on the new key", |s| {
        s.contains("j/k scroll") && s.contains("(unbound)         link_hints")
    });
    tmux.keys(&["Escape"]);

    // A mistake keeps the running config and says where it is.
    sb.write_config(&format!("{first}[general]\nrefresh_interval = \"soon\"\n"));
    let screen = tmux.wait_for("the error", |s| s.contains("bad duration"));
    assert!(screen.contains("config.toml:"), "{screen}");
    assert!(
        screen.contains("Story from the second"),
        "nothing else changed:\n{screen}"
    );

    // Fixed again: the removed feed leaves the sidebar.
    sb.write_config(&first);
    tmux.wait_for("the second feed gone", |s| {
        !s.contains("#beta") && s.contains("#alpha") && !s.contains("Story from the second")
    });
    tmux.keys(&["q"]);
    wait_dead(&tmux);
    assert_restored(&tmux);
}

/// A morning's reading, as a user does it: refresh, next unread through two feeds, star, mark a
/// tag read (confirming), undo that, quit; the state is as left, also in a new reader.
#[test]
fn a_morning_of_reading() {
    let server = TestServer::start();
    server.route(
        "/a.xml",
        Route::ok(rss(
            "Alpha",
            &[
                ("a1", "Alpha one", "first"),
                ("a2", "Alpha two", "second"),
                ("a3", "Alpha three", "third"),
            ],
        )),
    );
    let items: Vec<(String, String)> = (0..40)
        .map(|i| (format!("b{i:02}"), format!("Beta story {i:02}")))
        .collect();
    let refs: Vec<(&str, &str, &str)> = items.iter().map(|(g, t)| (g.as_str(), t.as_str(), "body")).collect();
    server.route("/b.xml", Route::ok(rss("Beta", &refs)));
    let Some((sb, tmux)) = reader_on("morning", |_| {
        format!(
            "[general]\nrequest_timeout = \"5s\"\n{}{}",
            feed_entry(&server.url("/a.xml"), &["news"]),
            feed_entry(&server.url("/b.xml"), &["tech"])
        )
    }) else {
        return;
    };
    tmux.wait_for("the refresh", |s| {
        s.contains("refreshed 2 feeds: 43 new") && unread_count(s) == Some(43)
    });

    // To Alpha in the sidebar, open its first article, then next unread through it and on.
    tmux.keys(&["h", "j", "j", "j", "j", "Enter", "Enter"]);
    tmux.wait_for("Alpha's first article", |s| {
        s.contains("Article") && s.contains("Alpha")
    });
    tmux.keys(&["J", "J"]);
    tmux.wait_for("Alpha read", |s| unread_count(s) == Some(40));
    tmux.keys(&["J"]);
    let screen = tmux.wait_for("on into Beta", |s| {
        s.contains("next unread in Beta") && unread_count(s) == Some(39)
    });
    assert!(screen.contains("Beta story"), "{screen}");
    tmux.keys(&["J", "s"]);
    tmux.wait_for("a star", |s| unread_count(s) == Some(38) && s.contains("★"));

    // Mark the tech tag read: more than a screenful, so it asks; y does it; U undoes it.
    tmux.keys(&["q", "h", "g", "g", "j", "j", "j", "j", "j"]);
    tmux.wait_for("the tech tag", |s| s.contains("Tag: tech"));
    tmux.keys(&["A"]);
    tmux.wait_for("the question", |s| {
        s.contains("mark 38 unread articles in Tag: tech read? (y/n)")
    });
    tmux.keys(&["y"]);
    tmux.wait_for("all read", |s| unread_count(s) == Some(0) || unread_count(s).is_none());
    tmux.keys(&["U"]);
    tmux.wait_for("undone", |s| {
        s.contains("undone: marked Tag: tech read (38 articles)") && unread_count(s) == Some(38)
    });
    tmux.keys(&["q", "q"]);
    wait_dead(&tmux);
    assert_restored(&tmux);

    // As left: Alpha and two Beta stories read, one of them starred, 38 unread.
    let list = sb.list_json(&[]);
    let read: Vec<&str> = list
        .iter()
        .filter(|a| a["read"].as_bool().unwrap())
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert_eq!(read.len(), 5, "{read:?}");
    assert!(read.iter().filter(|t| t.starts_with("Alpha")).count() == 3, "{read:?}");
    let starred: Vec<&serde_json::Value> = list.iter().filter(|a| a["starred"].as_bool().unwrap()).collect();
    assert_eq!(starred.len(), 1);
    assert!(starred[0]["title"].as_str().unwrap().starts_with("Beta story") && starred[0]["read"] == true);
    let again = start_reader(&sb, "morning2");
    let screen = again.wait_for("the reader again", |s| unread_count(s) == Some(38));
    assert!(screen.contains("★"), "{screen}");
    again.keys(&["q"]);
    wait_dead(&again);
    // No saved queries: the change log for their counts was never turned on.
    let conn = rusqlite::Connection::open(sb.cache()).unwrap();
    let watching: i64 = conn
        .query_row("SELECT COUNT(*) FROM count_watch", [], |r| r.get(0))
        .unwrap();
    assert_eq!(watching, 0);
}

/// A search saved as a query: `/` then `:save NAME` writes a `[[query]]` to the config (its
/// comments kept), and the reader shows it in the sidebar with its unread count; opening it
/// shows its articles; a query with a mistake written into the config is reported and the
/// running config stays.
#[test]
fn a_saved_search_shows_with_its_count_and_a_filter_added_while_running_hides_arrivals() {
    let config = format!("# my feeds\n{}", feed_entry("one.xml", &["tech"]));
    let Some((sb, tmux)) = reader_on("savedq", |sb| {
        let items = [
            ("a", "Kernel release notes", "scheduler work"),
            ("b", "Kernel bug fixed", "memory"),
            ("c", "Garden tips", "roses"),
        ];
        std::fs::write(sb.path("one.xml"), rss("Tech", &items)).unwrap();
        config.clone()
    }) else {
        return;
    };
    tmux.wait_for("the feed", |s| s.contains("Garden tips"));

    tmux.keys(&["/"]);
    tmux.type_text("title:kernel");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the search", |s| {
        s.contains("Search: title:kernel") && !s.contains("Garden tips")
    });
    tmux.keys(&[":"]);
    tmux.type_text("save Kernel news");
    tmux.keys(&["Enter"]);
    // Its count follows it (counted on a thread of its own).
    tmux.wait_for("the saved query in the sidebar, two unread", |s| {
        s.lines().any(|l| l.contains("/ Kernel news") && l.contains(" 2"))
    });
    let written = std::fs::read_to_string(sb.config()).unwrap();
    assert!(
        written.starts_with("# my feeds\n")
            && written.contains("[[query]]\nname = \"Kernel news\"\nquery = \"title:kernel\""),
        "{written}"
    );

    // A mistake in a query written by hand: said where, the running config stays.
    sb.write_config(&format!("{written}[[query]]\nname = \"Bad\"\nquery = \"is:new\"\n"));
    let screen = tmux.wait_for("the error", |s| s.contains("query \"Bad\": `is:new`"));
    assert!(
        screen.contains("config.toml:12:13:"),
        "the line and column of `new`:\n{screen}"
    );
    assert!(screen.contains("/ Kernel news"), "{screen}");

    // A filter added by editing the config while the reader runs acts on what the next refresh
    // brings: the matching new article never shows, the saved query's count takes the other.
    sb.write_config(&format!("{written}[[filter]]\nquery = \"bug\"\naction = \"hide\"\n"));
    tmux.wait_for("the reload", |s| s.contains("config reloaded"));
    std::fs::write(
        sb.path("one.xml"),
        rss(
            "Tech",
            &[
                ("a", "Kernel release notes", "scheduler work"),
                ("b", "Kernel bug fixed", "memory"),
                ("c", "Garden tips", "roses"),
                ("d", "Kernel bug returns", "a bug again"),
                ("e", "Kernel six point one", "released"),
            ],
        ),
    )
    .unwrap();
    tmux.keys(&["R"]);
    let screen = tmux.wait_for("the refresh", |s| s.contains("2 new (1 hidden by filters)"));
    let line = screen.lines().find(|l| l.contains("/ Kernel news")).unwrap();
    assert!(
        line.contains(" 3"),
        "three unread, the hidden one not counted: {line:?}"
    );
    // All: the new article the filter passed is there, the hidden one is not.
    tmux.keys(&["h", "g", "g", "Enter"]);
    let screen = tmux.wait_for("All", |s| s.contains("Kernel six point one"));
    assert!(!screen.contains("Kernel bug returns"), "{screen}");
    assert!(
        screen.contains("Kernel bug fixed"),
        "filters act on arrivals only:\n{screen}"
    );
    // `.` shows what filters hid, marked; again hides it.
    tmux.keys(&["."]);
    tmux.wait_for("hidden shown", |s| {
        s.contains("Kernel bug returns") && s.contains("(with hidden)")
    });
    tmux.keys(&["."]);
    tmux.wait_for("hidden again", |s| {
        !s.contains("Kernel bug returns") && s.contains("Kernel six point one")
    });
    tmux.keys(&["q"]);
    wait_dead(&tmux);
    assert_restored(&tmux);

    // The counts were left in the cache; a headless mark meanwhile is in the count the next
    // reader starts from.
    let kernel = sb.list_json(&["--query", "title:\"Kernel six\""]);
    let id = kernel[0]["id"].as_i64().unwrap().to_string();
    let out = sb.run(&["mark", "--read", &id]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let again = start_reader(&sb, "savedq2");
    again.wait_for(
        "the saved query again, the one marked read elsewhere not counted",
        |s| s.lines().any(|l| l.contains("/ Kernel news") && l.contains(" 2")),
    );
    again.keys(&["q"]);
    wait_dead(&again);
}

/// The reader syncs when it starts and on `R`, after the feeds: the synced feeds come under their
/// server folders, a read made here reaches the server a few seconds later by itself, and the
/// status bar says what happened.
#[test]
fn the_reader_syncs_an_account_at_start_and_on_refresh() {
    use crate::common::sync_fakes::{self, Dialect, Feed, State};
    let mut state = State::new(Dialect::FreshRss);
    state.feeds = vec![Feed::new("Server feed", "https://s.example.org/feed", Some("remote"))];
    state.add(0, "Synced headline one", false, false);
    state.add(0, "Synced headline two", false, false);
    let (_server, shared, api) = sync_fakes::greader(state);
    // The first scheduled check, at start, syncs (nothing has been synced yet).
    let Some((_sb, tmux)) = reader_on_with("sync", "KHABAR_E2E_PW='correct horse'", |_| {
        format!(
        "[[account]]\nname = \"home\"\nkind = \"greader\"\nurl = \"{api}\"\nusername = \"reader\"\npassword_env = \"KHABAR_E2E_PW\"\n"
    )
    }) else {
        return;
    };
    let screen = tmux.wait_for("the sync at start", |s| s.contains("home synced: 2 new"));
    assert!(screen.contains("#remote"), "the server's folder is a tag:\n{screen}");
    let screen = tmux.wait_for("the articles", |s| s.contains("Synced headline one"));
    assert!(screen.contains("Synced headline two"), "{screen}");
    // Mark the selected headline read: the read reaches the server by itself, within seconds.
    tmux.keys(&["m"]);
    tmux.wait_for("marked read", |s| s.contains("Unread               1"));
    tmux.wait_for("the change sent without a sync", |s| s.contains("home: 1 change sent"));
    let read_on_server = shared.lock().unwrap().items.values().filter(|i| i.read).count();
    assert_eq!(read_on_server, 1);
    // Another client's change comes with `R`.
    shared.lock().unwrap().items.values_mut().for_each(|i| i.starred = true);
    tmux.keys(&["R"]);
    tmux.wait_for("the second sync", |s| {
        s.contains("home synced: 0 new, 2 changed by the server")
    });
    tmux.keys(&["q", "q"]);
    wait_dead(&tmux);
    assert_restored(&tmux);
}

/// An account with its own `sync_interval` is synced by itself: what arrives on the server shows
/// without a key. Offline, a change waits, and the status bar says how many wait.
#[test]
fn an_account_syncs_on_its_own_interval_and_changes_wait_while_offline() {
    use crate::common::sync_fakes::{self, Dialect, Feed, State, Trouble};
    let mut state = State::new(Dialect::Miniflux);
    state.feeds = vec![Feed::new("Server feed", "https://s.example.org/feed", None)];
    state.add(0, "First on the server", false, false);
    let (_server, shared, api) = sync_fakes::greader(state);
    let Some((_sb, tmux)) = reader_on_with("syncint", "KHABAR_E2E_PW='correct horse'", |_| {
        format!(
            "[[account]]\nname = \"mini\"\nkind = \"greader\"\nurl = \"{api}\"\nusername = \"reader\"\npassword_env = \"KHABAR_E2E_PW\"\nsync_interval = \"2s\"\n"
        )
    }) else {
        return;
    };
    tmux.wait_for("the first sync", |s| s.contains("First on the server"));
    shared.lock().unwrap().add(0, "Later on the server", false, false);
    tmux.wait_for("the next sync, by itself", |s| s.contains("Later on the server"));
    // The server goes away: a change made now waits, and says so.
    shared.lock().unwrap().trouble = Trouble::Status(503);
    tmux.keys(&["m"]);
    tmux.wait_for("the change waiting", |s| {
        s.contains("1 waiting to be sent") || s.contains("1 change waiting")
    });
    // Back: it goes with the next sync.
    shared.lock().unwrap().trouble = Trouble::None;
    tmux.wait_for("sent once the server answers", |s| s.contains("1 sent"));
    assert_eq!(shared.lock().unwrap().items.values().filter(|i| i.read).count(), 1);
    tmux.keys(&["q", "q"]);
    wait_dead(&tmux);
}

/// Two accounts of different kinds and a local feed, side by side: each account's feeds under
/// its own name in the sidebar (`@name`), its folders as tags beside the config's, and the
/// account's group opens the account's articles only.
#[test]
fn two_accounts_and_a_local_feed_each_under_its_own_name() {
    use crate::common::sync_fakes::{self, Dialect, Feed, State};
    let mut home = State::new(Dialect::FreshRss);
    home.feeds = vec![Feed::new("Home feed", "https://h.example.org/feed", Some("news"))];
    home.add(0, "From the home server", false, false);
    let (_home, _, home_api) = sync_fakes::greader(home);
    let mut cloud = State::new(Dialect::Miniflux);
    cloud.feeds = vec![Feed::new("Cloud feed", "https://c.example.org/feed", None)];
    cloud.add(0, "From the cloud server", false, false);
    let (_cloud, _, cloud_root) = crate::common::rest_fakes::nextcloud(cloud);
    let Some((sb, tmux)) = reader_on_with("accounts", "KHABAR_E2E_PW='correct horse'", |sb| {
        write_two_articles(sb);
        format!(
            "{}\n[[account]]\nname = \"home\"\nkind = \"greader\"\nurl = \"{home_api}\"\nusername = \"reader\"\npassword_env = \"KHABAR_E2E_PW\"\n\
             \n[[account]]\nname = \"cloud\"\nkind = \"nextcloud\"\nurl = \"{cloud_root}\"\nusername = \"reader\"\npassword_env = \"KHABAR_E2E_PW\"\n",
            feed_entry("one.xml", &["tech"])
        )
    }) else {
        return;
    };
    let screen = tmux.wait_for("both accounts synced", |s| s.contains("@home") && s.contains("@cloud"));
    assert!(screen.contains("#tech") && screen.contains("#news"), "{screen}");
    // `list --tag` takes an account's name too.
    let cloud_only = sb.list_json(&["--tag", "cloud"]);
    let titles: Vec<&str> = cloud_only.iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["From the cloud server"]);
    // A feed of an account is under the account, not among the untagged.
    assert!(!screen.contains("(no tag)"), "{screen}");
    // Open the cloud group: only its article is listed.
    tmux.keys(&[":"]);
    tmux.type_text("tag cloud");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the cloud account's view", |s| {
        s.contains("From the cloud server") && !s.contains("From the home server")
    });
    assert!(!screen.contains("Kernel release notes"), "{screen}");
    tmux.keys(&["q", "q"]);
    wait_dead(&tmux);
}

/// An opener with `terminal = true` takes the screen (a program that draws and waits for a
/// key), and the reader comes back intact when it exits, also when it fails.
#[test]
fn a_terminal_opener_takes_the_screen_and_gives_it_back() {
    let Some((_sb, tmux)) = reader_on("opener", |sb| {
        write_two_articles(sb);
        let script = sb.path("pager.sh");
        std::fs::write(
            &script,
            "#!/bin/sh\nclear\nprintf 'OPENER GOT <%s> TITLE <%s>\\n' \"$1\" \"$2\"\nread -r answer\n[ \"$answer\" = fail ] && exit 3\nexit 0\n",
        )
        .unwrap();
        format!(
            "{}\n[[opener]]\nkind = \"link\"\ncommand = [\"sh\", {:?}, \"{{url}}\", \"{{title}}\"]\nterminal = true\n",
            feed_entry("one.xml", &["tech"]),
            script.display().to_string()
        )
    }) else {
        return;
    };
    tmux.wait_for("the feed", |s| s.contains("Garden tips"));
    tmux.keys(&["o"]);
    let screen = tmux.wait_for("the opener", |s| s.contains("OPENER GOT"));
    assert!(
        screen.contains("OPENER GOT <http://example.org/") && screen.contains("TITLE <"),
        "{screen}"
    );
    assert!(
        !screen.contains("Kernel release notes"),
        "the program has the whole screen:\n{screen}"
    );
    tmux.keys(&["o", "k", "Enter"]);
    let screen = tmux.wait_for("the reader back", |s| {
        s.contains("Garden tips") && s.contains("Kernel release notes")
    });
    assert!(!screen.contains("OPENER GOT"), "{screen}");
    // Keys are the reader's again.
    tmux.keys(&["j"]);
    tmux.wait_for("a key after", |s| s.contains("Garden tips"));
    // A program that fails: the reader comes back and says so.
    tmux.keys(&["o"]);
    tmux.wait_for("the opener again", |s| s.contains("OPENER GOT"));
    tmux.type_text("fail");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the failure", |s| {
        s.contains("sh ended: exit status: 3") && s.contains("Garden tips")
    });
    tmux.keys(&["q"]);
    wait_dead(&tmux);
    assert_restored(&tmux);
}

/// `|` sends the open article to `pipe_command` (text on its stdin) and shows what it printed in
/// the article pane; `:pipe CMD` names another program; a failure is said in the status bar.
#[test]
fn a_pipe_shows_its_output_in_the_article_pane() {
    let Some((_sb, tmux)) = reader_on("pipe", |sb| {
        write_two_articles(sb);
        let upper = sb.path("upper.sh");
        std::fs::write(&upper, "#!/bin/sh\nprintf 'PIPED: '\ntr 'a-z' 'A-Z'\n").unwrap();
        format!(
            "[general]\npipe_command = [\"sh\", {:?}]\n{}",
            upper.display().to_string(),
            feed_entry("one.xml", &["tech"])
        )
    }) else {
        return;
    };
    tmux.wait_for("the feed", |s| s.contains("Garden tips"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("the article", |s| s.contains("roses") || s.contains("scheduler work"));
    tmux.keys(&["|"]);
    let screen = tmux.wait_for("the output", |s| s.contains("PIPED:"));
    assert!(
        screen.contains("GARDEN TIPS") || screen.contains("KERNEL RELEASE NOTES"),
        "{screen}"
    );
    // A program that fails: said where, the pane as it was.
    tmux.keys(&[":"]);
    tmux.type_text("pipe false");
    tmux.keys(&["Enter"]);
    tmux.wait_for("the failure", |s| s.contains("pipe: false ended: exit status: 1"));
    tmux.keys(&["q", "q", "q"]);
    wait_dead(&tmux);
    assert_restored(&tmux);
}

/// `one.xml` in the sandbox: a "Tech" feed with "Kernel release notes" and "Garden tips".
pub(crate) fn write_two_articles(sb: &Sandbox) {
    std::fs::write(
        sb.path("one.xml"),
        rss(
            "Tech",
            &[
                ("a", "Kernel release notes", "scheduler work"),
                ("b", "Garden tips", "roses"),
            ],
        ),
    )
    .unwrap();
}

/// Pictures: inside tmux "auto" keeps to "[image: alt]" and fetches nothing; `images =
/// "halfblocks"` draws the picture (served on 127.0.0.1) below its line, in half blocks.
#[test]
fn pictures_show_only_where_asked_for_inside_tmux() {
    if !tmux_available() {
        return;
    }
    let server = TestServer::start();
    let img = image::RgbImage::from_fn(160, 120, |x, y| image::Rgb([(x + y) as u8, 120, 200]));
    let mut png = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut png, image::ImageFormat::Png)
        .unwrap();
    server.route(
        "/chart.png",
        Route::ok(png.into_inner()).header("Content-Type", "image/png"),
    );
    let body = format!(
        "<![CDATA[<p>The numbers below.</p><img src=\"{}\" alt=\"A bar chart\"><p>After the chart.</p>]]>",
        server.url("/chart.png")
    );
    let sb = Sandbox::new();
    std::fs::write(sb.path("one.xml"), rss("Tech", &[("a", "Charted", &body)])).unwrap();
    for (name, general) in [("auto", ""), ("blocks", "[general]\nimages = \"halfblocks\"\n")] {
        sb.write_config(&format!("{general}{}", feed_entry("one.xml", &["tech"])));
        let tmux = start_reader(&sb, &format!("pictures-{name}"));
        tmux.wait_for("the feed", |s| s.contains("Charted"));
        tmux.keys(&["Enter"]);
        let screen = tmux.wait_for("the article", |s| s.contains("After the chart."));
        assert!(screen.contains("[image: A bar chart]"), "{screen}");
        if name == "auto" {
            std::thread::sleep(Duration::from_millis(500));
            assert!(
                server.hits("/chart.png").is_empty(),
                "nothing fetched inside tmux by default"
            );
            assert!(!tmux.screen().contains('▀'));
        } else {
            let screen = tmux.wait_for("the picture", |s| s.contains('▀') || s.contains('▄'));
            let lines: Vec<&str> = screen.lines().collect();
            let caption = lines.iter().position(|l| l.contains("[image: A bar chart]")).unwrap();
            let after = lines.iter().position(|l| l.contains("After the chart.")).unwrap();
            let blocks = (caption + 1..after)
                .filter(|&y| lines[y].contains('▀') || lines[y].contains('▄'))
                .count();
            assert_eq!(
                blocks, 6,
                "120 px at 20 px a row, between its line and the text after:\n{screen}"
            );
            assert_eq!(server.hits("/chart.png").len(), 1);
            // Scrolled to the end and back: drawn again, not fetched again.
            tmux.keys(&["G", "g", "g"]);
            tmux.wait_for("the picture again", |s| s.contains('▀') || s.contains('▄'));
            assert_eq!(server.hits("/chart.png").len(), 1);
        }
        tmux.keys(&["q", "q", "q"]);
        wait_dead(&tmux);
        assert_restored(&tmux);
    }
}

/// The same news from two feeds reads as one headline naming the other feed; `=` shows both,
/// reading the story marks both read, and Unread counts stories.
#[test]
fn a_story_from_two_feeds_is_one_headline_in_a_real_terminal() {
    let server = TestServer::start();
    let item = |guid: &str, title: &str, body: &str, hour: u32| {
        format!(
            "<item><guid>{guid}</guid><title>{title}</title><link>http://example.org/{guid}</link>\
             <pubDate>20 Nov 2026 {hour:02}:00:00 +0000</pubDate><description>{body}</description></item>"
        )
    };
    let doc = |title: &str, items: &[String]| {
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>{title}</title><link>http://example.org/</link>{}</channel></rss>",
            items.concat()
        )
    };
    server.route(
        "/a.xml",
        Route::ok(doc(
            "Akhbar A",
            &[item(
                "a1",
                "दिल्ली में भारी बारिश से जलभराव, कई उड़ानें रद्द",
                "राजधानी दिल्ली में सोमवार को भारी बारिश के बाद कई इलाकों में जलभराव हो गया और कई उड़ानें रद्द कर दी गईं।",
                8,
            )],
        )),
    );
    server.route(
        "/b.xml",
        Route::ok(doc(
            "Akhbar B",
            &[
                item(
                    "b1",
                    "दिल्ली में भारी बारिश: जलभराव के कारण उड़ानें रद्द",
                    "सोमवार को दिल्ली में हुई भारी बारिश से कई इलाकों में जलभराव हुआ और कई उड़ानें रद्द करनी पड़ीं।",
                    10,
                ),
                item("b2", "Markets close at a record high", "Stocks rose on Monday.", 9),
            ],
        )),
    );
    let Some((_sb, tmux)) = reader_on("stories", |_| {
        format!(
            "{}{}",
            feed_entry(&server.url("/a.xml"), &["news"]),
            feed_entry(&server.url("/b.xml"), &["news"])
        )
    }) else {
        return;
    };
    let screen = tmux.wait_for("one headline for the story", |s| s.contains("+1 Akhbar B"));
    assert_eq!(screen.matches("दिल्ली में भारी").count(), 1, "{screen}");
    assert_eq!(
        unread_count(&screen),
        Some(2),
        "Unread counts the story once:\n{screen}"
    );
    // The story leads the list (newest first: 10:00 is its later copy, but the earliest leads
    // and sorts by its own time, 08:00, below the 09:00 markets story).
    tmux.keys(&["G", "="]);
    let screen = tmux.wait_for("the story shown whole", |s| s.matches("दिल्ली में भारी").count() == 2);
    assert!(screen.contains('▾'), "{screen}");
    tmux.keys(&["="]);
    tmux.wait_for("folded again", |s| s.matches("दिल्ली में भारी").count() == 1);
    tmux.keys(&["G", "Enter"]);
    let screen = tmux.wait_for("the article with its other copy", |s| s.contains("Also in: Akhbar B"));
    assert_eq!(
        unread_count(&screen),
        Some(1),
        "reading the story reads both copies:\n{screen}"
    );
    tmux.keys(&["q", "q"]);
    wait_dead(&tmux);
}
