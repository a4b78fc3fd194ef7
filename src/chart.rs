//! Charts as SVG documents (plotters' SVG backend): a line chart of values over periods and a
//! horizontal bar chart of a ranking. Pure functions of their data: the same data give the same
//! bytes. Text is left as SVG `<text>` for the reader's browser to set in its own fonts, so
//! Chinese names need no font file here (docs/DECISIONS.md).

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::Result;

/// One line of a line chart: its name in the legend and a value per period (None: no point).
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
}

/// How a chart's value axis reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Axis {
    /// Fractions shown as percentages, 0 % to 100 %.
    Percent,
    /// Plain numbers from 0 to the largest value.
    Number,
}

impl Axis {
    fn label(self, v: f64) -> String {
        match self {
            Axis::Percent => format!("{:.0}%", v * 100.0),
            Axis::Number => number(v),
        }
    }
}

/// A number as a reader writes it: no decimals when whole, else at most two.
pub fn number(v: f64) -> String {
    if v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The colours, in order: Tableau 10 (distinct in print and for most colour-blind readers), then
/// two more, so that a chart's twelve lines never share one.
const COLOURS: [RGBColor; 12] = [
    RGBColor(0x4e, 0x79, 0xa7),
    RGBColor(0xf2, 0x8e, 0x2b),
    RGBColor(0x59, 0xa1, 0x4f),
    RGBColor(0xe1, 0x57, 0x59),
    RGBColor(0x76, 0xb7, 0xb2),
    RGBColor(0xed, 0xc9, 0x48),
    RGBColor(0xb0, 0x7a, 0xa1),
    RGBColor(0xff, 0x9d, 0xa7),
    RGBColor(0x9c, 0x75, 0x5f),
    RGBColor(0xba, 0xb0, 0xac),
    RGBColor(0x17, 0xbe, 0xcf),
    RGBColor(0x2f, 0x4b, 0x7c),
];

/// The colour of the k-th series.
pub fn colour(k: usize) -> RGBColor {
    COLOURS[k % COLOURS.len()]
}

const FONT: &str = "sans-serif";
const GRID: RGBColor = RGBColor(0xe6, 0xe6, 0xe6);
const INK: RGBColor = RGBColor(0x33, 0x33, 0x33);

fn drawn<E: std::error::Error + Send + Sync>(e: E) -> anyhow::Error {
    anyhow::anyhow!("the chart could not be drawn: {e}")
}

/// A line chart: one line per series over the periods labelled `x`, with a legend.
pub fn line_chart(title: &str, x: &[String], series: &[Series], axis: Axis) -> Result<String> {
    let n = x.len().max(1);
    let top = match axis {
        Axis::Percent => 1.0,
        Axis::Number => {
            let max = series.iter().flat_map(|s| s.values.iter().flatten()).fold(0.0f64, |m, v| m.max(*v));
            if max > 0.0 {
                max * 1.1
            } else {
                1.0
            }
        }
    };
    let bottom = series.iter().flat_map(|s| s.values.iter().flatten()).fold(0.0f64, |m, v| m.min(*v));
    let legend_rows = series.len().div_ceil(3);
    let (w, h) = (960u32, 420 + 24 * legend_rows as u32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(drawn)?;
        let (plot, legend) = root.split_vertically(h - 24 * legend_rows as u32 - 10);
        let mut chart = ChartBuilder::on(&plot)
            .caption(title, (FONT, 22).into_font().color(&INK))
            .margin(16)
            .x_label_area_size(36)
            .y_label_area_size(64)
            .build_cartesian_2d(-0.3f64..(n as f64 - 0.7), bottom..top)
            .map_err(drawn)?;
        let every = n.div_ceil(12);
        chart
            .configure_mesh()
            .max_light_lines(0)
            .light_line_style(GRID)
            .bold_line_style(GRID)
            .axis_style(INK)
            .x_labels(n)
            .x_label_formatter(&|v| {
                let i = v.round();
                let k = i as usize;
                if (v - i).abs() < 1e-6 && i >= 0.0 && k < x.len() && k % every == 0 {
                    x[k].clone()
                } else {
                    String::new()
                }
            })
            .y_labels(6)
            .y_label_formatter(&|v| axis.label(*v))
            .label_style((FONT, 14).into_font().color(&INK))
            .draw()
            .map_err(drawn)?;
        for (k, s) in series.iter().enumerate() {
            let c = colour(k);
            // A line through each run of known points; a gap where a period has none.
            let mut run: Vec<(f64, f64)> = Vec::new();
            let mut runs = Vec::new();
            for (i, v) in s.values.iter().enumerate() {
                match v {
                    Some(v) => run.push((i as f64, *v)),
                    None if !run.is_empty() => runs.push(std::mem::take(&mut run)),
                    None => {}
                }
            }
            if !run.is_empty() {
                runs.push(run);
            }
            for r in &runs {
                chart.draw_series(LineSeries::new(r.iter().copied(), c.stroke_width(3))).map_err(drawn)?;
                chart.draw_series(r.iter().map(|&(i, v)| Circle::new((i, v), 4, c.filled()))).map_err(drawn)?;
            }
        }
        // The legend below the plot, three to a row.
        for (k, s) in series.iter().enumerate() {
            let (col, row) = ((k % 3) as i32, (k / 3) as i32);
            let (x0, y0) = (80 + col * 290, 6 + row * 24);
            legend.draw(&Rectangle::new([(x0, y0 + 4), (x0 + 22, y0 + 10)], colour(k).filled())).map_err(drawn)?;
            legend
                .draw(&Text::new(s.name.clone(), (x0 + 30, y0), (FONT, 15).into_font().color(&INK)))
                .map_err(drawn)?;
        }
        root.present().map_err(drawn)?;
    }
    Ok(svg)
}

/// One bar of a ranking: its label, its value, and whether it is marked (drawn in the alarm
/// colour).
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: Option<f64>,
    pub marked: bool,
}

/// A horizontal bar chart, the first bar at the top, values from 0 to `max`; a bar without a
/// value is left empty with a dash. `legend` names the two colours (plain, marked).
pub fn bar_chart(title: &str, bars: &[Bar], max: f64, legend: (&str, &str)) -> Result<String> {
    let n = bars.len().max(1);
    let label_width = bars.iter().map(|b| text_width(&b.label)).max().unwrap_or(40).clamp(60, 320);
    let (w, h) = (960u32, 110 + 24 * n as u32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(drawn)?;
        let (plot, key) = root.split_vertically(h - 30);
        let mut chart = ChartBuilder::on(&plot)
            .caption(title, (FONT, 22).into_font().color(&INK))
            .margin(16)
            .x_label_area_size(30)
            .y_label_area_size(label_width + 12)
            // A segmented axis of 0..k has k + 1 segments: one per bar (one bar gets an empty row
            // above it: plotters draws no segment on an axis of 0..0).
            .build_cartesian_2d(0f64..max * 1.06, (0..(n as i32 - 1).max(1)).into_segmented())
            .map_err(drawn)?;
        let row = |i: usize| (n - 1 - i) as i32;
        chart
            .configure_mesh()
            .disable_y_mesh()
            // Not max_light_lines(0): plotters 0.3.7 overflows on an integer axis without them.
            .x_max_light_lines(0)
            .light_line_style(GRID)
            .bold_line_style(GRID)
            .axis_style(INK)
            .y_labels(n)
            .y_label_formatter(&|v| match v {
                SegmentValue::CenterOf(r) if *r >= 0 => bars
                    .len()
                    .checked_sub(1 + *r as usize)
                    .and_then(|i| bars.get(i))
                    .map_or(String::new(), |b| b.label.clone()),
                _ => String::new(),
            })
            .x_labels(6)
            .x_label_formatter(&|v| if *v <= max + 1e-9 { number(*v) } else { String::new() })
            .label_style((FONT, 14).into_font().color(&INK))
            .draw()
            .map_err(drawn)?;
        let plain = colour(0);
        let alarm = colour(3);
        chart
            .draw_series(bars.iter().enumerate().filter_map(|(i, b)| {
                let v = b.value?;
                let mut r = Rectangle::new(
                    [(0.0, SegmentValue::Exact(row(i))), (v.min(max), SegmentValue::Exact(row(i) + 1))],
                    if b.marked { alarm } else { plain }.filled(),
                );
                r.set_margin(3, 3, 0, 0);
                Some(r)
            }))
            .map_err(drawn)?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, b)| {
                let (x, s) = match b.value {
                    Some(v) => (v.min(max), format!("{v:.1}")),
                    None => (0.0, "—".to_string()),
                };
                let style = (FONT, 13).into_font().color(&INK).pos(Pos::new(HPos::Left, VPos::Center));
                Text::new(format!(" {s}"), (x, SegmentValue::CenterOf(row(i))), style)
            }))
            .map_err(drawn)?;
        for (k, (name, c)) in [(legend.0, plain), (legend.1, alarm)].into_iter().enumerate() {
            let x0 = 80 + k as i32 * 240;
            key.draw(&Rectangle::new([(x0, 8), (x0 + 22, 20)], c.filled())).map_err(drawn)?;
            key.draw(&Text::new(name.to_string(), (x0 + 30, 6), (FONT, 15).into_font().color(&INK))).map_err(drawn)?;
        }
        root.present().map_err(drawn)?;
    }
    Ok(svg)
}

/// About how wide a label is at 14 px: a CJK character a full em, anything else about half.
fn text_width(s: &str) -> u32 {
    s.chars().map(|c| if (c as u32) >= 0x2E80 { 14 } else { 8 }).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_chart_draws_one_path_per_run_and_leaves_a_gap_for_an_unknown_period() {
        let x: Vec<String> = ["2026-01", "2026-02", "2026-03", "2026-04"].iter().map(|s| s.to_string()).collect();
        let s = vec![
            Series { name: "上报率".into(), values: vec![Some(0.5), Some(0.75), None, Some(1.0)] },
            Series { name: "及时率".into(), values: vec![Some(0.25), Some(0.5), Some(0.5), Some(0.75)] },
        ];
        let svg = line_chart("及时性", &x, &s, Axis::Percent).unwrap();
        assert!(svg.starts_with("<svg"), "{svg:.80}");
        if let Some(f) = std::env::var_os("EIP_CHART_DUMP") {
            std::fs::write(f, &svg).unwrap();
        }
        let lines = |c: &str| svg.matches(&format!("<polyline fill=\"none\" opacity=\"1\" stroke=\"{c}\"")).count();
        assert_eq!((lines("#4E79A7"), lines("#F28E2B")), (2, 1), "two runs for the first, one for the second");
        assert!(svg.contains("上报率") && svg.contains("2026-03") && svg.contains("100%"));
        assert_eq!(svg, line_chart("及时性", &x, &s, Axis::Percent).unwrap(), "the same bytes");
    }

    #[test]
    fn a_bar_chart_draws_a_bar_per_known_value_in_two_colours() {
        let bars = vec![
            Bar { label: "河北省".into(), value: Some(92.5), marked: false },
            Bar { label: "山西省".into(), value: None, marked: false },
            Bar { label: "内蒙古自治区".into(), value: Some(40.0), marked: true },
        ];
        let svg = bar_chart("排名", &bars, 100.0, ("得分", "被通报")).unwrap();
        if let Some(f) = std::env::var_os("EIP_CHART_DUMP") {
            std::fs::write(f, &svg).unwrap();
        }
        let one = vec![Bar { label: "河北省".into(), value: Some(50.0), marked: false }];
        assert!(bar_chart("排名", &one, 100.0, ("得分", "被通报")).unwrap().contains("河北省"), "one bar");
        assert!(bar_chart("排名", &[], 100.0, ("得分", "被通报")).is_ok(), "no bar at all");
        assert!(svg.contains("河北省") && svg.contains("内蒙古自治区") && svg.contains("92.5"));
        let alarm = "#E15759";
        let plain = "#4E79A7";
        // One filled bar each, and one legend swatch each.
        assert_eq!(svg.matches(&format!("fill=\"{alarm}\"")).count(), 2, "{svg}");
        assert_eq!(svg.matches(&format!("fill=\"{plain}\"")).count(), 2, "{svg}");
    }
}
