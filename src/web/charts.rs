//! Charts drawn on the server as SVG: no script in the browser. Each has a title and a
//! description (read by screen readers through `aria-labelledby`), and the page shows the
//! same numbers in a table beside it. Text is escaped here: the SVG goes into the page as
//! markup.

use std::fmt::Write;

/// One series of a stacked chart: its label and colour, a value per category.
pub struct Series<'a> {
    pub label: &'a str,
    pub colour: &'a str,
    pub values: Vec<u64>,
}

const WIDTH: u32 = 640;
const LEFT: u32 = 44;
const TOP: u32 = 16;
const PLOT_HEIGHT: u32 = 200;
const BOTTOM: u32 = 56;

/// Vertical bars per category, each stacked from `series`, with a legend under the axis.
pub fn stacked_bars(
    id: &str,
    title: &str,
    description: &str,
    categories: &[String],
    series: &[Series<'_>],
) -> String {
    let totals: Vec<u64> = (0..categories.len())
        .map(|i| {
            series
                .iter()
                .map(|s| s.values.get(i).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    let max = nice_max(totals.iter().copied().max().unwrap_or(0));
    let legend_rows = series.len().div_ceil(3) as u32;
    let height = TOP + PLOT_HEIGHT + BOTTOM + legend_rows * 18;
    let mut svg = open(id, title, description, height);
    axis(&mut svg, max);
    let slot = (WIDTH - LEFT - 8) as f64 / categories.len().max(1) as f64;
    let bar = (slot * 0.7).max(2.0);
    for (i, category) in categories.iter().enumerate() {
        let x = LEFT as f64 + slot * i as f64 + (slot - bar) / 2.0;
        let mut y = (TOP + PLOT_HEIGHT) as f64;
        for s in series {
            let value = s.values.get(i).copied().unwrap_or(0);
            if value == 0 {
                continue;
            }
            let h = value as f64 / max as f64 * PLOT_HEIGHT as f64;
            y -= h;
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}" fill="{}"><title>{}: {} {}</title></rect>"#,
                s.colour,
                escape(category),
                escape(s.label),
                value
            );
        }
        // Every other label when crowded, so they stay legible.
        if categories.len() <= 12 || i % 2 == 0 {
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{}" font-size="11" text-anchor="middle">{}</text>"#,
                x + bar / 2.0,
                TOP + PLOT_HEIGHT + 16,
                escape(category)
            );
        }
    }
    for (i, s) in series.iter().enumerate() {
        let row = (i / 3) as u32;
        let column = (i % 3) as u32;
        let x = LEFT + column * 200;
        let y = TOP + PLOT_HEIGHT + 34 + row * 18;
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="{}" width="12" height="12" fill="{}"/><text x="{}" y="{}" font-size="12">{}</text>"#,
            y - 10,
            s.colour,
            x + 16,
            y,
            escape(s.label)
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars, one per labelled value.
pub fn bars(
    id: &str,
    title: &str,
    description: &str,
    values: &[(&str, u64)],
    colour: &str,
) -> String {
    let row = 26;
    let label_width = 110;
    let height = TOP + row * values.len() as u32 + 8;
    let mut svg = open(id, title, description, height);
    let max = nice_max(values.iter().map(|(_, v)| *v).max().unwrap_or(0));
    let span = (WIDTH - label_width - 60) as f64;
    for (i, (label, value)) in values.iter().enumerate() {
        let y = TOP + row * i as u32;
        let w = *value as f64 / max as f64 * span;
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" font-size="12" text-anchor="end">{}</text><rect x="{label_width}" y="{}" width="{w:.1}" height="16" fill="{colour}"/><text x="{:.1}" y="{}" font-size="12">{value}</text>"#,
            label_width - 6,
            y + 12,
            escape(label),
            y,
            label_width as f64 + w + 6.0,
            y + 12
        );
    }
    svg.push_str("</svg>");
    svg
}

fn open(id: &str, title: &str, description: &str, height: u32) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{id}-title {id}-desc" class="chart"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"#,
        escape(title),
        escape(description)
    )
}

/// The value axis: four gridlines with their values.
fn axis(svg: &mut String, max: u64) {
    for step in 0..=4 {
        let value = max * step / 4;
        let y = TOP + PLOT_HEIGHT - PLOT_HEIGHT * step as u32 / 4;
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" y1="{y}" x2="{}" y2="{y}" stroke="#c8cdd2" stroke-width="1"/><text x="{}" y="{}" font-size="11" text-anchor="end">{value}</text>"##,
            WIDTH - 8,
            LEFT - 6,
            y + 4
        );
    }
}

/// The axis' top: at least 4 (so the four steps are whole numbers), rounded up.
fn nice_max(max: u64) -> u64 {
    let max = max.max(4);
    let magnitude = 10u64.pow((max as f64).log10().floor() as u32);
    let step = if magnitude >= 10 { magnitude / 2 } else { 4 };
    max.div_ceil(step) * step
}

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_labelled_and_escape_their_text() {
        let svg = stacked_bars(
            "semanas",
            "Pedidos por semana <e> resultado",
            "Descrição & números",
            &["30/11".into(), "07/12".into()],
            &[
                Series {
                    label: "Atendidos",
                    colour: "#1b6e3a",
                    values: vec![3, 0],
                },
                Series {
                    label: "Cancelados",
                    colour: "#8a5a00",
                    values: vec![1, 2],
                },
            ],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"role="img" aria-labelledby="semanas-title semanas-desc""#));
        assert!(svg.contains("Pedidos por semana &lt;e&gt; resultado"));
        assert!(svg.contains("Descrição &amp; números"));
        assert_eq!(
            svg.matches("<rect").count(),
            3 + 2,
            "three bars, two legend keys"
        );
        let empty = bars("triagem", "T", "D", &[("até 1 h", 0)], "#0b4f8a");
        assert!(empty.contains("até 1 h") && empty.ends_with("</svg>"));
    }

    #[test]
    fn the_axis_top_is_round_and_above_the_data() {
        for (max, top) in [(0, 4), (3, 4), (5, 8), (17, 20), (123, 150), (1001, 1500)] {
            assert_eq!(nice_max(max), top, "{max}");
        }
    }
}
