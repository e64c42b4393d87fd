// The account page (sign up, use an existing token, sign out) and "my
// tickets and holds", which follows the customer's own live stream.

import { call, session, streamWithToken } from "./api.js";
import { h, field, toast, showError, when, countdown } from "./ui.js";

export function renderAccount(main, showWho) {
  const name = h("input", { id: "signup-name", name: "name", required: true, autocomplete: "username", maxlength: 64 });
  const result = h("p", { id: "signup-result", class: "result", "aria-live": "polite" });
  const signUp = h("form", { class: "panel", "aria-labelledby": "signup-title" },
    h("h1", { id: "signup-title" }, "Sign up"),
    h("p", { class: "muted" }, "A name is all it takes; the token that comes back is kept in this browser."),
    field("Name", name), h("button", { id: "signup-button", type: "submit" }, "Sign up"), result);
  signUp.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const answer = await call("POST", "/api/signup", { body: { name: name.value.trim() } });
      session.signIn(answer.customer.name, answer.token);
      result.className = "result ok";
      result.textContent = `Welcome, ${answer.customer.name}. You are signed in.`;
      toast("Signed up.");
      showWho();
    } catch (error) {
      showError(result, error);
    }
  });

  const token = h("input", { id: "token-input", name: "token", type: "password", autocomplete: "off" });
  const useResult = h("p", { class: "result", "aria-live": "polite" });
  const useToken = h("form", { class: "panel", "aria-labelledby": "token-title" },
    h("h2", { id: "token-title" }, "Use a token"),
    h("p", { class: "muted" }, "A token an admin issued you, or one from another browser."),
    field("Token", token), h("button", { type: "submit" }, "Sign in"), useResult);
  useToken.addEventListener("submit", async (e) => {
    e.preventDefault();
    const previous = [session.name(), session.token()];
    session.signIn("", token.value.trim());
    try {
      const me = await call("GET", "/api/me", { auth: "customer" });
      session.signIn(me.name, token.value.trim());
      useResult.className = "result ok";
      useResult.textContent = `Signed in as ${me.name}.`;
      showWho();
    } catch (error) {
      if (previous[1]) session.signIn(previous[0], previous[1]); else session.signOut();
      showError(useResult, error);
    }
  });

  const signOut = h("button", { id: "signout-button", type: "button" }, "Sign out");
  signOut.addEventListener("click", () => {
    session.signOut();
    toast("Signed out.");
    showWho();
  });
  main.append(signUp, useToken, h("section", { class: "panel" }, h("h2", {}, "This browser"), signOut));
}

export function renderMine(main) {
  if (!session.token()) {
    main.append(h("section", { class: "panel" }, h("h1", {}, "My tickets"),
      h("p", {}, h("a", { href: "#/account" }, "Sign up"), " first.")));
    return null;
  }
  const stops = [];
  const holds = h("div", { id: "holds", "aria-live": "polite" });
  const tickets = h("div", { id: "tickets" });
  main.append(
    h("section", { class: "panel", "aria-labelledby": "holds-title" }, h("h1", { id: "holds-title" }, "My holds"), holds),
    h("section", { class: "panel", "aria-labelledby": "tickets-title" }, h("h2", { id: "tickets-title" }, "My tickets"), tickets));

  async function loadHolds() {
    stops.splice(0).forEach((stop) => stop());
    try {
      const answer = await call("GET", "/api/me/holds", { auth: "customer" });
      if (!answer.holds.length) {
        holds.replaceChildren(h("p", { class: "muted" }, "No open holds."));
        return;
      }
      holds.replaceChildren(h("ul", {}, answer.holds.map((hold) => {
        const left = h("strong", {});
        stops.push(countdown(left, hold.expires_at, loadHolds));
        const confirm = h("button", { type: "button" }, "Confirm");
        confirm.addEventListener("click", () => settle(hold, "POST", `/api/holds/${hold.id}/confirm`));
        const cancel = h("button", { type: "button", class: "danger" }, "Cancel");
        cancel.addEventListener("click", () => settle(hold, "DELETE", `/api/holds/${hold.id}`));
        return h("li", { "data-hold": hold.id },
          h("a", { href: `#/event/${hold.event}` }, `event ${hold.event}`),
          `: ${hold.quantity} × ${hold.ticket_type} for ${hold.total_price}, time left `, left, " ", confirm, " ", cancel);
      })));
    } catch (error) {
      showError(holds, error);
    }
  }

  async function settle(hold, method, path) {
    try {
      const body = method === "POST" ? { payment_ref: `web-${hold.id.slice(0, 8)}` } : undefined;
      await call(method, path, { auth: "customer", body });
      toast(method === "POST" ? "Booked." : "Cancelled.");
    } catch (error) {
      showError(null, error);
    }
    loadHolds();
    loadTickets();
  }

  async function loadTickets() {
    try {
      const answer = await call("GET", "/api/me/tickets", { auth: "customer" });
      if (!answer.tickets.length) {
        tickets.replaceChildren(h("p", { class: "muted", id: "no-tickets" }, "No tickets yet."));
        return;
      }
      tickets.replaceChildren(h("table", {},
        h("caption", {}, "Newest first"),
        h("thead", {}, h("tr", {}, ["Event", "Ticket", "Type", "Price", "Bought"].map((t) => h("th", { scope: "col" }, t)))),
        h("tbody", {}, answer.tickets.map((t) => h("tr", { "data-ticket": t.ticket },
          h("td", {}, h("a", { href: `#/event/${t.event}` }, t.event_name)),
          h("td", {}, `#${t.ticket}`), h("td", {}, t.ticket_type), h("td", {}, t.price), h("td", {}, when(t.sold_at)))))));
    } catch (error) {
      showError(tickets, error);
    }
  }

  // My own stream: any change to my holds reloads both lists.
  const abort = new AbortController();
  streamWithToken("/api/me/live", (name) => {
    if (name !== "holds") {
      loadHolds();
      loadTickets();
    }
  }, abort.signal).catch(() => {});
  loadHolds();
  loadTickets();
  return () => {
    abort.abort();
    stops.forEach((stop) => stop());
  };
}
