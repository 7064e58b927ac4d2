// What the dashboard's and the admin page's uPlot charts share: the time window of the x axis, its clock-time
// ticks, and the page's colours from its CSS custom properties.

/** The x scale: up to `seconds` back from the newest point, at least 30 s, or the last 30 s before one. */
export function timeWindow(min, max, seconds) {
  if (!Number.isFinite(max)) {
    const now = Date.now() / 1000;
    return [now - 30, now];
  }
  return [max - Math.min(seconds, Math.max(30, max - min)), max];
}

/** Clock times for the x axis, 24-hour. */
export function clockTicks(u, splits) {
  return splits.map((t) => {
    const d = new Date(t * 1000);
    return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}:`
      + String(d.getSeconds()).padStart(2, '0');
  });
}

/** The value of a CSS custom property of the page, e.g. css('--accent'). */
export function css(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
