//! Everything a plugin shows goes through [`Printer`]: tables sized to the terminal, `-o json|yaml`
//! documents with a stable envelope, notes and warnings on stderr.
//!
//! Writers are injected so tests read exactly what a user would see, and so nothing else in the
//! code base needs `println!` (the workspace lints warn on it everywhere but here).

use std::io::{self, IsTerminal, Write};
use std::sync::{Arc, Mutex};

use clap::{Args, ValueEnum};
use console::Style;
use serde::Serialize;

use crate::error::{Error, Result};

mod table;

pub use table::{Align, Cell, Column, Table};

/// The `apiVersion` of every JSON/YAML document the plugins print. Bumped only on a breaking
/// change of a document's fields; adding fields is not breaking.
pub const API_VERSION: &str = "firstaid.dev/v1";

#[derive(ValueEnum, Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Table,
    Wide,
    Json,
    Yaml,
    Name,
}

#[derive(Args, Debug, Clone, Copy, Default)]
#[command(next_help_heading = "Output")]
pub struct OutputArgs {
    /// Output format
    #[arg(short = 'o', long = "output", value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Don't print headers in table output
    #[arg(long)]
    pub no_headers: bool,
}

impl Format {
    pub fn is_structured(self) -> bool {
        matches!(self, Format::Json | Format::Yaml)
    }
}

/// Colours used across plugins, so "bad" looks the same everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Good,
    Warn,
    Bad,
    Dim,
    Bold,
}

impl Tone {
    fn style(self) -> Style {
        match self {
            Tone::Good => Style::new().green(),
            Tone::Warn => Style::new().yellow(),
            Tone::Bad => Style::new().red().bold(),
            Tone::Dim => Style::new().dim(),
            Tone::Bold => Style::new().bold(),
        }
    }
}

type Sink = Box<dyn Write + Send>;

pub struct Printer {
    out: Sink,
    err: Sink,
    pub format: Format,
    pub no_headers: bool,
    color: bool,
    width: Option<usize>,
    stderr_tty: bool,
}

impl std::fmt::Debug for Printer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Printer")
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

/// An in-memory writer whose contents stay readable after the printer takes it.
#[derive(Clone, Default, Debug)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    pub fn text(&self) -> String {
        let bytes = self.0.lock().map(|b| b.clone()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| io::Error::other("poisoned"))?
            .extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Printer {
    /// stdout/stderr, colour only on a TTY and never with `NO_COLOR`, width from the terminal.
    pub fn stdio(args: OutputArgs) -> Self {
        let stdout_tty = io::stdout().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let width = stdout_tty
            .then(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
            .flatten();
        Printer {
            out: Box::new(io::stdout()),
            err: Box::new(io::stderr()),
            format: args.format,
            no_headers: args.no_headers,
            color: stdout_tty && !no_color,
            width,
            stderr_tty: io::stderr().is_terminal(),
        }
    }

    /// A printer writing to memory, for tests: (printer, stdout, stderr).
    pub fn captured(format: Format) -> (Self, Captured, Captured) {
        let out = Captured::default();
        let err = Captured::default();
        let printer = Printer {
            out: Box::new(out.clone()),
            err: Box::new(err.clone()),
            format,
            no_headers: false,
            color: false,
            width: None,
            stderr_tty: false,
        };
        (printer, out, err)
    }

    /// Whether progress bars and prompts may draw on stderr.
    pub fn interactive(&self) -> bool {
        self.stderr_tty && !self.format.is_structured()
    }

    pub fn color(&self) -> bool {
        self.color
    }

    pub fn paint(&self, text: &str, tone: Tone) -> String {
        if self.color {
            tone.style().force_styling(true).apply_to(text).to_string()
        } else {
            text.to_owned()
        }
    }

    /// A line on stdout.
    pub fn line(&mut self, text: &str) -> Result<()> {
        writeln!(self.out, "{text}").map_err(|e| Error::io("writing output", e))
    }

    /// A buffered writer on stdout for output too large to build in memory (millions of lines):
    /// the data goes out in 64 KiB writes instead of one write per line. Flush it (and map the
    /// error with [`Error::io`], so `| head` still ends quietly) before printing anything else.
    pub fn stream(&mut self) -> io::BufWriter<&mut (dyn Write + Send)> {
        io::BufWriter::with_capacity(64 * 1024, &mut *self.out)
    }

    /// A line of human commentary on stderr (kept out of stdout so pipes stay parseable).
    pub fn note(&mut self, text: &str) -> Result<()> {
        writeln!(self.err, "{text}").map_err(|e| Error::io("writing to stderr", e))
    }

    pub fn warn(&mut self, text: &str) -> Result<()> {
        let label = if self.stderr_tty && self.color {
            Tone::Warn.style().apply_to("Warning:").to_string()
        } else {
            "Warning:".into()
        };
        writeln!(self.err, "{label} {text}").map_err(|e| Error::io("writing to stderr", e))
    }

    /// A JSON or YAML document `{apiVersion, kind, ...body}`; the envelope is what README's
    /// schemas describe.
    pub fn document<T: Serialize>(&mut self, kind: &str, body: &T) -> Result<()> {
        #[derive(Serialize)]
        struct Envelope<'a, T> {
            #[serde(rename = "apiVersion")]
            api_version: &'static str,
            kind: &'a str,
            #[serde(flatten)]
            body: &'a T,
        }
        let doc = Envelope {
            api_version: API_VERSION,
            kind,
            body,
        };
        // JSON is serialized straight into a buffered stdout: a report of 50,000 pods is never
        // one string in memory. (YAML, for people reading, is built as one string first.)
        let yaml = if self.format == Format::Yaml {
            Some(serde_saphyr::to_string(&doc).map_err(|e| Error::Other(e.to_string()))?)
        } else {
            None
        };
        let mut out = self.stream();
        if let Some(text) = yaml {
            out.write_all(text.as_bytes())
                .map_err(|e| Error::io("writing output", e))?;
        } else {
            serde_json::to_writer_pretty(&mut out, &doc).map_err(|e| match e.io_error_kind() {
                Some(kind) => Error::io("writing output", kind.into()),
                None => Error::Other(e.to_string()),
            })?;
            out.write_all(b"\n")
                .map_err(|e| Error::io("writing output", e))?;
        }
        out.flush().map_err(|e| Error::io("writing output", e))?;
        drop(out);
        self.out.flush().map_err(|e| Error::io("writing output", e))
    }

    /// Renders a table in the current format (`table`, `wide`, `name`); the caller renders
    /// json/yaml through [`Printer::document`].
    pub fn table(&mut self, table: &Table) -> Result<()> {
        let text = match self.format {
            Format::Name => table
                .names
                .iter()
                .flat_map(|n| [n.as_str(), "\n"])
                .collect(),
            _ => table.render(
                self.format == Format::Wide,
                !self.no_headers,
                self.width,
                self.color,
            ),
        };
        self.out
            .write_all(text.as_bytes())
            .map_err(|e| Error::io("writing output", e))?;
        self.out.flush().map_err(|e| Error::io("writing output", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_output_and_documents() {
        let mut table = Table::new(vec![Column::new("name")]);
        table.push("pod/a", vec!["a".into()]);
        table.push("pod/bbbb", vec!["bbbb".into()]);
        let (mut p, out, _) = Printer::captured(Format::Name);
        p.table(&table).expect("print");
        assert_eq!(out.text(), "pod/a\npod/bbbb\n");

        let (mut p, out, _) = Printer::captured(Format::Json);
        p.document("Thing", &serde_json::json!({"items": [1]}))
            .expect("print");
        let v: serde_json::Value = serde_json::from_str(&out.text()).expect("json");
        assert_eq!(v["apiVersion"], API_VERSION);
        assert_eq!(v["kind"], "Thing");
        assert_eq!(v["items"][0], 1);

        let (mut p, out, _) = Printer::captured(Format::Yaml);
        p.document("Thing", &serde_json::json!({"a": "b"}))
            .expect("print");
        assert!(out.text().contains("kind: Thing"));
    }

    /// `-o yaml` must mean exactly what `-o json` means: strings that look like other YAML types
    /// stay strings, nesting and empty collections survive.
    #[test]
    fn yaml_document_reads_back_as_the_json_document() {
        let body = serde_json::json!({
            "items": [
                {"name": "yes", "count": 3, "ratio": 0.5, "reason": null, "tags": []},
                {"name": "1.0", "message": "node \"a\": not found\nretrying", "empty": {}},
                {"name": "~", "colon": "a: b", "hash": "#x", "star": "*", "true": "false"},
            ],
        });
        let (mut p, json, _) = Printer::captured(Format::Json);
        p.document("Thing", &body).expect("json");
        let (mut p, yaml, _) = Printer::captured(Format::Yaml);
        p.document("Thing", &body).expect("yaml");
        let from_json: serde_json::Value = serde_json::from_str(&json.text()).expect("json");
        let from_yaml: serde_json::Value = serde_saphyr::from_str(&yaml.text()).expect("yaml");
        assert_eq!(from_yaml, from_json, "{}", yaml.text());
    }

    #[test]
    fn stream_writes_through_to_stdout() {
        let (mut p, out, _) = Printer::captured(Format::Table);
        {
            let mut w = p.stream();
            for i in 0..3 {
                writeln!(w, "line {i}").expect("write");
            }
            w.flush().expect("flush");
        }
        assert_eq!(out.text(), "line 0\nline 1\nline 2\n");
    }

    #[test]
    fn notes_go_to_stderr() {
        let (mut p, out, err) = Printer::captured(Format::Table);
        p.note("hello").expect("note");
        p.warn("careful").expect("warn");
        assert_eq!(out.text(), "");
        assert_eq!(err.text(), "hello\nWarning: careful\n");
    }
}
