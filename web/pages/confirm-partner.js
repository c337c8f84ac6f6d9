// The emailed association request (/confirm-partner#token=…): a partner asks to associate an existing account.
// Opening the page changes nothing (a mail scanner that follows links answers nothing): it shows which partner
// asks, for which account, and the owner presses confirm or refuse. The token alone answers, signed in or not:
// it reached the address the account proved, the same proof a password reset rests on.
import { ApiError, api, dateText, h, link, page } from "../core.js";
import { missingToken } from "./link-pages.js";

const TITLE = "Confirm your company";

function failed(main, error) {
  if (!(error instanceof ApiError)) throw error;
  page(main, "This link cannot be used", h("p", { role: "alert" }, error.message), h("p", {}, link("/", "Go to the start page")));
}

export default async function render(main, { me }) {
  const token = missingToken(main, TITLE);
  if (!token) return;
  page(main, TITLE, h("p", { role: "status" }, "One moment."));
  let asked;
  try {
    asked = await api("POST", "/partner-association/preview", { body: { token }, quiet401: true });
  } catch (error) {
    failed(main, error);
    return;
  }
  const result = h("div", { "aria-live": "polite" });
  const next = h("p", {}, me ? link("/profile", "Go to your profile") : link("/", "Sign in"));
  const answer = (path, text) =>
    h("button", {
      type: "button",
      class: path === "refuse" ? "secondary" : null,
      onclick: async (event) => {
        const buttons = event.target.closest(".actions").querySelectorAll("button");
        buttons.forEach((button) => (button.disabled = true));
        try {
          const answered = await api("POST", `/partner-association/${path}`, { body: { token }, quiet401: true });
          form.remove();
          result.replaceChildren(h("p", { class: "notice notice-success", role: "status" }, answered.message), next);
        } catch (error) {
          if (!(error instanceof ApiError)) throw error;
          form.remove();
          result.replaceChildren(h("p", { class: "notice notice-error", role: "alert" }, error.message), next);
        }
      },
    }, text);
  const form = h(
    "div",
    {},
    h("p", {}, "The partner company ", h("strong", {}, asked.partner_name), " asks to associate your CertTracker account ", h("strong", {}, asked.username), " with it."),
    h("p", {}, "Associated, your credentials count toward the company's partner program requirements, and its program managers see which credentials you hold. If you were associated with another company, you move to this one."),
    h("p", {}, `Nothing changes unless you confirm. The request lapses on ${dateText(asked.expires_at)}; refusing or ignoring it leaves your account as it is.`),
    h("div", { class: "actions" }, answer("confirm", `Confirm: I work for ${asked.partner_name}`), answer("refuse", "Refuse")),
  );
  page(main, TITLE, form, result);
}
