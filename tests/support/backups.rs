//! Reading back what a plugin backed up, the same way in every test: a backup that cannot be read
//! back is no backup, so unreadable files and truncated gzip streams fail the test loudly.
//!
//! Layout (shared/src/backup.rs): one `<kind>-<name>.json` per object, or `objects.jsonl.gz` (one
//! object a line) for bulk plans, in per-run directories below the `--backup-dir`.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// Every file below `dir`, depth first; none when `dir` does not exist.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}

/// A backup file's text, gunzipped when it ends in `.gz`. Panics naming the file if it cannot be
/// read or the gzip stream is incomplete.
pub fn text(path: &Path) -> String {
    let name = path.display();
    if path.extension().is_some_and(|e| e == "gz") {
        let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("open {name}: {e}"));
        let mut text = String::new();
        flate2::read::GzDecoder::new(file)
            .read_to_string(&mut text)
            .unwrap_or_else(|e| panic!("{name} is not a complete gzip stream: {e}"));
        text
    } else {
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {name}: {e}"))
    }
}

/// Every object in the backups below `dir`: `*.json` files and `*.jsonl.gz` streams. Panics if
/// any of them is not valid JSON.
pub fn objects(dir: &Path) -> Vec<Value> {
    let mut found = Vec::new();
    for path in files(dir) {
        let name = path.to_string_lossy().into_owned();
        if name.ends_with(".jsonl.gz") {
            for (i, line) in text(&path).lines().enumerate() {
                found.push(
                    serde_json::from_str(line)
                        .unwrap_or_else(|e| panic!("{name} line {}: not JSON ({e})", i + 1)),
                );
            }
        } else if path.extension().is_some_and(|e| e == "json") {
            found.push(
                serde_json::from_str(&text(&path))
                    .unwrap_or_else(|e| panic!("{name} is not JSON ({e})")),
            );
        }
    }
    found
}

/// `metadata.name` of each object.
pub fn names(objects: &[Value]) -> BTreeSet<String> {
    objects
        .iter()
        .filter_map(|o| o["metadata"]["name"].as_str().map(str::to_owned))
        .collect()
}
