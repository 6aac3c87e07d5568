//! Backups of every object before a plugin changes it.
//!
//! Written before the change is sent, one JSON file per object (or one gzip'd JSON-lines file for
//! bulk plans, where thousands of small files would cost more than the deletes), in a directory
//! only the user can read. Secret values are never written: a finalizer or delete does not change
//! them, and a backup directory is not a place for credentials.
//!
//! Bulk plans can [`Staged`] their backup while listing: each object is written as its page
//! arrives and dropped, so a 50,000-pod cleanup never holds 50,000 objects. The staged file is
//! made durable (fsync) when the plan is confirmed, before the first change is sent, and removed
//! if the plan is never confirmed or applied.

use std::borrow::Cow;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
#[cfg(unix)]
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use flate2::Compression;
use flate2::write::GzEncoder;
use serde_json::Value;

use crate::error::{Error, Result};

/// Above this many objects a plan's backup goes to one compressed JSON-lines file.
pub const BULK_THRESHOLD: usize = 200;

const REDACTED: &str = "REDACTED-BY-FIRSTAID";

#[derive(Debug)]
pub struct Backup {
    dir: PathBuf,
    bulk: Option<Mutex<GzEncoder<File>>>,
    count: Mutex<usize>,
}

/// `$XDG_STATE_HOME/firstaid/backups` (or the platform's equivalent).
pub fn default_root() -> PathBuf {
    dirs::state_dir()
        .or_else(dirs::data_local_dir)
        .unwrap_or_else(std::env::temp_dir)
        .join("firstaid")
        .join("backups")
}

fn create_private_dir(path: &Path) -> Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    builder.mode(0o700);
    builder
        .create(path)
        .map_err(|e| Error::io(format!("creating backup directory {}", path.display()), e))
}

fn create_private_file(path: &Path) -> Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    options
        .open(path)
        .map_err(|e| Error::io(format!("creating backup file {}", path.display()), e))
}

impl Backup {
    /// A new timestamped directory `<root>/<plugin>/<UTC time>-<pid>`.
    pub fn create(root: Option<&Path>, plugin: &str, expected_objects: usize) -> Result<Self> {
        let root = root.map_or_else(default_root, Path::to_path_buf);
        let stamp = crate::k8s::time::now().strftime("%Y%m%dT%H%M%SZ");
        let dir = root
            .join(plugin)
            .join(format!("{stamp}-{}", std::process::id()));
        create_private_dir(&dir)?;
        let bulk = if expected_objects > BULK_THRESHOLD {
            let file = create_private_file(&dir.join("objects.jsonl.gz"))?;
            Some(Mutex::new(GzEncoder::new(file, Compression::fast())))
        } else {
            None
        };
        Ok(Backup {
            dir,
            bulk,
            count: Mutex::new(0),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn count(&self) -> usize {
        self.count.lock().map_or(0, |c| *c)
    }

    /// Writes the object's full JSON (Secret values redacted) and flushes it to disk before
    /// returning, so the change that follows can never outrun its backup.
    pub fn save(&self, object: &Value) -> Result<()> {
        self.write(object, true)
    }

    fn write(&self, object: &Value, flush: bool) -> Result<()> {
        let object = redact(object);
        let seq = {
            let mut count = self
                .count
                .lock()
                .map_err(|_| Error::Other("backup lock poisoned".into()))?;
            *count += 1;
            *count
        };
        if let Some(bulk) = &self.bulk {
            let mut line = serde_json::to_vec(&object).map_err(|e| Error::Other(e.to_string()))?;
            line.push(b'\n');
            let mut gz = bulk
                .lock()
                .map_err(|_| Error::Other("backup lock poisoned".into()))?;
            gz.write_all(&line)
                .and_then(|()| if flush { gz.flush() } else { Ok(()) })
                .map_err(|e| Error::io("writing backup", e))?;
            return Ok(());
        }
        let path = self.dir.join(file_name(seq, &object));
        let mut file = create_private_file(&path)?;
        let text = serde_json::to_vec_pretty(&object).map_err(|e| Error::Other(e.to_string()))?;
        file.write_all(&text)
            .and_then(|()| file.sync_all())
            .map_err(|e| Error::io(format!("writing {}", path.display()), e))
    }

    /// Makes everything written so far durable without ending the compressed stream.
    fn sync(&self) -> Result<()> {
        if let Some(bulk) = &self.bulk {
            let mut gz = bulk
                .lock()
                .map_err(|_| Error::Other("backup lock poisoned".into()))?;
            gz.flush()
                .and_then(|()| gz.get_ref().sync_all())
                .map_err(|e| Error::io("writing backup", e))?;
        }
        Ok(())
    }

    /// Completes the compressed stream (a no-op for per-object files).
    pub fn finish(&self) -> Result<()> {
        if let Some(bulk) = &self.bulk {
            let mut gz = bulk
                .lock()
                .map_err(|_| Error::Other("backup lock poisoned".into()))?;
            gz.try_finish()
                .map_err(|e| Error::io("finishing backup", e))?;
            gz.get_ref()
                .sync_all()
                .map_err(|e| Error::io("finishing backup", e))?;
        }
        Ok(())
    }
}

/// A bulk backup written before the plan is confirmed: objects go in as they are listed, and the
/// directory is removed on drop unless [`Staged::commit`] made it the run's backup.
#[derive(Debug)]
pub struct Staged {
    backup: Option<Backup>,
}

impl Staged {
    /// A new compressed JSON-lines backup `<root>/<plugin>/<time>-<pid>/objects.jsonl.gz`.
    pub fn create(root: Option<&Path>, plugin: &str) -> Result<Self> {
        Ok(Staged {
            backup: Some(Backup::create(root, plugin, usize::MAX)?),
        })
    }

    /// Adds one object as listed (buffered; [`Staged::commit`] makes it durable).
    pub fn save(&self, object: &Value) -> Result<()> {
        match &self.backup {
            Some(backup) => backup.write(object, false),
            None => Ok(()),
        }
    }

    pub fn count(&self) -> usize {
        self.backup.as_ref().map_or(0, Backup::count)
    }

    pub fn dir(&self) -> Option<&Path> {
        self.backup.as_ref().map(Backup::dir)
    }

    /// Flushes and fsyncs what was staged and hands the backup over, to be appended to (objects
    /// re-read after a conflict) and finished by the run.
    pub fn commit(mut self) -> Result<Backup> {
        let backup = self
            .backup
            .take()
            .ok_or_else(|| Error::Other("backup already committed".into()))?;
        backup.sync()?;
        Ok(backup)
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if let Some(backup) = self.backup.take() {
            // Never confirmed: nothing was changed, so the copies are no backup of anything.
            let dir = backup.dir.clone();
            drop(backup);
            let _ = fs::remove_dir_all(dir);
        }
    }
}

fn file_name(seq: usize, object: &Value) -> String {
    let part = |pointer: &str| {
        object
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or("")
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect::<String>()
    };
    let ns = part("/metadata/namespace");
    let scope = if ns.is_empty() {
        "_cluster".to_owned()
    } else {
        ns
    };
    format!(
        "{seq:04}-{}-{scope}-{}.json",
        part("/kind").to_lowercase(),
        part("/metadata/name")
    )
}

/// What the user is told when a plan changes Secrets: their backups are deliberately partial.
pub fn secrets_note(secrets: usize) -> String {
    format!(
        "{secrets} Secret(s) in this plan: their backups keep metadata only; data and stringData values are replaced by {REDACTED} (a backup directory is no place for credentials)"
    )
}

/// Secret values replaced by a marker; the object's metadata (what a finalizer fix changes) kept.
/// Anything else is borrowed as it is.
pub fn redact(object: &Value) -> Cow<'_, Value> {
    if object.get("kind").and_then(Value::as_str) != Some("Secret") {
        return Cow::Borrowed(object);
    }
    let mut object = object.clone();
    {
        for field in ["data", "stringData"] {
            if let Some(Value::Object(map)) = object.get_mut(field) {
                for value in map.values_mut() {
                    *value = Value::String(REDACTED.into());
                }
            }
        }
        if let Some(Value::Object(annotations)) = object.pointer_mut("/metadata/annotations") {
            annotations.remove("kubectl.kubernetes.io/last-applied-configuration");
        }
    }
    Cow::Owned(object)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::io::Read;

    #[test]
    fn writes_private_json_files() {
        let root = tempfile::tempdir().expect("tempdir");
        let backup = Backup::create(Some(root.path()), "test", 1).expect("create");
        let obj = json!({"kind": "PersistentVolumeClaim", "metadata": {"name": "data", "namespace": "db", "finalizers": ["kubernetes.io/pvc-protection"]}});
        backup.save(&obj).expect("save");
        backup.finish().expect("finish");
        let path = backup.dir().join("0001-persistentvolumeclaim-db-data.json");
        let saved: Value = serde_json::from_slice(&fs::read(&path).expect("read")).expect("json");
        assert_eq!(saved, obj);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&path).expect("meta").permissions().mode() & 0o777,
                0o600
            );
            assert_eq!(
                fs::metadata(backup.dir())
                    .expect("meta")
                    .permissions()
                    .mode()
                    & 0o777,
                0o700
            );
        }
        assert_eq!(backup.count(), 1);
    }

    #[test]
    fn never_writes_secret_values() {
        let root = tempfile::tempdir().expect("tempdir");
        let backup = Backup::create(Some(root.path()), "test", 1).expect("create");
        backup.save(&json!({"kind": "Secret", "metadata": {"name": "s"}, "data": {"password": "aHVudGVyMg=="}, "stringData": {"x": "hunter2"}})).expect("save");
        let text =
            fs::read_to_string(backup.dir().join("0001-secret-_cluster-s.json")).expect("read");
        assert!(
            !text.contains("aHVudGVyMg==") && !text.contains("hunter2"),
            "{text}"
        );
        assert!(text.contains(REDACTED));
    }

    fn gunzipped(path: &Path) -> String {
        let mut text = String::new();
        flate2::read::GzDecoder::new(File::open(path).expect("open"))
            .read_to_string(&mut text)
            .expect("gunzip");
        text
    }

    #[test]
    fn bulk_backups_are_gzipped_json_lines() {
        let root = tempfile::tempdir().expect("tempdir");
        let backup = Backup::create(Some(root.path()), "test", BULK_THRESHOLD + 1).expect("create");
        for i in 0..3 {
            backup
                .save(&json!({"kind": "Pod", "metadata": {"name": format!("p{i}")}}))
                .expect("save");
        }
        backup.finish().expect("finish");
        let text = gunzipped(&backup.dir().join("objects.jsonl.gz"));
        let names: Vec<String> = text
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).expect("json")["metadata"]["name"]
                    .as_str()
                    .unwrap_or("")
                    .to_owned()
            })
            .collect();
        assert_eq!(names, ["p0", "p1", "p2"]);
    }

    #[test]
    fn staged_backups_are_removed_unless_committed() {
        let root = tempfile::tempdir().expect("tempdir");
        let staged = Staged::create(Some(root.path()), "test").expect("create");
        staged
            .save(&json!({"kind": "Pod", "metadata": {"name": "p0"}}))
            .expect("save");
        let dir = staged.dir().expect("dir").to_path_buf();
        assert!(dir.join("objects.jsonl.gz").exists());
        drop(staged);
        assert!(!dir.exists(), "never confirmed: no backup left behind");

        let staged = Staged::create(Some(root.path()), "test").expect("create");
        staged
            .save(&json!({"kind": "Pod", "metadata": {"name": "listed"}}))
            .expect("save");
        let backup = staged.commit().expect("commit");
        backup
            .save(&json!({"kind": "Pod", "metadata": {"name": "re-read"}}))
            .expect("save");
        backup.finish().expect("finish");
        let text = gunzipped(&backup.dir().join("objects.jsonl.gz"));
        assert_eq!(text.lines().count(), 2, "{text}");
        assert_eq!(backup.count(), 2);
    }
}
