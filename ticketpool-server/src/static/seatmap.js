// A seated event's seat map: an SVG of every seat, coloured by its state,
// kept live from the `seats` deltas on the event's stream. Click available
// seats to pick them, then "Reserve seats" holds them (all or none); the
// hold is an ordinary one, shown by the event page with its countdown.
//
// Versions: the map comes with one, each delta carries the next. A delta
// that skips a version means some were missed: the map is read again.

import { call } from "./api.js";
import { h } from "./ui.js";

const SVG = "http://www.w3.org/2000/svg";
/** Pixels per unit of the map's positions. */
const UNIT = 22;

function svg(tag, attrs = {}) {
  const element = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, String(value));
  return element;
}

/**
 * Draws event `id`'s seat map into `container`: the event page calls it for an
 * event whose JSON says `seated` (a draft or a venue that lost its map still
 * answers null).
 * `onHold(hold)` gets a new hold; `onError(error)` a refusal. Returns a
 * stop function, or null for an event without seats.
 */
export async function renderSeatMap(container, id, { onHold, onError, newKey }) {
  let map;
  try {
    map = await call("GET", `/api/events/${id}/seats`);
  } catch (error) {
    if (error.code === "not_seated" || error.code === "not_on_sale") return null;
    throw error;
  }
  const byLabel = new Map();
  const picked = new Set();
  let version = 0;
  const summary = h("p", { id: "seat-summary", "aria-live": "polite" });
  const pickedText = h("p", { id: "seats-picked" }, "No seat picked.");
  const reserve = h("button", { id: "reserve-seats", type: "button", disabled: true }, "Reserve seats");
  const picture = svg("svg", { id: "seat-map", role: "group", "aria-label": "Seat map" });
  container.append(
    h("h2", { id: "seats-title" }, "Seats"),
    h("p", { class: "muted" }, "Click available seats to pick them. ",
      h("span", { class: "legend available" }, "available"), " ",
      h("span", { class: "legend held" }, "held"), " ",
      h("span", { class: "legend sold" }, "sold"), " ",
      h("span", { class: "legend picked" }, "picked")),
    picture, summary, pickedText, reserve);
  container.hidden = false;

  function paint(label) {
    const seat = byLabel.get(label);
    if (!seat) return;
    const state = picked.has(label) ? "picked" : seat.state;
    seat.node.setAttribute("class", `seat ${state}`);
    seat.node.setAttribute("data-state", seat.state);
    seat.node.setAttribute("aria-pressed", picked.has(label) ? "true" : "false");
  }

  function showPicked() {
    const labels = [...picked];
    pickedText.textContent = labels.length ? `Picked: ${labels.join(", ")}` : "No seat picked.";
    reserve.disabled = labels.length === 0;
  }

  function showCounts() {
    let available = 0;
    for (const seat of byLabel.values()) if (seat.state === "available") available += 1;
    summary.textContent = `${available} of ${byLabel.size} seats available (${map.tiers.map((t) => `${t.name} ${t.price}`).join(", ")})`;
  }

  function draw(fresh) {
    map = fresh;
    version = fresh.version;
    byLabel.clear();
    picture.replaceChildren();
    let maxX = 0;
    let maxY = 0;
    for (const section of fresh.sections) {
      for (const row of section.rows) {
        for (const seat of row.seats) {
          const node = svg("circle", {
            cx: (seat.x + 1) * UNIT, cy: (seat.y + 1) * UNIT, r: UNIT * 0.4,
            "data-seat": seat.label, tabindex: 0, role: "button", "aria-label": `${seat.label} (${seat.tier})`,
          });
          const title = svg("title");
          title.textContent = `${seat.label} · ${seat.tier}${seat.flags.length ? ` · ${seat.flags.join(", ")}` : ""}`;
          node.append(title);
          const toggle = () => {
            const current = byLabel.get(seat.label);
            if (picked.has(seat.label)) picked.delete(seat.label);
            else if (current.state === "available") picked.add(seat.label);
            paint(seat.label);
            showPicked();
          };
          node.addEventListener("click", toggle);
          node.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); } });
          picture.append(node);
          byLabel.set(seat.label, { node, state: seat.state });
          maxX = Math.max(maxX, seat.x);
          maxY = Math.max(maxY, seat.y);
        }
      }
    }
    picture.setAttribute("viewBox", `0 0 ${(maxX + 2) * UNIT} ${(maxY + 2) * UNIT}`);
    picture.setAttribute("width", (maxX + 2) * UNIT);
    for (const label of [...picked]) if (byLabel.get(label)?.state !== "available") picked.delete(label);
    for (const label of byLabel.keys()) paint(label);
    showPicked();
    showCounts();
  }

  async function reread() {
    try {
      draw(await call("GET", `/api/events/${id}/seats`));
    } catch (error) {
      onError(error);
    }
  }

  function apply(delta) {
    if (delta.version <= version) return; // already in the map
    if (delta.version !== version + 1) {
      reread(); // missed one
      return;
    }
    version = delta.version;
    for (const change of delta.seats) {
      const seat = byLabel.get(change.seat);
      if (!seat) continue;
      seat.state = change.state;
      if (change.state !== "available") picked.delete(change.seat);
      paint(change.seat);
    }
    showPicked();
    showCounts();
  }

  reserve.addEventListener("click", async () => {
    reserve.disabled = true;
    try {
      const hold = await call("POST", `/api/events/${id}/seat-holds`, {
        auth: "customer", body: { seats: [...picked] }, headers: { "Idempotency-Key": newKey() },
      });
      picked.clear();
      for (const label of hold.seats) {
        const seat = byLabel.get(label);
        if (seat) seat.state = "held";
        paint(label);
      }
      showPicked();
      onHold(hold);
    } catch (error) {
      // Taken meanwhile: drop them from the pick, show the rest.
      for (const label of error.seats || []) picked.delete(label);
      for (const label of byLabel.keys()) paint(label);
      showPicked();
      onError(error);
    }
  });

  draw(map);
  const source = new EventSource(`/api/events/${id}/live`);
  source.addEventListener("seats", (e) => apply(JSON.parse(e.data)));
  return () => source.close();
}
