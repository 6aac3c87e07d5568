//! State a plan's guard reads while the plan waits for its confirmation and runs, kept current
//! in the background so the safety rule re-asked before each request judges the cluster as it is
//! then, not as it was when the diagnosis started. The one mechanism every plugin's guard reads
//! through; two ways to feed it: read again at a fixed interval ([`Refreshed::spawn`], for a few
//! objects), or fold in the changes watches report ([`Refreshed::following`] with [`watch`], for
//! whole lists).

pub mod watch;

use std::future::Future;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

/// The latest state, and the task that keeps it current (stopped when this is dropped).
#[derive(Debug)]
pub struct Refreshed<T> {
    state: Arc<RwLock<T>>,
    broken: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

/// The handle a following task changes the state through.
#[derive(Debug)]
pub struct Updates<T> {
    state: Arc<RwLock<T>>,
    broken: Arc<Mutex<Vec<String>>>,
}

impl<T> Updates<T> {
    /// Changes the state in place.
    pub fn update<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let mut state = self
            .state
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut state)
    }

    /// Records that part of the state stopped following the cluster (it keeps its last value).
    pub fn broke(&self, why: String) {
        if let Ok(mut broken) = self.broken.lock() {
            broken.push(why);
        }
    }
}

impl<T: Send + Sync + 'static> Refreshed<T> {
    /// Starts from `initial` and replaces it with each `read()` that returns `Some`, every
    /// `every`. `read` decides what a failed read means (keep the last state: `None`; or a
    /// fail-safe state).
    pub fn spawn<F, Fut>(initial: T, every: Duration, read: F) -> Self
    where
        F: Fn() -> Fut + Send + 'static,
        Fut: Future<Output = Option<T>> + Send,
    {
        let state = Arc::new(RwLock::new(initial));
        let shared = Arc::clone(&state);
        let broken = Arc::default();
        let task = tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                if let Some(fresh) = read().await
                    && let Ok(mut current) = shared.write()
                {
                    *current = fresh;
                }
            }
        });
        Refreshed {
            state,
            broken,
            task,
        }
    }

    /// Starts from `initial` and lets `follow` fold changes into it as they happen — watches
    /// started from the resourceVersion the initial state was read at, so nothing is missed.
    pub fn following<F, Fut>(initial: T, follow: F) -> Self
    where
        F: FnOnce(Updates<T>) -> Fut,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let state = Arc::new(RwLock::new(initial));
        let broken = Arc::default();
        let updates = Updates {
            state: Arc::clone(&state),
            broken: Arc::clone(&broken),
        };
        let task = tokio::spawn(follow(updates));
        Refreshed {
            state,
            broken,
            task,
        }
    }

    /// Why parts of the state stopped following the cluster, if any did: the guard then judged
    /// them on the last state seen, which the run should say.
    pub fn broken(&self) -> Vec<String> {
        self.broken.lock().map(|b| b.clone()).unwrap_or_default()
    }

    /// Reads the latest state.
    pub fn with<R>(&self, f: impl FnOnce(&T) -> R) -> R {
        match self.state.read() {
            Ok(state) => f(&state),
            // A panic while replacing the state cannot leave it half-written (it is swapped
            // whole), so the last value is still sound.
            Err(poisoned) => f(&poisoned.into_inner()),
        }
    }
}

impl<T> Drop for Refreshed<T> {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_guard_sees_each_successful_read() {
        let reads = Arc::new(AtomicU32::new(0));
        let counter = Arc::clone(&reads);
        let live = Refreshed::spawn(0, Duration::from_secs(2), move || {
            let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
            // The second read fails: the first one's state stays.
            async move { (n != 2).then_some(n) }
        });
        assert_eq!(live.with(|n| *n), 0);
        tokio::time::sleep(Duration::from_millis(2100)).await;
        assert_eq!(live.with(|n| *n), 1);
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(live.with(|n| *n), 1, "a failed read keeps the last state");
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(live.with(|n| *n), 3);
    }
}
