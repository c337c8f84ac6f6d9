// The emailed reset link (/reset-password#token=…): choose a new password; every session ends. The same page is the
// set-password link of an account PartnerNet made (/set-password#token=…): it says whose account and which company,
// setting the password accepts the privacy notice, and signs the person in.
import { ApiError, api, button, field, h, link, navigate, onSubmit, page, session } from "../core.js";
import { missingToken, spentToken } from "./link-pages.js";

export default async function render(main) {
  const first = location.pathname === "/set-password";
  const title = first ? "Set your password" : "Choose a new password";
  const token = missingToken(main, title, { keep: true });
  if (!token) return;
  let about;
  try {
    about = await api("POST", "/auth/password-link", { body: { token }, quiet401: true });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 410) throw error;
    spentToken();
    page(
      main,
      "This link cannot be used",
      h("p", { role: "alert" }, error.message),
      h("p", {}, link("/recover", "Ask for a new link"), " or ", link("/", "sign in"), "."),
    );
    return;
  }
  const whose = h(
    "dl",
    { class: "facts" },
    h("dt", {}, "Username"),
    h("dd", {}, about.username),
    about.company ? [h("dt", {}, "Company"), h("dd", {}, about.company)] : null,
  );
  const form = h(
    "form",
    { class: "narrow" },
    // What a password manager saves the new password under; the person does not type it.
    h("input", { type: "text", name: "username", value: about.username, autocomplete: "username", readonly: true, hidden: true }),
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
    spentToken();
    session.end();
    if (first) {
      // A new partner employee goes straight in: the password they just set signs them in.
      const answer = await api("POST", "/auth/login", { body: { username: about.username, password: new_password }, quiet401: true });
      session.start(answer.csrf_token);
      navigate("/dashboard", { replace: true });
      return;
    }
    page(
      main,
      "Your password is changed",
      h("p", { role: "status" }, "Every session of your account has ended. Sign in with the new password."),
      h("p", {}, link("/", "Sign in")),
    );
  });
  page(
    main,
    title,
    first
      ? h("p", {}, "PartnerNet made this CertTracker account for you. Choose its password to start using it.")
      : h("p", {}, "Choose a new password for this account."),
    whose,
    form,
  );
}
