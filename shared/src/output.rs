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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Align {
    #[default]
    Left,
    Right,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub name: String,
    pub align: Align,
    /// Shown only with `-o wide`.
    pub wide: bool,
    /// May be cut with an ellipsis to fit the terminal.
    pub shrink: bool,
}

impl Column {
    pub fn new(name: &str) -> Self {
        Column {
            name: name.to_owned(),
            align: Align::Left,
            wide: false,
            shrink: false,
        }
    }
    #[must_use]
    pub fn right(mut self) -> Self {
        self.align = Align::Right;
        self
    }
    #[must_use]
    pub fn wide(mut self) -> Self {
        self.wide = true;
        self
    }
    #[must_use]
    pub fn shrink(mut self) -> Self {
        self.shrink = true;
        self
    }
}

/// A cell's text and an optional tone (colour applied only when colour is on).
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub text: String,
    pub tone: Option<Tone>,
}

impl<T: Into<String>> From<T> for Cell {
    fn from(text: T) -> Self {
        Cell {
            text: text.into(),
            tone: None,
        }
    }
}

impl Cell {
    pub fn toned(text: impl Into<String>, tone: Tone) -> Self {
        Cell {
            text: text.into(),
            tone: Some(tone),
        }
    }
}

/// kubectl-style table: upper-case headers, columns separated by three spaces.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
    /// What `-o name` prints, one per row (`kind/name`).
    pub names: Vec<String>,
}

const GAP: &str = "   ";

impl Table {
    pub fn new(columns: Vec<Column>) -> Self {
        Table {
            columns,
            rows: Vec::new(),
            names: Vec::new(),
        }
    }

    pub fn push(&mut self, name: impl Into<String>, row: Vec<Cell>) {
        self.names.push(name.into());
        self.rows.push(row);
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn render(&self, wide: bool, headers: bool, width: Option<usize>, color: bool) -> String {
        let shown: Vec<usize> = (0..self.columns.len())
            .filter(|&i| wide || !self.columns[i].wide)
            .collect();
        let cell = |row: &[Cell], i: usize| row.get(i).map_or("", |c| c.text.as_str()).to_owned();
        let mut widths: Vec<usize> = shown
            .iter()
            .map(|&i| {
                let head = if headers {
                    text_width(&self.columns[i].name)
                } else {
                    0
                };
                self.rows
                    .iter()
                    .map(|r| text_width(&cell(r, i)))
                    .chain([head])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        if let Some(limit) = width {
            fit(
                &mut widths,
                &shown
                    .iter()
                    .map(|&i| self.columns[i].shrink)
                    .collect::<Vec<_>>(),
                limit,
            );
        }
        let mut out = String::new();
        if headers {
            let head: Vec<Cell> = shown
                .iter()
                .map(|&i| Cell::from(self.columns[i].name.to_uppercase()))
                .collect();
            let all: Vec<usize> = (0..shown.len()).collect();
            push_line(
                &mut out,
                &head,
                &all,
                &widths,
                &shown
                    .iter()
                    .map(|&i| self.columns[i].align)
                    .collect::<Vec<_>>(),
                false,
            );
        }
        let aligns: Vec<Align> = shown.iter().map(|&i| self.columns[i].align).collect();
        for row in &self.rows {
            push_line(&mut out, row, &shown, &widths, &aligns, color);
        }
        out
    }
}

fn text_width(text: &str) -> usize {
    console::measure_text_width(text)
}

/// Shrinks the widest shrinkable columns until the line fits, never below 8 characters.
fn fit(widths: &mut [usize], shrinkable: &[bool], limit: usize) {
    let total = |w: &[usize]| w.iter().sum::<usize>() + GAP.len() * w.len().saturating_sub(1);
    while total(widths) > limit {
        let widest = (0..widths.len())
            .filter(|&i| shrinkable[i] && widths[i] > 8)
            .max_by_key(|&i| widths[i]);
        match widest {
            Some(i) => widths[i] -= (total(widths) - limit).min(widths[i] - 8),
            None => break,
        }
    }
}

fn push_line(
    out: &mut String,
    row: &[Cell],
    shown: &[usize],
    widths: &[usize],
    aligns: &[Align],
    color: bool,
) {
    let mut line = String::new();
    for (pos, (&i, &width)) in shown.iter().zip(widths).enumerate() {
        let cell = row.get(i).cloned().unwrap_or_default();
        let text = console::truncate_str(&cell.text, width, "…").into_owned();
        let pad = width.saturating_sub(text_width(&text));
        let painted = match (color, cell.tone) {
            (true, Some(tone)) => tone.style().force_styling(true).apply_to(&text).to_string(),
            _ => text,
        };
        let last = pos + 1 == shown.len();
        match aligns[pos] {
            Align::Right => {
                line.push_str(&" ".repeat(pad));
                line.push_str(&painted);
            }
            Align::Left => {
                line.push_str(&painted);
                if !last {
                    line.push_str(&" ".repeat(pad));
                }
            }
        }
        if !last {
            line.push_str(GAP);
        }
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut t = Table::new(vec![
            Column::new("name"),
            Column::new("count").right(),
            Column::new("node").wide(),
            Column::new("message").shrink(),
        ]);
        t.push(
            "pod/a",
            vec![
                "a".into(),
                "1".into(),
                "n1".into(),
                "The node was low on resource: memory.".into(),
            ],
        );
        t.push(
            "pod/bbbb",
            vec!["bbbb".into(), "1234".into(), "n2".into(), "short".into()],
        );
        t
    }

    #[test]
    fn renders_like_kubectl() {
        let text = sample().render(false, true, None, false);
        assert_eq!(
            text,
            "NAME   COUNT   MESSAGE\na          1   The node was low on resource: memory.\nbbbb    1234   short\n"
        );
    }

    #[test]
    fn wide_adds_columns_and_width_shrinks_messages() {
        let text = sample().render(true, false, Some(30), false);
        assert!(
            text.lines().all(|l| console::measure_text_width(l) <= 30),
            "{text}"
        );
        assert!(text.contains("n1") && text.contains('…'));
    }

    #[test]
    fn name_output_and_documents() {
        let (mut p, out, _) = Printer::captured(Format::Name);
        p.table(&sample()).expect("print");
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
