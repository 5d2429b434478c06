//! Saved queries in the reader: their sidebar entries' counts, keeping an open one in step with
//! the config, and saving the current search as one (`:save NAME`).

use super::{AppState, Command, ViewKind};

impl AppState {
    /// Asks the cache for every saved query's unread count (nothing when there are none).
    pub(super) fn count_queries(&self) -> Vec<Command> {
        if self.queries.is_empty() {
            return vec![];
        }
        let all = self.queries.iter().map(|q| (q.name.clone(), q.query.clone())).collect();
        vec![Command::CountQueries(all)]
    }

    /// After the config changed: an open saved query shows its new definition, or All when it
    /// is gone. True when the view changed.
    pub(super) fn follow_saved_query(&mut self) -> bool {
        let ViewKind::Query { name, query } = &self.view.kind else {
            return false;
        };
        match self.queries.iter().find(|q| q.name == *name) {
            Some(saved) if saved.query == *query => false,
            Some(saved) => {
                self.view.kind = ViewKind::Query {
                    name: saved.name.clone(),
                    query: saved.query.clone(),
                };
                true
            }
            None => {
                self.view.kind = ViewKind::All;
                true
            }
        }
    }
}

/// `:save NAME`: the current search, as a saved query in the config file.
pub(super) fn save_search(state: &mut AppState, name: &str) -> Vec<Command> {
    let Some(query) = state.view.search() else {
        state.notify("search first (/), then :save NAME keeps it as a query", true);
        return vec![];
    };
    if name.is_empty() {
        state.notify(":save needs a name for the query", true);
        return vec![];
    }
    if state.queries.iter().any(|q| q.name == name) {
        state.notify(format!("a query named {name:?} exists already"), true);
        return vec![];
    }
    vec![Command::SaveQuery {
        name: name.to_string(),
        query: query.text.clone(),
    }]
}
