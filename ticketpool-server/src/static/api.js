// The JSON API: one fetch wrapper that turns the API's error shape into
// an Error with a `code`, the customer token kept in localStorage, the
// admin token in sessionStorage (gone with the tab), and a Server-Sent
// Events reader over fetch for streams that need the Authorization header
// (EventSource cannot send one).

const TOKEN_KEY = "ticketpool.token";
const NAME_KEY = "ticketpool.name";
const ADMIN_KEY = "ticketpool.admin";

export const session = {
  token: () => localStorage.getItem(TOKEN_KEY),
  name: () => localStorage.getItem(NAME_KEY),
  signIn(name, token) {
    localStorage.setItem(TOKEN_KEY, token);
    localStorage.setItem(NAME_KEY, name);
  },
  signOut() {
    localStorage.removeItem(TOKEN_KEY);
    localStorage.removeItem(NAME_KEY);
  },
  adminToken: () => sessionStorage.getItem(ADMIN_KEY),
  setAdminToken(token) {
    if (token) sessionStorage.setItem(ADMIN_KEY, token);
    else sessionStorage.removeItem(ADMIN_KEY);
  },
};

/** An API refusal: `code` is the stable error code. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * Calls the API. `auth` is "customer", "admin" or null; `body` goes as
 * JSON; `headers` adds to them. Resolves to the JSON answer.
 */
export async function call(method, path, { auth = null, body, headers = {} } = {}) {
  const init = { method, headers: { ...headers } };
  const token = auth === "admin" ? session.adminToken() : auth ? session.token() : null;
  if (auth && !token) {
    throw new ApiError(401, "missing_token",
      auth === "admin" ? "enter the admin token first" : "sign up first (Account)");
  }
  if (token) init.headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { json = null; }
  if (!response.ok) {
    const error = json && json.error ? json.error : { code: "http_" + response.status, message: text || response.statusText };
    const failure = new ApiError(response.status, error.code, error.message);
    // A seat refusal names the seats taken.
    if (error.seats) failure.seats = error.seats;
    throw failure;
  }
  return json;
}

/**
 * Reads the SSE stream at `path` with the customer's token, calling
 * `onMessage(name, data)` for each message, until `signal` aborts.
 */
export async function streamWithToken(path, onMessage, signal) {
  const token = session.token();
  if (!token) return;
  const response = await fetch(path, { headers: { Authorization: `Bearer ${token}` }, signal });
  if (!response.ok || !response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) onMessage(name, JSON.parse(data.join("\n")));
    }
  }
}
