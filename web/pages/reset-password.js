// The emailed reset link (/reset-password#token=…): choose a new password; every session ends.
import { api, button, field, h, link, onSubmit, page, session } from "../core.js";
import { missingToken } from "./link-pages.js";

export default async function render(main) {
  const token = missingToken(main, "Choose a new password");
  if (!token) return;
  const form = h(
    "form",
    { class: "narrow" },
    field("New password", "new_password", {
      type: "password",
      autocomplete: "new-password",
      required: true,
      minlength: 12,
      maxlength: 128,
      hint: "At least 12 characters. A few unrelated words work well; a common or repeated password is refused.",
    }),
    h("div", { class: "actions" }, button("Set the new password")),
  );
  onSubmit(form, async ({ new_password }) => {
    await api("POST", "/auth/password-reset", { body: { token, new_password }, quiet401: true });
    session.end();
    page(
      main,
      "Your password is changed",
      h("p", { role: "status" }, "Every session of your account has ended. Sign in with the new password."),
      h("p", {}, link("/", "Sign in")),
    );
  });
  page(main, "Choose a new password", form);
}
