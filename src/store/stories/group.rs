//! Which story an arriving article belongs to: the articles near it in time, indexed by word and
//! by link, and the rule that joins it to a story only when it is close to every article in it.

use super::sig::Signature;
use super::FastMap;

/// How close is close enough. Precision comes first: a wrong merge hides news.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tuning {
    /// Mean similarity to the story's articles an article needs to join it.
    pub mean: f32,
    /// ... and to each of them: no chains (A~B and B~C does not make A~C).
    pub least: f32,
    /// Words an article must share with another to be compared with it at all.
    pub shared: usize,
    /// Of those, words of both titles.
    pub shared_title: usize,
    /// The most articles in one story.
    pub max_story: usize,
}

pub const TUNING: Tuning = Tuning {
    mean: 0.40,
    least: 0.30,
    shared: 3,
    shared_title: 1,
    max_story: 30,
};

/// Rarest words of an article whose postings give its candidates.
const PROBE_WORDS: usize = 12;
/// A word in more articles of the window than this is common, not the mark of one story (a
/// story has at most `max_story` articles): its postings are dropped until it leaves the
/// window, which keeps the index small however dense the window is.
const COMMON: usize = 64;

/// An article as the window holds it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i64,
    pub feed: i64,
    pub at: i64,
    /// Hash of its canonical link.
    pub link: Option<i64>,
    pub sig: Signature,
    pub story: Option<i64>,
}

/// What to do with an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Join this story.
    Join(i64),
    /// Found a story with this article, alone so far.
    Pair(i64),
}

/// The articles within the window of the one being decided, with their word counts and the
/// indexes candidates come from.
#[derive(Default)]
pub struct Window {
    entries: FastMap<i64, Entry>,
    df: FastMap<u32, u32>,
    /// Articles by word; None for a word too common to be worth an index.
    postings: FastMap<u32, Option<Vec<i64>>>,
    links: FastMap<i64, Vec<i64>>,
    stories: FastMap<i64, Vec<i64>>,
}

impl Window {
    pub fn get(&self, id: i64) -> Option<&Entry> {
        self.entries.get(&id)
    }

    pub fn enter(&mut self, e: Entry) {
        for (w, _) in e.sig.all() {
            let n = self.df.entry(w).or_default();
            *n += 1;
            let list = self.postings.entry(w).or_insert_with(|| Some(Vec::new()));
            match list {
                Some(_) if (*n as usize) > COMMON => *list = None,
                Some(l) => l.push(e.id),
                None => {}
            }
        }
        if let Some(l) = e.link {
            self.links.entry(l).or_default().push(e.id);
        }
        if let Some(s) = e.story {
            self.stories.entry(s).or_default().push(e.id);
        }
        self.entries.insert(e.id, e);
    }

    pub fn leave(&mut self, id: i64) {
        let Some(e) = self.entries.remove(&id) else {
            return;
        };
        for (w, _) in e.sig.all() {
            if let Some(n) = self.df.get_mut(&w) {
                *n -= 1;
                if *n == 0 {
                    self.df.remove(&w);
                    self.postings.remove(&w);
                } else if let Some(Some(p)) = self.postings.get_mut(&w) {
                    p.retain(|&x| x != id);
                }
            }
        }
        if let Some(l) = e.link {
            drop_from(&mut self.links, l, id);
        }
        if let Some(s) = e.story {
            drop_from(&mut self.stories, s, id);
        }
    }

    /// Puts an article of the window in a story.
    pub fn assign(&mut self, id: i64, story: i64) {
        let Some(e) = self.entries.get_mut(&id) else {
            return;
        };
        if let Some(old) = e.story.replace(story) {
            drop_from(&mut self.stories, old, id);
        }
        self.stories.entry(story).or_default().push(id);
    }

    /// The members of a story within the window.
    pub fn members(&self, story: i64) -> &[i64] {
        self.stories.get(&story).map_or(&[], Vec::as_slice)
    }

    /// Where the article `id` (in the window, in no story yet) belongs; `may_pair(a, b)` says
    /// whether two feeds' articles may be one story at all (scope, per-feed opt-out).
    pub fn decide(&self, id: i64, tuning: &Tuning, may_pair: &dyn Fn(i64, i64) -> bool) -> Option<Decision> {
        let a = self.entries.get(&id)?;
        if let Some(d) = self.same_link(a, may_pair) {
            return Some(d);
        }
        if a.sig.is_empty() {
            return None;
        }
        let idf = self.idf_fn();
        // The article's words weighed once; each candidate is then one pass over its words.
        let weights_a: FastMap<u32, f32> = a.sig.all().map(|(w, title)| (w, weight(&idf, w, title))).collect();
        let norm_a = weights_a.values().map(|x| x * x).sum::<f32>().sqrt();
        // Candidates: articles sharing the rarest words (a common word's postings are long and
        // say little; it is left out of probing, never out of the similarity).
        let mut probe: Vec<(f32, u32)> = a
            .sig
            .all()
            .filter(|(w, _)| self.df.get(w).is_some_and(|&n| n >= 2))
            .map(|(w, _)| (idf(w), w))
            .collect();
        probe.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        let mut hits: FastMap<i64, usize> = FastMap::default();
        for &(_, w) in probe.iter().take(PROBE_WORDS) {
            let Some(Some(p)) = self.postings.get(&w) else { continue };
            for &b in p {
                if b != id {
                    *hits.entry(b).or_default() += 1;
                }
            }
        }
        let mut candidates: Vec<i64> = hits.into_iter().filter(|&(_, n)| n >= 2).map(|(b, _)| b).collect();
        candidates.sort_unstable();
        let mut sims: FastMap<i64, f32> = FastMap::default();
        let mut sim = |b: &Entry| -> f32 {
            *sims.entry(b.id).or_insert_with(|| {
                if !close_enough(&a.sig, &b.sig, tuning) {
                    return 0.0;
                }
                let (mut dot, mut norm_b) = (0.0f32, 0.0f32);
                for (w, title) in b.sig.all() {
                    let x = weight(&idf, w, title);
                    norm_b += x * x;
                    dot += weights_a.get(&w).copied().unwrap_or(0.0) * x;
                }
                let d = norm_a * norm_b.sqrt();
                if d == 0.0 {
                    0.0
                } else {
                    dot / d
                }
            })
        };
        let mut best: Option<(f32, Decision)> = None;
        let mut seen_stories = Vec::new();
        for b in candidates {
            let Some(eb) = self.entries.get(&b) else { continue };
            if eb.feed == a.feed || !may_pair(a.feed, eb.feed) {
                continue;
            }
            let (decision, members): (Decision, Vec<&Entry>) = match eb.story {
                Some(s) => {
                    if seen_stories.contains(&s) {
                        continue;
                    }
                    seen_stories.push(s);
                    let members: Vec<&Entry> = self.members(s).iter().filter_map(|m| self.entries.get(m)).collect();
                    (Decision::Join(s), members)
                }
                None => (Decision::Pair(b), vec![eb]),
            };
            if members.len() >= tuning.max_story
                || members.iter().any(|m| m.feed == a.feed || !may_pair(a.feed, m.feed))
            {
                continue;
            }
            let scores: Vec<f32> = members.iter().map(|m| sim(m)).collect();
            let least = scores.iter().copied().fold(f32::INFINITY, f32::min);
            let mean = scores.iter().sum::<f32>() / scores.len() as f32;
            if least >= tuning.least && mean >= tuning.mean && best.is_none_or(|(m, _)| mean > m) {
                best = Some((mean, decision));
            }
        }
        best.map(|(_, d)| d)
    }

    /// Another article at the same address: the same page, from another feed or re-published.
    fn same_link(&self, a: &Entry, may_pair: &dyn Fn(i64, i64) -> bool) -> Option<Decision> {
        let link = a.link?;
        let mut others: Vec<&Entry> = self
            .links
            .get(&link)?
            .iter()
            .filter_map(|b| self.entries.get(b))
            .collect();
        others.sort_by_key(|b| (b.story.is_none(), b.id));
        others
            .into_iter()
            .find(|b| b.id != a.id && (b.feed == a.feed || may_pair(a.feed, b.feed)))
            .map(|b| match b.story {
                Some(s) => Decision::Join(s),
                None => Decision::Pair(b.id),
            })
    }

    /// A word's weight: rarer in the window, heavier (smoothed, so a window of two still works).
    fn idf_fn(&self) -> impl Fn(u32) -> f32 + '_ {
        let ln_n = ln(self.entries.len() + 1);
        move |w| ln_n - ln(self.df.get(&w).copied().unwrap_or(0) as usize + 1) + 1.0
    }
}

/// ln of small counts from a table (the window's sizes), else computed.
fn ln(k: usize) -> f32 {
    static TABLE: std::sync::OnceLock<Vec<f32>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| (0..8_192).map(|i| (i as f32).ln()).collect());
    table.get(k).copied().unwrap_or_else(|| (k as f32).ln())
}

fn drop_from(map: &mut FastMap<i64, Vec<i64>>, key: i64, id: i64) {
    if let Some(v) = map.get_mut(&key) {
        v.retain(|&x| x != id);
        if v.is_empty() {
            map.remove(&key);
        }
    }
}

/// Shares enough words (and title words) to be worth comparing.
fn close_enough(a: &Signature, b: &Signature, tuning: &Tuning) -> bool {
    let title = a.title.iter().filter(|w| b.title.binary_search(w).is_ok()).count();
    if title < tuning.shared_title {
        return false;
    }
    let all = a
        .all()
        .filter(|(w, _)| b.title.binary_search(w).is_ok() || b.lede.binary_search(w).is_ok())
        .count();
    all >= tuning.shared
}

/// A word's weight in an article: its rarity, twice over in the title.
fn weight(idf: &impl Fn(u32) -> f32, w: u32, title: bool) -> f32 {
    idf(w) * if title { 2.0 } else { 1.0 }
}
