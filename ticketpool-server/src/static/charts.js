// Live charts on uPlot (vendored, see /assets/uPlot.LICENSE): a time
// axis, a labelled value axis and one line per ticket type, fed one
// point per availability message.

/** Colours for the per-type lines, in order. */
const COLOURS = ["#4fc3f7", "#ffb74d", "#81c784", "#f06292", "#ba68c8", "#fff176"];

/** How many points a chart keeps (the newest). */
const KEEP = 600;

/**
 * A chart in `container` titled `title`, its y axis labelled `yLabel`,
 * one line per name in `names`. Returns `{push(values), destroy()}`:
 * `values` has one number per name, taken now.
 */
export function lineChart(container, title, yLabel, names) {
  // uPlot draws on a canvas: say in words what the chart shows.
  container.setAttribute("role", "img");
  container.setAttribute("aria-label",
    `${title}: ${yLabel} (vertical axis) over time (horizontal axis), one line per type: ${names.join(", ")}`);
  const data = [[], ...names.map(() => [])];
  const width = () => Math.max(300, container.clientWidth - 8);
  const plot = new window.uPlot({
    title,
    width: width(),
    height: 240,
    scales: { x: { time: true } },
    axes: [
      { label: "time", stroke: "#c8d0d8", grid: { stroke: "#2a333d" } },
      { label: yLabel, stroke: "#c8d0d8", grid: { stroke: "#2a333d" }, size: 60 },
    ],
    series: [
      { label: "time" },
      ...names.map((name, i) => ({ label: name, stroke: COLOURS[i % COLOURS.length], width: 2 })),
    ],
  }, data, container);
  const resize = () => plot.setSize({ width: width(), height: 240 });
  window.addEventListener("resize", resize);
  return {
    push(values) {
      data[0].push(Date.now() / 1000);
      values.forEach((v, i) => data[i + 1].push(v));
      if (data[0].length > KEEP) data.forEach((column) => column.shift());
      plot.setData(data);
    },
    points: () => data[0].length,
    destroy() {
      window.removeEventListener("resize", resize);
      plot.destroy();
    },
  };
}
