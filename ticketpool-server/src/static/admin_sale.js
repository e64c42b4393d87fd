// The admin page's panels for one chosen event: its vendors (released
// counts, rate changes, add, remove) and its sales log (filters, paging,
// a CSV download fetched with the admin token, since a plain link cannot
// send the Authorization header).

import { call, session } from "./api.js";
import { h, field, toast, showError, when } from "./ui.js";

/** The vendors panel; `show(event)` points it at an event. */
export function vendorsPanel() {
  const title = h("h2", { id: "vendors-title" }, "Vendors");
  const list = h("div", { id: "admin-vendors", "aria-live": "polite" },
    h("p", { class: "muted" }, "Choose “Vendors” on an event."));
  const result = h("p", { id: "vendors-result", class: "result", "aria-live": "polite" });
  const name = h("input", { id: "vendor-name", name: "vendor-name", required: true });
  const types = h("input", { id: "vendor-types", name: "vendor-types", placeholder: "every type" });
  const rate = h("input", { id: "vendor-rate", name: "vendor-rate", type: "number", min: 0, step: "any", placeholder: "unpaced" });
  const add = h("form", { hidden: true },
    h("h3", {}, "Add a vendor"),
    field("Name", name), field("Types (comma separated)", types), field("Tickets a second", rate),
    h("button", { id: "vendor-add", type: "submit" }, "Add vendor"));
  const panel = h("section", { class: "panel wide", "aria-labelledby": "vendors-title" }, title, list, add, result);
  let event = null;

  const rateOf = (text) => (text.trim() === "" ? null : Number(text));

  async function load() {
    try {
      const answer = await call("GET", `/api/admin/events/${event.id}/vendors`, { auth: "admin" });
      list.replaceChildren(h("table", {},
        h("thead", {}, h("tr", {}, ["Vendor", "Types", "Rate /s", "Released", "New rate", ""].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, answer.vendors.map((v) => {
          const input = h("input", { type: "number", min: 0, step: "any", class: "rate-input", "aria-label": `New rate for ${v.name}`,
            value: v.rate_per_second ?? "" });
          return h("tr", { "data-vendor": v.name },
            h("td", {}, v.name),
            h("td", {}, v.ticket_types.join(", ")),
            h("td", { class: "rate" }, v.rate_per_second ?? "unpaced"),
            h("td", { class: "released" }, v.released),
            h("td", {}, input),
            h("td", {},
              h("button", { type: "button", class: "set-rate", onclick: () => setRate(v.name, input.value) }, "Set rate"),
              h("button", { type: "button", class: "remove danger", onclick: () => remove(v.name) }, "Remove")));
        }))));
    } catch (error) {
      showError(result, error);
    }
  }

  async function change(method, path, body, done) {
    try {
      await call(method, path, { auth: "admin", body });
      result.className = "result ok";
      result.textContent = done;
      toast(done);
    } catch (error) {
      showError(result, error);
    }
    load();
  }

  const vendorPath = (vendor) => `/api/admin/events/${event.id}/vendors/${encodeURIComponent(vendor)}`;
  const setRate = (vendor, text) =>
    change("PATCH", vendorPath(vendor), { rate_per_second: rateOf(text) }, `${vendor}: rate set.`);
  const remove = (vendor) => change("DELETE", vendorPath(vendor), undefined, `${vendor} removed.`);

  add.addEventListener("submit", (e) => {
    e.preventDefault();
    const body = {
      name: name.value.trim(),
      ticket_types: types.value.split(",").map((t) => t.trim()).filter(Boolean),
      rate_per_second: rateOf(rate.value),
    };
    change("POST", `/api/admin/events/${event.id}/vendors`, body, `${body.name} added.`);
  });

  return {
    panel,
    show(chosen) {
      event = chosen;
      title.textContent = `Vendors: ${chosen.name}`;
      add.hidden = false;
      result.textContent = "";
      load();
    },
  };
}

const PAGE = 50;

/** The sales log panel; `show(event)` points it at an event. */
export function salesPanel() {
  const title = h("h2", { id: "sales-title" }, "Sales log");
  const customer = h("input", { id: "sales-customer", name: "sales-customer" });
  const type = h("input", { id: "sales-type", name: "sales-type" });
  const filters = h("form", { hidden: true },
    field("Customer", customer), field("Ticket type", type),
    h("button", { id: "sales-apply", type: "submit" }, "Show"),
    h("button", { id: "sales-csv", type: "button", onclick: () => download() }, "Download CSV"));
  const table = h("div", { id: "admin-sales", "aria-live": "polite" },
    h("p", { class: "muted" }, "Choose “Sales” on an event."));
  const more = h("button", { id: "sales-more", type: "button", hidden: true }, "More");
  const result = h("p", { id: "sales-result", class: "result", "aria-live": "polite" });
  const panel = h("section", { class: "panel wide", "aria-labelledby": "sales-title" }, title, filters, table, more, result);
  let event = null;
  let rows = null;

  function query(extra) {
    const params = new URLSearchParams(extra);
    if (customer.value.trim()) params.set("customer", customer.value.trim());
    if (type.value.trim()) params.set("type", type.value.trim());
    return `/api/admin/events/${event.id}/sales?${params}`;
  }

  async function load(offset) {
    try {
      const answer = await call("GET", query({ limit: PAGE, offset }), { auth: "admin" });
      if (offset === 0) {
        rows = h("tbody", {});
        table.replaceChildren(h("p", { id: "sales-total" }, `${answer.total} sales, oldest first`),
          h("table", {},
            h("thead", {}, h("tr", {}, ["Ticket", "Type", "Vendor", "Customer", "Priority", "Price", "Sold at"].map((t) => h("th", { scope: "col" }, t)))),
            rows));
      }
      rows.append(...answer.sales.map((s) => h("tr", { "data-ticket": s.ticket },
        h("td", {}, s.ticket), h("td", {}, s.ticket_type), h("td", {}, s.vendor), h("td", { class: "customer" }, s.customer),
        h("td", {}, s.priority), h("td", {}, s.price), h("td", {}, when(s.sold_at)))));
      more.hidden = answer.next_offset === null;
      more.onclick = () => load(answer.next_offset);
    } catch (error) {
      showError(result, error);
    }
  }

  async function download() {
    try {
      const response = await fetch(query({ format: "csv", limit: 10000 }),
        { headers: { Authorization: `Bearer ${session.adminToken() || ""}` } });
      if (!response.ok) throw new Error(`the download failed (${response.status})`);
      const url = URL.createObjectURL(await response.blob());
      const link = h("a", { href: url, download: `event-${event.id}-sales.csv` });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (error) {
      showError(result, error);
    }
  }

  filters.addEventListener("submit", (e) => { e.preventDefault(); load(0); });

  return {
    panel,
    show(chosen) {
      event = chosen;
      title.textContent = `Sales log: ${chosen.name}`;
      filters.hidden = false;
      result.textContent = "";
      load(0);
    },
  };
}
