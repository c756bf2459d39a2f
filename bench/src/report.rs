//! The side-by-side table (Roomlink, Socket.IO, their ratio, the plain
//! Rust server where measured, the kernel's floor where it bounds the
//! measure, the target and whether it is met) and the same
//! figures as JSON.

use serde::Serialize;

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Scenario and what was measured, e.g. "S2 100×100 deliveries/s at p99 ≤ 100 ms".
    pub what: String,
    /// Unit of both figures, e.g. "msg/s", "ms", "KiB".
    pub unit: &'static str,
    /// Roomlink's figure, when measured.
    pub roomlink: Option<f64>,
    /// Socket.IO's figure, when measured (some scenarios have no Socket.IO side).
    pub socketio: Option<f64>,
    /// The target in words, e.g. "≥ 3× Socket.IO"; empty when none.
    pub target: String,
    /// Whether Roomlink meets the target, when there is one and both figures are known.
    pub met: Option<bool>,
    /// The same measure on the plain Rust fan-out server
    /// ([`super::bare`]), when measured.
    pub plain: Option<f64>,
    /// The kernel's floor for the same measure on one core, when it has
    /// one ([`super::floor`]): what no server could pass here.
    pub floor: Option<f64>,
}

impl Row {
    /// A row without a target.
    pub fn new(what: impl Into<String>, unit: &'static str, roomlink: Option<f64>, socketio: Option<f64>) -> Row {
        Row { what: what.into(), unit, roomlink, socketio, target: String::new(), met: None, plain: None, floor: None }
    }

    /// The same row with the plain Rust server's figure.
    pub fn plain(mut self, plain: Option<f64>) -> Row {
        self.plain = plain;
        self
    }

    /// The same row with the kernel's floor for it.
    pub fn floor(mut self, floor: Option<f64>) -> Row {
        self.floor = floor;
        self
    }

    /// The same row with a target and whether it is met.
    pub fn target(mut self, target: impl Into<String>, met: Option<bool>) -> Row {
        self.target = target.into();
        self.met = met;
        self
    }

    /// Roomlink's figure over Socket.IO's.
    pub fn ratio(&self) -> Option<f64> {
        match (self.roomlink, self.socketio) {
            (Some(r), Some(s)) if s > 0.0 && r >= 0.0 => Some(r / s),
            _ => None,
        }
    }
}

fn figure(value: Option<f64>) -> String {
    match value {
        None => "—".into(),
        Some(v) if v >= 100.0 => format!("{v:.0}"),
        Some(v) if v >= 10.0 => format!("{v:.1}"),
        Some(v) => format!("{v:.2}"),
    }
}

/// The report as a fixed-width table, one row per line.
pub fn table(rows: &[Row]) -> String {
    let header = ["measure", "unit", "Roomlink", "Socket.IO", "ratio", "plain Rust", "floor", "target", "met"];
    let cells: Vec<[String; 9]> = rows
        .iter()
        .map(|r| {
            [
                r.what.clone(),
                r.unit.to_string(),
                figure(r.roomlink),
                figure(r.socketio),
                r.ratio().map_or("—".into(), |x| format!("{x:.2}×")),
                r.plain.map_or(String::new(), |f| figure(Some(f))),
                r.floor.map_or(String::new(), |f| figure(Some(f))),
                r.target.clone(),
                match r.met {
                    Some(true) => "yes".into(),
                    Some(false) => "NO".into(),
                    None => "".into(),
                },
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..9)
        .map(|c| cells.iter().map(|row| row[c].chars().count()).chain([header[c].len()]).max().unwrap_or(0))
        .collect();
    let line = |row: &[String]| {
        row.iter().zip(&widths).map(|(cell, w)| format!("{cell:<w$}")).collect::<Vec<_>>().join("  ").trim_end().to_string()
    };
    let mut out = vec![line(&header.map(String::from)), widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("  ")];
    out.extend(cells.iter().map(|row| line(row)));
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_line_up_and_show_the_ratio() {
        let rows = [
            Row::new("S1 memory per connection", "KiB", Some(9.5), Some(40.0)).target("≤ 16 KiB", Some(true)).plain(Some(4.0)).floor(Some(123.0)),
            Row::new("S5 accepts", "1/s", Some(5200.0), None),
        ];
        let text = table(&rows);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[2].contains("9.50") && lines[2].contains("0.24×") && lines[2].contains("4.00") && lines[2].contains("123") && lines[2].ends_with("yes"), "{text}");
        assert!(lines[3].contains("5200") && lines[3].contains("—"), "{text}");
        assert_eq!(lines[2].find("KiB"), lines[3].find("1/s"));
    }
}
