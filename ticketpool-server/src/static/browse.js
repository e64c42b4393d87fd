// Browse and search: the upcoming and popular lists, or the search API's
// hits for a text, a city, a category and "on sale only".

import { call } from "./api.js";
import { h, field, showError, when, saleState } from "./ui.js";

function card(event) {
  const venue = event.venue ? `${event.venue.name}, ${event.venue.city}` : "";
  return h("li", { class: "event-card", "data-event-id": event.id },
    h("h3", {}, h("a", { href: `#/event/${event.id}` }, event.name)),
    h("p", {}, when(event.starts_at), venue ? ` · ${venue}` : ""),
    h("p", { class: "muted" },
      h("span", { class: `badge ${event.status}` }, saleState(null, event.status)),
      event.categories.length ? ` ${event.categories.join(", ")}` : "",
      event.sold_recently ? ` · ${event.sold_recently} sold recently` : ""));
}

function list(title, events, id) {
  return h("section", { "aria-labelledby": `${id}-title` },
    h("h2", { id: `${id}-title` }, title),
    events.length
      ? h("ul", { class: "events", id }, events.map(card))
      : h("p", { class: "muted", id }, "Nothing here."));
}

export function renderBrowse(main, params) {
  const q = h("input", { id: "search-q", type: "search", name: "q", value: params.get("q") || "", placeholder: "jazz, Paris, a performer…" });
  const city = h("input", { id: "search-city", name: "city", value: params.get("city") || "" });
  const category = h("input", { id: "search-category", name: "category", value: params.get("category") || "" });
  const onSale = h("input", { id: "search-on-sale", type: "checkbox", name: "on_sale", checked: params.get("on_sale") === "true" });
  const form = h("form", { role: "search", class: "panel", "aria-label": "Search events" },
    h("h1", {}, "Find an event"),
    field("Search", q), field("City", city), field("Category", category), field("On sale only", onSale),
    h("button", { id: "search-button", type: "submit" }, "Search"));
  const results = h("div", { id: "results", "aria-live": "polite" });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const next = new URLSearchParams();
    if (q.value.trim()) next.set("q", q.value.trim());
    if (city.value.trim()) next.set("city", city.value.trim());
    if (category.value.trim()) next.set("category", category.value.trim());
    if (onSale.checked) next.set("on_sale", "true");
    const hash = `#/?${next}`;
    if (location.hash === hash) load(); else location.hash = hash;
  });
  main.append(form, results);

  const searching = ["q", "city", "category", "on_sale"].some((k) => params.has(k));
  async function load() {
    results.replaceChildren(h("p", {}, "Loading…"));
    try {
      if (searching) {
        const query = new URLSearchParams(params);
        const found = await call("GET", `/api/search?${query}`);
        results.replaceChildren(list(`${found.total} found`, found.events, "search-results"));
      } else {
        const [upcoming, popular] = await Promise.all([
          call("GET", "/api/events?view=upcoming"),
          call("GET", "/api/events?view=popular"),
        ]);
        results.replaceChildren(
          list("Popular now", popular.events, "popular"),
          list("Upcoming", upcoming.events, "upcoming"));
      }
      results.dataset.loaded = "true";
    } catch (error) {
      results.replaceChildren();
      showError(results, error);
    }
  }
  load();
}
