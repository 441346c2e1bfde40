//! A terminal progress bar for long imports.

use indicatif::{ProgressBar, ProgressStyle};
use std::sync::Mutex;

pub struct Bar {
    bar: Mutex<Option<ProgressBar>>,
}

impl Bar {
    pub fn new() -> Self {
        Bar {
            bar: Mutex::new(None),
        }
    }
}

impl app::area::Progress for Bar {
    fn stage(&self, name: &str, total: u64) {
        let Ok(mut g) = self.bar.lock() else { return };
        if let Some(b) = g.take() {
            b.finish();
        }
        let b = if total > 0 {
            ProgressBar::new(total)
        } else {
            ProgressBar::new_spinner()
        };
        let style = if total > 0 {
            ProgressStyle::with_template("{msg:>14} [{bar:40}] {pos}/{len} {per_sec} eta {eta}")
        } else {
            ProgressStyle::with_template("{msg:>14} {spinner} {pos} rows {per_sec}")
        };
        if let Ok(s) = style {
            b.set_style(s.progress_chars("=> "));
        }
        b.set_message(name.to_string());
        *g = Some(b);
    }
    fn advance(&self, n: u64) {
        if let Ok(g) = self.bar.lock() {
            if let Some(b) = g.as_ref() {
                b.inc(n);
            }
        }
    }
    fn finish(&self) {
        if let Ok(mut g) = self.bar.lock() {
            if let Some(b) = g.take() {
                b.finish();
            }
        }
    }
}
