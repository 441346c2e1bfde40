//! Screening of what leaves on the public site and in the open-contracting export (issue 16,
//! finding 9): every free text — a need's title, a project's title, a call's terms, award
//! reasons — goes through [`domain::screen::Screen`] with the names of the people registered
//! around the area it belongs to.
//!
//! Which names: for an area at or below a township, everyone registered in the township (the
//! people a resident of one of its communities would name), read once per township and request
//! — a page or an export touching fifty needs of one community reads them once. Above a township
//! (a county's or city's call) the full list would be long, so only the two-to-six-character
//! pieces of the text itself are looked up among the names registered in the area. Above a city
//! (no tenant owns the data) only numbers are masked.

use crate::{App, AppError};
use domain::screen::Screen;
use domain::{AreaCode, AreaLevel};
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

/// The longest piece of text looked up as a name above a township.
const NAME_PIECE: usize = 6;
/// Beyond this many pieces, the area's full list of names is read instead of a lookup.
const MAX_PIECES: usize = 4000;

/// The screens of one request, by township.
pub struct Screens<'a> {
    app: &'a App,
    towns: HashMap<String, Arc<Screen>>,
}

impl App {
    /// A fresh cache of screens for one page or export.
    pub fn screens(&self) -> Screens<'_> {
        Screens {
            app: self,
            towns: HashMap::new(),
        }
    }
}

impl Screens<'_> {
    /// The screen for texts of `area` (see the module's note on which names).
    async fn town(&mut self, area: &AreaCode) -> Result<Option<Arc<Screen>>, AppError> {
        let town = match area.level() {
            AreaLevel::Township => area.clone(),
            AreaLevel::Community => match area.parent() {
                Some(t) => t,
                None => return Ok(None),
            },
            _ => return Ok(None),
        };
        if let Some(s) = self.towns.get(town.as_str()) {
            return Ok(Some(s.clone()));
        }
        let Some(tenant) = town.tenant() else {
            return Ok(None);
        };
        let names = self.app.db.registered_names(tenant, &town).await?;
        let s = Arc::new(Screen::new(names));
        self.towns.insert(town.as_str().to_string(), s.clone());
        Ok(Some(s))
    }

    /// Screens the texts of `area` in place.
    pub async fn screen(
        &mut self,
        area: &AreaCode,
        texts: &mut [&mut String],
    ) -> Result<(), AppError> {
        let screen = match self.town(area).await? {
            Some(s) => s,
            None => Arc::new(self.wide(area, texts).await?),
        };
        for t in texts.iter_mut() {
            **t = screen.apply(t);
        }
        Ok(())
    }

    /// One text of `area`, screened.
    pub async fn text(&mut self, area: &AreaCode, text: &str) -> Result<String, AppError> {
        let mut s = text.to_string();
        self.screen(area, &mut [&mut s]).await?;
        Ok(s)
    }

    /// The screen above a township: the pieces of the texts that are registered names.
    async fn wide(&self, area: &AreaCode, texts: &[&mut String]) -> Result<Screen, AppError> {
        let Some(tenant) = area.tenant() else {
            return Ok(Screen::default());
        };
        let mut pieces = BTreeSet::new();
        for t in texts {
            let chars: Vec<char> = t.chars().collect();
            for i in 0..chars.len() {
                for len in 2..=NAME_PIECE.min(chars.len() - i) {
                    let piece: String = chars[i..i + len].iter().collect();
                    // Names are words: a piece with a digit, a space or punctuation is none.
                    if piece.chars().all(char::is_alphabetic) {
                        pieces.insert(piece);
                    }
                }
            }
        }
        let names = if pieces.len() > MAX_PIECES {
            self.app.db.registered_names(tenant, area).await?
        } else {
            let pieces: Vec<String> = pieces.into_iter().collect();
            self.app
                .db
                .registered_names_among(tenant, area, &pieces)
                .await?
        };
        Ok(Screen::new(names))
    }
}
