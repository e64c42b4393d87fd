// One event: venue, performers, each type's availability and current
// price, live over the event's Server-Sent Events stream; a reserve form
// (signed-in customers), then the hold with a countdown to its expiry,
// confirm and cancel. When none is free (409 none_available), "wait in
// line" joins the waiting room: the place shows live from my own stream
// (`waiting`), and the hold arrives on it (`hold_created`). When an admin
// closes the sales, the page says so (the `closed` notice's message) and a
// wait in line ends with the reason its entry gives.

import { call, session, streamWithToken } from "./api.js";
import { h, field, toast, showError, when, countdown, saleState } from "./ui.js";
import { renderSeatMap } from "./seatmap.js";

/** A fresh Idempotency-Key: a retried click never books twice. */
function newKey() {
  // getRandomValues, unlike randomUUID, works outside secure contexts too.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function renderEvent(main, id) {
  const stops = [];
  const status = h("span", { id: "sale-status", class: "badge" }, "loading");
  const heading = h("h1", { id: "event-name" }, `Event ${id}`);
  const facts = h("p", { id: "event-facts" });
  const rate = h("span", { id: "sales-rate" }, "0");
  const totals = h("p", { id: "totals" });
  const note = h("p", { id: "sale-note", class: "result", "aria-live": "polite", hidden: true });
  const tbody = h("tbody", { id: "types" });
  const table = h("table", {},
    h("caption", {}, "Tickets by type (live)"),
    h("thead", {}, h("tr", {},
      ["Type", "Price", "Available", "Held", "Sold"].map((t) => h("th", { scope: "col" }, t)))),
    tbody);
  const typeSelect = h("select", { id: "reserve-type", name: "ticket_type" }, h("option", { value: "any" }, "any type"));
  const quantity = h("input", { id: "reserve-quantity", name: "quantity", type: "number", min: 1, max: 50, value: 1, required: true });
  const reserveButton = h("button", { id: "reserve-button", type: "submit" }, "Reserve");
  const result = h("p", { id: "booking-result", class: "result", "aria-live": "polite" });
  const holdPanel = h("div", { id: "hold", hidden: true });
  const linePanel = h("div", { id: "line", hidden: true });
  const seatPanel = h("section", { id: "seats", class: "panel", "aria-labelledby": "seats-title", hidden: true });
  const form = h("form", { class: "panel", "aria-labelledby": "reserve-title" },
    h("h2", { id: "reserve-title" }, "Reserve"),
    session.token() ? null : h("p", {}, h("a", { href: "#/account" }, "Sign up"), " to reserve tickets."),
    field("Type", typeSelect), field("How many", quantity), reserveButton, result, linePanel, holdPanel);

  main.append(
    h("section", { class: "panel", "aria-labelledby": "event-name" },
      heading, h("p", {}, "Sale: ", status, " · sales per second: ", rate), note, facts, totals, table),
    seatPanel, form);

  let event = null;
  let heldAt = "";

  function showTypes(types) {
    tbody.replaceChildren(...types.map((t) => h("tr", { "data-type": t.name },
      h("th", { scope: "row" }, t.name),
      h("td", { class: "price" }, t.price),
      h("td", { class: "available" }, t.available ?? "–"),
      h("td", {}, t.held ?? "–"),
      h("td", { class: "sold" }, t.sold ?? "–"))));
  }

  function showStatus(text) {
    status.textContent = text;
    status.className = `badge ${text.replace(" ", "_")}`;
  }

  /** Says why the sale ended, when it did for good. */
  function showNote(text) {
    note.textContent = text;
    note.hidden = !text;
  }

  function showAvailability(a) {
    showStatus(saleState(a, event && event.status));
    totals.textContent = `${a.available} available, ${a.held} held, ${a.sold} sold of ${event ? event.total_tickets : "?"}`;
    if (a.sales_rate !== undefined) rate.textContent = String(a.sales_rate);
    if (a.ticket_types) showTypes(a.ticket_types);
    reserveButton.disabled = a.closed || a.sold_out;
  }

  async function load() {
    try {
      event = await call("GET", `/api/events/${id}`);
    } catch (error) {
      showError(facts, error);
      status.textContent = "unknown";
      return;
    }
    document.title = `${event.name} · ticketpool`;
    heading.textContent = event.name;
    const performers = event.performers.map((p) => p.name).join(", ");
    facts.textContent = `${when(event.starts_at)} (${event.local_start} ${event.time_zone}) · ${event.venue.name}, ${event.venue.city}` +
      (performers ? ` · with ${performers}` : "") +
      ` · up to ${event.purchase_limit ?? "any number of"} tickets each, held ${event.hold_seconds} s`;
    for (const t of event.ticket_types) typeSelect.append(h("option", { value: t.name }, `${t.name} (${t.price})`));
    showTypes(event.ticket_types);
    if (event.availability) showAvailability(event.availability);
    else showStatus(saleState(null, event.status));
    if (event.status === "closed") {
      showNote("Sales are closed: no more tickets are sold. Tickets already bought stay valid.");
    }
    live();
    // A seated event: its seat map, live; a seat hold shows as any hold.
    // The event says whether it is seated: no probe of its seats.
    if (!event.seated) return;
    renderSeatMap(seatPanel, id, {
      newKey,
      onHold: (hold) => {
        result.className = "result";
        result.textContent = `Held ${hold.seats.join(", ")} until ${when(hold.expires_at)}: confirm before the countdown ends.`;
        showHold(hold);
      },
      onError: (error) => showError(result, error),
    }).then((stop) => { if (stop) stops.push(stop); }).catch((error) => showError(result, error));
  }

  function live() {
    const source = new EventSource(`/api/events/${id}/live`);
    stops.push(() => source.close());
    source.addEventListener("availability", (e) => showAvailability(JSON.parse(e.data)));
    for (const notice of ["paused", "resumed", "sold_out"]) {
      source.addEventListener(notice, () => {
        showStatus(notice === "resumed" ? "on sale" : notice.replace("_", " "));
        toast(`The sale is ${status.textContent}.`);
      });
    }
    // The last message: it says why (sales closed, cancelled, started).
    source.addEventListener("closed", (e) => {
      const data = JSON.parse(e.data);
      if (event && data.status) event.status = data.status;
      showStatus(saleState(null, data.status || "closed"));
      showNote(data.message || "");
      reserveButton.disabled = true;
      toast(data.message || "The sale is closed.");
      source.close();
    });
  }

  function showHold(hold) {
    heldAt = hold.id;
    const left = h("strong", { id: "countdown", "aria-live": "off" });
    const confirmButton = h("button", { id: "confirm-button", type: "button" }, "Confirm and pay");
    const cancelButton = h("button", { id: "cancel-button", type: "button", class: "danger" }, "Cancel");
    const stopCountdown = countdown(left, hold.expires_at, () => {
      if (heldAt !== hold.id) return;
      confirmButton.disabled = true;
      cancelButton.disabled = true;
      result.textContent = "The hold expired: its tickets are back on sale.";
      result.className = "result error";
    });
    stops.push(stopCountdown);
    confirmButton.addEventListener("click", async () => {
      confirmButton.disabled = true;
      try {
        const done = await call("POST", `/api/holds/${hold.id}/confirm`, {
          auth: "customer", body: { payment_ref: `web-${newKey()}` }, headers: { "Idempotency-Key": newKey() },
        });
        stopCountdown();
        heldAt = "";
        holdPanel.hidden = true;
        result.className = "result ok";
        result.replaceChildren(`Booked: ticket${done.tickets.length > 1 ? "s" : ""} `,
          done.tickets.map((t) => `#${t.ticket}`).join(", "), ". See ", h("a", { href: "#/mine" }, "my tickets"), ".");
        toast("Booked.");
      } catch (error) {
        confirmButton.disabled = false;
        showError(result, error);
      }
    });
    cancelButton.addEventListener("click", async () => {
      try {
        await call("DELETE", `/api/holds/${hold.id}`, { auth: "customer" });
        stopCountdown();
        heldAt = "";
        holdPanel.hidden = true;
        result.className = "result";
        result.textContent = "Cancelled: the tickets are back on sale.";
      } catch (error) {
        showError(result, error);
      }
    });
    holdPanel.replaceChildren(
      h("h3", {}, "Your hold"),
      h("p", {}, `${hold.quantity} × ${hold.ticket_type} for ${hold.total_price} — `,
        h("span", {}, "time left "), left),
      h("p", { class: "muted" }, `tickets ${hold.tickets.map((t) => `#${t.ticket} (${t.ticket_type}, ${t.price})`).join(", ")}`),
      confirmButton, " ", cancelButton);
    holdPanel.hidden = false;
  }

  /** Offers to wait in line for one ticket of the chosen type. */
  function offerLine() {
    const join = h("button", { id: "wait-button", type: "button" }, "Wait in line");
    join.addEventListener("click", () => waitInLine(typeSelect.value));
    linePanel.replaceChildren(h("p", {}, "None is free right now. Wait in line for one ticket?"), join);
    linePanel.hidden = false;
  }

  /**
   * Joins the line. My stream is opened first and its first message
   * awaited, so the hold cannot be created before the stream listens.
   */
  async function waitInLine(ticketType) {
    const place = h("strong", { id: "place-in-line" }, "…");
    const leave = h("button", { id: "leave-button", type: "button", class: "danger" }, "Leave the line");
    linePanel.replaceChildren(h("p", {}, "Waiting in line: place ", place), leave);
    const aborter = new AbortController();
    let entry = null;
    let places = [];
    let served = false;
    let listening;
    const ready = new Promise((resolve) => { listening = resolve; });
    // The first of the answer and the stream to bring the hold shows it.
    const serve = (hold) => {
      if (served) return;
      served = true;
      aborter.abort();
      linePanel.hidden = true;
      result.className = "result ok";
      result.textContent = `Your turn: held until ${when(hold.expires_at)}; confirm before the countdown ends.`;
      showHold(hold);
    };
    const showPlace = () => {
      const mine = entry && places.find((w) => w.id === entry.id);
      if (mine && mine.status === "ended") {
        // Refused while waiting (the sales closed...): say why, stop.
        aborter.abort();
        linePanel.hidden = true;
        showError(result, { code: mine.reason, message: `Your wait in line ended: ${mine.message}` });
      } else if (mine && mine.position) {
        place.textContent = String(mine.position);
      }
    };
    stops.push(() => aborter.abort());
    streamWithToken("/api/me/live", (name, data) => {
      listening();
      if (name === "waiting") {
        places = data.waiting;
        showPlace();
      } else if (name === "hold_created" && data.event === id && data.status === "held") {
        serve(data);
      }
    }, aborter.signal).catch(() => listening());
    await ready;
    try {
      const answer = await call("POST", `/api/events/${id}/holds`, {
        auth: "customer", body: { ticket_type: ticketType, quantity: 1, wait: true },
        headers: { "Idempotency-Key": newKey() },
      });
      if (!answer.waiting) {
        serve(answer); // a ticket came back meanwhile: held at once
        return;
      }
      entry = answer.waiting;
      if (served) return;
      place.textContent = String(entry.position ?? "…");
      showPlace();
      leave.addEventListener("click", async () => {
        try {
          await call("DELETE", `/api/waiting/${entry.id}`, { auth: "customer" });
          aborter.abort();
          linePanel.hidden = true;
          result.className = "result";
          result.textContent = "You left the line.";
        } catch (error) {
          showError(result, error);
        }
      });
    } catch (error) {
      aborter.abort();
      linePanel.hidden = true;
      showError(result, error);
    }
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    result.textContent = "";
    result.className = "result";
    reserveButton.disabled = true;
    linePanel.hidden = true;
    try {
      const hold = await call("POST", `/api/events/${id}/holds`, {
        auth: "customer",
        body: { ticket_type: typeSelect.value, quantity: Number(quantity.value) },
        headers: { "Idempotency-Key": newKey() },
      });
      result.textContent = `Held until ${when(hold.expires_at)}: confirm before the countdown ends.`;
      showHold(hold);
    } catch (error) {
      showError(result, error);
      if (error.code === "none_available" && Number(quantity.value) === 1) offerLine();
    } finally {
      reserveButton.disabled = false;
    }
  });

  load();
  return () => stops.forEach((stop) => stop());
}
