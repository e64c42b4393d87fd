// The admin's edit form for one event, over PATCH /api/admin/events/ID:
// name, description, start time, time zone and categories. Only the
// fields changed are sent, so an unchanged value never trips a rule; the
// API's refusals (409 once the event is cancelled, closed or past, 422 for
// a bad value) show as their message and code next to the form.

import { call } from "./api.js";
import { h, field, toast, showError } from "./ui.js";

/** "2030-07-14T19:00:00Z" → "2030-07-14T19:00" for a datetime-local input (UTC). */
function localInput(rfc3339) {
  return rfc3339 ? rfc3339.slice(0, 16) : "";
}

/** The edit panel: `show(event)` fills it from an admin list row. */
export function editPanel(reload) {
  const f = {
    name: h("input", { id: "edit-name", name: "edit-name", required: true }),
    description: h("textarea", { id: "edit-description", name: "edit-description", rows: 3 }),
    starts: h("input", { id: "edit-starts", name: "edit-starts", type: "datetime-local", required: true }),
    zone: h("input", { id: "edit-zone", name: "edit-zone" }),
    categories: h("input", { id: "edit-categories", name: "edit-categories", placeholder: "jazz, music" }),
  };
  const title = h("h2", { id: "edit-title" }, "Edit an event");
  const hint = h("p", { class: "muted" }, "Choose “Edit” on an event. The venue and the tickets change only while it is a draft.");
  const save = h("button", { id: "edit-save", type: "submit", disabled: true }, "Save changes");
  const result = h("p", { id: "edit-result", class: "result", "aria-live": "polite" });
  const form = h("form", { class: "panel", "aria-labelledby": "edit-title", id: "edit-form" },
    title, hint, field("Name", f.name), field("Description", f.description),
    field("Starts (UTC)", f.starts), field("Shown in time zone", f.zone),
    field("Categories", f.categories), save, result);
  let current = null;

  const categoriesOf = (text) => text.split(",").map((c) => c.trim()).filter(Boolean);

  function show(event) {
    current = event;
    title.textContent = `Edit: ${event.name}`;
    f.name.value = event.name;
    f.description.value = event.description || "";
    f.starts.value = localInput(event.starts_at);
    f.zone.value = event.time_zone || "UTC";
    f.categories.value = (event.categories || []).join(", ");
    result.textContent = "";
    result.className = "result";
    save.disabled = false;
    form.scrollIntoView({ block: "nearest" });
    f.name.focus();
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!current) return;
    const body = {};
    if (f.name.value.trim() !== current.name) body.name = f.name.value.trim();
    if (f.description.value !== (current.description || "")) body.description = f.description.value;
    if (f.starts.value !== localInput(current.starts_at)) body.starts_at = `${f.starts.value}:00Z`;
    if (f.zone.value.trim() !== (current.time_zone || "UTC")) body.time_zone = f.zone.value.trim();
    const categories = categoriesOf(f.categories.value);
    if (categories.join(",") !== (current.categories || []).join(",")) body.categories = categories;
    if (Object.keys(body).length === 0) {
      result.className = "result";
      result.textContent = "Nothing changed.";
      return;
    }
    save.disabled = true;
    try {
      const event = await call("PATCH", `/api/admin/events/${current.id}`, { auth: "admin", body });
      current = { ...current, ...event };
      title.textContent = `Edit: ${event.name}`;
      result.className = "result ok";
      result.textContent = `Saved ${event.name}.`;
      toast(`Saved ${event.name}.`);
      reload();
    } catch (error) {
      const why = error.code === "wrong_status"
        ? "This event can no longer change (it is cancelled, closed or past)"
        : error.code === "frozen" ? "That cannot change once the event is on sale" : null;
      showError(result, why ? { code: error.code, message: `${why}: ${error.message}` } : error);
    } finally {
      save.disabled = false;
    }
  });
  return { panel: form, show };
}
