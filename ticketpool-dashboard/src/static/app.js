// The dashboard page: everything live comes from one EventSource on
// /events (a snapshot every half second plus each notification); the
// browser never polls. Actions are plain fetch() calls to /api.
"use strict";

const $ = (id) => document.getElementById(id);
const timeline = []; // {sold, available, held, rate} per snapshot, for the chart
const HISTORY = 240;
let knownTypes = "";
// Snapshots drawn so far: tests wait on this count, never on the clock.
let snapshotsShown = 0;

function text(id, value) { $(id).textContent = value; }

function onSnapshot(s) {
  text("event-name", s.event_name);
  text("sold", s.totals.sold);
  text("sold-of", "of " + s.total_tickets);
  text("available", s.totals.available);
  text("held", s.totals.held);
  text("released", s.totals.released);
  text("revenue", s.revenue_display);
  text("rate", s.sales_per_second.toFixed(1));
  text("waiting-vip", s.waiting_vip);
  text("waiting-regular", s.waiting_regular);
  const status = $("status");
  const state = s.closed ? "closed" : s.sold_out ? "sold out" : s.paused ? "paused" : "live";
  status.textContent = state;
  status.className = "badge " + (s.closed || s.sold_out ? "ended" : s.paused ? "paused" : "live");

  const types = $("by-type");
  types.replaceChildren(...Object.entries(s.by_type).map(([name, c]) =>
    row([name, c.available, c.held, c.sold, c.released])));
  const vendors = $("by-vendor");
  vendors.replaceChildren(...Object.entries(s.by_vendor).map(([name, c]) => {
    const rate = s.vendor_rates[name];
    const tr = row([name, c.available, c.sold, c.released]);
    const rateCell = document.createElement("td");
    const actions = document.createElement("td");
    if (rate === undefined) {
      rateCell.textContent = "removed";
    } else {
      const input = document.createElement("input");
      input.type = "number"; input.min = "0"; input.step = "any"; input.value = rate;
      input.dataset.vendor = name;
      input.addEventListener("change", () => setRate(name, input.value));
      rateCell.append(input);
      const remove = button("remove", () => admin("DELETE", "/api/admin/vendors/" + encodeURIComponent(name)));
      actions.append(remove);
    }
    tr.append(rateCell, actions);
    return tr;
  }));
  // Keep the vendor rate input the user is typing in.
  const typeNames = s.ticket_types.map((t) => t.name).join(",");
  if (typeNames !== knownTypes) {
    knownTypes = typeNames;
    const select = $("ticket-type");
    select.replaceChildren(new Option("any", ""), ...s.ticket_types.map((t) => new Option(t.name + " (" + t.price + ")", t.name)));
  }

  timeline.push({ sold: s.totals.sold, available: s.totals.available, held: s.totals.held, rate: s.sales_per_second });
  if (timeline.length > HISTORY) timeline.shift();
  draw();  snapshotsShown += 1;
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) {
    const td = document.createElement("td");
    td.textContent = cell;
    tr.append(td);
  }
  return tr;
}

function button(label, action) {
  const b = document.createElement("button");
  b.type = "button"; b.textContent = label;
  b.addEventListener("click", action);
  return b;
}

function describe(n) {
  switch (n.kind) {
    case "sold": return `sold #${n.ticket_id} ${n.ticket_type} to ${n.customer}${n.priority === "vip" ? " (VIP)" : ""} for ${n.price}${n.hold_id ? " via hold " + n.hold_id : ""}`;
    case "hold_placed": return `hold ${n.hold} on #${n.ticket} for ${n.customer}`;
    case "hold_confirmed": return `hold ${n.hold} confirmed`;
    case "hold_cancelled": return `hold ${n.hold} cancelled, #${n.ticket} back on sale`;
    case "hold_expired": return `hold ${n.hold} expired, #${n.ticket} back on sale`;
    case "vendor_added": return `vendor ${n.vendor} added`;
    case "vendor_removed": return `vendor ${n.vendor} removed`;
    case "paused": return "releases paused";
    case "resumed": return "releases resumed";
    case "sold_out": return "SOLD OUT";
    case "closed": return "event closed";
    case "lagged": return `(${n.missed} notifications skipped)`;
    default: return n.kind;
  }
}

function onNotification(n) {
  // Hold placements are many and dull; their outcomes are listed.
  if (n.kind === "hold_placed" || n.kind === "hold_confirmed") return;
  const li = document.createElement("li");
  li.className = n.kind;
  li.textContent = new Date().toLocaleTimeString() + "  " + describe(n);
  const feed = $("feed");
  feed.prepend(li);
  while (feed.children.length > 80) feed.lastChild.remove();
}

function draw() {
  const canvas = $("chart");
  // Draw at the size the page gives the canvas, so lines stay crisp.
  if (canvas.width !== canvas.clientWidth && canvas.clientWidth > 0) canvas.width = canvas.clientWidth;
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  if (timeline.length < 2) return;
  const style = getComputedStyle(document.documentElement);
  const series = (key, color, max) => {
    ctx.strokeStyle = style.getPropertyValue(color).trim();
    ctx.lineWidth = 2;
    ctx.beginPath();
    timeline.forEach((p, i) => {
      const x = (i / Math.max(timeline.length - 1, 1)) * w;
      const y = h - 4 - (p[key] / Math.max(max, 1)) * (h - 8);
      i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y);
    });
    ctx.stroke();
  };
  const maxCount = Math.max(...timeline.map((p) => Math.max(p.sold, p.available, p.held)));
  series("sold", "--sold", maxCount);
  series("available", "--available", maxCount);
  series("held", "--held", maxCount);
  series("rate", "--rate", Math.max(...timeline.map((p) => p.rate)));
}

async function call(method, url, body, headers = {}) {
  const init = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(url, init);
  const data = await response.json().catch(() => ({ error: "bad response (" + response.status + ")" }));
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function show(id, message, error) {
  const el = $(id);
  el.textContent = message;
  el.className = "result" + (error ? " error" : "");
}

async function admin(method, url, body) {
  try {
    const data = await call(method, url, body, { Authorization: "Bearer " + $("admin-token").value });
    show("admin-result", "ok: " + JSON.stringify(data));
  } catch (e) {
    show("admin-result", e.message, true);
  }
}

function setRate(name, value) {
  admin("POST", "/api/admin/vendors/" + encodeURIComponent(name) + "/rate", { rate: Number(value) });
}

$("pause").addEventListener("click", () => admin("POST", "/api/admin/pause"));
$("resume").addEventListener("click", () => admin("POST", "/api/admin/resume"));
$("close").addEventListener("click", () => admin("POST", "/api/admin/close"));
$("vendor-form").addEventListener("submit", (e) => {
  e.preventDefault();
  admin("POST", "/api/admin/vendors", { name: $("vendor-name").value, rate: Number($("vendor-rate").value), types: [] });
});

$("buy-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const request = {
    customer: $("customer").value,
    vip: $("vip").checked,
    ticket_type: $("ticket-type").value || null,
    reserve: $("reserve").checked,
  };
  show("buy-result", "waiting for a ticket…");
  try {
    const r = await call("POST", "/api/buy", request);
    if (r.result === "held") {
      show("buy-result", `held #${r.ticket_id} (${r.ticket_type}) at ${r.price} for ${Math.round(r.expires_in_ms / 1000)} s`);
      addHold(r);
    } else {
      show("buy-result", `bought #${r.ticket_id} (${r.ticket_type}) for ${r.price}`);
    }
  } catch (err) {
    show("buy-result", err.message, true);
  }
});

function addHold(h) {
  const li = document.createElement("li");
  li.textContent = `hold ${h.hold_id}: #${h.ticket_id} ${h.ticket_type} ${h.price} `;
  const settle = (action) => async () => {
    try {
      const r = await call("POST", `/api/holds/${h.hold_id}/${action}`);
      show("buy-result", action === "confirm" ? `bought #${r.ticket_id} for ${r.price}` : `hold ${h.hold_id} cancelled`);
    } catch (err) {
      show("buy-result", err.message, true);
    }
    li.remove();
  };
  li.append(button("confirm", settle("confirm")), button("cancel", settle("cancel")));
  $("holds").append(li);
}

const source = new EventSource("/events");
source.addEventListener("snapshot", (e) => onSnapshot(JSON.parse(e.data)));
source.addEventListener("notification", (e) => onNotification(JSON.parse(e.data)));
source.onerror = () => { $("status").textContent = "reconnecting…"; $("status").className = "badge"; };
