//! `--plot FILE.svg`: three charts in one SVG (plotters, SVG backend
//! only): tickets sold over time, the office's contents and queues over
//! time, and the wait-time distribution per priority.

use std::path::Path;

use plotters::prelude::*;
use ticketpool_core::Priority;
use ticketpool_sim::{Report, TimelinePoint, WaitBucket};

type PlotResult = Result<(), Box<dyn std::error::Error>>;

/// The chart formats `--plot` writes, by file extension. Only SVG:
/// plotters' bitmap backend draws no text without a font backend (`ttf`
/// or `ab_glyph`), so a PNG would be a chart without labels.
pub const EXTENSIONS: &[&str] = &["svg"];

/// Writes the chart.
///
/// # Errors
///
/// Whatever the SVG backend reports (an unwritable path).
pub fn write_svg(report: &Report, path: &Path) -> PlotResult {
    let root = SVGBackend::new(path, (960, 1080)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(
        &format!(
            "{} ({:?}, seed {})",
            report.event_name, report.strategy, report.seed
        ),
        ("sans-serif", 22),
    )?;
    let panels = root.split_evenly((3, 1));
    sold_over_time(report, &panels[0])?;
    contents_over_time(report, &panels[1])?;
    wait_distribution(report, &panels[2])?;
    root.present()?;
    Ok(())
}

fn seconds(t_ms: u64) -> f64 {
    t_ms as f64 / 1_000.0
}

/// One value of a timeline sample, drawn as one line.
type Series = (&'static str, RGBColor, fn(&TimelinePoint) -> u64);

fn sold_over_time<DB: DrawingBackend>(
    report: &Report,
    area: &DrawingArea<DB, plotters::coord::Shift>,
) -> PlotResult
where
    DB::ErrorType: 'static,
{
    timeline_chart(
        report,
        area,
        "tickets released and sold",
        report.total_tickets,
        &[
            ("released", BLUE, |p| p.released),
            ("sold", GREEN, |p| p.sold),
        ],
    )
}

fn contents_over_time<DB: DrawingBackend>(
    report: &Report,
    area: &DrawingArea<DB, plotters::coord::Shift>,
) -> PlotResult
where
    DB::ErrorType: 'static,
{
    let top = report
        .timeline
        .iter()
        .map(|p| {
            p.available
                .max(p.held)
                .max(p.waiting_vip)
                .max(p.waiting_regular)
        })
        .max()
        .unwrap_or(0)
        .max(report.max_capacity as u64);
    timeline_chart(
        report,
        area,
        "available, held and waiting",
        top,
        &[
            ("available", BLUE, |p| p.available),
            ("held", MAGENTA, |p| p.held),
            ("waiting vip", RED, |p| p.waiting_vip),
            ("waiting regular", BLACK, |p| p.waiting_regular),
        ],
    )
}

/// Lines over the run's timeline, from 0 to `top` on the y axis.
fn timeline_chart<DB: DrawingBackend>(
    report: &Report,
    area: &DrawingArea<DB, plotters::coord::Shift>,
    caption: &str,
    top: u64,
    series: &[Series],
) -> PlotResult
where
    DB::ErrorType: 'static,
{
    let end = seconds(report.timeline.last().map_or(1, |p| p.t_ms)).max(0.001);
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(32)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..end, 0..top.max(1))?;
    chart.configure_mesh().x_desc("seconds").draw()?;
    for &(label, color, value) in series {
        chart
            .draw_series(LineSeries::new(
                report.timeline.iter().map(|p| (seconds(p.t_ms), value(p))),
                color.stroke_width(2),
            ))?
            .label(label)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color));
    }
    chart.configure_series_labels().border_style(BLACK).draw()?;
    Ok(())
}

/// Share of each priority's sales per doubling wait bucket, on a log2
/// axis of microseconds.
fn wait_distribution<DB: DrawingBackend>(
    report: &Report,
    area: &DrawingArea<DB, plotters::coord::Shift>,
) -> PlotResult
where
    DB::ErrorType: 'static,
{
    let log2 = |b: &WaitBucket| (b.upper_us.max(1) as f64).log2();
    let all = report
        .wait_distribution
        .vip
        .iter()
        .chain(&report.wait_distribution.regular);
    let right = all.map(log2).fold(1.0_f64, f64::max) + 1.0;
    let mut chart = ChartBuilder::on(area)
        .caption("wait time by priority (share of sales)", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(32)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..right, 0.0..1.0)?;
    chart
        .configure_mesh()
        .x_desc("wait, µs (log2)")
        .x_label_formatter(&|x| format!("{:.0}", 2_f64.powf(*x)))
        .draw()?;
    for (label, color, buckets) in [
        (Priority::Vip.as_str(), RED, &report.wait_distribution.vip),
        (
            Priority::Regular.as_str(),
            BLACK,
            &report.wait_distribution.regular,
        ),
    ] {
        let total: u64 = buckets.iter().map(|b| b.count).sum();
        if total == 0 {
            continue;
        }
        chart
            .draw_series(LineSeries::new(
                buckets
                    .iter()
                    .map(|b| (log2(b), b.count as f64 / total as f64)),
                color.stroke_width(2),
            ))?
            .label(label)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], color));
    }
    chart.configure_series_labels().border_style(BLACK).draw()?;
    Ok(())
}
