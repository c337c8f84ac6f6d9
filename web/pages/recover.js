// Account login recovery: email me my username; email me a link to choose a new password. The API answers
// the same whether or not an account matches, so the page does too.
import { ApiError, api, button, field, h, link, notice, onSubmit, page } from "../core.js";

// The API's own "Try again in a minute." gives way to the Retry-After in words that errorText adds after it.
function oneWait(error) {
  if (error instanceof ApiError && error.retryAfter !== null) {
    error.message = error.message.replace(/\s*Try again in [^.]*\.\s*/g, " ").trim();
  }
  return error;
}

function recoveryForm({ id, title, explanation, control, action, path, body }) {
  const form = h("form", { "aria-labelledby": id }, h("p", {}, explanation), control, h("div", { class: "actions" }, button(action)));
  const status = h("div", {});
  onSubmit(form, async (values) => {
    const answer = await api("POST", path, { body: body(values), quiet401: true }).catch((error) => {
      throw oneWait(error);
    });
    notice(status, answer.message);
  });
  return h("section", { class: "panel public-panel" }, h("h2", { id }, title), status, form);
}

export default async function render(main) {
  page(
    main,
    "Account login recovery",
    h("p", { class: "narrow" }, "Forgot your username or your password? We email it, or a link to choose a new password, to the address on your account."),
    h(
      "div",
      { class: "columns columns-even" },
      recoveryForm({
        id: "forgot-username",
        title: "Forgot your username",
        explanation: "Enter the email address of your account: we email your username to it.",
        control: field("Email address", "email", { type: "email", autocomplete: "email", required: true, maxlength: 254, spellcheck: "false" }),
        action: "Email me my username",
        path: "/auth/recovery/username",
        body: ({ email }) => ({ email }),
      }),
      recoveryForm({
        id: "forgot-password",
        title: "Forgot your password",
        explanation: "Enter your username (or your account's email address): we email a link to choose a new password. The link works once, for 30 minutes.",
        control: field("Username or email address", "username_or_email", {
          autocomplete: "username",
          required: true,
          maxlength: 254,
          autocapitalize: "none",
          spellcheck: "false",
        }),
        action: "Email me a reset link",
        path: "/auth/recovery/password",
        body: ({ username_or_email }) => ({ username_or_email }),
      }),
    ),
    h(
      "p",
      { class: "after-columns" },
      "Partner employees: your PartnerNet password does not sign you in here; CertTracker has its own. Still stuck? ",
      link("/contact", "Contact the Program Support Team"),
      ".",
    ),
  );
}
