// What the pages behind emailed links share: the token from the fragment, or a clear page without one.
import { h, link, page, takeToken } from "../core.js";

// The link's token; without one (the link was cut short, or the page was reloaded after its token was taken
// out of the address bar) the page says what to do and answers null. With `keep`, the token also stays in this tab
// (sessionStorage) until `spentToken()`: a person who reads the privacy notice the form links to and comes back
// finds the form again, not "open the link again".
export function missingToken(main, title, { keep = false } = {}) {
  const key = `link-token:${location.pathname}`;
  const token = takeToken() || (keep ? sessionStorage.getItem(key) : null);
  if (token && keep) sessionStorage.setItem(key, token);
  if (token) return token;
  page(
    main,
    title,
    h("p", { role: "alert" }, "This page needs the link from your email, whole. Open the link in the email again."),
    h("p", {}, link("/", "Go to the start page")),
  );
  return null;
}

// A page that does one thing with the token when the person presses its button (never on opening, so a mail
// scanner that opens links does nothing).
export function confirmPage(main, { title, explanation, action, call }) {
  const token = missingToken(main, title);
  if (!token) return;
  const result = h("div", { "aria-live": "polite" });
  const form = h("form", {}, h("p", {}, explanation), h("div", { class: "actions" }, h("button", { type: "submit" }, action)));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button");
    button.setAttribute("aria-busy", "true");
    button.disabled = true;
    try {
      const message = await call(token);
      form.remove();
      result.replaceChildren(h("p", { class: "notice notice-success", role: "status" }, message));
    } catch (error) {
      result.replaceChildren(h("p", { class: "notice notice-error", role: "alert" }, error.message));
      button.disabled = false;
    } finally {
      button.removeAttribute("aria-busy");
    }
  });
  page(main, title, form, result);
}

// The kept token of this page's link is used up (or could not be used): forget it.
export function spentToken() {
  sessionStorage.removeItem(`link-token:${location.pathname}`);
}
