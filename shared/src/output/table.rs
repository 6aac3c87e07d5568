//! Tables the kubectl way: upper-case headers, columns three spaces apart, `-o wide` columns,
//! and messages shrunk with `…` to fit the terminal.

use super::Tone;

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
}
