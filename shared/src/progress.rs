//! Progress on stderr for long work, only where a person is watching: hidden when stderr is not a
//! terminal or the output is JSON/YAML, so pipes and scripts see nothing but their data.

use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Debug, Clone)]
pub struct Progress(ProgressBar);

impl Progress {
    /// A bar for `len` items of work.
    pub fn bar(len: u64, message: &str, visible: bool) -> Self {
        let bar = ProgressBar::with_draw_target(Some(len), target(visible));
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} {msg} [{bar:30}] {pos}/{len} ({per_sec}, eta {eta})",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message(message.to_owned());
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(bar)
    }

    /// A spinner for work of unknown length.
    pub fn spinner(message: &str, visible: bool) -> Self {
        let bar = ProgressBar::with_draw_target(None, target(visible));
        if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
            bar.set_style(style);
        }
        bar.set_message(message.to_owned());
        bar.enable_steady_tick(Duration::from_millis(120));
        Progress(bar)
    }

    pub fn inc(&self, n: u64) {
        self.0.inc(n);
    }

    pub fn set_message(&self, message: impl Into<String>) {
        self.0.set_message(message.into());
    }

    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if !self.0.is_finished() {
            self.0.finish_and_clear();
        }
    }
}

fn target(visible: bool) -> ProgressDrawTarget {
    if visible {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    }
}
