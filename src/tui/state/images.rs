//! The open article's pictures: which images are wanted (on screen, or within a page of it),
//! each asked for once, and the rows each takes below its "[image: alt]" line once it arrives.

use crate::model::ArticleId;

use super::super::images::Picture;
use super::{AppState, ArticlePane, Command, ARTICLE_HEADER_LINES};

/// Where an image of the open article stands (by address: an image shown twice is one).
#[derive(Debug, Clone)]
pub enum ImageSlot {
    Loading,
    Shown(Picture),
    /// Not shown (not a picture, unreachable, too small): its "[image: alt]" line stays.
    Failed,
}

impl ArticlePane {
    /// The pictures shown, each with the body line it follows, in the body's order.
    pub fn placed_pictures(&self) -> Vec<(usize, &Picture)> {
        let Some((_, rendered)) = &self.rendered else {
            return Vec::new();
        };
        let mut placed: Vec<(usize, &Picture)> = Vec::new();
        for image in &rendered.images {
            if let Some(ImageSlot::Shown(picture)) = self.images.get(&image.url) {
                if placed.last().is_none_or(|(line, _)| *line != image.line) {
                    placed.push((image.line, picture));
                }
            }
        }
        placed
    }

    /// Rows of the body as drawn: its lines and the pictures below them.
    pub fn body_rows(&self) -> usize {
        let lines = self.rendered.as_ref().map_or(0, |(_, r)| r.lines.len());
        lines
            + self
                .placed_pictures()
                .iter()
                .map(|(_, p)| usize::from(p.rows()))
                .sum::<usize>()
    }

    /// The drawn row of body line `line`: the line plus the pictures placed above it.
    fn row_of(&self, line: usize) -> usize {
        let above: usize = self
            .placed_pictures()
            .iter()
            .filter(|(l, _)| *l < line)
            .map(|(_, p)| usize::from(p.rows()))
            .sum();
        line + above
    }
}

/// The images to ask for now: those of the open article on screen or within a page of it
/// that were never asked for. None when pictures are off.
pub(super) fn wanted(state: &mut AppState) -> Vec<Command> {
    let (max_rows, page) = (state.image_rows, state.article_page());
    let Some(pane) = state.article.as_mut().filter(|_| max_rows > 0) else {
        return Vec::new();
    };
    let Some((width, rendered)) = &pane.rendered else {
        return Vec::new();
    };
    let top = pane.scroll.saturating_sub(ARTICLE_HEADER_LINES).saturating_sub(page);
    let bottom = pane.scroll + 2 * page;
    let mut asks: Vec<(String, usize)> = Vec::new();
    // One pass: the rows of the pictures shown so far push the later lines down.
    let (mut above, mut placed_at) = (0usize, None);
    for image in &rendered.images {
        let row = image.line + above;
        if row >= bottom {
            break;
        }
        match pane.images.get(&image.url) {
            Some(ImageSlot::Shown(picture)) if placed_at != Some(image.line) => {
                above += usize::from(picture.rows());
                placed_at = Some(image.line);
            }
            Some(_) => {}
            None if row >= top && !asks.iter().any(|(u, _)| *u == image.url) => {
                asks.push((image.url.clone(), *width));
            }
            None => {}
        }
    }
    let id = pane.article.summary.id;
    asks.into_iter()
        .map(|(url, width)| {
            pane.images.insert(url.clone(), ImageSlot::Loading);
            Command::LoadImage {
                id,
                url,
                cols: u16::try_from(width).unwrap_or(u16::MAX),
                max_rows,
            }
        })
        .collect()
}

/// A picture arrived (or could not be had). Kept when the article and width are still the
/// pane's; a picture placed above the top of the pane moves the text down by its rows, so the
/// text in view stays where it was.
pub(super) fn on_image(state: &mut AppState, id: ArticleId, url: String, cols: u16, result: Result<Picture, String>) {
    let Some(pane) = state.article.as_mut().filter(|p| p.article.summary.id == id) else {
        return;
    };
    let Some((width, rendered)) = &pane.rendered else {
        return;
    };
    if usize::from(cols) != *width || !matches!(pane.images.get(&url), Some(ImageSlot::Loading)) {
        return;
    }
    let first_line = rendered.images.iter().find(|i| i.url == url).map(|i| i.line);
    let slot = match result {
        Ok(picture) => ImageSlot::Shown(picture),
        Err(_) => ImageSlot::Failed,
    };
    let before = pane.body_rows();
    let above_view = first_line.is_some_and(|line| pane.row_of(line) + ARTICLE_HEADER_LINES < pane.scroll);
    pane.images.insert(url, slot);
    if above_view && pane.scroll > 0 {
        pane.scroll += pane.body_rows() - before;
    }
}
