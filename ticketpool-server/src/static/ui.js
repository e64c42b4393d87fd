// Small DOM helpers shared by the pages: an element builder (text is
// always set as text, never parsed as HTML), messages, dates, countdowns.

/** `h("p", {class: "x"}, "text", child)`: an element. */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) element.addEventListener(key.slice(2), value);
    else if (value === true) element.setAttribute(key, "");
    else element.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** A labelled form field: a `<label>` wrapping its text and `input`. */
export function field(text, input) {
  return h("label", {}, h("span", {}, text), input);
}

/** Shows `text` in the status line (read out by screen readers). */
export function toast(text, isError = false) {
  const element = document.getElementById("toast");
  element.textContent = text;
  element.className = isError ? "error" : "";
}

/** Shows an error from the API in `element` and the status line. */
export function showError(element, error) {
  const text = error.code ? `${error.message} (${error.code})` : String(error.message || error);
  if (element) {
    element.textContent = text;
    element.className = "result error";
  }
  toast(text, true);
}

/** An RFC 3339 instant in the reader's locale. */
export function when(rfc3339) {
  const date = new Date(rfc3339);
  return Number.isNaN(date.getTime()) ? rfc3339 : date.toLocaleString();
}

/** "1:05" from seconds. */
export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/**
 * Counts down to `expiresAt` in `element`, calling `onExpired` once at
 * zero; returns a function that stops it.
 */
export function countdown(element, expiresAt, onExpired) {
  const end = new Date(expiresAt).getTime();
  // Already past at the start (a clock ahead of the server's): no
  // callback, so a caller that reloads on expiry cannot loop.
  let done = end <= Date.now();
  const tick = () => {
    const left = (end - Date.now()) / 1000;
    element.textContent = left > 0 ? clock(left) : "expired";
    element.dataset.secondsLeft = String(Math.max(0, Math.round(left)));
    if (left <= 0 && !done) {
      done = true;
      clearInterval(timer);
      if (onExpired) onExpired();
    }
  };
  const timer = setInterval(tick, 250);
  tick();
  return () => clearInterval(timer);
}

/** How each status reads ("closed" is an admin's close of the sales). */
const STATUS_TEXT = { on_sale: "on sale", sold_out: "sold out", closed: "sales closed" };

/** The badge text for an event's sale: a final status says why it ended. */
export function saleState(availability, status) {
  if (["closed", "cancelled", "past"].includes(status)) return STATUS_TEXT[status] || status;
  if (availability) {
    if (availability.closed) return "closed";
    if (availability.sold_out) return "sold out";
    if (availability.paused) return "paused";
    return "on sale";
  }
  return STATUS_TEXT[status] || status || "";
}
