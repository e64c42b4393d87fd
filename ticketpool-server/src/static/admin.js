// The admin page: the admin token (kept for this tab only), every event
// (drafts too) with put on sale / pause / resume / close sales / cancel
// (the last two ask to be confirmed first), an edit form (admin_edit.js),
// a form creating a venue, a performer and an event, VIP grants, live
// charts of one event (sold, available and price, one line per ticket
// type), and that event's vendors and sales log (admin_sale.js).

import { call, session } from "./api.js";
import { h, field, toast, showError, when, saleState } from "./ui.js";
import { lineChart } from "./charts.js";
import { vendorsPanel, salesPanel } from "./admin_sale.js";
import { editPanel } from "./admin_edit.js";

export function renderAdmin(main) {
  const stops = [];
  const tokenInput = h("input", { id: "admin-token", name: "admin-token", type: "password", autocomplete: "off", value: session.adminToken() || "" });
  const tokenForm = h("form", { class: "panel", "aria-labelledby": "admin-title" },
    h("h1", { id: "admin-title" }, "Admin"),
    h("p", { class: "muted" }, "The admin token `ticketpool serve` printed (kept in this tab only)."),
    field("Admin token", tokenInput), h("button", { id: "admin-save", type: "submit" }, "Use token"));
  tokenForm.addEventListener("submit", (e) => {
    e.preventDefault();
    session.setAdminToken(tokenInput.value.trim());
    toast("Admin token set for this tab.");
    loadEvents();
  });

  const events = h("div", { id: "admin-events", "aria-live": "polite" });
  const eventsPanel = h("section", { class: "panel wide", "aria-labelledby": "admin-events-title" },
    h("h2", { id: "admin-events-title" }, "Events"), events);

  const charts = h("div", { id: "charts" });
  const chartsTitle = h("h2", { id: "charts-title" }, "Live charts");
  const chartsPanel = h("section", { class: "panel wide", "aria-labelledby": "charts-title" },
    chartsTitle, h("p", { class: "muted" }, "Choose “Charts” on an event."), charts);

  const vendors = vendorsPanel();
  const sales = salesPanel();
  const edit = editPanel(() => loadEvents());
  // The tables (events, vendors) take whole rows: their buttons never
  // spill under a neighbouring panel.
  main.append(tokenForm, edit.panel, eventsPanel, vendors.panel, createForm(loadEvents), vipForm(), sales.panel, chartsPanel);

  async function act(id, action) {
    try {
      const event = await call("POST", `/api/admin/events/${id}/${action}`, { auth: "admin", body: {} });
      toast(`${event.name}: ${saleState(null, event.status)}.`);
    } catch (error) {
      showError(null, error);
    }
    loadEvents();
  }

  async function loadEvents() {
    try {
      if (!session.adminToken()) {
        events.replaceChildren(h("p", { class: "muted" }, "Enter the admin token to list the events."));
        return;
      }
      const answer = await call("GET", "/api/admin/events", { auth: "admin" });
      events.replaceChildren(h("table", {},
        h("thead", {}, h("tr", {}, ["Id", "Event", "Starts", "Status", "Actions"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, answer.events.map((event) => h("tr", { "data-event-id": event.id },
          h("td", {}, event.id),
          h("td", {}, h("a", { href: `#/event/${event.id}` }, event.name)),
          h("td", {}, when(event.starts_at)),
          h("td", { class: "status" }, saleState(null, event.status)),
          h("td", {},
            button("Put on sale", "on-sale", event.status === "draft", () => act(event.id, "on-sale")),
            button("Pause", "pause", event.status === "on_sale", () => act(event.id, "pause")),
            button("Resume", "resume", event.status === "paused", () => act(event.id, "resume")),
            button("Close sales", "close-sales danger", ["on_sale", "paused", "sold_out"].includes(event.status),
              (e) => confirmStep(e.target, `Close the sales of ${event.name} for good? Tickets sold stay valid; nothing more is sold.`,
                "Yes, close sales", () => act(event.id, "close"))),
            button("Cancel", "cancel danger", ["on_sale", "paused", "sold_out"].includes(event.status), () => {
              if (confirm(`Cancel ${event.name}? This cannot be undone.`)) act(event.id, "cancel");
            }),
            button("Edit", "edit", !["cancelled", "closed", "past"].includes(event.status), () => edit.show(event)),
            button("Charts", "chart", event.status !== "draft", () => showCharts(event)),
            button("Vendors", "vendors", true, () => vendors.show(event)),
            button("Sales", "sales", true, () => sales.show(event))))))));
    } catch (error) {
      showError(events, error);
    }
  }

  function showCharts(event) {
    stops.splice(0).forEach((stop) => stop());
    charts.replaceChildren();
    chartsTitle.textContent = `Live charts: ${event.name}`;
    const source = new EventSource(`/api/events/${event.id}/live`);
    const rate = h("p", {}, "Sales per second: ", h("strong", { id: "chart-rate" }, "0"));
    const boxes = [h("div", { class: "chart" }), h("div", { class: "chart" }), h("div", { class: "chart" })];
    charts.append(rate, ...boxes);
    let made = null;
    source.addEventListener("availability", (e) => {
      const a = JSON.parse(e.data);
      const names = a.ticket_types.map((t) => t.name);
      if (!made) {
        made = [
          lineChart(boxes[0], "Sold by type", "tickets sold", names),
          lineChart(boxes[1], "Available by type", "tickets on sale", names),
          lineChart(boxes[2], "Current price by type", "price", names),
        ];
        stops.push(() => made.forEach((chart) => chart.destroy()));
      }
      made[0].push(a.ticket_types.map((t) => t.sold));
      made[1].push(a.ticket_types.map((t) => t.available));
      made[2].push(a.ticket_types.map((t) => Number(t.price)));
      document.getElementById("chart-rate").textContent = String(a.sales_rate);
      charts.dataset.points = String(made[0].points());
    });
    stops.push(() => source.close());
  }

  loadEvents();
  return () => stops.forEach((stop) => stop());
}

/**
 * Asks in place, next to `anchor`, before a step that cannot be undone:
 * `yes` runs `onYes`, "Keep selling" takes the question away.
 */
function confirmStep(anchor, question, yes, onYes) {
  const cell = anchor.parentElement;
  if (cell.querySelector(".confirm-step")) return;
  const box = h("div", { class: "confirm-step", role: "alertdialog", "aria-label": question },
    h("p", {}, question),
    h("button", { type: "button", class: "confirm-yes danger", onclick: () => { box.remove(); onYes(); } }, yes), " ",
    h("button", { type: "button", class: "confirm-no", onclick: () => { box.remove(); anchor.focus(); } }, "Keep selling"));
  cell.append(box);
  box.querySelector(".confirm-no").focus();
}

function button(text, className, enabled, onClick) {
  return h("button", { type: "button", class: className, disabled: !enabled, onclick: onClick }, text);
}

/** Types as "stalls 45.00, balcony 25.00" → the office's ticket_types. */
function parseTypes(text) {
  return text.split(",").map((part) => part.trim()).filter(Boolean).map((part) => {
    const [name, price] = part.split(/\s+/);
    if (!name || !price || !/^\d+(\.\d{1,2})?$/.test(price)) {
      throw new Error(`"${part}": write each type as a name and a price, such as "stalls 45.00"`);
    }
    return { name, price };
  });
}

function createForm(reload) {
  const input = (id, attrs = {}) => h("input", { id, name: id, required: true, ...attrs });
  const tomorrow = new Date(Date.now() + 30 * 86400e3).toISOString().slice(0, 16);
  const f = {
    name: input("new-name"),
    venue: input("new-venue", { value: "Olympia" }),
    city: input("new-city", { value: "Paris" }),
    capacity: input("new-capacity", { type: "number", min: 1, value: 2000 }),
    performer: h("input", { id: "new-performer", name: "new-performer" }),
    starts: input("new-starts", { type: "datetime-local", value: tomorrow }),
    zone: input("new-zone", { value: "UTC" }),
    categories: h("input", { id: "new-categories", name: "new-categories", placeholder: "jazz, music" }),
    types: input("new-types", { value: "stalls 45.00, balcony 25.00" }),
    total: input("new-total", { type: "number", min: 1, value: 500 }),
    capacityOnSale: input("new-max-capacity", { type: "number", min: 1, value: 50 }),
    limit: input("new-limit", { type: "number", min: 1, value: 4 }),
    hold: input("new-hold", { type: "number", min: 1, value: 120 }),
    onSale: h("input", { id: "new-on-sale", type: "checkbox", checked: true }),
  };
  const result = h("p", { id: "create-result", class: "result", "aria-live": "polite" });
  const form = h("form", { class: "panel", "aria-labelledby": "create-title" },
    h("h2", { id: "create-title" }, "Create an event"),
    field("Name", f.name), field("Venue", f.venue), field("City", f.city), field("Venue capacity", f.capacity),
    field("Performer (optional)", f.performer), field("Starts (UTC)", f.starts), field("Shown in time zone", f.zone),
    field("Categories", f.categories), field("Types and prices", f.types), field("Tickets", f.total),
    field("On sale at once, at most", f.capacityOnSale), field("Limit per customer", f.limit),
    field("Hold seconds", f.hold), field("Put on sale now", f.onSale),
    h("button", { id: "create-button", type: "submit" }, "Create"), result);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const ticketTypes = parseTypes(f.types.value);
      const venue = await call("POST", "/api/admin/venues", { auth: "admin",
        body: { name: f.venue.value.trim(), city: f.city.value.trim(), capacity: Number(f.capacity.value) } });
      const performers = [];
      if (f.performer.value.trim()) {
        const performer = await call("POST", "/api/admin/performers", { auth: "admin", body: { name: f.performer.value.trim() } });
        performers.push(performer.id);
      }
      const total = Number(f.total.value);
      const event = await call("POST", "/api/admin/events", { auth: "admin", body: {
        name: f.name.value.trim(),
        venue: venue.id,
        performers,
        starts_at: `${f.starts.value}:00Z`,
        time_zone: f.zone.value.trim() || "UTC",
        categories: f.categories.value.split(",").map((c) => c.trim()).filter(Boolean),
        office: {
          event_name: f.name.value.trim(),
          total_tickets: total,
          max_capacity: Math.min(total, Number(f.capacityOnSale.value)),
          purchase_limit: Number(f.limit.value),
          hold_ttl_ms: Number(f.hold.value) * 1000,
          ticket_types: ticketTypes,
        },
      } });
      if (f.onSale.checked) {
        await call("POST", `/api/admin/events/${event.id}/on-sale`, { auth: "admin", body: {} });
      }
      result.className = "result ok";
      result.textContent = `Created event ${event.id}${f.onSale.checked ? ", on sale" : " (a draft)"}.`;
      reload();
    } catch (error) {
      showError(result, error);
    }
  });
  return form;
}

function vipForm() {
  const name = h("input", { id: "vip-name", name: "vip-name", required: true });
  const result = h("p", { id: "vip-result", class: "result", "aria-live": "polite" });
  const set = async (grant) => {
    try {
      const answer = await call(grant ? "POST" : "DELETE", `/api/admin/customers/${encodeURIComponent(name.value.trim())}/vip`, { auth: "admin" });
      result.className = "result ok";
      result.textContent = `${answer.name} is ${answer.vip ? "now a VIP" : "no longer a VIP"}.`;
    } catch (error) {
      showError(result, error);
    }
  };
  const form = h("form", { class: "panel", "aria-labelledby": "vip-title" },
    h("h2", { id: "vip-title" }, "VIP"),
    field("Customer name", name),
    h("button", { id: "vip-grant", type: "submit" }, "Grant VIP"), " ",
    h("button", { id: "vip-revoke", type: "button", onclick: () => set(false) }, "Revoke VIP"), result);
  form.addEventListener("submit", (e) => { e.preventDefault(); set(true); });
  return form;
}
