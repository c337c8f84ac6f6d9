// The emailed reset link (/reset-password#token=…): choose a new password; every session ends. The same page is the
// set-password link of an account PartnerNet made (/set-password#token=…): setting it accepts the privacy notice.
import { api, button, field, h, link, onSubmit, page, session } from "../core.js";
import { missingToken } from "./link-pages.js";

export default async function render(main) {
  const first = location.pathname === "/set-password";
  const title = first ? "Set your password" : "Choose a new password";
  const token = missingToken(main, title);
  if (!token) return;
  const form = h(
    "form",
    { class: "narrow" },
    field(first ? "Password" : "New password", "new_password", {
      type: "password",
      autocomplete: "new-password",
      required: true,
      minlength: 12,
      maxlength: 128,
      hint: "At least 12 characters. A few unrelated words work well; a common or repeated password is refused.",
    }),
    first ? h("p", { class: "hint" }, "By setting it you accept the ", link("/faq#privacy", "privacy notice"), ".") : null,
    h("div", { class: "actions" }, button(first ? "Set the password" : "Set the new password")),
  );
  onSubmit(form, async ({ new_password }) => {
    await api("POST", "/auth/password-reset", { body: { token, new_password }, quiet401: true });
    session.end();
    page(
      main,
      first ? "Your password is set" : "Your password is changed",
      h("p", { role: "status" }, first ? "Sign in with your username and the password." : "Every session of your account has ended. Sign in with the new password."),
      h("p", {}, link("/", "Sign in")),
    );
  });
  page(main, title, form);
}
