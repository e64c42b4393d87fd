// The frontend's entry: a hash router (#/, #/event/ID, #/account,
// #/mine, #/admin). Each page renders into <main> and may return a
// cleanup function (closing its live streams and timers) that runs when
// the reader navigates away.

import { call, session } from "./api.js";
import { renderBrowse } from "./browse.js";
import { renderEvent } from "./event.js";
import { renderAccount, renderMine } from "./account.js";
import { renderAdmin } from "./admin.js";
import { toast } from "./ui.js";

// Kept for anyone checking the page (the browser test does): what the
// Content-Security-Policy blocked and which errors went uncaught.
window.pageProblems = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.pageProblems.push(`CSP ${e.violatedDirective}: ${e.blockedURI}`));
window.addEventListener("error", (e) => window.pageProblems.push(`error: ${e.message}`));
window.addEventListener("unhandledrejection", (e) => window.pageProblems.push(`rejection: ${e.reason}`));

const main = document.getElementById("main");
let cleanup = null;

/** Refreshes "signed in as" in the header. */
export async function showWho() {
  const who = document.getElementById("who");
  if (!session.token()) {
    who.textContent = "not signed in";
    return;
  }
  try {
    const me = await call("GET", "/api/me", { auth: "customer" });
    who.textContent = `signed in as ${me.name}${me.vip ? " (VIP)" : ""}`;
  } catch {
    who.textContent = "not signed in (token refused)";
  }
}

function route() {
  if (cleanup) cleanup();
  cleanup = null;
  main.replaceChildren();
  toast("");
  const hash = location.hash.replace(/^#/, "") || "/";
  const [path, query = ""] = hash.split("?");
  const params = new URLSearchParams(query);
  const parts = path.split("/").filter(Boolean);
  let page;
  if (parts.length === 0) page = renderBrowse(main, params);
  else if (parts[0] === "event" && parts[1]) page = renderEvent(main, Number(parts[1]));
  else if (parts[0] === "account") page = renderAccount(main, showWho);
  else if (parts[0] === "mine") page = renderMine(main);
  else if (parts[0] === "admin") page = renderAdmin(main);
  else {
    main.append(Object.assign(document.createElement("p"), { textContent: "No such page." }));
  }
  cleanup = typeof page === "function" ? page : null;
  document.body.dataset.page = parts[0] || "browse";
  for (const link of document.querySelectorAll("nav a")) {
    const current = link.getAttribute("href") === `#${path === "/" ? "/" : "/" + parts[0]}`;
    if (current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

// Who is signed in is asked again on every page: a VIP grant or a
// revoked token shows without a reload.
window.addEventListener("hashchange", () => { route(); showWho(); });
route();
showWho();
