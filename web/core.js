// What every page uses: the API client, the session's CSRF token, a DOM builder and form handling.
// No framework and no build step: plain ES modules, so `make run` and the deploy serve web/ as it is.

const CSRF_KEY = "certtracker.csrf";
// Set beside the HttpOnly session cookie at login and cleared at logout (functions/accounts/app.py): it holds no
// secret, and says only whether asking GET /me is worth it, so a signed-out visit makes no request that
// answers 401 (every anonymous page load would otherwise count as a client error on the API's alarms).
const SIGNED_IN_MARKER = "certtracker-signed-in";

function markedSignedIn() {
  return document.cookie.split(";").some((pair) => pair.trim() === `${SIGNED_IN_MARKER}=1`);
}

function forgetMarker() {
  document.cookie = `${SIGNED_IN_MARKER}=; Path=/; Max-Age=0; SameSite=Strict`;
}

// ------------------------------------------------------------------ the session
// The session itself is the HttpOnly cookie, which scripts never see. The CSRF token that login returns is
// kept for this tab only (sessionStorage, never localStorage): alone it opens nothing, and it ends with the tab.
export const session = {
  get csrf() {
    return sessionStorage.getItem(CSRF_KEY);
  },
  start(csrfToken) {
    sessionStorage.setItem(CSRF_KEY, csrfToken);
    session.forgetMe();
  },
  end() {
    sessionStorage.removeItem(CSRF_KEY);
    forgetMarker();
    session.forgetMe();
  },
  _me: null,
  // Who is signed in (GET /me), asked once per page load and only when the marker says a session may exist;
  // null when nobody is. A session that ended meanwhile (timed out, signed out elsewhere) answers 401 once,
  // and the marker goes with it.
  async me() {
    if (session._me === null) {
      session._me = !markedSignedIn()
        ? Promise.resolve(null)
        : api("GET", "/me", { quiet401: true }).catch((error) => {
            if (error.status !== 401) throw error;
            forgetMarker();
            return null;
          });
    }
    return session._me;
  },
  forgetMe() {
    session._me = null;
  },
};

// ------------------------------------------------------------------ the API
export class ApiError extends Error {
  constructor(status, { code = "error", message, field = null } = {}, retryAfter = null) {
    super(message || "Something went wrong on our side. Try again in a moment.");
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfter = retryAfter;
  }
}

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

// Calls /api. Answers the parsed JSON (null for 204); throws ApiError with the error shape's code, message,
// field and Retry-After. A 401 on a signed-in page sends the person to sign in, and back here afterwards.
export async function api(method, path, { body, headers = {}, quiet401 = false } = {}) {
  const sent = { Accept: "application/json", ...headers };
  if (body !== undefined) sent["Content-Type"] = "application/json";
  if (UNSAFE.has(method) && session.csrf) sent["X-CSRF-Token"] = session.csrf;
  let response;
  try {
    response = await fetch("/api" + path, {
      method,
      headers: sent,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch {
    throw new ApiError(0, { code: "offline", message: "We could not reach CertTracker. Check your connection and try again." });
  }
  if (response.status === 204) return null;
  const answer = await response.json().catch(() => null);
  if (response.ok) return answer;
  const retryAfter = Number.parseInt(response.headers.get("Retry-After") || "", 10);
  const error = new ApiError(response.status, (answer && answer.error) || {}, Number.isNaN(retryAfter) ? null : retryAfter);
  if (response.status === 401 && !quiet401) {
    session.end();
    signInAgain();
  }
  throw error;
}

export function signInAgain() {
  const here = location.pathname + location.search;
  navigate("/?next=" + encodeURIComponent(here), { replace: true });
}

// A Retry-After in words: "try again in 3 minutes".
export function retryAfterText(seconds) {
  if (seconds === null || seconds === undefined) return "";
  if (seconds < 60) return `Try again in ${seconds} second${seconds === 1 ? "" : "s"}.`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 120) return `Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`;
  const hours = Math.ceil(minutes / 60);
  return `Try again in ${hours} hours.`;
}

export function errorText(error) {
  // The API's own message may already say when to try again; then it is not said twice.
  const saysWhen = /try again/i.test(error.message);
  const wait = (error.status === 429 || error.status === 503) && !saysWhen ? retryAfterText(error.retryAfter) : "";
  return [error.message, wait].filter(Boolean).join(" ");
}

// ------------------------------------------------------------------ navigation
// app.js sets the router; pages call navigate() to move without a reload.
let router = null;
export function setRouter(go) {
  router = go;
}
export function navigate(path, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  return router ? router() : location.assign(path);
}

// ------------------------------------------------------------------ building the DOM
// h("p", { class: "hint" }, "text", child): text is always set as text, never parsed as HTML, so nothing a
// candidate typed (or an email link carried) can become markup.
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

// The page's heading and title; focus moves to the heading so a screen reader announces the new page.
export function page(main, title, ...content) {
  document.title = `${title} — CertTracker`;
  const heading = h("h1", { tabindex: "-1", id: "page-title" }, title);
  // replaceChildren writes a null as the text "null": a section a page leaves out (null, false) is skipped.
  main.replaceChildren(heading, ...content.flat().filter((child) => child !== null && child !== undefined && child !== false));
  heading.focus({ preventScroll: true });
  return main;
}

// An email address that may wrap where a reader expects it to: before the @ and before each dot.
export function address(text) {
  return h("span", { class: "address" }, String(text).split(/(?=[@.])/).flatMap((part, index) => (index ? [h("wbr"), part] : [part])));
}

export function dateText(iso, { time = false } = {}) {
  if (!iso) return "";
  const options = time ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" };
  return new Intl.DateTimeFormat(undefined, options).format(new Date(iso));
}

// ------------------------------------------------------------------ forms
let fieldIds = 0;

// A labelled field. `name` is the API's field name, so an error's `field` finds it. Options: type, hint,
// autocomplete, required, value, options (for a select: [[value, label], …]), and any other attribute.
export function field(label, name, { type = "text", hint, options, value, ...attributes } = {}) {
  const id = `field-${name.replaceAll(".", "-")}-${++fieldIds}`;
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  let control;
  const common = { id, name, "aria-describedby": [hintId, errorId].filter(Boolean).join(" "), ...attributes };
  if (options) {
    control = h("select", common, options.map(([optionValue, text]) => h("option", { value: optionValue, selected: optionValue === value }, text)));
  } else if (type === "textarea") {
    control = h("textarea", common, value ?? "");
  } else if (type === "checkbox") {
    control = h("input", { ...common, type, checked: Boolean(value) });
  } else {
    control = h("input", { ...common, type, value: value ?? "" });
  }
  const error = h("p", { class: "field-error", id: errorId, hidden: true });
  const hintNode = hint ? h("p", { class: "hint", id: hintId }, hint) : null;
  if (type === "checkbox") {
    return h("div", { class: "field field-checkbox", "data-field": name }, control, h("label", { for: id }, label), hintNode, error);
  }
  return h("div", { class: "field", "data-field": name }, h("label", { for: id }, label), hintNode, control, error);
}

// The values of a form's named controls: checkboxes as booleans, empty text as "".
export function values(form) {
  const result = {};
  for (const control of form.querySelectorAll("input[name], select[name], textarea[name]")) {
    result[control.name] = control.type === "checkbox" ? control.checked : control.value;
  }
  return result;
}

function clearErrors(form) {
  for (const node of form.querySelectorAll(".field-error")) {
    node.hidden = true;
    node.textContent = "";
  }
  for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
  const summary = form.querySelector(".form-error");
  if (summary) summary.remove();
}

// Shows an API error: at its field when the error names one (the field's message is read out, and focus
// goes there), else above the button. What was typed stays.
export function showError(form, error) {
  clearErrors(form);
  const text = errorText(error);
  const holder = error.field && form.querySelector(`[data-field="${CSS.escape(error.field)}"]`);
  if (holder) {
    const message = holder.querySelector(".field-error");
    const control = holder.querySelector("input, select, textarea");
    // Shown at its field, the message need not name the field again ("email: …").
    message.textContent = text.startsWith(`${error.field}: `) ? text.slice(error.field.length + 2) : text;
    message.hidden = false;
    control.setAttribute("aria-invalid", "true");
    control.focus();
    return;
  }
  const summary = h("p", { class: "form-error", role: "alert" }, text);
  const actions = form.querySelector(".actions") || form.lastElementChild;
  form.insertBefore(summary, actions);
}

// Wires a form: on submit the button shows it is busy and cannot be pressed twice; `submit(values)` calls
// the API; an ApiError is shown where it belongs; anything else is shown as a general failure.
export function onSubmit(form, submit) {
  form.noValidate = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    if (button && button.getAttribute("aria-busy") === "true") return;
    clearErrors(form);
    if (button) {
      button.setAttribute("aria-busy", "true");
      button.disabled = true;
    }
    try {
      await submit(values(form), form);
    } catch (error) {
      showError(form, error instanceof ApiError ? error : new ApiError(0, {}));
      if (!(error instanceof ApiError)) console.error(error);
    } finally {
      if (button) {
        button.removeAttribute("aria-busy");
        button.disabled = false;
      }
    }
  });
  return form;
}

export function button(text, attributes = {}) {
  return h("button", { type: "submit", ...attributes }, text);
}

// A message that a screen reader announces when it appears (role=status), replacing the last one.
export function notice(container, text, { kind = "success" } = {}) {
  const existing = container.querySelector(":scope > .notice");
  const node = h("p", { class: `notice notice-${kind}`, role: kind === "error" ? "alert" : "status" }, text);
  if (existing) existing.replaceWith(node);
  else container.prepend(node);
  return node;
}

// A random Idempotency-Key for one form: sending the same form twice (a double click, a retry after a
// timeout) makes one request on the server.
export function idempotencyKey() {
  return crypto.randomUUID();
}

// The token of an emailed link: it travels in the fragment (#token=…), so it never reaches a server log,
// and it is taken out of the address bar at once.
export function takeToken() {
  const token = new URLSearchParams(location.hash.slice(1)).get("token");
  if (token) history.replaceState(null, "", location.pathname + location.search);
  return token;
}

export function link(href, text, attributes = {}) {
  return h("a", { href, ...attributes }, text);
}

// ------------------------------------------------------------------ lists
// A "Show more" button for a list paged with next_cursor. `more(cursor)` fetches and appends a page (and
// says how many are shown now in the page's own status line) and answers { nextCursor, first }: the first
// new row, which gets focus. The button goes once there is nothing more.
export function pager(nextCursor, more) {
  let cursor = nextCursor;
  const holder = h("div", { class: "pager" });
  if (!cursor) return holder;
  const button = h("button", { type: "button", class: "secondary" }, "Show more");
  holder.append(button);
  button.addEventListener("click", async () => {
    if (button.getAttribute("aria-busy") === "true") return;
    button.setAttribute("aria-busy", "true");
    button.disabled = true;
    holder.querySelector(".form-error")?.remove();
    try {
      const { nextCursor: next, first } = await more(cursor);
      cursor = next;
      if (first) {
        first.tabIndex = -1;
        first.focus();
      }
      if (!cursor) button.remove();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      holder.append(h("p", { class: "form-error", role: "alert" }, errorText(error)));
    } finally {
      button.removeAttribute("aria-busy");
      button.disabled = false;
    }
  });
  return holder;
}

// A table cell with its column's name, shown beside the value when the table stacks on a phone.
// A table cell; on a phone (table.stack) its content is one box beside the column's label, which wraps.
export function cell(label, ...content) {
  return h("td", { "data-label": label }, h("div", { class: "cell" }, ...content));
}
